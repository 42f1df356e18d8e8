"""Traditional characters → simplified (OpenCC ``t2s``), paid only by a text that has one.

Loading OpenCC (its library and its ``t2s`` dictionaries) takes ~10 ms, and most plans are
printed in simplified characters, which OpenCC gives back unchanged. :func:`to_simplified`
first asks whether anything in the text can change (``matrix/text/traditional.py``):

* a character OpenCC converts on its own (國, 發: found by converting every code point with the
  installed OpenCC), or
* a phrase of its ``TSPhrases`` dictionary that changes although none of its characters does on
  its own (反覆 → 反复, 沈思 → 沉思; the text is searched for these only when it holds one of
  the characters they change: 覆, 沈 …).

A text with neither is what OpenCC gives back: no entry of ``t2s`` that changes anything can
match in it. A text in which no key of ``TSPhrases`` occurs at all (nor a CJK compatibility
ideograph, which ``t2s`` first normalises) is converted a character at a time, each character
to what the installed OpenCC makes of it on its own (kept in the tables): ``t2s`` matches the
longest key at each place, and with no phrase in the text every key that can match is one
character long. So a plan printed in traditional characters (seed 001) is converted without
loading OpenCC either. Any other text is converted by OpenCC, as always.

The tables are made from one version of OpenCC's dictionaries (their sizes are kept beside
them); with other dictionaries installed, every text goes through OpenCC. To make them again
(after OpenCC changed; ``tests/test_script.py`` fails then)::

    python -m matrix.text.script path/to/OpenCC/data/dictionary/TSPhrases.txt
"""

from __future__ import annotations

import functools
import os

from .patterns import lazy

DICTIONARIES = ("t2s.json", "TSPhrases.ocd2", "TSCharacters.ocd2", "TSCharactersExt.ocd2",
                "CJK_Compatibility_Ideographs.ocd2")


# Asking costs about twice what OpenCC's conversion does (~2 ms against ~1 ms for 30 KB); it
# saves loading OpenCC (~10 ms) in a process that reads a few plans. A process that has asked
# about this many characters loads OpenCC, and then converts every text, as always.
CHECK_BUDGET = 200_000
_checked = 0


def to_simplified(text: str) -> str:
    """``text`` as OpenCC ``t2s`` converts it: unchanged, without loading OpenCC, when nothing
    in it can change (until :data:`CHECK_BUDGET` characters were asked about); once OpenCC is
    loaded (a text that needed it, a batch worker warming up), converted by it."""
    global _checked
    if not converter.cache_info().currsize and _checked < CHECK_BUDGET:
        _checked += len(text)
        if _unchanged(text):
            return text
        converted = by_character(text)
        if converted is not None:
            return converted
    return converter().convert(text)


def by_character(text: str) -> str | None:
    """``text`` converted a character at a time, each as OpenCC converts it on its own, when
    that is what OpenCC makes of the whole: no ``TSPhrases`` key and no CJK compatibility
    ideograph in it; else None (OpenCC converts it)."""
    tables = _per_character()
    if tables is None or _COMPATIBILITY.search(text):
        return None
    table, phrases = tables
    for first in phrases.keys() & set(text):
        if any(key in text for key in phrases[first]):
            return None
    return text.translate(table)


# CJK compatibility ideographs: ``t2s`` normalises them first, which may make a phrase.
_COMPATIBILITY = lazy("[\uf900-\ufaff\U0002f800-\U0002fa1f]")


@functools.cache
def _per_character() -> tuple[dict[int, str], dict[str, list[str]]] | None:
    """What each character OpenCC changes on its own becomes, and every ``TSPhrases`` key by
    its first character; None when the tables do not apply."""
    from . import traditional

    if _tables() is None or len(traditional.TARGETS) != len(traditional.CHARACTERS):
        return None
    table = dict(zip(map(ord, traditional.CHARACTERS), traditional.TARGETS))
    table.update((ord(c), target) for c, target in traditional.LONGER_TARGETS.items())
    phrases: dict[str, list[str]] = {}
    for key in traditional.PHRASE_KEYS.split("|"):
        phrases.setdefault(key[0], []).append(key)
    return table, phrases


def _unchanged(text: str) -> bool:
    """Can nothing in ``text`` change? (False when the tables do not apply.)"""
    tables = _tables()
    if tables is None:
        return False
    single, phrases = tables
    if not single.isdisjoint(text):
        return False
    # a phrase can match only where a character it changes is: those present say which
    return not any(p in text for c, group in phrases.items() if c in text for p in group)


@functools.cache
def converter():
    """The traditional → simplified converter, created once on first use (it loads dictionaries)."""
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def _tables() -> tuple[frozenset[str], dict[str, list[str]]] | None:
    """What ``t2s`` may change (the characters it changes on their own; the phrases that
    change, by the characters they change), when the installed OpenCC's dictionaries are the
    ones the tables were made from; else None."""
    from . import traditional

    if installed_dictionaries() != traditional.DICTIONARIES:
        return None
    phrases: dict[str, list[str]] = {c: [] for c in traditional.PHRASE_CHARACTERS}
    for phrase in traditional.PHRASES:
        for c in set(phrase) & phrases.keys():
            phrases[c].append(phrase)
    return frozenset(traditional.CHARACTERS), phrases


def installed_dictionaries() -> dict[str, int] | None:
    """The sizes of the installed OpenCC's ``t2s`` files, found without importing it."""
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return None
    share = os.path.join(spec.submodule_search_locations[0], "clib", "share", "opencc")
    try:
        return {name: os.stat(os.path.join(share, name)).st_size for name in DICTIONARIES}
    except OSError:
        return None


# ── making matrix/text/traditional.py ────────────────────────────────────────────────────

def changed_characters() -> set[str]:
    """Every code point the installed OpenCC's ``t2s`` changes on its own."""
    chars = [chr(i) for a, b in ((0x80, 0xD800), (0xE000, 0x110000)) for i in range(a, b)]
    out = converter().convert("\n".join(chars)).split("\n")
    assert len(out) == len(chars)
    return {c for c, o in zip(chars, out) if o != c}


def changing_phrases(phrases: str, single: set[str]) -> list[str]:
    """The keys of ``TSPhrases.txt`` (its text) that ``t2s`` changes although none of their
    characters is in ``single`` (changed on its own)."""
    out = []
    for line in phrases.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, values = line.split("\t")[:2]
        # OpenCC takes the first value (想像 → 想像, 想象: unchanged)
        changes = values.split(" ")[0] != key or converter().convert(key) != key
        if changes and not single & set(key):
            out.append(key)
    return sorted(set(out))


def witnesses(phrases: list[str]) -> set[str]:
    """The characters ``t2s`` changes in ``phrases`` (a text without one holds none of them)."""
    out: set[str] = set()
    for key in phrases:
        value = converter().convert(key)
        out.update(key if len(value) != len(key) else (k for k, v in zip(key, value) if k != v))
    return out


def _lines(name: str, text: str, width: int = 60) -> str:
    body = "\n".join(f"    {text[i:i + width]!r}" for i in range(0, len(text), width))
    return f"{name} = (\n{body}\n)\n"


def phrase_keys(phrases: str) -> list[str]:
    """Every key of ``TSPhrases.txt`` (its text)."""
    return sorted({line.split("\t")[0] for line in phrases.splitlines()
                   if line.strip() and not line.startswith("#")})


def targets(single: list[str]) -> tuple[str, dict[str, str]]:
    """What each of ``single`` becomes on its own: one character each, in order (with ``\0``
    where it becomes more or fewer), and those that do not become one character."""
    out = converter().convert("\n".join(single)).split("\n")
    assert len(out) == len(single)
    longer = {c: t for c, t in zip(single, out) if len(t) != 1}
    return "".join(t if len(t) == 1 else "\0" for t in out), longer


def generate(phrases: str) -> str:
    """The text of ``matrix/text/traditional.py`` for the installed OpenCC and ``phrases``."""
    import opencc

    single = changed_characters()
    keys = changing_phrases(phrases, single)
    listed = "".join(f"    {k!r},\n" for k in keys)
    to, longer = targets(sorted(single))
    assert "|" not in "".join(phrase_keys(phrases))
    return (f'"""Generated by ``python -m matrix.text.script`` from OpenCC '
            f'{getattr(opencc, "__version__", "?")}: do not edit.\n\n'
            "What OpenCC ``t2s`` may change (``matrix.text.script``), and the sizes of the "
            'dictionaries\nit was found in."""\n\n'
            f"DICTIONARIES = {installed_dictionaries()!r}\n\n"
            + _lines("CHARACTERS", "".join(sorted(single))) + "\n"
            + _lines("PHRASE_CHARACTERS", "".join(sorted(witnesses(keys)))) + "\n"
            + f"PHRASES = (\n{listed})\n\n"
            + "# what each of CHARACTERS becomes on its own (\\0: see LONGER_TARGETS)\n"
            + _lines("TARGETS", to) + "\n"
            + f"LONGER_TARGETS = {longer!r}\n\n"
            + "# every key of TSPhrases, joined by |\n"
            + _lines("PHRASE_KEYS", "|".join(phrase_keys(phrases))))


if __name__ == "__main__":
    import sys
    from pathlib import Path

    target = Path(__file__).with_name("traditional.py")
    target.write_text(generate(Path(sys.argv[1]).read_text(encoding="utf-8")), encoding="utf-8")
    print(target)

"""Text → clean text, before parsing.

``normalise(text)`` is a pure function. What it guarantees about its result:

1. HTML entities are decoded (``&ldquo;`` → “, ``&amp;amp;`` → &), repeatedly until none is left.
2. Leaked pinyin glosses are removed: a parenthesis right after a Chinese character that holds
   one lower-case pinyin syllable ("部門(mén)" → "部門", "獲得(de)感" → "獲得感"). Parentheses
   holding anything else ("(2022-2025年)", "(一)", "(PPP)") are kept.
3. Traditional characters are converted to simplified with OpenCC ``t2s``.
4. Punctuation is folded to the full-width forms Chinese documents use: ``( ) : ; ?  !`` become
   ``（ ） ： ； ？ ！``, and ``,`` becomes ``，`` next to a Chinese character (so "1,000" stays);
   full-width digits, Latin letters and the ideographic space become ASCII.
5. Control characters are removed and lone surrogates become U+FFFD.
6. Whitespace is tidied: tabs, NBSP and other spaces become one ASCII space; zero-width
   characters, the BOM and every other invisible character (format characters, Unicode
   category Cf, such as bidi controls and tags; fillers; variation selectors:
   ``textsafe.strip_invisible``) are removed; every line is stripped; blank lines are dropped; the
   text ends with exactly one newline (an empty text stays empty).
7. Idempotent: ``normalise(normalise(t).text).text == normalise(t).text``.

``Normalised.lines[i]`` is the 1-based line number, in the user's original text, of line ``i + 1``
of the normalised text, so that every message points into the file the user has open.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .safe import strip_invisible
from .patterns import lazy
from .script import to_simplified

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Tone-marked vowels of Hanyu Pinyin (and ü): one of them makes a syllable unmistakable.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE = rf"[a-zü{_TONED}]{{1,6}}"
# Neutral-tone syllables that carry no mark but leak just the same ("獲得(de)感").
_NEUTRAL = {"de", "le", "me", "men", "ne", "ma", "ba", "zi", "zhe", "ge", "li", "shang", "xia",
            "tou", "mo", "a", "ya", "wa", "la", "er", "jia", "zhao", "yi"}
# One gloss: a pinyin syllable in parentheses, either with a tone mark somewhere in it or one of
# the unmarked neutral syllables.
_PINYIN = (rf"(?:(?=[a-zü{_TONED}]{{1,6}}[)）])[a-zü]*[{_TONED}][a-zü{_TONED}]*"
           rf"|(?:{'|'.join(sorted(_NEUTRAL, key=lambda s: (-len(s), s)))})(?=[)）]))")
# (ordered in full: a pattern must be the same text in every run to be kept compiled)
# The glosses right after a Chinese character: "部(mén)", "分(fēn)(fēn)". The run stops at the
# first parenthesis that is not pinyin ("部(mén)(abc)" keeps "(abc)", which is then not next to
# a character: what one pass leaves, a second pass leaves too). The pattern starts at the
# parenthesis (a fast scan) and looks back one character from there.
_GLOSSES = lazy(rf"[(（](?<=[{_CJK}][(（]){_PINYIN}[)）](?:[(（]{_PINYIN}[)）])*")

_WIDTH_PAIRS = {
    "(": "（", ")": "）", ":": "：", ";": "；", "?": "？", "!": "！",
    "\u3000": " ", "\t": " ", "\xa0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\r": "",
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
    **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
    "．": ".",  # full-width full stop only appears as a number separator (１．) in plans
    "﹒": ".",  # the small full stop (U+FE52): 1﹒ numbers items in some local plans
}
_CJK_OR_QUOTE = lazy(rf"[{_CJK}“”（）]")
_NEEDS_FOLD = lazy("[" + re.escape("".join(_WIDTH_PAIRS)) + "]")
_SPACES = lazy(r" {2,}")
_CONTROL = lazy(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = lazy(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Normalised:
    """A normalised text and, for each of its lines, the original line number."""

    text: str
    lines: tuple[int, ...]

    def original_line(self, line: int) -> int:
        """Map a 1-based line of the normalised text to the user's line (−1 stays −1)."""
        if line < 1 or not self.lines:
            return line
        return self.lines[min(line, len(self.lines)) - 1]


def _strip_glosses(text: str) -> str:
    return _GLOSSES.sub("", text)


def _fold_width(text: str) -> str:
    # One scan finds which of the characters occur (most texts hold a few of them, and most
    # lines none); only those are replaced, each by a C-speed str.replace. (str.translate
    # would look every character up in Python, and testing every pair with ``in`` scans a long
    # text once per pair.)
    present = set(_NEEDS_FOLD.findall(text))
    for old in present:
        text = text.replace(old, _WIDTH_PAIRS[old])
    return text


def _fold_commas(text: str) -> str:
    """"," next to a Chinese character (or a Chinese bracket or quote) → "，", spaces around it
    dropped; "1,000" and "a, b" stay."""
    parts = text.split(",")
    out = [parts[0]]
    for right in parts[1:]:
        left = out[-1]
        before, after = left.rstrip(" "), right.lstrip(" ")
        if (before and _CJK_OR_QUOTE.match(before[-1]) and before[-1] not in "“（") or (
                after and _CJK_OR_QUOTE.match(after[0]) and after[0] not in "”）"):
            out[-1] = before
            out.append("，" + after)
        else:
            out.append("," + right)
    return "".join(out)


# "&amp;amp;amp;lt;": an ampersand escaped again and again. Each html.unescape pass peels one
# level, so a long chain would take a pass per level over the whole text; collapse it first.
_AMPERSANDS = lazy(r"&(?:amp;|#0*38;|#[xX]0*26;)+")


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    import html  # its table of entities is only needed for a text that has one

    text = _AMPERSANDS.sub("&", text)
    while "&" in text:  # "&amp;ldquo;" decodes in two steps; stop at a fixed point
        new = html.unescape(text)
        if new == text:
            break
        text = new
    return text


def _clean(text: str) -> str:
    """Rules 2, 4 and 5 (but line stripping) on a text of any number of lines.

    Each step runs over the whole text in one regular-expression call (C speed) and never
    touches a newline, so lines keep their numbers; the checks in front of them skip the work
    on the text that needs none, which is most text after the first pass.
    """
    text = _fold_width(text)
    text = _CONTROL.sub("", text)
    text = strip_invisible(text)  # 财\u2063政部 must be 财政部, not a look-alike department
    if "（" in text:
        text = _strip_glosses(text)
    if "," in text:
        text = _fold_commas(text)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text


def normalise_line(line: str) -> str:
    """Normalise one line (no newline in it) except for the script conversion."""
    return _clean(_unescape(line)).strip()


def has_entity_or_surrogate(text: str) -> bool:
    """Whether ``normalise`` would decode or replace anything in ``text`` line by line before
    cleaning it (what ``clean_lines`` results cannot stand for)."""
    return "&" in text or bool(_SURROGATE.search(text))


def clean_lines(lines: list[str]) -> list[str]:
    """``normalise_line`` of each of ``lines`` (none holding a newline), in one pass over their
    text: ``_clean`` never moves a newline, so only the lines with an entity need their own."""
    if not lines:
        return []
    cleaned = [line.strip() for line in _clean("\n".join(lines)).split("\n")]
    for i, line in enumerate(lines):
        if "&" in line:
            cleaned[i] = normalise_line(line)
    return cleaned


def _entity_lines(text: str) -> tuple[list[str], list[int]]:
    """Lines of ``text`` with entities decoded, and each one's line in ``text``.

    Entities are decoded line by line: one that encodes a line break (&#10;) splits its line,
    and both parts keep the number of the line the user sees.
    """
    if "&" not in text:
        pieces = text.split("\n")
        return pieces, list(range(1, len(pieces) + 1))
    pieces = []
    numbers: list[int] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if "&" in raw:
            raw = _unescape(raw).replace("\r\n", "\n").replace("\r", "\n")
            raw = _SURROGATE.sub("\ufffd", raw)
            for piece in raw.split("\n"):
                pieces.append(piece)
                numbers.append(number)
        else:
            pieces.append(raw)
            numbers.append(number)
    return pieces, numbers


def normalise(text: str, *, cleaned: Sequence[str] | None = None) -> Normalised:
    """Clean ``text`` as the module docstring promises and keep the line map.

    ``cleaned``, when given, is ``normalise_line`` of each line of ``text`` (``reflow`` has it
    for a text it left as it was, with no entity or lone surrogate in it): only the script
    conversion is left to do. That cleans before converting, where the full path converts and
    then cleans; the two agree on every seed, corpus document and generated text (tests), and
    where they could differ — a phrase that a pinyin gloss splits — cleaning first lets OpenCC
    see the whole phrase.
    """
    if cleaned is not None:
        converted = to_simplified("\n".join(cleaned)).split("\n")
        kept = [(number, line) for number, line in enumerate(converted, start=1) if line]
        if not kept:
            return Normalised("", ())
        return Normalised("\n".join(line for _, line in kept) + "\n",
                          tuple(number for number, _ in kept))
    text = _SURROGATE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    pieces, numbers = _entity_lines(text)
    # One OpenCC call for the whole text: it keeps newlines and is much faster than per line.
    text = _clean(to_simplified("\n".join(pieces)))
    out: list[str] = []
    lines: list[int] = []
    for number, raw in zip(numbers, text.split("\n")):
        line = raw.strip()
        if line:
            out.append(line)
            lines.append(number)
    if not out:
        return Normalised("", ())
    return Normalised("\n".join(out) + "\n", tuple(lines))

"""Regular expressions compiled once per user and Python, not once per run.

Python compiles a pattern in pure Python (``re._parser`` and ``re._compiler``), and a character
class over Han ranges costs a loop over every code point in it: the patterns of a first parse
(the text's own, ~30; the plan lexer's alternation of all its terminals; the trailer's and the
deadlines' scanners) took 45-90 ms of every ``parse`` and ``build``, and of every batch's worker
server. What the compiler makes of a pattern is data: a list of integers (the ``_sre`` engine's
code), the final flags and the group names. :func:`compile` keeps that data as JSON in the
user's cache folder and hands it back to ``_sre.compile`` (which checks the code before it
accepts it) the next time, skipping the compiler.

The file lives where the departments and the parse tables are cached
(``matrix.safety.cache``: the user's own folder, mode 0700) and is trusted only when
it is the user's, writable by nobody else, not too large, and made by the same Python (version
and ``_sre`` magic number: the code is the compiler's of one version). JSON builds data, never
objects; anything unexpected in it (or a Python whose private ``_sre.compile`` or compiler
differs) means the pattern is compiled the ordinary way. New patterns are written at exit
(:func:`save`; a batch's worker server calls it after warming up), merged with what the file had.

Use it where ``re.compile`` of a fixed pattern stood (``text.patterns.lazy`` does, and the Lark
lexers through :data:`RE`); never for a pattern built from the user's input.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

__all__ = ["RE", "compile", "save"]

_FORMAT = 3  # a head line (the keys), then one line of JSON per entry
_MAX_BYTES = 16 * 2**20
_MAX_PATTERNS = 2000

# key → [flags, code (packed), groups, groupindex, indexgroup]: _sre.compile's arguments
# (or the bytes of that list's JSON line, until asked for)
_loaded: dict[str, Any] | None = None
_added: dict[str, list] = {}
_made: dict[str, re.Pattern] = {}  # this process's, as re's own cache
_at_exit = False


def _runtime() -> str:
    import _sre

    return f"{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}|{sys.maxunicode}|{sys.byteorder}"


# The code is kept as the base64 of its machine words (a Han class is thousands of them: as
# JSON numbers the file was 380 KB and its reading ~10 ms).
_WORD = "I" if __import__("array").array("I").itemsize == 4 else "L"


def _pack(code: list[int]) -> str:
    import binascii
    from array import array

    return binascii.b2a_base64(array(_WORD, code).tobytes(), newline=False).decode("ascii")


def _unpack(text: str) -> list[int]:
    import binascii
    from array import array

    words = array(_WORD)
    words.frombytes(binascii.a2b_base64(text))
    return words.tolist()


def _path(create: bool = False):
    from ..safety.cache import cache_folder
    from ..safety.digest import sha256_hex

    folder = cache_folder("regex", create)
    if folder is None:
        return None
    digest = sha256_hex(_runtime().encode())[:32]
    return folder / f"patterns-{digest}.json"


def _load() -> dict[str, Any]:
    global _loaded
    if _loaded is None:
        _loaded = _read()
    return _loaded


def _read() -> dict[str, Any]:
    """The patterns the file keeps now (none when it cannot be trusted), each as the bytes of
    its entry's JSON line: an entry is decoded when its pattern is asked for (:func:`_entry`),
    so a start pays for the patterns it uses, not for all the file keeps."""
    path = _path()
    if path is None:
        return {}
    from ..safety.cache import read_private

    raw = read_private(path, _MAX_BYTES)
    if raw is None:
        return {}
    head, _, body = raw.partition(b"\n")
    try:
        data = json.loads(head)
    except ValueError:
        return {}
    if (type(data) is not dict or data.get("format") != _FORMAT
            or data.get("runtime") != _runtime() or type(data.get("keys")) is not list):
        return {}
    keys, lines = data["keys"], body.split(b"\n")
    if len(lines) != len(keys) or not all(type(k) is str for k in keys):
        return {}
    return dict(zip(keys, lines))


def _entry(kept: Any) -> Any:
    """A kept entry decoded from its JSON line (or as it is, when decoded already)."""
    if type(kept) is not bytes:
        return kept
    try:
        return json.loads(kept)
    except ValueError:
        return None


def _from_entry(pattern: str, entry: Any) -> re.Pattern | None:
    """The compiled pattern from a kept entry, or None when the entry is not one."""
    import _sre

    if type(entry) is not list or len(entry) != 5:
        return None
    flags, code, groups, groupindex, indexgroup = entry
    if (type(flags) is not int or type(groups) is not int or type(code) is not str
            or type(groupindex) is not dict or type(indexgroup) is not list
            or not all(type(k) is str and type(v) is int for k, v in groupindex.items())
            or not all(g is None or type(g) is str for g in indexgroup)):
        return None
    try:
        return _sre.compile(pattern, flags, _unpack(code), groups, groupindex, tuple(indexgroup))
    except Exception:  # noqa: BLE001 — refused code, another signature: compile it anew
        return None


def _compiled(pattern: str, flags: int) -> tuple[re.Pattern, list | None]:
    """``re.compile(pattern, flags)`` and what :func:`_from_entry` needs to make it again
    (None where this Python's compiler is not the one this module knows)."""
    try:
        import _sre
        from re import _compiler, _parser

        p = _parser.parse(pattern, flags)
        code = _compiler._code(p, flags)
        groupindex = dict(p.state.groupdict)
        indexgroup = [None] * p.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        made = _sre.compile(pattern, flags | p.state.flags, code, p.state.groups - 1, groupindex,
                            tuple(indexgroup))
        entry = [flags | p.state.flags, _pack(code), p.state.groups - 1, groupindex, indexgroup]
    except re.error:
        raise
    except Exception:  # noqa: BLE001 — another Python's internals: the ordinary way
        return re.compile(pattern, flags), None
    return made, entry


def compile(pattern: str | bytes, flags: int | re.RegexFlag = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, from the kept compiled form when there is one."""
    flags = int(flags)
    if not isinstance(pattern, str) or flags & re.DEBUG:
        return re.compile(pattern, flags)
    key = f"{flags}:{pattern}"
    made = _made.get(key)
    if made is not None:
        return made
    entry = _entry(_load().get(key))
    if entry is not None:
        made = _from_entry(pattern, entry)
    if made is None:
        made, entry = _compiled(pattern, flags)
        if entry is not None and len(_added) < _MAX_PATTERNS:
            _added[key] = entry
            _save_at_exit()
    if len(_made) < _MAX_PATTERNS:
        _made[key] = made
    return made


def match(pattern: str, string: str, flags: int = 0) -> re.Match | None:
    return compile(pattern, flags).match(string)


class _Re:
    """What Lark's lexers use of the ``re`` module (``LexerConf.re_module``), compiling through
    :func:`compile`."""

    compile = staticmethod(compile)
    match = staticmethod(match)
    error = re.error


RE = _Re()


def _save_at_exit() -> None:
    global _at_exit
    if not _at_exit:
        import atexit

        atexit.register(save)
        _at_exit = True


def save() -> None:
    """Write the patterns compiled in this process that the file did not have (silently not,
    where that is not possible)."""
    global _loaded
    if not _added:
        return
    # what the file has now (another process may have written since this one read it), what
    # this one read, what it compiled
    patterns = {**_read(), **_load(), **_added}
    if len(patterns) > _MAX_PATTERNS:  # patterns of old versions of the program: start afresh
        patterns = dict(_added)
    try:
        path = _path(create=True)
        if path is None:
            return
        keys = list(patterns)
        lines = [entry.decode("utf-8") if type(entry) is bytes
                 else json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
                 for entry in patterns.values()]  # json escapes every newline in a value
        text = "\n".join([json.dumps({"format": _FORMAT, "runtime": _runtime(), "keys": keys},
                                      ensure_ascii=False, separators=(",", ":")), *lines])
        if len(text.encode("utf-8")) > _MAX_BYTES:
            return
        from ..safety.cache import write_private

        write_private(path, text)
    except (OSError, TypeError, ValueError):
        return
    _added.clear()  # a later save writes only what is new by then
    _loaded = patterns

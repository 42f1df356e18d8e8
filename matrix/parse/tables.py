"""The built LALR tables of a grammar, kept between runs as JSON in the user's cache folder.

Building the parse tables of ``plan.lark`` and ``trailer.lark`` is most of what ``parse`` does
at start beyond importing (70 ms on a quiet machine, three times that on a busy one). Lark's own
``cache=True`` keeps them as a pickle in the shared temporary folder, which any local user can
plant (unpickling runs code); dutymatrix does not use it. Here the tables Lark serialises
(``Lark.memo_serialize``: dicts, lists, tuples, strings, numbers) are written as tagged JSON,
read back with ``json`` (which builds data, never objects) and handed to Lark's own loader,
which builds only its own classes (``Rule``, ``TerminalDef`` …) from them. The file lives where
the departments cache does (``matrix.safety.cache``: the user's cache folder, a
folder of mode 0700 owned by the user) and is trusted only when it is the user's, writable by
nobody else, and names the SHA-256 of the grammar, the options and the Lark version it was built
from; anything else, or any failure to load it, means the tables are built again.

A custom lexer class (``LineLexer``) cannot be written as data: the file marks where it was, and
the caller's class (part of the key, by its qualified name) is put back there, never a class
named by the file.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

_FORMAT = 1
_HEAD = {"format", "sha256", "data", "memo"}  # the file's one untagged object
_MAX_BYTES = 8 * 2**20  # the tables of plan.lark are ~200 KB


def _encode(value: Any, lexer: type | None) -> Any:
    """Lark's serialised data as JSON data: every dict and tuple tagged (keys may be ints), the
    custom ``lexer`` class as a mark."""
    if isinstance(value, dict):
        return {"d": [[_encode(k, lexer), _encode(v, lexer)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"t": [_encode(v, lexer) for v in value]}
    if isinstance(value, list):
        return [_encode(v, lexer) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if lexer is not None and value is lexer:
        return {"lexer": 1}
    raise TypeError(f"cannot keep {type(value).__name__} in the table cache")


def _decoder(lexer: type | None):
    """The ``object_hook`` that turns the tagged JSON of :func:`_encode` back into Lark's data
    while ``json`` parses it (every JSON object in the file is a tag: ``d``, ``t`` or the lexer
    mark, but for the file's own head), so that no second walk over the ~10,000 values is
    needed."""
    def hook(value: dict) -> Any:
        if len(value) == 1:
            items = value.get("d")
            if items is not None:
                if type(items) is list:
                    return dict(items)  # a key that is not hashable: TypeError, refused
            else:
                items = value.get("t")
                if type(items) is list:
                    return tuple(items)
                if value.get("lexer") == 1 and lexer is not None:
                    return lexer
        elif value.keys() == _HEAD:
            return value
        raise ValueError("not a table cache")
    return hook


def _custom_lexer(options: dict[str, Any]) -> type | None:
    lexer = options.get("lexer")
    return lexer if isinstance(lexer, type) else None


def _digest(grammar: str, options: dict[str, Any]) -> str:
    import lark

    shown = {k: (f"{v.__module__}.{v.__qualname__}" if isinstance(v, type) else repr(v))
             for k, v in sorted(options.items()) if k != "transformer"}
    text = json.dumps([_FORMAT, lark.__version__, grammar, shown], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _path(digest: str, create: bool = False):
    from ..safety.cache import cache_folder

    folder = cache_folder("grammar", create)
    return None if folder is None else folder / f"tables-{digest[:32]}.json"


def load(grammar: str, options: dict[str, Any]):
    """The Lark parser of ``grammar`` with ``options`` from the cache, or None."""
    from lark import Lark

    from ..safety.cache import read_private

    digest = _digest(grammar, options)
    path = _path(digest)
    if path is None:
        return None
    try:
        data = read_private(path, _MAX_BYTES)  # the user's own file, nobody else's to write
        if data is None:
            return None
        cached = json.loads(data, object_hook=_decoder(_custom_lexer(options)))
        if (type(cached) is not dict or cached.get("format") != _FORMAT
                or cached.get("sha256") != digest):
            return None
        data, memo = cached["data"], cached["memo"]
        if type(data) is not dict or type(memo) is not dict:
            return None
        allowed = {k: v for k, v in options.items() if k == "transformer"}
        return Lark._load_from_dict(data, memo, **allowed)
    except Exception:  # noqa: BLE001 — a cache that cannot be read only costs time
        return None


def save(parser, grammar: str, options: dict[str, Any]) -> None:
    """Keep ``parser``'s tables for the next run (silently not, where that is not possible)."""
    from lark.grammar import Rule
    from lark.lark import _LOAD_ALLOWED_OPTIONS
    from lark.lexer import TerminalDef

    from ..safety.cache import write_private

    digest = _digest(grammar, options)
    try:
        data, memo = parser.memo_serialize([TerminalDef, Rule])
        data["options"] = {k: v for k, v in data["options"].items()
                           if k not in _LOAD_ALLOWED_OPTIONS}
        lexer = _custom_lexer(options)
        text = json.dumps({"format": _FORMAT, "sha256": digest, "data": _encode(data, lexer),
                           "memo": _encode(memo, lexer)}, ensure_ascii=False)
        path = _path(digest, create=True)
        if path is not None:
            write_private(path, text)  # whole or not at all, mode 0600
    except (OSError, TypeError, ValueError):
        pass

"""The departments registry's built tables, kept between runs (issue 27).

Building the registry from the departments files (merging them, checking every entry, cleaning
and indexing ~900 spellings) takes tens of milliseconds, the same at every start. What it
builds is kept as JSON in the user's private cache folder (``matrix.safety.cache``: mode 0700,
read only when the file is the user's and nobody else can write it), named by a fingerprint of
the files' bytes *and of the code that builds from them* (``departments.py``, the invisible
characters of ``text/safe.py``, Python's Unicode version): a changed file, a new version of
dutymatrix or another Python builds the tables again and keeps them under another name.

Whatever the file says is checked here, shape and references (every spelling names an entry,
every successor and parent is one), before the registry uses it; a file that fails is ignored
and the tables are built from the departments files, which is never wrong, only slower.
"""

from __future__ import annotations

from typing import Any

KIND = "departments"  # the cache folder, shared with the parsed TOML files
FORMAT = 1
MAX_BYTES = 16 << 20  # the largest tables file read back (the packaged data makes ~80 KB)


def file_name(key: str) -> str:
    return f"registry-{key[:40]}.json"


def restore(registry, key: str) -> bool:
    """Fill ``registry`` (a ``departments.Registry`` being made) with the tables kept under
    ``key``, when a file can be trusted and has their shape."""
    from ..records import Department

    tables = _load(key)
    if tables is None:
        return False
    registry._index = tables["index"]
    registry._spellings = tables["spellings"]  # lists: aliases() and suggest() only iterate
    registry._parent = tables["parent"]
    registry._local = tables["local"]
    registry._by_name = {
        r[0]: Department(name=r[0], full_name=r[1], category=r[2], successor=r[3],
                         successor_since=r[4], generic=r[5]) for r in tables["by_name"]}
    registry._scoped = {}
    for jurisdiction, table in tables["scoped"].items():
        departments = [Department(name=e[0], full_name=e[1], category=e[2], generic=e[3])
                       for e in table["entries"]]
        registry._scoped[jurisdiction] = {k: departments[n] for k, n in table["index"].items()}
    return True


def keep(registry, key: str) -> None:
    """Keep the tables of ``registry`` (just built from its files) under ``key``; nothing is
    raised (a cache only saves time)."""
    from ..safety.cache import store_json

    scoped = {}
    for jurisdiction, index in registry._scoped.items():
        entries = list({id(d): d for d in index.values()}.values())
        number = {id(d): n for n, d in enumerate(entries)}
        scoped[jurisdiction] = {
            "entries": [[d.name, d.full_name, d.category, d.generic] for d in entries],
            "index": {k: number[id(d)] for k, d in index.items()}}
    store_json(KIND, file_name(key), {
        "format": FORMAT, "key": key,
        "by_name": [[d.name, d.full_name, d.category, d.successor, d.successor_since, d.generic]
                    for d in registry._by_name.values()],
        "index": registry._index, "parent": registry._parent, "local": registry._local,
        "spellings": {name: sorted(s) for name, s in registry._spellings.items()},
        "scoped": scoped})


def _load(key: str) -> dict[str, Any] | None:
    from ..safety.cache import load_json

    data = load_json(KIND, file_name(key), MAX_BYTES)
    try:
        return data if _well_formed(data, key) else None
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def _text(value: Any) -> bool:
    return type(value) is str


def _maybe_text(value: Any) -> bool:
    return value is None or type(value) is str


def _texts(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _well_formed(data: Any, key: str) -> bool:
    """Has ``data`` the shape ``Registry.tables`` gives, and do its names hold together?"""
    if type(data) is not dict or data.get("format") != FORMAT or data.get("key") != key:
        return False
    rows = data["by_name"]
    if type(rows) is not list or not all(
            type(r) is list and len(r) == 6 and _text(r[0]) and all(map(_maybe_text, r[1:5]))
            and type(r[5]) is bool for r in rows):
        return False
    names = {r[0] for r in rows}
    if len(names) != len(rows) or not all(r[3] is None or r[3] in names for r in rows):
        return False
    index, spellings, parent, local = (data["index"], data["spellings"], data["parent"],
                                       data["local"])
    if not (type(index) is dict and all(_text(k) and v in names for k, v in index.items())):
        return False
    if not (type(spellings) is dict and set(spellings) == names
            and all(map(_texts, spellings.values()))):
        return False
    if not (type(parent) is dict and all(k in names and v in names for k, v in parent.items())):
        return False
    if not (type(local) is dict and all(k in names and _texts(v) for k, v in local.items())):
        return False
    return _scoped_well_formed(data["scoped"])


def _scoped_well_formed(scoped: Any) -> bool:
    if type(scoped) is not dict:
        return False
    for jurisdiction, table in scoped.items():
        entries, index = table["entries"], table["index"]
        if not (_text(jurisdiction) and type(entries) is list and type(index) is dict):
            return False
        if not all(type(e) is list and len(e) == 4 and _text(e[0]) and _maybe_text(e[1])
                   and _maybe_text(e[2]) and type(e[3]) is bool for e in entries):
            return False
        if not all(_text(k) and type(n) is int and 0 <= n < len(entries)
                   for k, n in index.items()):
            return False
    return True

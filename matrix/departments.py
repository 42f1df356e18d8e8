"""Canonical department names: data in ``matrix/data/departments.toml`` plus a lookup.

A plan prints the same body in several ways (国家发展改革委, 发展改革委, 国家发改委, 國家發展改革委);
:func:`canonical` maps every spelling in the data to one :class:`~matrix.records.Department`.
A name that is not in the data comes back as ``Department(name=<printed>, known=False)``: it is
never dropped and never guessed.  :meth:`Registry.suggest` offers close names for a warning
message, but nothing uses them silently.

Users extend the data with their own TOML files, named in the environment variable
``DUTYMATRIX_DEPARTMENTS`` (several files separated by :data:`os.pathsep`), in the same format as
the packaged file.  A user entry that repeats an existing ``name`` adds aliases to that entry or
overrides its fields.

Example::

    >>> canonical("国家市场监督管理总局").name
    '市场监管总局'
    >>> canonical("某某办公室").known
    False
"""

from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data import registry_cache
from .errors import MatrixInputError
from .i18n import N_, _
from .records import Department
from .text.patterns import lazy
from .text.safe import strip_invisible
from .safety.digest import sha256_hex
from .text.script import to_simplified

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["ENV_VAR", "Registry", "canonical", "default_registry", "packaged_data"]

ENV_VAR = "DUTYMATRIX_DEPARTMENTS"

_KEYS = {"name", "full_name", "category", "aliases", "successor", "successor_since", "parent",
         "generic", "note", "local", "jurisdiction"}
_STRING_KEYS = _KEYS - {"aliases", "generic", "local"}
_PRC = "中华人民共和国"
# Longest first: "人民银行等有关部门" must lose the whole suffix, not only "等".
_TRAILING = ("等有关部门和单位", "等部门和单位", "等有关部门", "等有关单位", "等部门", "等单位", "等")
_WHITESPACE = re.compile(r"\s+")
_TOML_POSITION = lazy(r"\(at (?:line (\d+), column (\d+)|end of document)\)")
# Trailers repeat the same few dozen names; remembering answers makes a repeat a dict hit.
_MEMO_SIZE = 50_000


def _clean(name: str) -> str:
    """Fold width (NFKC), drop all whitespace and a trailing 等/等部门/等有关部门."""
    # NFKC turns full-width ASCII and the ideographic space into their plain forms; PDF
    # extraction often puts spaces between characters, and no body's name contains one.
    text = _WHITESPACE.sub("", unicodedata.normalize("NFKC", strip_invisible(name)))
    return _strip_trailing(text)


def _strip_trailing(text: str) -> str:
    for suffix in _TRAILING:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _simplified(text: str) -> str:
    # OpenCC t2s, loaded only for a name with a character it may change (matrix.text.script)
    return to_simplified(text)


def _where(label: str, name: str) -> str:
    """Where an error is, in a message: file and department (translated only for an error)."""
    return _("{file}: department {name!r}").format(file=label, name=name)


def _check_table(table: dict[str, Any], label: str, name: str) -> None:
    """The types of one [[department]] table's keys; MatrixInputError naming it otherwise."""
    unknown = set(table) - _KEYS
    if unknown:
        raise MatrixInputError(_("{where}: unknown key {key!r} (allowed: {allowed})")
                               .format(where=_where(label, name), key=sorted(unknown)[0],
                                       allowed=", ".join(sorted(_KEYS))))
    for key in _STRING_KEYS & set(table):
        if not isinstance(table[key], str):
            raise MatrixInputError(_("{where}: {key!r} must be a string").format(
                where=_where(label, name), key=key))
    if "generic" in table and not isinstance(table["generic"], bool):
        raise MatrixInputError(_("{where}: 'generic' must be true or false").format(
            where=_where(label, name)))
    for key in ("aliases", "local"):
        values = table.get(key, [])
        if not isinstance(values, list) or not all(isinstance(a, str) for a in values):
            message = (_("{where}: 'aliases' must be a list of strings") if key == "aliases"
                       else _("{where}: 'local' must be a list of strings"))
            raise MatrixInputError(message.format(where=_where(label, name)))


@dataclass
class _Entry:
    """One [[department]] table while files are being merged."""

    name: str
    source: str  # file that introduced the entry, for error messages
    fields: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    alias_source: dict[str, str] = field(default_factory=dict)  # alias -> file that added it
    field_source: dict[str, str] = field(default_factory=dict)


def packaged_data() -> Traversable:
    """The departments file shipped inside the package: a ``Path`` beside this module when the
    package is a folder (what ``importlib.resources.files`` gives then, without importing it
    and its zip support: ~10 ms of a start), else the resource (a zipped install)."""
    here = Path(__file__).parent / "data" / "departments.toml"
    if here.is_file():
        return here
    from importlib import resources

    return resources.files("matrix") / "data" / "departments.toml"


class Registry:
    """Departments read from one or more TOML files; later files extend or override earlier ones.

    Every file is validated on load: unknown keys, wrong types, a ``successor`` or ``parent``
    that names no entry, a successor cycle, and a spelling claimed by two entries raise
    :class:`~matrix.errors.MatrixInputError` naming the file and the offending name.
    """

    def __init__(self, sources: Iterable[str | os.PathLike[str] | Traversable]) -> None:
        """Load and merge ``sources`` in order (paths or ``importlib.resources`` objects)."""
        read = [(str(source), _read_source(source, str(source))) for source in sources]
        self.sources: tuple[str, ...] = tuple(label for label, _ in read)
        # the name of what these files make, by this code: the key of the built tables' cache
        self.digest: str | None = _built_key([raw for _, raw in read])
        if not (self.digest and registry_cache.restore(self, self.digest)):
            entries: dict[str, _Entry] = {}
            scoped: dict[str, dict[str, _Entry]] = {}
            for label, raw in read:
                self._merge(entries, label, _parse_toml(raw, label), scoped)
            self._build(entries)
            self._build_scoped(scoped)
            if self.digest:
                registry_cache.keep(self, self.digest)
        self._memo: dict[str, Department] = {}

    # ── loading ──────────────────────────────────────────────────────────────────────────

    @staticmethod
    def _merge(entries: dict[str, _Entry], label: str, data: dict[str, Any],
               scoped: dict[str, dict[str, _Entry]] | None = None) -> None:
        extra = set(data) - {"department"}
        if extra:
            raise MatrixInputError(_("{where}: unknown top-level key {key!r} (expected only "
                                     "[[department]] tables)").format(where=label,
                                                                      key=sorted(extra)[0]))
        tables = data.get("department", [])
        if not isinstance(tables, list):
            raise MatrixInputError(_("{where}: 'department' must be an array of tables "
                                     "([[department]])").format(where=label))
        seen_here: set[str] = set()
        for number, table in enumerate(tables, 1):
            where = f"{label}: [[department]] #{number}"
            if not isinstance(table, dict):
                raise MatrixInputError(_("{where}: expected a table").format(where=where))
            name = table.get("name")
            if not isinstance(name, str) or not name.strip():
                raise MatrixInputError(_("{where}: missing 'name'").format(where=where))
            name = name.strip()
            _check_table(table, label, name)
            aliases = table.get("aliases", [])
            jurisdiction = table.get("jurisdiction", "").strip()
            if name in seen_here | ({f"{jurisdiction}/{name}"} if jurisdiction else set()):
                raise MatrixInputError(_("{where}: listed twice in the same file").format(
                    where=_where(label, name)))
            seen_here.add(f"{jurisdiction}/{name}" if jurisdiction else name)
            # A scoped entry (jurisdiction = "广东省") is that government's body: its spellings
            # are looked up only in that government's documents, so it may reuse a national one.
            if jurisdiction and scoped is not None:
                entry = scoped.setdefault(jurisdiction, {}).get(name)
                if entry is None:
                    entry = scoped[jurisdiction][name] = _Entry(name=name, source=label)
                for key, value in table.items():
                    if key not in ("name", "aliases"):
                        entry.fields[key] = value.strip() if isinstance(value, str) else value
                        entry.field_source[key] = label
                for alias in aliases:
                    if alias.strip() and alias.strip() not in entry.alias_source:
                        entry.aliases.append(alias.strip())
                        entry.alias_source[alias.strip()] = label
                continue
            entry = entries.get(name)
            if entry is None:
                entry = entries[name] = _Entry(name=name, source=label)
            for key, value in table.items():
                if key not in ("name", "aliases"):
                    entry.fields[key] = value.strip() if isinstance(value, str) else value
                    entry.field_source[key] = label
            for alias in aliases:
                alias = alias.strip()
                if alias and alias not in entry.alias_source:
                    entry.aliases.append(alias)
                    entry.alias_source[alias] = label

    def _build(self, entries: dict[str, _Entry]) -> None:
        self._index: dict[str, str] = {}  # cleaned spelling -> canonical name
        self._spellings: dict[str, set[str] | list[str]] = {}
        self._parent: dict[str, str] = {}
        for entry in entries.values():
            spellings = [(entry.name, entry.source)]
            full_name = entry.fields.get("full_name")
            if full_name:
                spellings.append((full_name, entry.field_source["full_name"]))
            spellings += [(a, entry.alias_source[a]) for a in entry.aliases]
            for spelling, label in spellings:
                key = _clean(spelling)
                if not key:
                    raise MatrixInputError(_("{file}: department {name!r}: empty name").format(
                        file=label, name=entry.name))
                owner = self._index.setdefault(key, entry.name)
                if owner != entry.name:
                    raise MatrixInputError(_(
                        "{file}: department {name!r}: {spelling!r} already names {owner!r}; "
                        "every spelling must belong to exactly one entry").format(
                            file=label, name=entry.name, spelling=spelling, owner=owner))
            self._spellings[entry.name] = {s for s, _ in spellings}
        for entry in entries.values():
            for key in ("successor", "parent"):
                target = entry.fields.get(key)
                if target is not None and target not in entries:
                    hint = self._index.get(_clean(target))
                    hint = (_(" (use the canonical name {name!r})").format(name=hint)
                            if hint else "")
                    raise MatrixInputError(_(
                        "{file}: department {name!r}: {key} {target!r} names no department")
                        .format(file=entry.field_source[key], name=entry.name, key=key,
                                target=target) + hint)
            if entry.fields.get("parent"):
                self._parent[entry.name] = entry.fields["parent"]
        self._by_name: dict[str, Department] = {
            e.name: Department(  # values checked by the loader above
                name=e.name,
                full_name=e.fields.get("full_name"),
                category=e.fields.get("category"),
                successor=e.fields.get("successor"),
                successor_since=e.fields.get("successor_since"),
                generic=e.fields.get("generic", False),
            )
            for e in entries.values()
        }
        self._local: dict[str, list[str]] = {e.name: e.fields.get("local", []) for e in entries.values()
                                             if e.fields.get("local")}
        for entry in entries.values():
            self._check_cycle(entry)

    def _build_scoped(self, scoped: dict[str, dict[str, _Entry]]) -> None:
        """Index the entries of each jurisdiction on their own (a spelling belongs to one entry
        within a jurisdiction; a national entry may spell it too)."""
        self._scoped: dict[str, dict[str, Department]] = {}
        for jurisdiction, entries in scoped.items():
            index: dict[str, Department] = {}
            owners: dict[str, str] = {}
            for entry in entries.values():
                dept = Department(name=entry.name, full_name=entry.fields.get("full_name"),
                                       category=entry.fields.get("category") or "地方部门",
                                       generic=entry.fields.get("generic", False))
                spellings = [(entry.name, entry.source)]
                if entry.fields.get("full_name"):
                    spellings.append((entry.fields["full_name"], entry.field_source["full_name"]))
                spellings += [(a, entry.alias_source[a]) for a in entry.aliases]
                for spelling, label in spellings:
                    key = _clean(spelling)
                    owner = owners.setdefault(key, entry.name)
                    if owner != entry.name:
                        raise MatrixInputError(_(
                            "{label}: department {name!r} ({jurisdiction}): {spelling!r} "
                            "already names {owner!r} there; every spelling must belong to "
                            "exactly one entry of a jurisdiction").format(
                                label=label, name=entry.name, jurisdiction=jurisdiction,
                                spelling=spelling, owner=owner))
                    index[key] = dept
            self._scoped[jurisdiction] = index

    def lookup_scoped(self, name: str, jurisdiction: str | None) -> Department | None:
        """The body ``name`` spells among the user's entries scoped to ``jurisdiction``."""
        index = self._scoped.get(jurisdiction) if jurisdiction else None
        if not index:
            return None
        cleaned = _clean(name)
        return index.get(cleaned) or index.get(_simplified(cleaned))

    def local_spellings(self, name: str) -> list[str]:
        """Extra spellings local governments give the function of ``name`` (经信 for
        工业和信息化部): the ``local`` key of the data."""
        return list(self._local.get(name, ()))

    def _check_cycle(self, entry: _Entry) -> None:
        seen = [entry.name]
        dept = self._by_name[entry.name]
        while dept.successor is not None:
            if dept.successor in seen:
                raise MatrixInputError(_(
                    "{file}: department {name!r}: successor cycle {cycle}").format(
                        file=entry.field_source["successor"], name=entry.name,
                        cycle=" → ".join(seen + [dept.successor])))
            seen.append(dept.successor)
            dept = self._by_name[dept.successor]

    # ── lookup ───────────────────────────────────────────────────────────────────────────

    def _key(self, name: str) -> str | None:
        """The canonical name ``name`` spells, or None."""
        cleaned = _clean(name)
        found = self._index.get(cleaned)
        if found is None:
            # Only a miss is converted: simplified hits, the common case, never touch opencc.
            simplified = _simplified(cleaned)
            if simplified != cleaned:
                found = self._index.get(simplified)
                cleaned = simplified
        if found is None and cleaned.startswith(_PRC):
            found = self._index.get(cleaned[len(_PRC):])
        return found

    def lookup(self, name: str) -> Department | None:
        """The department ``name`` spells, or None when the data does not know it."""
        key = self._key(name)
        return None if key is None else self._by_name[key]

    def canonical(self, name: str) -> Department:
        """The department ``name`` spells; unknown names come back as printed, ``known=False``.

        The lookup is exact after light cleanup: surrounding and inner whitespace removed,
        full-width characters folded, a trailing 等/等部门/等有关部门 dropped, traditional
        characters converted to simplified.  The unknown name keeps the printed spelling
        (stripped, in simplified script, without the trailing 等…).
        """
        found = self._memo.get(name)
        if found is None:
            key = self._key(name)
            if key is not None:
                found = self._by_name[key]
            else:
                printed = strip_invisible(name).strip()
                found = Department(name=_simplified(_strip_trailing(printed)), known=False)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[name] = found
        return found

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` canonical names close to ``name``, best first, for a warning message.

        Uses rapidfuzz over every spelling in the data (names, full names, aliases).
        """
        from rapidfuzz import fuzz, process

        query = _simplified(_clean(name))
        if not query:
            return []
        choices = {spelling: canon for canon, spellings in self._spellings.items()
                   for spelling in spellings}
        matches = process.extract(query, list(choices), scorer=fuzz.ratio, score_cutoff=60,
                                  limit=max(limit * 8, 20))
        out: list[str] = []
        for spelling, _score, _index in matches:
            canon = choices[spelling]
            if canon not in out:
                out.append(canon)
            if len(out) == limit:
                break
        return out

    def successor_chain(self, name: str) -> list[Department]:
        """The bodies that took over from ``name`` in order, newest last; [] if none or unknown.

        ``successor_chain("银监会")`` is ``[银保监会, 金融监管总局]``.
        """
        dept = self.lookup(name)
        chain: list[Department] = []
        while dept is not None and dept.successor is not None:
            dept = self._by_name[dept.successor]
            chain.append(dept)
        return chain

    def current(self, name: str) -> Department:
        """The body that holds ``name``'s duties today: the end of its successor chain."""
        chain = self.successor_chain(name)
        return chain[-1] if chain else self.canonical(name)

    def parent(self, name: str) -> Department | None:
        """The body that manages ``name`` or carries its plate, if the data records one."""
        key = self._key(name)
        parent = self._parent.get(key) if key is not None else None
        return None if parent is None else self._by_name[parent]

    def names(self) -> list[str]:
        """Every canonical name, in data order."""
        return list(self._by_name)

    def all(self) -> list[Department]:
        """Every department, in data order."""
        return list(self._by_name.values())

    def aliases(self, name: str) -> set[str]:
        """All spellings of the body ``name`` spells: name, full name, aliases; empty if unknown."""
        key = self._key(name)
        return set() if key is None else set(self._spellings[key])

    def __contains__(self, name: object) -> bool:
        """True when ``name`` is a spelling the data knows."""
        return isinstance(name, str) and self._key(name) is not None

    def __len__(self) -> int:
        """Number of canonical entries."""
        return len(self._by_name)


# The cache of parsed TOML files: per user (platformdirs' user cache folder), in a folder of
# mode 0700 owned by the user; a file is trusted only when it is the user's, writable by nobody
# else, names the SHA-256 of the very bytes it was parsed from and has the shape of a parse.
_CACHE_VERSION = 2


def _cache_folder(create: bool = False, kind: str = "departments") -> Path | None:
    """The user's cache folder for parsed departments files (``matrix.safety.cache``)."""
    from .safety.cache import cache_folder

    return cache_folder(kind, create)


def _cache_file(folder: Path, digest: str) -> Path:
    return folder / f"departments-{digest[:32]}.json"


def _well_formed(data: Any, raw: bytes) -> bool:
    """Has ``data`` the shape ``tomllib`` gives the departments file ``raw``?"""
    if not isinstance(data, dict) or set(data) - {"department"}:
        return False
    tables = data.get("department", [])
    # one table per header line (a comment may name the header too: "# Keys of one [[department]]")
    if not isinstance(tables, list) or len(tables) != len(_TABLE_HEADER.findall(raw)):
        return False
    for table in tables:
        if not isinstance(table, dict) or set(table) - _KEYS:
            return False
        for key, value in table.items():
            if key == "generic":
                if not isinstance(value, bool):
                    return False
            elif key in _STRING_KEYS:
                if not isinstance(value, (str, int)):
                    return False
            elif not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                return False
    return True


_TABLE_HEADER = lazy(rb"(?m)^[ \t]*\[\[[ \t]*department[ \t]*\]\]")


def _cache_get(raw: bytes) -> dict[str, Any] | None:
    """The parsed TOML of ``raw`` from an earlier run, if any, and if it can be trusted.

    tomllib is pure Python and takes tens of milliseconds on the packaged data, every run; the
    cache is JSON (C-parsed) keyed by a hash of the file's bytes, so an edited file is re-read.
    A cache file another user could have written, or that does not match ``raw``, is ignored.
    """
    folder = _cache_folder()
    if folder is None:
        return None
    digest = sha256_hex(raw)
    path = _cache_file(folder, digest)
    from .safety.cache import read_private

    data = read_private(path, 4 * len(raw) + 4096)
    if data is None:
        return None
    try:
        cached = json.loads(data)
    except ValueError:
        return None
    if (not isinstance(cached, dict) or cached.get("version") != _CACHE_VERSION
            or cached.get("sha256") != digest or not _well_formed(cached.get("data"), raw)):
        return None
    return cached["data"]


def _cache_put(raw: bytes, data: dict[str, Any]) -> None:
    folder = _cache_folder(create=True)
    if folder is None:
        return
    from .safety.cache import write_private

    digest = sha256_hex(raw)
    try:
        write_private(_cache_file(folder, digest), json.dumps(
            {"version": _CACHE_VERSION, "sha256": digest, "data": data}, ensure_ascii=False))
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written only costs time


def _read_source(source: str | os.PathLike[str] | Traversable, label: str) -> bytes:
    """The bytes of one departments file, every failure a MatrixInputError naming the file."""
    from .safety.limits import MAX_DEPARTMENTS_BYTES, read_traversable

    try:
        return read_traversable(source, MAX_DEPARTMENTS_BYTES, N_("departments file"))
    except MatrixInputError:
        raise MatrixInputError(_("{file}: departments file larger than {limit:,} bytes: refused")
                               .format(file=label, limit=MAX_DEPARTMENTS_BYTES)) from None
    except OSError as e:
        raise MatrixInputError(_("{file}: cannot read departments file: {reason}").format(
            file=label, reason=e.strerror or e)) from e


def _parse_toml(raw: bytes, label: str) -> dict[str, Any]:
    """Parse the TOML bytes of one file, every failure a MatrixInputError naming the file."""
    cached = _cache_get(raw)
    if cached is not None:
        return cached
    import tomllib  # only when the cache cannot answer

    try:
        data = tomllib.loads(raw.decode("utf-8"))
        _cache_put(raw, data)
        return data
    except UnicodeDecodeError as e:
        raise MatrixInputError(_("{file}: departments file is not UTF-8 (byte {offset})")
                               .format(file=label, offset=e.start)) from e
    except tomllib.TOMLDecodeError as e:
        # Python 3.11–3.13 give the position only inside the message: "… (at line 3, column 9)".
        message = str(e)
        where = label
        m = _TOML_POSITION.search(message)
        if m:
            # "end of file" as MatrixParseError words Lark's line -1.
            where += f":{m.group(1)}:{m.group(2)}" if m.group(1) else ":" + _("end of file")
            message = message[: m.start()].rstrip()
        raise MatrixInputError(_("{where}: invalid TOML: {message}").format(
            where=where, message=message)) from e


def _built_key(raws: list[bytes]) -> str | None:
    """The fingerprint of the tables built from files ``raws`` by this code, on this Python
    (``matrix.data.registry_cache``); None when our source cannot be read."""
    from .safety.cache import fingerprint, own_source
    from .text import safe

    code = own_source(__file__, safe.__file__)
    if not code:
        return None
    return fingerprint(b"registry", unicodedata.unidata_version.encode(), code, *raws)


@functools.cache
def default_registry() -> Registry:
    """The packaged data plus the files named in ``$DUTYMATRIX_DEPARTMENTS``, loaded once.

    Call ``default_registry.cache_clear()`` after changing the variable.
    """
    extra = [p for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    return Registry([packaged_data(), *extra])


def canonical(name: str) -> Department:
    """``default_registry().canonical(name)``: the department a printed name spells."""
    return default_registry().canonical(name)

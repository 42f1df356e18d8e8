"""What a plan workbook carries for :func:`~matrix.workbook.readback.read_workbook` beyond its cells,
written and read back here: the hidden records below 矩阵's table (:func:`records_json`, cut into
cells by :func:`chunks`; read back by :func:`parse_records`) and the zip-comment signature of the
分工表 part (:func:`sign`, checked by :func:`is_signed`).

The records are JSON starting with :data:`RECORDS_MAGIC`: the source, the documents and per task
its 序号, fingerprints (:func:`fingerprint`) of its 编号, title and text, and every assignment
with its flags (:data:`FLAG_INHERITED`, :data:`FLAG_LEAD_BY_RULE`, :data:`FLAG_UNKNOWN`).
Read back, each record is validated by pydantic as it is made (:func:`made`: a workbook comes
from outside); malformed records raise ``ValueError``, ``TypeError``, ``KeyError`` …, and
``readback`` then reads the cells alone. (A return form's stamp is another thing:
:class:`matrix.round.records.Stamp`.)
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from ..pivot import Matrix
from ..records import Assignment, Jurisdiction, ParseWarning, Plan, Role, Source, validate
from ..text.safe import strip_bidi
from .cells import MAX_CELL_TEXT, NOT_XML, clean_text

# --------------------------------------------------------------------------- hidden records

RECORDS_MAGIC = '{"dutymatrix":'  # how the first cell of the hidden records starts
RECORDS_VERSION = 1
_CHUNK = 16_000  # characters per cell: within Excel's 32,767 UTF-16 units even for non-BMP text
FLAG_INHERITED, FLAG_LEAD_BY_RULE, FLAG_UNKNOWN = 1, 2, 4  # bits of an assignment's flags
FLAG_GENERIC = 8  # a group (各县、市、区政府), not one body


def fingerprint(text: str) -> str:
    """A short fingerprint of a cell's text (to recognise a task row, not to secure it)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def records_json(plan: Plan, matrix: Matrix, labels: list[str], generated_at: datetime,
                 tool_version: str) -> str:
    """What :func:`read_workbook` needs beyond the cells of 矩阵, as compact JSON.

    ``{"dutymatrix": 1, "tool", "generated_at", "source": {path, sha256, format, encoding},
    "documents": [{title, doc_number, line, label, rules, warnings: [[line, column, kind,
    message, params]]}], "assignments": [[department, as_printed or null, role, flags]], "tasks":
    [[序号, document index, label, title digest, text digest, section, subsection, line,
    deadline, scope, trailer, [assignment index, …]]]}``: one task per row written, keyed by
    its 序号. Each distinct assignment is listed once (a plan of 10,000 tasks holds a few
    thousand); flags are 1 inherited, 2 lead by rule, 4 unknown name, 8 a group (an older reader
    ignores the bit). ``"full": {序号: [title, text]}`` holds (only) what a cell could not hold
    whole (null for what it could). Local plans add ``"counterparts": {assignment index: national
    body}``, ``"leaders": {序号: [person, …]}`` and a document's ``"jurisdiction": {level,
    name}``, each only when there is one (an older reader ignores them).
    """
    documents = [{"title": d.title, "doc_number": d.doc_number, "line": d.line, "label": label,
                  "rules": list(d.rules),
                  "warnings": [[w.line, w.column, w.kind, w.message, dict(w.params)]
                               for w in d.warnings],
                  **({"jurisdiction": {"level": d.jurisdiction.level, "name": d.jurisdiction.name}}
                     if d.jurisdiction is not None else {})}
                 for label, d in zip(labels, plan.documents)]
    # Keyed by the fields, not the record: a pydantic model hashes three times slower.
    table: dict[tuple[Any, ...], int] = {}
    tasks = []
    leaders: dict[str, list[str]] = {}
    for i, row in enumerate(matrix.rows, 1):
        t = row.task
        ids = []
        for a in t.assignments:
            key = (a.department, a.as_printed, a.role, a.inherited, a.lead_by_rule, a.known,
                   a.generic, a.counterpart)
            index = table.get(key)
            if index is None:
                index = table[key] = len(table)
            ids.append(index)
        tasks.append([i, row.document_index, t.label, fingerprint(clean_text(t.title)),
                      fingerprint(clean_text(t.text)), t.section, t.subsection, t.line, t.deadline,
                      t.scope, t.trailer, ids])
        if t.leaders:
            leaders[str(i)] = list(t.leaders)
    assignments = [[department, None if printed == department else printed, role.value,
                    (FLAG_INHERITED if inherited else 0)
                    | (FLAG_LEAD_BY_RULE if lead_by_rule else 0)
                    | (0 if known else FLAG_UNKNOWN)
                    | (FLAG_GENERIC if generic else 0)]
                   for department, printed, role, inherited, lead_by_rule, known, generic,
                   _counterpart in table]
    counterparts = {str(i): key[7] for i, key in enumerate(table) if key[7]}
    source = plan.source
    data = {"dutymatrix": RECORDS_VERSION, "tool": tool_version,
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "source": {"path": source.path, "sha256": source.sha256, "format": source.format,
                       "encoding": source.encoding},
            "documents": documents, "assignments": assignments, "tasks": tasks}
    # A title or text over Excel's cell limit is cut in the cells; the records keep it whole
    # ({序号: [title or null, text or null]}), so that reading the workbook gives the plan back.
    full = {str(i): [t.title if len(t.title) > MAX_CELL_TEXT else None,
                     t.text if len(t.text) > MAX_CELL_TEXT else None]
            for i, t in enumerate((row.task for row in matrix.rows), 1)
            if len(t.title) > MAX_CELL_TEXT or len(t.text) > MAX_CELL_TEXT}
    if full:
        data["full"] = full
    if counterparts:
        data["counterparts"] = counterparts
    if leaders:
        data["leaders"] = leaders
    # JSON escapes control characters itself; what is left that XML cannot carry goes.
    return strip_bidi(NOT_XML.sub("", json.dumps(data, ensure_ascii=False, separators=(",", ":"))))


def chunks(text: str) -> list[str]:
    return [text[i:i + _CHUNK] for i in range(0, len(text), _CHUNK)]


_LIST_PART = "xl/worksheets/sheet2.xml"  # 分工表: openpyxl numbers the sheets in order
_SIGNATURE = re.compile(r"dutymatrix (\d+) (\S+) ([0-9a-f]{8})")


def sign(path: Path | IO[bytes]) -> None:
    """Put the CRC-32 of the 分工表 part in the zip comment of a workbook just saved (a path,
    or a seekable stream holding it).

    A spreadsheet program (or openpyxl) that saves the file again writes a new zip without
    this comment; one that kept it would change the CRC with any edit. So while the signature
    holds, 分工表 is exactly as written and :func:`read_workbook` need not parse it (its
    deadlines are in the hidden records too): half the reading time of a large plan.
    """
    with zipfile.ZipFile(path, "a") as zf:
        comment = signature({info.filename: info.CRC for info in zf.infolist()})
        if comment is not None:
            zf.comment = comment


def signature(crcs: dict[str, int]) -> bytes | None:
    """The zip comment :func:`sign` writes, given each part's CRC-32 (``xlsx`` puts it in
    the package as it writes it); None without a 分工表 part."""
    crc = crcs.get(_LIST_PART)
    if crc is None:
        return None
    return f"dutymatrix {RECORDS_VERSION} {_LIST_PART} {crc:08x}".encode()


def is_signed(comment: bytes, infos: list[zipfile.ZipInfo]) -> bool:
    """True when the zip comment written by :func:`sign` still matches its part."""
    m = _SIGNATURE.fullmatch(comment.decode("ascii", "replace"))
    if m is None:
        return False
    crcs = [i.CRC for i in infos if i.filename == m.group(2)]
    return len(crcs) == 1 and f"{crcs[0]:08x}" == m.group(3)


# --------------------------------------------------------------------------- read back


class TaskRecord(NamedTuple):
    seq: int
    document: int
    label: str
    title: str  # digest of the 任务 cell as written
    text: str  # digest of the 任务全文 cell as written
    section: str | None
    subsection: str | None
    line: int
    deadline: str | None
    scope: str | None
    trailer: str | None
    assignments: tuple[Assignment, ...]
    full_title: str | None = None  # the whole title when the cell holds it cut
    full_text: str | None = None  # the whole text when the cell holds it cut
    leaders: tuple[str, ...] = ()


# The records read back are named tuples, not dataclasses: a dataclass costs ~1.5 ms to create,
# paid at every import of this module, by every ``build`` (which reads nothing back).
class DocumentRecord(NamedTuple):
    title: str | None
    doc_number: str | None
    line: int
    label: str
    rules: tuple[str, ...]
    warnings: list[ParseWarning]
    jurisdiction: Any = None  # records.Jurisdiction


class HiddenRecords(NamedTuple):
    origin: Source | None
    generated_at: str | None
    tool: str | None
    documents: list[DocumentRecord]
    tasks: list[TaskRecord]


def opt_str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"not a string: {value!r}")


def recorded_leaders(value: Any) -> tuple[str, ...]:
    """A task's recorded leaders (people), or none."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"bad leaders {value!r}")
    return tuple(str(p) for p in value)


def made(cls: type, **data: Any) -> Any:
    """A record read back: validated by pydantic, since a workbook comes from outside (a
    ``ValidationError`` is a ``ValueError``)."""
    return validate(cls, data)


def parse_records(text: str) -> HiddenRecords:
    """The hidden records; raises ValueError, TypeError, KeyError … when they are malformed."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("dutymatrix") != RECORDS_VERSION:
        raise ValueError("unknown records version")
    source = data.get("source")
    origin = made(Source, **source) if isinstance(source, dict) else None
    documents = []
    for d in data["documents"]:
        warnings = [made(ParseWarning, line=w[0], column=w[1], kind=w[2], message=w[3],
                                        params=w[4] if len(w) > 4 else ())
                    for w in d.get("warnings", ())]
        where = d.get("jurisdiction")
        documents.append(DocumentRecord(
            opt_str(d.get("title")), opt_str(d.get("doc_number")), int(d.get("line", 1)),
            str(d.get("label", "")), tuple(str(r) for r in d.get("rules", ())), warnings,
            made(Jurisdiction, **where) if isinstance(where, dict) else None))
    roles = {r.value: r for r in Role}
    counterparts = data.get("counterparts") if isinstance(data.get("counterparts"), dict) else {}
    leaders = data.get("leaders") if isinstance(data.get("leaders"), dict) else {}
    table = [made(Assignment, department=department,
                        as_printed=department if printed is None else printed, role=roles[role],
                        inherited=bool(flags & FLAG_INHERITED),
                        lead_by_rule=bool(flags & FLAG_LEAD_BY_RULE),
                        known=not flags & FLAG_UNKNOWN, generic=bool(flags & FLAG_GENERIC),
                        counterpart=opt_str(counterparts.get(str(i))))
             for i, (department, printed, role, flags) in enumerate(data["assignments"])]
    pick = table.__getitem__
    full = data.get("full") if isinstance(data.get("full"), dict) else {}
    tasks = []
    for (seq, document, label, title, digest, section, subsection, line, deadline, scope,
         trailer, ids) in data["tasks"]:
        if type(seq) is not int or type(document) is not int or type(line) is not int:
            raise ValueError(f"bad task record {seq!r}")
        whole = full.get(str(seq))
        whole = whole if isinstance(whole, list) and len(whole) == 2 else [None, None]
        tasks.append(TaskRecord(seq, document, str(label), str(title), str(digest),
                                 opt_str(section), opt_str(subsection), line,
                                 opt_str(deadline), opt_str(scope), opt_str(trailer),
                                 tuple(map(pick, ids)), opt_str(whole[0]), opt_str(whole[1]),
                                 recorded_leaders(leaders.get(str(seq)))))
    return HiddenRecords(origin, opt_str(data.get("generated_at")), opt_str(data.get("tool")),
                    documents, tasks)

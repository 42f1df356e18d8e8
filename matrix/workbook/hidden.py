"""The hidden records below 矩阵's table (written by ``stamp.records_json``), read back:
``parse_records(text)`` gives each document's record (title, rules, warnings, jurisdiction) and
each task's (labels, fingerprints of its cells, assignments with their flags, leaders), every
record validated by pydantic as it is made (``made``: a workbook comes from outside). Raises
``ValueError``, ``TypeError``, ``KeyError`` … when they are malformed: ``readback`` then reads
the cells alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..records import Assignment, Jurisdiction, ParseWarning, Role, Source, validate
from .stamp import FLAG_GENERIC, FLAG_INHERITED, FLAG_LEAD_BY_RULE, FLAG_UNKNOWN, RECORDS_VERSION


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


@dataclass
class DocumentRecord:
    title: str | None
    doc_number: str | None
    line: int
    label: str
    rules: tuple[str, ...]
    warnings: list[ParseWarning]
    jurisdiction: Any = None  # records.Jurisdiction


@dataclass(frozen=True)
class HiddenRecords:
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

"""The records: plan → documents → tasks → assignments, as plain frozen dataclasses.

Each record is declared once, here: frozen, with slots, compared and hashed by value, built by
keyword. The parser builds them from values it has typed itself, so nothing validates them on
the way out of a plan; pydantic validates only what comes from outside, at the edges, through a
``TypeAdapter`` built on these same classes (imported only then, so that ``dutymatrix parse``
never pays for it):

* ``Plan.from_json(data)``: records back from ``dutymatrix parse --format json``;
* :func:`validate`: a record read back from a workbook, checked field by field;
* :func:`validated`: a whole plan from elsewhere, checked the same way;
* :func:`json_schema`: the JSON schema of a ``Plan``.

The JSON written by ``dutymatrix parse --format json`` is ``Plan.to_json()``: its keys are a
contract other tools read, so add keys freely but never rename or drop one.
"""

from __future__ import annotations

import dataclasses
import functools
from enum import Enum
from typing import Any

record = dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
_FORBID = {"extra": "forbid"}  # pydantic's config at the edges: no unknown field


class Role(str, Enum):
    """What a department does for a task, strongest first."""

    lead = "lead"  # 牵头, the X of "X会同Y", first-listed under a positional rule
    responsible = "responsible"  # 负责, 按职责分工负责, 负责落实, 负责部门：
    support = "support"  # 参与, 配合, the Y of "X会同Y"
    guide = "guide"  # 指导

    @property
    def label(self) -> str:
        """The Chinese word an office uses for the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.lead: "牵头",
    Role.responsible: "负责",
    Role.support: "参与",
    Role.guide: "指导",
}

# Order used when one department holds several roles on one task: the strongest wins.
ROLE_RANK = {Role.lead: 0, Role.responsible: 1, Role.guide: 2, Role.support: 3}


_PLAIN = frozenset({str, int, float, bool, type(None)})  # given back as they are


def as_json(value: Any) -> Any:
    """A record (or a value inside one) as JSON-ready values: enums by value, nested records as
    dicts, tuples as lists."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, _Json) or (dataclasses.is_dataclass(value)
                                    and not isinstance(value, type)):
        return value.as_json()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [as_json(v) for v in value]
    return value


class _Json:
    """What every record shares: ``as_json`` (field by field, in declaration order)."""

    __slots__ = ()
    __pydantic_config__ = _FORBID

    def as_json(self) -> dict[str, Any]:
        """The record as JSON-ready values: enums by value, nested records as dicts."""
        return {name: as_json(getattr(self, name)) for name in _field_names(type(self))}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@record
class Department(_Json):
    """A body as found in the canonical data, or an unknown one kept as printed."""

    name: str  # canonical short name (the printed name when unknown)
    full_name: str | None = None
    category: str | None = None  # 组成部门, 直属机构, 党中央部门, 群团, 泛指 …
    known: bool = True
    successor: str | None = None  # canonical name of the body that took over its duties
    successor_since: str | None = None  # year or date of the reorganisation
    generic: bool = False  # a group such as 地方各级人民政府 or 有关部门


@record
class Assignment(_Json):
    """One department's role on one task."""

    department: str  # canonical short name
    as_printed: str  # the name as written in the trailer (simplified script)
    role: Role
    inherited: bool = False  # added by a rule such as 以下均需…落实，不再列出
    lead_by_rule: bool = False  # lead only because of 列第一位者为牵头单位，下同
    known: bool = True  # False when the name is not in the canonical data
    counterpart: str | None = None  # a local body's national counterpart (省工业和信息化厅 → 工业和信息化部)
    generic: bool = False  # a group (各县、市、区政府, 市级各有关部门, 有关部门), not one body


@record
class TaskDeadline(_Json):
    """A dated commitment read from a task's text (``matrix.parse.deadline.find_deadlines``)."""

    text: str  # as printed: 2019年6月底前, 到2020年, 每年, 长期坚持
    span: tuple[int, int]  # where in the task's ``text``: text[span[0]:span[1]]
    kind: str  # date, periodic, ongoing, within, unread
    date: str | None = None  # ISO date it is due on, for kind ``date``


@record
class Task(_Json):
    """A stretch of a clause that ends with one responsibility trailer."""

    number: str  # as printed, full-width: （一）, 1., 十二、
    part: int = 1  # 2 for the second trailer of the same clause (printed as （十）#2)
    section: str | None = None  # enclosing top-level heading, number included
    subsection: str | None = None  # enclosing （一） heading when the task is an item under it
    title: str  # the clause's first sentence, without number and 。
    text: str  # the task's own text, without number and trailer
    trailer: str | None = None  # inner text of the trailer parentheses
    line: int  # line of the clause number in the user's file
    assignments: tuple[Assignment, ...] = ()
    deadline: str | None = None
    scope: str | None = None
    page: int | None = None  # page of ``line`` in a paged source (PDF, scan, OFD), else None
    confidence: float | None = None  # OCR confidence of the trailer (a scan), else None
    leaders: tuple[str, ...] = ()  # people named as responsible (牵头负责领导, 分管市领导 …), never departments
    deadlines: tuple[TaskDeadline, ...] = ()  # every commitment of ``text``; ``deadline`` is the one due by

    @property
    def label(self) -> str:
        """Number as an office cites it: （十） or （十）#2."""
        return self.number if self.part == 1 else f"{self.number}#{self.part}"

    def roles(self) -> dict[str, Role]:
        """Canonical department → its strongest role on this task."""
        out: dict[str, Role] = {}
        for a in self.assignments:
            old = out.get(a.department)
            if old is None or ROLE_RANK[a.role] < ROLE_RANK[old]:
                out[a.department] = a.role
        return out


@record
class Clause(_Json):
    """A numbered clause or heading that is not itself a task."""

    number: str
    section: str | None = None
    title: str
    line: int
    page: int | None = None
    contains_tasks: bool = False  # a heading whose sub-clauses hold the tasks
    text: str = ""  # the clause's own text, without number (sub-clauses not included)
    subclauses: int = 0  # numbered units directly under it

    def as_task(self) -> Task:
        """The clause as a task with no assignment: a row an office fills in by hand."""
        return Task(number=self.number, section=self.section, title=self.title,
                               text=self.text, line=self.line, page=self.page)


@record
class ParseWarning(_Json):
    """Something the user should look at; the result is still usable."""

    line: int | None = None
    page: int | None = None
    column: int | None = None
    kind: str = "warning"  # unknown-department, no-trailer, unbalanced-parenthesis …
    message: str  # English, for machines (``matrix.messages`` makes it from kind and params)
    params: tuple[tuple[str, Any], ...] = ()  # what the text is made from: (("name", "省科技厅"),)

    @property
    def message_zh(self) -> str:
        """The warning in Chinese, as a workbook shows it (``matrix.messages``)."""
        from .messages import chinese

        return chinese(self.kind, dict(self.params), self.message)

    def as_json(self) -> dict[str, Any]:
        """The JSON of the contract (line, page, column, kind, message) plus ``message_zh`` and
        ``params`` as an object."""
        return {"line": self.line, "page": self.page, "column": self.column, "kind": self.kind,
                "message": self.message, "message_zh": self.message_zh,
                "params": dict(self.params)}


@record
class Jurisdiction(_Json):
    """Whose plan a document is: the government that issued it."""

    level: str  # central, province, city, county, district
    name: str | None = None  # 广东省, 滁州市, 立山区; None for the central government


@record
class Document(_Json):
    """One plan inside a file (a bulletin may hold several)."""

    title: str | None = None
    doc_number: str | None = None  # 文号, e.g. 国发〔2018〕42号
    jurisdiction: Jurisdiction | None = None  # None: not determined
    line: int = 1
    page: int | None = None
    tasks: tuple[Task, ...] = ()
    unassigned: tuple[Clause, ...] = ()
    rules: tuple[str, ...] = ()
    warnings: tuple[ParseWarning, ...] = ()


def task_rows(document: Document) -> tuple[Task, ...]:
    """The rows a matrix shows for a document: its tasks, or, when it names no department at
    all (the 质量强国建设纲要 in seed 003), its innermost clauses as tasks with no assignment, so
    that an office can fill them in by hand and a diff can still compare them."""
    if document.tasks:
        return document.tasks
    return tuple(c.as_task() for c in document.unassigned if c.subclauses == 0)


@record
class Source(_Json):
    """Where a plan came from."""

    path: str
    sha256: str
    format: str = "text"  # text, html, docx, xlsx
    encoding: str | None = None


@record
class Plan(_Json):
    """Everything read from one input file."""

    source: Source
    documents: tuple[Document, ...] = ()

    @property
    def title(self) -> str | None:
        """The first document's title."""
        return next((d.title for d in self.documents if d.title), None)

    @property
    def tasks(self) -> tuple[Task, ...]:
        """All tasks of all documents, in order."""
        return tuple(t for d in self.documents for t in d.tasks)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        """Records back from ``to_json()`` output, validated by pydantic (computed keys such as
        a task's ``label`` are dropped); a ``pydantic.ValidationError`` says what is wrong."""
        documents = []
        for doc in data.get("documents", []):
            doc = dict(doc)
            doc["tasks"] = [{k: v for k, v in t.items() if k != "label"}
                            for t in doc.get("tasks", [])]
            doc["warnings"] = [{**{k: v for k, v in w.items() if k != "message_zh"},
                                "params": _pairs(w.get("params", ()))}
                               for w in doc.get("warnings", [])]
            documents.append(doc)
        return _adapter().validate_python({**data, "documents": documents})

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of ``dutymatrix parse --format json``."""
        return {
            "source": self.source.as_json(),
            "documents": [
                {
                    "title": d.title,
                    "doc_number": d.doc_number,
                    "jurisdiction": d.jurisdiction.as_json() if d.jurisdiction else None,
                    "line": d.line,
                    "page": d.page,
                    "tasks": [task_json(t) for t in d.tasks],
                    "unassigned": [c.as_json() for c in d.unassigned],
                    "rules": list(d.rules),
                    "warnings": [w.as_json() for w in d.warnings],
                }
                for d in self.documents
            ],
        }


def task_json(t: Task) -> dict[str, Any]:
    """A task as the ``parse`` JSON contract writes it (the record plus its ``label``)."""
    data = t.as_json()
    data["label"] = t.label
    return data


def _pairs(params: Any) -> Any:
    # The JSON writes a warning's parameters as an object; the record holds (name, value) pairs.
    return tuple(params.items()) if isinstance(params, dict) else params


def _adapter():
    return _adapter_of(Plan)  # pydantic only at the edges: parse and build never import it


@functools.cache
def _adapter_of(cls: type):
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


def validate(cls: type, data: dict[str, Any]) -> Any:
    """A record of class ``cls`` from ``data`` (a workbook read back, JSON), validated by pydantic
    field by field: a ``pydantic.ValidationError`` (a ``ValueError``) says what is wrong."""
    if "params" in data:
        data = {**data, "params": _pairs(data["params"])}
    return _adapter_of(cls).validate_python(data)


def validated(plan: Plan) -> Plan:
    """``plan`` checked field by field by pydantic (a plan assembled from a workbook read back):
    the same records, or a ``pydantic.ValidationError``."""
    return Plan.from_json(plan.to_json())


def json_schema() -> dict[str, Any]:
    """The JSON schema of a ``Plan`` record (pydantic's)."""
    return _adapter().json_schema()

"""Typed, frozen records: plan → documents → tasks → assignments.

Every stage after the parser works on these records and returns new ones; nothing mutates them.
The JSON written by ``dutymatrix parse --format json`` is ``Plan.to_json()``: its keys are a
contract other tools read, so add keys freely but never rename or drop one.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    """Base of every record: immutable, hashable, no unknown fields.

    Building a pydantic validator costs milliseconds per class, which a command-line tool pays on
    every run; ``defer_build`` postpones it to the first validated construction. The parser
    builds records it has typed itself with ``make`` (no validation, same frozen record), and
    ``as_json`` serialises without the pydantic serializer. Records from outside (a workbook, a
    user's code) go through the normal, validating constructor.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def make(cls, **data: Any) -> Self:
        """Construct from trusted, already typed values (defaults filled, no validation).

        What ``model_construct`` does, less its alias handling (no record has aliases), at a
        tenth of its cost: the parser makes one record per task and per assignment.
        """
        defaults = _DEFAULTS.get(cls)
        if defaults is None:
            defaults = _DEFAULTS[cls] = {
                name: f.default for name, f in cls.model_fields.items() if not f.is_required()}
            _FIELDS[cls] = frozenset(cls.model_fields)
        if not _FIELDS[cls].issuperset(data):
            raise TypeError(f"{cls.__name__} has no field {sorted(set(data) - _FIELDS[cls])}")
        record = cls.__new__(cls)
        _set(record, "__dict__", {**defaults, **data})
        _set(record, "__pydantic_fields_set__", set(data))
        _set(record, "__pydantic_extra__", None)
        _set(record, "__pydantic_private__", None)
        return record

    def as_json(self) -> dict[str, Any]:
        """The record as JSON-ready values: enums by value, nested records as dicts."""
        return {name: _json_value(getattr(self, name)) for name in type(self).model_fields}


_DEFAULTS: dict[type, dict[str, Any]] = {}
_FIELDS: dict[type, frozenset[str]] = {}
_set = object.__setattr__


def _json_value(value: Any) -> Any:
    if isinstance(value, Frozen):
        return value.as_json()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    return value


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


class Department(Frozen):
    """A body as found in the canonical data, or an unknown one kept as printed."""

    name: str  # canonical short name (the printed name when unknown)
    full_name: str | None = None
    category: str | None = None  # 组成部门, 直属机构, 党中央部门, 群团, 泛指 …
    known: bool = True
    successor: str | None = None  # canonical name of the body that took over its duties
    successor_since: str | None = None  # year or date of the reorganisation
    generic: bool = False  # a group such as 地方各级人民政府 or 有关部门


class Assignment(Frozen):
    """One department's role on one task."""

    department: str  # canonical short name
    as_printed: str  # the name as written in the trailer (simplified script)
    role: Role
    inherited: bool = False  # added by a rule such as 以下均需…落实，不再列出
    lead_by_rule: bool = False  # lead only because of 列第一位者为牵头单位，下同
    known: bool = True  # False when the name is not in the canonical data


class Task(Frozen):
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


class Clause(Frozen):
    """A numbered clause or heading that is not itself a task."""

    number: str
    section: str | None = None
    title: str
    line: int
    contains_tasks: bool = False  # a heading whose sub-clauses hold the tasks
    text: str = ""  # the clause's own text, without number (sub-clauses not included)
    subclauses: int = 0  # numbered units directly under it

    def as_task(self) -> Task:
        """The clause as a task with no assignment: a row an office fills in by hand."""
        return Task.make(number=self.number, section=self.section, title=self.title,
                         text=self.text, line=self.line)


class ParseWarning(Frozen):
    """Something the user should look at; the result is still usable."""

    line: int | None = None
    column: int | None = None
    kind: str = "warning"  # unknown-department, no-trailer, unbalanced-parenthesis …
    message: str


class Document(Frozen):
    """One plan inside a file (a bulletin may hold several)."""

    title: str | None = None
    doc_number: str | None = None  # 文号, e.g. 国发〔2018〕42号
    line: int = 1
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


class Source(Frozen):
    """Where a plan came from."""

    path: str
    sha256: str
    format: str = "text"  # text, html, docx, xlsx
    encoding: str | None = None


class Plan(Frozen):
    """Everything read from one input file."""

    source: Source
    documents: tuple[Document, ...] = Field(default=())

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
        """Records back from ``to_json()`` output (validated; computed keys such as a task's
        ``label`` are dropped)."""
        documents = []
        for doc in data.get("documents", []):
            doc = dict(doc)
            doc["tasks"] = [{k: v for k, v in t.items() if k != "label"}
                            for t in doc.get("tasks", [])]
            documents.append(doc)
        return cls.model_validate({**data, "documents": documents})

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of ``dutymatrix parse --format json``."""
        return {
            "source": self.source.as_json(),
            "documents": [
                {
                    "title": d.title,
                    "doc_number": d.doc_number,
                    "line": d.line,
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

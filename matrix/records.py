"""The records' fields and behaviour, in plain Python: plan → documents → tasks → assignments.

Each record is declared once, here: its fields (annotations and defaults) and its methods.
``matrix.models`` makes the public, validated records from these declarations: ``models.Task``
is a frozen pydantic model that subclasses ``records.Task`` (pydantic reads the fields from it),
so every ``models`` record is also an instance of its ``records`` class.

The classes here are also usable on their own, as lean records: frozen, compared by value,
built with ``make`` from values already typed (no validation) and serialised by ``as_json``.
The command line builds these on its hot path (``dutymatrix parse`` and ``build``), because
importing pydantic and building its model classes costs more than parsing a plan; it gives
identical JSON and workbooks (tests check), and a lean record equals (and hashes like) the
pydantic record with the same fields. Everything that reads records (``pivot``, ``workbook``,
``filter``, ``diff``) takes either kind. Records from outside (a workbook, JSON, a
user's code) go through ``matrix.models``, which validates.

The JSON written by ``dutymatrix parse --format json`` is ``Plan.to_json()``: its keys are a
contract other tools read, so add keys freely but never rename or drop one.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar, NamedTuple

_set = object.__setattr__


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


class Record:
    """Base of every record: fields from the annotations of its class, frozen, compared by value.

    ``matrix.models`` subclasses each record with pydantic; there pydantic's own ``__init__``,
    ``__eq__``, ``__hash__``, ``__repr__`` and ``make`` come first, and what is defined here
    serves the lean records only. ``as_json`` serves both.
    """

    def __init__(self, **data: Any) -> None:
        missing = layout(type(self)).required - data.keys()
        if missing:
            raise TypeError(f"{type(self).__name__} needs {sorted(missing)}")
        _fill(self, layout(type(self)), data)

    @classmethod
    def make(cls, **data: Any) -> Any:
        """Construct from trusted, already typed values (defaults filled, no validation)."""
        record = object.__new__(cls)
        _fill(record, layout(cls), data)
        return record

    def as_json(self) -> dict[str, Any]:
        """The record as JSON-ready values: enums by value, nested records as dicts."""
        return {name: _json_value(getattr(self, name)) for name in layout(type(self)).fields}

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        # A lean record equals the pydantic record of the same kind with the same fields
        # (pydantic's __eq__ gives way to this one for a record that is not a pydantic model).
        if type(other) is type(self):
            return self.__dict__ == other.__dict__
        if not isinstance(other, Record) or _kind(type(other)) is not _kind(type(self)):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in layout(type(self)).fields)

    def __hash__(self) -> int:
        # What pydantic hashes a frozen model by (its field values in order), so that equal
        # records of either kind hash alike.
        return hash(tuple(self.__dict__.values()))

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({body})"


class Layout(NamedTuple):
    """The fields of a record class."""

    fields: tuple[str, ...]  # in declaration order
    names: frozenset[str]
    required: frozenset[str]
    defaults: dict[str, Any]


_LAYOUTS: dict[type, Layout] = {}


def layout(cls: type) -> Layout:
    """The fields of a record class, read from the annotations of the record classes of this
    module in ``cls``'s ancestry: a ``models`` subclass has exactly the fields of its record."""
    known = _LAYOUTS.get(cls)
    if known is not None:
        return known
    names: list[str] = []
    defaults: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        if base.__module__ != __name__ or not issubclass(base, Record):
            continue
        for name, annotation in base.__dict__.get("__annotations__", {}).items():
            if str(annotation).startswith("ClassVar"):
                continue
            if name not in names:
                names.append(name)
            if name in base.__dict__:
                defaults[name] = base.__dict__[name]
    result = _LAYOUTS[cls] = Layout(tuple(names), frozenset(names),
                                    frozenset(n for n in names if n not in defaults), defaults)
    return result


def _kind(cls: type) -> type:
    """The record class of this module that ``cls`` is or extends (models.Task → Task)."""
    for base in cls.__mro__:
        if base.__module__ == __name__ and base is not Record and issubclass(base, Record):
            return base
    return cls


def _fill(record: Record, shape: Layout, data: dict[str, Any]) -> None:
    if not shape.names.issuperset(data):
        raise TypeError(f"{type(record).__name__} has no field {sorted(set(data) - shape.names)}")
    values = {**shape.defaults, **data}
    _set(record, "__dict__", {name: values[name] for name in shape.fields if name in values})


def _json_value(value: Any) -> Any:
    if isinstance(value, Record):
        return value.as_json()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    return value


class Department(Record):
    """A body as found in the canonical data, or an unknown one kept as printed."""

    name: str  # canonical short name (the printed name when unknown)
    full_name: str | None = None
    category: str | None = None  # 组成部门, 直属机构, 党中央部门, 群团, 泛指 …
    known: bool = True
    successor: str | None = None  # canonical name of the body that took over its duties
    successor_since: str | None = None  # year or date of the reorganisation
    generic: bool = False  # a group such as 地方各级人民政府 or 有关部门


class Assignment(Record):
    """One department's role on one task."""

    department: str  # canonical short name
    as_printed: str  # the name as written in the trailer (simplified script)
    role: Role
    inherited: bool = False  # added by a rule such as 以下均需…落实，不再列出
    lead_by_rule: bool = False  # lead only because of 列第一位者为牵头单位，下同
    known: bool = True  # False when the name is not in the canonical data
    counterpart: str | None = None  # a local body's national counterpart (省工业和信息化厅 → 工业和信息化部)
    generic: bool = False  # a group (各县、市、区政府, 市级各有关部门, 有关部门), not one body


class TaskDeadline(Record):
    """A dated commitment read from a task's text (``matrix.parse.deadline.find_deadlines``)."""

    text: str  # as printed: 2019年6月底前, 到2020年, 每年, 长期坚持
    span: tuple[int, int]  # where in the task's ``text``: text[span[0]:span[1]]
    kind: str  # date, periodic, ongoing, within, unread
    date: str | None = None  # ISO date it is due on, for kind ``date``


class Task(Record):
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


class Clause(Record):
    """A numbered clause or heading that is not itself a task."""

    number: str
    section: str | None = None
    title: str
    line: int
    page: int | None = None
    contains_tasks: bool = False  # a heading whose sub-clauses hold the tasks
    text: str = ""  # the clause's own text, without number (sub-clauses not included)
    subclauses: int = 0  # numbered units directly under it

    _task: ClassVar[type] = Task  # the kind of task ``as_task`` makes (models: models.Task)

    def as_task(self) -> Task:
        """The clause as a task with no assignment: a row an office fills in by hand."""
        return self._task.make(number=self.number, section=self.section, title=self.title,
                               text=self.text, line=self.line, page=self.page)


class ParseWarning(Record):
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


class Jurisdiction(Record):
    """Whose plan a document is: the government that issued it."""

    level: str  # central, province, city, county, district
    name: str | None = None  # 广东省, 滁州市, 立山区; None for the central government


class Document(Record):
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


class Source(Record):
    """Where a plan came from."""

    path: str
    sha256: str
    format: str = "text"  # text, html, docx, xlsx
    encoding: str | None = None


class Plan(Record):
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

"""Typed, frozen, validated records: plan → documents → tasks → assignments (pydantic).

Each record's fields and methods are declared once, in ``matrix.records``; the classes here are
frozen pydantic models made from those declarations (``models.Task`` subclasses
``records.Task``, and pydantic reads its fields from there), plus the nested fields, which name
the pydantic record they hold. So every record here is also an instance of its ``records``
class, validates what it is given, and has a JSON schema (``Plan.model_json_schema()``).

Every stage after the parser works on records and returns new ones; nothing mutates them.
The JSON written by ``dutymatrix parse --format json`` is ``Plan.to_json()``: its keys are a
contract other tools read, so add keys freely but never rename or drop one.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, field_validator

from . import records
from .records import ROLE_LABELS, ROLE_RANK, Role, task_json, task_rows

__all__ = ["ROLE_LABELS", "ROLE_RANK", "Assignment", "Clause", "Department", "Document", "Frozen",
           "Jurisdiction", "ParseWarning", "Plan", "Role", "Source", "Task", "TaskDeadline", "task_json",
           "task_rows"]


class Frozen(BaseModel):
    """Base of every record: immutable, hashable, validated, no unknown fields.

    Building a pydantic validator costs milliseconds per class, which a command-line tool pays on
    every run; ``defer_build`` postpones it to the first validated construction. The parser
    builds records it has typed itself with ``make`` (no validation, same frozen record), and
    ``as_json`` (from ``records.Record``) serialises without the pydantic serializer.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def make(cls, **data: Any) -> Self:
        """Construct from trusted, already typed values (defaults filled, no validation).

        What ``model_construct`` does, less its alias handling (no record has aliases), at a
        tenth of its cost: the parser makes one record per task and per assignment.
        """
        shape = records.layout(cls)
        if not shape.names.issuperset(data):
            raise TypeError(f"{cls.__name__} has no field {sorted(set(data) - shape.names)}")
        record = cls.__new__(cls)
        _set(record, "__dict__", {**shape.defaults, **data})
        _set(record, "__pydantic_fields_set__", set(data))
        _set(record, "__pydantic_extra__", None)
        _set(record, "__pydantic_private__", None)
        return record


_set = object.__setattr__


# A nested field is declared again below with its pydantic type; pydantic warns that it shadows
# the record's default, which is the point.
warnings.filterwarnings("ignore", message="Field name .* shadows an attribute in parent",
                        category=UserWarning, module=__name__)


class Department(Frozen, records.Department):
    """A body as found in the canonical data, or an unknown one kept as printed."""


class Assignment(Frozen, records.Assignment):
    """One department's role on one task."""


class TaskDeadline(Frozen, records.TaskDeadline):
    """A dated commitment read from a task's text."""


class Task(Frozen, records.Task):
    """A stretch of a clause that ends with one responsibility trailer."""

    assignments: tuple[Assignment, ...] = ()
    deadlines: tuple[TaskDeadline, ...] = ()


class Clause(Frozen, records.Clause):
    """A numbered clause or heading that is not itself a task."""

    _task: ClassVar[type] = Task


class ParseWarning(Frozen, records.ParseWarning):
    """Something the user should look at; the result is still usable."""

    @field_validator("params", mode="before")
    @classmethod
    def _params_from_json(cls, value: Any) -> Any:
        # The JSON writes the parameters as an object.
        return tuple(value.items()) if isinstance(value, dict) else value


class Jurisdiction(Frozen, records.Jurisdiction):
    """Whose plan a document is: the government that issued it."""


class Document(Frozen, records.Document):
    """One plan inside a file (a bulletin may hold several)."""

    jurisdiction: Jurisdiction | None = None
    tasks: tuple[Task, ...] = ()
    unassigned: tuple[Clause, ...] = ()
    warnings: tuple[ParseWarning, ...] = ()


class Source(Frozen, records.Source):
    """Where a plan came from."""


class Plan(Frozen, records.Plan):
    """Everything read from one input file."""

    source: Source
    documents: tuple[Document, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        """Records back from ``to_json()`` output (validated; computed keys such as a task's
        ``label`` are dropped)."""
        documents = []
        for doc in data.get("documents", []):
            doc = dict(doc)
            doc["tasks"] = [{k: v for k, v in t.items() if k != "label"}
                            for t in doc.get("tasks", [])]
            doc["warnings"] = [{k: v for k, v in w.items() if k != "message_zh"}
                               for w in doc.get("warnings", [])]
            documents.append(doc)
        return cls.model_validate({**data, "documents": documents})


def validated(plan: records.Plan) -> Plan:
    """The pydantic ``Plan`` of a lean one (already a ``models.Plan``: itself)."""
    if isinstance(plan, Plan):
        return plan
    return Plan.from_json(plan.to_json())

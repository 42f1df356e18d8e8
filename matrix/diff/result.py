"""What a diff is: the frozen records :func:`~matrix.diff.diff_plans` returns (:class:`PlanDiff`
of :class:`DiffEntry` and :class:`DeptSummary`, with :class:`TaskRef`, :class:`DeptChanges` …)
and their JSON (:meth:`PlanDiff.to_json`). Everything that reports a diff (``report``, the diff
workbook in :mod:`matrix.workbook.diff`) reads these and compares nothing itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..records import Role, Source
from .text import Segment


KIND_ORDER = ("added", "removed", "split", "merged", "ambiguous", "moved", "text_changed",
              "renumbered", "departments_changed")
PASSES = ("manual", "text", "title", "number", "similar", "contained")


@dataclass(frozen=True, slots=True)
class TaskRef:
    """Where a task stands in its plan: enough to cite it and to find it again."""

    label: str  # （十） or （十）#2
    section: str | None
    subsection: str | None
    title: str
    document: int  # index in Plan.documents
    index: int  # row in plan order: index in Plan.tasks (see ``_flatten`` for plans with none)
    line: int
    departments: tuple[str, ...] = ()  # canonical names holding any role, in trailer order

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"label": self.label, "section": self.section, "subsection": self.subsection,
                "title": self.title, "document": self.document, "index": self.index,
                "line": self.line, "departments": list(self.departments)}


@dataclass(frozen=True, slots=True)
class DeptRole:
    """A department gained or lost, with its role on the task."""

    department: str
    role: Role
    inherited: bool = False  # the role comes from a document-wide rule (以下均需…落实)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"department": self.department, "role": self.role.value,
                "inherited": self.inherited}


@dataclass(frozen=True, slots=True)
class RoleChange:
    """A department that kept the task with another role (财政部 responsible → lead)."""

    department: str
    old: Role
    new: Role

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"department": self.department, "old": self.old.value, "new": self.new.value}


@dataclass(frozen=True, slots=True)
class Succession:
    """A department replaced by the body that took over its duties (银保监会 → 金融监管总局)."""

    old: str
    new: str
    old_role: Role
    new_role: Role

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"old": self.old, "new": self.new, "old_role": self.old_role.value,
                "new_role": self.new_role.value}


@dataclass(frozen=True, slots=True)
class DeptChanges:
    """What changed in the departments of one task (or pair of tasks)."""

    gained: tuple[DeptRole, ...] = ()
    lost: tuple[DeptRole, ...] = ()
    role_changed: tuple[RoleChange, ...] = ()
    succession: tuple[Succession, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.gained or self.lost or self.role_changed or self.succession)

    def names(self) -> set[str]:
        """Every department this change concerns (both sides of a succession)."""
        out = {d.department for d in self.gained} | {d.department for d in self.lost}
        out |= {c.department for c in self.role_changed}
        for s in self.succession:
            out |= {s.old, s.new}
        return out

    def only(self, department: str) -> DeptChanges:
        """The part of this change that concerns one department."""
        return DeptChanges(
            gained=tuple(d for d in self.gained if d.department == department),
            lost=tuple(d for d in self.lost if d.department == department),
            role_changed=tuple(c for c in self.role_changed if c.department == department),
            succession=tuple(s for s in self.succession if department in (s.old, s.new)))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value with the stable keys gained, lost, role_changed, succession."""
        return {"gained": [d.to_json() for d in self.gained],
                "lost": [d.to_json() for d in self.lost],
                "role_changed": [c.to_json() for c in self.role_changed],
                "succession": [s.to_json() for s in self.succession]}


NO_CHANGE = DeptChanges()


@dataclass(frozen=True, slots=True)
class Candidate:
    """One of the pairs an ``ambiguous`` entry could not choose between."""

    old: TaskRef
    new: TaskRef
    score: float

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"old": self.old.to_json(), "new": self.new.to_json(),
                "score": round(self.score, 1)}


@dataclass(frozen=True, slots=True)
class DiffEntry:
    """One change: a task added, removed, rewritten, renumbered, moved, split, merged …

    ``old`` and ``new`` are None for an added and a removed task respectively. For ``split``
    ``old`` is the whole and ``new`` one part (one entry per part); for ``merged`` ``old`` is one
    part and ``new`` the whole. For ``ambiguous``, ``old``/``new`` is the best-scoring pair and
    ``candidates`` lists every pair that scored within the margin of it.
    """

    kinds: tuple[str, ...]
    old: TaskRef | None
    new: TaskRef | None
    matched_by: str | None = None
    text_diff: tuple[Segment, ...] | None = None
    departments: DeptChanges = NO_CHANGE
    candidates: tuple[Candidate, ...] = ()
    score: float | None = None  # similarity of the pair (similar, number, contained passes)

    @property
    def kind(self) -> str:
        """The main kind: the first of ``kinds`` in ``KIND_ORDER``."""
        return self.kinds[0]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value; keys: kind, kinds, old, new, matched_by, score, text_diff,
        departments, candidates."""
        return {
            "kind": self.kind,
            "kinds": list(self.kinds),
            "old": self.old.to_json() if self.old else None,
            "new": self.new.to_json() if self.new else None,
            "matched_by": self.matched_by,
            "score": None if self.score is None else round(self.score, 1),
            "text_diff": None if self.text_diff is None else [list(s) for s in self.text_diff],
            "departments": self.departments.to_json(),
            "candidates": [c.to_json() for c in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class DeptSummary:
    """One department's line of the summary: the table a department head reads first."""

    department: str
    tasks_gained: int = 0  # tasks it now holds and did not (added tasks included)
    tasks_lost: int = 0
    lead_gained: int = 0  # gained as lead, or changed to lead
    lead_lost: int = 0
    role_changed: int = 0
    succession: int = 0  # successions it is either side of

    @property
    def total(self) -> int:
        """Number of changes, the sort key of the summary."""
        return self.tasks_gained + self.tasks_lost + self.role_changed + self.succession

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"department": self.department, "tasks_gained": self.tasks_gained,
                "tasks_lost": self.tasks_lost, "lead_gained": self.lead_gained,
                "lead_lost": self.lead_lost, "role_changed": self.role_changed,
                "succession": self.succession, "total": self.total}


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """The changes from one plan to another.

    ``pairs`` lists every matched pair, changed or not, as (old index, new index, pass), indexes
    into ``Plan.tasks``; ``notes`` says where matching was limited (very large remainders).
    """

    entries: tuple[DiffEntry, ...]
    departments: tuple[DeptSummary, ...]
    old_source: Source | None = None
    new_source: Source | None = None
    pairs: tuple[tuple[int, int, str], ...] = ()
    notes: tuple[str, ...] = ()  # English, for machines
    department: str | None = None  # set by filter_diff
    notes_zh: tuple[str, ...] = ()  # the same notes in Chinese, for the workbook

    def is_empty(self) -> bool:
        """True when nothing changed (diff(1) exit status 0)."""
        return not self.entries

    def counts(self) -> dict[str, int]:
        """Entries per main kind, in ``KIND_ORDER``, kinds with no entry left out; but
        ``departments_changed`` counts every task whose departments changed, whatever else
        changed too (a renumbered task that changed its departments is counted in both)."""
        out = dict.fromkeys(KIND_ORDER, 0)
        for e in self.entries:
            out[e.kind] += 1
        out["departments_changed"] = sum("departments_changed" in e.kinds for e in self.entries)
        return {k: n for k, n in out.items() if n}

    def to_json(self) -> dict[str, Any]:
        """Stable JSON: old_source, new_source, department, counts, tasks, departments, notes."""
        return {
            "old_source": _source_json(self.old_source),
            "new_source": _source_json(self.new_source),
            "department": self.department,
            "counts": self.counts(),
            "tasks": [e.to_json() for e in self.entries],
            "departments": [d.to_json() for d in self.departments],
            "notes": list(self.notes),
            "notes_zh": list(self.notes_zh),
        }


def _source_json(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"path": source.path, "sha256": source.sha256, "format": source.format}

"""The round's own records: what a return form says about itself (:class:`Stamp`), one
department's list (:class:`DepartmentList`), and what ``collect`` makes of the returns
(:class:`Collection` with its :class:`TaskLine`, :class:`Report` … and the
:class:`PreviousRound` a 汇总 records for the next round).

Plain frozen values, no logic beyond their JSON: ``round.forms`` and ``round.collect`` make them,
the workbook writers and readers (``workbook.lists``, ``workbook.returns``, ``workbook.summary``)
write and read them, so that no writer imports the step that drives it.

The stamp, hidden in a return form: the plan's SHA-256, the department, the round, the due date
and the ids of its tasks; ``collect`` reads it back and refuses a return for another plan or
round.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..filter.select import TaskHit
from ..records import Role
from ..parse.deadline import Deadline
from .lights import NEUTRAL, WARN_DAYS

DONE = "已完成"  # the 完成状态 that counts a task as done
STAMP_MAGIC = '{"dutymatrix-return":'  # how the hidden stamp's cell starts
STAMP_VERSION = 1


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a return form says about itself, hidden in the workbook (module docstring)."""

    plan_sha256: str  # the plan's content fingerprint (an older form: the plan file's SHA-256)
    department: str
    task_ids: tuple[str, ...]
    round: str | None = None
    due: str | None = None
    plan_title: str | None = None
    kind: str = "department"  # or "leader"

    def to_text(self) -> str:
        """The stamp as the one-line JSON the hidden cell holds."""
        return json.dumps({"dutymatrix-return": STAMP_VERSION, "plan": self.plan_sha256,
                           "title": self.plan_title, "department": self.department,
                           "kind": self.kind, "round": self.round, "due": self.due,
                           "tasks": list(self.task_ids)},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> Stamp | None:
        """The stamp in ``text``, or ``None`` when it is not one (damaged, edited, other)."""
        if not isinstance(text, str) or not text.startswith(STAMP_MAGIC):
            return None
        try:
            data = json.loads(text)
            ids = tuple(str(i) for i in data["tasks"])
            return cls(plan_sha256=str(data["plan"]), department=str(data["department"]),
                       task_ids=ids, round=_opt(data.get("round")), due=_opt(data.get("due")),
                       plan_title=_opt(data.get("title")),
                       kind=str(data.get("kind") or "department"))
        except (ValueError, KeyError, TypeError, RecursionError):  # 5 KB of "[" (issue 24)
            return None


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class DepartmentList:
    """One department's list: its hits (tasks with its role), their ids, its file name."""

    department: str
    hits: tuple[TaskHit, ...]
    ids: tuple[str, ...]
    file_name: str
    stamp: Stamp | None = None  # set for a return form


@dataclass(frozen=True, slots=True)
class Report:
    """One department's report on one task (empty texts when it sent nothing)."""

    department: str
    role: Role | None
    status: str = ""
    progress: str = ""  # 进展情况
    problems: str = ""  # 存在问题
    next_steps: str = ""  # 下步计划
    file: str = ""  # the return it came from ("" when none)
    row: int | None = None
    change: str = ""  # since the previous round: 推进中→已完成, 首次报送 …
    light: str = NEUTRAL  # green 已完成, yellow 临期, red 逾期 (matrix.round.lights)

    @property
    def late_status(self) -> bool:
        """Whether the department reports the task as not done (no report counts)."""
        return self.status.strip() != DONE


@dataclass(frozen=True, slots=True)
class TaskLine:
    """A task of the plan with every department's report, the lead first."""

    task_id: str
    label: str
    section: str | None
    title: str
    text: str
    deadline: Deadline
    reports: tuple[Report, ...]
    done: bool
    late: bool
    change: tuple[str, ...] = ()  # 新近逾期, 新近完成
    light: str = NEUTRAL  # green 已完成, yellow 临期, red 逾期 (matrix.round.lights)
    overdue_rounds: int = 0  # rounds in a row it has been 逾期, this one included (2+: 连续逾期)


@dataclass(frozen=True, slots=True)
class Added:
    """A row a department added of its own (新增事项): every cell it wrote, by column head."""

    department: str
    file: str
    row: int
    cells: dict[str, str]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Edit:
    """A task text changed in a locked column of a return."""

    department: str
    file: str
    task_id: str
    column: str
    plan_text: str
    return_text: str
    cell: str


@dataclass(frozen=True, slots=True)
class Received:
    """A file handed to ``collect`` and what became of it."""

    path: str
    outcome: str  # 采用 被替代 拒收 无法读取
    department: str | None = None
    round: str | None = None
    saved_at: str | None = None
    application: str | None = None
    matched_by: str | None = None  # 标识 / 任务文字
    reason: str = ""
    header: dict[str, str] = field(default_factory=dict)  # 报送单位 联系人 电话 报送日期
    late: str = ""  # a taken return: 迟报 (报送日期 after the due date) or 未填日期
    days_late: int | None = None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A file given as a return that could not be read, and why (one line)."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class DepartmentCount:
    """报送情况 of one department: its tasks, how many it reported on, done, late."""

    department: str
    tasks: int
    returned: int
    done: int
    late: int
    file: str = ""
    contact: str = ""
    phone: str = ""
    date: str = ""
    due_soon: int = 0  # 临期: not done, due within the round's warn_days
    returned_late: str = ""  # 迟报 or 未填日期 (its return), as Received.late
    days_late: int | None = None


@dataclass(frozen=True, slots=True)
class PreviousRound:
    """What a previous 汇总 recorded: per (task id, department) the status; late and done tasks."""

    plan_sha256: str
    round: str | None
    as_of: str | None
    statuses: dict[tuple[str, str], str]
    late: frozenset[str]
    done: frozenset[str]
    path: str = ""
    overdue_rounds: dict[str, int] = field(default_factory=dict)  # late task id → rounds late


@dataclass(frozen=True)
class Collection:
    """A round collected (module docstring)."""

    plan_title: str | None
    plan_sha256: str
    round: str | None
    as_of: date
    year: int | None
    tasks: tuple[TaskLine, ...]
    departments: tuple[str, ...]  # busiest first
    counts: tuple[DepartmentCount, ...]
    missing: tuple[str, ...]  # 未报送: departments with tasks that sent nothing
    received: tuple[Received, ...]
    added: tuple[Added, ...]
    edits: tuple[Edit, ...]
    other: tuple[tuple[str, str, str, str], ...]  # (department, file, 工作表!单元格, text)
    unread_deadlines: tuple[tuple[str, str, str], ...]  # (task id, 完成时限, reason)
    since: str | None = None  # the previous 汇总, when given
    due: str | None = None  # the round's due date, as the stamps of the returns give it
    warn_days: int = WARN_DAYS

    @property
    def due_soon(self) -> tuple[TaskLine, ...]:
        """The tasks due within ``warn_days`` and not done (临期), in plan order."""
        from .lights import YELLOW

        return tuple(t for t in self.tasks if t.light == YELLOW)

    def light_of(self, task_id: str) -> str:
        """The light of one task (green, yellow, red, neutral): for a page to show."""
        return next((t.light for t in self.tasks if t.task_id == task_id), NEUTRAL)

    @property
    def late(self) -> tuple[TaskLine, ...]:
        """The late tasks, in plan order."""
        return tuple(t for t in self.tasks if t.late)

    def to_json(self) -> dict[str, Any]:
        """The collection as JSON values (``dutymatrix collect --format json``)."""
        def report(r: Report) -> dict[str, Any]:
            return {"department": r.department, "role": r.role.value if r.role else None,
                    "status": r.status, "progress": r.progress, "problems": r.problems,
                    "next_steps": r.next_steps, "file": r.file, "row": r.row,
                    "change": r.change, "light": r.light}

        return {
            "plan": {"title": self.plan_title, "sha256": self.plan_sha256, "year": self.year},
            "round": self.round, "as_of": self.as_of.isoformat(), "since": self.since,
            "due": self.due, "warn_days": self.warn_days,
            "tasks": [{"id": t.task_id, "label": t.label, "section": t.section,
                       "title": t.title, "deadline": t.deadline.text or None,
                       "due": t.deadline.due.isoformat() if t.deadline.due else None,
                       "deadline_kind": t.deadline.kind, "done": t.done, "late": t.late,
                       "change": list(t.change), "light": t.light,
                       "overdue_rounds": t.overdue_rounds,
                       "reports": [report(r) for r in t.reports]}
                      for t in self.tasks],
            "late": [t.task_id for t in self.late],
            "due_soon": [t.task_id for t in self.due_soon],
            "missing": list(self.missing),
            "departments": [{"department": c.department, "tasks": c.tasks,
                             "returned": c.returned, "done": c.done, "late": c.late,
                             "file": c.file, "contact": c.contact, "phone": c.phone,
                             "date": c.date, "due_soon": c.due_soon,
                             "returned_late": c.returned_late, "days_late": c.days_late}
                            for c in self.counts],
            "received": [{"path": r.path, "outcome": r.outcome, "department": r.department,
                          "round": r.round, "saved_at": r.saved_at,
                          "application": r.application, "matched_by": r.matched_by,
                          "reason": r.reason, "header": r.header, "late": r.late,
                          "days_late": r.days_late} for r in self.received],
            "added": [{"department": a.department, "file": a.file, "row": a.row,
                       "cells": a.cells, "note": a.note} for a in self.added],
            "edits": [{"department": e.department, "file": e.file, "task": e.task_id,
                       "column": e.column, "plan": e.plan_text, "return": e.return_text,
                       "cell": e.cell} for e in self.edits],
            "other": [{"department": d, "file": f, "cell": c, "text": t}
                      for d, f, c, t in self.other],
            "unread_deadlines": [{"task": i, "deadline": d, "reason": r}
                                 for i, d, r in self.unread_deadlines],
        }

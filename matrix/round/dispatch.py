"""下发: one list per department from a plan — task lists (``filter --split-by-dept``) or return
forms (``dispatch``), through one mechanism.

:func:`department_lists` is the pure part: the plan split per department
(:func:`matrix.filter.select.split_by_department`), each list with its file name, its tasks' ids and,
for a return form, the :class:`Stamp` hidden in the workbook. ``workbook.write_split`` writes
them and the 索引 workbook (task lists, or with ``returns=True`` return forms);
:func:`dispatch` is ``write_split`` with return forms, plus a form per leader the plan names.

A task's id is ``<document number>-<label>`` (``1-（三）``, ``2-（十）#2``): the same plan gives
the same ids, so a return names its tasks whatever rows were moved. The stamp carries the
plan's content fingerprint (:func:`plan_fingerprint`: its tasks and who holds them, not the
file's bytes, so that a form dispatched from ``plan.txt`` is collected against the ``plan.xlsx``
built from it), the department, the round, the due date and the ids; ``collect`` reads it back
and refuses a return for another plan, a plan whose tasks changed, or another round.

Example::

    plan = parse_file("plan.txt")
    result = dispatch(plan, "output/下发/", round="2026年第四季度", due="2026-12-20")
    print(result.files)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..filter.select import TaskHit, department_index, split_by_department
from ..safety.writes import INDEX_FILE, unique_file_name
from ..records import Plan, Task
from ..i18n import _

__all__ = ["DepartmentList", "DispatchResult", "STAMP_MAGIC", "Stamp", "department_lists",
           "dispatch", "leader_lists", "plan_fingerprint", "task_ids"]

STAMP_MAGIC = '{"dutymatrix-return":'  # how the hidden stamp's cell starts
STAMP_VERSION = 1
LEADER_FOLDER = "分管领导"  # the leaders' forms, beside the departments'


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a return form says about itself, hidden in the workbook (see module docstring)."""

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
class DispatchResult:
    """What :func:`dispatch` wrote: the folder, the files per department, the index, and
    the forms per leader (in :data:`LEADER_FOLDER`; empty when the plan names no leader)."""

    folder: Path
    files: dict[str, Path]
    index: Path
    leaders: dict[str, Path] = field(default_factory=dict)
    failed: tuple[str, ...] = ()  # why a form could not be written, one message each


# The number a heading starts with: 一、 （一） (一) 1. 1、 1．
_HEAD_NUMBER = re.compile(r"\s*([（(][^）)]{1,8}[）)]|[〇零一二三四五六七八九十百千]+、|\d+[.．、])")


def _head_number(heading: str | None) -> str:
    match = _HEAD_NUMBER.match(heading or "")
    return match.group(1) if match else ""


def _document_ids(d: int, tasks: Sequence[Task]) -> list[str]:
    """The ids of one document's tasks, unique within it.

    In a document numbered straight through (every label once, as State Council plans are), a
    task's id is ``<document number>-<label>``: ``1-（三）``, ``1-（十）#2``. In one whose
    numbering restarts under each heading (``（一）1. 2. （二）1. 2.``, common in local plans)
    every label is qualified by the numbers of its headings: ``1-一、（二）1.``. Either way an id
    depends only on the task's place in the outline, never on the other tasks, so it stays the
    same in another version of the plan where the task keeps its place. Should two tasks still
    share every number (a plan numbered twice alike), the later ones get ``~2``, ``~3`` ….
    """
    labels = [task.label for task in tasks]
    if len(set(labels)) < len(labels):
        labels = [_head_number(task.section) + _head_number(task.subsection) + task.label
                  for task in tasks]
    ids, seen = [], {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        ids.append(f"{d}-{label}" + (f"~{seen[label]}" if seen[label] > 1 else ""))
    return ids


def task_ids(plan: Plan) -> dict[int, str]:
    """``id(task)`` → the task's id (:func:`_document_ids`), for every task of ``plan``."""
    return {id(task): key for d, document in enumerate(plan.documents, 1)
            for task, key in zip(document.tasks, _document_ids(d, document.tasks))}


def plan_fingerprint(plan: Plan) -> str:
    """The plan's content as a SHA-256: per task its id, title and text (spaces ignored) and
    its departments with their roles. The same plan read from its text, its .docx or the
    workbook built from it gives the same fingerprint; a task added, removed, reworded or
    given to another department gives another."""
    digest = hashlib.sha256()
    for task_id, (task, _title) in task_index(plan).items():
        roles = sorted((d, r.value) for d, r in task.roles().items())
        digest.update(json.dumps([task_id, re.sub(r"\s+", "", task.title or ""),
                                  re.sub(r"\s+", "", task.text or ""), roles],
                                 ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def task_index(plan: Plan) -> dict[str, tuple[Task, str | None]]:
    """Task id → (task, document title), in plan order."""
    return {key: (task, document.title) for d, document in enumerate(plan.documents, 1)
            for task, key in zip(document.tasks, _document_ids(d, document.tasks))}


def department_lists(plans: Sequence[Plan], *, returns: bool = False, round: str | None = None,
                     due: str | None = None) -> list[DepartmentList]:
    """The plans split per department, busiest first (as :func:`department_index` orders).

    With ``returns``, ``plans`` is one plan and each list carries its :class:`Stamp`.
    """
    if returns and len(plans) != 1:
        raise ValueError(_("return forms are made from one plan"))
    split = split_by_department(plans)
    ids: dict[int, str] = {}
    for plan in plans:
        ids.update(task_ids(plan))
    used = {INDEX_FILE.casefold()}  # a department called 索引 does not replace the index
    out = []
    fingerprint = None
    for row in department_index(split):
        name = row["department"]
        hits = tuple(split[name])
        file_name = unique_file_name(name, ".xlsx", used)
        hit_ids = tuple(ids[id(hit.task)] for hit in hits)
        stamp = None
        if returns:
            plan = plans[0]
            fingerprint = fingerprint or plan_fingerprint(plan)
            stamp = Stamp(plan_sha256=fingerprint, department=name, task_ids=hit_ids,
                          round=round, due=due, plan_title=plan.title)
        out.append(DepartmentList(name, hits, hit_ids, file_name, stamp))
    return out


def leader_lists(plan: Plan, *, round: str | None = None,
                 due: str | None = None) -> list[DepartmentList]:
    """One return form's list per leader the plan names (``Task.leaders``: 牵头负责领导, 分管市领导),
    in order of first appearance; each hit lists every department on the task."""
    ids = task_ids(plan)
    found: dict[str, list[tuple[TaskHit, str]]] = {}
    for document in plan.documents:
        for task in document.tasks:
            for leader in getattr(task, "leaders", ()) or ():
                hit = TaskHit(task, document.title, plan.source.path,
                              others=tuple(task.roles()))
                found.setdefault(leader, []).append((hit, ids[id(task)]))
    out = []
    used: set[str] = set()
    fingerprint = plan_fingerprint(plan) if found else ""
    for leader, pairs in found.items():
        file_name = unique_file_name(leader, ".xlsx", used)
        hits = tuple(h for h, _ in pairs)
        hit_ids = tuple(i for _, i in pairs)
        stamp = Stamp(plan_sha256=fingerprint, department=leader, task_ids=hit_ids,
                      round=round, due=due, plan_title=plan.title, kind="leader")
        out.append(DepartmentList(leader, hits, hit_ids, file_name, stamp))
    return out


def dispatch(plan: Plan, folder: str | os.PathLike[str], *, round: str | None = None,
             due: str | None = None, inputs: Sequence[str | os.PathLike[str]] = (),
             force: bool = False, report: Any = None) -> DispatchResult:
    """下发: a return form per department of ``plan`` and the 索引, into ``folder``.

    Each form lists the department's tasks (role, 完成时限, full text; locked) and the columns it
    fills in (完成状态 from a drop-down, 进展情况, 存在问题, 下步计划), a header for 报送单位,
    联系人, 电话, 报送日期, a 填报说明 sheet and the hidden :class:`Stamp`. ``round`` names the
    round (2026年第四季度), ``due`` the date returns are due (shown on the form). Where the plan
    names leaders (``Task.leaders``), each leader gets a form of the tasks they oversee too, in
    the subfolder 分管领导.

    Written as ``workbook.write_split`` writes (``inputs``, ``force``, ``report``: a form an
    office has edited is not replaced without ``force``; one that cannot be written is
    reported and listed in ``failed``, the others are still written).
    """
    from ..errors import MatrixOutputError
    from ..safety.writes import check_target, make_folder
    from ..workbook.lists import write_split
    from ..workbook.returns import write_return_form

    folder = Path(folder)
    rows, failed = write_split([plan], folder, inputs=inputs, force=force, report=report,
                               returns=True, round=round, due=due)
    leaders: dict[str, Path] = {}
    for item in leader_lists(plan, round=round, due=due):
        target = folder / LEADER_FOLDER / item.file_name
        try:
            make_folder(target.parent)
            check_target(target, [Path(p) for p in inputs], force=force)
            leaders[item.department] = write_return_form(item, target)
        except MatrixOutputError as e:
            failed.append(str(e))
            if report is not None:
                report(str(e))
    files = {row["department"]: folder / row["file"] for row in rows if row["file"]}
    return DispatchResult(folder, files, folder / INDEX_FILE, leaders, tuple(failed))


class _CallableModule(types.ModuleType):
    """This module, callable: ``matrix.round.dispatch(…)`` is ``dispatch(plan, folder, …)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return dispatch(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

"""The pure split behind 下发: a plan → one list per department (or leader), each with its file
name, its tasks' ids and, for a return form, its :class:`~matrix.round.records.Stamp`.

A task's id is ``<document number>-<label>`` (``1-（三）``, ``2-（十）#2``): the same plan gives
the same ids, so a return names its tasks whatever rows were moved. Nothing here
writes: the workbook writers (``matrix.workbook.lists``, ``matrix.workbook.returns``) take these
records, and :func:`matrix.round.dispatch.dispatch` drives them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from ..filter.select import TaskHit, department_index, split_by_department
from ..i18n import _
from ..records import Plan, Task
from ..safety.writes import INDEX_FILE, unique_file_name
from .records import DepartmentList, Stamp


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

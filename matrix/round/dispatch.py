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

import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..records import Plan
from ..safety.writes import INDEX_FILE
from .forms import department_lists, leader_lists, plan_fingerprint, task_ids, task_index  # noqa: F401
from .records import STAMP_MAGIC, DepartmentList, Stamp  # noqa: F401

__all__ = ["DepartmentList", "DispatchResult", "STAMP_MAGIC", "Stamp", "department_lists",
           "dispatch", "leader_lists", "plan_fingerprint", "task_ids"]

LEADER_FOLDER = "分管领导"  # the leaders' forms, beside the departments'


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """What :func:`dispatch` wrote: the folder, the files per department, the index, and
    the forms per leader (in :data:`LEADER_FOLDER`; empty when the plan names no leader)."""

    folder: Path
    files: dict[str, Path]
    index: Path
    leaders: dict[str, Path] = field(default_factory=dict)
    failed: tuple[str, ...] = ()  # why a form could not be written, one message each


def dispatch(plan: Plan, folder: str | os.PathLike[str] | zipfile.ZipFile, *,
             round: str | None = None, due: str | None = None,
             inputs: Sequence[str | os.PathLike[str]] = (), force: bool = False,
             report: Any = None, departments: bool = True,
             leaders: bool = True) -> DispatchResult:
    """下发: a return form per department of ``plan`` and the 索引, into ``folder``.

    Each form lists the department's tasks (role, 完成时限, full text; locked) and the columns it
    fills in (完成状态 from a drop-down, 进展情况, 存在问题, 下步计划), a header for 报送单位,
    联系人, 电话, 报送日期, a 填报说明 sheet and the hidden :class:`Stamp`. ``round`` names the
    round (2026年第四季度), ``due`` the date returns are due (shown on the form). Where the plan
    names leaders (``Task.leaders``), each leader gets a form of the tasks they oversee too, in
    the subfolder 分管领导.

    Written as ``workbook.write_split`` writes (``inputs``, ``force``, ``report``: a form an
    office has edited is not replaced without ``force``; one that cannot be written is
    reported and listed in ``failed``, the others are still written). ``folder`` may be a
    ``zipfile.ZipFile`` open for writing (the page's download): each form a member, the
    result's paths then name members. ``departments`` / ``leaders``: which forms to write (the
    index goes with the departments' forms).
    """
    from ..errors import MatrixOutputError
    from ..safety.writes import place_target
    from ..workbook.lists import write_split
    from ..workbook.returns import write_return_form

    root = PurePosixPath() if isinstance(folder, zipfile.ZipFile) else Path(folder)
    rows, failed = write_split([plan], folder, inputs=inputs, force=force, report=report,
                               returns=True, round=round, due=due) if departments else ([], [])
    written: dict[str, Path] = {}
    for item in leader_lists(plan, round=round, due=due) if leaders else ():
        name = f"{LEADER_FOLDER}/{item.file_name}"
        try:
            with place_target(folder, name, inputs=inputs, force=force) as target:
                write_return_form(item, target)
            written[item.department] = root / name
        except MatrixOutputError as e:
            failed.append(str(e))
            if report is not None:
                report(str(e))
    files = {row["department"]: root / row["file"] for row in rows if row["file"]}
    return DispatchResult(root, files, root / INDEX_FILE, written, tuple(failed))

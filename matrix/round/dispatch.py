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
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
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
    """This module, callable: ``matrix.dispatch(…)`` is ``dispatch(plan, folder, …)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return dispatch(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

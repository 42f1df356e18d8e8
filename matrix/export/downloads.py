"""Every file the command line writes for a plan or a comparison, one function each.

The CLI and the web page (``matrix.web``) both call these, so that a file downloaded from the
page is the file ``dutymatrix`` writes:

=========================== ======================================================================
``plan_json(plan)``         ``dutymatrix parse PLAN --format json``
``tasks_csv(plans)``        ``dutymatrix filter PLAN --format csv -o FILE`` (no filter: every task)
``diff_json(diff)``         ``dutymatrix diff OLD NEW --format json``
=========================== ======================================================================

The workbooks themselves are ``workbook.write_workbook``, ``workbook.write_diff_workbook`` and,
for ``dutymatrix filter PLAN --split-by-dept -o DIR`` (one 任务清单 per department and
索引.xlsx), ``workbook.write_split``; for ``dutymatrix dispatch PLAN -o DIR``,
``dispatch.dispatch``. Those two write into a ``zipfile.ZipFile`` as well as into a folder: the
page's downloads of every department's list and of the 下发 forms are made in memory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..diff import PlanDiff
    from ..records import Plan

__all__ = ["diff_json", "plan_json", "tasks_csv"]


def plan_json(plan: Plan) -> str:
    """The records as ``parse --format json`` prints them (indented, Chinese unescaped)."""
    return json.dumps(plan.to_json(), ensure_ascii=False, indent=2) + "\n"


def tasks_csv(plans: Sequence[Plan]) -> str:
    """Every task of ``plans`` as ``filter --format csv`` writes it to a file (BOM, CRLF)."""
    from ..filter.select import filter_tasks
    from ..filter.formats import to_csv

    return to_csv(filter_tasks(plans))


def diff_json(diff: PlanDiff) -> str:
    """The changes as ``diff --format json`` writes them."""
    return json.dumps(diff.to_json(), ensure_ascii=False, indent=2) + "\n"

"""Compare two versions of a plan, and report the changes.

=============  ===================================================================================
``match``      the matcher: :func:`diff_plans` (passes, thresholds, the module docstring explains
               them) and :func:`filter_diff`
``result``     what a diff is: the frozen records (:class:`PlanDiff`, :class:`DiffEntry` …) and
               their JSON
``text``       texts as compared, and the word-level diff of a changed text (:func:`text_diff`)
``report``     what is reported in the terminal (:func:`render_summary`); the diff *workbook* is
               :mod:`matrix.workbook.diff`
=============  ===================================================================================

A new way of matching is a pass in ``match``; a new way of showing a diff (a web page, another
workbook) reads a :class:`PlanDiff` and compares nothing itself.
"""

from __future__ import annotations

from .match import MatchError, diff_plans, filter_diff, read_matches
from .report import (KIND_LABELS, KIND_STYLES, describe_departments, render_summary,
                     task_place)
from .result import (KIND_ORDER, PASSES, Candidate, DeptChanges, DeptRole, DeptSummary, DiffEntry,
                     PlanDiff, RoleChange, Succession, TaskRef)
from .text import text_diff

__all__ = [
    "KIND_LABELS", "KIND_ORDER", "KIND_STYLES", "PASSES", "Candidate", "DeptChanges", "DeptRole",
    "DeptSummary", "DiffEntry", "MatchError", "PlanDiff", "RoleChange", "Succession", "TaskRef",
    "describe_departments", "diff_plans", "filter_diff", "read_matches", "render_summary",
    "task_place", "text_diff",
]

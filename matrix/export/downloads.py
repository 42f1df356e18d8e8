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
from json.encoder import encode_basestring as _string  # json's own escaper (C), ensure_ascii=False
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..diff import PlanDiff
    from ..records import Plan

__all__ = ["diff_json", "plan_json", "tasks_csv"]


def plan_json(plan: Plan) -> str:
    """The records as ``parse --format json`` prints them (indented, Chinese unescaped)."""
    return indented_json(plan.to_json()) + "\n"


def indented_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text about twice as fast:
    ``json`` writes an indented text in pure Python, through a generator per container; this
    writes JSON's own types directly (strings by ``json``'s C escaper) and hands anything
    else to ``json.dumps``."""
    out: list[str] = []
    try:
        _encode(value, out, "\n")
    except (_Other, RecursionError):
        return json.dumps(value, ensure_ascii=False, indent=2)
    return "".join(out)


class _Other(Exception):
    """A value ``indented_json`` leaves to ``json`` (another type, a subclass)."""


def _number(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


_KEYS = {str: str, float: _number, int: int.__repr__, bool: lambda k: "true" if k else "false",
         type(None): lambda k: "null"}


def _encode(value: Any, out: list[str], newline: str) -> None:
    """Append the JSON of ``value`` to ``out``; ``newline``: a line break and this level's indent."""
    kind = type(value)
    if kind is str:
        out.append(_string(value))
    elif value is None or value is True or value is False:
        out.append("null" if value is None else "true" if value else "false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float:
        out.append(_number(value))
    elif kind is dict or kind is list or kind is tuple:
        if not value:
            out.append("{}" if kind is dict else "[]")
            return
        inner, separator = newline + "  ", ("{" if kind is dict else "[")
        for item in (value.items() if kind is dict else value):
            out.append(separator + inner)
            if kind is dict:
                key = _KEYS.get(type(item[0]))
                if key is None:
                    raise _Other
                out.append(_string(key(item[0])) + ": ")
                item = item[1]
            _encode(item, out, inner)
            separator = ","
        out.append(newline + ("}" if kind is dict else "]"))
    else:
        raise _Other


def tasks_csv(plans: Sequence[Plan]) -> str:
    """Every task of ``plans`` as ``filter --format csv`` writes it to a file (BOM, CRLF)."""
    from ..filter.select import filter_tasks
    from ..filter.formats import to_csv

    return to_csv(filter_tasks(plans))


def diff_json(diff: PlanDiff) -> str:
    """The changes as ``diff --format json`` writes them."""
    return indented_json(diff.to_json()) + "\n"

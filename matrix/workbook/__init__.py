"""Workbooks: every ``.xlsx`` dutymatrix writes or reads, one module per kind of workbook.

==============  ====================================================================
``cells``       what every writer shares without openpyxl: cell text, row heights, row
                XML, rich text, looks by value, the atomic save
``book``        the openpyxl machinery of the other workbooks: styles, the fast row
                writer (:class:`~.book.Book`, :class:`~.book.Sheet`,
                :func:`~.book.save_atomically`, …)
``xlsx``        our own package writer, which writes the plan workbook without openpyxl
``chart``       the 部门统计 chart, as our own XML and as openpyxl's chart
``page``        the printed page: print set-up, page header, banding, list heads
``plan``        the plan workbook: 矩阵, 分工表, 部门统计, 说明 (:func:`write_workbook`)
``hidden``      what a plan workbook hides for reading it back: records and signature,
                written and read back
``untrusted``   checks on a file we did not write, before any of its XML is read
``values``      a workbook's cell values, sheet by sheet (calamine, else openpyxl)
``readback``    reading a plan workbook back (:func:`read_workbook`)
``diff``        the diff workbook: 概要, 任务变化, 部门变化, 矩阵对比
``lists``       one department's task list and the index of a split (or of a 下发 round)
``returns``     the return form a department fills in (报送表), and reading one back
``summary``     the 汇总 of a round's returns, and reading its data back (``--since``)
==============  ====================================================================

**A new workbook kind** (the returns a department fills in, the 汇总 of returns) is a new
module here, e.g. ``returns.py`` / ``summary.py``: it draws its sheets with ``book``'s public
names (``save_atomically(path, titles, fill)``, ``Sheet.text``/``append``/``banner``) and
``page``'s (``list_head``, ``print_setup``) and, if it reads a file a user gives back, calls
``untrusted.check_package`` before anything else. Export its entry point in ``_LAZY`` below. Only
``book`` imports openpyxl first (it hides numpy and Pillow while doing so), which is why
``__getattr__`` imports it before any module but ``plan``; every module is imported when a
name of it is first used.
"""

from __future__ import annotations

import importlib

from .cells import MARKS, sent_out, sent_out_path

# The other names are imported on first use (PEP 562): writing a plan workbook imports ``plan``
# and what it draws with (``cells``, ``page``, ``chart``, ``hidden``, ``xlsx``: no openpyxl), not
# the diff, lists, returns, summary and read-back modules. Before any of those, ``book`` is
# imported: it imports openpyxl with numpy and Pillow hidden (see its docstring).
_WITHOUT_OPENPYXL = {"plan"}
_LAZY = {
    "CHANGE_FILLS": "diff", "DIFF_SHEET_NAMES": "diff", "KIND_FILLS": "diff",
    "write_diff_workbook": "diff",
    "INDEX_SHEET": "lists", "TASK_LIST_SHEET": "lists", "write_index": "lists",
    "write_split": "lists", "write_task_list": "lists",
    "NO_ASSIGNMENTS": "plan", "SHEET_NAMES": "plan", "write_workbook": "plan",
    "MARK_WORDS": "readback", "WorkbookContents": "readback", "read_workbook": "readback",
    "read_workbook_contents": "readback",
    "read_return": "returns", "write_return_form": "returns",
    "read_previous": "summary", "write_summary": "summary",
    "MAX_ENTRIES": "untrusted", "MAX_RATIO": "untrusted", "MAX_UNCOMPRESSED": "untrusted",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module not in _WITHOUT_OPENPYXL:
        importlib.import_module(".book", __name__)
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = ["CHANGE_FILLS", "DIFF_SHEET_NAMES", "INDEX_SHEET", "KIND_FILLS", "MARKS", "MARK_WORDS",
           "MAX_ENTRIES", "MAX_RATIO", "MAX_UNCOMPRESSED", "NO_ASSIGNMENTS", "SHEET_NAMES",
           "TASK_LIST_SHEET", "WorkbookContents", "read_previous", "read_return", "read_workbook",
           "read_workbook_contents", "sent_out", "sent_out_path", "write_diff_workbook", "write_index", "write_return_form",
           "write_split", "write_summary", "write_task_list", "write_workbook"]

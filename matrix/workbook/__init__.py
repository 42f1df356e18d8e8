"""Workbooks: every ``.xlsx`` dutymatrix writes or reads, one module per kind of workbook.

==============  ====================================================================
``book``        the shared machinery: styles, row heights, the fast row writer, the
                atomic save (:class:`~.book.Book`, :class:`~.book.Sheet`,
                :func:`~.book.save_atomically`, …)
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
``untrusted.check_package`` before anything else. Export its entry point below. Only ``book``
imports openpyxl first (it hides numpy while doing so), which is why it is imported first here.
"""

from __future__ import annotations

from .book import MARKS  # first: book imports openpyxl (with numpy hidden, see its docstring)
from .book import sent_out, sent_out_path
from .diff import CHANGE_FILLS, DIFF_SHEET_NAMES, KIND_FILLS, write_diff_workbook
from .lists import INDEX_SHEET, TASK_LIST_SHEET, write_index, write_split, write_task_list
from .plan import NO_ASSIGNMENTS, SHEET_NAMES, write_workbook
from .readback import MARK_WORDS, WorkbookContents, read_workbook, read_workbook_contents
from .returns import read_return, write_return_form
from .summary import read_previous, write_summary
from .untrusted import MAX_ENTRIES, MAX_RATIO, MAX_UNCOMPRESSED

__all__ = ["CHANGE_FILLS", "DIFF_SHEET_NAMES", "INDEX_SHEET", "KIND_FILLS", "MARKS", "MARK_WORDS",
           "MAX_ENTRIES", "MAX_RATIO", "MAX_UNCOMPRESSED", "NO_ASSIGNMENTS", "SHEET_NAMES",
           "TASK_LIST_SHEET", "WorkbookContents", "read_previous", "read_return", "read_workbook",
           "read_workbook_contents", "sent_out", "sent_out_path", "write_diff_workbook", "write_index", "write_return_form",
           "write_split", "write_summary", "write_task_list", "write_workbook"]

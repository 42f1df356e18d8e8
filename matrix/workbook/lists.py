"""One department's task list (:func:`write_task_list`: 任务清单) and the index of a split
(:func:`write_index`: 部门索引): the workbooks of ``dutymatrix filter`` (``-f xlsx``, and
``--split-by-dept``: :func:`write_split`, one list per department and the index).
"""

from __future__ import annotations

from dataclasses import replace
import os
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..filter.select import TaskHit

from .. import __version__
from ..records import Plan, Role
from .book import Book, clean_text, save_atomically, sent_out_path
from .page import Page, banding, date_text, heat_scale, list_head, task_section_text

# --------------------------------------------------------------------------- department task lists

TASK_LIST_SHEET = "任务清单"
INDEX_SHEET = "部门索引"


def write_task_list(hits: Sequence[TaskHit], path: str | os.PathLike[str], *, title: str,
                    department: str | None = None, record_path: bool = False) -> Path:
    """Write one department's task list (``dutymatrix filter --format xlsx``) and return the path.

    One sheet, 任务清单, in the 分工表 layout: a title row (``title``, or
    "<department>任务清单" when ``title`` is empty), then 序号 | 来源 (only when the hits come
    from several files) | 章节 | 编号 | 重点任务 | 任务内容 | 本单位角色 | 牵头单位 | 其他单位 |
    完成时限. 本单位角色 is the hit's role as :func:`matrix.filter.formats.role_text` words it
    (负责（统一规定）…); 牵头单位 lists every department leading the task; 其他单位 the other
    departments on it. The department's name is the printed page header. Written as
    :func:`write_workbook` writes: text is never a formula, and the file appears whole or not at
    all (:class:`~matrix.errors.MatrixOutputError` otherwise).

    Example::

        hits = filter_tasks([plan], departments=["市场监管总局"])
        write_task_list(hits, "output/市场监管总局.xlsx", title="", department="市场监管总局")
    """
    heading = title or (f"{department}任务清单" if department else "任务清单")
    hits = [replace(h, source=sent_out_path(h.source, record_path)) for h in hits]
    return save_atomically(path, (TASK_LIST_SHEET,),
                           lambda book: _task_list_sheet(book, hits, heading, department))


def write_index(rows: Sequence[dict[str, Any]], path: str | os.PathLike[str], *,
                title: str) -> Path:
    """Write the index of a split (``dutymatrix filter --split-by-dept``) and return the path.

    ``rows`` are :func:`matrix.filter.select.department_index` rows — keys department, lead,
    responsible, support, guide, total, inherited — each with an optional ``file``: the file
    name of that department's list. One sheet, 部门索引: a title row, then 序号 | 部门 | 牵头 |
    负责 | 参与 | 指导 | 合计 | 其中统一规定 | 任务清单, one row per department in the order
    given. Written as :func:`write_workbook` writes.
    """
    return save_atomically(path, (INDEX_SHEET,), lambda book: _index_sheet(book, rows, title))


def _properties(book: Book, title: str) -> None:
    props = book.wb.properties
    props.title = clean_text(title)
    props.creator = f"dutymatrix {__version__}"


def _task_list_sheet(book: Book, hits: Sequence[TaskHit], heading: str,
                     department: str | None) -> None:
    from ..filter.formats import SEPARATOR, role_text

    sheet = book.sheets[TASK_LIST_SHEET]
    ws = sheet.ws
    several = len({hit.source for hit in hits}) > 1
    heads = ["序号", *(["来源"] if several else []), "章节", "编号", "重点任务", "任务内容",
             "本单位角色", "牵头单位", "其他单位", "完成时限"]
    # Each department's list is a workbook of its own, so it prints on pages of its own; its
    # name heads every page.
    last = list_head(sheet, clean_text(heading), heads,
                     [5, *([18] if several else []), 14, 11, 18, 44, 12, 14, 20, 10],
                     freeze="A3", rows=len(hits), centre=department,
                     page=Page("" if department else heading, date_text(datetime.now())))
    _properties(book, heading)
    number, text = book.style("number_box"), book.style("text_top")
    for i, hit in enumerate(hits, 1):
        task = hit.task
        leads = [d for d, role in task.roles().items() if role is Role.lead]
        others = [d for d in hit.others if d not in leads]
        values = [*([hit.source] if several else []), task_section_text(task), task.label,
                  task.title, task.text, role_text(hit), SEPARATOR.join(leads),
                  SEPARATOR.join(others), task.deadline or ""]
        sheet.append([(1, i, number),
                      *((c, clean_text(v) or None, text) for c, v in enumerate(values, 2))])
    if hits:
        banding(ws, f"A3:{last}", 2)


_INDEX_HEADS = ("序号", "部门", "牵头", "负责", "参与", "指导", "合计", "其中统一规定", "任务清单")
_INDEX_KEYS = ("lead", "responsible", "support", "guide", "total", "inherited")


def _index_sheet(book: Book, rows: Sequence[dict[str, Any]], title: str) -> None:
    sheet = book.sheets[INDEX_SHEET]
    ws = sheet.ws
    last = list_head(sheet, clean_text(title), _INDEX_HEADS, [5, 22, 6, 6, 6, 6, 6, 12, 30],
                     freeze="A3", rows=len(rows), landscape=False,
                     page=Page(title, date_text(datetime.now())))
    _properties(book, title)
    number, text = book.style("number_box"), book.style("text_top")
    for i, row in enumerate(rows, 1):
        counts = [int(row.get(k) or 0) for k in _INDEX_KEYS]
        file = row.get("file")
        sheet.append([(1, i, number), (2, clean_text(str(row["department"])), text),
                      *((c, n, number) for c, n in enumerate(counts, 3)),
                      (9, clean_text(os.fspath(file)) if file else None, text)])
    if rows:
        heat_scale(ws, f"G3:G{len(rows) + 2}")
        banding(ws, f"A3:F{len(rows) + 2}", 2)
        banding(ws, f"H3:{last}", 2)


def write_split(plans: Sequence[Plan], folder: str | os.PathLike[str] | zipfile.ZipFile, *,
                inputs: Sequence[str | os.PathLike[str]] = (), force: bool = False,
                report: Any = None, returns: bool = False, round: str | None = None,
                due: str | None = None, record_path: bool = False) -> tuple[list[dict[str, Any]], list[str]]:
    """One task list per department named in ``plans`` (as :func:`write_task_list`) and their
    index ``索引.xlsx`` (:func:`write_index`), in ``folder``, which is created; returns the
    rows of the index, each with its list's ``file`` (None when it could not be written), and
    the messages of the lists that could not be written. ``folder`` may be a
    ``zipfile.ZipFile`` open for writing instead: each file becomes a member (the page's
    download; ``safety.writes.place_target``).

    With ``returns`` (one plan: ``dutymatrix dispatch``), each list is the department's return
    form (:func:`~matrix.workbook.returns.write_return_form`, stamped with ``round`` and
    ``due``): the same split, the same file names, the same checks and index, with the columns
    to fill in.

    File names come from department names (``output.unique_file_name``, through
    :func:`matrix.round.forms.department_lists`): never a path, unique ignoring case (a|b, a_b →
    a_b.xlsx, a_b_2.xlsx; a department called 索引 does not replace the index), within
    NAME_MAX. A list that cannot be written (``output.check_target``: an input, an
    office-edited or open workbook without ``force``) is reported by ``report(message)`` and
    the others and the index are still written. Raises
    :class:`~matrix.errors.MatrixOutputError` when the folder or the index cannot be written.
    """
    from ..round.forms import department_lists
    from ..errors import MatrixOutputError
    from ..filter.select import department_index
    from ..safety.writes import INDEX_FILE, make_folder, place_target

    if not isinstance(folder, zipfile.ZipFile):
        folder = Path(folder)
        make_folder(folder)
    lists = department_lists(plans, returns=returns, round=round, due=due)
    rows, failed = [], []
    by_name = {item.department: item for item in lists}
    for row in department_index({item.department: list(item.hits) for item in lists}):
        item = by_name[row["department"]]
        file_name: str | None = item.file_name
        try:
            with place_target(folder, item.file_name, inputs=inputs, force=force) as target:
                if returns:
                    from .returns import write_return_form

                    write_return_form(item, target)
                else:
                    write_task_list(list(item.hits), target, title=f"{item.department}任务清单",
                                    department=item.department, record_path=record_path)
        except MatrixOutputError as e:
            failed.append(str(e))
            if report is not None:
                report(str(e))
            file_name = None
        rows.append({**row, "file": file_name})
    title = ("任务下发索引" + (f"（{round}）" if round else "")) if returns else "各单位任务数"
    with place_target(folder, INDEX_FILE, inputs=inputs, force=force) as target:
        write_index(rows, target, title=title)
    return rows, failed

"""The plan workbook: 矩阵 (tasks × departments), 分工表 (the list offices circulate), 部门统计
(roles per department, with a chart) and 说明 (source, rules, warnings) — :func:`write_workbook`.

How it looks is described in ``book``'s docstring; below 矩阵's table go the hidden records of
``hidden``, which ``readback`` reads back. It is written by ``xlsx``, our own package writer,
without openpyxl (issue 27: importing openpyxl was most of a ``build``); the same drawing code
runs on openpyxl (``book``) in :func:`_write_with_openpyxl`, the reference whose parts
tests/test_xlsx.py compares with ours byte for byte.
"""

from __future__ import annotations

import functools
import os
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .. import __version__
from ..i18n import _
from ..pivot import Matrix, Row, build_matrix, department_counts
from ..errors import MatrixOutputError
from ..messages import title as kind_title
from ..messages import warning
from ..records import Document, ParseWarning, Plan, Role
from .cells import (GREY, LEGEND, MARKS, MAX_CELL_TEXT, MAX_ROW_HEIGHT, FontSpec, Rich, RowCell,
                    clean_text, column_letter, save_atomically, sent_out, utc_naive)
from .chart import LoadChart
from .page import FIT_DEPARTMENTS, MARK_WIDTH, MATRIX_ROW, Page, date_text, section_text
from .hidden import chunks, records_json, sign, signature

# The sheets are drawn on a ``Book`` and its ``Sheet``s, ``xlsx``'s or ``book``'s: both have the
# same interface (rows from ``cells.Rows``; ``freeze``, ``print_setup``, ``filter`` …).
Book = Sheet = Any

SHEET_NAMES = ("矩阵", "分工表", "部门统计", "说明")
NO_ASSIGNMENTS = "本文件未列明责任单位，任务已列出，可手工填写分工"
NO_TASKS = "本文件未识别出任务条款"
INHERITED_SUFFIX = "（统一规定）"  # after a department name in 分工表
LEGEND_INHERITED = ("灰色斜体（承）", "：继承自文件统一规定")
LEGEND_HEAT = "　合计：底色越深，任务越多"


# --------------------------------------------------------------------------- public API


def write_workbook(plan: Plan, path: str | os.PathLike[str] | IO[bytes], *, matrix: Matrix | None = None,
                   generated_at: datetime | None = None,
                   tool_version: str = __version__, record_path: bool = False) -> Path:
    """Write ``plan`` to ``path`` as an ``.xlsx`` workbook and return the path (``path`` may
    be a binary stream: the workbook is written to it whole, and the stream returned).

    Sheets, in order: 矩阵 (tasks × departments, one mark per role), 分工表 (the list offices
    circulate), 部门统计 (roles per department) and 说明 (source, checksum, rules, warnings).
    ``matrix`` defaults to ``build_matrix(plan)``; pass a filtered one to write only its rows
    (说明 still describes the whole plan). ``generated_at`` defaults to now. Below 矩阵's table
    go the hidden records :func:`read_workbook` reads back (module docstring).

    A workbook is sent out: it names its source file by name and SHA-256 only, never its folder
    (a home folder, an office's folder structure), unless ``record_path`` (see :func:`sent_out`).

    Raises :class:`~matrix.errors.MatrixOutputError` when the folder is missing or not
    writable, or the file cannot be replaced; an existing file is then left as it was.

    Example::

        write_workbook(parse_file("plan.txt"), "output/plan.xlsx")
    """
    from .xlsx import Book as XlsxBook

    # signed as it is written (hidden.signature), not opened again to be signed
    return _write(plan, path, functools.partial(XlsxBook, comment=signature), None,
                  matrix=matrix, generated_at=generated_at, tool_version=tool_version,
                  record_path=record_path)


def _write_with_openpyxl(plan: Plan, path: str | os.PathLike[str] | IO[bytes],
                         **kw: Any) -> Path:
    """:func:`write_workbook` through openpyxl (``book.Book``): the reference the tests compare
    ``xlsx``'s parts with, byte for byte."""
    from .book import Book as OpenpyxlBook

    return _write(plan, path, OpenpyxlBook, sign, **kw)


def _write(plan: Plan, path: str | os.PathLike[str] | IO[bytes], book_type: Any,
           finish: Any, *,
           matrix: Matrix | None = None, generated_at: datetime | None = None,
           tool_version: str = __version__, record_path: bool = False) -> Path:
    if matrix is None:
        matrix = build_matrix(plan)
    check_grid(plan, matrix, getattr(path, "name", path))  # a stream: its name, if any
    if generated_at is None:
        generated_at = datetime.now().astimezone()
    plan = sent_out(plan, record_path)
    return save_atomically(
        path, SHEET_NAMES, lambda book: _fill(book, plan, matrix, generated_at, tool_version),
        finish=finish, book_type=book_type)


# Columns of 矩阵 besides the departments (序号, 文件, 章节, 编号, 任务, 合计, 任务全文, records)
# and rows besides the tasks (title, lines above the table, header, 合计, the hidden records).
_FIXED_COLUMNS = 8
_FIXED_ROWS = 16
_RECORDS_CHUNK = 16_000  # characters of the hidden records per cell (hidden.chunks)


def check_grid(plan: Plan, matrix: Matrix, path: str | os.PathLike[str]) -> None:
    """Refuse, before writing, a matrix a worksheet cannot hold: more than
    ``EXCEL_MAX_COLUMNS`` columns (Excel and LibreOffice drop what lies beyond XFD, 合计 and
    the hidden records with it) or ``EXCEL_MAX_ROWS`` rows. ``MatrixOutputError`` says why."""
    from ..safety import zipcheck

    columns = len(matrix.departments) + _FIXED_COLUMNS
    if columns > zipcheck.EXCEL_MAX_COLUMNS:
        raise MatrixOutputError(
            _("{path}: {source} names {count:,} departments; a worksheet holds {columns:,} "
              "columns (Excel, WPS and LibreOffice), so at most {most:,}: nothing written "
              "(`dutymatrix filter --split-by-dept` gives one list per department)").format(
                path=path, source=plan.source.path, count=len(matrix.departments),
                columns=zipcheck.EXCEL_MAX_COLUMNS,
                most=zipcheck.EXCEL_MAX_COLUMNS - _FIXED_COLUMNS))
    records = sum(len(t.text) + len(t.title) + 200 for t in plan.tasks) // _RECORDS_CHUNK + 1
    rows = len(matrix.rows) + _FIXED_ROWS + records
    if rows > zipcheck.EXCEL_MAX_ROWS:
        raise MatrixOutputError(
            _("{path}: {source} has {count:,} tasks; with the lines around them that is "
              "{rows:,} rows, more than the {limit:,} rows a worksheet holds: nothing written "
              "(split the plan into several files)").format(
                path=path, source=plan.source.path, count=len(matrix.rows), rows=rows,
                limit=zipcheck.EXCEL_MAX_ROWS))


def cut_warnings(task) -> list[ParseWarning]:
    """A warning for each of the task's title and text that a cell cannot hold whole."""
    out = []
    for what, value in (("title", task.title), ("text", task.text)):
        if len(value) > MAX_CELL_TEXT:
            out.append(warning(ParseWarning, "cell-limit", task.line, form=what,
                               label=task.label, count=len(value), limit=MAX_CELL_TEXT))
    return out


# --------------------------------------------------------------------------- sheets


def _fill(book: Book, plan: Plan, matrix: Matrix, generated_at: datetime,
          tool_version: str) -> None:
    title = plan.title or Path(plan.source.path).name or "任务分工"
    book.set_properties(
        title=clean_text(title), creator=f"dutymatrix {tool_version}",
        description=clean_text(f"{plan.source.path} sha256:{plan.source.sha256}"),
        created=utc_naive(generated_at))
    labels = _document_labels(plan)
    several = len(plan.documents) > 1
    page = Page(title, date_text(generated_at))
    _matrix_sheet(book.sheets["矩阵"], plan, matrix, page, labels, several, generated_at,
                  tool_version)
    heading = f"《{plan.title}》任务分工表" if plan.title else f"{title} 任务分工表"
    _list_sheet(book.sheets["分工表"], matrix, labels, several, page, heading)
    _count_sheet(book.sheets["部门统计"], matrix, page)
    _notes_sheet(book.sheets["说明"], plan, matrix, labels, generated_at, tool_version, page)


def _document_labels(plan: Plan) -> list[str]:
    labels = []
    for i, d in enumerate(plan.documents, 1):
        name = d.title or d.doc_number or f"文件{i}"
        labels.append(clean_text(name if d.title is None or d.doc_number is None
                                 else f"{d.title}（{d.doc_number}）"))
    return labels


def _notice(document: Document) -> str | None:
    """What a reader must know before filling the matrix by hand, if anything."""
    if not document.tasks:
        # Its clauses are still listed (pivot), to be filled in by hand.
        return NO_ASSIGNMENTS if document.unassigned else NO_TASKS
    if not any(t.assignments for t in document.tasks):
        return NO_ASSIGNMENTS
    return None


def _notices(plan: Plan, labels: list[str]) -> list[str]:
    """One line per document that names no responsible department (or holds no task)."""
    if not plan.documents:
        return [NO_TASKS]
    several = len(plan.documents) > 1
    return [f"《{label}》：{notice}" if several else notice
            for label, d in zip(labels, plan.documents) if (notice := _notice(d))]


def _legend(heat: bool = True) -> Rich:
    plain, grey = FontSpec(), FontSpec(italic=True, color=GREY)
    runs = [(LEGEND, plain), (LEGEND_INHERITED[0], grey), (LEGEND_INHERITED[1], plain)]
    if heat:
        runs.append((LEGEND_HEAT, plain))
    return Rich(*runs)


_MATRIX_NAME, _LIST_NAME = "任务矩阵", "任务分工"  # defined names over the two tables


def _matrix_sheet(sheet: Sheet, plan: Plan, matrix: Matrix, page: Page, labels: list[str],
                  several: bool, generated_at: datetime, tool_version: str) -> None:
    book = sheet.book
    lead_heads = ["序号", *(["文件"] if several else []), "章节", "编号", "任务"]
    lead_widths = [5, *([18] if several else []), 18, 11, 30]
    first_dept = len(lead_heads) + 1
    departments = matrix.departments
    total_col = first_dept + len(departments)
    full_col = total_col + 1
    data_col = full_col + 1  # hidden: the records behind the sheet (see "Reading a workbook")
    column_of = {d: first_dept + i for i, d in enumerate(departments)}
    letter = column_letter

    notices = _notices(plan, labels)
    legend_row = 3 + len(notices)
    head_row = legend_row + 1
    last_row = head_row + len(matrix.rows)
    total_row = last_row + 1

    sheet.widths([*lead_widths, *[MARK_WIDTH] * len(departments), 6, 60, 10],
                 hidden=[full_col, data_col])
    sheet.freeze(f"{letter(first_dept)}{head_row + 1}")
    fit = len(departments) <= FIT_DEPARTMENTS
    sheet.print_setup(landscape=True, wide=len(departments) > 20, page=page, fit_width=fit)
    # pages side by side (not fit), each repeating the task columns
    sheet.print_titles(f"{legend_row}:{head_row}", None if fit else f"A:{letter(first_dept - 1)}")
    sheet.print_area(f"A1:{letter(total_col)}{total_row}")
    sheet.grid_lines()  # empty grid cells are not written, so no borders
    sheet.filter(f"A{head_row}:{letter(full_col)}{last_row}")

    source = plan.source
    sheet.banner(clean_text(page.title), "title", total_col, height=24)
    sheet.banner(clean_text(f"生成日期：{page.date}　来源：{source.path}　"
                            f"SHA-256：{source.sha256[:16]}…　"
                            f"任务 {len(matrix.rows)} 项　部门 {len(departments)} 个"), "info",
                 total_col)
    for notice in notices:
        sheet.banner(clean_text(notice), "notice", total_col)
    sheet.banner(_legend(), "legend", total_col)

    longest = max((len(d) for d in departments), default=2)
    head, vertical = book.style("head"), book.style("head_vertical")
    sheet.append(
        [*((i, h, head) for i, h in enumerate(lead_heads, 1)),
         *((column_of[d], clean_text(d), vertical) for d in departments),
         (total_col, "合计", head), (full_col, "任务全文", head)],
        height=min(MAX_ROW_HEIGHT, max(30, 14.5 * longest + 10)))

    totals = _task_rows(sheet, matrix, labels, several, column_of, first_dept, total_col)
    total = book.style("total")
    sheet.append([(1, "合计", total), *((c, n, total) for c, n in totals.items()),
                  (total_col, sum(totals.values()), total)])
    # Below the table, in hidden rows of a hidden column, outside the autofilter range (so that
    # sorting and deleting task rows never touch them): what the cells cannot say.
    for chunk in chunks(records_json(plan, matrix, labels, generated_at, tool_version)):
        sheet.append([(data_col, chunk, None)], hidden=True)

    if matrix.rows:
        sheet.heat_scale(f"{letter(total_col)}{head_row + 1}:{letter(total_col)}{last_row}")
        sheet.banding(f"A{head_row + 1}:{letter(total_col - 1)}{last_row}", head_row)
    if departments:  # department load: the 合计 row
        sheet.heat_scale(f"{letter(first_dept)}{total_row}:{letter(total_col - 1)}{total_row}")
    book.define(_MATRIX_NAME, sheet, f"$A${head_row}:${letter(full_col)}${last_row}")


def _task_rows(sheet: Sheet, matrix: Matrix, labels: list[str], several: bool,
               column_of: dict[str, int], first_dept: int, total_col: int) -> dict[int, int]:
    """矩阵's task rows (序号, 文件, 章节, 编号, 任务, the marks, 合计, 任务全文); the marks
    written per department column (the 合计 row counts them)."""
    book = sheet.book
    number, text, mark = book.style("number"), book.style("text"), book.style("mark")
    inherited, full = book.style("mark_inherited"), book.style("full_text")
    totals = dict.fromkeys(column_of.values(), 0)  # counted from the marks actually written
    sheet.min_height = MATRIX_ROW  # rows of even height, with air around the marks
    for i, row in enumerate(matrix.rows, 1):
        task = row.task
        cells: list[RowCell] = [(1, i, number)]
        if several:
            cells.append((2, _document_label(labels, row), text))
        cells += [(first_dept - 3, section_text(row), text), (first_dept - 2, task.label, text),
                  (first_dept - 1, clean_text(task.title), text)]
        marks = sorted((column_of[d], MARKS[c.role], inherited if c.inherited else mark)
                       for d, c in row.cells.items() if d in column_of)
        for column, _mark, _style in marks:
            totals[column] += 1
        cells += marks
        cells += [(total_col, len(marks), number), (total_col + 1, clean_text(task.text), full)]
        sheet.append(cells)
    sheet.min_height = None
    return totals


def _document_label(labels: list[str], row: Row) -> str:
    if 0 <= row.document_index < len(labels):
        return labels[row.document_index]
    return clean_text(row.document or "")


_ROLE_COLUMNS = (Role.lead, Role.responsible, Role.support, Role.guide)


def _list_sheet(sheet: Sheet, matrix: Matrix, labels: list[str], several: bool, page: Page,
                heading: str) -> None:
    book = sheet.book
    # 牵头领导 (people: 牵头负责领导, 牵头市领导 …) only when a task names one (local plans)
    leaders = any(row.task.leaders for row in matrix.rows)
    heads = ["序号", *(["文件"] if several else []), "章节", "编号", "重点任务", "任务内容",
             *(["牵头领导"] if leaders else []),
             "牵头单位", "责任单位", "参与单位", "指导单位", "完成时限"]
    sheet.widths([5, *([16] if several else []), 14, 11, 18, 50, *([10] if leaders else []),
                  12, 16, 14, 10, 10])
    last = f"{column_letter(len(heads))}{len(matrix.rows) + 2}"
    sheet.freeze("A3")
    sheet.print_setup(landscape=True, page=page)
    sheet.print_titles("2:2")
    sheet.filter(f"A2:{last}")
    sheet.banner(clean_text(heading), "title", len(heads), height=24)
    sheet.text(*heads, style="head", height=22)

    number, text = book.style("number_box"), book.style("text_top")
    for i, row in enumerate(matrix.rows, 1):
        task = row.task
        names: dict[Role, list[str]] = {r: [] for r in _ROLE_COLUMNS}
        for department, cell in row.cells.items():
            names[cell.role].append(department + INHERITED_SUFFIX if cell.inherited
                                    else department)
        values = [*([_document_label(labels, row)] if several else []), section_text(row),
                  task.label, clean_text(task.title), clean_text(task.text),
                  *([clean_text("、".join(task.leaders))] if leaders else []),
                  *(clean_text("、".join(names[r])) for r in _ROLE_COLUMNS),
                  clean_text(task.deadline or "")]
        # Empty strings are written as empty styled cells so that every cell has its border.
        sheet.append([(1, i, number),
                      *((c, v or None, text) for c, v in enumerate(values, 2))])
    if matrix.rows:
        sheet.banding(f"A3:{last}", 2)
    book.define(_LIST_NAME, sheet, f"$A$2:${last.rstrip('0123456789')}${len(matrix.rows) + 2}")


def _count_sheet(sheet: Sheet, matrix: Matrix, page: Page) -> None:
    heads = ["部门", "牵头", "负责", "参与", "指导", "合计"]
    sheet.widths([22, 7, 7, 7, 7, 7])
    counts = department_counts(matrix)
    sheet.freeze("A2")
    sheet.print_setup(landscape=True, page=page)
    sheet.print_titles("1:1")
    sheet.filter(f"A1:F{len(counts) + 1}")
    sheet.text(*heads, style="head", height=22)
    text, number = sheet.book.style("text_top"), sheet.book.style("number_box")
    for c in counts:
        sheet.append([(1, clean_text(c.department), text),
                      *((i, n, number) for i, n in enumerate(c[1:], 2))])
    if counts:
        sheet.heat_scale(f"F2:F{len(counts) + 1}")
        sheet.banding(f"A2:E{len(counts) + 1}", 1)
        sheet.chart(LoadChart(sheet.title, len(counts)), "H2")


# How 说明 names a source's format (``Source.format``), and back when it is read.
FORMAT_LABELS = {"text": "纯文本", "html": "网页", "docx": "Word文档", "xlsx": "Excel工作簿"}


def _notes_sheet(sheet: Sheet, plan: Plan, matrix: Matrix, labels: list[str],
                 generated_at: datetime, tool_version: str, page: Page) -> None:
    sheet.widths([12, 60, 16, 24])
    sheet.print_setup(landscape=False, page=page)
    source = plan.source

    key, value = sheet.book.style("key"), sheet.book.style("value")

    def kv(k: str, v: Any) -> None:
        v = clean_text(v) if isinstance(v, str) else v
        sheet.append([(1, k, key), *([(2, v, value)] if v not in (None, "") else [])])

    sheet.text("说明", style="title", height=24)
    kv("源文件", source.path)
    kv("SHA-256", source.sha256)
    kv("格式", FORMAT_LABELS.get(source.format, source.format)
       + (f"（编码 {source.encoding}）" if source.encoding else ""))
    kv("工具版本", f"dutymatrix {tool_version}")
    kv("生成时间", generated_at.isoformat(timespec="seconds"))
    kv("任务数", len(matrix.rows))
    kv("部门数", len(matrix.departments))
    kv("图例", LEGEND.removeprefix("图例：").strip() + "　" + "".join(LEGEND_INHERITED))

    several = len(plan.documents) > 1
    if not plan.documents:
        kv("文件", "未识别出文件")
    for i, (label, d) in enumerate(zip(labels, plan.documents), 1):
        sheet.append([])
        kv(f"文件{i}" if several else "文件", d.title or "（无标题）")
        kv("文号", d.doc_number or "（无）")
        if d.jurisdiction is not None:
            kv("制发政府", jurisdiction_text(d.jurisdiction))
        kv("任务数", len(d.tasks))
        if not d.rules:
            kv("统一规定", "（无）")
        for j, rule in enumerate(d.rules):
            kv("统一规定" if j == 0 else "", rule)
        if notice := _notice(d):
            kv("提示", notice)

    sheet.append([])
    warnings = [(label, w) for label, d in zip(labels, plan.documents) for w in d.warnings]
    warnings += [(labels[row.document_index] if row.document_index < len(labels) else "", w)
                 for row in matrix.rows for w in cut_warnings(row.task)]
    if not warnings:
        kv("警告", "无")
        return
    sheet.text("行号", "警告", "类型", "文件", style="head")
    for label, w in warnings:
        where = "—" if w.line is None else (
            w.line if getattr(w, "page", None) is None else f"第{w.page}页第{w.line}行")
        sheet.append([(1, where, value),
                      (2, clean_text(w.message_zh), value), (3, kind_title(w.kind), value),
                      (4, label, value)])


_LEVEL_WORDS = {"central": "中央", "province": "省级", "city": "市级", "county": "县级",
                "district": "区级"}


def jurisdiction_text(jurisdiction) -> str:
    """说明's line for whose plan a document is: 广东省（省级）, 中央（国务院）, 市级（名称未识别）."""
    level = _LEVEL_WORDS.get(jurisdiction.level, jurisdiction.level)
    if jurisdiction.level == "central":
        return "中央（国务院及其部门）"
    return f"{jurisdiction.name}（{level}）" if jurisdiction.name else f"{level}（名称未识别）"

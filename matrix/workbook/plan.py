"""The plan workbook: 矩阵 (tasks × departments), 分工表 (the list offices circulate), 部门统计
(roles per department, with a chart) and 说明 (source, rules, warnings) — :func:`write_workbook`.

How it looks is described in ``book``'s docstring (the shared machinery); below 矩阵's table go
the hidden records of ``hidden``, which ``readback`` reads back.
"""

from __future__ import annotations

import copy
import functools
import os
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .. import __version__
from ..i18n import _
from ..pivot import Matrix, Row, build_matrix, department_counts
from ..errors import MatrixOutputError
from ..messages import title as kind_title
from ..messages import warning
from ..records import Document, ParseWarning, Plan, Role
from .book import (BODY, Book, GB2312, GREY, HEADING, LEGEND, MARKS, MAX_CELL_TEXT, MAX_ROW_HEIGHT,
                   RowCell, Sheet, clean_text, save_atomically, sent_out, utc_naive)
from .page import (FIT_DEPARTMENTS, MARK_WIDTH, MATRIX_ROW, Page, banding, date_text, heat_scale,
                   print_setup, section_text)
from .hidden import chunks, records_json, sign

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
    if matrix is None:
        matrix = build_matrix(plan)
    check_grid(plan, matrix, getattr(path, "name", path))  # a stream: its name, if any
    if generated_at is None:
        generated_at = datetime.now().astimezone()
    plan = sent_out(plan, record_path)
    return save_atomically(
        path, SHEET_NAMES, lambda book: _fill(book, plan, matrix, generated_at, tool_version),
        finish=sign)


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
    props = book.wb.properties
    props.title = clean_text(title)
    props.creator = f"dutymatrix {tool_version}"
    props.description = clean_text(f"{plan.source.path} sha256:{plan.source.sha256}")
    props.created = utc_naive(generated_at)
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


def _legend(heat: bool = True) -> CellRichText:
    plain = InlineFont(rFont=BODY, charset=GB2312, sz=10)
    grey = InlineFont(rFont=BODY, charset=GB2312, sz=10, i=True, color=GREY)
    blocks = [TextBlock(plain, LEGEND), TextBlock(grey, LEGEND_INHERITED[0]),
              TextBlock(plain, LEGEND_INHERITED[1])]
    if heat:
        blocks.append(TextBlock(plain, LEGEND_HEAT))
    return CellRichText(*blocks)
_MATRIX_NAME, _LIST_NAME = "任务矩阵", "任务分工"  # defined names over the two tables


def _matrix_sheet(sheet: Sheet, plan: Plan, matrix: Matrix, page: Page, labels: list[str],
                  several: bool, generated_at: datetime, tool_version: str) -> None:
    book, ws = sheet.book, sheet.ws
    lead_heads = ["序号", *(["文件"] if several else []), "章节", "编号", "任务"]
    lead_widths = [5, *([18] if several else []), 18, 11, 30]
    first_dept = len(lead_heads) + 1
    departments = matrix.departments
    total_col = first_dept + len(departments)
    full_col = total_col + 1
    data_col = full_col + 1  # hidden: the records behind the sheet (see "Reading a workbook")
    column_of = {d: first_dept + i for i, d in enumerate(departments)}
    letter = get_column_letter

    notices = _notices(plan, labels)
    legend_row = 3 + len(notices)
    head_row = legend_row + 1
    last_row = head_row + len(matrix.rows)
    total_row = last_row + 1

    sheet.widths([*lead_widths, *[MARK_WIDTH] * len(departments), 6, 60, 10],
                 hidden=[full_col, data_col])
    ws.freeze_panes = f"{letter(first_dept)}{head_row + 1}"
    fit = len(departments) <= FIT_DEPARTMENTS
    print_setup(ws, landscape=True, wide=len(departments) > 20, page=page, fit_width=fit)
    ws.print_title_rows = f"{legend_row}:{head_row}"
    if not fit:  # pages side by side, each repeating the task columns
        ws.print_title_cols = f"A:{letter(first_dept - 1)}"
    ws.print_area = f"A1:{letter(total_col)}{total_row}"
    ws.print_options.gridLines = True  # empty grid cells are not written, so no borders
    ws.auto_filter.ref = f"A{head_row}:{letter(full_col)}{last_row}"

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
        heat_scale(ws, f"{letter(total_col)}{head_row + 1}:{letter(total_col)}{last_row}")
        banding(ws, f"A{head_row + 1}:{letter(total_col - 1)}{last_row}", head_row)
    if departments:  # department load: the 合计 row
        heat_scale(ws, f"{letter(first_dept)}{total_row}:{letter(total_col - 1)}{total_row}")
    _define(book, _MATRIX_NAME, sheet, f"$A${head_row}:${letter(full_col)}${last_row}")


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
    book, ws = sheet.book, sheet.ws
    # 牵头领导 (people: 牵头负责领导, 牵头市领导 …) only when a task names one (local plans)
    leaders = any(row.task.leaders for row in matrix.rows)
    heads = ["序号", *(["文件"] if several else []), "章节", "编号", "重点任务", "任务内容",
             *(["牵头领导"] if leaders else []),
             "牵头单位", "责任单位", "参与单位", "指导单位", "完成时限"]
    sheet.widths([5, *([16] if several else []), 14, 11, 18, 50, *([10] if leaders else []),
                  12, 16, 14, 10, 10])
    last = f"{get_column_letter(len(heads))}{len(matrix.rows) + 2}"
    ws.freeze_panes = "A3"
    print_setup(ws, landscape=True, page=page)
    ws.print_title_rows = "2:2"
    ws.auto_filter.ref = f"A2:{last}"
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
        banding(ws, f"A3:{last}", 2)
    _define(book, _LIST_NAME, sheet, f"$A$2:${last.rstrip('0123456789')}${len(matrix.rows) + 2}")


_CHART_DEPARTMENTS = 25  # bars in the 部门统计 chart: the busiest departments
_ROLE_COLOURS = ("C0504D", "4F81BD", "9BBB59", "8064A2")  # 牵头 负责 参与 指导


def _count_sheet(sheet: Sheet, matrix: Matrix, page: Page) -> None:
    ws = sheet.ws
    heads = ["部门", "牵头", "负责", "参与", "指导", "合计"]
    sheet.widths([22, 7, 7, 7, 7, 7])
    counts = department_counts(matrix)
    ws.freeze_panes = "A2"
    print_setup(ws, landscape=True, page=page)
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:F{len(counts) + 1}"
    sheet.text(*heads, style="head", height=22)
    text, number = sheet.book.style("text_top"), sheet.book.style("number_box")
    for c in counts:
        sheet.append([(1, clean_text(c.department), text),
                      *((i, n, number) for i, n in enumerate(c[1:], 2))])
    if counts:
        heat_scale(ws, f"F2:F{len(counts) + 1}")
        banding(ws, f"A2:E{len(counts) + 1}", 1)
        ws.add_chart(_load_chart(ws, len(counts)), "H2")


def _load_chart(ws: WriteOnlyWorksheet, departments: int) -> Any:
    """Stacked bars of tasks per role for the busiest departments, the busiest on top.

    The chart's part (``xl/charts/chartN.xml``) depends only on the sheet's name and the number
    of departments, so it is built and serialised by openpyxl once per process for each such
    pair (:func:`_chart_part`, ~4 ms a workbook in a batch); the chart put on the sheet is a
    bare one of the right size that writes that part."""
    from openpyxl.chart import BarChart

    chart = BarChart()
    chart.width, chart.height = _chart_size(departments)
    part = _chart_part(ws.title, departments)
    # what openpyxl's writer serialises for the chart part: a copy of its own for each caller
    # (threads of the page write workbooks at once)
    chart._write = lambda: copy.deepcopy(part)
    return chart


def _chart_size(departments: int) -> tuple[float, float]:
    # cm: one A4 landscape page holds the chart beside the table's first rows
    return 15, min(16.0, 0.5 * min(departments, _CHART_DEPARTMENTS) + 3.5)


@functools.lru_cache(maxsize=64)
def _chart_part(sheet: str, departments: int) -> Any:
    """The serialised chart (an lxml element, only ever copied) of :func:`bar_chart`."""
    return bar_chart(sheet, departments)._write()


def bar_chart(sheet: str, departments: int) -> Any:
    """The 部门统计 chart over the sheet called ``sheet`` of ``departments`` rows below its
    header (the busiest first)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.reference import DummyWorksheet
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (CharacterProperties, Font as TextFont, Paragraph,
                                       ParagraphProperties, RegularTextRun)

    def text(size: int, bold: bool = False) -> CharacterProperties:  # size in 1/100 pt
        face = TextFont(typeface=HEADING if bold else BODY)
        return CharacterProperties(sz=size, b=bold, latin=face, ea=face)

    def rich(size: int) -> RichText:
        return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=text(size)),
                                     endParaRPr=text(size))])

    ws = DummyWorksheet(sheet)  # what a Reference reads of a sheet: its title
    shown = min(departments, _CHART_DEPARTMENTS)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap, chart.gapWidth = "bar", "stacked", 100, 40
    caption = "各部门承担任务数" + (f"（前 {shown} 个部门）" if shown < departments else "")
    chart.title = Title(overlay=False, tx=Text(rich=RichText(p=[Paragraph(
        pPr=ParagraphProperties(defRPr=text(1200, True)),
        r=[RegularTextRun(rPr=text(1200, True), t=caption)])])))
    chart.add_data(Reference(ws, min_col=2, max_col=5, min_row=1, max_row=shown + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=shown + 1))
    for series, colour in zip(chart.series, _ROLE_COLOURS):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    chart.x_axis.scaling.orientation = "maxMin"  # categories run down from the first row
    chart.x_axis.tickLblSkip = 1  # every department named, not every other one
    chart.x_axis.txPr, chart.y_axis.txPr = rich(800), rich(800)
    chart.x_axis.delete = chart.y_axis.delete = False  # else newer Excel hides the axes
    chart.y_axis.crosses = "max"  # the value axis at the bottom, under the last bar
    chart.y_axis.majorGridlines = None
    chart.legend.position = "b"
    chart.legend.txPr = rich(900)
    chart.width, chart.height = _chart_size(departments)
    return chart


# How 说明 names a source's format (``Source.format``), and back when it is read.
FORMAT_LABELS = {"text": "纯文本", "html": "网页", "docx": "Word文档", "xlsx": "Excel工作簿"}


def _notes_sheet(sheet: Sheet, plan: Plan, matrix: Matrix, labels: list[str],
                 generated_at: datetime, tool_version: str, page: Page) -> None:
    ws = sheet.ws
    sheet.widths([12, 60, 16, 24])
    print_setup(ws, landscape=False, page=page)
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


def _define(book: Book, name: str, sheet: Sheet, ref: str) -> None:
    """A workbook-wide defined name for a range of ``sheet`` (absolute ``ref``)."""
    book.wb.defined_names.add(DefinedName(name, attr_text=f"'{sheet.ws.title}'!{ref}"))

"""The printed page of every workbook kind: paper, margins and fit (``print_setup``), the page
header each page carries (``Page``: the plan and the date written), the banding and colour
scale of a table (``banding``, ``heat_scale``), the head of a list sheet (``list_head``) and the
texts of a 章节 cell and a date. Drawn on ``book``'s sheets; styles stay in ``book``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from ..pivot import Row
from ..records import Task
from .cells import MAX_ROW_HEIGHT, clean_text, column_letter

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# The functions taking an openpyxl sheet (``ws``) import openpyxl when called: ``book`` has
# imported it by then (with numpy hidden, see its docstring); ``xlsx`` draws the plan workbook
# with the texts and sizes here and imports no openpyxl at all.

PAPER_A3, PAPER_A4 = "8", "9"  # paperSize of a page set-up
BAND = "EEF3FA"  # every other table row (conditional formatting, so that sorting keeps it)
HEAT = ("FFFFFF", "F4A582")  # colour scale of the 合计 row and column: fewest → most tasks


class Page(NamedTuple):
    """What every printed page of a workbook says in its header."""

    title: str  # left
    date: str  # right, as 生成日期：…


def date_text(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def section_text(row: Row) -> str:
    return task_section_text(row.task)


def task_section_text(task: Task) -> str:
    """The 章节 cell: the section heading, and the （一） subheading on a second line."""
    return clean_text("\n".join(p for p in (task.section, task.subsection) if p))


# Column widths (characters of the default font; a Chinese character takes two).
MATRIX_ROW = 20.0  # points: the least height of a task row of the matrix
MARK_WIDTH = 3.6  # one stacked character of the vertical header, one mark
FIT_DEPARTMENTS = 60  # up to this many department columns print on one page width


def print_setup(ws: WriteOnlyWorksheet, *, landscape: bool, wide: bool = False,
                page: Page | None = None, centre: str | None = None,
                fit_width: bool = True) -> None:
    """Paper, margins, fit to the page width, and the page header and footer.

    The header shows the plan (left), ``centre`` (a department's list) and the generation
    date (right); the footer the sheet (left) and 第 N 页，共 M 页.
    """
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = PAPER_A3 if wide else PAPER_A4
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    if page is not None:
        if page.title:
            ws.oddHeader.left.text = page_header(page.title, 80)
        ws.oddHeader.right.text = page_header(f"生成日期：{page.date}", 40)
    if centre:
        ws.oddHeader.center.text = page_header(centre, 80)
    ws.oddFooter.left.text, ws.oddFooter.center.text = FOOTER


FOOTER = ("&A", "第 &P 页，共 &N 页")  # left: the sheet's name; centre: page N of M


def page_header(text: str, limit: int = 80) -> str:
    # "&" starts a control code in a page header; "&&" prints one. Excel refuses a header
    # longer than 255 characters in all, so each of its three parts gets at most ``limit``.
    text = clean_text(text)
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("&", "&&")


def banding(ws: WriteOnlyWorksheet, ref: str, head_row: int) -> None:
    """Light banding of every other row of ``ref``, counted from the header ``head_row``.

    Conditional formatting rather than cell fills: it costs nothing per cell (most cells of
    the matrix are never written) and stays regular when a user sorts or filters the rows.
    """
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", start_color=BAND, end_color=BAND)
    ws.conditional_formatting.add(
        ref, FormulaRule(formula=[f"MOD(ROW()-{head_row},2)=0"], fill=fill))


def heat_scale(ws: WriteOnlyWorksheet, ref: str) -> None:
    """A white → orange colour scale on the counts of ``ref``: the load at a glance."""
    from openpyxl.formatting.rule import ColorScaleRule

    ws.conditional_formatting.add(ref, ColorScaleRule(
        start_type="min", start_color=HEAT[0], end_type="max", end_color=HEAT[1]))


def list_head(sheet: Any, title: str, heads: Sequence[str], widths: Sequence[float], *,
              freeze: str, rows: int, page: Page, head_height: float = 22,
              landscape: bool = True, centre: str | None = None) -> str:
    """Widths, print set-up, filter, title banner and header row of a list sheet (a title in
    row 1, the header in row 2, ``rows`` rows below); returns the last cell of the list.
    ``sheet`` is a ``book.Sheet`` (not imported: book imports page)."""
    ws = sheet.ws
    sheet.widths(widths)
    last = f"{column_letter(len(heads))}{rows + 2}"
    ws.freeze_panes = freeze
    print_setup(ws, landscape=landscape, page=page, centre=centre)
    ws.print_title_rows = "2:2"
    ws.auto_filter.ref = f"A2:{last}"
    sheet.banner(title, "title", len(heads), height=24)
    sheet.text(*heads, style="head", height=head_height)
    return last


def stacked_height(names: Sequence[str], least: float = 30.0) -> float:
    """Points a header row of names in stacked vertical text (``head_vertical``) needs so that
    the longest is printed whole: 14.5 points a character of the 10-point heading font and 10
    for the cell's margins (13.5 a character cut 相关市（州）人民政府 to …人民政 when printed);
    at least ``least``, at most Excel's 409 — a longer name wraps into a second column of
    characters, as the style wraps."""
    longest = max((len(n) for n in names), default=2)
    return min(MAX_ROW_HEIGHT, max(least, 14.5 * longest + 10))

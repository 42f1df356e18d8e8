"""The shared machinery of every workbook dutymatrix writes: styles (:data:`LOOKS`), row
heights, the fast row writer, print set-up, banding and heat, the atomic save. The sheets
themselves are drawn by ``plan``, ``diff`` and ``lists``, which use only the public names here
(:class:`Book`, :class:`Sheet`, :func:`save_atomically`, :func:`print_setup`, :func:`list_head`,
:func:`clean_text`, …); a new workbook kind does the same.

This module imports openpyxl for the whole package (with numpy and Pillow hidden in a process of our own,
see below): the package ``__init__`` imports it first.

Two guarantees matter more than looks:

* **Every text is text.** Titles, task texts and department names come from documents the user
  did not write; a string such as ``=HYPERLINK(...)`` must stay a string. Cells are written as
  inline strings, never through openpyxl's value guessing (which turns any ``"=…"`` into a
  formula and ``"#N/A"`` into an error), and a text that a spreadsheet would re-read as a
  formula when edited (``= + - @``, tab, CR first) also gets Excel's quote prefix.
* **The output appears whole or not at all.** The workbook is saved to a temporary file in the
  target folder and moved into place with ``os.replace``; on any failure the temporary file is
  removed and an existing workbook is left untouched. A writer given a binary stream instead (a
  web download, a zip member) makes the workbook in memory and writes it in one ``write``.

Speed: sheets use openpyxl's write-only mode. openpyxl writes each cell through several
incremental-XML calls (about 20 µs a cell), which for a plan of 10,000 tasks × 200 departments
(some 200,000 cells) costs more than the whole time budget of 3 s. So rows are serialised by
:func:`_row_xml` into a temporary file and spliced into openpyxl's sheet stream by
:class:`package.RowWriter`; openpyxl still writes everything else (columns, panes, filter, print
settings, styles, the package). That leans on openpyxl internals (a write-only sheet's
``_writer``, ``WorksheetWriter.get_stream`` and ``write_rows``), so it is used only with the
openpyxl series it was tested on and with lxml (:data:`_FAST_ROWS`); otherwise rows go through
openpyxl's public ``append``, and the tests check that both paths give the same cells.

A workbook to hand out
----------------------
What a careful 办公厅 clerk would prepare, checked by rendering it in LibreOffice
(``tests/test_office.py``; the PNGs in ``docs/``):

* **Type.** 宋体 for text, 黑体 for headings, set by name with the GB2312 charset; 宋体 11 is also
  the workbook's default font (:func:`_default_font`), which spreadsheet programs measure
  column widths in.
* **Above each table** a title row (the plan's name, 黑体 16) and, on 矩阵, a line with the
  generation date, source and counts, any notice, and the legend: each merged across the
  table's width and wrapped there (:meth:`Sheet.banner`), so that nothing runs off the page.
* **矩阵**: department names stacked vertically (rotation 255) in columns 3.6 characters wide,
  so that 40 departments fit the width of one A3 landscape page (A4 up to 20; beyond 60 the
  pages go side by side, each repeating the task columns, rather than shrinking to
  illegibility); marks centred; task rows at least 20 points high.
* **Row heights** are computed, since openpyxl sets none and Excel keeps what the file says:
  :func:`_row_height` estimates the lines of every wrapped cell from its display width (a
  Chinese character counts two) and the column width. It is cheap (a length, and an encode
  for a text longer than one line: about 0.1 s for the 分工表 of 10,000 tasks), so it is done
  for every row of every size.
* **Banding and heat** are conditional formatting: a light band on every other row
  (``MOD(ROW()-header,2)=0``: free per cell, and still regular after a sort) and a white →
  orange colour scale on the 合计 row (department load) and column. 部门统计 adds a stacked bar
  chart of the 25 busiest departments by role.
* **Printing**: landscape (说明, 概要 and the index portrait), fit to the page width, the
  header row(s) repeated on every page, a print area on 矩阵 that leaves out the hidden
  columns and records; page header with the plan (left), a department's name (centre, its
  task list) and the date (right); footer with the sheet and 第 N 页，共 M 页.
* **Sorting and filtering without breaking the layout**: an autofilter over each table, plus
  the workbook-wide defined names 任务矩阵 and 任务分工 over header and task rows. Not an Excel
  table: a table brings its own autofilter (Excel calls a sheet with both damaged), its own
  style that would fight the banding, forbids merged cells in its range, and WPS and
  LibreOffice keep table features unevenly; a named range and a sheet autofilter behave the
  same in all three.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .. import _own_process
from ..i18n import _

# openpyxl imports numpy, when it is installed, only to accept numpy numbers in cells: that is
# 40% of openpyxl's import time (~130 of ~330 ms here), paid by every ``build``. dutymatrix
# never writes a numpy value (diff turns its scores into Python numbers), so in a process of
# its own (``matrix._own_process``: single-threaded at this point, nobody else's workbooks)
# openpyxl is imported with numpy hidden; numpy stays importable for everything else.
# Pillow likewise: openpyxl imports it only to put pictures in a sheet or read them from one
# (~20 ms more at every start). dutymatrix draws no picture, and a workbook it reads back (a
# return, a 汇总) has its pictures dropped instead of decoded by Pillow: openpyxl's own
# behaviour without Pillow, and less of an untrusted file parsed.
_HIDDEN = [name for name in ("numpy", "PIL") if _own_process and name not in sys.modules]
for _name in _HIDDEN:
    sys.modules[_name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
try:
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.cell.rich_text import CellRichText
    from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.indexed_list import IndexedList
    from openpyxl.worksheet.worksheet import Worksheet
    from openpyxl.xml.functions import tostring

    from . import package  # the fast package writer: openpyxl internals
finally:
    for _name in _HIDDEN:
        del sys.modules[_name]

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..records import Plan, Role
from ..text.safe import strip_bidi


MARKS = {Role.lead: "★", Role.responsible: "●", Role.support: "○", Role.guide: "◇"}
LEGEND = "图例：★ 牵头　● 负责　○ 参与/配合　◇ 指导　"

MAX_CELL_TEXT = 32767  # Excel's limit on characters in one cell
# Characters XML 1.0 cannot carry (lxml refuses them); tab, LF and CR are allowed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_LINE_SPACING = 1.35  # points of row height per point of font size, per line of text
_ONE_LINE = 15.0  # the default row height (points): enough for one line of a 10–11 pt font
MAX_ROW_HEIGHT = 409.0  # Excel's limit
_DEFAULT_ROOM = 8.43 - 0.5  # display units of a line of a column without a width of its own

BODY = "宋体"
HEADING = "黑体"
GB2312 = 134  # font charset: tells Excel these are Chinese fonts
GREY = "808080"

# Rows go through package.RowWriter only with the openpyxl series it was written against
# (module doc).
_FAST_ROWS = package.FAST


def sent_out_path(path: str, record_path: bool = False) -> str:
    """How a workbook names a source file: its name only (``plan.txt``), or with
    ``record_path`` its absolute path. Standard input (``<stdin>``) stays as it is."""
    if path.startswith("<") or not path:
        return path
    if record_path:
        return str(Path(path).absolute())
    return Path(path).name or path


def sent_out(plan: Plan, record_path: bool = False) -> Plan:
    """``plan`` with its source named as a workbook that is sent out may name it
    (:func:`sent_out_path`): the SHA-256 identifies the file, the name tells a reader which it
    is, and no folder (a user name, an office's folder structure) leaves the machine."""
    source = plan.source
    path = sent_out_path(source.path, record_path)
    if path == source.path:
        return plan
    return replace(plan, source=replace(source, path=path))


def save_atomically(path: str | os.PathLike[str] | IO[bytes], sheet_titles: Sequence[str],
                    fill: Callable[[Book], None],
                    finish: Callable[[Any], None] | None = None) -> Any:
    """Create a workbook of ``sheet_titles``, ``fill`` it, save it to ``path`` (or a stream) whole
    or not at all and return ``path``; ``finish`` may touch up the saved file first.
    ``MatrixOutputError`` for a missing or unwritable folder or a file that cannot be replaced."""
    from ..safety.writes import replace_atomically

    book = Book(sheet_titles)

    def write(temp: Path | IO[bytes]) -> None:
        fill(book)
        book.save(temp)
        if finish is not None:
            finish(temp)

    try:
        if hasattr(path, "write"):
            write(buffer := io.BytesIO())
            path.write(buffer.getbuffer())
            return path
        return replace_atomically(path, write, suffix=".xlsx",
                                  hint=_(" (is the file open in another program?)"))
    finally:
        book.close()


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class Look:
    """How a cell looks; registered once per workbook as a :class:`Style`."""

    font: Font
    alignment: Alignment | None = None
    fill: PatternFill | None = None
    border: Border | None = None
    protection: Protection | None = None  # Protection(locked=False): open on a protected sheet


class Style:
    """A look registered in one workbook: style ids for plain and quote-prefixed text.

    ``wrap`` and ``line`` (points per line of text) are what :meth:`Sheet.append` needs to
    size a row for wrapped text.
    """

    __slots__ = ("id", "quoted_id", "plain", "quoted", "wrap", "line")

    def __init__(self, look: Look, ws: WriteOnlyWorksheet) -> None:
        # Two cells: openpyxl keeps the registered style array itself, so it must not change.
        plain, quoted = _styled_cell(ws, look), _styled_cell(ws, look, quoted=True)
        self.id, self.quoted_id = str(plain.style_id), str(quoted.style_id)
        self.plain, self.quoted = plain._style, quoted._style  # shared by cells, never changed
        self.wrap = bool(look.alignment is not None and look.alignment.wrap_text)
        self.line = (look.font.sz or 11) * _LINE_SPACING


def _styled_cell(ws: WriteOnlyWorksheet, look: Look, quoted: bool = False) -> Any:
    cell = WriteOnlyCell(ws)
    cell.font = look.font
    if look.alignment is not None:
        cell.alignment = look.alignment
    if look.fill is not None:
        cell.fill = look.fill
    if look.border is not None:
        cell.border = look.border
    if look.protection is not None:
        cell.protection = look.protection
    if quoted:
        cell.quotePrefix = True
    return cell


def make_font(name: str = BODY, size: float = 10, **kw: Any) -> Font:
    return Font(name=name, size=size, charset=GB2312, **kw)


_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="center")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_MIDDLE = Alignment(horizontal="center", vertical="center")

LOOKS = {
    # Lines above a table: merged across its width and wrapped there (Sheet.banner).
    "title": Look(make_font(HEADING, 16), _WRAP),
    "info": Look(make_font(color="404040"), _WRAP),
    "notice": Look(make_font(HEADING, 11, color="C00000"), _WRAP),
    "legend": Look(make_font(), _WRAP),
    "head": Look(make_font(HEADING), _CENTRE, _HEAD_FILL, _BOX),
    # Stacked vertical text (rotation 255) keeps 200 department columns narrow.
    "head_vertical": Look(make_font(HEADING), Alignment(horizontal="center", vertical="top",
                                                        text_rotation=255, wrap_text=True),
                          _HEAD_FILL, _BOX),
    "text": Look(make_font(), _WRAP),
    "text_top": Look(make_font(), _WRAP_TOP, None, _BOX),
    "number": Look(make_font(), _MIDDLE),
    "number_box": Look(make_font(), Alignment(horizontal="center", vertical="top"), None, _BOX),
    "mark": Look(make_font(size=11), _MIDDLE),
    "mark_inherited": Look(make_font(size=11, italic=True, color=GREY), _MIDDLE),
    "total": Look(make_font(HEADING), _MIDDLE, _TOTAL_FILL, _BOX),
    "full_text": Look(make_font()),
    "key": Look(make_font(HEADING), _WRAP_TOP),
    "value": Look(make_font(), Alignment(horizontal="left", vertical="top", wrap_text=True)),
    # Not wrapped: runs on over the empty cells to its right.
    "value_flow": Look(make_font(), Alignment(horizontal="left", vertical="top")),
}


# --------------------------------------------------------------------------- streaming rows

# One cell of a row: (1-based column, value, style). Value is str, CellRichText, int or None
# (None or "" writes an empty cell that still carries its style, e.g. a border). Columns ascend.
RowCell = tuple[int, Any, "Style | None"]


def clean_text(text: str) -> str:
    """Text as a cell can hold it: no XML-illegal characters, no bidi control (a cell must
    not show its text in another order), at most 32,767 characters."""
    text = strip_bidi(NOT_XML.sub("", text))
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT - 1] + "…"
    return text


def _room(width: float) -> float:
    """Display units (a Chinese character is two) one line of a column ``width`` wide holds.

    A column width counts digits of the default font (宋体 11, see :func:`_default_font`); a
    Chinese character of a 10–11 pt font is as wide as two of them, a Latin letter or digit
    about one. Less half a digit of padding (Excel's, with 宋体; LibreOffice fits a little
    more).
    """
    return max(2.0, width - 0.5)


def _lines(text: str, room: float) -> int:
    """Lines ``text`` takes when wrapped in a column whose lines hold ``room`` units.

    The display width is the number of characters plus one more for every character outside
    ASCII, which the UTF-8 length gives without a Python loop per character (two more bytes
    per CJK character); each LF starts a line.
    """
    lines = 0
    for part in text.split("\n"):
        n = len(part)
        units = n + (len(part.encode("utf-8", "surrogatepass")) - n) / 2
        lines += max(1, -int(-units // room))
    return lines


def _row_height(cells: Sequence[RowCell], rooms: dict[int, float]) -> float | None:
    """Points a row needs to show all its wrapped text, or None when one line is enough.

    An estimate (openpyxl, and Excel when it opens a file, size no rows): the wrapped cell
    needing the most lines times the line height of its font (1.35 × the size, as 宋体 in
    Excel; LibreOffice's Noto CJK stand-in needs a little less), plus padding; at most
    Excel's 409 points. ``rooms`` is :func:`_room` per column. Cheap enough for every row of a
    10,000-task plan: a text short enough for one line costs a length, a longer one an encode
    (about 15 ms per 1,000 rows of 分工表).
    """
    best = 0.0
    for column, value, style in cells:
        if style is None or not value or not style.wrap:
            continue
        if type(value) is not str:
            if not isinstance(value, CellRichText):
                continue
            value = str(value)
        room = rooms.get(column, _DEFAULT_ROOM)
        if len(value) * 2 <= room and "\n" not in value:
            need = style.line
        else:
            need = _lines(value, room) * style.line
        if need > best:
            best = need
    if best <= _ONE_LINE:
        return None
    return min(MAX_ROW_HEIGHT, round(best + 4, 1))


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A literal CR would come back as LF (XML end-of-line handling); a character reference won't.
    return text.replace("\r", "&#13;") if "\r" in text else text


_LETTERS = [""]  # column number → letters, grown on demand


def _letters(columns: int) -> list[str]:
    if len(_LETTERS) <= columns:
        _LETTERS.extend(get_column_letter(i) for i in range(len(_LETTERS), columns + 1))
    return _LETTERS


def _row_xml(row_idx: int, cells: Sequence[RowCell], height: float | None,
             hidden: bool = False) -> str:
    """One ``<row>`` of SpreadsheetML; every string is an inline string, never a formula."""
    r = str(row_idx)
    attrs = f' ht="{height}" customHeight="1"' if height else ""
    if hidden:
        attrs += ' hidden="1"'
    parts = [f'<row r="{r}"{attrs}>']
    letters = _letters(cells[-1][0] if cells else 0)
    for column, value, style in cells:
        ref = letters[column] + r
        if isinstance(value, str) and value:
            s = "" if style is None else (
                f' s="{style.quoted_id if value.startswith(_FORMULA_START) else style.id}"')
            space = ' xml:space="preserve"' if value != value.strip() else ""
            parts.append(
                f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>')
            continue
        s = "" if style is None else f' s="{style.id}"'
        if value is None or value == "":
            parts.append(f'<c r="{ref}"{s}/>')
        elif isinstance(value, CellRichText):
            rich = tostring(value.to_tree(), encoding="unicode")
            parts.append(f'<c r="{ref}"{s} t="inlineStr">{rich}</c>')
        elif isinstance(value, int) and not isinstance(value, bool):
            parts.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
        else:
            raise TypeError(f"cannot write {value!r} to a cell")
    parts.append("</row>")
    return "".join(parts)


class Sheet:
    """A write-only worksheet fed with sparse rows of ``(column, value, style)``.

    Set the sheet's columns, views and print settings before the first row: openpyxl's own
    path (``_FAST_ROWS`` false) writes them when the first row arrives.
    """

    def __init__(self, book: Book, title: str) -> None:
        self.book = book
        self.ws: WriteOnlyWorksheet = book.wb.create_sheet(title)
        self.rows = 0  # rows written so far
        self.fit = True  # size rows to their wrapped text (see append)
        self.min_height: float | None = None  # points, for rows sized by append
        self._widths: dict[int, float] = {}
        self._rooms: dict[int, float] = {}  # column → _room(width)
        # In memory up to 4 MB (a plan of a few hundred tasks: no file at all, which on a busy
        # disk saves a batch a few ms per sheet), then an anonymous temporary file: gone when
        # closed or when the process dies.
        self._xml: IO[bytes] | None = (
            tempfile.SpooledTemporaryFile(max_size=package.ROWS_IN_MEMORY) if _FAST_ROWS else None)

    def widths(self, widths: Iterable[float], hidden: Iterable[int] = ()) -> None:
        """Column widths in characters."""
        for i, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
            self._widths[i] = width
            self._rooms[i] = _room(width)
        for i in hidden:
            self.ws.column_dimensions[get_column_letter(i)].hidden = True

    def append(self, cells: Sequence[RowCell], height: float | None = None,
               hidden: bool = False) -> int:
        """Write the next row; return its 1-based number.

        Without a ``height``, a row whose wrapped text needs more than one line gets the height
        :func:`_row_height` estimates (Excel and WPS keep the height a file gives, and openpyxl
        computes none), unless :attr:`fit` is off.
        """
        if height is None and self.fit:
            height = _row_height(cells, self._rooms)
            if self.min_height is not None and (height is None or height < self.min_height):
                height = self.min_height
        self.rows += 1
        if self._xml is not None:
            self._xml.write(_row_xml(self.rows, cells, height, hidden).encode())
        else:
            if height is not None:
                self.ws.row_dimensions[self.rows].height = height
            if hidden:
                self.ws.row_dimensions[self.rows].hidden = True
            self.ws.append(self._dense(cells))
        return self.rows

    def banner(self, value: Any, style: str, last: int, height: float = _ONE_LINE, *,
               first: int = 1, before: Sequence[RowCell] = ()) -> int:
        """A line above a table: one cell merged over columns ``first`` to ``last`` (the
        table's width), its text wrapped there, so that nothing runs past the printed page.
        ``before`` are cells left of ``first``.

        Merged cells sit outside the autofilter range and the defined names, so sorting and
        filtering never meet them. The row is at least ``height`` points.
        """
        look = self.book.style(style)
        width = sum(self._widths.get(c, _DEFAULT_ROOM + 0.5) for c in range(first, last + 1))
        text = str(value)
        need = _lines(text, _room(width)) * look.line + 4 if text else 0
        row = self.append([*before, (first, value, look)],
                          height=min(MAX_ROW_HEIGHT, max(height, need)))
        if last > first:
            self.ws.merged_cells.add(
                f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")
        return row

    def text(self, *values: Any, style: str = "text", height: float | None = None) -> int:
        """Write a row of values from column A on, all in one style."""
        look = self.book.style(style)
        cells = [(i, v, look) for i, v in enumerate(values, 1) if v is not None]
        return self.append(cells, height)

    def finish(self) -> None:
        """Hand the rows to openpyxl; the sheet's settings are final from here on."""
        if self._xml is not None:
            self.ws._writer = package.RowWriter(self.ws, self._xml)
            self.ws._writer.write_top()

    def close(self) -> None:
        """Drop the serialised rows."""
        if self._xml is not None:
            self._xml.close()

    def _dense(self, cells: Sequence[RowCell]) -> list[Any]:
        # openpyxl's public path: styled cells whose data type is forced after assignment.
        row: list[Any] = [None] * (cells[-1][0] if cells else 0)
        for column, value, style in cells:
            quoted = isinstance(value, str) and value.startswith(_FORMULA_START)
            cell = WriteOnlyCell(self.ws) if style is None else Cell(
                self.ws, row=1, column=1, style_array=style.quoted if quoted else style.plain)
            if value is not None and value != "":
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula or an error, whatever it starts with
            row[column - 1] = cell
        return row


def _default_font(wb: Workbook) -> None:
    """Make 宋体 11 the workbook's default font (the Normal style), as in a Chinese Excel.

    Spreadsheet programs measure column widths in digits of this font and give empty cells
    its look. openpyxl's default is Calibri, which LibreOffice replaces on a machine without
    it by a wider font, making every column wider than in Excel. No public API sets it: font
    0 and the Normal style are replaced before any other style is registered.
    """
    font = make_font(BODY, 11)
    fonts = getattr(wb, "_fonts", None)
    if fonts is not None and len(fonts) == 1:
        wb._fonts = type(fonts)([font])
        for style in wb._named_styles:
            if style.name == "Normal":
                style.font = font


class Book:
    """A write-only workbook with its sheets created in order and its styles registered."""

    def __init__(self, sheet_titles: Sequence[str]) -> None:
        self.wb = Workbook(write_only=True)
        self.wb._dutymatrix_book = True  # its stylesheet may be one built before (package)
        _default_font(self.wb)
        self.sheets = {title: Sheet(self, title) for title in sheet_titles}
        self._anchor = self.sheets[sheet_titles[0]].ws
        self._styles: dict[str | Look, Style] = {}
        self._order: tuple[str, ...] | None = ()  # the LOOKS registered so far, in order

    def style(self, name: str | Look) -> Style:
        """The style called ``name`` (a key of ``LOOKS``) or of a look, registered on first
        use."""
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self._register(name)
        return style

    def _register(self, name: str | Look) -> Style:
        """Register a look, or replay what registering it did in a workbook of this process
        that had registered the same LOOKS before it, in the same order (see _REPLAYS)."""
        look = LOOKS[name] if isinstance(name, str) else name
        if self._order is None or not isinstance(name, str) or not _FAST_ROWS:
            self._order = None  # another kind of look: registered the ordinary way from here
            return Style(look, self._anchor)
        key = self._order = (*self._order, name)
        wb = self.wb
        sizes = tuple(len(getattr(wb, table)) for table in _STYLE_TABLES)
        kept = _REPLAYS.get(key)
        if kept is not None and kept[2] == sizes:
            style, tables, _ = kept
            for table, items in zip(_STYLE_TABLES, tables):
                setattr(wb, table, IndexedList(items))
            return style
        style = Style(look, self._anchor)
        if kept is None and len(_REPLAYS) < _REPLAYS_KEPT:
            _REPLAYS[key] = (style, tuple(tuple(getattr(wb, t)) for t in _STYLE_TABLES), sizes)
        return style

    def save(self, path: Path | IO[bytes]) -> None:
        """Save to ``path`` or a stream; the sheets cannot be written to afterwards."""
        for sheet in self.sheets.values():
            sheet.finish()
        if _FAST_ROWS:
            package.save(self.wb, path)
        else:
            self.wb.save(path)

    def close(self) -> None:
        """Release the temporary files of the sheets."""
        for sheet in self.sheets.values():
            sheet.close()


# Registering a look (two cells given its font, fill, border … so that openpyxl files them in
# the workbook's style tables) costs ~2 ms a workbook, as openpyxl hashes its style objects in
# full; what it does to the tables is the same in every workbook that registered the same LOOKS
# before, in the same order, from the same start (a new Book). So a Book replays it: the tables
# as they were after that registration (their items are never changed: openpyxl copies a
# cell's style) and the same Style (ids and style arrays). Keyed by the whole sequence; a table
# of another size than it had there (something else registered a style) means the ordinary way.
_STYLE_TABLES = ("_fonts", "_fills", "_borders", "_alignments", "_protections", "_cell_styles")
_REPLAYS: dict[tuple[str, ...], tuple[Style, tuple[tuple, ...], tuple[int, ...]]] = {}
_REPLAYS_KEPT = 256


# --------------------------------------------------------------------------- helpers


def utc_naive(moment: datetime) -> datetime:
    # Workbook properties hold UTC without a zone; a naive datetime is taken as local time.
    return moment.astimezone(timezone.utc).replace(tzinfo=None)

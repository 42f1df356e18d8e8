"""The openpyxl machinery of the workbooks dutymatrix writes through openpyxl: styles
(:data:`LOOKS`, made from ``cells.LOOK_SPECS``), the fast row writer, the atomic save. The
sheets themselves are drawn by ``diff``, ``lists``, ``returns`` and ``summary``, which use only the
public names here (:class:`Book`, :class:`Sheet`, :func:`save_atomically`, :func:`clean_text`,
…) and ``page``'s; a new workbook kind does the same. What needs no openpyxl (cell text, row
heights, row XML, the rows of a sheet) is in ``cells``, shared with ``xlsx``, our own writer,
which writes the plan workbook (``plan``) without openpyxl; ``plan._write_with_openpyxl`` draws
it on a :class:`Book` here instead, the reference its parts are compared with.

This module imports openpyxl for the whole package (with numpy and Pillow hidden in a process of our own,
see below): the package ``__init__`` imports it before any module that uses openpyxl.

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

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from .. import _own_process

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

from . import cells
# What every writer shares, from ``cells`` (no openpyxl there); named here too for the
# workbook modules drawn on this one.
from .cells import (BODY, GB2312, GREY, HEADING, LEGEND, MARKS, MAX_CELL_TEXT, MAX_ROW_HEIGHT,
                    NOT_XML, RowCell, clean_text, sent_out, sent_out_path, utc_naive)
from .cells import DEFAULT_ROOM as _DEFAULT_ROOM, FORMULA_START as _FORMULA_START
from .cells import LINE_SPACING as _LINE_SPACING, ONE_LINE as _ONE_LINE
from .cells import escape as _escape, letters as _letters, lines as _lines, room as _room
from .cells import row_height as _row_height


# Rows go through package.RowWriter only with the openpyxl series it was written against
# (module doc).
_FAST_ROWS = package.FAST


def save_atomically(path: str | os.PathLike[str] | IO[bytes], sheet_titles: Sequence[str],
                    fill: Callable[[Book], None],
                    finish: Callable[[Any], None] | None = None) -> Any:
    """``cells.save_atomically`` with an openpyxl :class:`Book`: create a workbook of
    ``sheet_titles``, ``fill`` it, save it to ``path`` (or a stream) whole or not at all."""
    return cells.save_atomically(path, sheet_titles, fill, finish, book_type=Book)


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


def _openpyxl_look(spec: cells.LookSpec) -> Look:
    """A look by value (``cells.LOOK_SPECS``) as openpyxl styles, setting only what it sets."""
    f = spec.font
    font = make_font(f.name, f.size, **({"bold": True} if f.bold else {}),
                     **({"italic": True} if f.italic else {}),
                     **({"color": f.color} if f.color else {}))
    align = None
    if spec.aligned:
        align = Alignment(**{k: v for k, v in (
            ("horizontal", spec.horizontal), ("vertical", spec.vertical),
            ("text_rotation", spec.rotation), ("wrap_text", spec.wrap or None)) if v})
    side = Side(style="thin", color=spec.border) if spec.border else None
    return Look(font, align, PatternFill("solid", fgColor=spec.fill) if spec.fill else None,
                Border(left=side, right=side, top=side, bottom=side) if side else None)


LOOKS = {name: _openpyxl_look(spec) for name, spec in cells.LOOK_SPECS.items()}


# --------------------------------------------------------------------------- streaming rows

def _openpyxl_rich(value: Any) -> str:
    if not isinstance(value, CellRichText):
        raise TypeError(f"cannot write {value!r} to a cell")
    return tostring(value.to_tree(), encoding="unicode")


def _row_xml(row_idx: int, cells_: Sequence[RowCell], height: float | None,
             hidden: bool = False) -> str:
    """One ``<row>`` (``cells.row_xml``), openpyxl's rich text written too."""
    return cells.row_xml(row_idx, cells_, height, hidden, _openpyxl_rich)


class Sheet(cells.Rows):
    """A write-only worksheet fed with sparse rows of ``(column, value, style)``
    (``cells.Rows``: heights, banners, widths).

    Set the sheet's columns, views and print settings before the first row: openpyxl's own
    path (``_FAST_ROWS`` false) writes them when the first row arrives. The settings methods
    (:meth:`freeze`, :meth:`print_setup` …) are those of ``xlsx.Sheet``, so that the plan
    workbook is drawn by the same code on either.
    """

    def __init__(self, book: Book, title: str) -> None:
        super().__init__()
        self.book = book
        self.ws: WriteOnlyWorksheet = book.wb.create_sheet(title)
        # In memory up to 4 MB (a plan of a few hundred tasks: no file at all, which on a busy
        # disk saves a batch a few ms per sheet), then an anonymous temporary file: gone when
        # closed or when the process dies.
        self._xml: IO[bytes] | None = (
            tempfile.SpooledTemporaryFile(max_size=package.ROWS_IN_MEMORY) if _FAST_ROWS else None)

    @property
    def title(self) -> str:
        return self.ws.title

    def _columns(self, widths: dict[int, float], hidden: set[int]) -> None:
        for i, width in widths.items():
            self.ws.column_dimensions[get_column_letter(i)].width = width
        for i in sorted(hidden):
            self.ws.column_dimensions[get_column_letter(i)].hidden = True

    def _write(self, row: int, cells_: Sequence[RowCell], height: float | None,
               hidden: bool) -> None:
        if self._xml is not None:
            self._xml.write(_row_xml(row, cells_, height, hidden).encode())
            return
        if height is not None:
            self.ws.row_dimensions[row].height = height
        if hidden:
            self.ws.row_dimensions[row].hidden = True
        self.ws.append(self._dense(cells_))

    def _merge(self, first: int, last: int, row: int) -> None:
        self.ws.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")

    # the settings the plan workbook draws with (as ``xlsx.Sheet``'s)

    def freeze(self, cell: str) -> None:
        self.ws.freeze_panes = cell

    def print_setup(self, **kw: Any) -> None:
        from .page import print_setup

        print_setup(self.ws, **kw)

    def print_titles(self, rows: str, cols: str | None = None) -> None:
        self.ws.print_title_rows = rows
        if cols:
            self.ws.print_title_cols = cols

    def print_area(self, ref: str) -> None:
        self.ws.print_area = ref

    def grid_lines(self) -> None:
        self.ws.print_options.gridLines = True

    def filter(self, ref: str) -> None:
        self.ws.auto_filter.ref = ref

    def banding(self, ref: str, head_row: int) -> None:
        from .page import banding

        banding(self.ws, ref, head_row)

    def heat_scale(self, ref: str) -> None:
        from .page import heat_scale

        heat_scale(self.ws, ref)

    def chart(self, chart: Any, anchor: str) -> None:
        """Put ``chart`` (``chart.LoadChart``) on the sheet at ``anchor``."""
        self.ws.add_chart(chart.openpyxl(), anchor)

    def finish(self) -> None:
        """Hand the rows to openpyxl; the sheet's settings are final from here on."""
        if self._xml is not None:
            self.ws._writer = package.RowWriter(self.ws, self._xml)
            self.ws._writer.write_top()

    def close(self) -> None:
        """Drop the serialised rows."""
        if self._xml is not None:
            self._xml.close()

    def _dense(self, row_cells: Sequence[RowCell]) -> list[Any]:
        # openpyxl's public path: styled cells whose data type is forced after assignment.
        row: list[Any] = [None] * (row_cells[-1][0] if row_cells else 0)
        for column, value, style in row_cells:
            quoted = isinstance(value, str) and value.startswith(_FORMULA_START)
            if isinstance(value, cells.Rich):
                value = value.openpyxl()
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

    def set_properties(self, **props: Any) -> None:
        """The document's properties (``title``, ``creator``, ``description``, ``created``)."""
        for name, value in props.items():
            setattr(self.wb.properties, name, value)

    def define(self, name: str, sheet: Sheet, ref: str) -> None:
        """A workbook-wide defined name for a range of ``sheet`` (absolute ``ref``)."""
        from openpyxl.workbook.defined_name import DefinedName

        self.wb.defined_names.add(DefinedName(name, attr_text=f"'{sheet.ws.title}'!{ref}"))

    def save(self, path: Any) -> None:
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

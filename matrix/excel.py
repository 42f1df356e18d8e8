"""Plans as Excel workbooks: write them (矩阵, 分工表, 部门统计, 说明), read them back, write one
department's task list and the index of a split, and the changes between two versions of a
plan (:func:`write_diff_workbook`: 概要, 任务变化, 部门变化, 矩阵对比).

The only module that imports openpyxl (it reads with python-calamine where it can, see
below), and the only place that makes formatting decisions.

Two guarantees matter more than looks:

* **Every text is text.** Titles, task texts and department names come from documents the user
  did not write; a string such as ``=HYPERLINK(...)`` must stay a string. Cells are written as
  inline strings, never through openpyxl's value guessing (which turns any ``"=…"`` into a
  formula and ``"#N/A"`` into an error), and a text that a spreadsheet would re-read as a
  formula when edited (``= + - @``, tab, CR first) also gets Excel's quote prefix.
* **The output appears whole or not at all.** The workbook is saved to a temporary file in the
  target folder and moved into place with ``os.replace``; on any failure the temporary file is
  removed and an existing workbook is left untouched.

Speed: sheets use openpyxl's write-only mode. openpyxl writes each cell through several
incremental-XML calls (about 20 µs a cell), which for a plan of 10,000 tasks × 200 departments
(some 200,000 cells) costs more than the whole time budget of 3 s. So rows are serialised by
:func:`_row_xml` into a temporary file and spliced into openpyxl's sheet stream by
:class:`_RowWriter`; openpyxl still writes everything else (columns, panes, filter, print
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
  table's width and wrapped there (:meth:`_Sheet.banner`), so that nothing runs off the page.
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

Reading a workbook
------------------
:func:`read_workbook` turns a workbook written by :func:`write_workbook` back into a ``Plan``,
with whatever a person changed in Excel or WPS since (a mark added, removed or changed, a row
deleted, inserted, sorted or renumbered, a title edited).

* **The 矩阵 sheet is the truth** for tasks and assignments. Each row with a 编号 or 任务 is a
  task; each marked department column an assignment (the column header is the department).
  ★ ● ○ ◇ and the role words (牵头 负责 参与 配合 指导 …, :data:`MARK_WORDS`) are read as
  their role; any other mark (√, x, 1) as 负责 with a warning naming the cell. A header the
  workbook did not have (a column a person added) goes through the department registry.
* **What cells cannot say travels in hidden records.** Below the 合计 row, in hidden rows of a
  hidden column after 任务全文, the writer leaves JSON (:func:`_records_json`): the source, the
  documents (title, 文号, rules, warnings) and per task its 序号, fingerprints of its 编号,
  title and text, section and subsection, line, deadline, scope, trailer and every assignment
  with its flags. They sit outside the autofilter range, so that sorting and deleting task rows
  never moves them, and each row finds its own record by 序号 and fingerprint
  (:func:`_match_records`), never by position.
* **Inherited marks**: a mark still showing the role it was written with gets back every
  assignment it stood for (``inherited``, ``lead_by_rule``, the printed name); a mark a person
  changed is a plain assignment (no longer inherited). Fonts are not read: a grey italic cell
  someone typed a new mark into is still grey and italic, but no longer inherited.
* **Deadlines** are edited in 分工表 (完成时限), so that is where they are read, by 序号, 编号 and
  title — but only once the file has been saved by another program: the writer signs the zip
  with the CRC-32 of the 分工表 part (:func:`_sign`), and while the signature holds the records
  say the same and the sheet is not parsed. Everything else in 分工表, 部门统计 and 说明 is a
  view and not read (说明 only for the source of a workbook without records).
* ``plan.source`` is the workbook (``format="xlsx"``, SHA-256 of its bytes), so that a filter
  over workbooks names the file the user gave; the plan file it was built from is
  :attr:`WorkbookContents.origin` (:func:`read_workbook_contents`).
* **Untrusted input.** Before any XML is read the zip's end record, directory and every member
  are checked against :data:`MAX_ENTRIES` (10,000), :data:`MAX_UNCOMPRESSED` (200 MB in all,
  and for the file itself), :data:`MAX_DIRECTORY` (16 MB) and :data:`MAX_RATIO` (100:1 for a
  member over 1 MB); encrypted members and compression other than deflate are refused; each
  XML member is inflated once in
  1 MB steps to prove it holds no more than it declares (a reader in another language may not
  stop at the declared size). Values are read with python-calamine (5–20× faster than
  openpyxl), whose XML parser expands no DTD entities; without it, with openpyxl, which parses
  through defusedxml (``openpyxl.DEFUSEDXML``). Every failure is a
  :class:`~matrix.errors.MatrixInputError` naming the file, and the sheet where known.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from itertools import compress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from . import _own_process

# openpyxl imports numpy, when it is installed, only to accept numpy numbers in cells: that is
# 40% of openpyxl's import time (~130 of ~330 ms here), paid by every ``build``. dutymatrix
# never writes a numpy value (diff turns its scores into Python numbers), so in a process of
# its own (``matrix._own_process``: single-threaded at this point, nobody else's workbooks)
# openpyxl is imported with numpy hidden; numpy stays importable for everything else.
_HIDE_NUMPY = _own_process and "numpy" not in sys.modules
if _HIDE_NUMPY:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
try:
    import openpyxl
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.worksheet import Worksheet
    from openpyxl.xml import LXML
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import tostring, xmlfile

    try:  # a private module: only the fast row path needs it
        from openpyxl.worksheet._writer import WorksheetWriter
    except ImportError:  # pragma: no cover
        WorksheetWriter = object
finally:
    if _HIDE_NUMPY:
        del sys.modules["numpy"]

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from .diff import DiffEntry, PlanDiff, TaskRef
    from .filter import TaskHit

from . import __version__
from .errors import MatrixError, MatrixInputError, unreadable
from .i18n import N_, _
from .messages import title as kind_title
from .records import ROLE_RANK, Assignment, Document, ParseWarning, Plan, Role, Source, Task
from .pivot import Matrix, Row, build_matrix, department_counts

__all__ = ["DIFF_SHEET_NAMES", "MARKS", "MARK_WORDS", "MAX_ENTRIES", "MAX_RATIO",
           "MAX_UNCOMPRESSED", "NO_ASSIGNMENTS", "SHEET_NAMES", "WorkbookContents",
           "read_workbook", "read_workbook_contents", "write_diff_workbook", "write_index",
           "write_task_list", "write_workbook"]

SHEET_NAMES = ("矩阵", "分工表", "部门统计", "说明")
MARKS = {Role.lead: "★", Role.responsible: "●", Role.support: "○", Role.guide: "◇"}
NO_ASSIGNMENTS = "本文件未列明责任单位，任务已列出，可手工填写分工"
NO_TASKS = "本文件未识别出任务条款"
INHERITED_SUFFIX = "（统一规定）"  # after a department name in 分工表
LEGEND = "图例：★ 牵头　● 负责　○ 参与/配合　◇ 指导　"
LEGEND_INHERITED = ("灰色斜体（承）", "：继承自文件统一规定")
LEGEND_HEAT = "　合计：底色越深，任务越多"

_MAX_CELL_TEXT = 32767  # Excel's limit on characters in one cell
# Characters XML 1.0 cannot carry (lxml refuses them); tab, LF and CR are allowed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_LINE_SPACING = 1.35  # points of row height per point of font size, per line of text
_ONE_LINE = 15.0  # the default row height (points): enough for one line of a 10–11 pt font
_MAX_ROW_HEIGHT = 409.0  # Excel's limit
_DEFAULT_ROOM = 8.43 - 0.5  # display units of a line of a column without a width of its own

_BODY = "宋体"
_HEADING = "黑体"
_GB2312 = 134  # font charset: tells Excel these are Chinese fonts
_GREY = "808080"

# Rows go through _RowWriter only with the openpyxl series it was written against (module doc).
_FAST_ROWS = (LXML and openpyxl.__version__.startswith("3.1.")
              and WorksheetWriter is not object)


# --------------------------------------------------------------------------- public API


def write_workbook(plan: Plan, path: str | os.PathLike[str], *, matrix: Matrix | None = None,
                   generated_at: datetime | None = None,
                   tool_version: str = __version__, record_path: bool = False) -> Path:
    """Write ``plan`` to ``path`` as an ``.xlsx`` workbook and return the path.

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
    if generated_at is None:
        generated_at = datetime.now().astimezone()
    plan = sent_out(plan, record_path)
    return _save_atomically(
        path, SHEET_NAMES, lambda book: _fill(book, plan, matrix, generated_at, tool_version),
        finish=_sign)


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
    return type(plan).make(source=type(source).make(**{**source.__dict__, "path": path}),
                           documents=plan.documents)


def _save_atomically(path: str | os.PathLike[str], sheet_titles: Sequence[str],
                     fill: Callable[[_Book], None],
                     finish: Callable[[Path], None] | None = None) -> Path:
    """Create a workbook of ``sheet_titles``, ``fill`` it, save it to ``path`` whole or not at all.

    ``finish`` may touch up the saved file before it is moved into place.

    The workbook is saved to a temporary file next to ``path`` and moved into place with
    ``os.replace``; on any failure the temporary file is removed and an existing file is left
    as it was. Raises :class:`~matrix.errors.MatrixOutputError` for a missing or unwritable
    folder or a file that cannot be replaced.
    """
    from .output import replace_atomically

    book = _Book(sheet_titles)

    def write(temp: Path) -> None:
        fill(book)
        book.save(temp)
        if finish is not None:
            finish(temp)

    try:
        return replace_atomically(path, write, suffix=".xlsx",
                                  hint=_(" (is the file open in another program?)"))
    finally:
        book.close()


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Look:
    """How a cell looks; registered once per workbook as a :class:`_Style`."""

    font: Font
    alignment: Alignment | None = None
    fill: PatternFill | None = None
    border: Border | None = None


class _Style:
    """A look registered in one workbook: style ids for plain and quote-prefixed text.

    ``wrap`` and ``line`` (points per line of text) are what :meth:`_Sheet.append` needs to
    size a row for wrapped text.
    """

    __slots__ = ("id", "quoted_id", "plain", "quoted", "wrap", "line")

    def __init__(self, look: _Look, ws: WriteOnlyWorksheet) -> None:
        # Two cells: openpyxl keeps the registered style array itself, so it must not change.
        plain, quoted = _styled_cell(ws, look), _styled_cell(ws, look, quoted=True)
        self.id, self.quoted_id = str(plain.style_id), str(quoted.style_id)
        self.plain, self.quoted = plain._style, quoted._style  # shared by cells, never changed
        self.wrap = bool(look.alignment is not None and look.alignment.wrap_text)
        self.line = (look.font.sz or 11) * _LINE_SPACING


def _styled_cell(ws: WriteOnlyWorksheet, look: _Look, quoted: bool = False) -> Any:
    cell = WriteOnlyCell(ws)
    cell.font = look.font
    if look.alignment is not None:
        cell.alignment = look.alignment
    if look.fill is not None:
        cell.fill = look.fill
    if look.border is not None:
        cell.border = look.border
    if quoted:
        cell.quotePrefix = True
    return cell


def _font(name: str = _BODY, size: float = 10, **kw: Any) -> Font:
    return Font(name=name, size=size, charset=_GB2312, **kw)


_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="center")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_MIDDLE = Alignment(horizontal="center", vertical="center")
_BAND = "EEF3FA"  # every other table row (conditional formatting, so that sorting keeps it)
_HEAT = ("FFFFFF", "F4A582")  # colour scale of the 合计 row and column: fewest → most tasks

_LOOKS = {
    # Lines above a table: merged across its width and wrapped there (_Sheet.banner).
    "title": _Look(_font(_HEADING, 16), _WRAP),
    "info": _Look(_font(color="404040"), _WRAP),
    "notice": _Look(_font(_HEADING, 11, color="C00000"), _WRAP),
    "legend": _Look(_font(), _WRAP),
    "head": _Look(_font(_HEADING), _CENTRE, _HEAD_FILL, _BOX),
    # Stacked vertical text (rotation 255) keeps 200 department columns narrow.
    "head_vertical": _Look(_font(_HEADING), Alignment(horizontal="center", vertical="top",
                                                        text_rotation=255, wrap_text=True),
                           _HEAD_FILL, _BOX),
    "text": _Look(_font(), _WRAP),
    "text_top": _Look(_font(), _WRAP_TOP, None, _BOX),
    "number": _Look(_font(), _MIDDLE),
    "number_box": _Look(_font(), Alignment(horizontal="center", vertical="top"), None, _BOX),
    "mark": _Look(_font(size=11), _MIDDLE),
    "mark_inherited": _Look(_font(size=11, italic=True, color=_GREY), _MIDDLE),
    "total": _Look(_font(_HEADING), _MIDDLE, _TOTAL_FILL, _BOX),
    "full_text": _Look(_font()),
    "key": _Look(_font(_HEADING), _WRAP_TOP),
    "value": _Look(_font(), Alignment(horizontal="left", vertical="top", wrap_text=True)),
    # Not wrapped: runs on over the empty cells to its right.
    "value_flow": _Look(_font(), Alignment(horizontal="left", vertical="top")),
}


# --------------------------------------------------------------------------- streaming rows

# One cell of a row: (1-based column, value, style). Value is str, CellRichText, int or None
# (None or "" writes an empty cell that still carries its style, e.g. a border). Columns ascend.
_Cell = tuple[int, Any, "_Style | None"]


def _clean(text: str) -> str:
    """Text as a cell can hold it: no XML-illegal characters, at most 32,767 characters."""
    text = _NOT_XML.sub("", text)
    if len(text) > _MAX_CELL_TEXT:
        text = text[:_MAX_CELL_TEXT - 1] + "…"
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


def _row_height(cells: Sequence[_Cell], rooms: dict[int, float]) -> float | None:
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
    return min(_MAX_ROW_HEIGHT, round(best + 4, 1))


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A literal CR would come back as LF (XML end-of-line handling); a character reference won't.
    return text.replace("\r", "&#13;") if "\r" in text else text


_LETTERS = [""]  # column number → letters, grown on demand


def _letters(columns: int) -> list[str]:
    if len(_LETTERS) <= columns:
        _LETTERS.extend(get_column_letter(i) for i in range(len(_LETTERS), columns + 1))
    return _LETTERS


def _row_xml(row_idx: int, cells: Sequence[_Cell], height: float | None,
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


class _RowWriter(WorksheetWriter):
    """openpyxl's sheet writer, with ``<sheetData>`` copied from rows serialised beforehand.

    openpyxl's own row writer makes several incremental-XML calls per cell (about 20 µs a
    cell); :func:`_row_xml` builds a row as one string, several times faster.
    """

    def __init__(self, ws: WriteOnlyWorksheet, rows: IO[bytes]) -> None:
        self._serialised_rows = rows
        self._raw: IO[bytes] | None = None
        super().__init__(ws)

    def get_stream(self) -> Any:
        """As openpyxl's, but over a file object we can also write to directly."""
        with open(self.out, "wb") as raw, xmlfile(raw) as xf:
            self._raw = raw
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        el = yield
                        if el is True:
                            yield xf
                        elif el is not None:
                            xf.write(el)
                except GeneratorExit:
                    pass

    def write_rows(self) -> None:
        """Copy the serialised rows between ``<sheetData>`` and ``</sheetData>``."""
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.flush()  # everything lxml buffered goes out before the rows
            self._serialised_rows.seek(0)
            shutil.copyfileobj(self._serialised_rows, self._raw)
        self.xf.send(None)


class _Sheet:
    """A write-only worksheet fed with sparse rows of ``(column, value, style)``.

    Set the sheet's columns, views and print settings before the first row: openpyxl's own
    path (``_FAST_ROWS`` false) writes them when the first row arrives.
    """

    def __init__(self, book: _Book, title: str) -> None:
        self.book = book
        self.ws: WriteOnlyWorksheet = book.wb.create_sheet(title)
        self.rows = 0  # rows written so far
        self.fit = True  # size rows to their wrapped text (see append)
        self.min_height: float | None = None  # points, for rows sized by append
        self._widths: dict[int, float] = {}
        self._rooms: dict[int, float] = {}  # column → _room(width)
        # An anonymous temporary file: gone when closed or when the process dies.
        self._xml: IO[bytes] | None = tempfile.TemporaryFile() if _FAST_ROWS else None

    def widths(self, widths: Iterable[float], hidden: Iterable[int] = ()) -> None:
        """Column widths in characters."""
        for i, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
            self._widths[i] = width
            self._rooms[i] = _room(width)
        for i in hidden:
            self.ws.column_dimensions[get_column_letter(i)].hidden = True

    def append(self, cells: Sequence[_Cell], height: float | None = None,
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
               first: int = 1, before: Sequence[_Cell] = ()) -> int:
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
                          height=min(_MAX_ROW_HEIGHT, max(height, need)))
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
            self.ws._writer = _RowWriter(self.ws, self._xml)
            self.ws._writer.write_top()

    def close(self) -> None:
        """Drop the serialised rows."""
        if self._xml is not None:
            self._xml.close()

    def _dense(self, cells: Sequence[_Cell]) -> list[Any]:
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
    font = _font(_BODY, 11)
    fonts = getattr(wb, "_fonts", None)
    if fonts is not None and len(fonts) == 1:
        wb._fonts = type(fonts)([font])
        for style in wb._named_styles:
            if style.name == "Normal":
                style.font = font


class _Book:
    """A write-only workbook with its sheets created in order and its styles registered."""

    def __init__(self, sheet_titles: Sequence[str] = SHEET_NAMES) -> None:
        self.wb = Workbook(write_only=True)
        _default_font(self.wb)
        self.sheets = {title: _Sheet(self, title) for title in sheet_titles}
        self._anchor = self.sheets[sheet_titles[0]].ws
        self._styles: dict[str | _Look, _Style] = {}

    def style(self, name: str | _Look) -> _Style:
        """The style called ``name`` (a key of ``_LOOKS``) or of a look, registered on first
        use."""
        style = self._styles.get(name)
        if style is None:
            look = _LOOKS[name] if isinstance(name, str) else name
            style = self._styles[name] = _Style(look, self._anchor)
        return style

    def save(self, path: Path) -> None:
        """Save to ``path``; the sheets cannot be written to afterwards."""
        for sheet in self.sheets.values():
            sheet.finish()
        self.wb.save(path)

    def close(self) -> None:
        """Release the temporary files of the sheets."""
        for sheet in self.sheets.values():
            sheet.close()


# --------------------------------------------------------------------------- sheets


def _fill(book: _Book, plan: Plan, matrix: Matrix, generated_at: datetime,
          tool_version: str) -> None:
    title = plan.title or Path(plan.source.path).name or "任务分工"
    props = book.wb.properties
    props.title = _clean(title)
    props.creator = f"dutymatrix {tool_version}"
    props.description = _clean(f"{plan.source.path} sha256:{plan.source.sha256}")
    props.created = _utc_naive(generated_at)
    labels = _document_labels(plan)
    several = len(plan.documents) > 1
    page = _Page(title, _date(generated_at))
    _matrix_sheet(book.sheets["矩阵"], plan, matrix, page, labels, several, generated_at,
                  tool_version)
    heading = f"《{plan.title}》任务分工表" if plan.title else f"{title} 任务分工表"
    _list_sheet(book.sheets["分工表"], matrix, labels, several, page, heading)
    _count_sheet(book.sheets["部门统计"], matrix, page)
    _notes_sheet(book.sheets["说明"], plan, matrix, labels, generated_at, tool_version, page)


class _Page(NamedTuple):
    """What every printed page of a workbook says in its header."""

    title: str  # left
    date: str  # right, as 生成日期：…


def _date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _document_labels(plan: Plan) -> list[str]:
    labels = []
    for i, d in enumerate(plan.documents, 1):
        name = d.title or d.doc_number or f"文件{i}"
        labels.append(_clean(name if d.title is None or d.doc_number is None
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


def _section(row: Row) -> str:
    return _task_section(row.task)


def _task_section(task: Task) -> str:
    """The 章节 cell: the section heading, and the （一） subheading on a second line."""
    return _clean("\n".join(p for p in (task.section, task.subsection) if p))


def _legend(heat: bool = True) -> CellRichText:
    plain = InlineFont(rFont=_BODY, charset=_GB2312, sz=10)
    grey = InlineFont(rFont=_BODY, charset=_GB2312, sz=10, i=True, color=_GREY)
    blocks = [TextBlock(plain, LEGEND), TextBlock(grey, LEGEND_INHERITED[0]),
              TextBlock(plain, LEGEND_INHERITED[1])]
    if heat:
        blocks.append(TextBlock(plain, LEGEND_HEAT))
    return CellRichText(*blocks)


# Column widths (characters of the default font; a Chinese character takes two).
_MATRIX_ROW = 20.0  # points: the least height of a task row of the matrix
_MARK_WIDTH = 3.6  # one stacked character of the vertical header, one mark
_FIT_DEPARTMENTS = 60  # up to this many department columns print on one page width
_MATRIX_NAME, _LIST_NAME = "任务矩阵", "任务分工"  # defined names over the two tables


def _matrix_sheet(sheet: _Sheet, plan: Plan, matrix: Matrix, page: _Page, labels: list[str],
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

    sheet.widths([*lead_widths, *[_MARK_WIDTH] * len(departments), 6, 60, 10],
                 hidden=[full_col, data_col])
    ws.freeze_panes = f"{letter(first_dept)}{head_row + 1}"
    fit = len(departments) <= _FIT_DEPARTMENTS
    _print_setup(ws, landscape=True, wide=len(departments) > 20, page=page, fit_width=fit)
    ws.print_title_rows = f"{legend_row}:{head_row}"
    if not fit:  # pages side by side, each repeating the task columns
        ws.print_title_cols = f"A:{letter(first_dept - 1)}"
    ws.print_area = f"A1:{letter(total_col)}{total_row}"
    ws.print_options.gridLines = True  # empty grid cells are not written, so no borders
    ws.auto_filter.ref = f"A{head_row}:{letter(full_col)}{last_row}"

    source = plan.source
    sheet.banner(_clean(page.title), "title", total_col, height=24)
    sheet.banner(_clean(f"生成日期：{page.date}　来源：{source.path}　"
                        f"SHA-256：{source.sha256[:16]}…　"
                        f"任务 {len(matrix.rows)} 项　部门 {len(departments)} 个"), "info",
                 total_col)
    for notice in notices:
        sheet.banner(_clean(notice), "notice", total_col)
    sheet.banner(_legend(), "legend", total_col)

    longest = max((len(d) for d in departments), default=2)
    head, vertical = book.style("head"), book.style("head_vertical")
    sheet.append(
        [*((i, h, head) for i, h in enumerate(lead_heads, 1)),
         *((column_of[d], _clean(d), vertical) for d in departments),
         (total_col, "合计", head), (full_col, "任务全文", head)],
        height=min(_MAX_ROW_HEIGHT, max(30, 14.5 * longest + 10)))

    number, text, mark = book.style("number"), book.style("text"), book.style("mark")
    inherited, full = book.style("mark_inherited"), book.style("full_text")
    totals = dict.fromkeys(column_of.values(), 0)  # counted from the marks actually written
    sheet.min_height = _MATRIX_ROW  # rows of even height, with air around the marks
    for i, row in enumerate(matrix.rows, 1):
        task = row.task
        cells: list[_Cell] = [(1, i, number)]
        if several:
            cells.append((2, _document_label(labels, row), text))
        cells += [(first_dept - 3, _section(row), text), (first_dept - 2, task.label, text),
                  (first_dept - 1, _clean(task.title), text)]
        marks = sorted((column_of[d], MARKS[c.role], inherited if c.inherited else mark)
                       for d, c in row.cells.items() if d in column_of)
        for column, _, _ in marks:
            totals[column] += 1
        cells += marks
        cells += [(total_col, len(marks), number), (full_col, _clean(task.text), full)]
        sheet.append(cells)

    sheet.min_height = None
    total = book.style("total")
    sheet.append([(1, "合计", total), *((c, n, total) for c, n in totals.items()),
                  (total_col, sum(totals.values()), total)])
    # Below the table, in hidden rows of a hidden column, outside the autofilter range (so that
    # sorting and deleting task rows never touch them): what the cells cannot say.
    for chunk in _chunks(_records_json(plan, matrix, labels, generated_at, tool_version)):
        sheet.append([(data_col, chunk, None)], hidden=True)

    if matrix.rows:
        _heat(ws, f"{letter(total_col)}{head_row + 1}:{letter(total_col)}{last_row}")
        _banding(ws, f"A{head_row + 1}:{letter(total_col - 1)}{last_row}", head_row)
    if departments:  # department load: the 合计 row
        _heat(ws, f"{letter(first_dept)}{total_row}:{letter(total_col - 1)}{total_row}")
    _define(book, _MATRIX_NAME, sheet, f"$A${head_row}:${letter(full_col)}${last_row}")


def _document_label(labels: list[str], row: Row) -> str:
    if 0 <= row.document_index < len(labels):
        return labels[row.document_index]
    return _clean(row.document or "")


_ROLE_COLUMNS = (Role.lead, Role.responsible, Role.support, Role.guide)


def _list_sheet(sheet: _Sheet, matrix: Matrix, labels: list[str], several: bool, page: _Page,
                heading: str) -> None:
    book, ws = sheet.book, sheet.ws
    heads = ["序号", *(["文件"] if several else []), "章节", "编号", "重点任务", "任务内容",
             "牵头单位", "责任单位", "参与单位", "指导单位", "完成时限"]
    sheet.widths([5, *([16] if several else []), 14, 11, 18, 50, 12, 16, 14, 10, 10])
    last = f"{get_column_letter(len(heads))}{len(matrix.rows) + 2}"
    ws.freeze_panes = "A3"
    _print_setup(ws, landscape=True, page=page)
    ws.print_title_rows = "2:2"
    ws.auto_filter.ref = f"A2:{last}"
    sheet.banner(_clean(heading), "title", len(heads), height=24)
    sheet.text(*heads, style="head", height=22)

    number, text = book.style("number_box"), book.style("text_top")
    for i, row in enumerate(matrix.rows, 1):
        task = row.task
        names: dict[Role, list[str]] = {r: [] for r in _ROLE_COLUMNS}
        for department, cell in row.cells.items():
            names[cell.role].append(department + INHERITED_SUFFIX if cell.inherited
                                    else department)
        values = [*([_document_label(labels, row)] if several else []), _section(row),
                  task.label, _clean(task.title), _clean(task.text),
                  *(_clean("、".join(names[r])) for r in _ROLE_COLUMNS),
                  _clean(task.deadline or "")]
        # Empty strings are written as empty styled cells so that every cell has its border.
        sheet.append([(1, i, number),
                      *((c, v or None, text) for c, v in enumerate(values, 2))])
    if matrix.rows:
        _banding(ws, f"A3:{last}", 2)
    _define(book, _LIST_NAME, sheet, f"$A$2:${last.rstrip('0123456789')}${len(matrix.rows) + 2}")


_CHART_DEPARTMENTS = 25  # bars in the 部门统计 chart: the busiest departments
_ROLE_COLOURS = ("C0504D", "4F81BD", "9BBB59", "8064A2")  # 牵头 负责 参与 指导


def _count_sheet(sheet: _Sheet, matrix: Matrix, page: _Page) -> None:
    ws = sheet.ws
    heads = ["部门", "牵头", "负责", "参与", "指导", "合计"]
    sheet.widths([22, 7, 7, 7, 7, 7])
    counts = department_counts(matrix)
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=True, page=page)
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:F{len(counts) + 1}"
    sheet.text(*heads, style="head", height=22)
    text, number = sheet.book.style("text_top"), sheet.book.style("number_box")
    for c in counts:
        sheet.append([(1, _clean(c.department), text),
                      *((i, n, number) for i, n in enumerate(c[1:], 2))])
    if counts:
        _heat(ws, f"F2:F{len(counts) + 1}")
        _banding(ws, f"A2:E{len(counts) + 1}", 1)
        ws.add_chart(_load_chart(ws, len(counts)), "H2")


def _load_chart(ws: WriteOnlyWorksheet, departments: int) -> Any:
    """Stacked bars of tasks per role for the busiest departments, the busiest on top."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (CharacterProperties, Font as TextFont, Paragraph,
                                       ParagraphProperties, RegularTextRun)

    def text(size: int, bold: bool = False) -> CharacterProperties:  # size in 1/100 pt
        face = TextFont(typeface=_HEADING if bold else _BODY)
        return CharacterProperties(sz=size, b=bold, latin=face, ea=face)

    def rich(size: int) -> RichText:
        return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=text(size)),
                                     endParaRPr=text(size))])

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
    # cm: one A4 landscape page holds the chart beside the table's first rows
    chart.width, chart.height = 15, min(16.0, 0.5 * shown + 3.5)
    return chart


# How 说明 names a source's format (``Source.format``), and back when it is read.
FORMAT_LABELS = {"text": "纯文本", "html": "网页", "docx": "Word文档", "xlsx": "Excel工作簿"}
_FORMAT_CODES = {label: code for code, label in FORMAT_LABELS.items()}


def _notes_sheet(sheet: _Sheet, plan: Plan, matrix: Matrix, labels: list[str],
                 generated_at: datetime, tool_version: str, page: _Page) -> None:
    ws = sheet.ws
    sheet.widths([12, 60, 16, 24])
    _print_setup(ws, landscape=False, page=page)
    source = plan.source

    key, value = sheet.book.style("key"), sheet.book.style("value")

    def kv(k: str, v: Any) -> None:
        v = _clean(v) if isinstance(v, str) else v
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
        kv("任务数", len(d.tasks))
        if not d.rules:
            kv("统一规定", "（无）")
        for j, rule in enumerate(d.rules):
            kv("统一规定" if j == 0 else "", rule)
        if notice := _notice(d):
            kv("提示", notice)

    sheet.append([])
    warnings = [(label, w) for label, d in zip(labels, plan.documents) for w in d.warnings]
    if not warnings:
        kv("警告", "无")
        return
    sheet.text("行号", "警告", "类型", "文件", style="head")
    for label, w in warnings:
        sheet.append([(1, w.line if w.line is not None else "—", value),
                      (2, _clean(w.message_zh), value), (3, kind_title(w.kind), value),
                      (4, label, value)])


def _print_setup(ws: WriteOnlyWorksheet, *, landscape: bool, wide: bool = False,
                 page: _Page | None = None, centre: str | None = None,
                 fit_width: bool = True) -> None:
    """Paper, margins, fit to the page width, and the page header and footer.

    The header shows the plan (left), ``centre`` (a department's list) and the generation
    date (right); the footer the sheet (left) and 第 N 页，共 M 页.
    """
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A3 if wide else Worksheet.PAPERSIZE_A4
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
            ws.oddHeader.left.text = _page_header(page.title, 80)
        ws.oddHeader.right.text = _page_header(f"生成日期：{page.date}", 40)
    if centre:
        ws.oddHeader.center.text = _page_header(centre, 80)
    ws.oddFooter.left.text = "&A"  # the sheet's name
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _page_header(text: str, limit: int = 80) -> str:
    # "&" starts a control code in a page header; "&&" prints one. Excel refuses a header
    # longer than 255 characters in all, so each of its three parts gets at most ``limit``.
    text = _clean(text)
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("&", "&&")


def _banding(ws: WriteOnlyWorksheet, ref: str, head_row: int) -> None:
    """Light banding of every other row of ``ref``, counted from the header ``head_row``.

    Conditional formatting rather than cell fills: it costs nothing per cell (most cells of
    the matrix are never written) and stays regular when a user sorts or filters the rows.
    """
    fill = PatternFill("solid", start_color=_BAND, end_color=_BAND)
    ws.conditional_formatting.add(
        ref, FormulaRule(formula=[f"MOD(ROW()-{head_row},2)=0"], fill=fill))


def _heat(ws: WriteOnlyWorksheet, ref: str) -> None:
    """A white → orange colour scale on the counts of ``ref``: the load at a glance."""
    ws.conditional_formatting.add(ref, ColorScaleRule(
        start_type="min", start_color=_HEAT[0], end_type="max", end_color=_HEAT[1]))


def _define(book: _Book, name: str, sheet: _Sheet, ref: str) -> None:
    """A workbook-wide defined name for a range of ``sheet`` (absolute ``ref``)."""
    book.wb.defined_names.add(DefinedName(name, attr_text=f"'{sheet.ws.title}'!{ref}"))


# --------------------------------------------------------------------------- hidden records

RECORDS_MAGIC = '{"dutymatrix":'  # how the first cell of the hidden records starts
RECORDS_VERSION = 1
_CHUNK = 16_000  # characters per cell: within Excel's 32,767 UTF-16 units even for non-BMP text
_INHERITED, _LEAD_BY_RULE, _UNKNOWN = 1, 2, 4  # bits of an assignment's flags


def _digest(text: str) -> str:
    """A short fingerprint of a cell's text (to recognise a task row, not to secure it)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _records_json(plan: Plan, matrix: Matrix, labels: list[str], generated_at: datetime,
                  tool_version: str) -> str:
    """What :func:`read_workbook` needs beyond the cells of 矩阵, as compact JSON.

    ``{"dutymatrix": 1, "tool", "generated_at", "source": {path, sha256, format, encoding},
    "documents": [{title, doc_number, line, label, rules, warnings: [[line, column, kind,
    message, params]]}], "assignments": [[department, as_printed or null, role, flags]], "tasks":
    [[序号, document index, label, title digest, text digest, section, subsection, line,
    deadline, scope, trailer, [assignment index, …]]]}``: one task per row written, keyed by
    its 序号. Each distinct assignment is listed once (a plan of 10,000 tasks holds a few
    thousand); flags are 1 inherited, 2 lead by rule, 4 unknown name.
    """
    documents = [{"title": d.title, "doc_number": d.doc_number, "line": d.line, "label": label,
                  "rules": list(d.rules),
                  "warnings": [[w.line, w.column, w.kind, w.message, dict(w.params)]
                               for w in d.warnings]}
                 for label, d in zip(labels, plan.documents)]
    # Keyed by the fields, not the record: a pydantic model hashes three times slower.
    table: dict[tuple[Any, ...], int] = {}
    tasks = []
    for i, row in enumerate(matrix.rows, 1):
        t = row.task
        ids = []
        for a in t.assignments:
            key = (a.department, a.as_printed, a.role, a.inherited, a.lead_by_rule, a.known)
            index = table.get(key)
            if index is None:
                index = table[key] = len(table)
            ids.append(index)
        tasks.append([i, row.document_index, t.label, _digest(_clean(t.title)),
                      _digest(_clean(t.text)), t.section, t.subsection, t.line, t.deadline,
                      t.scope, t.trailer, ids])
    assignments = [[department, None if printed == department else printed, role.value,
                    (_INHERITED if inherited else 0) | (_LEAD_BY_RULE if lead_by_rule else 0)
                    | (0 if known else _UNKNOWN)]
                   for department, printed, role, inherited, lead_by_rule, known in table]
    source = plan.source
    data = {"dutymatrix": RECORDS_VERSION, "tool": tool_version,
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "source": {"path": source.path, "sha256": source.sha256, "format": source.format,
                       "encoding": source.encoding},
            "documents": documents, "assignments": assignments, "tasks": tasks}
    # JSON escapes control characters itself; what is left that XML cannot carry goes.
    return _NOT_XML.sub("", json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _chunks(text: str) -> list[str]:
    return [text[i:i + _CHUNK] for i in range(0, len(text), _CHUNK)]


_LIST_PART = "xl/worksheets/sheet2.xml"  # 分工表: openpyxl numbers the sheets in order
_SIGNATURE = re.compile(r"dutymatrix (\d+) (\S+) ([0-9a-f]{8})")


def _sign(path: Path) -> None:
    """Put the CRC-32 of the 分工表 part in the zip comment of a workbook just saved.

    A spreadsheet program (or openpyxl) that saves the file again writes a new zip without
    this comment; one that kept it would change the CRC with any edit. So while the signature
    holds, 分工表 is exactly as written and :func:`read_workbook` need not parse it (its
    deadlines are in the hidden records too): half the reading time of a large plan.
    """
    with zipfile.ZipFile(path, "a") as zf:
        if _LIST_PART in zf.NameToInfo:
            crc = zf.getinfo(_LIST_PART).CRC
            zf.comment = f"dutymatrix {RECORDS_VERSION} {_LIST_PART} {crc:08x}".encode()


def _signed(comment: bytes, infos: list[zipfile.ZipInfo]) -> bool:
    """True when the zip comment written by :func:`_sign` still matches its part."""
    m = _SIGNATURE.fullmatch(comment.decode("ascii", "replace"))
    if m is None:
        return False
    crcs = [i.CRC for i in infos if i.filename == m.group(2)]
    return len(crcs) == 1 and f"{crcs[0]:08x}" == m.group(3)


# --------------------------------------------------------------------------- reading a workbook

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all members together, checked before any XML
MAX_ENTRIES = 10_000  # members of the zip
MAX_RATIO = 100  # uncompressed / compressed size of one member (Apache POI's default)
RATIO_GRACE = 1024 * 1024  # members smaller than this uncompressed are not ratio-checked
MAX_DIRECTORY = 16 * 1024 * 1024  # bytes of the zip's central directory

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx
_CALAMINE = True  # tests turn it off to check the openpyxl path
_MATRIX_SHEET, _LIST_SHEET, _NOTES_SHEET = SHEET_NAMES[0], SHEET_NAMES[1], SHEET_NAMES[3]
_LEAD_HEADS = ("序号", "文件", "章节", "编号", "任务", "合计", "任务全文")
_HEADER_SEARCH = 50  # rows searched for the header row

# What a person may type in a department cell. Anything else non-empty is read as 负责, with a
# warning naming the cell.
MARK_WORDS = {
    **{mark: role for role, mark in MARKS.items()},
    "牵头": Role.lead, "牵头单位": Role.lead, "牽頭": Role.lead,
    "负责": Role.responsible, "责任": Role.responsible, "负责单位": Role.responsible,
    "责任单位": Role.responsible, "負責": Role.responsible, "責任": Role.responsible,
    "参与": Role.support, "配合": Role.support, "协助": Role.support, "参与单位": Role.support,
    "配合单位": Role.support, "參與": Role.support, "協助": Role.support,
    "指导": Role.guide, "指导单位": Role.guide, "指導": Role.guide,
}


@dataclass(frozen=True)
class WorkbookContents:
    """Everything :func:`read_workbook_contents` found in a workbook.

    ``plan.source`` is the workbook itself (``format="xlsx"``, the SHA-256 of its bytes), so
    that a task read from it names the file the user gave; ``origin`` is the plan file the
    workbook was built from, as the workbook records it (``None`` when it does not say).
    ``records`` tells whether the hidden records were found: without them inherited marks,
    deadlines, scopes, trailers and source lines cannot be restored (the plan's warnings say so).
    """

    plan: Plan
    origin: Source | None
    generated_at: str | None
    tool_version: str | None
    records: bool


def read_workbook(path: str | os.PathLike[str]) -> Plan:
    """Read a workbook written by :func:`write_workbook` — edits included — back into a ``Plan``.

    The 矩阵 sheet is the truth: one task per row (编号 → number and part, 章节 → section and
    subsection, 任务 → title, the hidden 任务全文 → text) and one assignment per marked
    department column. ★ ● ○ ◇ and the words 牵头 负责 参与 配合 指导 are read as their role;
    any other mark as 负责, with a warning naming the cell. What the cells cannot say comes
    from the records :func:`write_workbook` hides below the table: a mark still showing the
    role it was written with gets back its original assignments (``inherited``,
    ``lead_by_rule``, the printed name); a changed or new mark is a plain assignment. Deadlines
    come from 分工表's 完成时限 once a spreadsheet program has saved the file, else from the
    records. See the module docstring, "Reading a workbook".

    The file is untrusted: it is refused with :class:`~matrix.errors.MatrixInputError` when it
    is not an .xlsx, exceeds :data:`MAX_UNCOMPRESSED`, :data:`MAX_ENTRIES` or
    :data:`MAX_RATIO` (checked before any XML is parsed), or has no 矩阵 sheet with a
    序号/编号/任务 header row. Every other failure is a ``MatrixInputError`` naming the file.

    Example::

        plan = read_workbook("output/001_5afa0209a0ae242f.xlsx")
    """
    return read_workbook_contents(path).plan


def read_workbook_contents(path: str | os.PathLike[str]) -> WorkbookContents:
    """:func:`read_workbook`, plus the original source and when and by what it was written."""
    path = Path(path)
    reader = _WorkbookReader(path, _check_package(path))
    try:
        return reader.read()
    except (MatrixError, KeyboardInterrupt, SystemExit):
        raise
    # Never a traceback: damaged XML, odd values, a reader's own error. BaseException, because
    # a Rust panic inside calamine arrives as pyo3's PanicException, which derives from it.
    except BaseException as e:
        detail = str(e) or type(e).__name__
        raise MatrixInputError(_("{path}: cannot read the workbook{where}: {detail}").format(
            path=path, where=reader.where, detail=detail)) from e


# -- the package: refuse what is not an .xlsx or too big, before any XML is read


class _Package(NamedTuple):
    names: set[str]  # member names
    signed: bool  # 分工表 is exactly as write_workbook wrote it (see _sign)


def _check_package(path: Path) -> _Package:
    """Check ``path`` is a zip holding an xlsx within the limits; say what it holds."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if head.startswith(_OLE_MAGIC):
                raise MatrixInputError(_(
                    "{path}: not an .xlsx workbook (an old .xls file, or a workbook saved with "
                    "a password: save it as .xlsx without one)").format(path=path))
            if not head.startswith(b"PK\x03\x04"):
                raise MatrixInputError(_("{path}: not an .xlsx workbook").format(path=path))
            _check_directory(path, f)
            try:
                with zipfile.ZipFile(f) as zf:
                    infos, comment = zf.infolist(), zf.comment
            except OSError:
                raise
            # BadZipFile, but also NotImplementedError ("zip file version 21.1"), ValueError …
            except Exception as e:
                raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
                    path=path, why=_("damaged zip: {error}").format(error=e))) from None
            names = _check_members(path, infos)
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    _check_stream(path, f, info)
    except OSError as e:
        raise unreadable(path, e, N_("workbook")) from None
    return _Package(names, _signed(comment, infos))


def _check_directory(path: Path, f: IO[bytes]) -> None:
    """Entry count and directory size from the end record, before zipfile builds its list."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if size > MAX_UNCOMPRESSED:  # a zip is never much bigger than what it holds
        raise MatrixInputError(_("{path}: refused: the file is {size:,} bytes, more than the "
                                 "limit of {limit:,}").format(path=path, size=size,
                                                              limit=MAX_UNCOMPRESSED))
    tail_size = min(size, 22 + 65535)  # end record plus the longest comment
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
            path=path, why=_("damaged zip: no end record")))
    entries, directory = struct.unpack("<H4xI", tail[at + 10:at + 20])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:  # Zip64: the real figures are elsewhere
        locator = tail[at - 20:at] if at >= 20 else b""
        if not locator.startswith(b"PK\x06\x07"):
            raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
                path=path, why=_("damaged zip64 record")))
        (offset,) = struct.unpack("<Q", locator[8:16])
        f.seek(offset)
        record = f.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
                path=path, why=_("damaged zip64 record")))
        entries, directory = struct.unpack("<QQ", record[32:48])
    if entries > MAX_ENTRIES:
        raise MatrixInputError(_("{path}: refused: the workbook holds {count:,} parts, more "
                                 "than the limit of {limit:,}").format(path=path, count=entries,
                                                                       limit=MAX_ENTRIES))
    if directory > MAX_DIRECTORY:
        raise MatrixInputError(_("{path}: refused: the zip directory is {size:,} bytes, more "
                                 "than the limit of {limit:,}").format(path=path, size=directory,
                                                                       limit=MAX_DIRECTORY))
    f.seek(0)


def _check_members(path: Path, infos: list[zipfile.ZipInfo]) -> set[str]:
    if len(infos) > MAX_ENTRIES:
        raise MatrixInputError(_("{path}: refused: the workbook holds {count:,} parts, more "
                                 "than the limit of {limit:,}").format(path=path, count=len(infos),
                                                                       limit=MAX_ENTRIES))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise MatrixInputError(_("{path}: refused: {part} is encrypted").format(
                path=path, part=info.filename))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise MatrixInputError(_("{path}: refused: {part} uses an unsupported compression "
                                     "method ({method})").format(path=path, part=info.filename,
                                                                 method=info.compress_type))
        total += info.file_size
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * info.compress_size:
            raise MatrixInputError(_(
                "{path}: refused: {part} expands {size:,} bytes from {compressed:,} (more than "
                "{ratio}:1: a zip bomb?)").format(path=path, part=info.filename,
                                                  size=info.file_size,
                                                  compressed=info.compress_size, ratio=MAX_RATIO))
    if total > MAX_UNCOMPRESSED:
        raise MatrixInputError(_("{path}: refused: the workbook expands to {size:,} bytes, more "
                                 "than the limit of {limit:,}").format(path=path, size=total,
                                                                       limit=MAX_UNCOMPRESSED))
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
            path=path, why=_("no xl/workbook.xml")))
    return names


def _check_stream(path: Path, f: IO[bytes], info: zipfile.ZipInfo) -> None:
    """Inflate one member and check it holds exactly the size it declares, in bounded memory.

    A member may declare a small size and hold a deflate stream that expands far beyond it:
    Python's zipfile stops at the declared size, but another reader (calamine's, in Rust) may
    not. So the stream itself is measured, in 1 MB steps, and refused as soon as it outgrows
    the declaration.
    """
    f.seek(info.header_offset)
    header = f.read(30)
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
            path=path, why=_("damaged zip entry {part}").format(part=info.filename)))
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    f.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
                path=path, why=_("damaged zip entry {part}").format(part=info.filename)))
        return
    inflate = zlib.decompressobj(-15)
    left, produced = info.compress_size, 0
    step = 1024 * 1024
    while left > 0 and not inflate.eof:
        data = f.read(min(left, 64 * 1024))
        if not data:
            break
        left -= len(data)
        while data and not inflate.eof:
            try:
                produced += len(inflate.decompress(data, step))
            except zlib.error:
                raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
                    path=path, why=_("damaged zip entry {part}").format(part=info.filename))
                ) from None
            if produced > info.file_size:
                raise MatrixInputError(_(
                    "{path}: refused: {part} declares {size:,} bytes but expands to more "
                    "(damaged, or a zip bomb)").format(path=path, part=info.filename,
                                                       size=info.file_size))
            data = inflate.unconsumed_tail
    if not inflate.eof or produced != info.file_size:
        raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
            path=path, why=_("damaged zip entry {part}").format(part=info.filename)))


# -- cell values


class _Values:
    """Sheets of a workbook as lists of rows of values, from A1 on ("" for an empty cell)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._calamine = None
        self._openpyxl = None
        if _CALAMINE:
            try:
                from python_calamine import CalamineWorkbook
            except ImportError:  # pragma: no cover - a dependency; openpyxl still works
                pass
            else:
                self._calamine = CalamineWorkbook.from_path(str(path))
                self.sheet_names = list(self._calamine.sheet_names)
                return
        # openpyxl parses XML with defusedxml when it is installed (openpyxl.DEFUSEDXML).
        self._openpyxl = openpyxl.load_workbook(path, read_only=True, data_only=True)
        self.sheet_names = list(self._openpyxl.sheetnames)

    def rows(self, name: str) -> list[list[Any]]:
        """Every row of sheet ``name``, all padded to the same width."""
        if self._calamine is not None:
            return self._calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)
        ws = self._openpyxl[name]
        ws.reset_dimensions()  # trust the cells, not the dimension the file claims
        rows = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
        width = max((len(r) for r in rows), default=0)
        for r in rows:
            r.extend([""] * (width - len(r)))
        return rows

    def close(self) -> None:
        """Release the file."""
        if self._calamine is not None:
            self._calamine.close()
        if self._openpyxl is not None:
            self._openpyxl.close()


def _text(value: Any) -> str:
    """A cell value as text: "" for empty, 3 for 3.0, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _int(value: Any) -> int | None:
    text = _text(value).strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _split_label(label: str) -> tuple[str, int]:
    """（十）#2 → ("（十）", 2); anything without a trailing #N is part 1."""
    number, sep, part = label.strip().rpartition("#")
    if sep and part.isdigit() and number and len(part) < 6:
        return number, int(part)
    return label.strip(), 1


def _cell_ref(row: int, column: int) -> str:
    """0-based row and column → A1."""
    return f"{get_column_letter(column + 1)}{row + 1}"


# -- the hidden records


class _TaskRecord(NamedTuple):
    seq: int
    document: int
    label: str
    title: str  # digest of the 任务 cell as written
    text: str  # digest of the 任务全文 cell as written
    section: str | None
    subsection: str | None
    line: int
    deadline: str | None
    scope: str | None
    trailer: str | None
    assignments: tuple[Assignment, ...]


@dataclass
class _DocumentRecord:
    title: str | None
    doc_number: str | None
    line: int
    label: str
    rules: tuple[str, ...]
    warnings: list[ParseWarning]


@dataclass(frozen=True)
class _Records:
    origin: Source | None
    generated_at: str | None
    tool: str | None
    documents: list[_DocumentRecord]
    tasks: list[_TaskRecord]


def _opt_str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"not a string: {value!r}")


def _parse_records(text: str) -> _Records:
    """The hidden records; raises ValueError, TypeError, KeyError … when they are malformed."""
    from . import models  # pydantic, for what is read back (build never needs it)

    data = json.loads(text)
    if not isinstance(data, dict) or data.get("dutymatrix") != RECORDS_VERSION:
        raise ValueError("unknown records version")
    source = data.get("source")
    origin = models.Source(**source) if isinstance(source, dict) else None
    documents = []
    for d in data["documents"]:
        warnings = [models.ParseWarning(line=w[0], column=w[1], kind=w[2], message=w[3],
                                        params=w[4] if len(w) > 4 else ())
                    for w in d.get("warnings", ())]
        documents.append(_DocumentRecord(
            _opt_str(d.get("title")), _opt_str(d.get("doc_number")), int(d.get("line", 1)),
            str(d.get("label", "")), tuple(str(r) for r in d.get("rules", ())), warnings))
    roles = {r.value: r for r in Role}
    table = [models.Assignment(department=department,
                        as_printed=department if printed is None else printed, role=roles[role],
                        inherited=bool(flags & _INHERITED),
                        lead_by_rule=bool(flags & _LEAD_BY_RULE), known=not flags & _UNKNOWN)
             for department, printed, role, flags in data["assignments"]]
    pick = table.__getitem__
    tasks = []
    for (seq, document, label, title, digest, section, subsection, line, deadline, scope,
         trailer, ids) in data["tasks"]:
        if type(seq) is not int or type(document) is not int or type(line) is not int:
            raise ValueError(f"bad task record {seq!r}")
        tasks.append(_TaskRecord(seq, document, str(label), str(title), str(digest),
                                 _opt_str(section), _opt_str(subsection), line,
                                 _opt_str(deadline), _opt_str(scope), _opt_str(trailer),
                                 tuple(map(pick, ids))))
    return _Records(origin, _opt_str(data.get("generated_at")), _opt_str(data.get("tool")),
                    documents, tasks)


# -- 矩阵 rows


@dataclass
class _MatrixRow:
    index: int  # 0-based row in the sheet
    seq: int | None
    document: str | None  # the 文件 cell
    section: str
    label: str
    title: str
    text: str | None  # None when the sheet has no 任务全文 column or the cell is empty
    marks: dict[str, Role]
    record: _TaskRecord | None = None

    def key(self) -> tuple[str, str, str]:
        """(label, title digest, text digest): how a row is recognised among the records."""
        return self.label, _digest(self.title), _digest(self.text or "")


def _match_records(rows: list[_MatrixRow], records: list[_TaskRecord]) -> None:
    """Give each row the record written for it, if any, in three passes.

    A row keeps its record when its 序号, 编号, title and text are unchanged; then a row whose
    序号 changed (rows renumbered after a deletion) finds it by 编号, title and text; last, a
    row with its old 序号 and two of the three unchanged (the title or text was edited). Sorting
    and deleting rows never pairs a row with another task's record.
    """
    by_seq = {r.seq: r for r in records}
    by_key: dict[tuple[str, str, str], list[_TaskRecord]] = {}
    for r in records:
        by_key.setdefault((r.label, r.title, r.text), []).append(r)
    used: set[int] = set()

    def take(row: _MatrixRow, record: _TaskRecord | None) -> bool:
        if record is None or id(record) in used:
            return False
        row.record = record
        used.add(id(record))
        return True

    keys = {id(row): row.key() for row in rows}
    for row in rows:
        record = by_seq.get(row.seq)
        if record is not None and (record.label, record.title, record.text) == keys[id(row)]:
            take(row, record)
    for row in rows:
        if row.record is None:
            for record in by_key.get(keys[id(row)], ()):
                if take(row, record):
                    break
    for row in rows:
        if row.record is None:
            record = by_seq.get(row.seq)
            if record is not None:
                same = sum(a == b for a, b in zip((record.label, record.title, record.text),
                                                  keys[id(row)]))
                if same >= 2:
                    take(row, record)


def _shown(assignments: Sequence[Assignment]) -> dict[str, Role]:
    """Department → the role its mark shows: its strongest (as pivot and Task.roles() rank)."""
    out: dict[str, Role] = {}
    for a in assignments:
        old = out.get(a.department)
        if old is None or ROLE_RANK[a.role] < ROLE_RANK[old]:
            out[a.department] = a.role
    return out


def _assignments(marks: dict[str, Role], record: _TaskRecord | None,
                 known: Callable[[str], tuple[str, bool]]) -> tuple[Assignment, ...]:
    """The row's assignments: unchanged marks get their records back, others are new.

    A department whose mark still shows the role the matrix was written with keeps every
    recorded assignment (flags and printed name included, in their order); a changed mark
    becomes one plain assignment where the department first stood; a removed mark drops the
    department; marks on departments the record does not name come last, in column order.
    """
    from . import models  # pydantic, for what is read back (build never needs it)

    if record is None:
        shown: dict[str, Role] = {}
        out: list[Assignment] = []
    else:
        shown = _shown(record.assignments)
        if shown == marks:  # the row as written: the common case
            return record.assignments
        out = []
        changed: set[str] = set()
        for a in record.assignments:
            role = marks.get(a.department)
            if role is None:
                continue  # the mark was removed
            if role is shown[a.department]:
                out.append(a)
            elif a.department not in changed:
                changed.add(a.department)
                out.append(models.Assignment(department=a.department, as_printed=a.department,
                                      role=role, known=a.known))
    for department, role in marks.items():
        if department not in shown:
            name, is_known = known(department)
            out.append(models.Assignment(department=name, as_printed=department, role=role,
                                  known=is_known))
    return tuple(out)


class _WorkbookReader:
    """One read of one workbook (internal); ``where`` says what is being read, for errors."""

    def __init__(self, path: Path, package: _Package) -> None:
        self.path = path
        self.package = package
        self.where = ""
        self.notes: list[tuple[int | None, ParseWarning]] = []  # (document index, warning)

    def warn(self, document: int | None, kind: str, row: int | None = None,
             column: int | None = None, **params: Any) -> None:
        """A warning for the plan, on ``document`` (the first one when None); its text in both
        languages comes from ``matrix.messages``."""
        from . import models  # pydantic, for what is read back (build never needs it)
        from .messages import warning

        self.notes.append((document, warning(
            models.ParseWarning, kind, None if row is None else row + 1,
            None if column is None else column + 1, **params)))

    def read(self) -> WorkbookContents:
        """Read the workbook (see :func:`read_workbook`)."""
        digest = hashlib.sha256()
        with open(self.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        values = _Values(self.path)
        try:
            return self._read(values, digest.hexdigest())
        finally:
            values.close()

    def _read(self, values: _Values, sha256: str) -> WorkbookContents:
        from . import models  # pydantic, for what is read back (build never needs it)

        path = self.path
        if _MATRIX_SHEET not in values.sheet_names:
            raise MatrixInputError(_(
                "{path}: not a workbook written by dutymatrix: it has no {sheet} sheet (sheets: "
                "{sheets})").format(path=path, sheet=_MATRIX_SHEET,
                                    sheets="、".join(values.sheet_names) or _("none")))
        self.where = _(" (sheet {sheet})").format(sheet=_MATRIX_SHEET)
        grid = values.rows(_MATRIX_SHEET)
        head = _find_header(grid, ("序号", "编号", "任务"))
        if head is None:
            raise MatrixInputError(_(
                "{path}: not a workbook dutymatrix can read: sheet {sheet} has no header row "
                "with 序号, 编号 and 任务").format(path=path, sheet=_MATRIX_SHEET))
        columns = _header_columns(grid[head])
        records = self._records(grid, head, columns)
        departments = self._department_columns(grid, head, columns)
        rows = self._rows(grid, head, columns, departments)
        if records is not None:
            _match_records(rows, records.tasks)
        deadlines = None
        # 完成时限 is edited in 分工表; while the zip's signature holds (see _sign) the sheet is
        # as written and the records say the same, so it is not parsed (it costs as much as 矩阵).
        if not self.package.signed and _LIST_SHEET in values.sheet_names:
            self.where = _(" (sheet {sheet})").format(sheet=_LIST_SHEET)
            deadlines = _deadlines(values.rows(_LIST_SHEET))
        self.where = _(" (sheet {sheet})").format(sheet=_MATRIX_SHEET)
        documents = self._documents(rows, records, deadlines)
        origin = generated = tool = None
        if records is not None:
            origin, generated, tool = records.origin, records.generated_at, records.tool
        elif _NOTES_SHEET in values.sheet_names:
            self.where = _(" (sheet {sheet})").format(sheet=_NOTES_SHEET)
            origin, generated, tool = _notes(values.rows(_NOTES_SHEET))
        plan = models.Plan(source=models.Source(path=str(path), sha256=sha256, format="xlsx"),
                    documents=documents)
        return WorkbookContents(plan, origin, generated, tool, records is not None)

    def _records(self, grid: list[list[Any]], head: int,
                 columns: dict[str, int]) -> _Records | None:
        width = len(grid[head])
        candidates = [width - 1]
        if "任务全文" in columns and columns["任务全文"] + 1 < width:
            candidates.insert(0, columns["任务全文"] + 1)
        for column in dict.fromkeys(candidates):
            for r in range(head + 1, len(grid)):
                first = grid[r][column]
                if isinstance(first, str) and first.startswith(RECORDS_MAGIC):
                    parts = [first]
                    for row in grid[r + 1:]:
                        value = row[column]
                        if not isinstance(value, str) or not value:
                            break
                        parts.append(value)
                    try:
                        return _parse_records("".join(parts))
                    except Exception as e:  # untrusted: any shape at all
                        self.warn(None, "workbook-records", form="unreadable",
                                  cell=f"{_MATRIX_SHEET}!{_cell_ref(r, column)}",
                                  error=type(e).__name__)
                        return None
        self.warn(None, "workbook-records", form="missing", sheet=_MATRIX_SHEET)
        return None

    def _department_columns(self, grid: list[list[Any]], head: int,
                            columns: dict[str, int]) -> dict[int, str]:
        """Column → department name, from the header cells between 任务 and 合计."""
        header = grid[head]
        start = columns["任务"] + 1
        ends = [c for c in (columns.get("合计"), columns.get("任务全文"))
                if c is not None and c >= start]
        end = min(ends) if ends else len(header)
        out: dict[int, str] = {}
        seen: set[str] = set()
        for c in range(start, end):
            name = _text(header[c])  # as written: the records name it so
            if name.strip() in _LEAD_HEADS:
                continue
            if not name.strip():
                if any(_text(row[c]).strip() for row in grid[head + 1:]):
                    self.warn(None, "workbook-column", head, c, form="unnamed",
                              cell=f"{_MATRIX_SHEET}!{_cell_ref(head, c)}")
                continue
            if name in seen:
                self.warn(None, "workbook-column", head, c, form="twice",
                          cell=f"{_MATRIX_SHEET}!{_cell_ref(head, c)}", name=name)
            seen.add(name)
            out[c] = name
        return out

    def _rows(self, grid: list[list[Any]], head: int, columns: dict[str, int],
              departments: dict[int, str]) -> list[_MatrixRow]:
        c_seq, c_label, c_title = columns["序号"], columns["编号"], columns["任务"]
        c_doc, c_section, c_text = (columns.get(k) for k in ("文件", "章节", "任务全文"))
        first = min(departments, default=0)
        last = max(departments, default=-1) + 1
        rows = []
        for r in range(head + 1, len(grid)):
            cells = grid[r]
            seq = cells[c_seq]
            if seq == "合计":
                continue
            label, title = _text(cells[c_label]), _text(cells[c_title])
            text = _text(cells[c_text]) if c_text is not None else ""
            marks: dict[str, Role] = {}
            # Most of a row is empty: compress() finds the marked cells in C, not bytecode
            # (a 10,000 × 200 matrix has two million cells). 0 and "" are both no mark.
            for c in compress(range(first, last), cells[first:last]):
                department = departments.get(c)
                if department is None:
                    continue
                raw = cells[c]
                role = MARK_WORDS.get(raw) if isinstance(raw, str) else None
                if role is None:
                    role = self._mark(raw, r, c)
                    if role is None:
                        continue
                old = marks.get(department)
                if old is None or ROLE_RANK[role] < ROLE_RANK[old]:
                    marks[department] = role
            if not (label.strip() or title.strip() or text.strip()):
                if _text(seq).strip() == "合计":
                    continue
                if marks:
                    self.warn(None, "workbook-row", r, 0,
                              cell=f"{_MATRIX_SHEET}!{_cell_ref(r, 0)}")
                continue
            rows.append(_MatrixRow(
                index=r, seq=_int(seq),
                document=_text(cells[c_doc]).strip() if c_doc is not None else None,
                section=_text(cells[c_section]) if c_section is not None else "",
                label=label.strip(), title=title, text=text or None, marks=marks))
        return rows

    def _mark(self, raw: Any, r: int, c: int) -> Role | None:
        text = _text(raw).strip()
        if not text:
            return None
        role = MARK_WORDS.get(text)
        if role is None:
            role = Role.responsible
            self.warn(None, "workbook-mark", r, c, cell=f"{_MATRIX_SHEET}!{_cell_ref(r, c)}",
                      mark=text)
        return role

    def _documents(self, rows: list[_MatrixRow], records: _Records | None,
                   deadlines: dict[Any, str | None] | None) -> tuple[Document, ...]:
        from . import models  # pydantic, for what is read back (build never needs it)

        documents = list(records.documents) if records is not None else []
        by_label: dict[str, int] = {}
        for i, d in enumerate(documents):
            by_label.setdefault(d.label, i)
        tasks: list[list[Task]] = [[] for _ in documents]
        known_names: dict[str, bool] = {}
        if records is not None:
            for record in records.tasks:
                for a in record.assignments:
                    known_names.setdefault(a.department, a.known)

        def known(name: str) -> tuple[str, bool]:
            if name in known_names:
                return name, known_names[name]
            from .departments import canonical  # only for a column the records do not name

            department = canonical(name)
            return department.name, department.known

        def document_of(row: _MatrixRow) -> int:
            record = row.record
            if row.document:  # a 文件 column: what it says counts
                if record is not None and 0 <= record.document < len(documents) and \
                        documents[record.document].label == row.document:
                    return record.document
                if row.document in by_label:
                    return by_label[row.document]
                documents.append(_DocumentRecord(row.document or None, None, 1, row.document,
                                                 (), []))
                tasks.append([])
                by_label[row.document] = len(documents) - 1
                return len(documents) - 1
            if record is not None and 0 <= record.document < len(documents):
                return record.document
            if not documents:
                documents.append(_DocumentRecord(None, None, 1, "", (), []))
                tasks.append([])
            return 0

        for row in rows:
            index = document_of(row)
            self.where = _(" (sheet {sheet}, row {row})").format(sheet=_MATRIX_SHEET,
                                                                    row=row.index + 1)
            tasks[index].append(self._task(row, deadlines, known))
        if not documents and self.notes:
            documents.append(_DocumentRecord(None, None, 1, "", (), []))
            tasks.append([])
        for index, warning in self.notes:
            documents[index or 0].warnings.append(warning)
        return tuple(models.Document(title=d.title, doc_number=d.doc_number, line=d.line,
                              tasks=tuple(t), rules=d.rules, warnings=tuple(d.warnings))
                     for d, t in zip(documents, tasks))

    def _task(self, row: _MatrixRow, deadlines: dict[Any, str | None] | None,
              known: Callable[[str], tuple[str, bool]]) -> Task:
        from . import models  # pydantic, for what is read back (build never needs it)

        record = row.record
        number, part = _split_label(row.label)
        section, subsection = _sections(row.section, record)
        deadline = record.deadline if record is not None else None
        if deadlines is not None:
            key = (row.seq, row.label, row.title)
            if key in deadlines:
                deadline = deadlines[key]
            elif deadlines.get((row.label, row.title), _AMBIGUOUS) is not _AMBIGUOUS:
                deadline = deadlines[(row.label, row.title)]
        text = row.text
        if text is None:
            text = "" if record is not None else row.title
        return models.Task(number=number, part=part, section=section, subsection=subsection,
                    title=row.title, text=text,
                    trailer=record.trailer if record is not None else None,
                    line=record.line if record is not None else row.index + 1,
                    assignments=_assignments(row.marks, record, known), deadline=deadline,
                    scope=record.scope if record is not None else None)


_AMBIGUOUS = object()


def _sections(cell: str, record: _TaskRecord | None) -> tuple[str | None, str | None]:
    """章节 → (section, subsection): the recorded pair while the cell still shows it."""
    if record is not None:
        shown = "\n".join(p for p in (record.section, record.subsection) if p)
        if _clean(shown) == cell:
            return record.section, record.subsection
    first, _, rest = cell.strip().partition("\n")
    return first.strip() or None, rest.strip() or None


def _find_header(grid: list[list[Any]], required: Sequence[str]) -> int | None:
    for r, row in enumerate(grid[:_HEADER_SEARCH]):
        found = {_text(v).strip() for v in row}
        if all(h in found for h in required):
            return r
    return None


def _header_columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for c, value in enumerate(header):
        name = _text(value).strip()
        if name in _LEAD_HEADS:
            columns.setdefault(name, c)
    return columns


def _deadlines(grid: list[list[Any]]) -> dict[Any, str | None] | None:
    """分工表's 完成时限 by (序号, 编号, 重点任务), and by (编号, 重点任务) when that is unique."""
    head = _find_header(grid, ("序号", "编号", "重点任务", "完成时限"))
    if head is None:
        return None
    columns = {}
    for c, value in enumerate(grid[head]):
        columns.setdefault(_text(value).strip(), c)
    c_seq, c_label, c_title, c_deadline = (columns[k] for k in ("序号", "编号", "重点任务",
                                                                 "完成时限"))
    out: dict[Any, Any] = {}
    for row in grid[head + 1:]:
        label, title = _text(row[c_label]).strip(), _text(row[c_title])
        if not (label or title):
            continue
        deadline = _text(row[c_deadline]) or None
        out[(_int(row[c_seq]), label, title)] = deadline
        pair = (label, title)
        out[pair] = _AMBIGUOUS if pair in out and out[pair] != deadline else deadline
    return out


def _notes(grid: list[list[Any]]) -> tuple[Source | None, str | None, str | None]:
    """Source, generation time and tool from 说明, for a workbook without hidden records."""
    from . import models  # pydantic, for what is read back (build never needs it)

    pairs: dict[str, str] = {}
    for row in grid:
        if len(row) >= 2:
            pairs.setdefault(_text(row[0]).strip(), _text(row[1]))
    origin = None
    if pairs.get("源文件"):
        fmt = pairs.get("格式", "") or "text"
        fmt, _, encoding = fmt.partition("（编码 ")
        fmt = _FORMAT_CODES.get(fmt.strip(), fmt)  # 纯文本 → text (older workbooks: text)
        origin = models.Source(path=pairs["源文件"], sha256=pairs.get("SHA-256", ""),
                        format=fmt.strip() or "text", encoding=encoding.rstrip("）") or None)
    tool = pairs.get("工具版本", "").removeprefix("dutymatrix ").strip() or None
    return origin, pairs.get("生成时间") or None, tool


# --------------------------------------------------------------------------- the diff workbook

DIFF_SHEET_NAMES = ("概要", "任务变化", "部门变化", "矩阵对比")
MATCH_LABELS = {"manual": "人工指定", "text": "全文相同", "title": "标题相同",
                "number": "编号相同", "similar": "文字相似", "contained": "包含关系"}
KIND_HELP = {
    "added": "新版本新增的任务", "removed": "新版本删去的任务",
    "split": "一项任务拆分为几项（每一部分一行）", "merged": "几项任务合并为一项（每一部分一行）",
    "ambiguous": "有几项相近的候选，未自动匹配，需人工确认（可用 --match 指定）",
    "moved": "移到另一章节", "text_changed": "文字有修改", "renumbered": "编号改变",
    "departments_changed": "仅责任单位变化"}
# Light fills of a change's row, by its main kind (任务变化, and the 变化 cell of 矩阵对比).
KIND_FILLS = {"added": "E2EFDA", "removed": "F8D7DA", "split": "EAD9F2", "merged": "EAD9F2",
              "ambiguous": "FFE699", "moved": "DDEBF7", "text_changed": "FFF6D5",
              "renumbered": "DDF2F2", "departments_changed": "E6E6F7"}
# Fills of a changed department cell in 矩阵对比.
CHANGE_FILLS = {"gained": "A9D08E", "lost": "F4A6A6", "role_changed": "FFD966",
                "succession": "9DC3E6"}
_RED, _GREEN, _DARK_RED = "FFC00000", "FF00802B", "FF9C0006"
_EQUAL_KEEP = 40  # characters kept at each end of a long unchanged stretch in 文字变化


def write_diff_workbook(diff: PlanDiff, old: Plan, new: Plan, path: str | os.PathLike[str],
                        *, generated_at: datetime | None = None,
                        tool_version: str = __version__, record_path: bool = False) -> Path:
    """Write the changes between two versions of a plan as a workbook; return the path.

    ``diff`` is ``diff_plans(old, new)`` (or a :func:`~matrix.diff.filter_diff` of it); the
    workbook only shows it and compares nothing itself. Sheets:

    * 概要 — the two versions, the department filter if any, the number of changes of each kind
      (each in its colour) and the diff's notes.
    * 任务变化 — one row per change (``diff.entries``), coloured by its kind: 变化, 原编号 and
      原章节, 新编号 and 新章节, 任务, 匹配方式 (the pass that matched the pair), 相似度, 文字变化
      (the word-level diff: deletions struck through in red, insertions underlined in green;
      long unchanged stretches shortened to their ends) and 部门变化.
    * 部门变化 — per department: tasks gained and lost, lead gained and lost, role changes,
      successions, and which tasks.
    * 矩阵对比 — the new plan's matrix with every changed cell coloured: a department gained
      green, lost red (its old mark, struck through), role changed amber (the new mark),
      succession blue (the new department's mark; the old one's struck through); each removed
      task as a struck-through red row where it stood; a legend above the header.

    Written as :func:`write_workbook` writes: text is never a formula, 宋体/黑体, print setup
    on every sheet, and the file appears whole or not at all
    (:class:`~matrix.errors.MatrixOutputError` otherwise).

    Example::

        old, new = parse_file("draft.txt"), parse_file("final.txt")
        write_diff_workbook(diff_plans(old, new), old, new, "output/diff.xlsx")
    """
    if generated_at is None:
        generated_at = datetime.now().astimezone()
    old, new = sent_out(old, record_path), sent_out(new, record_path)
    return _save_atomically(path, DIFF_SHEET_NAMES, lambda book: _fill_diff(
        book, diff, old, new, generated_at, tool_version))


def _plan_name(plan: Plan) -> str:
    return plan.title or Path(plan.source.path).name or "（无标题）"


def _fill_diff(book: _Book, diff: PlanDiff, old: Plan, new: Plan, generated_at: datetime,
               tool_version: str) -> None:
    old_name, new_name = _plan_name(old), _plan_name(new)
    title = (f"《{new_name}》版本比较" if old_name == new_name
             else f"《{old_name}》与《{new_name}》比较")
    props = book.wb.properties
    props.title = _clean(title)
    props.creator = f"dutymatrix {tool_version}"
    props.description = _clean(f"{old.source.path} → {new.source.path}")
    props.created = _utc_naive(generated_at)
    page = _Page(title, _date(generated_at))
    _diff_summary_sheet(book.sheets["概要"], diff, old, new, title, page, generated_at,
                        tool_version)
    _diff_tasks_sheet(book.sheets["任务变化"], diff, page)
    _diff_departments_sheet(book.sheets["部门变化"], diff, page)
    _diff_matrix_sheet(book.sheets["矩阵对比"], diff, old, new, page)


def _filled(name: str, colour: str, *, strike: bool = False,
            font_colour: str | None = None) -> _Look:
    """The look ``name`` with a solid fill (and a struck-through, coloured font)."""
    base = _LOOKS[name]
    font = base.font
    if strike or font_colour:
        font = _font(font.name, font.sz, italic=bool(font.i), strike=strike or None,
                     color=font_colour or (font.color.rgb if font.color is not None else None))
    return _Look(font, base.alignment, PatternFill("solid", fgColor=colour), base.border)


def _diff_summary_sheet(sheet: _Sheet, diff: PlanDiff, old: Plan, new: Plan, title: str,
                        page: _Page, generated_at: datetime, tool_version: str) -> None:
    from .diff import KIND_LABELS

    book, ws = sheet.book, sheet.ws
    sheet.widths([16, 10, 64])
    _print_setup(ws, landscape=False, page=page)
    key, value, number = book.style("key"), book.style("value_flow"), book.style("number_box")

    def kv(k: str, v: str) -> None:
        sheet.banner(_clean(v), "value", 3, first=2, before=[(1, k, key)])

    sheet.banner(_clean(title), "title", 3, height=24)
    for label, plan in (("原版本", old), ("新版本", new)):
        kv(label, f"{plan.source.path}（{_plan_name(plan)}）")
        kv(f"{label} SHA-256", plan.source.sha256)
    if diff.department:
        kv("部门筛选", f"只列出与{diff.department}有关的变化")
    kv("工具版本", f"dutymatrix {tool_version}")
    kv("生成时间", generated_at.isoformat(timespec="seconds"))
    sheet.append([])
    if diff.is_empty():
        who = f"（{diff.department}）" if diff.department else ""
        sheet.banner(f"两个版本没有差别{who}。", "notice", 3)
    else:
        sheet.text("变化", "项数", "说明", style="head", height=22)
        for kind, count in diff.counts().items():
            fill = book.style(_filled("text_top", KIND_FILLS[kind]))
            sheet.append([(1, KIND_LABELS[kind], fill), (2, count, number),
                          (3, KIND_HELP[kind], book.style("text_top"))])
        sheet.append([(1, "合计", book.style("total")), (2, len(diff.entries),
                                                       book.style("total"))])
        sheet.append([])
        kv("部门", f"{len(diff.departments)} 个部门的任务有变化（见“部门变化”）")
    for note in diff.notes_zh:
        kv("注意", note)
    sheet.append([])
    # The colours of 矩阵对比, each a sample cell.
    samples = (("gained", "●", "新增单位"), ("lost", "●", "取消单位（原标记，删除线）"),
               ("role_changed", "★", "角色变化（新角色的标记）"),
               ("succession", "●", "机构改革承继（新单位；原单位的标记加删除线）"))
    for n, (kind, mark, words) in enumerate(samples):
        sample = _filled("mark", CHANGE_FILLS[kind], strike=kind == "lost",
                         font_colour=_DARK_RED if kind == "lost" else None)
        sheet.append([(1, "矩阵对比图例" if n == 0 else None, key),
                      (2, mark, book.style(sample)), (3, words, value)])
    sheet.append([(2, "●", book.style(_filled("mark", KIND_FILLS["removed"], strike=True,
                                                font_colour=_DARK_RED))),
                  (3, "已删除的任务（整行删除线，列在原来的位置）", value)])


def _change_legend() -> CellRichText:
    plain = InlineFont(rFont=_BODY, charset=_GB2312, sz=10)

    def square(colour: str) -> TextBlock:
        return TextBlock(InlineFont(rFont=_BODY, charset=_GB2312, sz=10,
                                    color="FF" + colour), "■")

    struck = InlineFont(rFont=_BODY, charset=_GB2312, sz=10, strike=True, color=_RED)
    return CellRichText(
        TextBlock(plain, "图例："), square(CHANGE_FILLS["gained"]), TextBlock(plain, "新增单位　"),
        square(CHANGE_FILLS["lost"]), TextBlock(plain, "取消单位（原标记，"),
        TextBlock(struck, "删除线"), TextBlock(plain, "）　"),
        square(CHANGE_FILLS["role_changed"]), TextBlock(plain, "角色变化（新角色）　"),
        square(CHANGE_FILLS["succession"]), TextBlock(plain, "机构改革承继　"),
        TextBlock(struck, "整行删除线"), TextBlock(plain, "：已删除的任务　"),
        TextBlock(plain, LEGEND.removeprefix("图例：")))


def _ref_section(ref: TaskRef | None) -> str:
    if ref is None:
        return ""
    return _clean("\n".join(p for p in (ref.section, ref.subsection) if p))


_SECTION_NUMBER = re.compile(r"^\s*(第[^章节部分\s]{1,6}[章节部分]|[一二三四五六七八九十百零〇两]+、)")


def _ref_where(ref: TaskRef | None) -> str:
    """三、（五）: the section's number and the task's label, enough to find it."""
    if ref is None:
        return ""
    m = _SECTION_NUMBER.match(ref.section or "")
    return (m.group(1) if m else "") + ref.label


def _diff_text(segments: Sequence[tuple[str, str, str]]) -> CellRichText:
    """Word-level diff as rich text: deletions struck through in red, insertions underlined in
    green; an unchanged stretch longer than twice ``_EQUAL_KEEP`` keeps only its two ends."""
    plain = InlineFont(rFont=_BODY, charset=_GB2312, sz=10)
    gone = InlineFont(rFont=_BODY, charset=_GB2312, sz=10, strike=True, color=_RED)
    added = InlineFont(rFont=_BODY, charset=_GB2312, sz=10, u="single", color=_GREEN)
    blocks: list[TextBlock] = []
    left = _MAX_CELL_TEXT - 1

    def add(font: InlineFont, text: str) -> None:
        nonlocal left
        text = _NOT_XML.sub("", text)[:max(left, 0)]
        if text:
            blocks.append(TextBlock(font, text))
            left -= len(text)

    last = len(segments) - 1
    for n, (op, a, b) in enumerate(segments):
        if op == "equal":
            head = a[:_EQUAL_KEEP] if n else ""
            tail = a[-_EQUAL_KEEP:] if n < last else ""
            if len(a) > 2 * _EQUAL_KEEP + 1 or (not head and len(a) > _EQUAL_KEEP + 1) or (
                    not tail and len(a) > _EQUAL_KEEP + 1):
                add(plain, f"{head}…{tail}")
            else:
                add(plain, a)
            continue
        if op in ("delete", "replace"):
            add(gone, a)
        if op in ("insert", "replace"):
            add(added, b)
    if left <= 0:
        blocks.append(TextBlock(plain, "…"))
    return CellRichText(*blocks)


def _candidates(entry: DiffEntry) -> str:
    return "候选：" + "；".join(f"{_ref_where(c.old)}→{_ref_where(c.new)}（{c.score:.0f}）"
                              for c in entry.candidates)


def _list_head(sheet: _Sheet, title: str, heads: Sequence[str], widths: Sequence[float], *,
               freeze: str, rows: int, page: _Page, head_height: float = 22,
               landscape: bool = True, centre: str | None = None) -> str:
    """Widths, print set-up, filter, title banner and header row of a list sheet (a title in
    row 1, the header in row 2, ``rows`` rows below); returns the last cell of the list."""
    ws = sheet.ws
    sheet.widths(widths)
    last = f"{get_column_letter(len(heads))}{rows + 2}"
    ws.freeze_panes = freeze
    _print_setup(ws, landscape=landscape, page=page, centre=centre)
    ws.print_title_rows = "2:2"
    ws.auto_filter.ref = f"A2:{last}"
    sheet.banner(title, "title", len(heads), height=24)
    sheet.text(*heads, style="head", height=head_height)
    return last


def _diff_list_head(sheet: _Sheet, diff: PlanDiff, page: _Page, title: str, heads: list[str],
                    widths: list[float], freeze: str, rows: int, head_height: float) -> None:
    """The head of a list sheet of a diff: its title names the department filter, if any."""
    _list_head(sheet, title + (f"（{diff.department}）" if diff.department else ""), heads,
               widths, freeze=freeze, rows=rows, page=page, head_height=head_height)


def _diff_tasks_sheet(sheet: _Sheet, diff: PlanDiff, page: _Page) -> None:
    from .diff import KIND_LABELS, describe_departments

    book = sheet.book
    _diff_list_head(sheet, diff, page, "任务变化",
                    ["序号", "变化", "原编号", "原章节", "新编号", "新章节", "任务", "匹配方式",
                     "相似度", "文字变化", "部门变化"],
                    [5, 12, 10, 14, 10, 14, 22, 9, 7, 48, 28], "C3", len(diff.entries), 22)
    for i, e in enumerate(diff.entries, 1):
        text = book.style(_filled("text_top", KIND_FILLS[e.kind]))
        number = book.style(_filled("number_box", KIND_FILLS[e.kind]))
        task = e.new or e.old
        departments = (_candidates(e) if e.kind == "ambiguous"
                       else describe_departments(e.departments))
        values: list[Any] = [
            "、".join(KIND_LABELS[k] for k in e.kinds),
            e.old.label if e.old else "", _ref_section(e.old),
            e.new.label if e.new else "", _ref_section(e.new),
            _clean(task.title) if task else "",
            MATCH_LABELS.get(e.matched_by or "", e.matched_by or "")]
        cells: list[_Cell] = [(1, i, number),
                              *((c, _clean(v) or None, text) for c, v in enumerate(values, 2))]
        cells.append((9, round(e.score) if e.score is not None else None, number))
        cells.append((10, _diff_text(e.text_diff) if e.text_diff else None, text))
        cells.append((11, _clean(departments) or None, text))
        sheet.append(cells)


def _diff_departments_sheet(sheet: _Sheet, diff: PlanDiff, page: _Page) -> None:
    book = sheet.book
    _diff_list_head(sheet, diff, page, "部门变化",
                    ["部门", "新增任务", "减少任务", "新增牵头", "取消牵头", "角色变化",
                     "机构改革承继", "合计", "明细"],
                    [18, 6, 6, 6, 6, 6, 7, 6, 70], "B3", len(diff.departments), 36)

    details: dict[str, list[str]] = {}
    for e in diff.entries:
        new_at, old_at = _ref_where(e.new), _ref_where(e.old)
        ch = e.departments
        for d in ch.gained:
            details.setdefault(d.department, []).append(f"+{new_at}（{d.role.label}）")
        for d in ch.lost:
            details.setdefault(d.department, []).append(f"−{old_at}（{d.role.label}）")
        for c in ch.role_changed:
            details.setdefault(c.department, []).append(
                f"{new_at}（{c.old.label}→{c.new.label}）")
        for s in ch.succession:
            for name in (s.old, s.new):
                details.setdefault(name, []).append(f"{new_at}（{s.old}→{s.new}）")

    text, number, total = book.style("text_top"), book.style("number_box"), book.style("total")
    colours = (CHANGE_FILLS["gained"], CHANGE_FILLS["lost"], CHANGE_FILLS["gained"],
               CHANGE_FILLS["lost"], CHANGE_FILLS["role_changed"], CHANGE_FILLS["succession"])
    for d in diff.departments:
        counts = (d.tasks_gained, d.tasks_lost, d.lead_gained, d.lead_lost, d.role_changed,
                  d.succession)
        sheet.append([(1, _clean(d.department), text),
                      *((c, n or None, book.style(_filled("number_box", colour)) if n
                         else number) for c, (n, colour) in enumerate(zip(counts, colours), 2)),
                      (8, d.total, total),
                      (9, _clean("　".join(details.get(d.department, ()))) or None, text)])


def _diff_matrix_sheet(sheet: _Sheet, diff: PlanDiff, old: Plan, new: Plan,
                       page: _Page) -> None:
    from .diff import KIND_LABELS, KIND_ORDER, describe_departments

    book, ws = sheet.book, sheet.ws
    new_matrix, old_matrix = build_matrix(new), build_matrix(old)
    # Departments of the new plan, then those only the old one names (lost everywhere).
    departments = new_matrix.departments + tuple(
        d for d in old_matrix.departments if d not in new_matrix.counts)
    lead_heads = ["序号", "变化", "章节", "编号", "任务"]
    first_dept = len(lead_heads) + 1
    column_of = {d: first_dept + i for i, d in enumerate(departments)}
    note_col = first_dept + len(departments)
    letter = get_column_letter

    by_new: dict[int, list[DiffEntry]] = {}
    removed: list[DiffEntry] = []
    for e in diff.entries:
        if e.new is not None:
            by_new.setdefault(e.new.index, []).append(e)
        elif e.old is not None:
            removed.append(e)
    # A removed task goes after the new row matched to the nearest old task before it.
    paired = {i: j for i, j, _ in diff.pairs}
    after: dict[int, list[DiffEntry]] = {}
    for e in sorted(removed, key=lambda e: e.old.index if e.old else 0):
        k = (e.old.index if e.old else 0) - 1
        while k >= 0 and k not in paired:
            k -= 1
        after.setdefault(paired[k] if k >= 0 else -1, []).append(e)

    legend_row, head_row = 3, 4
    rows = len(new_matrix.rows) + len(removed)
    last_row = head_row + rows
    sheet.widths([5, 10, 18, 11, 26, *[_MARK_WIDTH] * len(departments), 30])
    ws.freeze_panes = f"{letter(first_dept)}{head_row + 1}"
    fit = len(departments) <= _FIT_DEPARTMENTS
    _print_setup(ws, landscape=True, wide=len(departments) > 20, page=page, fit_width=fit)
    ws.print_title_rows = f"{legend_row}:{head_row}"
    if not fit:
        ws.print_title_cols = f"A:{letter(first_dept - 1)}"
    ws.print_options.gridLines = True
    ws.auto_filter.ref = f"A{head_row}:{letter(note_col)}{last_row}"

    sheet.banner(_clean(f"矩阵对比：{_plan_name(new)}"), "title", note_col, height=24)
    sheet.banner(_clean(f"新版本 {new.source.path} 的责任矩阵，标出相对原版本 "
                        f"{old.source.path} 的变化" + (f"（只标与{diff.department}有关的变化）"
                                                     if diff.department else "")), "info",
                 note_col)
    sheet.banner(_change_legend(), "legend", note_col)
    longest = max((len(d) for d in departments), default=2)
    head, vertical = book.style("head"), book.style("head_vertical")
    sheet.append([*((i, h, head) for i, h in enumerate(lead_heads, 1)),
                  *((column_of[d], _clean(d), vertical) for d in departments),
                  (note_col, "部门变化", head)],
                 height=min(_MAX_ROW_HEIGHT, max(30, 14.5 * longest + 10)))

    looks = {name: book.style(name) for name in ("number", "text", "mark", "mark_inherited")}
    change = {k: book.style(_filled("mark", colour)) for k, colour in CHANGE_FILLS.items()}
    change["lost"] = book.style(_filled("mark", CHANGE_FILLS["lost"], strike=True,
                                        font_colour=_DARK_RED))
    change["succession_old"] = book.style(_filled("mark", CHANGE_FILLS["succession"],
                                                  strike=True))
    gone = {name: book.style(_filled(name, KIND_FILLS["removed"], strike=True,
                                     font_colour=_DARK_RED))
            for name in ("number", "text", "mark")}
    sheet.min_height = _MATRIX_ROW

    def kinds_cell(entries: Sequence[DiffEntry], style_of: Callable[[str], _Style]) -> _Cell:
        kinds = list(dict.fromkeys(k for e in entries for k in e.kinds))
        kinds.sort(key=KIND_ORDER.index)
        return (2, "、".join(KIND_LABELS[k] for k in kinds), style_of(kinds[0]))

    def kind_style(kind: str) -> _Style:
        return book.style(_filled("text", KIND_FILLS[kind]))

    def removed_row(e: DiffEntry) -> None:
        row = old_matrix.rows[e.old.index] if e.old and e.old.index < len(old_matrix.rows) \
            else None
        cells: list[_Cell] = [(1, None, gone["number"]), (2, "删除", kind_style("removed"))]
        if row is not None:
            task = row.task
            cells += [(3, _section(row), gone["text"]), (4, task.label, gone["text"]),
                      (5, _clean(task.title), gone["text"])]
            cells += sorted((column_of[d], MARKS[c.role], gone["mark"])
                            for d, c in row.cells.items() if d in column_of)
        sheet.append(cells)

    for e in after.get(-1, ()):
        removed_row(e)
    for j, row in enumerate(new_matrix.rows):
        task = row.task
        entries = by_new.get(j, [])
        cells = [(1, j + 1, looks["number"])]
        if entries:
            cells.append(kinds_cell(entries, kind_style))
        cells += [(3, _section(row), looks["text"]), (4, task.label, looks["text"]),
                  (5, _clean(task.title), looks["text"])]
        added = any(e.kind == "added" for e in entries)
        gained = {d.department for e in entries for d in e.departments.gained}
        role = {c.department for e in entries for c in e.departments.role_changed}
        heirs = {s.new for e in entries for s in e.departments.succession}
        marks: dict[int, tuple[str, _Style]] = {}
        for d, c in row.cells.items():
            if added or d in gained:
                style = change["gained"]
            elif d in role:
                style = change["role_changed"]
            elif d in heirs:
                style = change["succession"]
            else:
                style = looks["mark_inherited"] if c.inherited else looks["mark"]
            marks[column_of[d]] = (MARKS[c.role], style)
        for e in entries:
            for lost in e.departments.lost:
                if lost.department not in row.cells:
                    marks.setdefault(column_of[lost.department],
                                     (MARKS[lost.role], change["lost"]))
            for s in e.departments.succession:
                if s.old not in row.cells and s.old in column_of:
                    marks.setdefault(column_of[s.old],
                                     (MARKS[s.old_role], change["succession_old"]))
        cells += [(c, mark, style) for c, (mark, style) in sorted(marks.items())]
        note = "　".join(filter(None, (
            _candidates(e) if e.kind == "ambiguous" else describe_departments(e.departments)
            for e in entries)))
        cells.append((note_col, _clean(note) or None, looks["text"]))
        sheet.append(cells)
        for e in after.get(j, ()):
            removed_row(e)
    sheet.min_height = None
    ws.print_area = f"A1:{letter(note_col)}{max(last_row, head_row)}"


# --------------------------------------------------------------------------- department task lists

TASK_LIST_SHEET = "任务清单"
INDEX_SHEET = "部门索引"


def write_task_list(hits: Sequence[TaskHit], path: str | os.PathLike[str], *, title: str,
                    department: str | None = None, record_path: bool = False) -> Path:
    """Write one department's task list (``dutymatrix filter --format xlsx``) and return the path.

    One sheet, 任务清单, in the 分工表 layout: a title row (``title``, or
    "<department>任务清单" when ``title`` is empty), then 序号 | 来源 (only when the hits come
    from several files) | 章节 | 编号 | 重点任务 | 任务内容 | 本单位角色 | 牵头单位 | 其他单位 |
    完成时限. 本单位角色 is the hit's role as :func:`matrix.tabular.role_text` words it
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
    return _save_atomically(path, (TASK_LIST_SHEET,),
                            lambda book: _task_list_sheet(book, hits, heading, department))


def write_index(rows: Sequence[dict[str, Any]], path: str | os.PathLike[str], *,
                title: str) -> Path:
    """Write the index of a split (``dutymatrix filter --split-by-dept``) and return the path.

    ``rows`` are :func:`matrix.filter.department_index` rows — keys department, lead,
    responsible, support, guide, total, inherited — each with an optional ``file``: the file
    name of that department's list. One sheet, 部门索引: a title row, then 序号 | 部门 | 牵头 |
    负责 | 参与 | 指导 | 合计 | 其中统一规定 | 任务清单, one row per department in the order
    given. Written as :func:`write_workbook` writes.
    """
    return _save_atomically(path, (INDEX_SHEET,), lambda book: _index_sheet(book, rows, title))


def _properties(book: _Book, title: str) -> None:
    props = book.wb.properties
    props.title = _clean(title)
    props.creator = f"dutymatrix {__version__}"


def _task_list_sheet(book: _Book, hits: Sequence[TaskHit], heading: str,
                     department: str | None) -> None:
    from .tabular import SEPARATOR, role_text

    sheet = book.sheets[TASK_LIST_SHEET]
    ws = sheet.ws
    several = len({hit.source for hit in hits}) > 1
    heads = ["序号", *(["来源"] if several else []), "章节", "编号", "重点任务", "任务内容",
             "本单位角色", "牵头单位", "其他单位", "完成时限"]
    # Each department's list is a workbook of its own, so it prints on pages of its own; its
    # name heads every page.
    last = _list_head(sheet, _clean(heading), heads,
                      [5, *([18] if several else []), 14, 11, 18, 44, 12, 14, 20, 10],
                      freeze="A3", rows=len(hits), centre=department,
                      page=_Page("" if department else heading, _date(datetime.now())))
    _properties(book, heading)
    number, text = book.style("number_box"), book.style("text_top")
    for i, hit in enumerate(hits, 1):
        task = hit.task
        leads = [d for d, role in task.roles().items() if role is Role.lead]
        others = [d for d in hit.others if d not in leads]
        values = [*([hit.source] if several else []), _task_section(task), task.label,
                  task.title, task.text, role_text(hit), SEPARATOR.join(leads),
                  SEPARATOR.join(others), task.deadline or ""]
        sheet.append([(1, i, number),
                      *((c, _clean(v) or None, text) for c, v in enumerate(values, 2))])
    if hits:
        _banding(ws, f"A3:{last}", 2)


_INDEX_HEADS = ("序号", "部门", "牵头", "负责", "参与", "指导", "合计", "其中统一规定", "任务清单")
_INDEX_KEYS = ("lead", "responsible", "support", "guide", "total", "inherited")


def _index_sheet(book: _Book, rows: Sequence[dict[str, Any]], title: str) -> None:
    sheet = book.sheets[INDEX_SHEET]
    ws = sheet.ws
    last = _list_head(sheet, _clean(title), _INDEX_HEADS, [5, 22, 6, 6, 6, 6, 6, 12, 30],
                      freeze="A3", rows=len(rows), landscape=False,
                      page=_Page(title, _date(datetime.now())))
    _properties(book, title)
    number, text = book.style("number_box"), book.style("text_top")
    for i, row in enumerate(rows, 1):
        counts = [int(row.get(k) or 0) for k in _INDEX_KEYS]
        file = row.get("file")
        sheet.append([(1, i, number), (2, _clean(str(row["department"])), text),
                      *((c, n, number) for c, n in enumerate(counts, 3)),
                      (9, _clean(os.fspath(file)) if file else None, text)])
    if rows:
        _heat(ws, f"G3:G{len(rows) + 2}")
        _banding(ws, f"A3:F{len(rows) + 2}", 2)
        _banding(ws, f"H3:{last}", 2)


# --------------------------------------------------------------------------- helpers


def _utc_naive(moment: datetime) -> datetime:
    # Workbook properties hold UTC without a zone; a naive datetime is taken as local time.
    return moment.astimezone(timezone.utc).replace(tzinfo=None)

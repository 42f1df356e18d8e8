"""Write a plan as an Excel workbook: 矩阵, 分工表, 部门统计 and 说明.

The only module that imports openpyxl, and the only place that makes formatting decisions.

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
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml import LXML
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring, xmlfile

try:  # a private module: only the fast row path needs it
    from openpyxl.worksheet._writer import WorksheetWriter
except ImportError:  # pragma: no cover
    WorksheetWriter = object

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from . import __version__
from .errors import MatrixOutputError
from .models import Document, Plan, Role
from .pivot import Matrix, Row, build_matrix, department_counts

__all__ = ["MARKS", "NO_ASSIGNMENTS", "SHEET_NAMES", "write_workbook"]

SHEET_NAMES = ("矩阵", "分工表", "部门统计", "说明")
MARKS = {Role.lead: "★", Role.responsible: "●", Role.support: "○", Role.guide: "◇"}
NO_ASSIGNMENTS = "本文件未列明责任单位，任务已列出，可手工填写分工"
NO_TASKS = "本文件未识别出任务条款"
INHERITED_SUFFIX = "（统一规定）"  # after a department name in 分工表
LEGEND = "图例：★ 牵头　● 负责　○ 参与/配合　◇ 指导　"
LEGEND_INHERITED = ("灰色斜体（承）", "：继承自文件统一规定")

_MAX_CELL_TEXT = 32767  # Excel's limit on characters in one cell
# Characters XML 1.0 cannot carry (lxml refuses them); tab, LF and CR are allowed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

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
                   tool_version: str = __version__) -> Path:
    """Write ``plan`` to ``path`` as an ``.xlsx`` workbook and return the path.

    Sheets, in order: 矩阵 (tasks × departments, one mark per role), 分工表 (the list offices
    circulate), 部门统计 (roles per department) and 说明 (source, checksum, rules, warnings).
    ``matrix`` defaults to ``build_matrix(plan)``; pass a filtered one to write only its rows
    (说明 still describes the whole plan). ``generated_at`` defaults to now.

    Raises :class:`~matrix.errors.MatrixOutputError` when the folder is missing or not
    writable, or the file cannot be replaced; an existing file is then left as it was.

    Example::

        write_workbook(parse_file("plan.txt"), "output/plan.xlsx")
    """
    path = Path(path)
    if matrix is None:
        matrix = build_matrix(plan)
    if generated_at is None:
        generated_at = datetime.now().astimezone()
    folder = path.parent
    if not folder.is_dir():
        raise MatrixOutputError(f"{path}: the output folder {folder} does not exist")
    if path.is_dir():
        raise MatrixOutputError(f"{path}: is a folder, not a file")
    try:
        # A temporary file next to the target, so that os.replace is a rename on one disk.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.stem}.", suffix=".xlsx",
                                         delete=False) as handle:
            temp = Path(handle.name)
    except OSError as e:
        raise MatrixOutputError(f"{path}: cannot write in {folder}: {e.strerror or e}") from None
    book = _Book()
    try:
        _fill(book, plan, matrix, generated_at, tool_version)
        try:
            book.save(temp)
            os.chmod(temp, _file_mode(path))  # mkstemp creates 0600; give the usual mode
            os.replace(temp, path)
        except OSError as e:
            raise MatrixOutputError(f"{path}: cannot write the workbook: {e.strerror or e}"
                                    " (is the file open in another program?)") from e
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        book.close()
    return path


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Look:
    """How a cell looks; registered once per workbook as a :class:`_Style`."""

    font: Font
    alignment: Alignment | None = None
    fill: PatternFill | None = None
    border: Border | None = None


class _Style:
    """A look registered in one workbook: style ids for plain and quote-prefixed text."""

    __slots__ = ("id", "quoted_id", "plain", "quoted")

    def __init__(self, look: _Look, ws: WriteOnlyWorksheet) -> None:
        # Two cells: openpyxl keeps the registered style array itself, so it must not change.
        plain, quoted = _styled_cell(ws, look), _styled_cell(ws, look, quoted=True)
        self.id, self.quoted_id = str(plain.style_id), str(quoted.style_id)
        self.plain, self.quoted = plain._style, quoted._style  # shared by cells, never changed


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

_LOOKS = {
    "title": _Look(_font(_HEADING, 16)),
    "info": _Look(_font(color="404040")),
    "notice": _Look(_font(_HEADING, 11, color="C00000")),
    "legend": _Look(_font()),
    "head": _Look(_font(_HEADING), _CENTRE, _HEAD_FILL, _BOX),
    # Stacked vertical text (rotation 255) keeps 200 department columns narrow.
    "head_vertical": _Look(_font(_HEADING), Alignment(horizontal="center", vertical="top",
                                                        text_rotation=255, wrap_text=True),
                           _HEAD_FILL, _BOX),
    "text": _Look(_font(), _WRAP),
    "text_top": _Look(_font(), _WRAP_TOP, None, _BOX),
    "number": _Look(_font(), Alignment(horizontal="center", vertical="center")),
    "number_box": _Look(_font(), Alignment(horizontal="center", vertical="top"), None, _BOX),
    "mark": _Look(_font(size=11), Alignment(horizontal="center", vertical="center")),
    "mark_inherited": _Look(_font(size=11, italic=True, color=_GREY),
                            Alignment(horizontal="center", vertical="center")),
    "total": _Look(_font(_HEADING), Alignment(horizontal="center", vertical="center"),
                   _TOTAL_FILL, _BOX),
    "full_text": _Look(_font()),
    "key": _Look(_font(_HEADING), _WRAP_TOP),
    "value": _Look(_font(), _WRAP_TOP),
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


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A literal CR would come back as LF (XML end-of-line handling); a character reference won't.
    return text.replace("\r", "&#13;") if "\r" in text else text


_LETTERS = [""]  # column number → letters, grown on demand


def _letters(columns: int) -> list[str]:
    if len(_LETTERS) <= columns:
        _LETTERS.extend(get_column_letter(i) for i in range(len(_LETTERS), columns + 1))
    return _LETTERS


def _row_xml(row_idx: int, cells: Sequence[_Cell], height: float | None) -> str:
    """One ``<row>`` of SpreadsheetML; every string is an inline string, never a formula."""
    r = str(row_idx)
    parts = [f'<row r="{r}" ht="{height}" customHeight="1">' if height else f'<row r="{r}">']
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
        # An anonymous temporary file: gone when closed or when the process dies.
        self._xml: IO[bytes] | None = tempfile.TemporaryFile() if _FAST_ROWS else None

    def widths(self, widths: Iterable[float], hidden: Iterable[int] = ()) -> None:
        """Column widths in characters."""
        for i, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        for i in hidden:
            self.ws.column_dimensions[get_column_letter(i)].hidden = True

    def append(self, cells: Sequence[_Cell], height: float | None = None) -> int:
        """Write the next row; return its 1-based number."""
        self.rows += 1
        if self._xml is not None:
            self._xml.write(_row_xml(self.rows, cells, height).encode())
        else:
            if height is not None:
                self.ws.row_dimensions[self.rows].height = height
            self.ws.append(self._dense(cells))
        return self.rows

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


class _Book:
    """A write-only workbook with its sheets created in order and its styles registered."""

    def __init__(self) -> None:
        self.wb = Workbook(write_only=True)
        self.sheets = {title: _Sheet(self, title) for title in SHEET_NAMES}
        anchor = self.sheets[SHEET_NAMES[0]].ws
        self._styles = {name: _Style(look, anchor) for name, look in _LOOKS.items()}

    def style(self, name: str) -> _Style:
        """The registered style called ``name`` (a key of ``_LOOKS``)."""
        return self._styles[name]

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
    _matrix_sheet(book.sheets["矩阵"], plan, matrix, title, labels, several)
    _list_sheet(book.sheets["分工表"], matrix, labels, several)
    _count_sheet(book.sheets["部门统计"], matrix)
    _notes_sheet(book.sheets["说明"], plan, matrix, labels, generated_at, tool_version)


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
    task = row.task
    parts = [p for p in (task.section, task.subsection) if p]
    return _clean("\n".join(parts))


def _legend() -> CellRichText:
    plain = InlineFont(rFont=_BODY, charset=_GB2312, sz=10)
    grey = InlineFont(rFont=_BODY, charset=_GB2312, sz=10, i=True, color=_GREY)
    return CellRichText(TextBlock(plain, LEGEND), TextBlock(grey, LEGEND_INHERITED[0]),
                        TextBlock(plain, LEGEND_INHERITED[1]))


def _matrix_sheet(sheet: _Sheet, plan: Plan, matrix: Matrix, title: str, labels: list[str],
                  several: bool) -> None:
    book, ws = sheet.book, sheet.ws
    lead_heads = ["序号", *(["文件"] if several else []), "章节", "编号", "任务"]
    lead_widths = [6, *([22] if several else []), 18, 10, 36]
    first_dept = len(lead_heads) + 1
    departments = matrix.departments
    total_col = first_dept + len(departments)
    full_col = total_col + 1
    column_of = {d: first_dept + i for i, d in enumerate(departments)}

    notices = _notices(plan, labels)
    legend_row = 3 + len(notices)
    head_row = legend_row + 1
    last_row = head_row + len(matrix.rows)

    sheet.widths([*lead_widths, *[4.5] * len(departments), 7, 60], hidden=[full_col])
    ws.freeze_panes = f"{get_column_letter(first_dept)}{head_row + 1}"
    _print_setup(ws, landscape=True, wide=len(departments) > 20)
    ws.print_title_rows = f"{legend_row}:{head_row}"
    ws.print_options.gridLines = True  # empty grid cells are not written, so no borders
    ws.auto_filter.ref = f"A{head_row}:{get_column_letter(full_col)}{last_row}"

    source = plan.source
    sheet.text(_clean(title), style="title", height=24)
    sheet.text(_clean(f"来源：{source.path}　SHA-256：{source.sha256[:16]}…　"
                      f"任务 {len(matrix.rows)} 项　部门 {len(departments)} 个"), style="info")
    for notice in notices:
        sheet.text(_clean(notice), style="notice")
    sheet.append([(1, _legend(), book.style("legend"))])

    longest = max((len(d) for d in departments), default=2)
    head, vertical = book.style("head"), book.style("head_vertical")
    sheet.append(
        [*((i, h, head) for i, h in enumerate(lead_heads, 1)),
         *((column_of[d], _clean(d), vertical) for d in departments),
         (total_col, "合计", head), (full_col, "任务全文", head)],
        height=min(409, max(30, 13.5 * longest + 8)))

    number, text, mark = book.style("number"), book.style("text"), book.style("mark")
    inherited, full = book.style("mark_inherited"), book.style("full_text")
    totals = dict.fromkeys(column_of.values(), 0)  # counted from the marks actually written
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

    total = book.style("total")
    sheet.append([(1, "合计", total), *((c, n, total) for c, n in totals.items()),
                  (total_col, sum(totals.values()), total)])


def _document_label(labels: list[str], row: Row) -> str:
    if 0 <= row.document_index < len(labels):
        return labels[row.document_index]
    return _clean(row.document or "")


_ROLE_COLUMNS = (Role.lead, Role.responsible, Role.support, Role.guide)


def _list_sheet(sheet: _Sheet, matrix: Matrix, labels: list[str], several: bool) -> None:
    book, ws = sheet.book, sheet.ws
    heads = ["序号", *(["文件"] if several else []), "章节", "编号", "重点任务", "任务内容",
             "牵头单位", "责任单位", "参与单位", "指导单位", "完成时限"]
    widths = [6, *([22] if several else []), 16, 9, 26, 60, 16, 20, 20, 14, 12]
    sheet.widths(widths)
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=True, wide=False)
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{len(matrix.rows) + 1}"
    sheet.text(*heads, style="head", height=28)

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


def _count_sheet(sheet: _Sheet, matrix: Matrix) -> None:
    ws = sheet.ws
    heads = ["部门", "牵头", "负责", "参与", "指导", "合计"]
    sheet.widths([24, 8, 8, 8, 8, 8])
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=False, wide=False)
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:F{len(matrix.departments) + 1}"
    sheet.text(*heads, style="head", height=22)
    text, number = sheet.book.style("text_top"), sheet.book.style("number_box")
    for c in department_counts(matrix):
        sheet.append([(1, _clean(c.department), text),
                      *((i, n, number) for i, n in enumerate(c[1:], 2))])


def _notes_sheet(sheet: _Sheet, plan: Plan, matrix: Matrix, labels: list[str],
                 generated_at: datetime, tool_version: str) -> None:
    ws = sheet.ws
    sheet.widths([16, 80, 24, 30])
    _print_setup(ws, landscape=False, wide=False)
    source = plan.source

    key, value = sheet.book.style("key"), sheet.book.style("value")

    def kv(k: str, v: Any) -> None:
        v = _clean(v) if isinstance(v, str) else v
        sheet.append([(1, k, key), *([(2, v, value)] if v not in (None, "") else [])])

    sheet.text("说明", style="title", height=24)
    kv("源文件", source.path)
    kv("SHA-256", source.sha256)
    kv("格式", source.format + (f"（编码 {source.encoding}）" if source.encoding else ""))
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
                      (2, _clean(w.message), value), (3, _clean(w.kind), value),
                      (4, label, value)])


def _print_setup(ws: WriteOnlyWorksheet, *, landscape: bool, wide: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A3 if wide else Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


# --------------------------------------------------------------------------- helpers


def _utc_naive(moment: datetime) -> datetime:
    # Workbook properties hold UTC without a zone; a naive datetime is taken as local time.
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _file_mode(path: Path) -> int:
    """Mode for the new file: the old file's, else what a plain open() would give."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux ≥ 4.7 reports it without the race of setting it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

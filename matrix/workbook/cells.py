"""What every workbook writer shares and none needs openpyxl for: the texts a cell may hold
(:func:`clean_text`), the row heights (:func:`row_height`), one ``<row>`` of SpreadsheetML
(:func:`row_xml`), rich text (:class:`Rich`), the looks described by value (:data:`LOOK_SPECS`,
which ``book`` turns into openpyxl styles and ``xlsx`` into ``styles.xml``), a sheet fed with rows
(:class:`Rows`, the base of ``book.Sheet`` and ``xlsx.Sheet``) and the atomic save
(:func:`save_atomically`). Importing it imports no openpyxl: the plan workbook is written by
``xlsx`` with it alone (issue 27).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, NamedTuple

from ..i18n import _
from ..records import Plan, Role
from ..text.safe import strip_bidi

MARKS = {Role.lead: "★", Role.responsible: "●", Role.support: "○", Role.guide: "◇"}
LEGEND = "图例：★ 牵头　● 负责　○ 参与/配合　◇ 指导　"

MAX_CELL_TEXT = 32767  # Excel's limit on characters in one cell
# Characters XML 1.0 cannot carry (lxml refuses them); tab, LF and CR are allowed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

LINE_SPACING = 1.35  # points of row height per point of font size, per line of text
ONE_LINE = 15.0  # the default row height (points): enough for one line of a 10–11 pt font
MAX_ROW_HEIGHT = 409.0  # Excel's limit
DEFAULT_ROOM = 8.43 - 0.5  # display units of a line of a column without a width of its own

BODY = "宋体"
HEADING = "黑体"
GB2312 = 134  # font charset: tells Excel these are Chinese fonts
GREY = "808080"


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


def utc_naive(moment: datetime) -> datetime:
    # Workbook properties hold UTC without a zone; a naive datetime is taken as local time.
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def save_atomically(path: str | os.PathLike[str] | IO[bytes], sheet_titles: Sequence[str],
                    fill: Callable[[Any], None], finish: Callable[[Any], None] | None = None, *,
                    book_type: Callable[[Sequence[str]], Any]) -> Any:
    """Create a workbook (``book_type(sheet_titles)``: ``book.Book`` or ``xlsx.Book``), ``fill``
    it, save it to ``path`` (or a stream) whole or not at all and return ``path``; ``finish``
    may touch up the saved file first. ``MatrixOutputError`` for a missing or unwritable folder
    or a file that cannot be replaced."""
    from ..safety.writes import replace_atomically

    book = book_type(sheet_titles)

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


# --------------------------------------------------------------------------- looks by value


class FontSpec(NamedTuple):
    name: str = BODY
    size: float = 10
    bold: bool = False
    italic: bool = False
    color: str | None = None  # RGB, e.g. "808080"


class LookSpec(NamedTuple):
    """How a cell looks, by value (``book.LOOKS`` are these as openpyxl styles)."""

    font: FontSpec
    horizontal: str | None = None
    vertical: str | None = None
    rotation: int | None = None
    wrap: bool = False
    fill: str | None = None  # RGB of a solid fill
    border: str | None = None  # RGB of thin lines on all four sides

    @property
    def aligned(self) -> bool:
        return bool(self.horizontal or self.vertical or self.rotation or self.wrap)


_BOX = "A6A6A6"
_HEAD_FILL = "D9E1F2"
_TOTAL_FILL = "F2F2F2"
_PLAIN = FontSpec()
_BOLD_FACE = FontSpec(HEADING)

LOOK_SPECS = {
    # Lines above a table: merged across its width and wrapped there (Sheet.banner).
    "title": LookSpec(FontSpec(HEADING, 16), vertical="center", wrap=True),
    "info": LookSpec(FontSpec(color="404040"), vertical="center", wrap=True),
    "notice": LookSpec(FontSpec(HEADING, 11, color="C00000"), vertical="center", wrap=True),
    "legend": LookSpec(_PLAIN, vertical="center", wrap=True),
    "head": LookSpec(_BOLD_FACE, "center", "center", wrap=True, fill=_HEAD_FILL, border=_BOX),
    # Stacked vertical text (rotation 255) keeps 200 department columns narrow.
    "head_vertical": LookSpec(_BOLD_FACE, "center", "top", 255, True, _HEAD_FILL, _BOX),
    "text": LookSpec(_PLAIN, vertical="center", wrap=True),
    "text_top": LookSpec(_PLAIN, vertical="top", wrap=True, border=_BOX),
    "number": LookSpec(_PLAIN, "center", "center"),
    "number_box": LookSpec(_PLAIN, "center", "top", border=_BOX),
    "mark": LookSpec(FontSpec(size=11), "center", "center"),
    "mark_inherited": LookSpec(FontSpec(size=11, italic=True, color=GREY), "center", "center"),
    "total": LookSpec(_BOLD_FACE, "center", "center", fill=_TOTAL_FILL, border=_BOX),
    "full_text": LookSpec(_PLAIN),
    "key": LookSpec(_BOLD_FACE, vertical="top", wrap=True),
    "value": LookSpec(_PLAIN, "left", "top", wrap=True),
    # Not wrapped: runs on over the empty cells to its right.
    "value_flow": LookSpec(_PLAIN, "left", "top"),
}
DEFAULT_FONT = FontSpec(BODY, 11)  # the workbook's default (Normal) font


# --------------------------------------------------------------------------- cell text


def clean_text(text: str) -> str:
    """Text as a cell can hold it: no XML-illegal characters, no bidi control (a cell must
    not show its text in another order), at most 32,767 characters."""
    text = strip_bidi(NOT_XML.sub("", text))
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT - 1] + "…"
    return text


def escape(text: str) -> str:
    """``text`` as the text of an XML element (a literal CR would come back as LF: XML
    end-of-line handling; a character reference won't)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


def preserve(text: str) -> str:
    """The attribute openpyxl gives an element whose text has spaces around it (none when the
    text is all spaces)."""
    stripped = text.strip()
    return ' xml:space="preserve"' if stripped and stripped != text else ""


class Rich:
    """Rich text: runs of ``(text, FontSpec)``; ``str()`` is the text, :meth:`xml` the
    ``<is>`` of an inline-string cell (as openpyxl's ``CellRichText`` writes it)."""

    __slots__ = ("runs",)

    def __init__(self, *runs: tuple[str, FontSpec]) -> None:
        self.runs = runs

    def __str__(self) -> str:
        return "".join(text for text, _font in self.runs)

    def xml(self) -> str:
        parts = ["<is>"]
        for text, font in self.runs:
            parts.append(f"<r><rPr>{font_xml(font, 'rFont')}</rPr>"
                         f"<t{preserve(text)}>{escape(text)}</t></r>")
        parts.append("</is>")
        return "".join(parts)

    def openpyxl(self) -> Any:
        """The same text as openpyxl's ``CellRichText`` (openpyxl imported here)."""
        from openpyxl.cell.rich_text import CellRichText, TextBlock
        from openpyxl.cell.text import InlineFont

        return CellRichText(*(TextBlock(InlineFont(
            rFont=f.name, charset=GB2312, sz=f.size, b=f.bold or None, i=f.italic or None,
            color=f.color), text) for text, f in self.runs))


def number(value: float) -> str:
    """A number as openpyxl writes an attribute (``%.16g``: 5 for 5.0, 3.6)."""
    return "%.16g" % value


def font_xml(font: FontSpec, name_tag: str = "name") -> str:
    """The children of a ``<font>`` (or, with ``rFont``, a run's ``<rPr>``), in openpyxl's
    order: name, charset, b, i, color, sz."""
    return "".join((f'<{name_tag} val="{font.name}"/><charset val="{GB2312}"/>',
                    '<b val="1"/>' if font.bold else "", '<i val="1"/>' if font.italic else "",
                    f'<color rgb="00{font.color}"/>' if font.color else "",
                    f'<sz val="{number(font.size)}"/>'))


# --------------------------------------------------------------------------- row heights


def room(width: float) -> float:
    """Display units (a Chinese character is two) one line of a column ``width`` wide holds.

    A column width counts digits of the default font (宋体 11, see ``book._default_font``); a
    Chinese character of a 10–11 pt font is as wide as two of them, a Latin letter or digit
    about one. Less half a digit of padding (Excel's, with 宋体; LibreOffice fits a little
    more).
    """
    return max(2.0, width - 0.5)


def lines(text: str, room: float) -> int:
    """Lines ``text`` takes when wrapped in a column whose lines hold ``room`` units.

    The display width is the number of characters plus one more for every character outside
    ASCII, which the UTF-8 length gives without a Python loop per character (two more bytes
    per CJK character); each LF starts a line.
    """
    count = 0
    for part in text.split("\n"):
        n = len(part)
        units = n + (len(part.encode("utf-8", "surrogatepass")) - n) / 2
        count += max(1, -int(-units // room))
    return count


def row_height(cells: Sequence[RowCell], rooms: dict[int, float]) -> float | None:
    """Points a row needs to show all its wrapped text, or None when one line is enough.

    An estimate (openpyxl, and Excel when it opens a file, size no rows): the wrapped cell
    needing the most lines times the line height of its font (1.35 × the size, as 宋体 in
    Excel; LibreOffice's Noto CJK stand-in needs a little less), plus padding; at most
    Excel's 409 points. ``rooms`` is :func:`room` per column. Cheap enough for every row of a
    10,000-task plan: a text short enough for one line costs a length, a longer one an encode
    (about 15 ms per 1,000 rows of 分工表).
    """
    best = 0.0
    for column, value, style in cells:
        if style is None or not value or not style.wrap:
            continue
        if type(value) is not str:
            if isinstance(value, int):
                continue
            value = str(value)  # rich text
        width = rooms.get(column, DEFAULT_ROOM)
        if len(value) * 2 <= width and "\n" not in value:
            need = style.line
        else:
            need = lines(value, width) * style.line
        if need > best:
            best = need
    if best <= ONE_LINE:
        return None
    return min(MAX_ROW_HEIGHT, round(best + 4, 1))


# --------------------------------------------------------------------------- rows

# One cell of a row: (1-based column, value, style). Value is str, rich text, int or None
# (None or "" writes an empty cell that still carries its style, e.g. a border). Columns ascend.
RowCell = tuple[int, Any, Any]


def column_letter(column: int) -> str:
    """A, B, …, Z, AA, … for 1, 2, …"""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [""]  # column number → letters, grown on demand


def letters(columns: int) -> list[str]:
    if len(_LETTERS) <= columns:
        _LETTERS.extend(column_letter(i) for i in range(len(_LETTERS), columns + 1))
    return _LETTERS


def row_xml(row_idx: int, cells: Sequence[RowCell], height: float | None,
            hidden: bool = False, rich: Callable[[Any], str] | None = None) -> str:
    """One ``<row>`` of SpreadsheetML; every string is an inline string, never a formula.
    Rich text is written by its ``xml()``, or by ``rich`` (openpyxl's ``CellRichText``)."""
    r = str(row_idx)
    attrs = f' ht="{height}" customHeight="1"' if height else ""
    if hidden:
        attrs += ' hidden="1"'
    parts = [f'<row r="{r}"{attrs}>']
    names = letters(cells[-1][0] if cells else 0)
    for column, value, style in cells:
        ref = names[column] + r
        if isinstance(value, str) and value:
            s = "" if style is None else (
                f' s="{style.quoted_id if value.startswith(FORMULA_START) else style.id}"')
            space = ' xml:space="preserve"' if value != value.strip() else ""
            parts.append(
                f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>')
            continue
        s = "" if style is None else f' s="{style.id}"'
        if value is None or value == "":
            parts.append(f'<c r="{ref}"{s}/>')
        elif isinstance(value, Rich):
            parts.append(f'<c r="{ref}"{s} t="inlineStr">{value.xml()}</c>')
        elif isinstance(value, int) and not isinstance(value, bool):
            parts.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
        elif rich is not None and not isinstance(value, (bool, float)):
            parts.append(f'<c r="{ref}"{s} t="inlineStr">{rich(value)}</c>')
        else:
            raise TypeError(f"cannot write {value!r} to a cell")
    parts.append("</row>")
    return "".join(parts)


class Rows:
    """A sheet fed with sparse rows of ``(column, value, style)``: the row heights, banners
    and column widths both writers share. A subclass writes a row (``_write``), merges
    (``_merge``) and sets a column's width (``_column``); ``book`` its ``style``."""

    book: Any

    def __init__(self) -> None:
        self.rows = 0  # rows written so far
        self.fit = True  # size rows to their wrapped text (see append)
        self.min_height: float | None = None  # points, for rows sized by append
        self._widths: dict[int, float] = {}
        self._rooms: dict[int, float] = {}  # column → room(width)

    def widths(self, widths: Iterable[float], hidden: Iterable[int] = ()) -> None:
        """Column widths in characters; ``hidden`` columns (1-based) are hidden."""
        new = dict(enumerate(widths, 1))
        for i, width in new.items():
            self._widths[i] = width
            self._rooms[i] = room(width)
        self._columns(new, set(hidden))

    def append(self, cells: Sequence[RowCell], height: float | None = None,
               hidden: bool = False) -> int:
        """Write the next row; return its 1-based number.

        Without a ``height``, a row whose wrapped text needs more than one line gets the height
        :func:`row_height` estimates (Excel and WPS keep the height a file gives, and openpyxl
        computes none), unless :attr:`fit` is off.
        """
        if height is None and self.fit:
            height = row_height(cells, self._rooms)
            if self.min_height is not None and (height is None or height < self.min_height):
                height = self.min_height
        self.rows += 1
        self._write(self.rows, cells, height, hidden)
        return self.rows

    def banner(self, value: Any, style: str, last: int, height: float = ONE_LINE, *,
               first: int = 1, before: Sequence[RowCell] = ()) -> int:
        """A line above a table: one cell merged over columns ``first`` to ``last`` (the
        table's width), its text wrapped there, so that nothing runs past the printed page.
        ``before`` are cells left of ``first``.

        Merged cells sit outside the autofilter range and the defined names, so sorting and
        filtering never meet them. The row is at least ``height`` points.
        """
        look = self.book.style(style)
        width = sum(self._widths.get(c, DEFAULT_ROOM + 0.5) for c in range(first, last + 1))
        text = str(value)
        need = lines(text, room(width)) * look.line + 4 if text else 0
        row = self.append([*before, (first, value, look)],
                          height=min(MAX_ROW_HEIGHT, max(height, need)))
        if last > first:
            self._merge(first, last, row)
        return row

    def text(self, *values: Any, style: str = "text", height: float | None = None) -> int:
        """Write a row of values from column A on, all in one style."""
        look = self.book.style(style)
        cells = [(i, v, look) for i, v in enumerate(values, 1) if v is not None]
        return self.append(cells, height)

    def _write(self, row: int, cells: Sequence[RowCell], height: float | None,
               hidden: bool) -> None:
        raise NotImplementedError

    def _merge(self, first: int, last: int, row: int) -> None:
        raise NotImplementedError

    def _columns(self, widths: dict[int, float], hidden: set[int]) -> None:
        raise NotImplementedError

"""Duty tables on a PDF page, put back into rows from the positions of their text.

PDFium extracts a table line by line across the page: a cell whose text wraps inside its column
comes out in pieces mixed with its neighbours ("1推进农机装备" / "创新，加快研" / …), and no line
of the result is a row. ``page_tables(textpage)`` reads the page's text runs (PDFium's text
rectangles: a run never crosses a cell border) and:

1. finds a header line: three or more runs that are each a column header (``docx``'s header
   words) with a 序号 column, a task column and a unit column (牵头单位, 责任单位 …);
2. puts every run below it in the column whose header it starts right of (a cell's text starts
   inside its cell, and a header ends inside its own), and starts a row at each run of the 序号
   column that is a number; the table ends at a run in the 序号 column that is not one, or at
   a gap of more than three lines;
3. joins each cell's pieces and turns the rows into plan text with ``docx.division_lines``.

A table that runs to the end of a page goes on at the top of the next one when the next page
opens with the next 序号 in the same column (``Columns``, passed from page to page).

Each table is returned with the vertical span it covers and, for each line of plan text, the
height of the row it came from, so that ``pdf`` can put the text in place of those lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_NUMBER = re.compile(r"^\d{1,3}[.．、]?$")
_UNITS = {"lead", "responsible", "support", "guide"}
# How far down a page the next row of a table from the page before may start: above it, a
# running head, or the end of a row the page break cut (left as text: see the README).
_CONTINUED = 6


@dataclass(frozen=True)
class Table:
    """A duty table found on a page: its vertical span and its plan text."""

    top: float  # y of the top of the header (PDF coordinates: y grows upwards)
    bottom: float  # y of the bottom of its last row
    lines: tuple[tuple[float, str], ...]  # (y of the row's first run, a line of plan text)


def _runs(textpage) -> list[tuple[float, float, float, float, str]]:
    runs = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top).strip()
        if text:
            runs.append((left, bottom, right, top, text))
    return runs


def _lines(runs):
    """Runs grouped into lines (bottoms within a third of a line height), top to bottom."""
    out: list[list] = []
    for run in sorted(runs, key=lambda r: (-r[1], r[0])):
        height = max(run[3] - run[1], 1.0)
        if out and abs(out[-1][0][1] - run[1]) < height / 3:
            out[-1].append(run)
        else:
            out.append([run])
    return [_joined(sorted(line, key=lambda r: r[0])) for line in out]


def _joined(line):
    """Runs of one line that touch (a gap under half their height: the digits of "第1项" are
    a run of their own) joined into one: a cell's text is one run, cells are apart."""
    out = [line[0]]
    for run in line[1:]:
        left, bottom, right, top, text = out[-1]
        if run[0] - right < max(top - bottom, 1.0) / 2:
            out[-1] = (left, min(bottom, run[1]), max(right, run[2]), max(top, run[3]),
                       text + run[4])
        else:
            out.append(run)
    return out


@dataclass(frozen=True)
class Columns:
    """The columns of a table that runs on to the next page, and the 序号 its next row has."""

    header: tuple[str, ...]
    edges: tuple[float, ...]
    pitch: float
    next_number: int


def _is_header(line, kinds) -> bool:
    return (len(line) >= 3 and None not in kinds and kinds[0] == "number" and "task" in kinds
            and bool(_UNITS & set(kinds)))


def _rows(lines, start: int, edges, pitch: float, last_bottom: float):
    """Rows of a table from line ``start`` on: (rows, the y of each row's first line, the
    bottom of the table, the index of the line after it, whether the page ended it)."""
    from .furniture import _PAGE_NUMBER

    rows: list[list[list[str]]] = []
    tops: list[float] = []
    j = start
    while j < len(lines):
        line = lines[j]
        if last_bottom - line[0][1] > 3 * pitch:
            return rows, tops, last_bottom, j, False
        if len(line) == 1 and _PAGE_NUMBER.match(line[0][4]):  # a page number under the table
            j += 1
            continue
        cells: dict[int, str] = {}
        for run in line:
            column = max(k for k, edge in enumerate(edges) if run[0] >= edge)
            cells[column] = cells.get(column, "") + run[4]
        first = cells.get(0)
        if first is not None and not _NUMBER.match(first):
            return rows, tops, last_bottom, j, False  # text in the 序号 column: the table is over
        if first is not None:
            rows.append([[] for _ in edges])
            tops.append(line[0][1])
        if not rows:
            return rows, tops, last_bottom, j, False
        for column, text in cells.items():
            rows[-1][column].append(text)
        last_bottom = min(r[1] for r in line)
        j += 1
    return rows, tops, last_bottom, j, True


def _table(header: Sequence[str], rows, tops, top: float, bottom: float) -> Table | None:
    from ..text.dutytable import division_lines

    grid = [list(header)] + [["".join(cell) for cell in row] for row in rows]
    made = division_lines(grid)
    if not made:
        return None
    return Table(top, bottom, tuple((tops[index - 1] if index >= 1 else tops[0], text)
                                    for index, text in made))


def page_tables(textpage, carry: Columns | None = None) -> tuple[list[Table], Columns | None]:
    """The duty tables of one page (see the module docstring), and the columns of the last one
    when it runs to the end of the page. ``carry`` is what the previous page returned: a page
    whose first row (among its first ``_CONTINUED`` lines) has the next 序号 in the 序号 column
    goes on with that table, without a header of its own."""
    from ..text.dutytable import _kind

    if textpage.count_rects() == 0:
        return [], None
    lines = _lines(_runs(textpage))
    tables: list[Table] = []
    out: Columns | None = None
    i = 0
    if carry is not None:
        for k, line in enumerate(lines[:_CONTINUED]):
            if line[0][0] < carry.edges[1] and line[0][4].rstrip(".．、") == str(carry.next_number):
                rows, tops, bottom, i, ended = _rows(lines, k, carry.edges, carry.pitch,
                                                     line[0][1] + carry.pitch)
                table = _table(carry.header, rows, tops, max(r[3] for r in line), bottom) \
                    if rows else None
                if table is not None:
                    tables.append(table)
                    if ended:
                        out = Columns(carry.header, carry.edges, carry.pitch,
                                      carry.next_number + len(rows))
                else:
                    i = 0
                break
    while i < len(lines):
        header = lines[i]
        if not _is_header(header, [_kind(r[4]) for r in header]):
            i += 1
            continue
        edges = tuple([float("-inf")] + [r[2] - 1 for r in header[:-1]])
        pitch = max(header[0][3] - header[0][1], 1.0) * 1.6
        rows, tops, bottom, j, ended = _rows(lines, i + 1, edges, pitch,
                                             min(r[1] for r in header))
        table = _table([r[4] for r in header], rows, tops, max(r[3] for r in header), bottom) \
            if rows else None
        if table is None:
            i += 1
            continue
        tables.append(table)
        out = None
        if ended:
            last = rows[-1][0]
            number = "".join(last).rstrip(".．、")
            if number.isdigit():
                out = Columns(tuple(r[4] for r in header), edges, pitch, int(number) + 1)
        i = j
    return tables, out

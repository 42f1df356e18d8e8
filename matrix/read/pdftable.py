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

Each table is returned with the vertical span it covers and, for each line of plan text, the
height of the row it came from, so that ``pdf`` can put the text in place of those lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\d{1,3}[.．、]?$")
_UNITS = {"lead", "responsible", "support", "guide"}


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
    return [sorted(line, key=lambda r: r[0]) for line in out]


def page_tables(textpage) -> list[Table]:
    """The duty tables of one page (see the module docstring)."""
    from .docx import _kind, division_lines

    if textpage.count_rects() == 0:
        return []
    lines = _lines(_runs(textpage))
    tables = []
    i = 0
    while i < len(lines):
        header = lines[i]
        kinds = [_kind(r[4]) for r in header]
        if (len(header) < 3 or None in kinds or kinds[0] != "number" or "task" not in kinds
                or not _UNITS & set(kinds)):
            i += 1
            continue
        edges = [float("-inf")] + [r[2] - 1 for r in header[:-1]]
        pitch = max(header[0][3] - header[0][1], 1.0) * 1.6
        rows: list[list[list[str]]] = []
        tops: list[float] = []
        last_bottom = min(r[1] for r in header)
        j = i + 1
        while j < len(lines):
            line = lines[j]
            if last_bottom - line[0][1] > 3 * pitch:
                break
            cells: dict[int, str] = {}
            for run in line:
                column = max(k for k, edge in enumerate(edges) if run[0] >= edge)
                cells[column] = cells.get(column, "") + run[4]
            first = cells.get(0)
            if first is not None and not _NUMBER.match(first):
                break  # text in the 序号 column that is no number: the table is over
            if first is not None:
                rows.append([[] for _ in header])
                tops.append(line[0][1])
            if not rows:
                break
            for column, text in cells.items():
                rows[-1][column].append(text)
            last_bottom = min(r[1] for r in line)
            j += 1
        if rows:
            grid = [[r[4] for r in header]] + [["".join(cell) for cell in row] for row in rows]
            made = division_lines(grid)
            if made:
                tables.append(Table(max(r[3] for r in header), last_bottom,
                                    tuple((tops[index - 1] if index >= 1 else tops[0], text)
                                          for index, text in made)))
                i = j
                continue
        i += 1
    return tables

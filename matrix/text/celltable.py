"""A duty table whose text came out cell by cell, one cell per line, put back into rows.

Text copied out of a PDF or a web page often gives a 任务分工表 as one cell per line::

    序号
    重点任务
    牵头单位
    配合单位
    1
    推进农机装备创新
    工业和信息化部
    农业农村部
    2
    …

``cell_tables(text)`` finds such a table — a run of at least three lines that are each a
column header (``docx``'s header words) and include a task column and a unit column
(牵头单位, 责任单位 …), followed by rows that each open with the next 序号 (1, 2, 3 …) — and
turns it into the plan text ``docx.division_lines`` makes of any duty table, one numbered
clause with its trailer per row. A row with more lines than columns has its task cell broken
over several lines (they are joined); a row with fewer has empty cells at its end; the last
row has no more lines than columns. Only tables
with a 序号 column are recognised: without it, rows cannot be told apart.

Returns None when the text holds no such table; else the new text and, for each of its lines,
the 1-based line of ``text`` it came from.
"""

from __future__ import annotations

import re

_ROW_NUMBER = re.compile(r"^\s*(\d{1,3})[.．、]?\s*$")
_MAX_HEADER = 12  # characters of one header cell
_UNITS = {"lead", "responsible", "support", "guide"}


def _header_at(lines: list[str], start: int) -> list[str | None] | None:
    from .dutytable import _kind

    kinds: list[str | None] = []
    i = start
    while i < len(lines):
        cell = lines[i].strip()
        kind = _kind(cell) if cell and len(cell) <= _MAX_HEADER else None
        if kind is None:
            break
        kinds.append(kind)
        i += 1
    if (len(kinds) >= 3 and kinds[0] == "number" and "task" in kinds
            and _UNITS & set(kinds)):
        return kinds
    return None


def _next_row(line: str, number: int) -> bool:
    m = _ROW_NUMBER.match(line)
    return m is not None and int(m.group(1)) == number


def _row_cells(cells: list[str], width: int, task: int) -> list[str]:
    """``cells`` (without the number) spread over ``width`` columns; extra lines join the task
    cell, missing cells are empty at the end."""
    if len(cells) > width:
        extra = len(cells) - width
        cells = cells[:task] + ["".join(cells[task:task + extra + 1])] + cells[task + extra + 1:]
    return cells + [""] * (width - len(cells))


def cell_tables(text: str) -> tuple[str, tuple[int, ...]] | None:
    """The text with each cell-by-cell duty table made rows (see the module docstring)."""
    if "\n" not in text:
        return None
    from .dutytable import division_lines

    lines = text.split("\n")
    out: list[str] = []
    origin: list[int] = []
    found = False
    i = 0
    while i < len(lines):
        kinds = _header_at(lines, i) if lines[i].strip() in ("序号", "编号", "序") else None
        if kinds is None:
            out.append(lines[i])
            origin.append(i + 1)
            i += 1
            continue
        header = [lines[i + k].strip() for k in range(len(kinds))]
        width = len(kinds) - 1
        task = kinds.index("task") - 1
        j = i + len(kinds)
        rows: list[list[str]] = []
        starts: list[int] = []
        expected = 1
        while j < len(lines):
            m = _ROW_NUMBER.match(lines[j])
            if not m or int(m.group(1)) != expected:
                break
            starts.append(j)
            k = j + 1
            cells: list[str] = []
            last = not any(_next_row(lines[n], expected + 1)
                           for n in range(k, min(len(lines), k + 3 * width + 1)))
            while k < len(lines):
                if last and len(cells) == width:  # the last row: no more cells than columns
                    break
                nxt = _ROW_NUMBER.match(lines[k])
                if nxt and int(nxt.group(1)) == expected + 1:
                    break
                if not lines[k].strip():
                    if len(cells) >= width:
                        break
                    k += 1
                    continue
                if len(cells) >= 3 * width:  # the last row has run into the text after it
                    break
                cells.append(lines[k].strip())
                k += 1
            rows.append([m.group(1), *_row_cells(cells, width, task)])
            expected += 1
            j = k
        made = division_lines([header, *rows]) if rows else None
        if not made:
            out.append(lines[i])
            origin.append(i + 1)
            i += 1
            continue
        found = True
        for index, line in made:
            out.append(line)
            origin.append(starts[index - 1] + 1 if index >= 1 else i + 1)
        i = j
    if not found:
        return None
    return "\n".join(out), tuple(origin)

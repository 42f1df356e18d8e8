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

The forms of tables pasted as text that are read the same way (issue 23):

* blank lines between cells (a cell per paragraph), and cells each followed by `` |``;
* a header cell wrapped over two or three lines (重点 / 工作, 完成 / 时限), a note on a header
  (责任单位（加*号为牵头部门，其余为参与部门）: the legend is kept as a line before the rows);
* a progress report's 进展情况 column: neither task nor unit, and the lines a row has beyond its
  columns belong to it;
* rule lines (``|``) between cells with merged cells left out of the rows below them: a row
  starts at its numbered task cell and its other cells are told by what they hold (names of
  bodies or a ★ → the unit cell, persons → the leader cell);
* a whole row on each line with `` | `` (or tabs) between its cells (a cell may wrap onto the next line,
  the row going on there), section rows (二、…) between the rows;
* the header repeated at a page break; a section's rows numbered from 1 again, or one 序号
  left out.

Returns None when the text holds no such table; else the new text and, for each of its lines,
the 1-based line of ``text`` it came from.
"""

from __future__ import annotations

import itertools
import re

from .patterns import lazy

_ROW_NUMBER = lazy(r"^\s*(\d{1,3})[.．、﹒]?\s*$")
_MAX_HEADER = 12  # characters of one header cell
_UNITS = {"lead", "responsible", "support", "guide"}


# A cell as pasted: every cell followed by " |" (a table copied with its column rules), or a line
# of rules only between cells (_RULE_LINE).


def _cell(line: str) -> str:
    """The text of one pasted cell: padding and the trailing column rules (`` |``) removed
    (string methods: a regular expression anchored at the end would try every start of a long
    line)."""
    text = line.strip()
    if text.endswith(("|", "｜")):
        text = text.rstrip(" \t\u3000\xa0|｜").strip()
    return text


# The second line of a wrapped header cell (牵头 / 单位, 完成 / 时限): never a header of its own
# where it completes the line before it (单位 alone is a 计量单位 column)
_HEADER_TAILS = frozenset(("单位", "部门", "领导", "时限", "时间", "内容", "任务", "科室", "处室", "工作"))


def _header_at(cells: list[str], start: int) -> tuple[list[str | None], list[str], int] | None:
    """(kinds, labels, cells used) of a header that starts at ``cells[start]``: a header cell
    may wrap over two or three lines (重点 / 工作, 完成 / 时限)."""
    from .dutytable import _DETAIL, _kind

    def kind_of(cell: str) -> str | None:
        label = re.sub(r"[（(][^（）()]*[）)]$", "", cell)  # 责任单位（加*号为牵头部门…）
        if not cell or len(label) > _MAX_HEADER:
            return None
        kind = _kind(cell)
        if kind is None and "task" in kinds and _DETAIL.search(label) and not label.endswith(
                ("单位", "部门", "领导", "时限", "时间")):
            return "detail"  # 重点任务 / 具体举措: a detail of the task (dutytable._header)
        return kind

    kinds: list[str | None] = []
    labels: list[str] = []
    i = start
    while i < len(cells):
        span, cell = 1, cells[i]
        kind = kind_of(cell)
        for more in (2, 3):
            # 牵头 / 单位: the next line is no header of its own but completes this one; a
            # header that is whole (工作任务) is never joined to the first line of the next
            # wrapped one (责任 / 领导)
            if i + more > len(cells):
                break
            nxt = cells[i + more - 1]
            tail = nxt in _HEADER_TAILS and kind_of("".join(cells[i:i + more])) is not None
            if kind is not None and not tail and (kind_of(nxt) is not None or (
                    i + more < len(cells) and kind_of(nxt + cells[i + more]) is not None)):
                break
            joined = "".join(cells[i:i + more])
            if kind_of(joined) is not None:
                span, cell, kind = more, joined, kind_of(joined)
                break
        if kind is None:
            break
        kinds.append(kind)
        labels.append(cell)
        i += span
    # a group column may stand before 序号 (考核项目 / 序号 / 考核指标 / … / 责任部门)
    if (len(kinds) >= 3 and (kinds[0] == "number" or kinds[:2] == ["category", "number"])
            and "task" in kinds and _UNITS & set(kinds)):
        return kinds, labels, i - start
    return None


def _category_header(cell: str) -> bool:
    from .dutytable import _kind

    return _kind(cell) == "category"


def _next_row(line: str, number: int) -> bool:
    m = _ROW_NUMBER.match(line)
    return m is not None and int(m.group(1)) == number


def _joined(cells: list[str], extra: int, kinds: list[str | None], first: int) -> list[list[str]]:
    """``cells`` with ``extra`` lines joined to the cell they continue: at ``first`` (the
    progress or task column), or at a unit column (bodies one per line)."""
    ways = []
    for at in [first] + [c for c, k in enumerate(kinds) if k in _UNITS and c != first]:
        if at + extra + 1 <= len(cells):
            glue = "、" if kinds[at] in _UNITS else ""
            ways.append(cells[:at] + [glue.join(cells[at:at + extra + 1])] + cells[at + extra + 1:])
    return ways


def _with_gaps(cells: list[str], width: int) -> list[list[str]]:
    """``cells`` with empty cells put where cells are missing: at the end first, then at the
    start, then anywhere (a cell merged over the rows above, an empty 计量单位)."""
    missing = width - len(cells)
    ways = [cells + [""] * missing, [""] * missing + cells]
    if missing <= 3:
        for gaps in itertools.combinations(range(width), missing):
            way, rest = [], iter(cells)
            for c in range(width):
                way.append("" if c in gaps else next(rest))
            ways.append(way)
    return ways


def _plain(cells: list[str], width: int, task: int, kinds: list[str | None]) -> list[str]:
    """``cells`` spread the plain way: extra lines joined to the task (or progress) cell."""
    first = kinds.index("progress") if "progress" in kinds else task
    return _joined(cells, len(cells) - width, kinds, first)[0] if len(cells) > width else \
        cells + [""] * (width - len(cells))


def _row_cells(cells: list[str], width: int, task: int, kinds: list[str | None]) -> list[str]:
    """``cells`` (without the number) spread over ``width`` columns, the way that puts the most
    cells in a column that holds their kind (the first way wins a tie): extra lines join the cell
    they continue (a progress report's long 进展情况 cell or the task cell; bodies one per line
    in a unit cell), missing cells are empty at the end — or where a cell merged over the rows
    above is left out (考核指标 over two rows), or both in one row."""
    first = kinds.index("progress") if "progress" in kinds else task
    if len(cells) > width:
        ways = _joined(cells, len(cells) - width, kinds, first)
    elif len(cells) < width:
        ways = _with_gaps(cells, width)
    else:
        ways = [cells] + [way for gapped in _with_gaps(cells, width + 1)[2:]
                          for way in _joined(gapped, 1, kinds, first) if len(way) == width]
    return max(ways, key=lambda way: _fitting(way, kinds)) if ways else cells


_MAX_CELL_LINES = 3  # lines of one cell of a rule-separated table (two persons, a wrapped task)
_RULE_LINE = lazy(r"^[ \t\u3000\xa0]*[|｜][ \t\u3000\xa0|｜]*$")
_TASK_CELL = lazy(r"^(?:\d{1,3}[.．、﹒](?!\d)|[（(]\d{1,3}[）)])")
_SECTION_CELL = lazy(r"^[一二三四五六七八九十]{1,3}、")
_BARE_NUMBER = lazy(r"^\d{1,3}[.．、﹒]?$")
_UNIT_NAME = lazy(r"(?:局|委|办|厅|部|关|署|中心|政府|管委会|街道|镇|乡|院|会|队|行|公司|集团|办公室)$")
_PERSON = lazy(r"^[\u4e00-\u9fff](?:[ \u3000]?[\u4e00-\u9fff]){1,3}$")
_STAR = lazy(r"[★☆*＊]")


# what may follow a body's name in a unit cell: its other name in brackets (省市场监管局（省知识
#产权局）) and a role (省经信厅、省科技厅按职责分工负责, 县财政局牵头, 市教育局等)
_NAME_TAIL = lazy(r"(?:[（(][^（）()]*[）)]|按职责分工负责|按职责分工|分别负责|负责|牵头|配合|参与"
                  r"|等(?:有关|相关)?(?:单位|部门)?)+$")


def _unit_cell(cell: str) -> bool:
    names = [n for n in re.split(r"[、，,；;\s]+", _STAR.sub("", cell)) if n]
    return bool(names) and (bool(_STAR.search(cell)) or all(
        _UNIT_NAME.search(_NAME_TAIL.sub("", n) or n) for n in names))


def _person_cell(cell: str) -> bool:
    return all(_PERSON.match(p.strip()) for p in cell.split("\n") if p.strip())


_NONE_CELL = lazy(r"^(?:无|—+|－+|-+|/|／)$")  # a cell that says there is none (配合单位: 无)
_PHRASE = lazy(r"[\u4e00-\u9fff]{3,}")  # a unit of measure (万亩, 万元/人, %) is no phrase
_DATE_CELL = lazy(r"\d{4}年|\d{1,2}月|[底末前]|长期|持续|年内|全年|每[年季月]|常态")


def _fitting(cells: list[str], kinds: list[str | None]) -> int:
    """How many cells of a row hold what their column holds (a task cell never ends with a body's
    name: that is a unit cell moved left)."""
    count = 0
    for cell, kind in zip(cells, kinds):
        last = cell.split("\n")[-1].strip()
        if kind == "task":
            count += not (last and _UNIT_NAME.search(last) and len(last) <= 15)
        else:
            count += _row_fits([cell], [kind])
    return count


def _row_fits(cells: list[str], kinds: list[str | None]) -> bool:
    """Does each cell of a row hold what its column holds (a date under 完成时限, persons under
    责任领导, bodies under a unit column)?"""
    for cell, kind in zip(cells, kinds):
        if not cell or _NONE_CELL.match(cell):
            continue
        if kind == "deadline" and not _DATE_CELL.search(cell):
            return False
        if kind == "measure" and (len(cell) > 6 or _unit_cell(cell) or _PHRASE.search(cell)):
            return False
        if kind == "leader" and not _person_cell(cell):
            return False
        if (kind in _UNITS or kind == "scorer") and not _unit_cell(cell):
            return False
    return True


def _ruled_table(lines: list[str], i: int, kinds: list[str | None], header_end: int):
    """Rows of a table whose cells stand between lines of rules (``|``) and whose merged cells
    are left out of the rows below them (a web table pasted as text): a row starts at its
    numbered task cell (1.地区生产总值…); the cells after it are told by what they hold — names
    of bodies (or a ★) are the unit cell, one or two persons the leader cell."""
    cells: list[tuple[int, str]] = []  # (first line, text) of each cell after the header
    current: list[str] = []
    first = None
    end = len(lines)
    for k in range(header_end, len(lines)):
        if _RULE_LINE.match(lines[k]):
            if current:
                cells.append((first, "\n".join(current)))
            current, first = [], None
            continue
        if lines[k].strip():
            first = k if first is None else first
            current.append(lines[k].strip())
            if len(current) > _MAX_CELL_LINES:  # paragraphs without rules: the table has ended
                end, current = first, []
                break
    if current:
        cells.append((first, "\n".join(current)))
    task_col = kinds.index("task")
    unit_col = next((c for c, k in enumerate(kinds) if k in _UNITS), None)
    leader_col = kinds.index("leader") if "leader" in kinds else None
    rows: list[list[str]] = []
    starts: list[int] = []
    row: list[str] | None = None
    for line, cell in cells:
        if _SECTION_CELL.match(cell) and len(cell) <= 60:
            row = None
            rows.append([""] * task_col + [cell] + [""] * (len(kinds) - task_col - 1))
            starts.append(line)
        elif _TASK_CELL.match(cell):
            row = [""] * len(kinds)
            row[task_col] = cell.replace("\n", "")
            rows.append(row)
            starts.append(line)
        elif row is None or _BARE_NUMBER.match(cell):
            continue  # a group's 序号 or 项目 cell before its first task
        elif unit_col is not None and not row[unit_col] and _unit_cell(cell):
            row[unit_col] = cell
        elif leader_col is not None and not row[leader_col] and _person_cell(cell):
            row[leader_col] = cell
        elif row[unit_col] if unit_col is not None else True:
            row = None  # the next group's cells (项目) after a complete row
    return rows, starts, end


_ROW_SPLIT = lazy(r"[ \t\u3000]*[|｜][ \t\u3000]*")


def _row_of(line: str) -> list[str] | None:
    """The cells of a table row pasted on one line with ``|`` between its cells (or tabs: a
    Word or spreadsheet table pasted into a text editor), else None."""
    if line.count("|") + line.count("｜") < 2:
        if line.count("\t") < 2 or not line.strip():
            return None
        cells = [cell.strip(" \u3000\xa0") for cell in line.strip(" \u3000\xa0\r").split("\t")]
        return cells if len(cells) >= 3 else None
    cells = _ROW_SPLIT.split(line.strip().strip("|｜").strip())
    return cells if len(cells) >= 3 else None


def _wrapped_row(lines: list[str], j: int, width: int) -> tuple[list[str], int] | None:
    """(cells, lines used) of a row whose cell wraps: ``lines[j]`` and the next line or two
    joined are one row of ``width`` cells that opens with its number; else None."""
    if not re.match(r"^\s*\d{1,3}[.．、﹒]?\s*[|｜\t]", lines[j]):
        return None
    joined = lines[j].rstrip(" \r\u3000\xa0")  # a tab before the line end is an empty cell
    for k in range(j + 1, min(len(lines), j + 3)):
        if not lines[k].strip() or re.match(r"^\s*\d{1,3}[.．、﹒]?\s*[|｜\t]", lines[k]):
            return None  # a blank line or the next row: no wrap
        joined += lines[k].strip(" \r\u3000\xa0")
        cells = _row_of(joined)
        if cells is not None and len(cells) == width:
            return cells, k - j + 1
    return None


def _line_table(lines: list[str], i: int):
    """A table whose rows are each one line, cells between ``|``: (rows, their lines, end) or
    None. A line without ``|`` after the header continues the previous row's task cell (a
    wrapped cell) until a line that is no row ends the table."""
    from .dutytable import _header

    header = _row_of(lines[i])
    found = _header([header]) if header is not None else None
    if found is None:
        return None
    task = found[1].index("task")
    rows, starts = [header], [i]
    j = i + 1
    while j < len(lines):
        cells = _row_of(lines[j])
        wrapped = _wrapped_row(lines, j, len(header)) if (
            lines[j].strip() and (cells is None or len(cells) < len(header))) else None
        if wrapped is not None:  # a cell wrapped over lines: the row goes on on the next one
            cells, used = wrapped
            if cells != header:
                rows.append(cells)
                starts.append(j)
            j += used
            continue
        if cells is None:
            if not lines[j].strip():
                j += 1
                continue
            heading = lines[j].strip()
            after = next((k for k in range(j + 1, len(lines)) if lines[k].strip()), None)
            if (_SECTION_CELL.match(heading) and len(heading) <= 60 and after is not None
                    and _row_of(lines[after]) is not None):
                # a section's heading row (一、…) merged across the table: its one cell
                rows.append([""] * task + [heading] + [""] * (len(header) - task - 1))
                starts.append(j)
                j += 1
                continue
            break
        if cells != header:  # the header repeated at a page break is read past
            rows.append(cells + [""] * (len(header) - len(cells)))
            starts.append(j)
        j += 1
    return (rows, starts, j) if len(rows) > 1 else None


def _division_lines(rows):
    """``dutytable.division_lines``, imported only for a table: a plan without one pays nothing."""
    from .dutytable import division_lines

    return division_lines(rows)


def _heading_before(cells: list[str], body: list[int], b: int, expected: int) -> bool:
    """Is ``cells[body[b]]`` a section's heading row (一、…, 二、…) standing before row
    ``expected`` (or the one after it: a number left out; or row 1: each section numbers its
    rows from 1)?"""
    cell = cells[body[b]]
    return (bool(_SECTION_CELL.match(cell)) and len(cell) <= 60 and b + 1 < len(body)
            and any(_next_row(cells[body[b + 1]], n) for n in (expected, expected + 1, 1)))


def _row_after(cells: list[str], body: list[int], k: int, expected: int, row: list[str],
               width: int) -> int | None:
    """The number of the row that starts at ``cells[body[k]]`` after row ``expected - 1``,
    whose cells so far are ``row``; None when it starts none. One number may be left out of
    the 序号 column (5, 7): a number one further on starts a row only where the row before it
    has most of its cells and a cell of words follows it (never a figure of the row's own
    cells)."""
    m = _ROW_NUMBER.match(cells[body[k]])
    if not m:
        return None
    n = int(m.group(1))
    if n == expected:
        return n
    if (n == expected + 1 and len(row) >= width - 2 and k + 1 < len(body)
            and not _ROW_NUMBER.match(cells[body[k + 1]]) and _PHRASE.search(cells[body[k + 1]])):
        return n
    return None


def _header_again(cells: list[str], body: list[int], k: int, head: list[str]) -> int:
    """How many cells from ``body[k]`` repeat the table's header (a page break of a PDF or a
    Word table repeats it): its length, else 0."""
    if not head or k + len(head) > len(body):
        return 0
    return len(head) if all(cells[body[k + j]] == cell for j, cell in enumerate(head)) else 0


def _row_lines(cells: list[str], body: list[int], k: int, expected: int, width: int, task: int,
               columns: list, head: list[str]) -> tuple[list[str], int, bool]:
    """The cells of row ``expected`` from ``body[k]`` on: (its cells, where the next row
    starts, whether it is the table's last row)."""
    row: list[str] = []
    last = not any(_next_row(cells[body[n]], following) for following in (expected + 1, expected + 2)
                   for n in range(k, min(len(body), k + 3 * width + 2)))
    while k < len(body):
        if last and len(row) >= width and (
                len(row) >= width + _MAX_CELL_LINES
                or _row_fits(_plain(row, width, task, columns), columns)):
            # the last row: no more cells than columns, unless its task cell wraps (a
            # cell after it would not fit its column: a body in the 完成时限 column)
            break
        if _row_after(cells, body, k, expected + 1, row, width) or _heading_before(
                cells, body, k, expected + 1) or _header_again(cells, body, k, head):
            break
        if len(row) >= 3 * width:  # the last row has run into the text after it
            break
        row.append(cells[body[k]])
        k += 1
    return row, k, last


def _cell_rows(lines: list[str], cells: list[str], kinds: list[str | None], header: list[str],
               first: int, head: list[str] = ()):
    """The rows of a cell-per-line table whose header ends before line ``first``: (its
    header with the number column first, rows, the line each row starts on, the line after
    the table)."""
    # a group column before 序号 is merged: its cell stands before the first row of its
    # group only (read as the row's category; the rows after it have none)
    grouped = kinds[0] == "category"
    if grouped:
        kinds, header = [kinds[1], kinds[0], *kinds[2:]], [header[1], header[0], *header[2:]]
    width = len(kinds) - 1 - grouped  # the cells a row has after its number
    columns = kinds[1 + grouped:]
    # a task cell wrapped over lines is the last task column's (重点工作 / 工作任务: the
    # wording, not the heading, runs long)
    task = len(kinds) - 1 - kinds[::-1].index("task") - 1 - grouped
    body = [k for k in range(first, len(lines)) if cells[k]]
    rows: list[list[str]] = []
    starts: list[int] = []
    expected = 1
    b = 0
    end = first
    group = ""
    if grouped:  # the first group's cell, before row 1
        while b < min(len(body), 3) and not _next_row(cells[body[b]], 1):
            group += cells[body[b]]
            b += 1
    while b < len(body):
        again = _header_again(cells, body, b, head)
        if again:  # the header repeated at a page break: read past
            b += again
            continue
        if _heading_before(cells, body, b, expected):
            # a section's heading row (一、推动芯片全链发展) between rows: merged across the
            # table, its text is the one cell it has
            heading = [""] * len(kinds)
            heading[kinds.index("task")] = cells[body[b]]
            rows.append(heading)
            starts.append(body[b])
            end = body[b] + 1
            b += 1
            continue
        m = _ROW_NUMBER.match(cells[body[b]])
        after_heading = bool(rows) and not rows[-1][0]
        if not m or int(m.group(1)) != expected and not (
                after_heading and int(m.group(1)) in (expected + 1, 1)):
            break  # under a section's row the numbers may go on, leave one out or restart
        expected = int(m.group(1))
        starts.append(body[b])
        row, k, last = _row_lines(cells, body, b + 1, expected, width, task, columns, head)
        following = ""
        if grouped and not last and len(row) > 1 and not _unit_cell(row[-1]) \
                and not _DATE_CELL.search(row[-1]):
            # the next group's cell, before the next row: when the row fits better without
            # it (as well, if the row has a cell too many)
            without = _fitting(_row_cells(row[:-1], width, task, columns), columns)
            whole = _fitting(_row_cells(row, width, task, columns), columns)
            if without > whole or (without == whole and len(row) > width):
                following = row.pop()
        if grouped:
            rows.append([m.group(1), group, *_row_cells(row, width, task, columns)])
            group = following
        else:
            rows.append([m.group(1), *_row_cells(row, width, task, columns)])
        expected = (k < len(body) and _row_after(cells, body, k, expected + 1, row, width)
                    or expected + 1)
        end = body[k - 1] + 1 if k > b else end
        b = k
    return header, rows, starts, end


def cell_tables(text: str) -> tuple[str, tuple[int, ...]] | None:
    """The text with each cell-by-cell duty table made rows (see the module docstring)."""
    if "\n" not in text:
        return None
    lines = text.split("\n")
    # the table is read over its non-empty cells: blank lines (a cell per paragraph) and lines
    # of column rules stand between cells, never in one
    cells = [_cell(line) for line in lines]
    out: list[str] = []
    origin: list[int] = []
    found = False
    i = 0
    while i < len(lines):
        kinds = None
        if "|" in lines[i] or "｜" in lines[i] or "\t" in lines[i]:
            table = _line_table(lines, i)
            made = _division_lines(table[0]) if table else None
            if made:
                found = True
                for index, line in made:
                    out.append(line)
                    origin.append(table[1][index] + 1)
                i = table[2]
                continue
        if cells[i] in ("序号", "编号", "序") or (
                cells[i] and len(cells[i]) <= _MAX_HEADER and _category_header(cells[i])):
            filled = [k for k in range(i, min(len(lines), i + 60)) if cells[k]]
            head = _header_at([cells[k] for k in filled], 0)
            if head is not None:
                kinds, header, used = head
        if kinds is None:
            out.append(lines[i])
            origin.append(i + 1)
            i += 1
            continue
        if i + 1 < len(lines) and _RULE_LINE.match(lines[i + 1]):
            rows, starts, end = _ruled_table(lines, i, kinds, filled[used - 1] + 1)
            made = _division_lines([header, *rows]) if rows else None
            if made:
                found = True
                for index, line in made:
                    out.append(line)
                    origin.append(starts[index - 1] + 1 if index >= 1 else i + 1)
                i = end  # the text after the table goes on as it was
                continue
        header, rows, starts, end = _cell_rows(lines, cells, kinds, header, filled[used - 1] + 1,
                                               [cells[k] for k in filled[:used]])
        made = _division_lines([header, *rows]) if rows else None
        if not made:
            out.append(lines[i])
            origin.append(i + 1)
            i += 1
            continue
        found = True
        for index, line in made:
            out.append(line)
            origin.append(starts[index - 1] + 1 if index >= 1 else i + 1)
        i = end
    if not found:
        return None
    return "\n".join(out), tuple(origin)

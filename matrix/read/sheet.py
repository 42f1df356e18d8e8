"""An office's own 任务分工表 (a workbook nobody here wrote, .xlsx or .xls) → plan text.

``sheet_to_text(data, path)`` reads every sheet of the workbook with calamine and turns each one
that holds a duty table into plan text with ``docx.division_lines``, the same code that reads
duty tables in .docx files and web pages, so that each row becomes a numbered clause whose
department cells are read by the trailer grammar::

    3.推进农机装备创新（牵头单位：工业和信息化部；配合单位：农业农村部；2020年底前完成）

* **Headers found by their words** (序号, 重点任务, 工作任务, 任务内容, 牵头单位, 责任单位,
  配合单位, 完成时限, 推广范围 …), anywhere in the first ``MAX_HEADER_ROW`` rows: a title row
  or two above the table are skipped; two header rows (责任单位 merged over 牵头单位 |
  配合单位) are read as one. A column the table does not need (责任领导, 备注) is left out.
* **Merged cells**: a merged cell's value fills every cell it covers, so that a 重点任务 merged
  down over several rows is the task of each of them, and a section row merged across the
  table is a heading.
* Numbers print as written (序号 3, not 3.0); dates as 2025年12月31日.
* ``lines[i]`` is the worksheet row (from 1) that line ``i + 1`` came from.

An .xlsx is checked by ``safety.zipcheck`` and for far cells and merges (:func:`check_xlsx`)
before calamine opens it. A workbook with no duty table is a
``MatrixInputError`` saying which headers were looked for.
"""

from __future__ import annotations

import datetime as dt
import io

from ..errors import MatrixError, MatrixInputError
from ..i18n import N_, _

# The first sheet of the other workbooks dutymatrix writes, and what they are.
# (marked for the catalog: the command line shows them with ``_``)
OTHER_WORKBOOKS = {"任务清单": N_("a task list (filter --format xlsx)"),
                   "部门索引": N_("a department index (filter --split-by-dept)"),
                   "概要": N_("a diff workbook (diff --format xlsx)")}

MAX_HEADER_ROW = 10  # the header row must be among the first rows of a sheet


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value).strip()


def sheet_rows(sheet) -> list[list[str]]:
    """A calamine sheet as a grid of cell texts, merged cells filled (see the module docstring)."""
    grid = [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    merged = sheet.merged_cell_ranges or []
    height = max([len(grid)] + [r1 + 1 for (_, _), (r1, _) in merged])
    width = max([len(r) for r in grid] + [c1 + 1 for (_, _), (_, c1) in merged] + [0])
    for row in grid:
        row.extend([""] * (width - len(row)))
    grid.extend([[""] * width for _ in range(height - len(grid))])
    for (r0, c0), (r1, c1) in merged:
        value = grid[r0][c0]
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                grid[r][c] = value
    return grid


def table_lines(rows: list[list[str]]) -> list[tuple[int, str]] | None:
    """``division_lines`` of the first duty table among the first rows, or None."""
    from ..text.dutytable import division_lines

    for start in range(min(MAX_HEADER_ROW, len(rows))):
        if not any(cell for cell in rows[start]):
            continue
        found = division_lines(rows[start:])
        if found is not None:
            return [(start + index, line) for index, line in found]
    return None


def written_by_dutymatrix(path) -> bool:
    """True when the .xlsx at ``path`` is one dutymatrix wrote (a 矩阵 sheet, which
    ``workbook.read_workbook`` reads, or the first sheet of a task list, index or diff, which it
    refuses with a message) or cannot be told apart here (that reader then says what is wrong
    with it); False for an office's own workbook, read as a plan by ``sheet_to_text``."""
    from python_calamine import CalamineWorkbook

    from ..safety.limits import max_input_bytes

    try:
        if path.stat().st_size > max_input_bytes(str(path)):
            return True
        data = path.read_bytes()
        if not data.startswith(b"PK\x03\x04"):
            return True
        check_xlsx(data, str(path))
        names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    except BaseException as e:  # calamine's errors and panics, MatrixError, OSError
        if isinstance(e, KeyboardInterrupt | SystemExit):
            raise
        return True
    return "矩阵" in names or bool(names) and names[0] in OTHER_WORKBOOKS


def check_xlsx(data: bytes, path: str) -> None:
    """The checks of every zip input (``safety.zipcheck.open_zip``), then those dutymatrix's own
    workbooks get (``safety.zipcheck.check_sheet_extent``): no worksheet may reach beyond Excel's grid
    or span more cells than ``MAX_SHEET_CELLS`` allows, by a far cell or a merge. calamine
    allocates the whole range first: one cell at XFD1048576 asks for 512 GiB and aborts the
    process (issue 24)."""
    from ..safety.zipcheck import check_sheet_extent
    from ..safety.zipcheck import open_zip

    with open_zip(data, path, N_("an .xlsx workbook")) as archive:
        infos = archive.infolist()
    stream = io.BytesIO(data)
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            check_sheet_extent(stream, info, path, info.filename.rsplit("/", 1)[-1])


def sheet_to_text(data: bytes, path: str = "<input>") -> tuple[str, tuple[int, ...]]:
    """The plan text of every duty table in the workbook, and each line's worksheet row."""
    from python_calamine import CalamineWorkbook

    if data.startswith(b"PK\x03\x04"):
        check_xlsx(data, path)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [book.get_sheet_by_index(i) for i in range(len(book.sheet_names))]
        tables = [table_lines(sheet_rows(sheet)) for sheet in sheets]
    except MatrixError:
        raise
    # A damaged workbook: calamine's errors, and a Rust panic (pyo3's PanicException derives
    # from BaseException).
    except BaseException as e:
        if isinstance(e, KeyboardInterrupt | SystemExit):
            raise
        raise MatrixInputError(_("{path}: cannot read the workbook: {error}").format(
            path=path, error=str(e) or type(e).__name__)) from None
    text: list[str] = []
    lines: list[int] = []
    for found in tables:
        for index, line in found or ():
            text.append(line)
            lines.append(index + 1)
    if not text:
        raise MatrixInputError(_(
            "{path}: no sheet holds a task table: dutymatrix looks for a header row with a task "
            "column (重点任务, 工作任务, 任务内容 …) and a unit column (牵头单位, 责任单位, "
            "配合单位 …)").format(path=path))
    return "\n".join(text), tuple(lines)

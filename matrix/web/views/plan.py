"""责任矩阵 and 下载: one uploaded plan as the matrix in the page, and the files the CLI writes.

The matrix is ``pivot.build_matrix``'s; a department is found by any alias through
``filter.filter_tasks`` (the canonical data: 国家卫健委 finds 国家卫生健康委, an unknown name
gets the CLI's message with suggestions); the downloads are written by the same library
functions as the CLI's files.
"""

from __future__ import annotations

import io
import zipfile

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ...errors import MatrixError
from .common import render
from .common import XLSX, Upload, attachment

HEAT_LEVELS = 6  # classes h0 … h5 in app.css: white → the workbook's orange


def _upload(request: Request) -> Upload:
    upload = request.app.state.store.get(request.path_params["token"])
    if not isinstance(upload, Upload):
        raise HTTPException(404)
    return upload


def heat(value: int, low: int, high: int) -> int:
    """The colour step of a count between the smallest and the largest (as the workbook's
    white → orange colour scale of 合计)."""
    if high <= low:
        return 0
    return round((value - low) * (HEAT_LEVELS - 1) / (high - low))


def _department_query(upload: Upload, query: str) -> dict:
    """The department ``query`` names, its tasks and roles, or the CLI's message why not."""
    from ...departments import default_registry
    from ...filter.select import filter_tasks
    from ...filter.formats import role_text

    from ...errors import UnknownDepartmentError

    try:
        hits = filter_tasks([upload.plan], departments=[query])
    except UnknownDepartmentError as e:  # the CLI's suggestions, then the plan's own columns
        return {"query": query, "unknown": True,
                "suggestions": suggestions(query, e.suggestions, upload.matrix.departments)}
    except MatrixError as e:
        return {"query": query, "error": str(e)}
    department = default_registry().canonical(query)
    return {"query": query, "name": hits[0].department if hits else department.name,
            "full_name": department.full_name,
            "hits": [(hit, role_text(hit)) for hit in hits],
            "tasks": {id(hit.task) for hit in hits}}


def suggestions(query: str, known: list[str], columns, limit: int = 3) -> list[str]:
    """Up to ``limit`` names for a department nobody knows: the canonical data's suggestions
    (what the CLI prints), then the closest of the plan's own departments."""
    from rapidfuzz import fuzz, process

    out = list(dict.fromkeys(known))[:limit]
    for name, _score, _index in process.extract(query, list(columns), scorer=fuzz.ratio,
                                                score_cutoff=40, limit=limit * 2):
        if len(out) < limit and name not in out:
            out.append(name)
    return out


def _lead(task) -> list[str]:
    from ...records import Role

    return list(dict.fromkeys(a.department for a in task.assignments if a.role == Role.lead))


# A plan of more lines than VIRTUAL_ROWS is sent as its first FIRST_ROWS lines plus the data of
# every line, and app.js keeps only the lines in view (and some around them) in the table: the
# browser lays out a hundred rows whether the plan has 300 tasks or 10,000.
VIRTUAL_ROWS = 300
FIRST_ROWS = 60
COLUMN_REM = 1.8  # width of a department column (app.css: col.w-dept)
MAX_COLUMNS = 1000  # department columns columns.css places marks in (the page says if more)


def columns_css() -> str:
    """The style sheet placing a mark in its department column: ``.marks .c12 { left: … }``.

    A row of the matrix holds its marks in one cell spanning every department column, each
    mark positioned by its column's class, and the grid lines are that cell's background: a
    1,000-task plan with 60 departments is then some 10,000 elements for the browser to lay
    out rather than 70,000 table cells (see bench/bench_web.py). Served as a static file
    would be (``/static/columns.css``), made once.
    """
    return "".join(f".marks .c{i}{{left:{i * COLUMN_REM:.1f}rem}}\n" for i in range(MAX_COLUMNS))


_COLUMNS_CSS: str | None = None


async def columns_stylesheet(request: Request) -> Response:
    """GET /static/columns.css."""
    global _COLUMNS_CSS
    if _COLUMNS_CSS is None:
        _COLUMNS_CSS = columns_css()
    return Response(_COLUMNS_CSS, media_type="text/css",
                    headers={"cache-control": "public, max-age=86400"})


async def matrix_page(request: Request) -> Response:
    """GET /plan/{token}: the matrix, the department finder, the task details and warnings."""
    upload = _upload(request)
    query = request.query_params.get("dept", "").strip()[:100]
    if not query and "matrix" in upload.pages:  # the whole matrix: the same page every time
        return HTMLResponse(upload.pages["matrix"])
    response = _matrix_page(request, upload, query)
    if not query:
        upload.pages["matrix"] = response.body
    return response


def _matrix_page(request: Request, upload: Upload, query: str) -> HTMLResponse:
    from ...workbook.cells import LEGEND, MARKS
    from ...workbook.plan import LEGEND_HEAT, LEGEND_INHERITED

    matrix = upload.matrix
    found = _department_query(upload, query) if query else None
    shown = found.get("tasks") if found else None
    totals = matrix.column_totals()
    row_totals = [row.total for row in matrix.rows]
    low_c, high_c = min(totals.values(), default=0), max(totals.values(), default=0)
    low_r, high_r = min(row_totals, default=0), max(row_totals, default=0)
    column_of = {d: i for i, d in enumerate(matrix.departments)}
    rows = []
    for index, row in enumerate(matrix.rows, 1):
        if shown is not None and id(row.task) not in shown:
            continue
        # Only the marked cells: each is placed in its column by its class (c0, c1 …), so the
        # page holds a few elements per task instead of one per department (see columns_css).
        marks = sorted((column_of[d], MARKS[cell.role], cell.inherited)
                       for d, cell in row.cells.items() if d in column_of)
        rows.append({"index": index, "row": row, "task": row.task, "marks": marks,
                     "total": row.total, "heat": heat(row.total, low_r, high_r)})
    span = len(matrix.departments)
    macros = request.app.state.templates.get_template("_rows.html").module
    token = request.path_params["token"]
    lines, section = [], None
    for r in rows:
        if r["task"].section != section:
            section = r["task"].section
            if section:
                lines.append(macros.section_row(section, span))
        lines.append(macros.task_row(r, token, span))
    columns = [{"name": d, "total": totals[d], "heat": heat(totals[d], low_c, high_c)}
               for d in matrix.departments]
    warnings = [(document.title, w) for document in upload.plan.documents
                for w in document.warnings]
    task_at: dict[int, int] = {}  # a source line → the first row of a task starting there
    for index, row in enumerate(matrix.rows, 1):
        task_at.setdefault(row.task.line, index)
    return render(request, "matrix.html", {
        "upload": upload, "plan": upload.plan, "matrix": matrix, "rows": rows,
        "lines": lines, "first_lines": len(lines) if len(lines) <= VIRTUAL_ROWS else FIRST_ROWS,
        "columns": columns, "found": found, "query": query, "warnings": warnings,
        "task_at": task_at, "too_many_columns": len(columns) > MAX_COLUMNS,
        "several": len(upload.plan.documents) > 1,
        "legend": LEGEND, "legend_inherited": LEGEND_INHERITED, "legend_heat": LEGEND_HEAT,
        "token": request.path_params["token"], "page": "matrix"})


async def task_page(request: Request) -> Response:
    """GET /plan/{token}/task/{index}: one task in full (``?part=1``: only the details, which
    the matrix page's script shows beside the matrix)."""
    upload = _upload(request)
    try:
        index = int(request.path_params["index"])
        row = upload.matrix.rows[index - 1]
    except (ValueError, IndexError):
        raise HTTPException(404) from None
    if index < 1:
        raise HTTPException(404)
    context = {"upload": upload, "row": row, "task": row.task, "index": index,
               "lead": _lead(row.task), "several": len(upload.plan.documents) > 1,
               "token": request.path_params["token"], "page": "matrix"}
    name = "task_part.html" if request.query_params.get("part") else "task.html"
    return render(request, name, context)


DOWNLOADS = {
    # kind: (file name pattern, what it is). Each is the file a command writes:
    # xlsx `dutymatrix build`, csv `filter --format csv -o`, json `parse --format json`,
    # lists `filter --split-by-dept -o DIR` (tests/test_web.py holds them side by side).
    "xlsx": ("{stem}.xlsx", "责任矩阵工作簿（矩阵、分工表、部门统计、说明）"),
    "csv": ("{stem}.csv", "全部任务一览表（逗号分隔的表格文件，Excel 和 WPS 可直接打开）"),
    "json": ("{stem}.json", "解析结果数据文件（供其他软件读取，一般不需要）"),
    "lists": ("{stem}_各单位任务清单.zip", "各单位任务清单（每个部门一个工作簿，另附索引.xlsx）"),
}


def shell_word(name: str) -> str:
    """``name`` as one word a POSIX shell passes on unchanged (the page shows commands to copy:
    a file called ``a $(id).txt`` must not run ``id``), never read as an option."""
    import shlex

    return shlex.quote(f"./{name}" if name.startswith("-") else name)


async def downloads_page(request: Request) -> Response:
    """GET /plan/{token}/downloads: the files."""
    upload = _upload(request)
    files = [(kind, pattern.format(stem=upload.stem), what)
             for kind, (pattern, what) in DOWNLOADS.items()]
    return render(request, "downloads.html", {"upload": upload, "files": files,
                                              "token": request.path_params["token"],
                                              "page": "downloads"})


async def download(request: Request) -> Response:
    """GET /plan/{token}/download/{kind}: one of :data:`DOWNLOADS`."""
    from ...export import downloads as exports

    upload = _upload(request)
    kind = request.path_params["kind"]
    if kind not in DOWNLOADS:
        raise HTTPException(404)
    filename = DOWNLOADS[kind][0].format(stem=upload.stem)
    plan = upload.plan
    if kind == "json":
        return attachment(exports.plan_json(plan).encode("utf-8"), filename,
                          "application/json; charset=utf-8")
    if kind == "csv":
        return attachment(exports.tasks_csv([plan]).encode("utf-8"), filename,
                          "text/csv; charset=utf-8")
    if kind == "xlsx":
        def work():
            from ...workbook import write_workbook

            return write_workbook(plan, io.BytesIO(), matrix=upload.matrix).getvalue()

        return attachment(await run_in_threadpool(work), filename, XLSX)

    def lists():
        from ...errors import MatrixOutputError
        from ...workbook import write_split

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            _, failed = write_split([plan], archive)
        if failed:  # in memory only the unforeseen: never a partial zip
            raise MatrixOutputError("; ".join(failed))
        return buffer.getvalue()

    return attachment(await run_in_threadpool(lists), filename, "application/zip")

"""汇总: the plan and the returns the departments sent back → who reported, what is late.

``sources.read_returns_bytes`` reads the returns as ``dutymatrix collect`` reads files and
``collect.collect`` gathers them; the page shows per task each department's report (完成状态,
进展情况, 存在问题, 下步计划, the file it came from), the 新增事项 and 任务文字修改 the
departments wrote, 未报送, the 报送情况 per department and what became of each file, filtered
by department and by status (``summary_view``), and offers the 汇总 workbook
(``workbook.summary.write_summary``). Lights and the round's notices are the library's: the
page shows a report's ``light`` when the library gives one, and lists every file ``downloads``
names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...errors import MatrixError
from ..app import error_page, render
from .common import XLSX, Upload, attachment, in_private_folder, load, receive_form, stored


@dataclass(frozen=True)
class Summary:
    """A plan, its collected returns, kept in the store."""

    plan: Upload
    result: Any  # matrix.round.collect.Collection


async def form(request: Request) -> Response:
    """The 汇总 page: the plan, the returns, the date."""
    from .upload import accepted_suffixes

    return render(request, "summary_form.html", {"accept": ",".join(accepted_suffixes()),
                                                 "today": date.today().isoformat(),
                                                 "page": "summary"})


def _collect(plan: tuple[str, bytes], returns: list[tuple[str, bytes]], as_of: date) -> Summary:
    from ...round.collect import collect
    from ...load.sources import read_returns_bytes

    upload = load(*plan)
    result = collect(upload.plan, read_returns_bytes(returns), as_of=as_of)
    return Summary(upload, result)


async def receive(request: Request) -> Response:
    """POST /summary: read the plan and every return, and collect."""
    fields = await receive_form(request)
    if isinstance(fields, Response):
        return fields
    plan, returns = fields.get("plan", []), fields.get("returns", [])
    if len(plan) != 1 or not returns:
        return error_page(request, "需要方案和报送材料",
                          "请选择方案文件一个，以及各单位报送的工作簿（可多选）。")
    day = fields.get("as_of", [("", b"")])[0][1].decode("utf-8").strip()
    try:
        as_of = date.fromisoformat(day) if day else date.today()
    except ValueError:
        return error_page(request, "日期有误", f"统计日期应为 2026-12-21 这样的格式：{day}")
    try:
        summary = await run_in_threadpool(_collect, plan[0], returns, as_of)
    except MatrixError as e:
        return error_page(request, "无法汇总", str(e))
    token = request.app.state.store.put(summary)
    return RedirectResponse(request.url_for("summary_page", token=token), 303)


def _summary(request: Request) -> Summary:
    return stored(request, Summary)


STATUS_CLASSES = {"已完成": "s-done", "推进中": "s-going", "未启动": "s-idle", "滞后": "s-behind",
                  "需协调": "s-help"}  # the workbook's colours of 状态矩阵 (app.css)
LATE = "逾期"  # the filter of the reports the library counts late (task past due, not done)


def status_word(report) -> str:
    """A report's status as the 汇总 workbook words it: the department's, 未填 or 未报."""
    from ...workbook.summary import NOT_FILLED, NOT_REPORTED

    return report.status or (NOT_FILLED if report.file else NOT_REPORTED)


def light_of(report) -> str | None:
    """The light the library gives a report (the round's deadlines), when it gives one: the
    page shows it beside the status and never works one out itself (none for a neutral one:
    not yet due, or no date)."""
    from ...round.lights import NEUTRAL

    light = getattr(report, "light", None)
    return None if light in (None, NEUTRAL) else light


def _report_view(line, report) -> dict:
    from ...round.lights import LIGHT_LABELS

    word = status_word(report)
    light = light_of(report)
    return {"report": report, "word": word, "light": light,
            "light_label": LIGHT_LABELS.get(light or "", ""),
            "css": STATUS_CLASSES.get(report.status, "s-other" if report.status else "s-none"),
            "late": line.late and report.late_status}


def _matches(item: dict, dept: str, status: str) -> bool:
    if dept and item["report"].department != dept:
        return False
    if status == LATE:
        return item["late"]
    return not status or item["word"] == status


def summary_view(result, dept: str = "", status: str = "") -> dict:
    """What the 汇总 page shows, filtered to one department and/or one status: per task each
    report (status, light, the three texts, the file), and the choices of the filters."""
    tasks, departments, words = [], [], []
    for line in result.tasks:
        items = [_report_view(line, r) for r in line.reports]
        for item in items:
            departments.append(item["report"].department)
            words.append(item["word"])
        shown = [item for item in items if _matches(item, dept, status)]
        if shown:
            tally = Counter((item["word"], item["css"]) for item in shown)
            tasks.append({"line": line, "reports": shown,
                          "tally": [(word, css, n) for (word, css), n in tally.items()]})
    order = {w: i for i, w in enumerate([*STATUS_CLASSES, "未填", "未报"])}
    return {
        "tasks": tasks, "dept": dept, "status": status,
        "departments": list(dict.fromkeys(departments)),
        "statuses": [*sorted(set(words), key=lambda w: (order.get(w, len(order)), w)), LATE],
        "added": [a for a in result.added if not dept or a.department == dept],
        "edits": [e for e in result.edits if not dept or e.department == dept],
        "missing": [m for m in result.missing if not dept or m == dept],
        "other": [o for o in result.other if not dept or o[0] == dept],
        "late_returns": getattr(result, "late_returns", None),  # 迟报, when the library gives it
    }


def downloads(token: str, summary: Summary) -> list[tuple[str, str, str]]:
    """The files of a 汇总: (address, file name, what it is). The round's 催办 notices and 通报
    join this list when the library writes them."""
    return [(f"/summary/{token}/download", f"{summary.plan.stem}_汇总.xlsx",
             "汇总工作簿：进展汇总、状态矩阵、逾期、未报送、报送情况、新增事项等")]


async def summary_page(request: Request) -> Response:
    """GET /summary/{token}?dept=…&status=…: per task each department's report, 新增事项,
    任务文字修改, 未报送, the files."""
    summary = _summary(request)
    token = request.path_params["token"]
    dept = request.query_params.get("dept", "").strip()[:100]
    status = request.query_params.get("status", "").strip()[:40]
    view = summary_view(summary.result, dept, status)
    return render(request, "summary.html", {"summary": summary, "result": summary.result,
                                            "view": view, "downloads": downloads(token, summary),
                                            "token": token, "page": "summary"})


async def download(request: Request) -> Response:
    """GET /summary/{token}/download: the 汇总 workbook ``dutymatrix collect -o`` writes."""
    summary = _summary(request)

    def work(folder):
        from ...workbook.summary import write_summary

        return write_summary(summary.result, folder / "summary.xlsx").read_bytes()

    return attachment(await in_private_folder(work), f"{summary.plan.stem}_汇总.xlsx", XLSX)

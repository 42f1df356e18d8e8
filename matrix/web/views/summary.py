"""汇总: the plan and the returns the departments sent back → who reported, what is late.

``sources.read_returns_bytes`` reads the returns as ``dutymatrix collect`` reads files and
``collect.collect`` gathers them; the page shows per task each department's report (完成状态,
进展情况, 存在问题, 下步计划, the file it came from), the 新增事项 and 任务文字修改 the
departments wrote, 未报送, the 报送情况 per department and what became of each file, filtered
by department and by status (``summary_view``), and offers the 汇总 workbook
(``workbook.summary.write_summary``). The form takes what ``dutymatrix collect`` and
``dutymatrix remind`` take: the as-of day (``--as-of``), the round (``--round``), the days that
make a task 临期 (``--warn-days``) and the previous 汇总 (``--since``). Lights (已完成 临期 逾期),
迟报 and 未填日期 are the library's (``round.collect``, ``round.lights``): the page shows them and
never works one out itself. Once a round is summarised, its 催办通知 and 督查通报
(``round.remind.remind_archive``) are one zip, the files ``dutymatrix remind -o DIR`` writes.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from ...errors import MatrixError
from ...round.lights import LATE_RETURN, YELLOW
from ...round.remind import REPLY_DAYS
from .common import error_page, render
from .common import (MAX_SUMMARY_FILES, XLSX, Upload, attachment, load, receive_form, stored,
                     while_connected)


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


MAX_ROUND = 60  # characters of a round's name, as the 下发 form


def _previous(item: tuple[str, bytes]):
    """The previous 汇总 uploaded (``--since``), read from a private temporary folder under a
    fixed name; its name is only a label (in messages and in the collection)."""
    import dataclasses
    import tempfile
    from pathlib import Path

    from ...errors import MatrixInputError
    from ...read import check_size
    from ...workbook.summary import read_previous

    name, data = item
    check_size(len(data), name)
    with tempfile.TemporaryDirectory(prefix="dutymatrix-upload-") as folder:
        path = Path(folder) / "previous.xlsx"
        path.write_bytes(data)
        try:
            previous = read_previous(path)
        except MatrixInputError:  # the CLI's words name its command and a hidden sheet
            raise MatrixInputError(f"{name}：不是本工具生成的汇总工作簿，或其中记录的上一轮情况"
                                   "已损坏，请选择上一轮汇总时下载的汇总工作簿。") from None
    return dataclasses.replace(previous, path=name)


class StagedReturns(list):
    """The returns of a round the page's script sent in parts before the 汇总 itself (each read
    as it came: ``ReturnFile`` or ``Unreadable``), kept under a token the 汇总 form names
    (``returns_batch``): a round of hundreds of returns is never one request. ``size``: the
    bytes they were read from, as the store counts them."""

    size = 0


MAX_ROUND_RETURNS = 5000  # returns of one round sent in parts (each part ≤ MAX_FILES files)


async def stage_returns(request: Request) -> Response:
    """POST /summary/returns: a part of a round's returns (``returns``, at most ``MAX_FILES``
    files) added to the batch ``batch`` (``new`` starts one); JSON for the page's script:
    the batch's token and how many returns it holds."""
    from ...load.sources import read_returns_bytes

    fields = await receive_form(request)
    if isinstance(fields, Response):
        return fields
    returns = fields.get("returns", [])
    token = _text(fields, "batch") or "new"
    store = request.app.state.store
    staged = store.get(token) if token != "new" else StagedReturns()
    if not isinstance(staged, StagedReturns):
        raise HTTPException(404)  # gone from the store: the script shows this page
    if len(staged) + len(returns) > MAX_ROUND_RETURNS:
        return error_page(request, "报送材料过多",
                          f"一轮最多汇总 {MAX_ROUND_RETURNS} 份填报表，请分轮汇总。")
    staged.extend(await while_connected(request, read_returns_bytes, returns))
    size = sum(len(data) for _name, data in returns)
    staged.size += size
    if token == "new":
        token = store.put(staged, size)
    elif not store.grow(token, size):
        raise HTTPException(404)
    return JSONResponse({"batch": token, "count": len(staged)})


def _collect(plan: tuple[str, bytes], returns: list[tuple[str, bytes]], as_of: date,
             round: str | None = None, warn_days: int | None = None,
             since: tuple[str, bytes] | None = None, staged: list | None = None) -> Summary:
    from ...errors import MatrixInputError
    from ...round.collect import PreviousOfAnotherPlan, collect
    from ...round.lights import WARN_DAYS
    from ...load.sources import read_returns_bytes

    upload = load(*plan)
    previous = _previous(since) if since is not None else None
    read = [*(staged or []), *read_returns_bytes(returns)]
    try:
        result = collect(upload.plan, read, as_of=as_of, round=round, previous=previous,
                         warn_days=WARN_DAYS if warn_days is None else warn_days)
    except PreviousOfAnotherPlan as e:  # the CLI's words carry checksums; a clerk's do not
        raise MatrixInputError(f"{e.path}：上一轮汇总属于另一份方案，"
                               "请选择按本方案汇总的上一轮汇总工作簿。") from None
    return Summary(upload, result)


def _text(fields: dict, name: str) -> str:
    return fields.get(name, [("", b"")])[0][1].decode("utf-8", "replace").strip()


async def receive(request: Request) -> Response:
    """POST /summary: read the plan and every return, and collect."""
    fields = await receive_form(request, MAX_SUMMARY_FILES)
    if isinstance(fields, Response):
        return fields
    plan, returns = fields.get("plan", []), fields.get("returns", [])
    staged = None
    if "returns_batch" in fields:  # sent in parts before (``stage_returns``)
        staged = request.app.state.store.get(_text(fields, "returns_batch"))
        if not isinstance(staged, StagedReturns):
            return error_page(request, "报送材料已失效",
                              "先前上传的填报表已不在服务器上（服务器重启或保存的内容过多），"
                              "请重新选择填报表后汇总。")
    if len(plan) != 1 or not (returns or staged):
        return error_page(request, "需要方案和报送材料",
                          "请选择方案文件一个，以及各单位报送的工作簿（可多选）。")
    day = _text(fields, "as_of")
    try:
        as_of = date.fromisoformat(day) if day else date.today()
    except ValueError:
        return error_page(request, "日期有误", f"统计日期应为 2026-12-21 这样的格式：{day}")
    round_ = re.sub(r"\s+", " ", _text(fields, "round"))
    if len(round_) > MAX_ROUND:
        return error_page(request, "轮次有误", f"轮次名称请不超过 {MAX_ROUND} 个字。")
    warn = _text(fields, "warn_days")
    if warn and not (warn.isdigit() and int(warn) <= 366):
        return error_page(request, "临期天数有误",
                          f"临期提醒天数应为 0 到 366 之间的整数：{warn[:20]}")
    previous = fields.get("previous", [])
    if len(previous) > 1:
        return error_page(request, "上一轮汇总只能选一个", "请只选择上一轮的汇总工作簿一个。")
    try:
        summary = await while_connected(request, _collect, plan[0], returns, as_of,
                                        round_ or None, int(warn) if warn else None,
                                        previous[0] if previous else None,
                                        list(staged) if staged else None)
    except MatrixError as e:
        return error_page(request, "无法汇总", str(e))
    size = len(plan[0][1]) + sum(len(data) for _name, data in returns) + \
        (staged.size if staged else 0)
    token = request.app.state.store.put(summary, size)
    return RedirectResponse(request.url_for("summary_page", token=token), 303)


def _summary(request: Request) -> Summary:
    return stored(request, Summary)


STATUS_CLASSES = {"已完成": "s-done", "推进中": "s-going", "未启动": "s-idle", "滞后": "s-behind",
                  "需协调": "s-help"}  # the workbook's colours of 状态矩阵 (app.css)
LATE = "逾期"  # the filter of the reports the library counts late (task past due, not done)
DUE_SOON = "临期"  # the filter of the reports the library lights yellow (due soon, not done)


def status_word(report) -> str:
    """A report's status as the 汇总 workbook words it: the department's, 未填 or 未报."""
    from ...workbook.summary import NOT_FILLED, NOT_REPORTED

    return report.status or (NOT_FILLED if report.file else NOT_REPORTED)


def light_of(report) -> str | None:
    """The light the library gives a report or a task (``Report.light``, ``TaskLine.light``:
    green, yellow, red), None for a neutral one (not yet due, or no date): the page shows it
    beside the status and never works one out itself."""
    from ...round.lights import NEUTRAL

    return None if report.light == NEUTRAL else report.light


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
    if status == DUE_SOON:
        return item["light"] == YELLOW
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
    returns = [(c.department, c.returned_late, c.days_late) for c in result.counts
               if c.returned_late and (not dept or c.department == dept)]
    return {
        "tasks": tasks, "dept": dept, "status": status,
        "departments": list(dict.fromkeys(departments)),
        "statuses": [*sorted(set(words), key=lambda w: (order.get(w, len(order)), w)), LATE,
                     DUE_SOON],
        "added": [a for a in result.added if not dept or a.department == dept],
        "edits": [e for e in result.edits if not dept or e.department == dept],
        "missing": [m for m in result.missing if not dept or m == dept],
        "other": [o for o in result.other if not dept or o[0] == dept],
        # the returns the library finds late (迟报, days late) or undated (未填日期)
        "late_returns": [(d, days) for d, kind, days in returns if kind == LATE_RETURN],
        "undated": [d for d, kind, _ in returns if kind != LATE_RETURN],
    }


def return_state(result, count) -> str:
    """报送情况 of a department as the 汇总 workbook and the 通报 word it: 未报送, 迟报3天,
    未填日期 or 按时报送 (the library's ``returned_late`` and ``days_late``)."""
    if count.department in result.missing:
        return "未报送"
    if count.returned_late == LATE_RETURN:
        return f"迟报{count.days_late}天" if count.days_late else LATE_RETURN
    return count.returned_late or "按时报送"


def remind_name(summary: Summary) -> str:
    """The downloaded 催办 zip's name: the plan's name, 催办通报 and the round."""
    from .common import _safe_file_name

    round_ = summary.result.round
    return _safe_file_name(f"{summary.plan.stem}_催办通报{('_' + round_) if round_ else ''}.zip")


def downloads(token: str, summary: Summary) -> list[tuple[str, str, str]]:
    """The files of a 汇总: (address, file name, what it is): the 汇总 workbook, and the
    round's 催办通知 and 督查通报 as one zip (the page offers it with a button and the day
    the departments are to answer by)."""
    from ...round.remind import notices

    count = len(notices(summary.result))
    return [(f"/summary/{token}/download", f"{summary.plan.stem}_汇总.xlsx",
             "汇总工作簿：进展汇总、状态矩阵、逾期、未报送、报送情况、新增事项等"),
            (f"/summary/{token}/remind", remind_name(summary),
             (f"催办通知 {count} 份（未报送、迟报或有逾期、临期任务的单位各一份）"
              if count else "各单位均按时报送、没有逾期和临期任务，无需催办")
             + "；督查通报（草稿）1 份。均为 Word 文档，可修改后印发")]


async def summary_page(request: Request) -> Response:
    """GET /summary/{token}?dept=…&status=…: per task each department's report, 新增事项,
    任务文字修改, 未报送, the files."""
    summary = _summary(request)
    token = request.path_params["token"]
    dept = request.query_params.get("dept", "").strip()[:100]
    status = request.query_params.get("status", "").strip()[:40]
    view = summary_view(summary.result, dept, status)
    states = {c.department: return_state(summary.result, c) for c in summary.result.counts}
    return render(request, "summary.html", {
        "summary": summary, "result": summary.result, "view": view, "states": states,
        "downloads": downloads(token, summary), "token": token, "page": "summary",
        "reply_by": (summary.result.as_of + timedelta(days=REPLY_DAYS)).isoformat()})


async def download(request: Request) -> Response:
    """GET /summary/{token}/download: the 汇总 workbook ``dutymatrix collect -o`` writes."""
    summary = _summary(request)

    def work():
        from ...workbook.summary import write_summary

        return write_summary(summary.result, io.BytesIO()).getvalue()

    return attachment(await run_in_threadpool(work), f"{summary.plan.stem}_汇总.xlsx", XLSX)


async def remind(request: Request) -> Response:
    """GET /summary/{token}/remind?reply_by=…: the round's 催办通知 and 督查通报 as one zip,
    the files ``dutymatrix remind PLAN RETURNS -o DIR`` writes (``--reply-by``: the day the
    departments are to answer by, by default 5 days after the as-of day)."""
    summary = _summary(request)
    day = request.query_params.get("reply_by", "").strip()[:40]
    try:
        reply_by = date.fromisoformat(day) if day else None
    except ValueError:
        return error_page(request, "日期有误",
                          f"答复期限应为 2026-12-25 这样的日期，请在日历中选择：{day}")

    def work():
        from ...round.remind import remind_archive

        return remind_archive(summary.result, reply_by=reply_by)

    return attachment(await run_in_threadpool(work), remind_name(summary), "application/zip")

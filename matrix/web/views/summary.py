"""汇总: the plan and the returns the departments sent back → who reported, what is late.

``sources.read_returns_bytes`` reads the returns as ``dutymatrix collect`` reads files and
``collect.collect`` gathers them; the page shows the 报送情况 per department, the late tasks
and what became of each file, and offers the 汇总 workbook (``workbook.summary.write_summary``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...errors import MatrixError
from ..app import error_page, render
from .common import (MAX_SUMMARY_FILES, XLSX, Upload, attachment, in_private_folder, load, receive_form, stored,
                     while_connected)


@dataclass(frozen=True)
class Summary:
    """A plan, its collected returns, kept in the store."""

    plan: Upload
    result: Any  # matrix.collect.Collection


async def form(request: Request) -> Response:
    """The 汇总 page: the plan, the returns, the date."""
    from .upload import accepted_suffixes

    return render(request, "summary_form.html", {"accept": ",".join(accepted_suffixes()),
                                                 "today": date.today().isoformat(),
                                                 "page": "summary"})


def _collect(plan: tuple[str, bytes], returns: list[tuple[str, bytes]], as_of: date) -> Summary:
    from ...collect import collect
    from ...sources import read_returns_bytes

    upload = load(*plan)
    result = collect(upload.plan, read_returns_bytes(returns), as_of=as_of)
    return Summary(upload, result)


async def receive(request: Request) -> Response:
    """POST /summary: read the plan and every return, and collect."""
    fields = await receive_form(request, MAX_SUMMARY_FILES)
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
        summary = await while_connected(request, _collect, plan[0], returns, as_of)
    except MatrixError as e:
        return error_page(request, "无法汇总", str(e))
    size = len(plan[0][1]) + sum(len(data) for _name, data in returns)
    token = request.app.state.store.put(summary, size)
    return RedirectResponse(request.url_for("summary_page", token=token), 303)


def _summary(request: Request) -> Summary:
    return stored(request, Summary)


async def summary_page(request: Request) -> Response:
    """GET /summary/{token}: 报送情况, late tasks, the files."""
    summary = _summary(request)
    return render(request, "summary.html", {"summary": summary, "result": summary.result,
                                            "token": request.path_params["token"],
                                            "page": "summary"})


async def download(request: Request) -> Response:
    """GET /summary/{token}/download: the 汇总 workbook ``dutymatrix collect -o`` writes."""
    summary = _summary(request)

    def work(folder):
        from ...workbook.summary import write_summary

        return write_summary(summary.result, folder / "summary.xlsx").read_bytes()

    return attachment(await in_private_folder(work), f"{summary.plan.stem}_汇总.xlsx", XLSX)

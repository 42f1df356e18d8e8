"""下发: an uploaded plan, the round, the due date and the kinds of form → the zip of the return
forms and their 索引, the very files ``dutymatrix dispatch`` writes.

``dispatch.dispatch`` writes the forms into a zip archive in memory, each as it writes them for
the CLI into a folder; the zip holds the departments' forms and 索引.xlsx at its top and the
leaders' forms in 分管领导/, as the folder does. Asking for one kind only leaves the other
out of the zip; no form is changed. The page's 汇总 then reads the returns back.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from .common import render
from .common import Upload, _safe_file_name, attachment, stored

KINDS = {"department": "各责任单位填报表（每个单位一份，另附索引）",
         "leader": "各分管领导填报表（每位领导一份，放在“分管领导”文件夹）"}
MAX_ROUND = 60  # characters of a round's name


def _leaders(upload: Upload) -> list[str]:
    from ...round.dispatch import leader_lists

    return [item.department for item in leader_lists(upload.plan)]


async def form(request: Request) -> Response:
    """GET /plan/{token}/dispatch: the round, the due date and the kinds of form."""
    upload = stored(request, Upload)
    return _form(request, upload)


def _form(request: Request, upload: Upload, problem: str | None = None, values=None,
          status: int = 200) -> Response:
    from ...round.dispatch import department_lists

    lists = department_lists([upload.plan])
    leaders = _leaders(upload)
    values = values or {"round": "", "due": "", "kinds": ["department", "leader"]}
    return render(request, "dispatch.html", {
        "upload": upload, "departments": [item.department for item in lists],
        "leaders": leaders, "kinds": KINDS, "values": values, "problem": problem,
        "token": request.path_params["token"], "page": "dispatch"}, status=status)


def zip_name(stem: str, round: str) -> str:
    """The downloaded zip's name: the plan's name, 下发 and the round."""
    return _safe_file_name(f"{stem}_下发{('_' + round) if round else ''}.zip")


async def download(request: Request) -> Response:
    """GET /plan/{token}/dispatch/zip?round=…&due=…&kinds=…: the forms as one zip."""
    from ...round.dispatch import dispatch

    upload = stored(request, Upload)
    params = request.query_params
    round_ = re.sub(r"\s+", " ", params.get("round", "")).strip()
    due = params.get("due", "").strip()
    kinds = [k for k in params.getlist("kinds") if k in KINDS]
    values = {"round": round_, "due": due, "kinds": kinds}
    if len(round_) > MAX_ROUND:
        return _form(request, upload, f"轮次名称请不超过 {MAX_ROUND} 个字。", values, 400)
    if due:
        try:
            due = date.fromisoformat(due).isoformat()
        except ValueError:
            return _form(request, upload, "报送截止日期应为 2026-12-20 这样的日期，请在日历中选择。",
                         values, 400)
    if not kinds:
        return _form(request, upload, "请至少选择一种填报表。", values, 400)
    if kinds == ["leader"] and not _leaders(upload):
        return _form(request, upload, "本方案没有写明分管领导，无法生成领导填报表。", values, 400)

    def work():
        from ...errors import MatrixOutputError

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            result = dispatch(upload.plan, archive, round=round_ or None, due=due or None,
                              departments="department" in kinds, leaders="leader" in kinds)
        if result.failed:  # in memory only the unforeseen: never a partial zip
            raise MatrixOutputError("；".join(result.failed))
        return buffer.getvalue()

    return attachment(await run_in_threadpool(work), zip_name(upload.stem, round_),
                      "application/zip")

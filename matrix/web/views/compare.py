"""版本对比: two versions of a plan → the changes as ``dutymatrix diff`` reports them.

``diff.diff_plans`` compares (``diff.filter_diff`` for one department); the page shows the
summary of ``diff.render_summary`` — counts, the task changes with the word-level text diff,
tasks only renumbered on one line, each department's gains and losses — and offers the diff
workbook and JSON the CLI writes.
"""

from __future__ import annotations

import io

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...errors import MatrixError
from .common import error_page, render
from .common import (XLSX, Upload, attachment, load, receive_form, stored,
                     while_connected)


@dataclass(frozen=True)
class Comparison:
    """Two uploads and the diff between them, kept in the store."""

    old: Upload
    new: Upload
    diff: Any  # matrix.diff.PlanDiff

    @property
    def filename(self) -> str:
        """What ``dutymatrix diff OLD NEW --format xlsx`` names the workbook."""
        return f"diff_{self.old.stem}_{self.new.stem}.xlsx"


async def form(request: Request) -> Response:
    """The comparison page: two files."""
    from .upload import accepted_suffixes

    return render(request, "compare.html", {"accept": ",".join(accepted_suffixes()),
                                            "page": "compare"})


def _compare(old: tuple[str, bytes], new: tuple[str, bytes], dept: str) -> Comparison:
    from ...diff import diff_plans, filter_diff

    a, b = load(*old), load(*new)
    result = diff_plans(a.plan, b.plan)
    if dept:
        result = filter_diff(result, dept)
    return Comparison(a, b, result)


async def receive(request: Request) -> Response:
    """POST /compare: read both versions and compare them."""
    fields = await receive_form(request)
    if isinstance(fields, Response):
        return fields
    old, new = fields.get("old", []), fields.get("new", [])
    if len(old) != 1 or len(new) != 1:
        return error_page(request, "需要两个版本", "请选择原版本和新版本各一个文件。")
    dept = fields.get("dept", [("", b"")])[0][1].decode("utf-8").strip()[:100]
    try:
        comparison = await while_connected(request, _compare, old[0], new[0], dept)
    except MatrixError as e:
        return error_page(request, "无法比较这两个文件", str(e))
    token = request.app.state.store.put(comparison, len(old[0][1]) + len(new[0][1]))
    return RedirectResponse(request.url_for("diff", token=token), 303)


def _comparison(request: Request) -> Comparison:
    return stored(request, Comparison)


async def diff_page(request: Request) -> Response:
    """GET /diff/{token}: the changes."""
    from ...diff import KIND_LABELS, describe_departments, task_place

    comparison = _comparison(request)
    diff = comparison.diff
    entries, only_renumbered = [], []
    for e in diff.entries:
        if e.kinds == ("renumbered",):
            only_renumbered.append(f"{e.old.label}→{e.new.label}")
            continue
        task = e.new or e.old
        if e.kind == "ambiguous":
            detail = "候选: " + "; ".join(
                f"{task_place(c.old)}→{task_place(c.new)} ({c.score:.0f})" for c in e.candidates)
        else:
            detail = describe_departments(e.departments)
        entries.append({
            "entry": e, "kinds": [(k, KIND_LABELS[k]) for k in e.kinds],
            "old": task_place(e.old), "new": task_place(e.new),
            "title": task.title if task else "", "detail": detail,
            "segments": e.text_diff if "text_changed" in e.kinds else None,
        })
    counts = [(kind, KIND_LABELS[kind], n) for kind, n in diff.counts().items()]
    return render(request, "diff.html", {
        "comparison": comparison, "diff": diff, "entries": entries, "counts": counts,
        "only_renumbered": only_renumbered, "token": request.path_params["token"],
        "page": "compare"})


async def download(request: Request) -> Response:
    """GET /diff/{token}/download/{xlsx|json}: the files ``dutymatrix diff`` writes."""
    comparison = _comparison(request)
    kind = request.path_params["kind"]
    if kind == "json":
        from ...export.downloads import diff_json

        return attachment(diff_json(comparison.diff).encode("utf-8"),
                          comparison.filename.removesuffix(".xlsx") + ".json",
                          "application/json; charset=utf-8")
    if kind != "xlsx":
        raise HTTPException(404)

    def work():
        from ...workbook import write_diff_workbook

        return write_diff_workbook(comparison.diff, comparison.old.plan, comparison.new.plan,
                                   io.BytesIO()).getvalue()

    return attachment(await run_in_threadpool(work), comparison.filename, XLSX)

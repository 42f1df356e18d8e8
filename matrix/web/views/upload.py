"""上传: the upload page, and what becomes of each file (one plan → its matrix; several → a list).

Files of every format the readers take (plan documents and workbooks written by ``build``)
and pasted text; each is parsed by ``sources.load_plan_bytes``, as the CLI parses a file, and
one bad file does not stop the others. Without script the form sends every file at once; the
page's script sends a batch file by file (a ``batch`` field: ``new``, then the token it got
back), so that its progress bar counts files read, not only bytes sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.requests import Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from ...errors import MatrixError, NoClausesError
from .common import error_page, render
from .common import PASTED, load, receive_form, while_connected

log = logging.getLogger("dutymatrix.web")


@dataclass(frozen=True)
class Outcome:
    """What became of one uploaded file: ``built`` (with its token), ``skipped`` or ``failed``."""

    name: str
    status: str
    message: str = ""
    token: str | None = None
    tasks: int = 0
    departments: int = 0


def accepted_suffixes() -> list[str]:
    """Every file suffix the readers take, for the file chooser."""
    from ...load.sources import PLAN_SUFFIXES, WORKBOOK_SUFFIXES

    return [*PLAN_SUFFIXES, *WORKBOOK_SUFFIXES]


def _limit_mb() -> str:
    from ...read import MB, max_input_bytes

    return f"{max_input_bytes() / MB:g}"


async def form(request: Request) -> Response:
    """The upload page."""
    return render(request, "upload.html", {"accept": ",".join(accepted_suffixes()),
                                           "suffixes": accepted_suffixes(),
                                           "limit_mb": _limit_mb(), "page": "upload"})


def _outcomes(items: list[tuple[str, bytes]], store) -> list[Outcome]:
    out = []
    for name, data in items:
        try:
            upload = load(name, data)
        except NoClausesError as e:
            out.append(Outcome(name, "skipped", str(e)))
            continue
        except MatrixError as e:
            out.append(Outcome(name, "failed", str(e)))
            continue
        except Exception:  # never a traceback on the page; the terminal gets it
            log.exception("unexpected error reading %s", name)
            out.append(Outcome(name, "failed", f"{name}: 读取时发生意外错误（详情见服务器终端）"))
            continue
        out.append(Outcome(name, "built", token=store.put(upload, len(data)), tasks=len(upload.matrix.rows),
                           departments=len(upload.matrix.departments)))
    return out


async def receive(request: Request) -> Response:
    """POST /upload: parse every file and the pasted text."""
    fields = await receive_form(request)
    if isinstance(fields, Response):
        return fields
    items = fields.get("files", []) + [(PASTED, data) for _, data in fields.get("text", [])]
    if not items:
        return error_page(request, "没有收到内容", "请选择或拖入至少一个文件，或粘贴方案全文。")
    store = request.app.state.store
    outcomes = await while_connected(request, _outcomes, items, store)
    if "batch" in fields:  # the page's script sends a batch file by file, to show its progress
        return _add_to_batch(request, fields["batch"][0][1].decode("utf-8"), outcomes)
    if len(outcomes) == 1:
        only = outcomes[0]
        if only.status == "built":
            return RedirectResponse(request.url_for("matrix", token=only.token), 303)
        title = "未找到编号条款" if only.status == "skipped" else "无法处理该文件"
        return error_page(request, title, only.message)
    token = store.put(Batch(outcomes))
    return RedirectResponse(request.url_for("batch", token=token), 303)


class Batch(list):
    """The outcomes of the files of one batch upload, in the order they came."""


def _add_to_batch(request: Request, token: str, outcomes: list[Outcome]) -> Response:
    """Add ``outcomes`` to the batch ``token`` (``new``: a new batch); JSON for the script."""
    store = request.app.state.store
    batch = store.get(token)
    if not isinstance(batch, Batch):
        if token != "new":
            raise HTTPException(404)
        batch = Batch()
        token = store.put(batch)
    batch.extend(outcomes)
    return JSONResponse({"batch": token, "url": str(request.url_for("batch", token=token)),
                         "outcomes": [{"name": o.name, "status": o.status} for o in outcomes]})


async def batch(request: Request) -> Response:
    """The outcome of an upload of several files."""
    outcomes = request.app.state.store.get(request.path_params["token"])
    if not isinstance(outcomes, Batch):
        raise HTTPException(404)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    return render(request, "batch.html", {"outcomes": outcomes, "counts": counts,
                                          "page": "upload"})

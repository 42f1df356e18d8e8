"""What the views share: reading an upload within the limits, names for files, sending a file,
rendering a template (``render``) and the error page (``error_page``): the views import these
from here, never the app, which hands them what they need through ``request.app.state``.

Nothing here opens a file named by a request: an uploaded file's name is only a label
(``display_name``), and files to download are written by the library into a private
temporary folder under fixed names, read back and the folder removed before the response.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

MAX_FILES = 50  # files in one upload
# files in one 汇总 request: the plan and a round's returns (298 departments and their leaders);
# the request's bytes stay within request_limit
MAX_SUMMARY_FILES = 1000
PASTED = "粘贴的文本"
# Control characters, and the bidirectional overrides that can make "exe.txt" look like "txt.exe".
_CONTROL = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class UploadRefused(Exception):
    """An upload refused before anything was parsed; ``status`` and a Chinese message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Upload:
    """One parsed plan, kept in the store: its records and the name it was uploaded under."""

    plan: Any
    name: str
    pages: dict[str, bytes] = field(default_factory=dict)  # rendered pages that never change

    @cached_property
    def matrix(self):
        """The plan's matrix (``pivot.build_matrix``), built once."""
        from ...pivot import build_matrix

        return build_matrix(self.plan)

    @property
    def stem(self) -> str:
        """The name without its suffix, fit for a downloaded file's name."""
        return _safe_file_name(PurePosixPath(self.name).stem or self.name)


def _safe_file_name(name: str) -> str:
    """A name fit for a downloaded file on Windows, macOS and Linux (``/`` and the like → _)."""
    return "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in name).strip(". ") or "_"


def display_name(filename: str | None, default: str = "上传的文件") -> str:
    """The last part of an uploaded file's name, without control characters; a label only."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip()[:160]
    return name if name.strip(". ") else default


def request_limit(limit: int) -> int:
    """The most bytes one request may carry: two inputs at the limit (a comparison) and room
    for the form around them."""
    return 2 * limit + 2**20


def check_length(request: Request, limit: int) -> None:
    """Refuse a request without a length or longer than ``request_limit`` before reading it."""
    from ...read import MB

    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise UploadRefused(411, "上传请求缺少长度信息，请用本页面的表单上传。")
    if int(length) > request_limit(limit):
        raise UploadRefused(
            413, f"上传的内容共 {int(length) / MB:.1f} MB，超过一次上传的上限 "
                 f"{request_limit(limit) / MB:.0f} MB（每个文件上限 {limit / MB:g} MB）。"
                 "请分批上传。")


async def read_form(request: Request, limit: int,
                    max_files: int = MAX_FILES) -> dict[str, list[tuple[str, bytes]]]:
    """Field name → (label, bytes) of every non-empty file and text field of the form."""
    check_length(request, limit)
    out: dict[str, list[tuple[str, bytes]]] = {}
    try:
        async with request.form(max_files=max_files, max_fields=16,
                                max_part_size=limit + 1) as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    if not value.filename:
                        continue  # a file input left empty
                    data = await value.read(limit + 1)
                    out.setdefault(key, []).append((display_name(value.filename), data))
                elif value.strip():
                    out.setdefault(key, []).append((PASTED, value.encode("utf-8")))
    except HTTPException as e:  # a malformed form, too many files, a field over the limit
        raise UploadRefused(400, _form_refusal(str(e.detail), max_files)) from None
    return out


def _form_refusal(detail: str, max_files: int = MAX_FILES) -> str:
    """Why a form could not be read, in Chinese (the framework says it in English)."""
    if "files" in detail.lower():
        return f"一次最多上传 {max_files} 个文件，请分批上传。"
    if "fields" in detail.lower():
        return "表单内容过多，请用本页面的表单上传。"
    if "size" in detail.lower() or "exceeded" in detail.lower():
        return "上传的文件太大，请分批上传或换一个较小的文件。"
    return "无法读取上传的表单，请回到本页面重新选择文件后上传。"


async def receive_form(request: Request, max_files: int = MAX_FILES
                       ) -> dict[str, list[tuple[str, bytes]]] | Response:
    """The fields of a POSTed form within the CLI's input limit (``read_form``), or the error
    page that refuses it: a view returns a ``Response`` it is given as it is."""
    from ...read import max_input_bytes

    try:
        return await read_form(request, max_input_bytes(), max_files)
    except UploadRefused as e:
        return error_page(request, "无法接收上传", e.message, e.status)


def stored(request: Request, kind: type) -> Any:
    """The value of kind ``kind`` the store keeps under the path's token; 404 otherwise (an
    unknown or expired token, or a token of another page's kind)."""
    value = request.app.state.store.get(request.path_params["token"])
    if not isinstance(value, kind):
        raise HTTPException(404)
    return value


def load(name: str, data: bytes) -> Upload:
    """Parse one upload (plan document of any format the readers take, or a workbook)."""
    from ...load.sources import load_plan_bytes

    return Upload(load_plan_bytes(data, name), name)


def attachment(data: bytes, filename: str, media_type: str) -> Response:
    """``data`` sent as a download named ``filename`` (RFC 6266: an ASCII fallback and the
    UTF-8 name)."""
    suffix = PurePosixPath(filename).suffix
    fallback = filename if filename.isascii() else f"dutymatrix{suffix}"
    fallback = re.sub(r'[^A-Za-z0-9._-]', "_", fallback)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type,
                    headers={"content-disposition": disposition, "cache-control": "no-store"})


async def while_connected(request: Request, work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)`` off the event loop, given up when the client goes: a file read in a
    worker process (``read.confine``) is then killed, so that a browser closed or a retry
    does not leave a scan being read for minutes."""
    import contextvars
    import threading

    import anyio

    from ...read.confine import cancel

    event = threading.Event()
    context = contextvars.copy_context()
    context.run(cancel.set, event)

    async def watch() -> None:
        while True:
            if await request.is_disconnected():
                event.set()
                return
            await anyio.sleep(0.25)

    result: Any = None
    error: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(watch)
        try:
            result = await run_in_threadpool(context.run, work, *args)
        except Exception as e:  # raised below as it is, not wrapped in the group's
            error = e
        finally:
            group.cancel_scope.cancel()
    if error is not None:
        raise error
    return result


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render(request: Request, name: str, context: dict | None = None, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """The template ``name`` rendered with ``context`` as an HTML response."""
    env = request.app.state.templates  # a jinja2 Environment, set by create_app
    html = env.get_template(name).render(request=request, **(context or {}))
    return HTMLResponse(html, status_code=status, headers=headers)


def error_page(request: Request, title: str, message: str, status: int = 400,
               hint: str | None = None) -> HTMLResponse:
    """A friendly page in Chinese; ``message`` is the CLI's message, as a clerk reads it."""
    return render(request, "error.html", {"title": title, "message": clerk_text(message),
                                          "hint": hint},
                  status=status)


def clerk_text(message: str) -> str:
    """A library message as the page shows it to a clerk: without what only a developer reads —
    the advice meant for a terminal (an environment variable to raise a limit), a third-party
    library's English error quoted in brackets or after a colon, the name of a format the
    clerk never handles (the zip inside a workbook, HTML)."""
    text = re.sub(r"[，,；;]\s*或调高\s*[A-Z_]+", "", str(message))
    text = re.sub(r"[（(][ -~]*[A-Za-z]{3,}[ -~]*[)）]", "", text)
    text = re.sub(r"[：:]\s*[ -~]*[A-Za-z]{3,}[ -~]*(?=[）)])", "", text)
    return text.replace("zip 压缩包", "压缩包").replace("HTML 网页", "网页")


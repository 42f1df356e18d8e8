"""The ASGI application: routes, templates, static files and the safety rules around them.

``create_app(host, port)`` returns a Starlette application. What keeps it safe by default:

* **Host header** (``TrustedHostMiddleware``): only the address served (127.0.0.1 and
  localhost by default) is answered, so a hostile web page cannot reach the server through a
  name it controls that resolves to 127.0.0.1 (DNS rebinding).
* **Content-Security-Policy** on every response: scripts and styles only from this server's
  ``/static/`` files — no inline script, no inline style, no ``eval`` — no frames, no plug-ins,
  forms posted only here. Plus ``nosniff``, no referrer, no framing.
* **Same origin for POST**: a form posted from another site (``Origin`` or
  ``Sec-Fetch-Site`` says so) is refused; a local server is otherwise an easy target.
* **Uploads** are read into memory within a limit (the CLI's input limit per file, see
  ``request_limit``), parsed, and dropped; only the records are kept (``store.py``). No name
  or path from a request is ever used to open a file.
* **Escaping**: Jinja2 autoescaping for every template; plan text is only ever rendered as
  text.
* **Errors** are a page in Chinese with the CLI's message in Chinese (``MatrixError``; the
  ``Chinese`` middleware makes every message of a request Chinese) or a plain apology
  (anything else, logged on the terminal), never a stack trace.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..errors import MatrixError
from ..i18n import speaking
from .store import Store
from .views.common import clerk_text, error_page, render  # noqa: F401 (the views' helpers, shared with the app)

HERE = Path(__file__).resolve().parent
LOOPBACK = ("127.0.0.1", "localhost")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SAFETY_HEADERS = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
)

log = logging.getLogger("dutymatrix.web")


class SafetyHeaders:
    """Adds :data:`SAFETY_HEADERS` to every HTTP response, error pages included."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SAFETY_HEADERS:
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Chinese:
    """Every message made while a request is answered is Chinese (the page is), whatever the
    language of the terminal that started the server: ``i18n.speaking`` sets it for this
    request's context only, so the process and other requests keep theirs."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        with speaking("zh"):
            await self.app(scope, receive, send)


class SameOrigin:
    """Refuses a POST (or any unsafe method) that another site's page sent."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            headers = Headers(scope=scope)
            site = headers.get("sec-fetch-site")
            origin = headers.get("origin")
            foreign = site not in (None, "same-origin", "none")
            if origin is not None:
                foreign = (foreign or origin == "null"
                           or urlsplit(origin).netloc != headers.get("host"))
            if foreign:
                response = HTMLResponse("<!doctype html><meta charset=utf-8><title>拒绝</title>"
                                        "<p>拒绝：请求来自其他网站。请在本工具自己的页面上操作。</p>",
                                        status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class TrustedHost(TrustedHostMiddleware):
    """Starlette's Host check, which also reads an IPv6 address in brackets (``[::1]:8000``:
    Starlette takes what comes before the first colon, ``[``, and refused every request)."""

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            from starlette.datastructures import Headers

            host = Headers(scope=scope).get("host", "")
            if host.startswith("[") and "]" in host:
                name = host[1:host.index("]")]
                if name in self.allowed_hosts:
                    await self.app(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)


def url_host(host: str) -> str:
    """``host`` as it stands in a URL: an IPv6 address in brackets (``[::1]``)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class HostCheck(TrustedHost):
    """Starlette's Host check, refusing in Chinese: a request that passed the check is marked
    in its scope; any response to one that was not is the check's own refusal (plain English
    text), which becomes a page saying what to do."""

    def __init__(self, app, **options) -> None:
        async def passed(scope, receive, send) -> None:
            scope["dutymatrix.host_ok"] = True
            await app(scope, receive, send)

        super().__init__(passed, **options)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return

        async def refusal(message) -> None:
            if scope.get("dutymatrix.host_ok"):
                await send(message)
            elif message["type"] == "http.response.start":
                page = HTMLResponse(HOST_REFUSED, status_code=message["status"])
                await page(scope, receive, send)

        await super().__call__(scope, receive, refusal)


HOST_REFUSED = ("<!doctype html><meta charset=utf-8><title>拒绝</title>"
                "<p>拒绝：请用启动本工具时终端里显示的地址打开本页面。</p>")


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> list[str]:
    """Host names the server answers to: the address served, and for a loopback address its
    usual names; for 0.0.0.0 (or ::) this machine's name and addresses, which is what the
    office's browsers will type. ``extra`` adds names (``serve --allow-host``)."""
    names = list(LOOPBACK)
    if host not in LOOPBACK:
        names.append(host)
    if host in ("0.0.0.0", "::", ""):
        names += _own_addresses()
    names += list(extra)
    return sorted(set(n.strip("[]") for n in names if n))


def _own_addresses() -> list[str]:
    """This machine's name and the addresses it is known by (best effort, no network traffic)."""
    names = [socket.gethostname(), socket.getfqdn()]
    try:
        names += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    except OSError:
        pass
    try:  # the address of the interface that would carry traffic out (UDP: nothing is sent)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            names.append(probe.getsockname()[0])
    except OSError:
        pass
    return names


def templates() -> Environment:
    """The Jinja2 environment: autoescaping for every template (and for strings)."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["version"] = __version__
    env.filters["clerk"] = clerk_text
    env.filters["squash"] = lambda text: " ".join(str(text).split())  # a title on one line
    return env


_STATUS_TITLES = {404: "找不到页面", 405: "不支持的操作", 413: "文件太大", 400: "请求有误"}
_STATUS_TEXTS = {405: "这个地址不能这样打开，请从本工具的页面上操作。",
                 413: "上传的内容太大，请分批上传。",
                 400: "请求无法处理，请回到本工具的页面重新操作。"}


async def _http_error(request: Request, exc: HTTPException) -> Response:
    title = _STATUS_TITLES.get(exc.status_code, "请求未能完成")
    detail = _STATUS_TEXTS.get(exc.status_code, "")  # never the framework's English detail
    hint = "上传的结果只保存在服务器内存中，服务器重启或上传过多文件后会被清除，请重新上传。" \
        if exc.status_code == 404 else None
    return error_page(request, title, detail, exc.status_code, hint)


async def _matrix_error(request: Request, exc: MatrixError) -> Response:
    return error_page(request, "无法处理该文件", str(exc), 400)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path)
    return error_page(request, "服务器内部错误",
                      "处理请求时发生意外错误，详细信息已记录在启动服务的终端窗口中。", 500)


def create_app(host: str = "127.0.0.1", port: int = 8000, *,
               extra_hosts: Iterable[str] = ()) -> Starlette:
    """The application served by ``dutymatrix serve`` on ``host``:``port``."""
    from .views import compare, dispatch, plan, summary, upload

    routes = [
        Route("/", upload.form, name="home"),
        Route("/upload", upload.receive, methods=["POST"], name="upload"),
        Route("/batch/{token}", upload.batch, name="batch"),
        Route("/plan/{token}", plan.matrix_page, name="matrix"),
        Route("/plan/{token}/task/{index}", plan.task_page, name="task"),
        Route("/plan/{token}/downloads", plan.downloads_page, name="downloads"),
        Route("/plan/{token}/download/{kind}", plan.download, name="download"),
        Route("/plan/{token}/dispatch", dispatch.form, name="dispatch"),
        Route("/plan/{token}/dispatch/zip", dispatch.download, name="dispatch_zip"),
        Route("/compare", compare.form, name="compare"),
        Route("/compare", compare.receive, methods=["POST"], name="compare_post"),
        Route("/diff/{token}", compare.diff_page, name="diff"),
        Route("/diff/{token}/download/{kind}", compare.download, name="diff_download"),
        Route("/summary", summary.form, name="summary"),
        Route("/summary", summary.receive, methods=["POST"], name="summary_post"),
        Route("/summary/returns", summary.stage_returns, methods=["POST"],
              name="summary_returns"),
        Route("/summary/{token}", summary.summary_page, name="summary_page"),
        Route("/summary/{token}/download", summary.download, name="summary_download"),
        Route("/summary/{token}/remind", summary.remind, name="summary_remind"),
        Route("/static/columns.css", plan.columns_stylesheet),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SafetyHeaders),
        Middleware(Chinese),
        Middleware(HostCheck, allowed_hosts=allowed_hosts(host, extra_hosts)),
        Middleware(SameOrigin),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={
        HTTPException: _http_error, MatrixError: _matrix_error, Exception: _server_error})
    app.state.templates = templates()
    app.state.store = Store()
    app.state.address = (host, port)
    return app

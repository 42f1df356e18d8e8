"""Inputs and a live server shared by the web tests (tests/test_web*.py) and bench/bench_web.py."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

from tests.conftest import SEED_001

# Three edits to seed 001 (traditional script, as the seed is), each a different kind of change.
EDITS = (
    ("圍繞特殊人群消費品發展需求", "圍繞老年人等特殊人群消費品發展需求"),  # （二）: text changed
    ("财政部等按職責分(fēn)工負責)", "應急管理部等按職責分(fēn)工負責)"),  # （四）: 财政部 → 应急管理部
)
REMOVED = "(十三)"  # the clause (十三) removed

EXPECTED_CHANGES = {  # label in the old plan → kind of change
    "（二）": "text_changed",
    "（四）": "departments_changed",
    "（十三）": "removed",
}

# A plan whose text and trailer hold markup: the page must show it as text and run nothing.
HOSTILE = """关于<script>window.HACKED=1</script>的行动方案
一、重点任务
（一）加强<img src=x onerror="window.HACKED=2">管理。推进工作。（<script>window.HACKED=3</script>、工业和信息化部等按职责分工负责）
（二）完善制度<b onmouseover="window.HACKED=4">标准</b>。（<img src=x onerror="window.HACKED=5">牵头，财政部参与）
"""


def plan_with_leaders():
    """A one-task plan (an ``Upload`` for the page's store) whose task names two leaders."""
    from matrix.web.views import common

    text = ("关于测试的行动方案\n一、重点任务\n"
            "（一）加强管理。（工业和信息化部牵头，财政部参与；2025年底前完成）\n")
    upload = common.load("plan.txt", text.encode("utf-8"))
    task = upload.plan.tasks[0]
    with_leaders = type(task).make(**{**{k: getattr(task, k) for k in task.as_json()},
                                      "assignments": task.assignments,
                                      "leaders": ("张三", "李四")})
    document = type(upload.plan.documents[0]).make(
        **{**{k: getattr(upload.plan.documents[0], k) for k in ("title", "doc_number", "line",
                                                                 "unassigned", "rules",
                                                                 "warnings")},
           "tasks": (with_leaders,)})
    plan = type(upload.plan).make(source=upload.plan.source, documents=(document,))
    return common.Upload(plan, "plan.txt")


def edited_001() -> str:
    """Seed 001 with the changes of :data:`EXPECTED_CHANGES`."""
    text = SEED_001.read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not line.lstrip().startswith(REMOVED)]
    assert len(kept) == len(lines) - 1
    return "".join(kept)


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_server(port: int | None = None) -> Iterator[str]:
    """``dutymatrix serve``'s application on uvicorn in a thread; yields its base URL."""
    import uvicorn

    from matrix.web import create_app

    port = port or free_port()
    config = uvicorn.Config(create_app("127.0.0.1", port), host="127.0.0.1", port=port,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


# ── the office's Chinese ─────────────────────────────────────────────────────────────────────

PRODUCT = "dutymatrix"
# Names of formats and programs the office itself says in Latin letters (the Chinese for them
# is longer and less known): the page may name them; every other Latin word is a developer's.
OFFICE_WORDS = frozenset({"PDF", "OFD", "Word", "WPS", "Excel", "MB", "KB"})
_FILE_NAME = r"[\w\u4e00-\u9fff（）()\[\]·\-]*\.[A-Za-z0-9]{2,5}\b"  # 方案.txt, .xlsx, a_b.zip
_NUMBER = r"\d[\d.:\-/]*"  # 2026-12-21, 0.1.0, 64


def page_words(html: str) -> list[str]:
    """What a reader sees of a page: text, the title, and the words of attributes shown
    (placeholder, title, alt, a button's value, the options of a list); scripts and styles
    not."""
    from html.parser import HTMLParser

    out: list[str] = []

    class Reader(HTMLParser):
        hidden = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style"):
                self.hidden += 1
            for name, value in attrs:
                if value and (name in ("placeholder", "title", "alt", "aria-label")
                              or name == "value" and tag in ("button", "option")
                              or name == "value" and dict(attrs).get("type") in (
                                  "submit", "button")):
                    out.append(value)

        def handle_endtag(self, tag):
            if tag in ("script", "style"):
                self.hidden -= 1

        def handle_data(self, data):
            if not self.hidden:
                out.append(data)

    Reader(convert_charrefs=True).feed(html)
    return out


def foreign_words(html: str, allowed: str = "") -> list[str]:
    """The Latin words of a page outside file names, numbers, the product's name, the office's
    words (``OFFICE_WORDS``) and ``allowed`` (text of the user's own files: a plan may say
    5G)."""
    import re

    theirs = set(re.findall(r"[A-Za-z]+", allowed))
    found = []
    for text in page_words(html):
        text = re.sub(_FILE_NAME, " ", text)
        text = re.sub(_NUMBER, " ", text)
        for word in re.findall(r"[A-Za-z]+", text):
            if word != PRODUCT and word not in OFFICE_WORDS and word not in theirs:
                found.append(word)
    return found


# ── every page of the site, for the browser tests and the screenshots ──────────────────────


def site_pages(base: str, folder) -> dict[str, str]:
    """A seed plan, a comparison, a batch, a 下发 and a 汇总 made on the live server at
    ``base`` (through HTTP, as the page's forms send them): page name → its address."""
    import re
    from pathlib import Path

    import httpx

    from matrix.round.dispatch import dispatch
    from matrix.load.pipeline import parse_file
    from tests.conftest import NEWS
    from tests.test_collect import fill

    folder = Path(folder)
    seed = (SEED_001.name, SEED_001.read_bytes(), "text/plain")
    with httpx.Client(base_url=base, follow_redirects=True, timeout=120) as http:
        plan = str(http.post("/upload", files=[("files", seed)]).url)
        path = re.search(r"/plan/[\w-]+", plan).group(0)
        batch = str(http.post("/upload", files=[
            ("files", seed), ("files", (NEWS[0].name, NEWS[0].read_bytes(), "text/plain")),
            ("files", ("扫描件.pdf", b"%PDF-1.7 ...", "application/pdf"))]).url)
        diff = str(http.post("/compare", files=[
            ("old", seed), ("new", ("修改稿.txt", edited_001().encode("utf-8"), "text/plain"))]).url)
        forms = dispatch(parse_file(SEED_001), folder / "下发", round="2026年第四季度",
                         due="2026-12-20").files
        returns = []
        for n, department in enumerate(("市场监管总局", "国家卫生健康委", "工业和信息化部")):
            target = folder / f"{department}报送.xlsx"
            fill(forms[department], target, extra={"E5": "（改过的任务文字）"} if n == 0 else None)
            returns.append(("returns", (target.name, target.read_bytes(), "application/x")))
        summary = str(http.post("/summary", files=[*returns, ("plan", seed)],
                                data={"as_of": "2026-12-21"}).url)
    return {  # name → address; SHOT_NAMES gives each screenshot's file name
        "上传": base + "/", "责任矩阵": plan, "查找部门": plan + "?dept=国家卫健委#department",
        "任务": base + path + "/task/1", "下载": base + path + "/downloads",
        "下发": base + path + "/dispatch", "批量上传结果": batch, "版本对比": base + "/compare",
        "版本对比结果": diff, "汇总": base + "/summary", "汇总结果": summary,
        "汇总筛选": summary + "?status=滞后", "错误页": base + "/plan/nothing",
    }


SHOT_NAMES = {"上传": "upload", "责任矩阵": "matrix", "查找部门": "department", "任务": "task",
              "下载": "downloads", "下发": "dispatch", "批量上传结果": "batch",
              "版本对比": "compare", "版本对比结果": "diff", "汇总": "summary-form",
              "汇总结果": "summary", "汇总筛选": "summary-filtered", "错误页": "error"}


def shrink(path) -> None:
    """A screenshot in 256 colours (a third of the bytes: the page has few colours)."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(256)
    small.save(path, optimize=True)


def screenshots(browser, site: dict[str, str], folder, width: int) -> list:
    """A full-page screenshot of every page of ``site`` at ``width`` px (Chinese locale) into
    ``folder`` as ``<SHOT_NAMES>-<width>.png``; the paths written."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    written = []
    try:
        for name, url in site.items():
            page.goto(url)
            page.wait_for_load_state("load")
            target = folder / f"{SHOT_NAMES[name]}-{width}.png"
            page.screenshot(path=str(target), full_page=True)
            shrink(target)
            written.append(target)
    finally:
        context.close()
    return written

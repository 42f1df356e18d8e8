"""The web page in a real browser: Debian's Chromium, driven by Playwright for Python.

Chromium is the system's (``/usr/bin/chromium``, ``apt-get install chromium``; `.ci/run`
installs it), never one downloaded by ``playwright install``. Skipped, with the reason, when
either is missing; in CI (``CI=true``) that is a failure (``conftest.missing_tool``). Marked
``slow``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import need, need_module

CHROMIUM = os.environ.get("DUTYMATRIX_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
need(CHROMIUM, "chromium is not installed (apt-get install chromium)", module=True)
need_module("playwright", "playwright is not installed (pip install playwright)", module=True)
need_module("uvicorn", "the web extra (uvicorn) is not installed", module=True)
pytestmark = pytest.mark.slow  # a real browser

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import SEED_001  # noqa: E402
from tests.web_support import EXPECTED_CHANGES, HOSTILE, edited_001, live_server  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server():
    with live_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    yield page
    assert page.errors == []
    context.close()


def upload_seed(page, server):
    page.goto(server + "/")
    page.set_input_files("#files", str(SEED_001))
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/plan/*")
    page.wait_for_selector("#matrix")


def test_seed_001_matrix_in_the_browser(page, server):
    upload_seed(page, server)
    assert page.locator("#matrix tbody tr.task").count() == 22
    assert page.locator("#matrix thead th.dept").count() == 40
    # The header row stays in view while the matrix scrolls down, the task column while it
    # scrolls right.
    head = page.locator("#matrix thead th.dept").first
    task = page.locator("#matrix tbody tr.task td.c-task").first
    top, left = head.bounding_box()["y"], task.bounding_box()["x"]
    page.eval_on_selector(".scroller", "el => { el.scrollTop = 400; el.scrollLeft = 600; }")
    assert head.bounding_box()["y"] == pytest.approx(top, abs=1)
    assert task.bounding_box()["x"] == pytest.approx(left, abs=1)
    # A click on a task shows its full text, trailer and line beside the matrix.
    page.locator("#matrix tbody tr.task a.task-link").first.click()
    page.wait_for_selector("#panel dl.detail")
    detail = page.inner_text("#panel")
    assert "第 27 行" in detail and "扩大安全优质农产品食品供给。强化农业投入品" in detail
    assert "国家粮食和储备局" in detail  # the trailer
    page.click("#panel button.close")
    assert page.locator("#panel").is_hidden()


def test_find_a_department_by_alias(page, server):
    upload_seed(page, server)
    page.fill("form.finder input[name=dept]", "国家卫健委")
    page.press("form.finder input[name=dept]", "Enter")
    page.wait_for_selector("#department")
    assert page.locator("#matrix tbody tr.task").count() == 5
    assert "国家卫生健康委" in page.inner_text("#department h2")
    assert page.locator("#department table tbody tr").count() == 5
    # A click on a department's name shows its task list.
    page.click("#matrix thead th.dept >> text=市场监管总局")
    page.wait_for_url("**dept=*")
    assert "市场监管总局" in page.inner_text("#department h2")


def test_download_the_workbook_and_read_it_back(page, server, tmp_path):
    from matrix.workbook import read_workbook

    upload_seed(page, server)
    page.click("header nav >> text=下载")
    with page.expect_download() as info:
        page.click("#download-xlsx")
    download = info.value
    assert download.suggested_filename == f"{SEED_001.stem}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    plan = read_workbook(path)
    assert len(plan.tasks) == 22


def test_compare_with_an_edited_copy(page, server, tmp_path):
    edited = tmp_path / "修改稿.txt"
    edited.write_text(edited_001(), encoding="utf-8")
    page.goto(server + "/compare")
    page.set_input_files("#old", str(SEED_001))
    page.set_input_files("#new", str(edited))
    page.click("form.compare button[type=submit]")
    page.wait_for_url("**/diff/*")
    seen = {}
    for row in page.locator("#changes tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        kind = row.get_attribute("class").split("k-")[1]
        seen[cells[1].split("、")[-1]] = kind
    assert seen == EXPECTED_CHANGES
    assert page.inner_text("#changes ins") == "老年人等"
    departments = page.inner_text("#dept-changes")
    assert "应急管理部" in departments and "财政部" in departments
    with page.expect_download() as info:
        page.click("#download-diff")
    assert info.value.suggested_filename.startswith("diff_")


def test_a_hostile_plan_runs_no_script(page, server, tmp_path):
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    page.goto(server + "/")
    page.set_input_files("#files", str(hostile))
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/plan/*")
    for link in page.locator("#matrix a.task-link").all():
        link.hover()
        link.click()
        page.wait_for_selector("#panel dl.detail")
        page.locator("#panel").hover()
    page.locator("#matrix").hover()
    assert '<img src=x onerror="window.HACKED=5">牵头' in page.inner_text("#panel")
    assert page.evaluate("typeof window.HACKED") == "undefined"
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    text = page.inner_text("main")
    assert "<script>window.HACKED=3</script>" in text
    assert '<img src=x onerror="window.HACKED=2">' in text


def test_drop_a_file_on_the_page(page, server):
    page.goto(server + "/")
    page.evaluate("""text => {
        const data = new DataTransfer();
        data.items.add(new File([text], "拖入的方案.txt", {type: "text/plain"}));
        document.getElementById("drop").dispatchEvent(
            new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
    }""", SEED_001.read_text(encoding="utf-8"))
    assert "拖入的方案.txt" in page.inner_text("#chosen")
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/plan/*")
    assert page.locator("#matrix tbody tr.task").count() == 22
    assert "拖入的方案.txt" in page.inner_text(".info")


def test_bad_input_shows_the_message_in_the_page(page, server):
    page.goto(server + "/")
    page.set_input_files("#files", [{"name": "scan.pdf", "mimeType": "application/pdf",
                                     "buffer": b"%PDF-1.7 ..."}])
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("section.error")
    assert "无法处理该文件" in page.inner_text("main")
    assert "该 PDF 已损坏，无法读取" in page.inner_text("main")  # the page speaks Chinese


def test_a_long_plan_keeps_only_the_rows_in_view(page, server):
    from bench.plans import plan_text

    page.goto(server + "/")
    page.set_input_files("#files", [{"name": "long.txt", "mimeType": "text/plain",
                                     "buffer": plan_text(400).encode("utf-8")}])
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/plan/*")
    tasks = int(page.inner_text(".info").split("任务 ")[1].split(" 项")[0])
    assert tasks >= 400
    assert page.locator("#matrix tbody tr.task").count() < 200
    assert page.locator("#partial").is_hidden()
    page.eval_on_selector(".scroller", "el => { el.scrollTop = el.scrollHeight; }")
    page.wait_for_selector(f"#t{tasks}")
    assert page.locator(f"#t{tasks}").is_visible()
    page.eval_on_selector(".scroller", "el => { el.scrollTop = 0; }")
    page.wait_for_selector("#t1")
    assert page.locator("#t1").is_visible() and page.locator(f"#t{tasks}").count() == 0


def test_a_batch_shows_its_progress_file_by_file(page, server):
    page.goto(server + "/")
    files = [{"name": f"方案{n}.txt", "mimeType": "text/plain", "buffer": SEED_001.read_bytes()}
             for n in range(3)]
    files.append({"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"})
    page.set_input_files("#files", files)
    seen = []
    page.on("request", lambda request: seen.append(request.method) if "/upload" in request.url
            else None)
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/batch/*")
    assert seen == ["POST"] * 4  # one request a file
    assert "生成 3 个，跳过 0 个，失败 1 个" in page.inner_text("main")
    assert page.locator("main table tbody tr").count() == 4


def test_summary_of_returns_in_the_browser(page, server, tmp_path):
    from matrix.round.dispatch import dispatch
    from matrix.load.pipeline import parse_file
    from tests.test_collect import fill

    forms = dispatch(parse_file(SEED_001), tmp_path / "下发", round="R").files
    sent = []
    for department in ("市场监管总局", "国家卫生健康委"):
        target = tmp_path / f"{department}.xlsx"
        fill(forms[department], target)
        sent.append(str(target))
    page.goto(server + "/summary")
    page.set_input_files("#plan", str(SEED_001))
    page.set_input_files("#returns", sent)
    page.click("form.summary-form button[type=submit]")
    page.wait_for_url("**/summary/*")
    received = page.inner_text("#received")
    assert "市场监管总局.xlsx" in received and "国家卫生健康委.xlsx" in received
    assert "市场监管总局" not in page.inner_text("#missing")
    with page.expect_download() as info:
        page.click("#download-summary")
    assert info.value.suggested_filename.endswith("_汇总.xlsx")


def test_a_round_of_many_returns_is_sent_in_parts(page, server, tmp_path):
    """More returns than one request takes (the server's 50 files): the script sends them in
    parts of 20 to /summary/returns, then the form; every return is in the 汇总."""
    from matrix.load.pipeline import parse_file
    from matrix.round.dispatch import dispatch
    from tests.test_collect import fill

    forms = dispatch(parse_file(SEED_001), tmp_path / "下发", round="R").files
    fill(forms["市场监管总局"], tmp_path / "filled.xlsx")
    data = (tmp_path / "filled.xlsx").read_bytes()
    sent = []
    for i in range(75):
        (tmp_path / f"r{i:02d}.xlsx").write_bytes(data)
        sent.append(str(tmp_path / f"r{i:02d}.xlsx"))
    parts = []
    page.on("request", lambda r: parts.append(r.url) if r.url.endswith("/summary/returns")
            else None)
    page.goto(server + "/summary")
    page.set_input_files("#plan", str(SEED_001))
    page.set_input_files("#returns", sent)
    page.click("form.summary-form button[type=submit]")
    page.wait_for_url("**/summary/*")
    assert len(parts) == 4  # 20 + 20 + 20 + 15
    received = page.inner_text("#received")
    assert "r00.xlsx" in received and "r74.xlsx" in received
    assert received.count("被替代") == 74


def test_remind_button_gives_the_notices_and_the_bulletin(page, server, tmp_path):
    """A real round (tests/test_round.py's dated seed 001) through the form: 轮次, 统计日期 and
    临期 days typed, the lights and 迟报 shown, the button gives the zip of .docx files."""
    import io
    import zipfile

    from matrix.load.pipeline import parse_text
    from tests.test_round import (AS_OF, BEHIND_ON_LATE, BEHIND_ON_SOON, LATE_SENDER, ROUND,
                                  SILENT, dated_seed, run_round)

    _, returns, _ = run_round(parse_text(dated_seed(), "001-dated.txt"), tmp_path, as_of=AS_OF)
    plan = tmp_path / "001-dated.txt"
    plan.write_text(dated_seed(), encoding="utf-8")
    page.goto(server + "/summary")
    page.set_input_files("#plan", str(plan))
    page.set_input_files("#returns", [str(p) for p in sorted(returns.iterdir())])
    page.fill("#as-of", AS_OF.isoformat())
    page.fill("#round", ROUND)
    page.fill("#warn-days", "7")
    page.click("form.summary-form button[type=submit]")
    page.wait_for_url("**/summary/*")
    assert page.inner_text("#late-returns") == f"迟报：{LATE_SENDER}（3 天）"
    assert page.locator(".light-red").count() >= 1 and page.locator(".light-yellow").count() >= 1
    page.fill("#reply-by", "2022-07-05")
    with page.expect_download() as info:
        page.click("#download-remind")
    download = info.value
    assert download.suggested_filename == f"001-dated_催办通报_{ROUND}.zip"
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        names = sorted(archive.namelist())
    assert names == sorted([f"催办通知/{d}.docx" for d in (SILENT, LATE_SENDER, BEHIND_ON_LATE,
                                                          BEHIND_ON_SOON)] + ["督查通报.docx"])


# ── every page at every width ────────────────────────────────────────────────────────────────

WIDTHS = (390, 768, 1366)


@pytest.fixture(scope="module")
def site(server, tmp_path_factory):
    from tests.web_support import site_pages

    return site_pages(server, tmp_path_factory.mktemp("site"))


def at_width(browser, width):
    context = browser.new_context(viewport={"width": width, "height": 844},
                                  accept_downloads=True, locale="zh-CN")
    return context, context.new_page()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_screen(browser, site, width):
    """At a phone's, a tablet's and a laptop's width every page fits: only the matrix is wider,
    and it scrolls inside its own box; the words of the navigation never break."""
    context, page = at_width(browser, width)
    try:
        for name, url in site.items():
            page.goto(url)
            page.wait_for_load_state("load")
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
                name, page.evaluate("document.documentElement.scrollWidth"))
            broken = page.evaluate("""() => Array.from(document.querySelectorAll(
                'header nav a, header .brand')).filter(a => a.getClientRects().length > 1
                || a.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(a)
                .lineHeight || 21)).map(a => a.textContent)""")
            assert broken == [], (name, broken)
            if page.locator(".scroller").count():
                box = page.locator(".scroller").bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, name
                if width < 1366:
                    assert page.evaluate("(s => s.scrollWidth > s.clientWidth)"
                                         "(document.querySelector('.scroller'))"), name
    finally:
        context.close()


def test_matrix_scrolls_in_its_box_on_a_phone(browser, site):
    context, page = at_width(browser, 390)
    try:
        page.goto(site["责任矩阵"])
        head = page.locator("#matrix thead th.dept").first
        task = page.locator("#matrix tbody tr.task td.c-task").first
        top, left = head.bounding_box()["y"], task.bounding_box()["x"]
        page.eval_on_selector(".scroller", "el => { el.scrollTop = 300; el.scrollLeft = 500; }")
        assert head.bounding_box()["y"] == pytest.approx(top, abs=1)
        assert task.bounding_box()["x"] == pytest.approx(left, abs=1)
        assert page.evaluate("scrollX") == 0
    finally:
        context.close()


def test_diff_text_stays_readable_on_a_phone(browser, site):
    context, page = at_width(browser, 390)
    try:
        page.goto(site["版本对比结果"])
        width = page.locator("#changes .textdiff").first.bounding_box()["width"]
        assert width >= 250  # some twenty characters a line, not three or four
        assert page.evaluate("document.documentElement.scrollHeight") < 2500
    finally:
        context.close()


def test_screenshots_at_390(browser, site):
    """Screenshots of every page at 390 px into $DUTYMATRIX_SCREENSHOTS (docs/screenshots/ in
    the repository is made so); skipped without it."""
    from tests.web_support import screenshots

    folder = os.environ.get("DUTYMATRIX_SCREENSHOTS")
    if not folder:
        pytest.skip("set DUTYMATRIX_SCREENSHOTS to a folder to write the screenshots "
                    "(or run docs/web_screenshots.py)")
    written = screenshots(browser, site, folder, 390)
    assert len(written) == len(site)


# ── 下发 and 汇总, as a clerk does them ─────────────────────────────────────────────────────


def test_dispatch_then_summary_in_the_browser(page, server, tmp_path):
    import zipfile

    from tests.test_collect import fill

    upload_seed(page, server)
    page.click("header nav >> text=下发")
    page.wait_for_selector("#dispatch-form")
    page.fill("#round", "2026年第四季度")
    page.fill("#due", "2026-12-20")
    with page.expect_download() as info:
        page.click("#dispatch-submit")
    download = info.value
    assert download.suggested_filename.endswith("_下发_2026年第四季度.zip")
    path = tmp_path / "forms.zip"
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert "索引.xlsx" in archive.namelist() and len(archive.namelist()) == 41
        archive.extractall(tmp_path / "forms")
    filled = []
    for department in ("市场监管总局", "国家卫生健康委"):
        target = tmp_path / f"{department}（已填）.xlsx"
        fill(tmp_path / "forms" / f"{department}.xlsx", target)
        filled.append(target)
    page.goto(server + "/summary")
    page.set_input_files("#plan", str(SEED_001))
    # The returns are dropped on the form, as the upload page takes them.
    page.evaluate("""files => {
        const data = new DataTransfer();
        for (const [name, bytes] of files) data.items.add(new File([new Uint8Array(bytes)], name));
        document.getElementById("returns-drop").dispatchEvent(
            new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
    }""", [[p.name, list(p.read_bytes())] for p in filled])
    chosen = page.inner_text("#returns-chosen")
    assert all(p.name in chosen for p in filled)
    assert SEED_001.name in page.inner_text("#plan-chosen")
    page.fill("input[name=as_of]", "2026-12-21")
    page.click("form.summary-form button[type=submit]")
    page.wait_for_url("**/summary/*")
    assert "2026年第四季度" in page.inner_text(".info")
    first = page.locator("details.task-progress").first
    first.locator("summary").click()
    text = first.inner_text()
    assert "国家卫生健康委·" in text or "市场监管总局·" in text  # a department's 进展情况
    page.select_option("#filter-dept", "市场监管总局")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**dept=*")
    units = page.locator("details.task-progress td[data-label=单位]").all_inner_texts()
    assert units and all(u.startswith("市场监管总局") for u in units)


def test_favicon_is_served(page, server):
    page.goto(server + "/")
    href = page.get_attribute("link[rel=icon]", "href")
    response = page.request.get(server + href)
    assert response.ok and "svg" in response.headers["content-type"]

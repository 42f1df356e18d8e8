"""The web page in a real browser: Debian's Chromium, driven by Playwright for Python.

Chromium is the system's (``/usr/bin/chromium``, ``apt-get install chromium``; `.ci/run`
installs it), never one downloaded by ``playwright install``. Skipped, with the reason, when
either is missing; in CI (``CI=true``) that is a failure (``conftest.missing_tool``). Marked
``slow``.
"""

from __future__ import annotations

import os
import shutil

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

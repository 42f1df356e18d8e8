"""Take the READMEs' screenshots of the web page: docs/web-matrix.png, docs/web-compare.png,
docs/web-dispatch.png and docs/web-summary.png at a laptop's width, and every page at a phone's
width (390 px) in docs/screenshots/.

Run from the checkout, with the web and test extras and Debian's Chromium installed::

    python docs/web_screenshots.py

Seed 001 is uploaded, its first task opened beside the matrix; then seed 001 is compared with
the edited copy the browser test uses (tests/web_support.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # tests/test_collect.py imports conftest

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.test_web_browser import ARGS, CHROMIUM  # noqa: E402
from tests.web_support import (edited_001, live_server, screenshots, shrink,  # noqa: E402
                               site_pages)

SEED_001 = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"


def main() -> None:
    with live_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=zh-CN"])
        page = browser.new_page(viewport={"width": 1400, "height": 860}, locale="zh-CN")
        page.goto(url + "/")
        page.set_input_files("#files", str(SEED_001))
        page.click("form.upload button[type=submit]")
        page.wait_for_url("**/plan/*")
        page.locator("a.task-link").nth(1).click()
        page.wait_for_selector("#panel dl.detail")
        page.screenshot(path=ROOT / "docs" / "web-matrix.png")
        page.goto(url + "/compare")
        page.set_input_files("#old", str(SEED_001))
        page.set_input_files("#new", [{"name": "修改稿.txt", "mimeType": "text/plain",
                                       "buffer": edited_001().encode("utf-8")}])
        page.click("form.compare button[type=submit]")
        page.wait_for_url("**/diff/*")
        page.screenshot(path=ROOT / "docs" / "web-compare.png", full_page=True)
        with tempfile.TemporaryDirectory() as folder:
            site = site_pages(url, folder)
            page.goto(site["下发"])
            page.fill("#round", "2026年第四季度")
            page.fill("#due", "2026-12-20")
            page.screenshot(path=ROOT / "docs" / "web-dispatch.png")
            page.goto(site["汇总结果"])
            page.locator("details.task-progress summary").nth(1).click()
            page.screenshot(path=ROOT / "docs" / "web-summary.png")
            for name in ("web-matrix", "web-compare", "web-dispatch", "web-summary"):
                shrink(ROOT / "docs" / f"{name}.png")
            phone = screenshots(browser, site, ROOT / "docs" / "screenshots", 390)
        browser.close()
    print(f"wrote docs/web-*.png and {len(phone)} screenshots at 390 px in docs/screenshots/")


if __name__ == "__main__":
    main()

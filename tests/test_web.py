"""The web page through Starlette's TestClient: routes, the files offered, and the safety rules.

The browser test (a real Chromium) is tests/test_web_browser.py; 下发 and 汇总 are
tests/test_web_round.py; the office's Chinese on every page, the imports of `serve` and the
double-click scripts are tests/test_web_words.py.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra (starlette) is not installed")
pytest.importorskip("httpx", reason="httpx (Starlette's TestClient) is not installed")

from click.testing import CliRunner  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from matrix.cli.commands import cli  # noqa: E402
from matrix.web import create_app  # noqa: E402
from tests.conftest import NEWS, SEED_001  # noqa: E402
from tests.web_support import (EXPECTED_CHANGES, HOSTILE, edited_001,  # noqa: E402
                               plan_with_leaders)

BASE = "http://127.0.0.1:8000"


@pytest.fixture()
def client():
    with TestClient(create_app(), base_url=BASE, raise_server_exceptions=False) as c:
        yield c


def upload(client, *files, text=None, follow=True):
    data = {"text": text} if text is not None else None
    return client.post("/upload", files=[("files", f) for f in files], data=data,
                       follow_redirects=follow)


def seed_upload(client):
    response = upload(client, (SEED_001.name, SEED_001.read_bytes(), "text/plain"))
    assert response.status_code == 200, response.text
    return response


def token_of(response) -> str:
    return re.search(r"/plan/([\w-]+)", str(response.url)).group(1)


def rows(html: str) -> list[str]:
    return re.findall(r'<tr class="task" id="t\d+">', html)


def inline_code(html: str) -> list[str]:
    """Inline scripts, style elements and attributes, event handler attributes in ``html``
    (parsed as a browser would: markup shown as text is not code)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            names = {name for name, _ in attrs}
            if tag == "script" and "src" not in names or tag == "style":
                found.append(f"<{tag}>")
            found.extend(f"<{tag} {name}=>" for name in names
                         if name == "style" or name.startswith("on"))

    Finder().feed(html)
    return found


# ── pages ────────────────────────────────────────────────────────────────────────────────────


def test_upload_page_in_chinese_offers_every_reader_format(client):
    from matrix.load.sources import PLAN_SUFFIXES, WORKBOOK_SUFFIXES

    page = client.get("/")
    assert page.status_code == 200
    assert "上传方案" in page.text and 'lang="zh-CN"' in page.text
    accept = re.search(r'accept="([^"]*)"', page.text).group(1).split(",")
    assert set(accept) == set(PLAN_SUFFIXES + WORKBOOK_SUFFIXES)
    assert 'name="text"' in page.text and "multiple" in page.text


def test_seed_001_matrix_has_22_tasks_and_40_departments(client):
    page = seed_upload(client)
    assert "/plan/" in str(page.url)
    assert len(rows(page.text)) == 22
    assert len(re.findall(r'<th class="dept[" ]', page.text)) == 40
    assert "图例：★ 牵头" in page.text  # the workbook's legend
    assert re.search(r'class="tot h5">22<', page.text)  # the busiest column at full heat


def test_task_details_show_text_trailer_deadline_lead_and_line(client, plan_001):
    token = token_of(seed_upload(client))
    page = client.get(f"/plan/{token}/task/1")
    part = client.get(f"/plan/{token}/task/1", params={"part": "1"})
    assert part.text.lstrip().startswith('<section class="task-detail"')
    assert part.text.strip() in page.text
    first = plan_001.tasks[0]
    assert first.text in page.text
    assert first.trailer in page.text
    assert f"第 {first.line} 行" in page.text
    assert "完成时限" in page.text and "牵头单位" in page.text and "责任领导" in page.text


def test_task_leaders_are_shown(client):
    token = client.app.state.store.put(plan_with_leaders())
    page = client.get(f"/plan/{token}/task/1")
    assert "张三、李四" in page.text
    assert "2025年底前完成" in page.text and "工业和信息化部" in page.text


def test_warnings_listed_with_their_lines(client, plan_001):
    page = seed_upload(client)
    warning = plan_001.documents[0].warnings[0]
    assert 'id="warnings"' in page.text
    assert f"第 {warning.line} 行" in page.text and warning.message_zh in page.text


def test_department_found_by_alias(client):
    token = token_of(seed_upload(client))
    page = client.get(f"/plan/{token}", params={"dept": "国家卫健委"})
    assert page.status_code == 200
    assert len(rows(page.text)) == 5
    assert "国家卫生健康委" in page.text and "任务 5 项" in page.text
    assert '<th class="dept hit">' in page.text


def test_unknown_department_gets_the_cli_suggestions(client):
    from matrix.departments import default_registry

    token = token_of(seed_upload(client))
    page = client.get(f"/plan/{token}", params={"dept": "国家卫建委"})
    assert page.status_code == 200
    notice = page.text.split('id="unknown-department"')[1].split("</p>")[0]
    assert "“国家卫建委”" in notice
    assert re.findall(r">([^<>]+)</a>", notice) == default_registry().suggest("国家卫建委")
    assert len(rows(page.text)) == 22  # the whole matrix stays, under the message


def test_pasted_text_is_a_plan(client):
    text = SEED_001.read_text(encoding="utf-8")
    page = upload(client, text=text)
    assert page.status_code == 200 and len(rows(page.text)) == 22
    assert "粘贴的文本" in page.text


def test_a_workbook_written_by_build_is_read(client, tmp_path):
    from matrix import write_workbook
    from matrix.load.pipeline import parse_file

    target = write_workbook(parse_file(SEED_001), tmp_path / "book.xlsx")
    page = upload(client, ("分工.xlsx", target.read_bytes(), "application/octet-stream"))
    assert page.status_code == 200 and len(rows(page.text)) == 22


def test_several_files_each_with_its_outcome(client):
    page = upload(client, (SEED_001.name, SEED_001.read_bytes(), "text/plain"),
                  (NEWS[0].name, NEWS[0].read_bytes(), "text/plain"),
                  ("scan.pdf", b"%PDF-1.7 rest", "application/pdf"))
    assert page.status_code == 200 and "/batch/" in str(page.url)
    assert "生成 1 个，跳过 1 个，失败 1 个" in page.text
    assert "没有找到编号条款" in page.text
    assert "该 PDF 已损坏，无法读取" in page.text
    assert "the PDF is damaged" not in page.text
    link = re.search(r'href="(/plan/[\w-]+)"', page.text).group(1)
    assert len(rows(client.get(link).text)) == 22


def test_unknown_token_is_a_chinese_404(client):
    page = client.get("/plan/nothing-here")
    assert page.status_code == 404 and "找不到页面" in page.text
    token = token_of(seed_upload(client))
    for index in ("0", "23", "x"):
        assert client.get(f"/plan/{token}/task/{index}").status_code == 404


def test_whole_matrix_page_is_rendered_once(client, monkeypatch):
    from matrix.web.views import plan

    seed = seed_upload(client)
    monkeypatch.setattr(plan, "_matrix_page", None)  # would fail if called again
    assert client.get(str(seed.url)).text == seed.text


def test_marks_are_placed_in_their_department_columns(client, plan_001):
    from matrix.workbook import MARKS
    from matrix.pivot import build_matrix
    from matrix.web.views.plan import MAX_COLUMNS, columns_css

    page = seed_upload(client).text
    matrix = build_matrix(plan_001)
    heads = re.findall(r'<th class="dept[^"]*"><a [^>]*>([^<]*)</a>', page)
    assert heads == list(matrix.departments)
    first = re.search(r'<tr class="task" id="t1">.*?<td class="marks"[^>]*>(.*?)</td>',
                      page).group(1)
    placed = {heads[int(c)]: mark
              for c, mark in re.findall(r'<b class="c(\d+)[^"]*">(.)</b>', first)}
    assert placed == {d: MARKS[cell.role] for d, cell in matrix.rows[0].cells.items()}
    css = client.get("/static/columns.css")
    assert css.headers["content-type"].startswith("text/css") and css.text == columns_css()
    assert ".marks .c12{left:21.6rem}" in css.text and f".c{MAX_COLUMNS - 1}{{" in css.text


# ── downloads: the files the CLI writes ─────────────────────────────────────────────────────


def download(client, token, kind):
    response = client.get(f"/plan/{token}/download/{kind}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    return response


def test_downloads_page_lists_the_four_files(client):
    token = token_of(seed_upload(client))
    page = client.get(f"/plan/{token}/downloads")
    stem = SEED_001.stem
    for name in (f"{stem}.xlsx", f"{stem}.csv", f"{stem}.json", f"{stem}_各单位任务清单.zip"):
        assert name in page.text
    assert "dutymatrix build" not in page.text and "对应命令" not in page.text  # no command line
    assert f'href="/plan/{token}/dispatch"' in page.text  # return forms: 下发


def test_workbook_download_reads_back(client, plan_001):
    from matrix.workbook import SHEET_NAMES, read_workbook

    token = token_of(seed_upload(client))
    response = download(client, token, "xlsx")
    assert f"filename*=UTF-8''{SEED_001.stem}.xlsx" in response.headers["content-disposition"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.xlsx"
        path.write_bytes(response.content)
        import openpyxl

        assert tuple(openpyxl.load_workbook(path, read_only=True).sheetnames) == SHEET_NAMES
        back = read_workbook(path)
    assert [t.title for t in back.tasks] == [t.title for t in plan_001.tasks]


def test_json_download_is_what_parse_prints(client, tmp_path):
    token = token_of(seed_upload(client))
    body = download(client, token, "json").content.decode("utf-8")
    copy = tmp_path / SEED_001.name
    copy.write_bytes(SEED_001.read_bytes())
    result = CliRunner().invoke(cli, ["parse", str(copy), "--format", "json"])
    web, cli_json = json.loads(body), json.loads(result.output)
    assert web["documents"] == cli_json["documents"]
    assert web["source"]["sha256"] == cli_json["source"]["sha256"]


def test_csv_download_is_what_filter_writes(client, tmp_path):
    token = token_of(seed_upload(client))
    body = download(client, token, "csv").content
    copy = tmp_path / SEED_001.name
    copy.write_bytes(SEED_001.read_bytes())
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["filter", str(copy), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    # The source column names the file: the upload's name on the page, the path in the CLI.
    written = out.read_bytes().decode("utf-8")
    assert body.decode("utf-8") == written.replace(str(copy), SEED_001.name)
    assert body.startswith("\ufeff".encode("utf-8"))


def test_department_lists_zip_holds_what_split_by_dept_writes(client, tmp_path):
    from matrix.workbook import read_workbook

    token = token_of(seed_upload(client))
    body = download(client, token, "lists").content
    folder = tmp_path / "清单"
    result = CliRunner().invoke(cli, ["filter", str(SEED_001), "--split-by-dept",
                                      "-o", str(folder)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(p.name for p in folder.iterdir())
        assert "索引.xlsx" in names and "国家卫生健康委.xlsx" in names
    assert len(names) == 41  # 40 departments and the index
    del read_workbook


def test_uploads_and_downloads_leave_no_temporary_folder(client):
    def ours():  # the page's folders (other programs' dutymatrix-* folders come and go)
        folder = Path(tempfile.gettempdir())
        return set(folder.glob("dutymatrix-web-*")) | set(folder.glob("dutymatrix-upload-*"))

    before = ours()
    token = token_of(seed_upload(client))
    for kind in ("xlsx", "lists"):
        download(client, token, kind)
    book = download(client, token, "xlsx").content
    assert len(rows(upload(client, ("book.xlsx", book, "application/octet-stream")).text)) == 22
    assert ours() == before


# ── 版本对比 ────────────────────────────────────────────────────────────────────────────────


def compare(client, old, new, dept=None, follow=True):
    return client.post("/compare", files=[("old", old), ("new", new)],
                       data={"dept": dept} if dept else None, follow_redirects=follow)


def test_comparison_shows_each_change(client):
    from matrix.diff import KIND_LABELS

    page = compare(client, ("旧版.txt", SEED_001.read_bytes(), "text/plain"),
                   ("新版.txt", edited_001().encode("utf-8"), "text/plain"))
    assert page.status_code == 200 and "/diff/" in str(page.url)
    changes = re.findall(r'<tr class="change k-(\w+)">\s*<td class="kinds"[^>]*>.*?</td>\s*'
                         r'<td data-label="原编号">([^<]*)</td>', page.text, re.S)
    assert {old.split("、")[-1]: kind for kind, old in changes} == EXPECTED_CHANGES
    assert "<ins>老年人等</ins>" in page.text  # changed text highlighted
    assert "−财政部(负责)" in page.text and "+应急管理部(负责)" in page.text
    assert "共 3 处变化" in page.text and KIND_LABELS["removed"] in page.text
    assert 'id="dept-changes"' in page.text and "应急管理部" in page.text


def test_comparison_for_one_department(client):
    page = compare(client, ("旧版.txt", SEED_001.read_bytes(), "text/plain"),
                   ("新版.txt", edited_001().encode("utf-8"), "text/plain"), dept="财政部")
    assert page.status_code == 200
    assert "只看：财政部" in page.text and "共 1 处变化" in page.text


def test_comparison_downloads_the_diff_workbook_and_json(client, tmp_path):
    from matrix.workbook import DIFF_SHEET_NAMES

    page = compare(client, ("旧版.txt", SEED_001.read_bytes(), "text/plain"),
                   ("新版.txt", edited_001().encode("utf-8"), "text/plain"))
    token = re.search(r"/diff/([\w-]+)", str(page.url)).group(1)
    book = client.get(f"/diff/{token}/download/xlsx")
    assert book.status_code == 200
    assert "diff_%E6%97%A7%E7%89%88_%E6%96%B0%E7%89%88.xlsx" in book.headers["content-disposition"]
    path = tmp_path / "diff.xlsx"
    path.write_bytes(book.content)
    import openpyxl

    assert tuple(openpyxl.load_workbook(path, read_only=True).sheetnames) == DIFF_SHEET_NAMES
    old, new = tmp_path / "旧版.txt", tmp_path / "新版.txt"
    old.write_bytes(SEED_001.read_bytes())
    new.write_text(edited_001(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    web = json.loads(client.get(f"/diff/{token}/download/json").content)
    assert web["tasks"] == json.loads(result.output)["tasks"]


def test_comparison_needs_two_files(client):
    page = client.post("/compare", files=[("old", ("a.txt", SEED_001.read_bytes(), "text/plain"))])
    assert page.status_code == 400 and "需要两个版本" in page.text


# ── safety ──────────────────────────────────────────────────────────────────────────────────


def test_every_response_carries_a_strict_csp(client):
    token = token_of(seed_upload(client))
    for path in ("/", "/compare", "/summary", f"/plan/{token}", f"/plan/{token}/downloads",
                 "/nothing", "/static/app.css"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp


def test_no_page_has_inline_script_or_style(client):
    seed = seed_upload(client)
    token = token_of(seed)
    hostile = upload(client, ("hostile.txt", HOSTILE.encode("utf-8"), "text/plain"))
    diff = compare(client, ("a.txt", SEED_001.read_bytes(), "text/plain"),
                   ("b.txt", edited_001().encode("utf-8"), "text/plain"))
    pages = [client.get("/").text, client.get("/compare").text, client.get("/summary").text,
             seed.text, hostile.text,
             diff.text, client.get(f"/plan/{token}/downloads").text,
             client.get(f"/plan/{token}", params={"dept": "国家卫健委"}).text]
    for html in pages:
        assert inline_code(html) == []


def test_hostile_plan_is_shown_as_text(client):
    page = upload(client, ("hostile.txt", HOSTILE.encode("utf-8"), "text/plain"))
    assert page.status_code == 200
    assert "&lt;script&gt;window.HACKED=3&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=&#34;window.HACKED=2&#34;&gt;" in page.text
    assert "<script>window" not in page.text and "<img src=x" not in page.text
    assert "<b onmouseover" not in page.text


def test_host_header_must_be_the_served_address(client):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "rebound.attacker.test:8000"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_posts_from_another_site_are_refused(client):
    files = [("files", (SEED_001.name, SEED_001.read_bytes(), "text/plain"))]
    for headers in ({"origin": "http://evil.example"}, {"origin": "null"},
                    {"sec-fetch-site": "cross-site"}):
        response = client.post("/upload", files=files, headers=headers)
        assert response.status_code == 403
    same = client.post("/upload", files=files, headers={"origin": BASE,
                                                        "sec-fetch-site": "same-origin"},
                       follow_redirects=False)
    assert same.status_code == 303


def test_uploaded_names_never_reach_the_file_system(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = upload(client, ("../../etc/passwd.txt", SEED_001.read_bytes(), "text/plain"))
    assert page.status_code == 200
    assert "来源：passwd.txt" in page.text and "../" not in page.text.split("来源：")[1][:40]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, data, message", [
    ("scan.pdf", b"%PDF-1.7\n...", "该 PDF 已损坏，无法读取"),
    ("a.zip", b"PK\x03\x04" + b"junk" * 10, "这是 zip 压缩包，不是方案文件"),
    ("empty.txt", b"   \n", "文件是空的"),
    ("news.txt", NEWS[0].read_bytes(), "没有找到编号条款"),
], ids=["damaged-pdf", "zip", "empty", "news"])
def test_bad_input_gets_a_friendly_page_with_the_cli_message(client, tmp_path, name, data,
                                                              message, monkeypatch):
    # The server's terminal speaks English; the page still shows the Chinese message.
    monkeypatch.setenv("LANGUAGE", "C")
    page = upload(client, (name, data, "application/octet-stream"))
    assert page.status_code == 400
    from matrix.web.app import clerk_text

    assert clerk_text(message) in page.text and "Traceback" not in page.text
    path = tmp_path / name
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["--lang", "zh", "parse", str(path), "--format", "json"])
    assert result.exit_code == 1
    cli_message = result.output.removeprefix("错误：").strip().replace(str(path), name)
    assert message in cli_message
    assert clerk_text(cli_message.splitlines()[0]) in page.text  # the clerk's part of it


def test_the_cli_input_limit_applies(client, monkeypatch):
    monkeypatch.setenv("DUTYMATRIX_MAX_INPUT_MB", "0.01")
    page = upload(client, (SEED_001.name, SEED_001.read_bytes(), "text/plain"))
    assert page.status_code == 400
    assert "超过 0.01 MB 的上限" in page.text
    big = b"x" * (2 * 10_486 + 2**20 + 1000)  # over the request's limit (two inputs and the form)
    page = upload(client, ("big.txt", big, "text/plain"))
    assert page.status_code == 413 and "超过一次上传的上限" in page.text


def test_unexpected_errors_show_no_stack_trace(client, monkeypatch):
    from matrix.web.views import plan

    token = token_of(seed_upload(client))

    def broken(*args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(plan, "heat", broken)
    page = client.get(f"/plan/{token}", params={"dept": "财政部"})
    assert page.status_code == 500
    assert "服务器内部错误" in page.text
    assert "secret internals" not in page.text and "Traceback" not in page.text


def test_store_keeps_a_bounded_number_of_uploads():
    from matrix.web.store import Store

    store = Store(max_entries=2)
    a, b = store.put("a"), store.put("b")
    assert store.get(a) == "a"  # used: b is now the oldest
    c = store.put("c")
    assert store.get(b) is None and store.get(a) == "a" and store.get(c) == "c"
    assert len(store) == 2 and len({a, b, c}) == 3


def test_served_names_for_an_office_network():
    import socket

    from matrix.web.app import allowed_hosts

    assert allowed_hosts("127.0.0.1") == ["127.0.0.1", "localhost"]
    shared = allowed_hosts("0.0.0.0", ["matrix.office.lan"])
    assert socket.gethostname() in shared and "matrix.office.lan" in shared


# ── dutymatrix serve ────────────────────────────────────────────────────────────────────────


def test_serve_binds_loopback_by_default(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8000
    assert "Warning" not in result.output


def test_serve_on_all_interfaces_warns(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "8080"])
    assert result.exit_code == 0
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 8080
    assert "Warning: serving on 0.0.0.0" in result.output


def test_serve_without_the_web_extra_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn → ImportError
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert "pip install 'dutymatrix[web]'" in result.output


def test_serve_open_starts_the_browser(monkeypatch):
    import threading
    import webbrowser

    import uvicorn

    opened = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setattr(webbrowser, "open", opened.append)
    monkeypatch.setattr(threading, "Timer", lambda delay, call, args: type(
        "Now", (), {"start": lambda self: call(*args)})())
    result = CliRunner().invoke(cli, ["serve", "--open", "--port", "8123"])
    assert result.exit_code == 0
    assert opened == ["http://127.0.0.1:8123/"]


def test_a_long_plan_sends_its_first_rows_and_the_data_of_all(client):
    from bench.plans import plan_text
    from matrix.web.views.plan import FIRST_ROWS

    text = plan_text(400).replace("第2部分\n（一）", "第2部分\n（一）测试<script>x()</script>。", 1)
    page = upload(client, ("long.txt", text.encode("utf-8"), "text/plain"))
    assert page.status_code == 200
    shown = rows(page.text)
    data = re.search(r"<div id=\"rows-data\" hidden data-rows='([^']*)'>", page.text).group(1)
    lines = json.loads(data)
    assert len(shown) < FIRST_ROWS + 1 and len([x for x in lines if 'class="task"' in x]) >= 400
    assert "<" not in data and "'" not in data and "&" not in data  # tojson escaped them
    assert any("测试&lt;script&gt;x（）&lt;/script&gt;" in line for line in lines)
    assert "<script>x" not in page.text and inline_code("".join(lines)) == []


def test_known_department_without_tasks(client):
    token = token_of(seed_upload(client))
    page = client.get(f"/plan/{token}", params={"dept": "外交部"})
    assert page.status_code == 200
    assert "本方案没有分配给该部门的任务" in page.text and len(rows(page.text)) == 0


@pytest.mark.parametrize("filename, shown", [
    ("C:\\Users\\办公室\\方案.txt", "方案.txt"),
    ("../../etc/passwd", "passwd"),
    ("a\u202etxt.exe", "atxt.exe"),
    ("\x00\n", "上传的文件"),
    ("..", "上传的文件"),
])
def test_display_name_is_a_label_only(filename, shown):
    from matrix.web.views.common import display_name

    assert display_name(filename) == shown


def test_a_batch_sent_file_by_file_collects_its_outcomes(client):
    seed = ("files", (SEED_001.name, SEED_001.read_bytes(), "text/plain"))
    first = client.post("/upload", files=[seed], data={"batch": "new"})
    assert first.status_code == 200
    token = first.json()["batch"]
    assert first.json()["outcomes"] == [{"name": SEED_001.name, "status": "built"}]
    second = client.post("/upload", files=[("files", ("scan.pdf", b"%PDF-1.4", "application/pdf"))],
                         data={"batch": token})
    assert second.json()["batch"] == token and second.json()["outcomes"][0]["status"] == "failed"
    page = client.get(second.json()["url"])
    assert "生成 1 个，跳过 0 个，失败 1 个" in page.text
    lost = client.post("/upload", files=[("files", ("a.txt", b"x", "text/plain"))],
                       data={"batch": "no-such-batch"})
    assert lost.status_code == 404


def test_department_lists_that_cannot_all_be_written_are_not_zipped(client, monkeypatch):
    import matrix.workbook

    token = token_of(seed_upload(client))
    monkeypatch.setattr(matrix.workbook, "write_split",
                        lambda plans, folder: ([], [f"{folder}/x.xlsx: cannot write: disk full"]))
    page = client.get(f"/plan/{token}/download/lists")
    assert page.status_code == 400 and "disk full" in page.text
    assert "content-disposition" not in page.headers

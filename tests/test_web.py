"""The web page through Starlette's TestClient: routes, the files offered, and the safety rules.

The browser test (a real Chromium) is tests/test_web_browser.py.
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

from matrix.cli import cli  # noqa: E402
from matrix.web import create_app  # noqa: E402
from tests.conftest import NEWS, SEED_001  # noqa: E402
from tests.web_support import (EXPECTED_CHANGES, HOSTILE, edited_001,  # noqa: E402
                               foreign_words,
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
    from matrix.sources import PLAN_SUFFIXES, WORKBOOK_SUFFIXES

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
    from matrix.pipeline import parse_file

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


# ── 汇总 ────────────────────────────────────────────────────────────────────────────────────


def received(html: str) -> list[tuple[str, str]]:
    """(file, outcome) of each row of the 汇总 page's 收到的文件."""
    table = html.split('id="received"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="文件" class="file">(.*?)</td><td data-label="处理">(.*?)</td>',
                      table)


def test_summary_of_returns(client, plan_001, tmp_path):
    from datetime import date

    from matrix.collect import collect
    from matrix.dispatch import dispatch
    from matrix.sources import read_returns_bytes
    from matrix.workbook.summary import SUMMARY_SHEETS
    from tests.test_collect import fill

    forms = dispatch(plan_001, tmp_path / "下发", round="2026年第四季度").files
    sent = {}
    for department in ("市场监管总局", "国家卫生健康委"):
        target = tmp_path / f"{department}报送.xlsx"
        fill(forms[department], target)
        sent[department] = target
    files = [("returns", (p.name, p.read_bytes(), "application/octet-stream"))
             for p in sent.values()]
    files.append(("returns", ("坏文件.xlsx", b"PK\x03\x04 broken", "application/octet-stream")))
    files.append(("plan", (SEED_001.name, SEED_001.read_bytes(), "text/plain")))
    page = client.post("/summary", files=files, data={"as_of": "2026-12-21"})
    assert page.status_code == 200 and "/summary/" in str(page.url)
    returns = read_returns_bytes([(p.name, p.read_bytes()) for p in sent.values()])
    expected = collect(plan_001, returns, as_of=date(2026, 12, 21))
    assert f"未报送单位 {len(expected.missing)} 个" in page.text
    missing = re.search(r'<p class="notice" id="missing">未报送：(.*?)</p>', page.text).group(1)
    assert missing.split("、") == list(expected.missing)
    assert "国家卫生健康委" not in missing and "市场监管总局" not in missing
    assert ("市场监管总局报送.xlsx", "采用") in received(page.text)
    assert ("坏文件.xlsx", "无法读取") in received(page.text)
    token = re.search(r"/summary/([\w-]+)", str(page.url)).group(1)
    book = client.get(f"/summary/{token}/download")
    assert book.status_code == 200
    path = tmp_path / "汇总.xlsx"
    path.write_bytes(book.content)
    import openpyxl

    assert tuple(openpyxl.load_workbook(path, read_only=True).sheetnames) == tuple(SUMMARY_SHEETS)


def test_summary_needs_a_plan_and_returns(client):
    page = client.post("/summary", files=[("plan", ("a.txt", SEED_001.read_bytes(), "text/plain"))])
    assert page.status_code == 400 and "需要方案和报送材料" in page.text
    assert "汇总" in client.get("/summary").text


# ── 下发 ────────────────────────────────────────────────────────────────────────────────────


def _members(data: bytes) -> dict[str, bytes]:
    """A workbook's parts; the creation and modification times in docProps/core.xml blanked
    (they are the moment of writing: the only bytes two writes of one workbook differ in)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                                        rb"\1", parts["docProps/core.xml"])
    return parts


def dispatch_zip(client, token, **params):
    return client.get(f"/plan/{token}/dispatch/zip", params=params)


def test_dispatch_zip_holds_the_files_dispatch_writes(client, tmp_path):
    token = token_of(seed_upload(client))
    form = client.get(f"/plan/{token}/dispatch")
    assert form.status_code == 200 and "下发填报表" in form.text and "40 份" in form.text
    response = dispatch_zip(client, token, round="2026年第四季度", due="2026-12-20",
                            kinds="department")
    assert response.status_code == 200, response.text
    assert "2026%E5%B9%B4" in response.headers["content-disposition"]  # the round in its name
    folder = tmp_path / "下发"
    plan = tmp_path / SEED_001.name
    plan.write_bytes(SEED_001.read_bytes())
    result = CliRunner().invoke(cli, ["dispatch", str(plan), "-o", str(folder),
                                      "--round", "2026年第四季度", "--due", "2026-12-20"])
    assert result.exit_code == 0, result.output
    written = {p.relative_to(folder).as_posix(): p.read_bytes()
               for p in folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    assert sorted(zipped) == sorted(written) and "索引.xlsx" in zipped and len(zipped) == 41
    for name, data in zipped.items():
        assert _members(data) == _members(written[name]), name


def test_dispatched_forms_are_collected(client, tmp_path):
    from matrix.dispatch import Stamp
    from tests.test_collect import fill

    token = token_of(seed_upload(client))
    response = dispatch_zip(client, token, round="第一轮", kinds="department")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path / "forms")
    form = tmp_path / "forms" / "市场监管总局.xlsx"
    import openpyxl

    stamp = Stamp.from_text(openpyxl.load_workbook(form)["填报标识"]["A1"].value)
    assert stamp.round == "第一轮" and stamp.department == "市场监管总局"
    filled = tmp_path / "报回.xlsx"
    fill(form, filled)
    page = client.post("/summary", files=[
        ("plan", (SEED_001.name, SEED_001.read_bytes(), "text/plain")),
        ("returns", (filled.name, filled.read_bytes(), "application/octet-stream"))],
        data={"as_of": "2026-12-21"})
    assert page.status_code == 200 and ("报回.xlsx", "采用") in received(page.text)


def test_dispatch_leaders_forms_in_their_folder(client, tmp_path):
    from matrix.dispatch import LEADER_FOLDER
    
    token = client.app.state.store.put(plan_with_leaders())
    form = client.get(f"/plan/{token}/dispatch")
    assert "张三、李四" in form.text
    both = dispatch_zip(client, token, kinds=["department", "leader"])
    with zipfile.ZipFile(io.BytesIO(both.content)) as archive:
        names = archive.namelist()
    assert f"{LEADER_FOLDER}/张三.xlsx" in names and "索引.xlsx" in names
    only = dispatch_zip(client, token, kinds="leader")
    with zipfile.ZipFile(io.BytesIO(only.content)) as archive:
        assert sorted(archive.namelist()) == [f"{LEADER_FOLDER}/张三.xlsx",
                                              f"{LEADER_FOLDER}/李四.xlsx"]


@pytest.mark.parametrize("params, words", [
    ({"kinds": "department", "due": "明天"}, "报送截止日期应为"),
    ({"round": "第一轮"}, "请至少选择一种填报表"),
    ({"kinds": "leader"}, "没有写明分管领导"),
    ({"kinds": "department", "round": "轮" * 61}, "不超过 60 个字"),
])
def test_dispatch_form_states(client, params, words):
    token = token_of(seed_upload(client))
    page = dispatch_zip(client, token, **params)
    assert page.status_code == 400 and words in page.text
    assert "content-disposition" not in page.headers


@pytest.fixture()
def returned(client, plan_001, tmp_path):
    """The 汇总 page of seed 001 with two filled returns, one with an added row and an edited
    task text: (page, the cells each department wrote, token)."""
    import openpyxl

    from matrix.dispatch import dispatch
    from matrix.workbook.returns import FORM_SHEET
    from tests.test_collect import ID, fill

    forms = dispatch(plan_001, tmp_path / "下发", round="第一轮").files
    written, files = {}, []
    for department in ("市场监管总局", "国家卫生健康委"):
        target = tmp_path / f"{department}报送.xlsx"
        extra = {}
        if department == "市场监管总局":
            ws = openpyxl.load_workbook(forms[department])[FORM_SHEET]
            last = max(r for r in range(5, ws.max_row + 1) if ws.cell(r, ID).value)
            extra = {f"D{last + 1}": "自行开展的专项检查", f"K{last + 1}": "检查了三个市",
                     "E5": "改过的任务文字"}
        written[department] = fill(forms[department], target, extra=extra)
        files.append(("returns", (target.name, target.read_bytes(), "application/octet-stream")))
    files.append(("plan", (SEED_001.name, SEED_001.read_bytes(), "text/plain")))
    page = client.post("/summary", files=files, data={"as_of": "2026-12-21"})
    assert page.status_code == 200
    return page, written, re.search(r"/summary/([\w-]+)", str(page.url)).group(1)


def test_summary_shows_each_report_with_its_texts(client, returned):
    page, written, token = returned
    html = page.text
    for department, cells in written.items():
        for ref, value in cells.items():
            if ref[0] in "KLM" and "·" in value:  # each task's 进展情况, 存在问题, 下步计划
                assert f'class="text">{value}</td>' in html, (department, ref)
    # Each status in the colour of the workbook's 状态矩阵; a department that sent nothing is 未报.
    assert '<span class="st s-done">已完成</span>' in html
    assert '<span class="st s-behind">滞后</span>' in html
    assert '<span class="st s-none">未报</span>' in html
    assert '<td data-label="来源文件" class="file">市场监管总局报送.xlsx</td>' in html
    added = html.split('id="added"')[1].split("</table>")[0]
    assert "自行开展的专项检查" in added and "检查了三个市" in added and "市场监管总局" in added
    edits = html.split('id="edits"')[1].split("</table>")[0]
    assert "改过的任务文字" in edits and "市场监管总局" in edits


def test_summary_filters_by_department_and_status(client, returned, plan_001):
    from matrix.filter import filter_tasks

    page, written, token = returned
    one = client.get(f"/summary/{token}", params={"dept": "国家卫生健康委"}).text
    hits = filter_tasks([plan_001], departments=["国家卫生健康委"])
    assert one.count('<details class="task-progress') == len(hits)
    units = re.findall(r'<td data-label="单位">([^<]*)', one.split('id="progress"')[1]
                       .split("<h2>新增事项")[0])
    assert set(units) == {"国家卫生健康委"}
    assert "自行开展的专项检查" not in one  # 市场监管总局's added row is not this department's
    done = client.get(f"/summary/{token}", params={"status": "已完成"}).text
    statuses = re.findall(r'<td data-label="完成状态">(?:<span class="light[^>]*></span>)?'
                          r'<span class="st s-[a-z]+">([^<]*)</span>',
                          done.split('id="progress"')[1].split("<h2>新增事项")[0])
    assert statuses and set(statuses) == {"已完成"}
    nothing = client.get(f"/summary/{token}", params={"dept": "国家卫生健康委", "status": "需协调x"})
    assert 'id="no-match"' in nothing.text


def test_summary_shows_a_light_the_library_gives(client, returned, monkeypatch):
    from matrix.collect import Report

    page, written, token = returned
    monkeypatch.setattr(Report, "light", property(lambda self: "红"), raising=False)
    html = client.get(f"/summary/{token}").text
    assert '<span class="light light-红"' in html


# ── the office's Chinese on every page ──────────────────────────────────────────────────────


def every_page(client, tmp_path) -> dict[str, object]:
    """Every view, every error page and every state of the forms: name → response."""
    from tests.test_collect import fill
    from matrix.dispatch import dispatch
    from matrix.pipeline import parse_file

    seed = (SEED_001.name, SEED_001.read_bytes(), "text/plain")
    token = token_of(seed_upload(client))
    leaders = client.app.state.store.put(plan_with_leaders())
    plan = f"/plan/{token}"
    pages = {name: client.get(path) for name, path in {
        "upload": "/", "compare": "/compare", "summary form": "/summary",
        "matrix": plan, "department": f"{plan}?dept=国家卫健委",
        "unknown department": f"{plan}?dept=省科技厅",
        "department with suggestions": f"{plan}?dept=国家卫建委",
        "department without tasks": f"{plan}?dept=审计署",
        "task": f"{plan}/task/1", "task part": f"{plan}/task/1?part=1",
        "downloads": f"{plan}/downloads", "dispatch": f"{plan}/dispatch",
        "dispatch with leaders": f"/plan/{leaders}/dispatch",
        "dispatch bad date": f"{plan}/dispatch/zip?kinds=department&due=明天",
        "dispatch no kind": f"{plan}/dispatch/zip?round=R",
        "dispatch no leaders": f"{plan}/dispatch/zip?kinds=leader",
        "not found": "/nowhere", "unknown plan": "/plan/nothing",
        "unknown task": f"{plan}/task/999",
    }.items()}
    pages["batch"] = upload(client, seed, (NEWS[0].name, NEWS[0].read_bytes(), "text/plain"),
                            ("scan.pdf", b"%PDF-1.7 ...", "application/pdf"))
    pages["no clauses"] = upload(client, (NEWS[0].name, NEWS[0].read_bytes(), "text/plain"))
    pages["broken pdf"] = upload(client, ("scan.pdf", b"%PDF-1.7 ...", "application/pdf"))
    pages["empty file"] = upload(client, ("empty.txt", b"", "text/plain"))
    pages["nothing uploaded"] = client.post("/upload", data={"text": " "})
    pages["method"] = client.post("/", data={})
    pages["other site"] = client.post("/upload", files=[("files", seed)],
                                      headers={"origin": "http://evil.example"})
    pages["other host"] = client.get("/", headers={"host": "evil.example"})
    pages["too many files"] = client.post("/upload", files=[("files", (f"{n}.txt", b"x",
                                                                       "text/plain"))
                                                            for n in range(60)])
    pages["diff"] = compare(client, seed, ("新版.txt", edited_001().encode("utf-8"), "text/plain"))
    pages["diff one department"] = compare(client, seed, ("新版.txt", edited_001().encode(),
                                                          "text/plain"), dept="财政部")
    pages["compare one file"] = client.post("/compare", files=[("old", seed)])
    forms = dispatch(parse_file(SEED_001), tmp_path / "下发", round="第一轮").files
    fill(forms["市场监管总局"], tmp_path / "回.xlsx")
    returns = [("returns", ("回.xlsx", (tmp_path / "回.xlsx").read_bytes(), "application/x")),
               ("returns", ("坏.xlsx", b"PK\x03\x04", "application/x")), ("plan", seed)]
    pages["summary"] = client.post("/summary", files=returns, data={"as_of": "2026-12-21"})
    summary = str(pages["summary"].url)
    pages["summary one department"] = client.get(summary, params={"dept": "市场监管总局"})
    pages["summary no match"] = client.get(summary, params={"status": "没有"})
    pages["summary bad date"] = client.post("/summary", files=returns, data={"as_of": "昨天"})
    pages["summary without returns"] = client.post("/summary", files=[("plan", seed)])
    other = dispatch(parse_file(SEED_001), tmp_path / "另一轮", round="另一轮").files
    pages["summary refused"] = client.post("/summary", files=[
        ("plan", (NEWS[0].name, SEED_001.read_bytes().replace("食品".encode(), "食物".encode()),
                  "text/plain")),
        ("returns", ("别的.xlsx", other["市场监管总局"].read_bytes(), "application/x"))])
    return pages


def test_every_page_speaks_the_office_chinese(client, tmp_path):
    theirs = "\n".join(p.read_text(encoding="utf-8") for p in (SEED_001, NEWS[0]))
    pages = every_page(client, tmp_path)
    assert pages["unknown department"].status_code == 200
    assert pages["too many files"].status_code == 400
    foreign = {name: foreign_words(page.text, theirs) for name, page in pages.items()}
    assert {name: words for name, words in foreign.items() if words} == {}
    for name, page in pages.items():
        assert not re.search(r"\b[0-9a-f]{12,}\b", page.text.split("<main>")[-1]), name  # a hash


def test_the_word_checker_finds_developer_words():
    assert foreign_words("<p>第 31 行 no-trailer 一、总体要求</p>") == ["no", "trailer"]
    assert foreign_words('<input placeholder="dutymatrix collect">') == ["collect"]
    assert foreign_words("<p>方案.txt 2026-12-21 共 64 MB，dutymatrix 0.1</p>") == []
    assert foreign_words("<p>含 5G 基站</p>", "5G 基站") == []


def test_unknown_department_gets_up_to_three_suggestions(client):
    token = token_of(seed_upload(client))
    page = client.get(f"/plan/{token}", params={"dept": "国家卫建委"}).text
    notice = page.split('id="unknown-department"')[1].split("</p>")[0]
    assert re.findall(r">([^<>]+)</a>", notice) == ["国家卫生健康委", "国家卫生计生委", "国家民委"]
    province = client.get(f"/plan/{token}", params={"dept": "省科技厅"}).text
    notice = province.split('id="unknown-department"')[1].split("</p>")[0]
    assert 1 <= len(re.findall(r"</a>", notice)) <= 3 and "科技部" in notice


# ── installed by the first command, imported by `serve` only ────────────────────────────────

WEB_MODULES = ("starlette", "uvicorn", "jinja2", "multipart", "python_multipart")


@pytest.mark.parametrize("args", [["--help"], ["parse", str(SEED_001), "--format", "json"],
                                  ["build", str(SEED_001), "-o", "{tmp}/001.xlsx"]])
def test_other_commands_do_not_import_the_web_packages(args, tmp_path):
    import subprocess
    import sys

    code = ("import sys\nfrom matrix.cli import main\nsys.argv = ['dutymatrix', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print('WEB', sorted(m for m in {WEB_MODULES!r} if m in sys.modules), "
            "file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code, *(a.format(tmp=tmp_path) for a in args)],
                         capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent)
    assert "WEB []" in out.stderr, out.stderr[-2000:]


def test_the_web_packages_are_base_dependencies():
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml")
                            .read_text(encoding="utf-8"))["project"]
    base = {re.split(r"[<>=\[ ]", d)[0].lower() for d in project["dependencies"]}
    assert {"starlette", "uvicorn", "jinja2", "python-multipart"} <= base


def test_favicon_and_titles(client):
    assert client.get("/static/favicon.svg").headers["content-type"].startswith("image/svg")
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").text
    token = token_of(seed_upload(client))
    for path in (f"/plan/{token}", f"/plan/{token}/task/1", f"/plan/{token}/downloads", "/"):
        title = re.search(r"<title>(.*?)</title>", client.get(path).text, re.S).group(1)
        assert title == " ".join(title.split()) and "  " not in title and "\n" not in title
        assert not title.startswith(" ") and title.endswith(" · 责任矩阵")
    from matrix.web.app import templates

    squash = templates().from_string("{% filter squash %} 扩大\n  供给 {% endfilter %}")
    assert squash.render() == "扩大 供给"  # a title as a source may break it: one line


# ── the double-click scripts (desktop/) ─────────────────────────────────────────────────────

DESKTOP = Path(__file__).resolve().parent.parent / "desktop"


def test_linux_script_starts_the_page_and_opens_the_browser(tmp_path):
    import os
    import subprocess

    stub = tmp_path / "bin" / "dutymatrix"  # the installed command, recording how it is called
    stub.parent.mkdir()
    stub.write_text(f"#!/bin/sh\necho \"$PWD|$*\" > {tmp_path}/called\n", encoding="utf-8")
    stub.chmod(0o755)
    script = DESKTOP / "dutymatrix-网页版.sh"
    assert os.access(script, os.X_OK)
    subprocess.run([str(script)], env={"PATH": f"{stub.parent}:/usr/bin:/bin"}, check=True,
                   cwd=tmp_path, timeout=30)
    where, args = (tmp_path / "called").read_text(encoding="utf-8").strip().split("|")
    assert args == "serve --open" and Path(where) == DESKTOP.parent


def test_linux_desktop_entry_and_windows_script_run_serve_open():
    import configparser

    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP / "dutymatrix-网页版.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Terminal"] == "true"
    assert "dutymatrix serve --open" in desktop["Exec"]
    bat = (DESKTOP / "dutymatrix-网页版.bat").read_bytes()
    assert bat.isascii() and b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    assert b"dutymatrix serve --open" in bat and b"python -m matrix serve --open" in bat
    assert b'cd /d "%~dp0.."' in bat  # from the checkout, wherever it was double-clicked


def test_the_page_script_speaks_chinese_too():
    """What static/app.js writes into the page (progress, failures, the panel's button)."""
    script = (Path(__file__).resolve().parent.parent / "matrix" / "web" / "static" / "app.js")
    shown = re.findall(r'"[^"\n]*[\u4e00-\u9fff][^"\n]*"|`[^`\n]*[\u4e00-\u9fff][^`\n]*`',
                       script.read_text(encoding="utf-8"))
    assert len(shown) >= 5
    for text in shown:
        words = re.sub(r"\$\{[^}]*\}", " ", text)  # a value filled in: a number, a file name
        assert foreign_words(f"<p>{words}</p>") == [], text

"""The page's round: 下发 (the return forms dispatch writes, as one zip) and 汇总 (the returns
collected: per task each department's report, 新增事项, 任务文字修改, 未报送, filters), through
Starlette's TestClient. The browser's side is tests/test_web_browser.py."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

pytest.importorskip("starlette", reason="starlette is not installed")
pytest.importorskip("httpx", reason="httpx (Starlette's TestClient) is not installed")

from click.testing import CliRunner  # noqa: E402

from matrix.cli.commands import cli  # noqa: E402
from tests.conftest import SEED_001  # noqa: E402
from tests.test_web import client, seed_upload, token_of  # noqa: E402,F401  (client: a fixture)
from tests.web_support import plan_with_leaders  # noqa: E402

# ── 汇总 ────────────────────────────────────────────────────────────────────────────────────


def received(html: str) -> list[tuple[str, str]]:
    """(file, outcome) of each row of the 汇总 page's 收到的文件."""
    table = html.split('id="received"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="文件" class="file">(.*?)</td><td data-label="处理">(.*?)</td>',
                      table)


def test_summary_of_returns(client, plan_001, tmp_path):
    from datetime import date

    from matrix.round.collect import collect
    from matrix.round.dispatch import dispatch
    from matrix.load.sources import read_returns_bytes
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
    from matrix.round.dispatch import Stamp
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
    from matrix.round.dispatch import LEADER_FOLDER
    
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

    from matrix.round.dispatch import dispatch
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
    from matrix.filter.select import filter_tasks

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
    from matrix.round.collect import Report

    page, written, token = returned
    monkeypatch.setattr(Report, "light", property(lambda self: "红"), raising=False)
    html = client.get(f"/summary/{token}").text
    assert '<span class="light light-红"' in html


def test_summary_shows_cells_written_outside_the_form_and_unread_deadlines(client, plan_001,
                                                                           tmp_path):
    from matrix.round.dispatch import dispatch
    from tests.test_collect import fill

    forms = dispatch(plan_001, tmp_path / "下发", round="第一轮").files
    target = tmp_path / "报送.xlsx"
    fill(forms["市场监管总局"], target, extra={"Z2": "请领导阅示"})  # a cell outside the form
    page = client.post("/summary", files=[
        ("plan", (SEED_001.name, SEED_001.read_bytes(), "text/plain")),
        ("returns", (target.name, target.read_bytes(), "application/octet-stream"))],
        data={"as_of": "2026-12-21"})
    other = page.text.split('id="other"')[1].split("</table>")[0]
    assert "请领导阅示" in other and "市场监管总局" in other
    from dataclasses import replace

    from matrix.web.views.summary import Summary

    token = re.search(r"/summary/([\w-]+)", str(page.url)).group(1)
    summary = client.app.state.store.get(token)
    unread = (("1-（三）", "视情况而定", "无法识别的完成时限"),)  # what collect lists, never guesses
    other = client.app.state.store.put(Summary(summary.plan, replace(summary.result,
                                                                      unread_deadlines=unread)))
    table = client.get(f"/summary/{other}").text.split('id="unread-deadlines"')[1]
    assert "<td data-label=\"任务编号\">（三）</td>" in table and "视情况而定" in table
    assert 'id="unread-deadlines"' not in page.text


def test_what_departments_wrote_is_shown_as_text(client, plan_001, tmp_path):
    import openpyxl

    from matrix.round.dispatch import dispatch
    from matrix.workbook.returns import FORM_SHEET

    forms = dispatch(plan_001, tmp_path / "下发", round="第一轮").files
    book = openpyxl.load_workbook(forms["市场监管总局"])
    sheet = book[FORM_SHEET]
    sheet["J5"], sheet["K5"] = "<b>已完成</b>", '<script>window.HACKED=1</script><img src=x onerror="x()">'
    target = tmp_path / "报送.xlsx"
    book.save(target)
    page = client.post("/summary", files=[
        ("plan", (SEED_001.name, SEED_001.read_bytes(), "text/plain")),
        ("returns", ("<i>报送</i>.xlsx", target.read_bytes(), "application/octet-stream"))],
        data={"as_of": "2026-12-21"})
    assert page.status_code == 200
    assert "<script>window.HACKED" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;window.HACKED=1&lt;/script&gt;" in page.text
    assert "<b>已完成</b>" not in page.text and "<i>报送</i>" not in page.text

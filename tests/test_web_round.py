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


# ── a real round: lights, 迟报, 未填日期, 催办 and 通报 (seed 001 with dated tasks) ─────────────


@pytest.fixture(scope="module")
def dated_round(tmp_path_factory):
    """The round of tests/test_round.py on seed 001 with two dated tasks: a task 逾期 for one
    department, one 临期 for another, a department silent, one whose return came 3 days late;
    and a second round's returns a week later. (plan file, returns folder, 汇总 of round 1)."""
    from tests.test_round import AS_OF, dated_seed, run_round
    from matrix.load.pipeline import parse_text

    root = tmp_path_factory.mktemp("dated")
    plan = root / "001-dated.txt"
    plan.write_text(dated_seed(), encoding="utf-8")
    _, returns, summary = run_round(parse_text(dated_seed(), plan.name), root, as_of=AS_OF)
    return plan, returns, summary


def post_round(client, dated_round, *, returns=None, previous=None, **data):
    plan, folder, _ = dated_round
    files = [("returns", (p.name, p.read_bytes(), "application/octet-stream"))
             for p in (returns or sorted(folder.iterdir()))]
    files.append(("plan", (plan.name, plan.read_bytes(), "text/plain")))
    if previous is not None:
        files.append(("previous", (previous.name, previous.read_bytes(), "application/x")))
    return client.post("/summary", files=files, data=data)


def _token(page) -> str:
    return re.search(r"/summary/([\w-]+)", str(page.url)).group(1)


def _docx(data: bytes) -> dict[str, bytes]:
    """A .docx's parts, its core.xml times blanked (as ``_members`` for a workbook)."""
    with zipfile.ZipFile(io.BytesIO(data)) as doc:
        parts = {name: doc.read(name) for name in doc.namelist()}
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                                        rb"\1", parts["docProps/core.xml"])
    return parts


@pytest.mark.parametrize("since", [False, True], ids=["first round", "with the previous 汇总"])
def test_remind_zip_holds_the_files_remind_writes(client, dated_round, tmp_path, since):
    from tests.test_round import (AS_OF, BEHIND_ON_LATE, BEHIND_ON_SOON, LATE_SENDER, ROUND,
                                  SILENT)

    plan, returns, summary = dated_round
    as_of = AS_OF.replace(day=AS_OF.day + 1) if since else AS_OF
    page = post_round(client, dated_round, previous=summary if since else None,
                      as_of=as_of.isoformat(), round=ROUND, warn_days="7")
    assert page.status_code == 200, page.text
    token = _token(page)
    assert 'id="download-remind"' in page.text
    response = client.get(f"/summary/{token}/remind", params={"reply_by": "2022-07-05"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "%E5%82%AC%E5%8A%9E" in response.headers["content-disposition"]  # 催办 in its name
    folder = tmp_path / "催办"
    args = ["remind", str(plan), str(returns), "-o", str(folder), "--as-of", as_of.isoformat(),
            "--round", ROUND, "--warn-days", "7", "--reply-by", "2022-07-05"]
    result = CliRunner().invoke(cli, args + (["--since", str(summary)] if since else []))
    assert result.exit_code == 0, result.output
    written = {p.relative_to(folder).as_posix(): p.read_bytes()
               for p in folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    # a notice for each department late, silent or behind; none for one that is not
    assert sorted(zipped) == sorted(written) == sorted(
        [f"催办通知/{d}.docx" for d in (SILENT, LATE_SENDER, BEHIND_ON_LATE, BEHIND_ON_SOON)]
        + ["督查通报.docx"])
    for name, data in zipped.items():
        assert _docx(data) == _docx(written[name]), name
    bulletin = _docx(zipped["督查通报.docx"])["word/document.xml"].decode("utf-8")
    if since:  # the task late in both rounds, in the 通报 and on the page
        assert "<w:t>2轮</w:t>" in bulletin  # 连续逾期 2 rounds
        assert "（连续 2 轮）" in page.text
        assert "对比上一轮：汇总.xlsx" in page.text
    else:
        assert "<w:t>2轮</w:t>" not in bulletin and "连续 2 轮" not in page.text


def test_the_reply_by_day_is_the_notices_and_a_wrong_one_is_refused(client, dated_round):
    from tests.test_round import AS_OF, SILENT

    token = _token(post_round(client, dated_round, as_of=AS_OF.isoformat()))
    page = client.get(f"/summary/{token}")
    assert 'name="reply_by" value="2022-07-03"' in page.text  # 5 days after the as-of day
    with zipfile.ZipFile(io.BytesIO(client.get(f"/summary/{token}/remind",
                                               params={"reply_by": "2022-07-09"}).content)) as a:
        with zipfile.ZipFile(io.BytesIO(a.read(f"催办通知/{SILENT}.docx"))) as doc:
            text = doc.read("word/document.xml").decode("utf-8")
    assert "2022年7月9日" in text
    bad = client.get(f"/summary/{token}/remind", params={"reply_by": "下周"})
    assert bad.status_code == 400 and "答复期限" in bad.text
    assert "content-disposition" not in bad.headers


def test_summary_shows_lights_late_and_undated_returns_of_a_real_round(client, dated_round,
                                                                       tmp_path):
    import openpyxl

    from tests.test_round import (AS_OF, BEHIND_ON_LATE, BEHIND_ON_SOON, LATE_SENDER, SILENT)

    plan, returns, _ = dated_round
    undated = tmp_path / "财政部.xlsx"  # a return without its 报送日期
    book = openpyxl.load_workbook(returns / "财政部.xlsx")
    book["报送表"]["K3"] = None
    book.save(undated)
    files = [p for p in sorted(returns.iterdir()) if p.name != "财政部.xlsx"] + [undated]
    page = post_round(client, dated_round, returns=files, as_of=AS_OF.isoformat())
    html = page.text
    assert "逾期 1 项　临期 1 项　未报送单位 1 个　迟报单位 1 个" in html
    assert html.count('class="light light-red" title="逾期"') == 1
    assert html.count('class="light light-yellow" title="临期"') == 1
    assert 'light-neutral' not in html and 'title="neutral"' not in html
    assert re.search(r'id="late-returns">迟报：(.*?)</p>', html).group(1) == f"{LATE_SENDER}（3 天）"
    assert re.search(r'id="undated">未填报送日期：(.*?)</p>', html).group(1) == "财政部"
    assert re.search(r'id="missing">未报送：(.*?)</p>', html).group(1) == SILENT
    counts = html.split('id="counts"')[1].split("</table>")[0]
    states = dict(re.findall(r'<td data-label="单位">([^<]*)</td>.*?'
                             r'<td data-label="报送情况">([^<]*)</td>', counts))
    assert (states[LATE_SENDER], states["财政部"], states[SILENT]) == ("迟报3天", "未填日期",
                                                                     "未报送")
    assert set(states.values()) == {"迟报3天", "未填日期", "未报送", "按时报送"}
    soon = re.findall(r'<td data-label="临期" class="n">(\d+)</td>', counts)
    assert sorted(map(int, soon)) == [0] * (len(soon) - 1) + [1]
    assert "（二）" in html.split('id="due-soon"')[1].split("</table>")[0]
    # the 临期 filter: 民政部's share of （二） only; 逾期: 农业农村部's of （一）
    token = _token(page)
    for word, who in (("临期", BEHIND_ON_SOON), ("逾期", BEHIND_ON_LATE)):
        one = client.get(f"/summary/{token}", params={"status": word}).text
        progress = one.split('id="progress"')[1].split("<h2>新增事项")[0]
        assert progress.count('<details class="task-progress') == 1, word
        assert re.findall(r'<td data-label="单位">([^<]*)', progress) == [who], word


def test_warn_days_and_round_reach_the_collection(client, dated_round):
    from tests.test_round import AS_OF, BEHIND_ON_SOON

    page = post_round(client, dated_round, as_of=AS_OF.isoformat(), warn_days="0")
    assert "临期 0 项" in page.text and 'light-yellow" title' not in page.text
    data = client.get(f"/summary/{_token(page)}/remind").content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert f"催办通知/{BEHIND_ON_SOON}.docx" not in archive.namelist()  # not 临期 now
    other = post_round(client, dated_round, as_of=AS_OF.isoformat(), round="另一轮")
    assert "轮次：另一轮" in other.text and "本次汇总为另一轮" in other.text
    for data, words in (({"warn_days": "七"}, "临期天数有误"), ({"warn_days": "400"}, "临期天数有误"),
                        ({"round": "轮" * 61}, "轮次有误")):
        bad = post_round(client, dated_round, as_of=AS_OF.isoformat(), **data)
        assert bad.status_code == 400 and words in bad.text


def test_a_previous_summary_that_is_not_one_is_refused_by_its_name(client, dated_round):
    from tests.test_round import AS_OF

    plan, returns, _ = dated_round
    page = post_round(client, dated_round, previous=sorted(returns.iterdir())[0],
                      as_of=AS_OF.isoformat())
    assert page.status_code == 400 and "无法汇总" in page.text
    assert sorted(returns.iterdir())[0].name in page.text and "previous.xlsx" not in page.text


def test_the_summary_form_posts_only_from_the_page(client, dated_round):
    from tests.test_round import AS_OF

    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}):
        plan, folder, _ = dated_round
        response = client.post("/summary", headers=headers, data={"as_of": AS_OF.isoformat(),
                                                                  "warn_days": "7"},
                               files=[("plan", (plan.name, plan.read_bytes(), "text/plain"))])
        assert response.status_code == 403


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

"""督办 end to end on seed 001: deadlines read from the task text, a late return, a silent
department, a task past its date and one due soon — 迟报, 未报送, 逾期 and 临期 exact in the JSON
and the 汇总; `remind` writes one 催办通知 per such department and the 督查通报 (rendered by
LibreOffice when it is installed); 连续逾期 across two rounds; the stamp is the plan's content."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from matrix.cli.commands import cli
from matrix.round.collect import collect, collect_files, read_returns
from matrix.round.dispatch import Stamp, dispatch, plan_fingerprint
from matrix.round.lights import light, return_lateness
from matrix.load.pipeline import parse_file, parse_text
from matrix.round.remind import bulletin, notices, remind_files
from matrix.workbook.plan import write_workbook
from matrix.workbook.readback import read_workbook

from conftest import SEED_001

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
ROUND = "2022年第二季度"
DUE = "2022-06-20"
AS_OF = date(2022, 6, 28)
LATE_TASK, SOON_TASK = "1-（一）", "1-（二）"
BEHIND_ON_LATE, BEHIND_ON_SOON = "农业农村部", "民政部"  # the one not done on each
SILENT, LATE_SENDER = "体育总局", "教育部"


def dated_seed() -> str:
    """Seed 001 with a dated commitment written into the text of its first two tasks (the plan's
    year is 2022, from its title)."""
    text = SEED_001.read_text(encoding="utf-8")
    # the seed is in the traditional script, with pinyin glosses: 擴大(dà)
    for anchor, added in (("農産品食品供給。", "2022年6月15日前出台追溯體系建設方案。"),
                          ("殘疾人用品适用性。", "2022年6月底前出台适老化産品標準。")):
        assert text.count(anchor) == 1
        text = text.replace(anchor, anchor + added)
    return text


def fill(form: Path, target: Path, *, day: str, behind: dict[str, str]) -> None:
    """A department's return: every task 已完成 but those in ``behind`` (task id → status)."""
    wb = openpyxl.load_workbook(form)
    ws = wb["报送表"]
    department = Stamp.from_text(wb["填报标识"]["A1"].value).department
    ws["C3"], ws["G3"], ws["I3"], ws["K3"] = department, "张三", "12345678", day
    for row in range(5, ws.max_row + 1):
        task_id = ws.cell(row, 14).value
        if task_id:
            status = behind.get(task_id, "已完成")
            ws.cell(row, 10).value = status
            ws.cell(row, 11).value = f"{department}进展"
            ws.cell(row, 12).value = "资金不足" if status != "已完成" else None
    wb.save(target)


def run_round(plan, root: Path, *, as_of: date, since: Path | None = None):
    forms = dispatch(plan, root / "下发", round=ROUND, due=DUE).files
    returns = root / "returns"
    returns.mkdir(exist_ok=True)
    for department, form in forms.items():
        if department == SILENT:
            continue
        behind = {LATE_TASK: "推进中"} if department == BEHIND_ON_LATE else \
            {SOON_TASK: "推进中"} if department == BEHIND_ON_SOON else {}
        day = "2022-06-23" if department == LATE_SENDER else "2022年6月18日"
        fill(form, returns / f"{department}.xlsx", day=day, behind=behind)
    summary = root / "汇总.xlsx"
    result = collect_files(plan, [returns], output=summary, as_of=as_of, since=since)
    return result, returns, summary


@pytest.fixture(scope="module")
def dated_plan():
    return parse_text(dated_seed(), "001-dated.txt")


@pytest.fixture(scope="module")
def first_round(dated_plan, tmp_path_factory):
    root = tmp_path_factory.mktemp("round1")
    return (*run_round(dated_plan, root, as_of=AS_OF), root)


def test_deadlines_of_the_dated_seed(dated_plan):
    first, second = dated_plan.tasks[:2]
    assert (first.deadline, second.deadline) == ("2022年6月15日前", "2022年6月底前")
    assert [d.date for d in first.deadlines] == ["2022-06-15"]
    assert all(first.text[d.span[0]:d.span[1]] == d.text for d in first.deadlines)


def test_late_silent_overdue_and_due_soon_exact_in_json(first_round, dated_plan):
    result, _, _, _ = first_round
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert data["due"] == DUE and data["warn_days"] == 7
    assert data["late"] == [LATE_TASK]
    assert data["due_soon"] == [SOON_TASK]
    assert data["missing"] == [SILENT]
    lights = {t["id"]: t["light"] for t in data["tasks"]}
    assert lights[LATE_TASK] == "red" and lights[SOON_TASK] == "yellow"
    assert {v for k, v in lights.items() if k not in (LATE_TASK, SOON_TASK)} <= {"green",
                                                                                  "neutral"}
    late_reports = {r["department"]: r["light"] for t in data["tasks"] if t["id"] == LATE_TASK
                    for r in t["reports"]}
    assert late_reports[BEHIND_ON_LATE] == "red"
    assert {d for d, c in late_reports.items() if c == "green"} == set(late_reports) - {
        BEHIND_ON_LATE}
    late = {r["department"]: (r["late"], r["days_late"]) for r in data["received"]
            if r["outcome"] == "采用"}
    assert late[LATE_SENDER] == ("迟报", 3)
    assert {d for d, (kind, _) in late.items() if kind} == {LATE_SENDER}
    counts = {c["department"]: c for c in data["departments"]}
    assert (counts[BEHIND_ON_LATE]["late"], counts[BEHIND_ON_SOON]["due_soon"]) == (1, 1)
    assert counts[LATE_SENDER]["returned_late"] == "迟报" and counts[LATE_SENDER]["days_late"] == 3
    assert result.light_of(LATE_TASK) == "red"  # what a page shows


def test_late_silent_overdue_and_due_soon_exact_in_the_workbook(first_round):
    _, _, summary, _ = first_round
    wb = openpyxl.load_workbook(summary)
    counts = {r[0]: r for r in wb["报送情况"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert counts[LATE_SENDER][10] == "迟报3天"
    assert counts[SILENT][6] == "未报送"
    assert counts[BEHIND_ON_LATE][4] == 1 and counts[BEHIND_ON_SOON][5] == 1
    assert [r[10] for r in wb["收文登记"].iter_rows(min_row=3, values_only=True)
            if r[3] == LATE_SENDER] == ["迟报3天"]
    late = [[c for c in r] for r in wb["逾期"].iter_rows(values_only=True)]
    labels = [r[1] for r in late if r[1] in ("（一）", "（二）")]
    assert labels == ["（一）", "（二）"]  # the late one, then the 临期 one below
    assert next(r for r in late if r[1] == "（一）")[5] == 13  # days late
    assert next(r for r in late if r[1] == "（二）")[5] == 2  # days left
    assert [r[0] for r in wb["未报送"].iter_rows(min_row=3, values_only=True)][:1] == [1]
    assert [r[1] for r in wb["未报送"].iter_rows(min_row=3, values_only=True)] == [SILENT]
    matrix = wb["状态矩阵"]
    heads = [c.value for c in matrix[2]]
    rows = {matrix.cell(r, 2).value: r for r in range(3, matrix.max_row + 1)}
    cell = matrix.cell(rows["（一）"], heads.index(BEHIND_ON_LATE) + 1)
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")  # red: 逾期
    assert matrix.cell(rows["（一）"], 5).value == "逾期"
    cell = matrix.cell(rows["（二）"], heads.index(BEHIND_ON_SOON) + 1)
    assert cell.fill.fgColor.rgb.endswith("FFEB9C")  # yellow: 临期
    assert matrix.cell(rows["（二）"], 5).value == "临期"
    legend = [c.value for row in matrix.iter_rows() for c in row if c.value == "图例"]
    assert legend == ["图例"]


def test_notices_go_to_exactly_the_late_silent_and_behind(first_round):
    result, _, _, _ = first_round
    got = {n.department: n.reasons for n in notices(result)}
    assert set(got) == {SILENT, LATE_SENDER, BEHIND_ON_LATE, BEHIND_ON_SOON}
    assert got[SILENT] == ("未报送",)
    assert got[LATE_SENDER] == ("迟报3天",)
    assert got[BEHIND_ON_LATE] == ("逾期任务1项",)
    assert got[BEHIND_ON_SOON] == ("临期任务1项",)
    b = bulletin(result)
    assert (b.late, b.due_soon, b.silent, b.late_returns) == (1, 1, (SILENT,),
                                                              ((LATE_SENDER, 3),))
    assert {i.department for i in b.issues} == {BEHIND_ON_LATE, BEHIND_ON_SOON}


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml").decode("utf-8")


def test_remind_writes_notices_and_bulletin_laid_out_as_an_office_does(first_round, dated_plan,
                                                                        tmp_path):
    _, returns, _, _ = first_round
    got = remind_files(dated_plan, [returns], tmp_path / "催办", as_of=AS_OF,
                       reply_by=date(2022, 7, 1))
    assert set(got.notices) == {SILENT, LATE_SENDER, BEHIND_ON_LATE, BEHIND_ON_SOON}
    assert not got.skipped
    files = [*got.notices.values(), got.bulletin]
    for path in files:
        xml = _docx_text(path)
        assert 'w:eastAsia="仿宋_GB2312"' in xml and 'w:eastAsia="黑体"' in xml
        assert '<w:pgSz w:w="11906" w:h="16838"' in xml or 'w:w="11905"' in xml  # A4
        with zipfile.ZipFile(path) as zf:
            footers = [zf.read(n).decode() for n in zf.namelist() if "footer" in n]
            fonts = zf.read("word/fontTable.xml").decode()
        assert any("PAGE" in f for f in footers)
        assert 'w:name="仿宋_GB2312"' in fonts and 'w:val="仿宋"' in fonts
    notice = _docx_text(got.notices[BEHIND_ON_LATE])
    for text in ("催办通知", BEHIND_ON_LATE, "2022年6月15日前", "逾期13天", "2022年7月1日"):
        assert text in notice
    assert "未报送" in _docx_text(got.notices[SILENT])
    report = _docx_text(got.bulletin)
    for text in ("一、总体情况", "逾期未完成", "临期任务", SILENT, "迟报", "资金不足", "五、下步工作"):
        assert text in report


@pytest.mark.slow
def test_notices_and_bulletin_print_on_a4_with_page_numbers(first_round, dated_plan, tmp_path):
    """The 催办通知 and the 督查通报 rendered to PDF by LibreOffice: A4, numbered — 1 —."""
    from tests.conftest import need

    need(SOFFICE, "LibreOffice is not installed (no soffice on PATH): not rendered to PDF")
    need(shutil.which("pdfinfo"), "poppler's pdfinfo is not installed")
    need(shutil.which("pdftotext"), "poppler's pdftotext is not installed")
    _, returns, _, _ = first_round
    got = remind_files(dated_plan, [returns], tmp_path / "催办", as_of=AS_OF,
                       reply_by=date(2022, 7, 1))
    files = [*got.notices.values(), got.bulletin]
    out = tmp_path / "pdf"
    for path in files:
        subprocess.run([SOFFICE, "--headless", "--norestore",
                        f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
                        "--convert-to", "pdf", "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=180)
        pdf = out / (path.stem + ".pdf")
        assert pdf.stat().st_size > 1000
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "(A4)" in info
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True).stdout
        assert re.search(r"—\s*1\s*—", text)  # the page number


def test_remind_cli(first_round, dated_plan, tmp_path):
    _, returns, _, _ = first_round
    plan = tmp_path / "plan.txt"
    plan.write_text(dated_seed(), encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["remind", str(plan), str(returns), "-o", str(out),
                                 "--as-of", AS_OF.isoformat(), "--warn-days", "1"])
    assert r.exit_code == 0, r.output
    # with one day's warning （二） (2 days left) is not 临期: no notice for 民政部
    assert {p.stem for p in (out / "催办通知").iterdir()} == {SILENT, LATE_SENDER,
                                                            BEHIND_ON_LATE}
    assert (out / "督查通报.docx").is_file()
    again = CliRunner().invoke(cli, ["remind", str(plan), str(returns), "-o", str(out),
                                     "--as-of", "not-a-date"])
    assert again.exit_code == 2 and "--as-of" in again.output


def test_overdue_round_after_round(first_round, dated_plan, tmp_path):
    _, returns, summary, _ = first_round
    later = collect_files(dated_plan, [returns], output=tmp_path / "汇总2.xlsx",
                          as_of=date(2022, 7, 10), since=summary)
    by_id = {t.task_id: t for t in later.tasks}
    assert by_id[LATE_TASK].overdue_rounds == 2 and "连续逾期2轮" in by_id[LATE_TASK].change
    assert by_id[SOON_TASK].overdue_rounds == 1 and "新近逾期" in by_id[SOON_TASK].change
    assert later.to_json()["tasks"][0]["overdue_rounds"] == 2
    sheet = openpyxl.load_workbook(tmp_path / "汇总2.xlsx")["逾期"]
    assert [r[8] for r in sheet.iter_rows(values_only=True) if r[1] == "（一）"][0] == "2轮"
    third = collect_files(dated_plan, [returns], output=tmp_path / "汇总3.xlsx",
                          as_of=date(2022, 7, 20), since=tmp_path / "汇总2.xlsx")
    assert {t.task_id: t.overdue_rounds for t in third.late} == {LATE_TASK: 3, SOON_TASK: 2}
    b = bulletin(third)
    assert [t.overdue_rounds for t, _ in b.late_tasks] == [3, 2]


def test_forms_from_the_text_are_taken_against_the_workbook_built_from_it(tmp_path):
    plan = parse_file(SEED_001)
    write_workbook(plan, tmp_path / "plan.xlsx")
    book = read_workbook(tmp_path / "plan.xlsx")
    assert plan_fingerprint(book) == plan_fingerprint(plan)
    assert book.source.sha256 != plan.source.sha256
    forms = dispatch(plan, tmp_path / "下发", round=ROUND).files
    returns = tmp_path / "returns"
    returns.mkdir()
    for department, form in list(forms.items())[:6]:
        fill(form, returns / f"{department}.xlsx", day="2022-06-18", behind={})
    got = collect(book, read_returns(sorted(returns.iterdir())), as_of=AS_OF)
    assert [r.outcome for r in got.received] == ["采用"] * 6
    # and the reverse: forms from the workbook, collected against the text
    forms = dispatch(book, tmp_path / "下发2", round=ROUND).files
    again = tmp_path / "returns2"
    again.mkdir()
    for department, form in list(forms.items())[:3]:
        fill(form, again / f"{department}.xlsx", day="2022-06-18", behind={})
    got = collect(plan, read_returns(sorted(again.iterdir())), as_of=AS_OF)
    assert [r.outcome for r in got.received] == ["采用"] * 3


def test_a_plan_changed_since_is_refused_with_the_reason(tmp_path):
    plan = parse_file(SEED_001)
    forms = dispatch(plan, tmp_path / "下发", round=ROUND).files
    returns = tmp_path / "returns"
    returns.mkdir()
    fill(forms["财政部"], returns / "财政部.xlsx", day="2022-06-18", behind={})
    changed = parse_text(SEED_001.read_text(encoding="utf-8").replace("财政部", "商务部"),
                         SEED_001.name)
    assert plan_fingerprint(changed) != plan_fingerprint(plan)
    got = collect(changed, read_returns([returns / "财政部.xlsx"]), as_of=AS_OF)
    (received,) = got.received
    assert received.outcome == "拒收" and "方案已修改" in received.reason
    other = parse_text("关于印发另一方案的通知\n\n一、任务\n（一）做好甲。（财政部负责）\n", "o.txt")
    got = collect(other, read_returns([returns / "财政部.xlsx"]), as_of=AS_OF)
    assert "另一份方案" in got.received[0].reason


@pytest.mark.parametrize("done, due, light_, as_of", [
    (True, date(2020, 1, 1), "green", date(2022, 1, 1)),
    (False, date(2021, 12, 31), "red", date(2022, 1, 1)),
    (False, date(2022, 1, 1), "yellow", date(2022, 1, 1)),  # due today: not yet late
    (False, date(2022, 1, 8), "yellow", date(2022, 1, 1)),  # 7 days
    (False, date(2022, 1, 9), "neutral", date(2022, 1, 1)),
    (False, None, "neutral", date(2022, 1, 1)),  # 长期坚持, 每年
])
def test_lights(done, due, light_, as_of):
    assert light(done, due, as_of, 7) == light_


@pytest.mark.parametrize("written, due, got", [
    ("2026-12-23", "2026-12-20", ("迟报", 3)),
    ("2026年12月23日", "2026-12-20", ("迟报", 3)),
    ("2026/12/20", "2026-12-20", ("", None)),
    ("", "2026-12-20", ("未填日期", None)),
    ("尽快", "2026-12-20", ("未填日期", None)),
    ("2026-12-23", None, ("", None)),  # no due date stamped: never late
])
def test_return_lateness(written, due, got):
    assert return_lateness(written, due) == got


def test_deadline_from_the_text_in_the_forms_the_list_and_the_terminal(first_round, dated_plan,
                                                                      tmp_path):
    result, returns, _, root = first_round
    form = openpyxl.load_workbook(root / "下发" / f"{BEHIND_ON_LATE}.xlsx")["报送表"]
    heads = [c.value for c in form[4]]
    column = heads.index("完成时限") + 1
    assert [form.cell(r, column).value for r in range(5, form.max_row + 1)
            if form.cell(r, 3).value == "（一）"] == ["2022年6月15日前"]
    write_workbook(dated_plan, tmp_path / "plan.xlsx")
    listing = openpyxl.load_workbook(tmp_path / "plan.xlsx")["分工表"]
    assert any(c.value == "2022年6月底前" for row in listing.iter_rows() for c in row)
    plan = tmp_path / "plan.txt"
    plan.write_text(dated_seed(), encoding="utf-8")
    r = CliRunner().invoke(cli, ["collect", str(plan), str(returns), "--as-of",
                                 AS_OF.isoformat()], env={"COLUMNS": "200"})
    line = next(x for x in r.output.splitlines() if LATE_SENDER in x)
    assert "迟报3天" in line
    assert "临期" in r.output


def test_remind_archive_for_a_page(first_round):
    import io

    from matrix.round.remind import remind_archive

    result = first_round[0]
    with zipfile.ZipFile(io.BytesIO(remind_archive(result))) as zf:
        names = sorted(zf.namelist())
    assert names == sorted([f"催办通知/{d}.docx" for d in (SILENT, LATE_SENDER, BEHIND_ON_LATE,
                                                          BEHIND_ON_SOON)] + ["督查通报.docx"])


def test_the_page_shows_the_lights_collect_gives(first_round, tmp_path):
    """The 汇总 page (issue 26) shows the library's light, titled in Chinese, none when neutral."""
    from starlette.testclient import TestClient

    from matrix.web.app import create_app

    _, returns, _, _ = first_round
    files = [("returns", (p.name, p.read_bytes(), "application/octet-stream"))
             for p in sorted(returns.iterdir())]
    files.append(("plan", ("001-dated.txt", dated_seed().encode("utf-8"), "text/plain")))
    with TestClient(create_app(), base_url="http://127.0.0.1:8000") as client:
        page = client.post("/summary", files=files, data={"as_of": AS_OF.isoformat()})
    assert page.status_code == 200
    html = page.text
    assert html.count('class="light light-red" title="逾期"') == 1  # 农业农村部 on （一）
    assert html.count('class="light light-yellow" title="临期"') == 1  # 民政部 on （二）
    assert 'light-neutral' not in html and 'title="neutral"' not in html

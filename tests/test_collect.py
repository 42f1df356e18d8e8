"""下发 → 报送 → 汇总: dispatch's return forms, returns filled by a script (and re-saved by
LibreOffice), hostile returns, the 汇总 workbook, rounds (--since), the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from matrix.cli.commands import cli
from matrix.round.collect import collect, collect_files, expand_returns, read_returns
from matrix.round.dispatch import Stamp, department_lists, dispatch, plan_fingerprint
from matrix.load.pipeline import parse_text
from matrix.workbook import write_split
from matrix.workbook.returns import read_return
from matrix.workbook.summary import SUMMARY_SHEETS, read_previous

from conftest import SEED_001, need

STATUS, PROGRESS, PROBLEMS, NEXT, ID = 10, 11, 12, 13, 14  # columns of 报送表
HEADER = {"报送单位": "C3", "联系人": "G3", "电话": "I3", "报送日期": "K3"}
ROUND = "2026年第四季度"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

DEADLINE_PLAN = """国务院办公厅关于印发测试行动方案的通知
国办发〔2025〕7号

一、重点任务
（一）推进甲项工作。加强统筹。（牵头单位：国家发展改革委；责任单位：财政部，2025年6月底前完成）
（二）推进乙项工作。完善制度。（牵头单位：财政部；责任单位：商务部，2026年底前完成）
（三）推进丙项工作。持续用力。（商务部、财政部按职责分工负责，长期坚持）
（四）推进丁项工作。做好衔接。（牵头单位：商务部；责任单位：国家发展改革委，6月底前完成）
（五）推进戊项工作。做好评估。（牵头单位：国家发展改革委；责任单位：商务部，2024年12月底前完成）
"""


# --------------------------------------------------------------------------- helpers


def fill(form: Path, target: Path, *, statuses=None, texts=True, header=True, extra=None) -> dict[str, str]:
    """Fill a return form as a department would (openpyxl) and save it to ``target``.

    ``statuses`` maps row index (0-based among task rows) → status; default cycles the five.
    Returns every cell written: reference → text.
    """
    wb = openpyxl.load_workbook(form)
    ws = wb["报送表"]
    written: dict[str, str] = {}
    department = Stamp.from_text(wb["填报标识"]["A1"].value).department
    if header:
        for name, ref in HEADER.items():
            # unique values, so that each can be counted in the 汇总
            value = {"报送单位": f"{department}（报送）", "联系人": f"联系人{department}",
                     "电话": f"电话{department}", "报送日期": f"2026年12月18日{department}"}[name]
            ws[ref] = value
            written[ref] = value
    cycle = ["已完成", "推进中", "未启动", "滞后", "需协调"]
    k = 0
    for row in range(5, ws.max_row + 1):
        task_id = ws.cell(row, ID).value
        if not task_id:
            continue
        status = cycle[k % 5] if statuses is None else statuses.get(k)
        if status:
            ws.cell(row, STATUS).value = status
            written[f"J{row}"] = status
        if texts:
            for column, word in ((PROGRESS, "进展"), (PROBLEMS, "问题"), (NEXT, "计划")):
                value = f"{department}·{task_id}·{word}"
                ws.cell(row, column).value = value
                written[f"{'KLM'[column - PROGRESS]}{row}"] = value
        k += 1
    for ref, value in (extra or {}).items():
        ws[ref] = value
        written[ref] = value
    wb.save(target)
    return written


def rewrite(path: Path, change) -> None:
    """Rewrite every XML part of a workbook with ``change(name, text) -> text``."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            if info.filename.endswith(".xml"):
                data = change(info.filename, data.decode("utf-8")).encode("utf-8")
            zf.writestr(info, data)


def saved_at(path: Path, moment: str) -> None:
    """Set when the workbook says it was last saved (openpyxl always writes "now")."""
    import re

    rewrite(path, lambda name, text: re.sub(
        r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{moment}\g<2>", text)
        if name == "docProps/core.xml" else text)


def cells(path: Path) -> dict[str, list[list[str]]]:
    """Every visible sheet of a workbook as rows of text."""
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        out[ws.title] = [["" if v is None else str(v) for v in row]
                         for row in ws.iter_rows(values_only=True)]
    wb.close()
    return out


def occurrences(book: dict[str, list[list[str]]], text: str) -> int:
    return sum(1 for rows in book.values() for row in rows for v in row if text in v)


@pytest.fixture(scope="module")
def seed_round(tmp_path_factory, plan_001):
    """Seed 001 dispatched; 2 of every 3 departments return (the rest left out)."""
    root = tmp_path_factory.mktemp("round")
    result = dispatch(plan_001, root / "下发", round=ROUND, due="2026-12-20")
    returns = root / "returns"
    returns.mkdir()
    written, left_out = {}, []
    for i, (department, form) in enumerate(result.files.items()):
        if i % 3 == 2:
            left_out.append(department)
            continue
        target = returns / f"回执{i:02d}.xlsx"  # renamed: nothing in the name says who
        written[department] = fill(form, target)
    summary = root / "汇总.xlsx"
    collection = collect_files(plan_001, [returns], output=summary, as_of=date(2026, 12, 21))
    return result, written, left_out, collection, summary


# --------------------------------------------------------------------------- dispatch


def test_dispatch_writes_one_form_per_department_as_split_by_dept(seed_round, tmp_path,
                                                                  plan_001):
    result = seed_round[0]
    rows, failed = write_split([plan_001], tmp_path / "lists")  # filter --split-by-dept
    assert not failed
    assert [p.name for p in result.files.values()] == [row["file"] for row in rows]
    assert result.index.name == "索引.xlsx"
    index = cells(result.index)["部门索引"]
    assert "任务下发索引（2026年第四季度）" in index[0][0]
    assert [row[8] for row in index[2:]] == [p.name for p in result.files.values()]


def test_form_layout_protection_dropdown_and_stamp(seed_round, plan_001):
    result = seed_round[0]
    form = result.files["市场监管总局"]
    wb = openpyxl.load_workbook(form)
    assert wb.sheetnames == ["报送表", "填报说明", "填报标识"]
    ws = wb["报送表"]
    assert wb["填报标识"].sheet_state == "hidden"
    assert ws.protection.sheet and not ws.protection.password
    heads = [c.value for c in ws[4]]
    assert heads == ["序号", "章节", "编号", "重点任务", "任务内容", "本单位角色", "牵头单位",
                     "其他单位", "完成时限", "完成状态", "进展情况", "存在问题", "下步计划", "任务标识"]
    assert ws.column_dimensions["N"].hidden
    assert [ws[ref.replace("3", "3")].value for ref in ("B3", "F3", "H3", "J3")] == [
        "报送单位：", "联系人：", "电话：", "报送日期："]
    # task columns locked, the columns to fill open
    assert ws["E5"].protection.locked and ws["N5"].protection.locked
    for ref in ("J5", "K5", "L5", "M5", "C3", "G3", "I3", "K3"):
        assert not ws[ref].protection.locked, ref
    (validation,) = ws.data_validations.dataValidation
    assert validation.formula1 == '"已完成,推进中,未启动,滞后,需协调"'
    assert "J5" in validation.sqref
    stamp = Stamp.from_text(wb["填报标识"]["A1"].value)
    assert stamp.department == "市场监管总局" and stamp.round == ROUND
    assert stamp.plan_sha256 == plan_fingerprint(plan_001)
    mine = [item for item in department_lists([plan_001]) if item.department == "市场监管总局"][0]
    assert stamp.task_ids == mine.ids
    assert [ws.cell(r, ID).value for r in range(5, 5 + len(mine.ids))] == list(mine.ids)
    assert "填报说明" in wb["填报说明"]["A1"].value


def test_form_holds_full_text_role_and_deadline(tmp_path):
    plan = parse_text(DEADLINE_PLAN, "plan.txt")
    result = dispatch(plan, tmp_path, round=ROUND)
    ws = openpyxl.load_workbook(result.files["财政部"])["报送表"]
    rows = {ws.cell(r, 3).value: [c.value for c in ws[r]] for r in range(5, 8)}
    assert rows["（一）"][5] == "负责" and rows["（一）"][6] == "国家发展改革委"
    assert rows["（一）"][8] == "2025年6月底前完成"
    assert rows["（二）"][5] == "牵头" and rows["（二）"][4].startswith("推进乙项工作")


# --------------------------------------------------------------------------- collect: seed 001


def test_every_filled_cell_appears_once(seed_round):
    _, written, _, _, summary = seed_round
    book = cells(summary)
    texts = [v for w in written.values() for ref, v in w.items() if not ref.startswith("J")]
    assert texts
    missing = [t for t in texts if occurrences(book, t) != 1]
    assert not missing, missing[:5]


def test_status_matrix_counts_equal_what_was_filled(seed_round):
    _, written, _, collection, summary = seed_round
    filled: dict[str, int] = {}
    for w in written.values():
        for ref, v in w.items():
            if ref.startswith("J"):
                filled[v] = filled.get(v, 0) + 1
    matrix = cells(summary)["状态矩阵"]
    counted = {}
    for row in matrix[2:]:
        for v in row[4:]:
            if v in filled:
                counted[v] = counted.get(v, 0) + 1
    assert counted == filled
    # and the totals below the matrix say the same
    totals = {row[2][:-3]: sum(int(v or 0) for v in row[4:]) for row in matrix
              if len(row) > 2 and row[2].endswith("（项）")}
    assert {k: v for k, v in totals.items() if k in filled} == filled


def test_missing_are_exactly_the_departments_left_out(seed_round):
    _, _, left_out, collection, summary = seed_round
    assert sorted(collection.missing) == sorted(left_out)
    rows = cells(summary)["未报送"][2:]
    assert sorted(r[1] for r in rows) == sorted(left_out)


def test_summary_sheets_and_lead_first(seed_round):
    _, _, _, collection, summary = seed_round
    wb = openpyxl.load_workbook(summary)
    assert wb.sheetnames == list(SUMMARY_SHEETS)
    assert wb["汇总数据"].sheet_state == "hidden"
    assert wb["报送情况"]._charts
    for line in collection.tasks:
        roles = [r.role.value for r in line.reports]
        if "lead" in roles:
            assert roles[0] == "lead"
    rows = cells(summary)["报送情况"]
    assert rows[0][:5] == ["单位", "任务数", "已报送", "已完成", "逾期"]


def test_late_tasks_exactly_those_past_their_deadline(tmp_path):
    plan = parse_text(DEADLINE_PLAN, "plan.txt")
    result = dispatch(plan, tmp_path / "out", round=ROUND)
    returns = tmp_path / "returns"
    returns.mkdir()
    # 财政部 finishes everything; the others report 推进中.
    for department, form in result.files.items():
        ws_status = "已完成" if department == "财政部" else "推进中"
        fill(form, returns / f"{department}.xlsx", statuses={i: ws_status for i in range(10)})
    got = collect_files(plan, [returns], output=tmp_path / "h.xlsx", as_of=date(2025, 7, 1))
    # plan year 2025 (国办发〔2025〕): （一） due 2025-06-30, （四） 6月底前 → 2025-06-30,
    # （五） 2024-12-31; （二） 2026; （三） 长期坚持 never late.
    assert [t.label for t in got.late] == ["（一）", "（四）", "（五）"]
    late_sheet = cells(tmp_path / "h.xlsx")["逾期"]
    assert [r[1] for r in late_sheet[2:5]] == ["（一）", "（四）", "（五）"]
    assert late_sheet[2][5] == "1"  # days late
    counts = {c.department: c.late for c in got.counts}
    assert counts == {"国家发展改革委": 3, "财政部": 0, "商务部": 2}
    # a day earlier only （五） is late
    assert [t.label for t in collect(plan, read_returns(sorted(returns.iterdir())),
                                     as_of=date(2025, 6, 30)).late] == ["（五）"]


def test_unread_deadline_listed_not_guessed(tmp_path):
    text = DEADLINE_PLAN.replace("2024年12月底前完成", "2027年前完成")
    plan = parse_text(text, "plan.txt")
    # the trailer grammar keeps 2027年前完成 as the task's deadline; collect cannot read it as a
    # date (no month), so it is listed, never guessed, and the task is not late
    assert plan.tasks[4].deadline == "2027年前完成"
    got = collect(plan, [], as_of=date(2030, 1, 1))
    assert [(i, d) for i, d, _ in got.unread_deadlines] == [("1-（五）", plan.tasks[4].deadline)]
    assert "（五）" not in [t.label for t in got.late]


# --------------------------------------------------------------------------- hostile returns


@pytest.fixture()
def small(tmp_path):
    plan = parse_text(DEADLINE_PLAN, "plan.txt")
    result = dispatch(plan, tmp_path / "out", round=ROUND)
    returns = tmp_path / "returns"
    returns.mkdir()
    return plan, result.files, returns


@pytest.mark.slow
def test_libreoffice_resaved_returns_are_collected(seed_round, tmp_path, plan_001):
    """A sample of seed 001's returns opened and re-saved by headless LibreOffice (shared
    strings, its own styles and docProps): recognised by the stamp, every cell still there."""
    need(SOFFICE, "LibreOffice is not installed (no soffice on PATH)")
    result = seed_round[0]
    written = {}
    sample = ["国家卫生健康委", "商务部", "财政部"]
    filled = tmp_path / "filled"
    filled.mkdir()
    for name in sample:
        written[name] = fill(result.files[name], filled / f"{name}.xlsx")
    out = tmp_path / "lo"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                    "--outdir", str(out), *(str(filled / f"{n}.xlsx") for n in sample)],
                   check=True, capture_output=True, timeout=240)
    resaved = read_return(out / "商务部.xlsx")
    assert resaved.stamp is not None and resaved.stamp.department == "商务部"
    assert "LibreOffice" in (resaved.application or "")
    got = collect_files(plan_001, [out], output=tmp_path / "h.xlsx", as_of=date(2026, 12, 21))
    taken = sorted(r.department for r in got.received if r.outcome == "采用")
    assert taken == sorted(sample)
    assert all(r.matched_by == "标识" for r in got.received)
    book = cells(tmp_path / "h.xlsx")
    for name in sample:
        for ref, value in written[name].items():
            if not ref.startswith("J"):
                assert occurrences(book, value) == 1, (name, ref, value)
        statuses = [v for ref, v in written[name].items() if ref.startswith("J")]
        reported = [r.status for t in got.tasks for r in t.reports if r.department == name]
        assert sorted(statuses) == sorted(s for s in reported if s)
    assert not got.edits and not got.added and not got.other


def test_two_returns_from_one_department_later_saved_wins(small, tmp_path):
    plan, files, returns = small
    fill(files["财政部"], returns / "a.xlsx", statuses={0: "推进中", 1: "推进中", 2: "推进中"})
    saved_at(returns / "a.xlsx", "2026-12-10T09:00:00Z")
    fill(files["财政部"], returns / "b.xlsx", statuses={0: "已完成", 1: "已完成", 2: "已完成"})
    saved_at(returns / "b.xlsx", "2026-12-01T09:00:00Z")
    got = collect(plan, read_returns(expand_returns([returns / "b.xlsx", returns])),
                  as_of=date(2025, 1, 1))  # b.xlsx named twice: read once
    outcomes = {Path(r.path).name: r.outcome for r in got.received}
    assert outcomes == {"a.xlsx": "采用", "b.xlsx": "被替代"}
    statuses = {r.status for t in got.tasks for r in t.reports if r.department == "财政部"}
    assert statuses == {"推进中"}


def test_return_for_another_plan_or_round_is_refused(small, tmp_path):
    plan, files, returns = small
    other = parse_text(DEADLINE_PLAN.replace("加强统筹", "加强协调"), "other.txt")
    other_forms = dispatch(other, tmp_path / "other", round=ROUND).files
    fill(other_forms["财政部"], returns / "other-plan.xlsx")
    last_round = dispatch(plan, tmp_path / "last", round="2026年第三季度").files
    fill(last_round["商务部"], returns / "last-round.xlsx")
    fill(files["国家发展改革委"], returns / "ok.xlsx")
    got = collect(plan, read_returns(sorted(returns.iterdir())), as_of=date(2025, 1, 1),
                  round=ROUND)
    by_name = {Path(r.path).name: r for r in got.received}
    assert by_name["other-plan.xlsx"].outcome == "拒收"
    # the same plan with a task reworded: a plan changed since the forms went out
    assert "方案已修改" in by_name["other-plan.xlsx"].reason
    assert by_name["last-round.xlsx"].outcome == "拒收"
    assert "2026年第三季度" in by_name["last-round.xlsx"].reason
    assert by_name["ok.xlsx"].outcome == "采用"
    assert set(got.missing) == {"财政部", "商务部"}


def test_edited_task_text_in_locked_column_is_reported(small, tmp_path):
    plan, files, returns = small
    wb = openpyxl.load_workbook(files["财政部"])
    ws = wb["报送表"]
    ws.protection.sheet = False  # anyone can lift a protection without a password
    original = ws["E5"].value
    ws["E5"] = "推进甲项工作（已调整）"
    ws["J5"] = "推进中"
    wb.save(returns / "财政部.xlsx")
    got = collect_files(plan, [returns], output=tmp_path / "h.xlsx", as_of=date(2025, 1, 1))
    (edit,) = got.edits
    assert (edit.department, edit.task_id, edit.column, edit.cell) == (
        "财政部", "1-（一）", "任务内容", "E5")
    assert edit.plan_text == original and edit.return_text == "推进甲项工作（已调整）"
    assert occurrences(cells(tmp_path / "h.xlsx"), "推进甲项工作（已调整）") == 1


def test_row_added_by_a_department_is_kept(small, tmp_path):
    plan, files, returns = small
    written = fill(files["商务部"], returns / "商务部.xlsx",
                   extra={"D10": "自行开展的专项检查", "E10": "检查了三个市的落实情况",
                          "J10": "已完成", "K10": "发现问题5个，已整改"})
    got = collect_files(plan, [returns], output=tmp_path / "h.xlsx", as_of=date(2025, 1, 1))
    (added,) = got.added
    assert added.department == "商务部" and added.row == 10
    assert added.cells == {"重点任务": "自行开展的专项检查", "任务内容": "检查了三个市的落实情况",
                           "完成状态": "已完成", "进展情况": "发现问题5个，已整改"}
    book = cells(tmp_path / "h.xlsx")
    rows = book["新增事项"][2:]
    assert rows[0][0] == "商务部" and "自行开展的专项检查" in rows[0]
    for ref, value in written.items():
        if not ref.startswith("J"):
            assert occurrences(book, value) == 1, (ref, value)


def test_formulas_hyperlinks_and_huge_text_kept_as_text(small, tmp_path):
    plan, files, returns = small
    wb = openpyxl.load_workbook(files["商务部"])
    ws = wb["报送表"]
    ws["K5"] = "=1+1"
    ws["L5"] = '=HYPERLINK("http://example.org/x","看这里")'
    ws["M5"] = "见报告"
    ws["M5"].hyperlink = "https://example.org/report.pdf"
    # More than a cell may hold (32,767): openpyxl would cut it, another program may not.
    huge = "".join(f"第{i}段进展。" for i in range(9000))
    assert len(huge) > 40_000
    ws["K6"] = "HUGE-MARKER"
    full = "".join(f"满格{i:05d}。" for i in range(32767 // 8)) + "末"
    ws["K7"] = full
    ws["Q5"] = "表格外的备注"
    wb["填报说明"]["A12"] = "说明页上写的话"
    wb.save(returns / "商务部.xlsx")
    rewrite(returns / "商务部.xlsx", lambda name, text: text.replace("HUGE-MARKER", huge))
    got = collect_files(plan, [returns], output=tmp_path / "h.xlsx", as_of=date(2025, 1, 1))
    reports = {(t.label): r for t in got.tasks for r in t.reports if r.department == "商务部"}
    assert reports["（二）"].progress == "=1+1"
    assert reports["（二）"].problems.startswith("=HYPERLINK(")
    assert reports["（二）"].next_steps == "见报告（链接：https://example.org/report.pdf）"
    assert reports["（三）"].progress == huge
    assert reports["（四）"].progress == full
    wb = openpyxl.load_workbook(tmp_path / "h.xlsx")
    progress = wb["进展汇总"]
    values = [c.value for row in progress.iter_rows() for c in row if c.value]
    assert "=1+1" in values  # as text: openpyxl reads a formula cell as data_type "f"
    formula_cells = [c for row in progress.iter_rows() for c in row
                     if isinstance(c.value, str) and c.value.startswith("=")]
    assert formula_cells and all(c.data_type == "s" for c in formula_cells)
    pieces = [row for row in wb["超长文字"].iter_rows(min_row=3, values_only=True)]
    assert "".join(row[3] for row in pieces if row[0] == 1) == huge
    assert "".join(row[3] for row in pieces if row[0] == 2) == full
    assert any("全文见“超长文字”表第1项" in str(v) for v in values)
    assert [(cell, text) for _, _, cell, text in got.other] == [
        ("报送表!Q5", "表格外的备注"), ("填报说明!A12", "说明页上写的话")]


def test_damaged_file_one_line_others_collected(small, tmp_path):
    plan, files, returns = small
    fill(files["商务部"], returns / "good.xlsx")
    data = (returns / "good.xlsx").read_bytes()
    (returns / "broken.xlsx").write_bytes(data[: len(data) // 2])
    (returns / "notes.xlsx").write_bytes(b"not a workbook at all")
    (returns / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (returns / "readme.txt").write_text("not a return")
    got = collect_files(plan, [returns], output=tmp_path / "h.xlsx", as_of=date(2025, 1, 1))
    outcomes = sorted((Path(r.path).name, r.outcome) for r in got.received)
    assert outcomes == [("broken.xlsx", "无法读取"), ("good.xlsx", "采用"),
                        ("notes.xlsx", "无法读取"), ("old.xls", "无法读取")]
    (old,) = [r for r in got.received if r.path.endswith("old.xls")]
    # Chinese whatever the locale: the reason is recorded in the 汇总
    assert ".xls" in old.reason and "请另存为不设密码的 .xlsx" in old.reason
    assert all("\n" not in r.reason for r in got.received)
    runner = CliRunner()
    result = runner.invoke(cli, ["collect", str(SEED_001), str(returns / "broken.xlsx"),
                                 "--format", "json"])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_return_without_stamp_matched_by_task_text(small, tmp_path):
    plan, files, returns = small
    fill(files["商务部"], tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "filled.xlsx")
    del wb["填报标识"]
    ws = wb["报送表"]
    for row in range(5, 12):
        ws.cell(row, ID).value = None  # the id column gone too: a copied sheet
    wb.save(returns / "copied.xlsx")
    got = collect(plan, read_returns([returns / "copied.xlsx"]), as_of=date(2025, 1, 1))
    (taken,) = got.received
    assert taken.outcome == "采用" and taken.department == "商务部"
    assert taken.matched_by == "任务文字" and "标识缺失" in taken.reason
    reported = [t.label for t in got.tasks for r in t.reports
                if r.department == "商务部" and r.status]
    assert reported == ["（二）", "（三）", "（四）", "（五）"]


def test_zip_bomb_refused_before_xml(small, tmp_path):
    plan, files, returns = small
    bomb = returns / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * (150 * 1024 * 1024) + "</a>")
    (result,) = read_returns([bomb])
    assert result.path == str(bomb) and "refused" in result.message


# --------------------------------------------------------------------------- rounds


def test_since_marks_status_moved_newly_late_newly_done(small, tmp_path):
    plan, files, returns = small
    fill(files["财政部"], returns / "财政部.xlsx", statuses={0: "推进中", 1: "推进中"})
    first = tmp_path / "第一轮.xlsx"
    collect_files(plan, [returns], output=first, as_of=date(2025, 6, 1))
    previous = read_previous(first)
    assert previous.statuses[("1-（一）", "财政部")] == "推进中"
    round2 = tmp_path / "r2"
    round2.mkdir()
    fill(files["财政部"], round2 / "财政部.xlsx", statuses={0: "已完成", 1: "推进中"})
    fill(files["国家发展改革委"], round2 / "发改委.xlsx", statuses={i: "已完成" for i in range(9)})
    got = collect_files(plan, [round2], output=tmp_path / "第二轮.xlsx", as_of=date(2025, 7, 1),
                        since=first)
    lines = {t.label: t for t in got.tasks}
    moved = {r.department: r.change for r in lines["（一）"].reports}
    assert moved == {"国家发展改革委": "首次报送", "财政部": "推进中→已完成"}
    assert lines["（一）"].change == ("新近完成",)
    assert "新近逾期" in lines["（四）"].change
    book = cells(tmp_path / "第二轮.xlsx")
    assert occurrences(book, "推进中→已完成") == 1


def test_since_for_another_plan_is_an_error(small, tmp_path, plan_001):
    plan, files, returns = small
    first = tmp_path / "h.xlsx"
    collect_files(plan, [returns], output=first, as_of=date(2025, 1, 1))
    from matrix.errors import MatrixInputError

    with pytest.raises(MatrixInputError, match="another plan"):  # English: LANG=C
        collect_files(plan_001, [returns], as_of=date(2025, 1, 1), since=first)


# --------------------------------------------------------------------------- CLI


def test_cli_dispatch_and_collect_json(tmp_path):
    runner = CliRunner()
    out = tmp_path / "下发"
    result = runner.invoke(cli, ["dispatch", str(SEED_001), "-o", str(out), "--round", ROUND,
                                 "--due", "2026-12-20"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    forms = sorted(p for p in out.iterdir() if p.name != "索引.xlsx")
    returns = tmp_path / "returns"
    returns.mkdir()
    fill(forms[0], returns / "x.xlsx")
    result = runner.invoke(cli, ["collect", str(SEED_001), str(returns), "-o",
                                 str(tmp_path / "汇总.xlsx"), "--as-of", "2026-12-21",
                                 "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["round"] == ROUND and len(data["missing"]) == len(forms) - 1
    assert (tmp_path / "汇总.xlsx").exists()
    result = runner.invoke(cli, ["collect", str(SEED_001), str(returns), "--as-of", "tomorrow"])
    assert result.exit_code == 2


def test_cli_collect_table(tmp_path, seed_round):
    result = CliRunner().invoke(cli, ["collect", str(SEED_001), str(seed_round[0].folder),
                                      "--as-of", "2026-12-21"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "报送情况" in result.output and "late as of 2026-12-21" in result.output


# --------------------------------------------------------------------------- leaders


def _with_leaders(plan):
    """The plan with leaders on two tasks (Task.leaders, as the local-plan reader fills it)."""
    documents = []
    for document in plan.documents:
        tasks = []
        for task in document.tasks:
            leaders = {"（一）": ("王副市长",), "（二）": ("王副市长", "李副市长")}.get(task.label, ())
            tasks.append(replace(task, leaders=leaders))
        documents.append(replace(document, tasks=tuple(tasks)))
    return replace(plan, documents=tuple(documents))


def test_leaders_get_forms_and_their_returns_are_collected(tmp_path):
    plan = _with_leaders(parse_text(DEADLINE_PLAN, "plan.txt"))
    result = dispatch(plan, tmp_path / "out", round=ROUND)
    assert sorted(result.leaders) == ["李副市长", "王副市长"]
    assert result.leaders["王副市长"].parent.name == "分管领导"
    wb = openpyxl.load_workbook(result.leaders["王副市长"])
    assert wb["报送表"]["A1"].value.startswith("王副市长分管任务落实情况报送表")
    stamp = Stamp.from_text(wb["填报标识"]["A1"].value)
    assert stamp.kind == "leader" and stamp.task_ids == ("1-（一）", "1-（二）")
    returns = tmp_path / "returns"
    returns.mkdir()
    fill(result.leaders["王副市长"], returns / "w.xlsx", statuses={0: "需协调", 1: "推进中"})
    got = collect(plan, read_returns([returns / "w.xlsx"]), as_of=date(2025, 1, 1))
    first = got.tasks[0]
    assert first.reports[-1].department == "王副市长（分管领导）"
    assert first.reports[-1].status == "需协调"
    assert "王副市长（分管领导）" not in got.missing
    write_summary_path = tmp_path / "h.xlsx"
    from matrix.workbook.summary import write_summary

    write_summary(got, write_summary_path)
    assert occurrences(cells(write_summary_path), "王副市长·1-（一）·进展") == 1


def test_library_calls_matrix_dispatch_and_matrix_collect_files(tmp_path):
    import matrix
    from matrix.round.collect import collect_files
    from matrix.round.dispatch import dispatch

    plan = parse_text(DEADLINE_PLAN, "plan.txt")
    result = matrix.dispatch(plan, tmp_path / "out", round=ROUND)
    fill(result.files["商务部"], tmp_path / "r.xlsx")
    got = matrix.collect_files(plan, [tmp_path / "r.xlsx"], output=tmp_path / "h.xlsx",
                               as_of=date(2025, 1, 1))
    assert set(got.missing) == {"国家发展改革委", "财政部"}
    assert matrix.dispatch is dispatch and matrix.collect_files is collect_files


def test_entities_in_a_return_are_never_expanded(small, tmp_path):
    plan, files, returns = small
    fill(files["商务部"], returns / "r.xlsx")
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "AAAAAAAAAA">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>')

    poisoned = []

    target = "商务部·1-（二）·进展"
    escaped = "".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in target)  # as openpyxl writes

    def poison(name: str, text: str) -> str:
        for form in (target, escaped):
            if form in text:
                poisoned.append(name)
                body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                return bomb + body.replace(form, "&c;", 1)
        return text

    rewrite(returns / "r.xlsx", poison)
    assert poisoned
    (got,) = read_returns([returns / "r.xlsx"])
    assert "拒绝读取" in got.message and "DTD" in got.message  # never read, never expanded


def test_a_column_inserted_by_a_department_still_reads(small, tmp_path):
    plan, files, returns = small
    written = fill(files["商务部"], tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "filled.xlsx")
    ws = wb["报送表"]
    ws.protection.sheet = False
    ws.insert_cols(11)  # a column of its own between 完成状态 and 进展情况
    ws["K4"] = "备注"
    ws["K5"] = "本单位的备注"
    wb.save(returns / "商务部.xlsx")
    got = collect(plan, read_returns([returns / "商务部.xlsx"]), as_of=date(2025, 1, 1))
    reports = {t.label: r for t in got.tasks for r in t.reports if r.department == "商务部"}
    assert reports["（二）"].progress == written["K5"]  # read by its head, not its place
    assert reports["（二）"].next_steps == written["M5"]
    assert ("报送表!K4", "备注") in [(c, t) for _, _, c, t in got.other]
    assert ("报送表!K5", "本单位的备注") in [(c, t) for _, _, c, t in got.other]


def test_dispatch_again_keeps_a_form_an_office_has_filled(tmp_path):
    plan = parse_text(DEADLINE_PLAN, "plan.txt")
    first = dispatch(plan, tmp_path / "out", round=ROUND)
    form = first.files["财政部"]
    written = fill(form, form)  # a department filled it in place, in Excel:
    wb = openpyxl.load_workbook(form)
    wb.properties.lastModifiedBy = "财政部办公厅"  # as Excel and WPS record who saved it
    wb.save(form)
    again = dispatch(plan, tmp_path / "out", round=ROUND)
    assert len(again.failed) == 1 and "财政部" in again.failed[0]
    assert sorted(again.files) == ["商务部", "国家发展改革委"]
    kept = openpyxl.load_workbook(form)["报送表"]
    assert kept["K5"].value == written["K5"]  # nothing the department wrote is lost
    forced = dispatch(plan, tmp_path / "out", round=ROUND, force=True)
    assert not forced.failed and "财政部" in forced.files


def test_summary_workbook_names_files_never_their_folder(small, tmp_path):
    """A 汇总 is sent out: 收文登记 shows each return by its file name, and a reason that
    names the file (an unreadable return) does not reveal the folder it lay in (issue 19)."""
    plan, files, returns = small
    fill(files["商务部"], returns / "good.xlsx")
    (returns / "broken.xlsx").write_bytes(b"not a workbook at all")
    collect_files(plan, [returns], output=tmp_path / "h.xlsx", as_of=date(2025, 1, 1))
    book = openpyxl.load_workbook(tmp_path / "h.xlsx")
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert not [c for c in cells if str(returns) in c]
    received = [[c.value for c in row] for row in book["收文登记"].iter_rows()]
    assert any("broken.xlsx" in (row[1] or "") for row in received)


def test_status_matrix_header_is_tall_enough_for_the_longest_name(tmp_path):
    """相关市（州）人民政府 printed whole in 状态矩阵's stacked header (13.5 points a character
    cut it to …人民政): as tall as the plan workbook's 矩阵 header makes it."""
    from matrix.workbook.page import stacked_height

    plan = parse_text("关于测试的方案\n一、任务\n（一）推进甲项工作。（相关市（州）人民政府负责）\n"
                      "（二）推进乙项工作。（财政部负责）\n", "plan.txt")
    names = [d for d in collect(plan, [], as_of=date(2026, 1, 1)).departments]
    assert "相关市（州）人民政府" in names
    collect_files(plan, [], output=tmp_path / "h.xlsx", as_of=date(2026, 1, 1))
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx")["状态矩阵"]
    head = next(r for r in range(1, 6) if ws.cell(r, 1).value == "序号")
    assert ws.row_dimensions[head].height >= 14.5 * len("相关市（州）人民政府") + 10
    assert ws.row_dimensions[head].height == stacked_height(names, least=60.0)
    assert stacked_height(["甲" * 40]) == 409.0  # Excel's most; the style wraps the rest


def test_a_form_sent_out_with_the_earlier_guide_is_read_as_ours(tmp_path):
    """Forms dispatched before the guide said 方案外工作 (it said 计划外工作) come back during a
    round: their guide line is still the form's own text, not something the department wrote."""
    from matrix.workbook.returns import GUIDE, GUIDE_SHEET, read_return

    plan = parse_text(DEADLINE_PLAN, "plan.txt")
    result = dispatch(plan, tmp_path / "out", round=ROUND)
    fill(result.files["商务部"], tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    old = GUIDE[4].replace("方案外", "计划外")
    cells = [c for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value == GUIDE[4]]
    assert len(cells) == 1 and old != GUIDE[4]
    cells[0].value = old
    wb.save(tmp_path / "r.xlsx")
    assert read_return(tmp_path / "r.xlsx").other == ()
    cells[0].value = "本单位另有一项工作"  # what a department writes is still seen
    wb.save(tmp_path / "r.xlsx")
    assert [t for _, t in read_return(tmp_path / "r.xlsx").other] == ["本单位另有一项工作"]

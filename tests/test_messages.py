"""Warnings and notes in both languages from one table (matrix.messages), and workbooks that
hold no English sentence (issue 19)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import openpyxl
import pytest

from matrix import messages
from matrix.diff import diff_plans
from matrix.workbook import read_workbook, write_diff_workbook, write_workbook
from matrix.load.pipeline import parse_file

FIXTURES = Path(__file__).parent / "fixtures"
SEED = Path(__file__).parent.parent / "seeds" / "001_5afa0209a0ae242f.txt"
WARNINGS_PLAN = FIXTURES / "warnings_plan.txt"
# Three English words in a row: a sentence (a kind code such as unknown-department is one word).
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'’()]+[A-Za-z]{2,}){2,}")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("kind", sorted(messages.MESSAGES))
def test_both_languages_have_the_same_placeholders(kind):
    text = messages.MESSAGES[kind]
    assert fields(text.en) == fields(text.zh), kind
    assert text.zh and text.title and not ENGLISH.search(text.zh)


def test_more_line_has_the_same_placeholders():
    assert fields(messages.MORE.en) - {"kind"} == fields(messages.MORE.zh) - {"title"}


def test_render_and_locate():
    params = {"name": "省科技厅"}
    assert messages.render("unknown-department", params, "en") == (
        "department '省科技厅' is not in the canonical data; kept as printed")
    assert messages.located("unknown-department", params, 5) == (
        "第5行：部门“省科技厅”不在部门名录中，按原文保留")
    assert messages.render("numbering", {"more": 3}, "zh") == "……另有3条“编号不连续”警告"


def test_warnings_carry_kind_params_and_both_texts():
    plan = parse_file(WARNINGS_PLAN, lean=True)
    found = {w.kind: w for w in reversed(plan.documents[0].warnings)}  # the first of each
    w = found["unknown-department"]
    assert dict(w.params) == {"name": "省科技厅"} and w.line == 4
    assert w.message == "department '省科技厅' is not in the canonical data; kept as printed"
    assert w.message_zh == "部门“省科技厅”不在部门名录中，按原文保留"
    assert found["numbering"].message_zh == "编号从（一）跳到（三）"
    data = plan.to_json()["documents"][0]["warnings"][0]
    assert set(data) == {"line", "page", "column", "kind", "message", "message_zh", "params"}


def test_json_round_trips_through_the_validated_records():
    from matrix.models import Plan

    plan = parse_file(WARNINGS_PLAN)
    assert Plan.from_json(plan.to_json()) == plan


def test_a_warning_without_params_still_has_chinese():
    from matrix.records import ParseWarning

    old = ParseWarning(kind="unknown-department", message="department 'x' is not known")
    assert old.message_zh == "部门不在名录中"
    assert ParseWarning(kind="unknown-department", message="未知部门：农机办").message_zh == (
        "未知部门：农机办")


def english_in(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and not value.startswith('{"dutymatrix":') \
                        and ENGLISH.search(value):
                    found.append(f"{ws.title}!{cell.coordinate}: {value}")
    return found


def test_plan_workbook_with_warnings_holds_no_english_sentence(tmp_path):
    plan = parse_file(WARNINGS_PLAN, lean=True)
    kinds = {w.kind for w in plan.documents[0].warnings}
    assert {"unknown-department", "numbering", "unread-trailer", "no-trailer"} <= kinds
    out = write_workbook(plan, tmp_path / "plan.xlsx")
    assert english_in(out) == []
    notes = [[c.value for c in r] for r in openpyxl.load_workbook(out)["说明"].iter_rows()]
    assert [4, "部门“省科技厅”不在部门名录中，按原文保留", "部门不在名录中"] in [r[:3] for r in notes]
    pairs = {r[0]: r[1] for r in notes if r[0]}
    assert pairs["源文件"] == "warnings_plan.txt" and pairs["格式"] == "纯文本（编码 utf-8）"
    # read back, the warnings keep their parameters (the hidden records)
    back = read_workbook(out)
    assert back.documents[0].warnings[0].message_zh == "部门“省科技厅”不在部门名录中，按原文保留"


def test_diff_workbook_holds_no_english_sentence(tmp_path):
    old, new = parse_file(SEED, lean=True), parse_file(WARNINGS_PLAN, lean=True)
    out = write_diff_workbook(diff_plans(old, new), old, new, tmp_path / "diff.xlsx")
    assert english_in(out) == []


def test_diff_notes_in_both_languages():
    from matrix.diff import PlanDiff

    diff = PlanDiff(entries=(), departments=(), notes=("n",), notes_zh=("注",))
    assert diff.to_json()["notes"] == ["n"] and diff.to_json()["notes_zh"] == ["注"]
    assert "只在同一章节内查找" in messages.render("diff-section-only", {"old": 3, "new": 4})


def workbook_strings(path: Path) -> list[str]:
    """Every string in the workbook's XML parts (cells, hidden records, properties)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]


def test_commands_record_the_folder_only_with_record_path(tmp_path):
    from click.testing import CliRunner

    from matrix.cli.commands import cli

    folder = tmp_path / "张三的文件夹" / "督查室"
    folder.mkdir(parents=True)
    plan = folder / "plan.txt"
    plan.write_bytes(WARNINGS_PLAN.read_bytes())
    runner = CliRunner()
    out = tmp_path / "out"
    for args in (["build", str(plan), "-o", str(out / "a.xlsx")],
                 ["diff", str(SEED), str(plan), "-o", str(out / "d.xlsx")],
                 ["filter", str(plan), str(SEED), "--dept", "科技部", "-o", str(out / "f.xlsx")],
                 ["filter", str(plan), "--split-by-dept", "-o", str(out / "lists")]):
        result = runner.invoke(cli, args)
        assert result.exit_code in (0, 1), result.output
    written = sorted(out.rglob("*.xlsx"))
    assert len(written) > 4
    for path in written:
        assert not [s for s in workbook_strings(path) if "张三的文件夹" in s], path
    notes = {r[0].value: r[1].value for r in openpyxl.load_workbook(out / "a.xlsx")["说明"].iter_rows()
             if r[0].value}
    assert notes["源文件"] == "plan.txt"
    result = runner.invoke(cli, ["build", str(plan), "-o", str(out / "b.xlsx"), "--record-path"])
    assert result.exit_code == 0
    notes = {r[0].value: r[1].value for r in openpyxl.load_workbook(out / "b.xlsx")["说明"].iter_rows()
             if r[0].value}
    assert notes["源文件"] == str(plan.absolute())
    result = runner.invoke(cli, ["diff", str(SEED), str(plan), "-o", str(out / "e.xlsx"),
                                 "--record-path"])
    assert any("张三的文件夹" in s for s in workbook_strings(out / "e.xlsx"))

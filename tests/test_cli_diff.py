"""`dutymatrix diff` through CliRunner (issue 4): exit codes like diff(1), formats, options."""

from __future__ import annotations

import json

import opencc
import pytest
from click.testing import CliRunner

from matrix.cli.commands import cli
from tests.conftest import CORPUS, SEED_001

NONGJI = CORPUS / "guofa_2018_42_nongye_jixiehua.txt"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture()
def changed(tmp_path):
    text = NONGJI.read_text(encoding="utf-8")
    text = text.replace("工业和信息化部、发展改革委、农业农村部、商务部、国资委、国际发展合作署等负责",
                        "财政部、发展改革委、农业农村部、商务部、国资委、国际发展合作署等负责")
    path = tmp_path / "new.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_same_plan_exits_0():
    result = run("diff", SEED_001, SEED_001)
    assert result.exit_code == 0 and "No differences" in result.output


def test_traditional_against_simplified_is_no_change(tmp_path):
    simplified = tmp_path / "s.txt"
    simplified.write_text(opencc.OpenCC("t2s").convert(SEED_001.read_text(encoding="utf-8")),
                          encoding="utf-8")
    assert run("diff", SEED_001, simplified).exit_code == 0


def test_text_against_html_is_no_change():
    assert run("diff", NONGJI, NONGJI.with_suffix(".html")).exit_code == 0


def test_differences_exit_1_and_json_names_them(changed):
    result = run("diff", NONGJI, changed, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    task, = data["tasks"]
    assert task["old"]["label"] == "（五）"
    gained = [d["department"] for d in task["departments"]["gained"]]
    lost = [d["department"] for d in task["departments"]["lost"]]
    assert gained == ["财政部"] and lost == ["工业和信息化部"]


def test_dept_option_keeps_one_department(changed):
    result = run("diff", NONGJI, changed, "--format", "json", "--dept", "农业农村部")
    assert result.exit_code == 0  # nothing changed for 农业农村部
    result = run("diff", NONGJI, changed, "--format", "json", "--dept", "工信部")
    assert result.exit_code == 1


def test_json_to_a_file(changed, tmp_path):
    out = tmp_path / "d.json"
    assert run("diff", NONGJI, changed, "-o", out).exit_code == 1
    assert json.loads(out.read_text(encoding="utf-8"))["tasks"]


def test_bad_match_is_trouble_exit_2(changed):
    result = run("diff", NONGJI, changed, "--match", "nonsense")
    assert result.exit_code == 2 and "OLD=NEW" in result.output


def test_match_naming_no_task_is_trouble(changed):
    result = run("diff", NONGJI, changed, "--match", "（九十九）=（一）")
    assert result.exit_code == 2 and "Error:" in result.output


def test_matches_file(changed, tmp_path):
    matches = tmp_path / "m.txt"
    matches.write_text("# decided by the office\n（五）=（五）\n", encoding="utf-8")
    result = run("diff", NONGJI, changed, "--matches", matches, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)["tasks"][0]["matched_by"] == "manual"


def test_unreadable_input_is_trouble(tmp_path):
    news = tmp_path / "news.txt"
    news.write_text("这是一篇新闻。\n", encoding="utf-8")
    result = run("diff", news, NONGJI)
    assert result.exit_code == 2 and "no numbered clause" in result.output


@pytest.mark.parametrize("source", [SEED_001, NONGJI, CORPUS / "guobanfa_2018_121_tiyu_saishi.txt"],
                         ids=lambda p: p.name)
def test_plan_against_its_own_workbook_is_no_change(source, tmp_path):
    book = tmp_path / "plan.xlsx"
    assert run("build", source, "-o", book).exit_code == 0
    result = run("diff", source, book)
    assert result.exit_code == 0, result.output
    assert run("diff", book, book).exit_code == 0


def test_edited_workbook_against_plan_reports_the_edit(tmp_path):
    import openpyxl

    book = tmp_path / "plan.xlsx"
    run("build", NONGJI, "-o", book)
    wb = openpyxl.load_workbook(book)
    ws = wb["矩阵"]
    header_row = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "序号")
    columns = {c.value: c.column for c in header_row}
    first_task_row = header_row[0].row + 1
    ws.cell(first_task_row, columns["财政部"]).value = "●"  # 财政部 now responsible for （三）
    wb.save(book)
    result = run("diff", NONGJI, book, "--format", "json")
    assert result.exit_code == 1
    task, = json.loads(result.output)["tasks"]
    assert task["old"]["label"] == "（三）"
    assert [d["department"] for d in task["departments"]["gained"]] == ["财政部"]

"""`dutymatrix filter` through CliRunner (issue 3)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from matrix.cli.commands import cli
from tests.conftest import CORPUS, SEED_001

NHC_TASKS = ["（一）", "（二）", "（三）", "（十一）", "（十三）"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("name", ["国家卫健委", "国家卫生健康委", "國家衛生健康委", "国家卫生健康委员会"])
def test_aliases_and_scripts_give_the_same_five_tasks(name):
    result = run("filter", SEED_001, "--dept", name, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [t["label"] for t in json.loads(result.output)] == NHC_TASKS


def test_inherited_assignment_counts_and_is_marked():
    result = run("filter", SEED_001, "--dept", "地方各级人民政府", "--format", "json")
    hits = json.loads(result.output)
    assert len(hits) == 22
    assert sum(h["inherited"] for h in hits) == 21


def test_unknown_department_fails_with_suggestions():
    result = run("filter", SEED_001, "--dept", "国家卫键委")
    assert result.exit_code == 1
    assert "unknown department" in result.output and "国家卫生健康委" in result.output


def test_known_department_without_task_is_empty_and_exit_0():
    result = run("filter", SEED_001, "--dept", "外交部", "--format", "json")
    assert result.exit_code == 0
    assert "no task for 外交部" in result.output


def test_role_filter_and_csv_with_bom(tmp_path):
    out = tmp_path / "out.csv"
    result = run("filter", CORPUS / "guofa_2018_42_nongye_jixiehua.txt", "--dept", "工业和信息化部",
                 "--role", "lead", "--format", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["number"] for r in rows] == ["（三）", "（四）", "（五）", "（十八）"]


def test_repeated_dept_is_or_and_filters_are_and():
    both = json.loads(run("filter", SEED_001, "--dept", "民政部", "--dept", "国家卫健委",
                          "--format", "json").output)
    assert len(both) > 5
    narrowed = json.loads(run("filter", SEED_001, "--dept", "民政部", "--dept", "国家卫健委",
                              "--section", "二", "--format", "json").output)
    assert narrowed and all(h["section"].startswith("二、") for h in narrowed)
    assert len(narrowed) < len(both)


def test_folder_input_records_the_source(tmp_path):
    result = run("filter", CORPUS, "--dept", "财政部", "--format", "json")
    hits = json.loads(result.output)
    assert len({h["source"] for h in hits}) >= 3


def test_split_by_dept_writes_one_workbook_per_department(tmp_path):
    import openpyxl

    result = run("filter", SEED_001, "--split-by-dept", "-o", tmp_path / "lists")
    assert result.exit_code == 0, result.output
    files = {p.name for p in (tmp_path / "lists").glob("*.xlsx")}
    assert "索引.xlsx" in files and "国家卫生健康委.xlsx" in files
    assert len(files) == 41
    ws = openpyxl.load_workbook(tmp_path / "lists" / "国家卫生健康委.xlsx").active
    text = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert sum(1 for c in text if c in NHC_TASKS) == 5


def test_split_by_dept_needs_an_output_folder():
    result = run("filter", SEED_001, "--split-by-dept")
    assert result.exit_code == 2


def _edit(book, change):
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb["矩阵"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "序号")
    columns = {c.value: c.column for c in header}
    rows = {ws.cell(r, columns["编号"]).value: r for r in range(header[0].row + 1, ws.max_row + 1)}
    change(ws, columns, rows)
    wb.save(book)


def test_filter_reads_an_edited_workbook(tmp_path):
    book = tmp_path / "001.xlsx"
    assert run("build", SEED_001, "-o", book).exit_code == 0

    def change(ws, columns, rows):
        ws.cell(rows["（十一）"], columns["国家卫生健康委"]).value = None  # mark removed
        ws.cell(rows["（五）"], columns["国家卫生健康委"]).value = "★"  # mark added, as lead
        ws.delete_rows(rows["（一）"])  # row deleted

    _edit(book, change)
    result = run("filter", book, "--dept", "国家卫健委", "--format", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert [h["label"] for h in hits] == ["（二）", "（三）", "（五）", "（十三）"]
    assert [h["role"] for h in hits if h["label"] == "（五）"] == ["lead"]


def test_filter_over_plan_and_workbook_says_where_each_task_came_from(tmp_path):
    book = tmp_path / "001.xlsx"
    run("build", SEED_001, "-o", book)
    result = run("filter", SEED_001, book, "--dept", "民政部", "--format", "json")
    sources = {h["source"] for h in json.loads(result.output)}
    assert sources == {str(SEED_001), str(book)}
    table = run("filter", SEED_001, book, "--dept", "民政部", "--format", "table")
    assert "来源" in table.output


def test_filter_xlsx_format_writes_the_department_list(tmp_path):
    import openpyxl

    out = tmp_path / "卫健委.xlsx"
    result = run("filter", SEED_001, "--dept", "国家卫健委", "-o", out)
    assert result.exit_code == 0, result.output
    values = [c for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
              for c in row if isinstance(c, str)]
    assert sum(1 for v in values if v in NHC_TASKS) == 5

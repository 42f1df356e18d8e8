"""Nothing the user had is lost; --strict; Ctrl-C (issue 6, CLI side)."""

from __future__ import annotations

import sys

import openpyxl
import pytest
from click.testing import CliRunner

from matrix.cli import commands as cli_module
from matrix.cli.commands import cli
from tests.conftest import CORPUS, SEED_001


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_rebuild_replaces_its_own_workbook(tmp_path):
    out = tmp_path / "m.xlsx"
    assert run("build", SEED_001, "-o", out).exit_code == 0
    assert run("build", SEED_001, "-o", out).exit_code == 0


def test_a_workbook_saved_by_a_person_is_not_replaced_without_force(tmp_path):
    out = tmp_path / "m.xlsx"
    run("build", SEED_001, "-o", out)
    wb = openpyxl.load_workbook(out)
    wb.properties.lastModifiedBy = "张三"
    wb["矩阵"]["A1"] = "手工修改"
    wb.save(out)
    before = out.read_bytes()
    result = run("build", SEED_001, "-o", out)
    assert result.exit_code == 1 and "张三" in result.output and "--force" in result.output
    assert out.read_bytes() == before
    assert run("build", SEED_001, "-o", out, "--force").exit_code == 0
    assert out.read_bytes() != before


def test_a_foreign_file_is_not_replaced(tmp_path):
    out = tmp_path / "m.xlsx"
    out.write_bytes(b"my own notes")
    result = run("build", SEED_001, "-o", out)
    assert result.exit_code == 1 and "not a workbook dutymatrix wrote" in result.output
    assert out.read_bytes() == b"my own notes"


def test_missing_output_folder_is_created_for_build(tmp_path):
    out = tmp_path / "new" / "m.xlsx"
    assert run("build", SEED_001, "-o", out).exit_code == 0 and out.exists()


def test_strict_turns_warnings_into_errors(tmp_path):
    plan = tmp_path / "p.txt"
    plan.write_text("（一）甲。（火星开发署负责）\n（二）乙。（市场监管总局负责）\n", encoding="utf-8")
    assert run("build", plan, "-o", tmp_path / "p.xlsx").exit_code == 0
    result = run("build", plan, "-o", tmp_path / "q.xlsx", "--strict")
    assert result.exit_code == 1 and "unknown-department" in result.output
    assert not (tmp_path / "q.xlsx").exists()
    assert run("parse", plan, "--strict", "--format", "json").exit_code == 1


def test_strict_passes_a_clean_plan(tmp_path):
    result = run("parse", CORPUS / "guobanfa_2018_117_zhenzhua_shigan_jili.txt", "--strict",
                 "--format", "json")
    assert result.exit_code == 0, result.output


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys, tmp_path):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("matrix.load.pipeline.parse_file", interrupted)
    monkeypatch.setattr(sys, "argv", ["dutymatrix", "build", str(SEED_001), "-o", str(tmp_path / "x.xlsx")])
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main()
    assert exit_info.value.code == 130
    err = capsys.readouterr().err
    assert "Interrupted." in err and "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()

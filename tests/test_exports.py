"""matrix.export.downloads: the files the CLI writes, as functions the web page calls too."""

from __future__ import annotations

import io
import json
import zipfile

from click.testing import CliRunner

from matrix.export import downloads as exports
from matrix.cli.commands import cli
from tests.conftest import SEED_001


def test_plan_json_is_what_parse_prints(plan_001):
    result = CliRunner().invoke(cli, ["parse", str(SEED_001), "--format", "json"])
    assert result.exit_code == 0
    assert exports.plan_json(plan_001) == result.output
    assert json.loads(result.output)["documents"][0]["tasks"]


def test_tasks_csv_lists_every_task(plan_001):
    text = exports.tasks_csv([plan_001])
    assert text.startswith("\ufeffsource,")
    assert len(text.strip().split("\r\n")) == 1 + len(plan_001.tasks)


def test_zip_folder_holds_the_department_lists(plan_001, tmp_path):
    from matrix.workbook import write_split

    rows, failed = write_split([plan_001], tmp_path / "lists")
    assert failed == []
    files = sorted(p.name for p in (tmp_path / "lists").iterdir())
    assert files == sorted(["索引.xlsx", *(row["file"] for row in rows)])
    with zipfile.ZipFile(io.BytesIO(exports.zip_folder(tmp_path / "lists"))) as archive:
        assert archive.namelist() == files
        assert archive.read("索引.xlsx") == (tmp_path / "lists" / "索引.xlsx").read_bytes()


def test_download_names_are_safe_file_names():
    from matrix.web.views.common import Upload

    assert Upload(None, '国务院/办公厅:*?"<>|.txt').stem == "办公厅_______"
    assert Upload(None, "....txt").stem == "_"


def test_diff_json_is_what_diff_writes(plan_001, tmp_path):
    from matrix.diff import diff_plans

    result = CliRunner().invoke(cli, ["diff", str(SEED_001), str(SEED_001), "--format", "json"])
    assert result.exit_code == 0
    assert exports.diff_json(diff_plans(plan_001, plan_001)) == result.output.replace(
        str(SEED_001), plan_001.source.path)

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


def test_the_lists_written_into_a_zip_are_the_folder_s(plan_001, tmp_path):
    """write_split into a zip being written (the page's download): one member per file of
    the folder it writes for the CLI, each workbook the same but for its docProps times."""
    from matrix.workbook import write_split
    from tests.test_web_round import _members

    rows, failed = write_split([plan_001], tmp_path / "lists")
    assert failed == []
    files = sorted(p.name for p in (tmp_path / "lists").iterdir())
    assert files == sorted(["索引.xlsx", *(row["file"] for row in rows)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        zipped, failed = write_split([plan_001], archive)
    assert failed == [] and zipped == rows
    with zipfile.ZipFile(buffer) as archive:
        assert sorted(archive.namelist()) == files
        for name in files:
            assert _members(archive.read(name)) == \
                _members((tmp_path / "lists" / name).read_bytes()), name
    assert not any(tmp_path.glob("*.xlsx"))  # nothing beside the folder: all in memory


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


def test_the_writers_take_a_binary_stream(plan_001, tmp_path):
    """write_workbook, write_diff_workbook and write_summary write into a stream what they write
    into a file (the page sends it without a folder); the plan workbook is signed in the
    stream too, and a writer that fails writes nothing into it."""
    from datetime import date, datetime, timezone

    import pytest

    from matrix.diff import diff_plans
    from matrix.errors import MatrixOutputError
    from matrix.round.collect import collect
    from matrix.workbook import read_workbook, write_diff_workbook, write_workbook
    from matrix.workbook.hidden import is_signed
    from matrix.workbook.summary import write_summary
    from tests.test_web_round import _members

    moment = datetime(2026, 12, 1, tzinfo=timezone.utc)
    writers = {
        "plan": lambda out: write_workbook(plan_001, out, generated_at=moment),
        "diff": lambda out: write_diff_workbook(diff_plans(plan_001, plan_001), plan_001,
                                                plan_001, out, generated_at=moment),
        "summary": lambda out: write_summary(collect(plan_001, [], as_of=date(2026, 12, 1)), out),
    }
    for name, write in writers.items():
        stream = io.BytesIO()
        assert write(stream) is stream
        path = write(tmp_path / f"{name}.xlsx")
        assert _members(stream.getvalue()) == _members(path.read_bytes()), name
    stream = io.BytesIO()
    write_workbook(plan_001, stream)
    with zipfile.ZipFile(stream) as archive:
        assert is_signed(archive.comment, archive.infolist())
    (tmp_path / "back.xlsx").write_bytes(stream.getvalue())
    assert read_workbook(tmp_path / "back.xlsx").tasks == plan_001.tasks

    def broken(book):
        raise MatrixOutputError("disk full")

    from matrix.workbook.book import save_atomically

    stream = io.BytesIO()
    with pytest.raises(MatrixOutputError):
        save_atomically(stream, ("a",), broken)
    assert stream.getvalue() == b""

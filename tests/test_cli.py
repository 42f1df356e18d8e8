"""The CLI, through click's CliRunner: success paths, failures, help."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from matrix.cli.commands import cli
from tests.conftest import NEWS, ROOT, SEED_001, SEED_003


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def test_build_one_file(tmp_path):
    out = tmp_path / "m.xlsx"
    result = run("build", SEED_001, "-o", out, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "22 tasks" in result.output
    assert openpyxl.load_workbook(out).sheetnames[:2] == ["矩阵", "分工表"]


def test_build_defaults_to_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("build", SEED_001, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "output" / "001_5afa0209a0ae242f.xlsx").is_file()


def test_build_with_no_argument_builds_the_bundled_seeds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("build", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    built = sorted(p.name for p in (tmp_path / "output").glob("*.xlsx"))
    assert built == ["001_5afa0209a0ae242f.xlsx", "003_b00b7e78f4f7e31f.xlsx"]
    for news in NEWS:
        assert f"skipped {news}" in result.output or news.name in result.output
    assert "2 built, 3 skipped, 0 failed" in result.output


def test_build_folder_skips_news_and_builds_the_rest(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in (SEED_001, *NEWS):
        shutil.copy(path, folder)
    result = run("build", folder, "-o", tmp_path / "out", catch_exceptions=False)
    assert result.exit_code == 0
    assert [p.name for p in (tmp_path / "out").glob("*.xlsx")] == ["001_5afa0209a0ae242f.xlsx"]
    assert sum(line.startswith("skipped ") for line in result.output.splitlines()) == 3


@pytest.mark.parametrize("news", NEWS, ids=lambda p: p.name)
def test_build_news_article_fails_without_workbook(tmp_path, news):
    out = tmp_path / "news.xlsx"
    result = run("build", news, "-o", out)
    assert result.exit_code == 1
    assert "Error:" in result.output and news.name in result.output
    assert "no numbered clause" in result.output
    assert not out.exists()
    assert "Traceback" not in result.output


def test_build_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "plan.xlsx"
    src.write_bytes(SEED_001.read_bytes())
    result = run("build", src, "-o", src)
    assert result.exit_code == 1
    assert "overwrite the input" in result.output
    assert src.read_bytes() == SEED_001.read_bytes()


def test_parse_json_contract():
    result = run("parse", SEED_001, "--format", "json", catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) >= {"source", "documents"}
    assert set(data["source"]) >= {"path", "sha256"}
    doc = data["documents"][0]
    assert set(doc) >= {"title", "tasks", "unassigned", "rules", "warnings"}
    task = doc["tasks"][0]
    assert set(task) >= {"number", "section", "title", "text", "line", "assignments"}
    assert set(task["assignments"][0]) >= {"department", "as_printed", "role", "inherited"}
    assert len(doc["tasks"]) == 22
    assert task["number"] == "（一）" and task["section"] == "二、推动民生消费质量升级"


def test_parse_table():
    result = run("parse", SEED_001, "--format", "table", catch_exceptions=False)
    assert result.exit_code == 0
    assert "（二十二）" in result.output and "市场监管总局" in result.output


def test_parse_news_is_an_error():
    result = run("parse", NEWS[0], "--format", "json")
    assert result.exit_code == 1 and result.output.startswith("Error: ")


def test_parse_missing_file_is_a_usage_error():
    result = run("parse", ROOT / "no-such-file.txt")
    assert result.exit_code == 2


def test_undecodable_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\xd8" * 3 + bytes(range(256)) * 4)
    result = run("parse", bad, "--format", "json")
    assert result.exit_code == 1
    assert "Error:" in result.output and "bad.txt" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [[], ["build"], ["parse"]])
def test_help(args):
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_python_dash_m_matrix_help():
    result = subprocess.run([sys.executable, "-m", "matrix", "--help"], capture_output=True,
                            text=True, cwd=ROOT, check=False)
    assert result.returncode == 0 and "build" in result.stdout


def test_seed_003_workbook_lists_clauses_and_says_no_departments(tmp_path):
    out = tmp_path / "003.xlsx"
    result = run("build", SEED_003, "-o", out, catch_exceptions=False)
    assert result.exit_code == 0
    wb = openpyxl.load_workbook(out)
    text = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "未列明责任单位" in text
    matrix_text = "\n".join(str(c.value) for row in wb["矩阵"].iter_rows() for c in row if c.value)
    assert "增强质量发展创新动能" in matrix_text


def test_parse_reads_standard_input():
    result = CliRunner().invoke(cli, ["parse", "-", "--format", "json"],
                                input=SEED_001.read_bytes(), catch_exceptions=False)
    assert result.exit_code == 0
    assert len(json.loads(result.output)["documents"][0]["tasks"]) == 22


def test_build_folder_reads_html_pages_too(tmp_path):
    from tests.conftest import CORPUS

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "guofa_2018_42_nongye_jixiehua.html", folder)
    result = run("build", folder, "-o", tmp_path / "out", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "guofa_2018_42_nongye_jixiehua.xlsx").is_file()


def test_folder_build_uses_a_pool_and_keeps_order(tmp_path):
    from matrix.batch.jobs import POOL_THRESHOLD

    folder = tmp_path / "in"
    folder.mkdir()
    names = [f"p{i:02d}.txt" for i in range(POOL_THRESHOLD + 2)]
    for name in names:
        shutil.copy(ROOT / "tests" / "corpus" / "guobanfa_2018_117_zhenzhua_shigan_jili.txt", folder / name)
    shutil.copy(NEWS[0], folder / "zz_news.txt")
    (folder / "zz_bad.txt").write_bytes(b"\xff\xfe\x00\xd8garbage")
    result = run("build", folder, "-o", tmp_path / "out")
    assert result.exit_code == 1  # one file failed
    built = [line for line in result.output.splitlines() if line.startswith("built ")]
    assert [Path(line.split()[1]).stem for line in built] == [n[:-4] for n in names]
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"{len(names)} built, 1 skipped, 1 failed")
    assert "skipped: 1 × no numbered clause found" in last


def test_batch_workers_start_warm():
    # the fork server imports matrix.batch.warm and ignores any error in it: check it imports here
    import multiprocessing

    from matrix.batch import jobs as batch

    context = batch._context(multiprocessing)
    if "forkserver" in multiprocessing.get_all_start_methods():
        assert context is not None and context.get_start_method() == "forkserver"
    code = ("import sys, matrix.batch.warm; from matrix.parse.trailer import trailer_reader; "
            "from matrix.parse.transform import plan_reader; "
            "print(plan_reader.cache_info().currsize, trailer_reader.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1"]


def test_pooled_batches_follow_the_callers_settings(tmp_path, monkeypatch):
    # workers fork from a server started by the first batch; a later batch's settings still hold
    from matrix.batch.jobs import POOL_THRESHOLD, build_many

    jobs = []
    for i in range(POOL_THRESHOLD + 1):
        source = tmp_path / f"p{i}.txt"
        shutil.copy(SEED_001, source)
        jobs.append((source, tmp_path / f"p{i}.xlsx"))
    assert {o.status for o in build_many(jobs, workers=2)} == {"built"}
    monkeypatch.setenv("DUTYMATRIX_MAX_INPUT_MB", "0.0001")
    again = [(s, t.with_name("again-" + t.name)) for s, t in jobs]
    outcomes = list(build_many(again, workers=2))
    assert {o.status for o in outcomes} == {"failed"}
    assert "DUTYMATRIX_MAX_INPUT_MB" in outcomes[0].message or "limit" in outcomes[0].message


def test_quiet_folder_build_prints_only_problems(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_001, folder)
    shutil.copy(NEWS[0], folder)
    result = run("build", folder, "-o", tmp_path / "out", "--quiet")
    assert result.exit_code == 0
    assert "built" not in result.output and "skipped" in result.output


@pytest.mark.parametrize("count", [1, 9, 10, 100, 1000, 1001])
def test_a_batch_is_cut_into_chunks_that_shrink_to_single_jobs(count):
    from matrix.batch.jobs import _chunks

    chunks = _chunks(list(range(count)), 2)
    assert [j for c in chunks for j in c] == list(range(count))  # every job once, in order
    sizes = [len(c) for c in chunks]
    assert sizes == sorted(sizes, reverse=True) and max(sizes) <= 16 and sizes[-1] == 1
    assert len(chunks) <= count // 16 + 40  # not one round trip per file

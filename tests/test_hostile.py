"""Hostile input, round two (issue 13): each defect reproduced small, then fixed."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from matrix.cli import cli
from tests.conftest import ROOT, SEED_001


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def no_traceback(result):
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def plan(tmp_path, trailers, name="p.txt"):
    """A plan with one task per trailer."""
    numbers = "一二三四五六七八九十"
    lines = [f"（{numbers[i % 10]}）任务{i}。（{t}负责）" for i, t in enumerate(trailers)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ── 8. look-alike departments ─────────────────────────────────────────────────────────────

LOOKALIKES = ["财\u200e政部", "财\u200f政部", "财\u00ad政部", "\u202e财政部", "\u2066财政部\u2069",
              "财\u034f政部", "财\u3164政部", "财\u180e政部", "财\u2063政部", "财\ufe0f政部",
              "财政部\U000e0041", "财\u115f政部", "财\uffa0政部", "财\U000e0100政部"]


def test_every_format_character_is_listed():
    from matrix.textsafe import INVISIBLE

    missing = [hex(c) for c in range(0x110000)
               if unicodedata.category(chr(c)) == "Cf" and not INVISIBLE.match(chr(c))]
    assert missing == []


def test_lookalike_departments_are_one_department(tmp_path):
    from matrix.pipeline import parse_file

    parsed = parse_file(plan(tmp_path, LOOKALIKES))
    names = {a.department for t in parsed.tasks for a in t.assignments}
    assert names == {"财政部"}
    assert all(a.known for t in parsed.tasks for a in t.assignments)


def test_filter_finds_lookalike_tasks_and_csv_carries_no_bidi(tmp_path):
    source = plan(tmp_path, LOOKALIKES + ["\u202e某某办\u202c公室"])
    result = run("filter", source, "--dept", "财政部", "--format", "csv", "-o", tmp_path / "o.csv")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "o.csv").read_text(encoding="utf-8-sig")
    assert len(text.strip().splitlines()) == 1 + len(LOOKALIKES)
    result = run("filter", source, "--format", "json")
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f]", result.output)


def test_a_workbook_name_with_bidi_controls_is_read_clean(tmp_path):
    from matrix.departments import canonical

    assert canonical("\u202e财政部\u202c").name == "财政部"
    assert canonical("某\u2066单位\u2069").name == "某单位"


# ── 9. terminal escapes ──────────────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Seed 001's workbook, built once."""
    out = tmp_path_factory.mktemp("built") / "m.xlsx"
    assert run("build", SEED_001, "-o", out).exit_code == 0
    return out


def test_escapes_in_a_workbook_never_reach_the_terminal(built, tmp_path):
    wb = openpyxl.load_workbook(built)
    wb["矩阵"]["D5"] = "_x001B_]0;pwned_x0007__x001B_[2J标题"
    wb["矩阵"]["E4"] = "_x001B_[2J某局"
    wb.save(tmp_path / "e.xlsx")
    result = run("filter", tmp_path / "e.xlsx", "--format", "table")
    assert result.exit_code == 0, result.output
    assert "\\x1b" in result.output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.output)


def test_parse_table_prints_no_markup_or_controls(tmp_path):
    from rich.console import Console

    from matrix.pipeline import parse_file
    from matrix.report import print_plan

    source = tmp_path / "p.txt"
    source.write_text("（一）[bold]甲[/bold]任务。（财政部负责）\n", encoding="utf-8")
    console = Console(record=True, width=100)
    print_plan(parse_file(source, lean=True), console)
    assert "[bold]甲[/bold]" in console.export_text()


# ── 1 (batch part). one file that kills its worker never stops a folder build ──────────────

def crashing_job(args):
    """The batch's job, but a file named bad*.txt kills the worker process outright."""
    from matrix import batch

    if Path(args[0]).name.startswith("bad"):
        os._exit(3)
    return batch._job(args)


def test_a_worker_that_dies_fails_only_its_file(tmp_path):
    from matrix.batch import build_many

    jobs = []
    for i in range(10):
        name = "bad.txt" if i == 3 else f"g{i}.txt"
        source = plan(tmp_path, ["财政部"], name=name)
        jobs.append((source, tmp_path / "out" / f"{source.stem}.xlsx"))
    (tmp_path / "out").mkdir()
    outcomes = list(build_many(jobs, workers=2, job=crashing_job))
    assert [o.status for o in outcomes] == ["built"] * 3 + ["failed"] + ["built"] * 6
    assert "bad.txt" in outcomes[3].message and "died" in outcomes[3].message


def test_a_recursion_error_is_a_failure_line(tmp_path, monkeypatch):
    from matrix import batch

    source = plan(tmp_path, ["财政部"])
    monkeypatch.setattr("matrix.pipeline.parse_file",
                        lambda *a, **k: (_ for _ in ()).throw(RecursionError("deep")))
    outcome = batch.build_one(source, tmp_path / "p.xlsx")
    assert outcome.status == "failed" and "p.txt" in outcome.message


# ── 7. department cache poisoning ────────────────────────────────────────────────────────

def _registry_for(toml: Path):
    from matrix.departments import Registry

    return Registry([toml])


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    toml = tmp_path / "d.toml"
    toml.write_text('[[department]]\nname = "财政部"\n\n[[department]]\nname = "人民银行"\n',
                    encoding="utf-8")
    return toml


def _poison(folder: Path, toml: Path, data) -> Path:
    import hashlib

    raw = toml.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"departments-{digest[:32]}.json"
    target.write_text(json.dumps({"version": 2, "sha256": digest, "data": data}), encoding="utf-8")
    return target


def test_the_cache_lives_in_the_users_cache_folder_mode_0700(user_cache, tmp_path):
    import tempfile

    _registry_for(user_cache)
    folder = tmp_path / "cache" / "dutymatrix" / "departments"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert len(list(folder.glob("departments-*.json"))) == 1
    assert not (Path(tempfile.gettempdir()) / "dutymatrix-cache" / "x").exists()


def test_a_planted_cache_in_tmp_is_not_read(user_cache, tmp_path):
    import hashlib
    import tempfile

    raw = user_cache.read_bytes()
    old = Path(tempfile.gettempdir()) / "dutymatrix-cache"
    old.mkdir(exist_ok=True)
    planted = old / f"departments-{hashlib.sha256(raw).hexdigest()[:32]}.json"
    planted.write_text(json.dumps({"department": [{"name": "财政部", "aliases": ["人民银行"]}]}))
    try:
        assert _registry_for(user_cache).canonical("人民银行").name == "人民银行"
    finally:
        planted.unlink()


def test_a_cache_that_does_not_match_its_source_is_ignored(user_cache, tmp_path):
    folder = tmp_path / "cache" / "dutymatrix" / "departments"
    _registry_for(user_cache)  # creates the folder, 0700
    # Well formed, right hash, but one table fewer than the source: not what it was built from.
    _poison(folder, user_cache, {"department": [{"name": "财政部", "aliases": ["人民银行"]}]})
    assert _registry_for(user_cache).canonical("人民银行").name == "人民银行"
    _poison(folder, user_cache, {"department": "nonsense"})
    assert _registry_for(user_cache).canonical("人民银行").name == "人民银行"


def test_a_cache_folder_others_can_write_is_not_trusted(user_cache, tmp_path):
    folder = tmp_path / "cache" / "dutymatrix" / "departments"
    target = _poison(folder, user_cache, {"department": [
        {"name": "财政部", "aliases": ["人民银行"]}, {"name": "央行"}]})
    os.chmod(folder, 0o777)
    assert _registry_for(user_cache).canonical("人民银行").name == "人民银行"
    os.chmod(folder, 0o700)
    os.chmod(target, 0o666)
    assert _registry_for(user_cache).canonical("人民银行").name == "人民银行"


def test_a_departments_file_is_read_within_its_limit(monkeypatch):
    from matrix.departments import Registry
    from matrix.errors import MatrixInputError

    monkeypatch.setattr("matrix.limits.MAX_DEPARTMENTS_BYTES", 1000)
    with pytest.raises(MatrixInputError, match="/dev/zero: departments file larger"):
        Registry(["/dev/zero"])

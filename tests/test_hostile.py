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

from matrix.cli.commands import cli
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
    from matrix.text.safe import INVISIBLE

    missing = [hex(c) for c in range(0x110000)
               if unicodedata.category(chr(c)) == "Cf" and not INVISIBLE.match(chr(c))]
    assert missing == []


def test_lookalike_departments_are_one_department(tmp_path):
    from matrix.load.pipeline import parse_file

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

    from matrix.load.pipeline import parse_file
    from matrix.cli.terminal import print_plan

    source = tmp_path / "p.txt"
    source.write_text("（一）[bold]甲[/bold]任务。（财政部负责）\n", encoding="utf-8")
    console = Console(record=True, width=100)
    print_plan(parse_file(source), console)
    assert "[bold]甲[/bold]" in console.export_text()


# ── 1 (batch part). one file that kills its worker never stops a folder build ──────────────

def crashing_job(args):
    """The batch's job, but a file named bad*.txt kills the worker process outright."""
    from matrix.batch import jobs as batch

    if Path(args[0]).name.startswith("bad"):
        os._exit(3)
    return batch._job(args)


@pytest.mark.parametrize("count, bad", [(10, 3), (40, 21)])  # chunks of 1; of 5 down to 1
def test_a_worker_that_dies_fails_only_its_file(tmp_path, count, bad):
    from matrix.batch.jobs import build_many

    jobs = []
    for i in range(count):
        name = "bad.txt" if i == bad else f"g{i}.txt"
        source = plan(tmp_path, ["财政部"], name=name)
        jobs.append((source, tmp_path / "out" / f"{source.stem}.xlsx"))
    (tmp_path / "out").mkdir()
    outcomes = list(build_many(jobs, workers=2, job=crashing_job))
    assert [o.status for o in outcomes] == ["built"] * bad + ["failed"] + ["built"] * (count - bad - 1)
    assert [o.source for o in outcomes] == [str(s) for s, _ in jobs]
    assert "bad.txt" in outcomes[bad].message and "died" in outcomes[bad].message


def test_a_recursion_error_is_a_failure_line(tmp_path, monkeypatch):
    from matrix.batch import jobs as batch

    source = plan(tmp_path, ["财政部"])
    monkeypatch.setattr("matrix.load.pipeline.parse_file",
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

    monkeypatch.setattr("matrix.safety.limits.MAX_DEPARTMENTS_BYTES", 1000)
    with pytest.raises(MatrixInputError, match="/dev/zero: departments file larger"):
        Registry(["/dev/zero"])


# ── 3. special files as outputs ──────────────────────────────────────────────────────────

def test_dash_is_standard_output(tmp_path):
    source = plan(tmp_path, ["财政部"])
    result = run("filter", source, "--format", "json", "-o", "-")
    assert result.exit_code == 0 and json.loads(result.output)[0]["department"] is None
    assert not (Path.cwd() / "-").exists()
    result = CliRunner().invoke(cli, ["filter", str(source), "--format", "xlsx", "-o", "-"])
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"PK\x03\x04")


def test_a_symlink_is_never_replaced_by_a_regular_file(tmp_path):
    source = plan(tmp_path, ["财政部"])
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert run("filter", source, "--format", "json", "-o", link).exit_code == 0
    assert link.is_symlink() and json.loads(real.read_text())
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere" / "x.json")
    result = run("filter", source, "--format", "json", "-o", dangling)
    assert result.exit_code == 1 and "dangling.json" in result.output and dangling.is_symlink()


def test_a_fifo_is_written_as_a_stream_not_replaced(tmp_path):
    import threading

    source = plan(tmp_path, ["财政部"])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = run("filter", source, "--format", "json", "-o", fifo)
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and json.loads(got[0])


def test_a_character_device_is_written_as_a_stream(tmp_path):
    # A null device of our own: a run of an old version must not replace the system's.
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as e:
        pytest.skip(f"cannot create a device node here: {e}")
    source = plan(tmp_path, ["财政部"])
    assert run("filter", source, "--format", "json", "-o", device).exit_code == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert run("build", source, "-o", device).exit_code == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_socket_is_refused(tmp_path):
    import socket

    source = plan(tmp_path, ["财政部"])
    path = tmp_path / "s"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    try:
        result = run("filter", source, "--format", "json", "-o", path)
        assert result.exit_code == 1 and "special file" in result.output
        assert stat.S_ISSOCK(path.lstat().st_mode)
    finally:
        sock.close()


# ── 4. an output that is an input, an edited workbook: filter and diff refuse ───────────

def test_filter_never_overwrites_its_input(tmp_path):
    source = plan(tmp_path, ["财政部"])
    before = source.read_bytes()
    for fmt in ("json", "csv"):
        result = run("filter", source, "--format", fmt, "-o", source, "--force")
        assert result.exit_code == 1 and "overwrite the input" in result.output
    assert source.read_bytes() == before


def _edited(built, tmp_path, name="edited.xlsx"):
    wb = openpyxl.load_workbook(built)
    wb.properties.lastModifiedBy = "张三"
    out = tmp_path / name
    wb.save(out)
    return out


def test_filter_and_diff_never_overwrite_an_input_workbook(built, tmp_path):
    edited = _edited(built, tmp_path)
    before = edited.read_bytes()
    result = run("filter", edited, "--format", "xlsx", "-o", edited)
    assert result.exit_code == 1 and "overwrite the input" in result.output
    result = run("diff", edited, SEED_001, "-o", edited)
    assert result.exit_code == 2 and "overwrite the input" in result.output
    assert edited.read_bytes() == before


def test_filter_and_diff_keep_an_office_edited_workbook_without_force(built, tmp_path):
    edited = _edited(built, tmp_path, "other.xlsx")
    before = edited.read_bytes()
    result = run("filter", SEED_001, "--format", "xlsx", "-o", edited)
    assert result.exit_code == 1 and "张三" in result.output and "--force" in result.output
    result = run("diff", SEED_001, SEED_001, "-o", edited)
    assert result.exit_code == 2 and "张三" in result.output
    result = run("filter", SEED_001, "--format", "json", "-o", edited)
    assert result.exit_code == 1 and edited.read_bytes() == before
    assert run("filter", SEED_001, "--format", "xlsx", "-o", edited, "--force").exit_code == 0


# ── 5. --split-by-dept: unique file names ────────────────────────────────────────────────

def test_split_gives_every_department_its_own_file(tmp_path):
    names = ["a/b", "a_b", "a|b", "a*b", 'a"b', "a<b", "a>b", "索引", "A_B"]
    source = plan(tmp_path, names)
    out = tmp_path / "split"
    result = run("filter", source, "--split-by-dept", "-o", out)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == len(names) + 1 and "索引.xlsx" in files
    index = openpyxl.load_workbook(out / "索引.xlsx").active
    listed = {row[1]: row[8] for row in index.iter_rows(min_row=3, values_only=True) if row[1]}
    assert len(set(listed.values())) == len(names)
    for department, file in listed.items():
        ws = openpyxl.load_workbook(out / file).active
        assert department in str(ws["A1"].value)


# ── 6. path traversal through --dept ─────────────────────────────────────────────────────

def test_a_department_name_never_becomes_a_path(tmp_path, monkeypatch):
    absolute = str(tmp_path / "abs" / "x")
    source = plan(tmp_path, ["../../escaped", absolute])
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    for name in ("../../escaped", absolute):
        result = run("filter", source, "--dept", name, "--format", "xlsx")
        no_traceback(result)
    assert not list(tmp_path.glob("escaped*")) and not list((tmp_path / "a").glob("escaped*"))
    assert not (tmp_path / "abs").exists()
    written = list((work / "output").iterdir())
    assert written and all(p.parent == work / "output" for p in written)


# ── 12. bounded reads ────────────────────────────────────────────────────────────────────

def test_matches_from_dev_zero_is_refused(tmp_path):
    source = plan(tmp_path, ["财政部"])
    result = run("diff", source, source, "--matches", "/dev/zero")
    assert result.exit_code == 2 and "/dev/zero" in result.output and "larger" in result.output


# ── 18. a parent that is a file, a read-only folder ──────────────────────────────────────

def test_an_output_under_a_file_is_a_message(tmp_path):
    source = plan(tmp_path, ["财政部"])
    result = run("filter", source, "--format", "xlsx", "-o", source.parent / "p.txt" / "x.xlsx")
    no_traceback(result)
    assert result.exit_code == 1 and "p.txt" in result.output and "not a folder" in result.output
    result = run("diff", source, source, "--format", "xlsx", "-o", source / "x.xlsx")
    no_traceback(result)
    assert result.exit_code == 2 and "not a folder" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
def test_a_read_only_folder_is_a_message(tmp_path):
    source = plan(tmp_path, ["财政部"])
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    result = run("filter", source, "--format", "xlsx", "-o", folder / "sub" / "x.xlsx")
    no_traceback(result)
    assert result.exit_code == 1 and "ro" in result.output


# ── 19. long names ───────────────────────────────────────────────────────────────────────

def test_an_81_character_name_is_written(tmp_path):
    source = plan(tmp_path, ["财政部"])
    out = tmp_path / ("长" * 81 + ".xlsx")  # 248 bytes: the temporary name used to be 258
    result = run("filter", source, "--format", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_split_with_very_long_department_names_completes(tmp_path):
    names = ["部" * 120 + "甲", "部" * 120 + "乙", "财政部"]
    out = tmp_path / "split"
    result = run("filter", plan(tmp_path, names), "--split-by-dept", "-o", out)
    assert result.exit_code == 0, result.output
    files = list(out.iterdir())
    assert len(files) == 4 and all(len(p.name.encode()) <= 255 for p in files)


# ── 20. SIGTERM and SIGHUP leave no temporary file ───────────────────────────────────────

@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_mid_write_leaves_no_temporary_file(tmp_path, name):
    script = f"""
import os, signal, sys, time
from pathlib import Path
from matrix.safety.writes import replace_atomically
from matrix.safety.signals import install_signal_cleanup
install_signal_cleanup()
def write(temp):
    temp.write_bytes(b"half")
    os.kill(os.getpid(), signal.{name})
    time.sleep(5)
replace_atomically(Path(sys.argv[1]) / "out.xlsx", write, suffix=".xlsx")
"""
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=30)
    assert done.returncode == 128 + getattr(signal, name)
    assert list(tmp_path.iterdir()) == []


# ── 21. a full disk ──────────────────────────────────────────────────────────────────────

def test_a_full_disk_says_so_and_prints_nothing_else(tmp_path):
    script = """
import errno, io, sys, zipfile
from pathlib import Path
from matrix.errors import MatrixError
from matrix.safety.writes import replace_atomically
target = Path(sys.argv[1]) / "out.xlsx"
target.write_bytes(b"previous")
class Full(io.FileIO):
    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")
def write(temp):
    archive = zipfile.ZipFile(Full(temp, "w"), "w")
    archive.writestr("a", b"x" * 100000)
try:
    replace_atomically(target, write, suffix=".xlsx", hint=" (is the file open in another program?)")
except MatrixError as e:
    print(e)
"""
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          timeout=30)
    assert "disk is full" in done.stdout and "another program" not in done.stdout
    assert done.stderr == ""
    assert (tmp_path / "out.xlsx").read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


# ── 22. office lock files ────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("lock", ["~$m.xlsx", ".~lock.m.xlsx#"])
def test_a_workbook_open_in_an_office_is_not_replaced(tmp_path, lock):
    out = tmp_path / "m.xlsx"
    assert run("build", SEED_001, "-o", out).exit_code == 0
    before = out.read_bytes()
    (tmp_path / lock).write_bytes(b"\x05someone")
    result = run("build", SEED_001, "-o", out)
    assert result.exit_code == 1 and lock in result.output and "--force" in result.output
    assert out.read_bytes() == before
    result = run("filter", SEED_001, "--format", "csv", "-o", tmp_path / "m.csv")
    assert result.exit_code == 0
    (tmp_path / "~$m.csv").write_bytes(b"x")
    result = run("filter", SEED_001, "--format", "csv", "-o", tmp_path / "m.csv")
    assert result.exit_code == 1 and "~$m.csv" in result.output
    assert run("build", SEED_001, "-o", out, "--force").exit_code == 0


# ── Word and HTML files built by hand ────────────────────────────────────────────────────

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def _p(text):
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def _tc(text="", merge=None, inner=""):
    pr = ""
    if merge == "restart":
        pr = '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>'
    elif merge:
        pr = "<w:tcPr><w:vMerge/></w:tcPr>"
    return f"<w:tc>{pr}{inner}{_p(text)}</w:tc>"


def _tbl(rows, columns):
    return ("<w:tbl><w:tblGrid>" + "<w:gridCol/>" * columns + "</w:tblGrid>"
            + "".join("<w:tr>" + "".join(r) + "</w:tr>" for r in rows) + "</w:tbl>")


def docx(body, doctype="", document=None):
    import io
    import zipfile

    xml = document or (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
                       f'<w:document {_W}><w:body>{body}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def merged_duty_table(rows):
    """A 任务分工表 whose 牵头单位 cell is merged down ``rows`` rows."""
    table = [[_tc("序号"), _tc("重点任务"), _tc("牵头单位")]]
    for i in range(rows):
        table.append([_tc(str(i + 1)), _tc(f"推进第{i + 1}项工作。"),
                      _tc("财政部" if i == 0 else "", "restart" if i == 0 else "continue")])
    return _tbl(table, 3)


def _depth():
    frame, depth = sys._getframe(), 0
    while frame:
        frame, depth = frame.f_back, depth + 1
    return depth


# ── 1. a .docx column merged down many rows ──────────────────────────────────────────────

def test_a_long_vertical_merge_is_read_without_recursion(tmp_path):
    from matrix.load.pipeline import parse_bytes

    data = docx(merged_duty_table(400))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + 150)  # python-docx recursed once per merged row
    try:
        parsed = parse_bytes(data, "merged.docx")
    finally:
        sys.setrecursionlimit(limit)
    assert len(parsed.tasks) == 400
    assert all(t.assignments[0].department == "财政部" for t in parsed.tasks)


def test_a_folder_with_a_merged_docx_still_builds_the_good_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "merged.docx").write_bytes(docx(merged_duty_table(1200)))
    plan(folder, ["财政部"], name="good.txt")
    result = run("build", folder, "-o", tmp_path / "out")
    no_traceback(result)
    assert (tmp_path / "out" / "good.xlsx").exists()
    assert (tmp_path / "out" / "merged.xlsx").exists()


# ── 17. a duty table inside a one-cell layout table ──────────────────────────────────────

def test_a_duty_table_nested_in_a_layout_table_is_read():
    from matrix.load.pipeline import parse_bytes

    inner = _tbl([[_tc("序号"), _tc("重点任务"), _tc("牵头单位")],
                  [_tc("1"), _tc("推进农机装备创新。"), _tc("工业和信息化部")]], 3)
    layout = _tbl([[f"<w:tc>{_p('附件')}{inner}{_p('')}</w:tc>"]], 1)
    parsed = parse_bytes(docx(layout), "nested.docx")
    assert [a.department for t in parsed.tasks for a in t.assignments] == ["工业和信息化部"]


# ── 11. one zip-safety check for every zip-based input ───────────────────────────────────

def test_a_docx_bomb_is_refused_by_its_ratio():
    from matrix.errors import MatrixInputError
    from matrix.load.pipeline import parse_bytes

    data = docx(_p("（一）甲。（财政部负责）") + _p("x" * 8 * 1024 * 1024))
    assert len(data) < 100_000
    with pytest.raises(MatrixInputError, match=r"^bomb\.docx: .*(zip bomb|1)"):
        parse_bytes(data, "bomb.docx")


# ── 24. messages ─────────────────────────────────────────────────────────────────────────

def test_an_entity_in_a_docx_is_not_cut_silently():
    from matrix.errors import MatrixInputError
    from matrix.load.pipeline import parse_bytes

    doctype = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    data = docx(_p("（一）甲乙&xxe;丙丁。（财政部负责）"), doctype=doctype)
    with pytest.raises(MatrixInputError, match="^x.docx: .*DTD"):
        parse_bytes(data, "x.docx")


def test_a_workbook_named_docx_says_what_it_is(built, tmp_path):
    target = tmp_path / "w.docx"
    target.write_bytes(built.read_bytes())
    result = run("parse", target)
    assert result.exit_code == 1 and "BytesIO" not in result.output
    assert "w.docx" in result.output and "Excel" in result.output


def test_nul_bytes_are_not_an_empty_file(tmp_path):
    target = tmp_path / "z.txt"
    target.write_bytes(b"\x00" * 100_000)
    result = run("parse", target)
    assert result.exit_code == 1 and "empty" not in result.output and "NUL" in result.output


@pytest.mark.parametrize("data", [
    "（一）甲。（财政部负责）".encode() + "（二）乙。（人民银行负责）".encode("gbk"),
    "（一）甲。（财政部负责）".encode("utf-16-le")[:-1]])
def test_undecodable_text_advises_no_option_that_does_not_exist(tmp_path, data):
    target = tmp_path / "m.txt"
    target.write_bytes(data * 20)
    result = run("parse", target)
    assert result.exit_code == 1 and "m.txt" in result.output
    assert "--encoding" not in result.output


# ── 10. HTML rowspan/colspan bomb ────────────────────────────────────────────────────────

def test_an_html_span_bomb_is_refused_or_read_quickly(tmp_path):
    target = tmp_path / "bomb.html"
    target.write_text("<table>" + "<tr><td colspan=50 rowspan=500>x</td></tr>" * 5000)
    result = run("parse", target, "--format", "json")
    no_traceback(result)
    assert result.exit_code == 1 and "bomb.html" in result.output and "MAX_TABLE_CELLS" in result.output


# ── workbooks edited by hand ─────────────────────────────────────────────────────────────

def rewrite_member(source: Path, target: Path, member: str, change, *, first=None) -> Path:
    """Copy the zip ``source`` to ``target`` with ``change(xml) -> xml`` applied to ``member``;
    ``first`` = (name, bytes) is stored before every other member."""
    import zipfile

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        if first is not None:
            new.writestr(zipfile.ZipInfo(first[0]), first[1], compress_type=zipfile.ZIP_STORED)
        for info in old.infolist():
            data = old.read(info)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            new.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def _limited(args, **kwargs):
    """The command line in a process that may not use more than 1.5 GB."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))

    return subprocess.run([sys.executable, "-m", "matrix", *map(str, args)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=limit,
                          capture_output=True, text=True, timeout=60, **kwargs)


# ── 2. a far cell ────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("ref", ["XFD1048576", "AAA200000"])
def test_a_far_cell_is_refused_before_allocating(built, tmp_path, ref):
    far = rewrite_member(built, tmp_path / "far.xlsx", "xl/worksheets/sheet1.xml",
                         lambda xml: xml.replace(
                             "</sheetData>",
                             f'<row r="{ref[3:] if ref[2].isalpha() else ref[3:]}">'
                             f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    done = _limited(["filter", far, "--format", "json"])
    assert done.returncode == 1, done.stderr[-2000:]
    assert "far.xlsx" in done.stderr and "Traceback" not in done.stderr
    assert "panicked" not in done.stderr


# ── 13. a workbook over 16 MB ────────────────────────────────────────────────────────────

def test_a_workbook_whose_directory_starts_past_16_mb_is_read(built, tmp_path):
    from matrix.workbook import read_workbook

    big = rewrite_member(built, tmp_path / "big.xlsx", "", str,
                         first=("xl/media/padding.bin", os.urandom(17 * 1024 * 1024)))
    assert big.stat().st_size > 17 * 1024 * 1024
    assert len(read_workbook(big).tasks) == 22


# ── 14. text over 32,767 characters ──────────────────────────────────────────────────────

def test_a_long_text_warns_and_survives_the_round_trip(tmp_path):
    source = tmp_path / "long.txt"
    source.write_text("（一）" + "推进质量提升工作。" * 4000 + "（财政部负责）\n"
                      "（二）完善标准。（人民银行负责）\n", encoding="utf-8")
    out = tmp_path / "long.xlsx"
    assert run("build", source, "-o", out).exit_code == 0
    notes = openpyxl.load_workbook(out)["说明"]
    text = "\n".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert "32,767" in text or "32767" in text
    result = run("diff", source, out, "--format", "json")
    assert result.exit_code == 0, result.output[:2000]


# ── 15. marks that mean "no" ─────────────────────────────────────────────────────────────

def test_marks_that_mean_no_are_no_assignment_and_warnings_are_shown(built, tmp_path):
    from matrix.workbook import read_workbook

    wb = openpyxl.load_workbook(built)
    ws = wb["矩阵"]
    heads = {ws.cell(4, c).value: c for c in range(5, ws.max_column + 1)}
    column = heads["市场监管总局"]
    before = read_workbook(built)
    marked = [r for r in range(5, 27) if ws.cell(r, column).value]
    for mark, row in zip(["无", "—", "×", "否", "/"], marked):
        ws.cell(row, column).value = mark
    ws.cell(5, heads["财政部"] if "财政部" in heads else column + 1).value = "√"
    wb.save(tmp_path / "no.xlsx")
    after = read_workbook(tmp_path / "no.xlsx")
    count = lambda p: sum(a.department == "市场监管总局" for t in p.tasks for a in t.assignments)
    assert count(after) == count(before) - min(5, len(marked))
    result = run("filter", tmp_path / "no.xlsx", "--format", "json")
    assert result.exit_code == 0 and "√" in result.stderr


# ── 16. Excel's limits ───────────────────────────────────────────────────────────────────

def test_too_many_departments_for_excel_is_a_clear_error(tmp_path):
    names = [chr(0x5000 + i // 130) + chr(0x5000 + i % 130) + "办" for i in range(17_000)]
    lines = [f"{k + 1}.推进工作。（" + "、".join(names[k * 50:(k + 1) * 50]) + "负责）"
             for k in range(340)]
    source = tmp_path / "wide.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "wide.xlsx"
    result = run("build", source, "-o", out)
    assert result.exit_code == 1 and "wide" in result.output and "16,384" in result.output
    assert not out.exists()


def test_too_many_tasks_for_excel_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr("matrix.safety.zipcheck.EXCEL_MAX_ROWS", 20)
    result = run("build", SEED_001, "-o", tmp_path / "tall.xlsx")
    assert result.exit_code == 1 and "rows" in result.output
    assert not (tmp_path / "tall.xlsx").exists()


def test_a_full_row_merge_is_read(built, tmp_path):
    from matrix.workbook import read_workbook

    merged = rewrite_member(built, tmp_path / "lo.xlsx", "xl/worksheets/sheet1.xml",
                            lambda xml: re.sub(r'<mergeCell ref="A1:[A-Z]+1"/>',
                                               '<mergeCell ref="1:1"/>', xml))
    assert len(read_workbook(merged).tasks) == 22


# ── 23. a folder with our other workbook kinds ───────────────────────────────────────────

def test_filter_on_an_output_folder_skips_our_other_workbooks(tmp_path):
    out = tmp_path / "output"
    assert run("build", SEED_001, "-o", out / "m.xlsx").exit_code == 0
    assert run("filter", SEED_001, "--dept", "财政部", "--format", "xlsx",
               "-o", out / "list.xlsx").exit_code == 0
    assert run("diff", SEED_001, SEED_001, "--format", "xlsx", "-o", out / "d.xlsx").exit_code == 0
    result = run("filter", out, "--dept", "财政部", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "list.xlsx" in result.stderr and "d.xlsx" in result.stderr
    assert json.loads(result.stdout)


def test_a_fifo_nobody_reads_is_a_message_not_a_hang(tmp_path, monkeypatch):
    monkeypatch.setattr("matrix.safety.writes.FIFO_WAIT_SECONDS", 0.2)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run("filter", plan(tmp_path, ["财政部"]), "--format", "json", "-o", fifo)
    assert result.exit_code == 1 and "no program reads" in result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_diff_summary_prints_no_controls_or_markup(built, tmp_path):
    wb = openpyxl.load_workbook(built)
    wb["矩阵"]["E4"] = "_x001B_]0;pwned_x0007_[bold]某局[/bold]"
    wb.save(tmp_path / "e.xlsx")
    result = run("diff", built, tmp_path / "e.xlsx")
    assert result.exit_code == 1, result.output
    assert "[bold]" in result.output and "\\x1b" in result.output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.output)


def test_workbooks_carry_no_bidi_control(built, tmp_path):
    import zipfile

    wb = openpyxl.load_workbook(built)
    wb["矩阵"]["D5"] = "标题\u202e甲乙\u202c丙"
    wb.save(tmp_path / "e.xlsx")
    out = tmp_path / "list.xlsx"
    assert run("filter", tmp_path / "e.xlsx", "--format", "xlsx", "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert "标题甲乙丙" in text
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f]", text)


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_dev_stdout_into_a_pipe_and_a_redirected_file(tmp_path, fmt):
    if not os.path.islink("/dev/stdout"):
        pytest.skip("/dev/stdout is not a symbolic link here")
    source = plan(tmp_path, ["财政部"])
    args = [sys.executable, "-m", "matrix", "filter", str(source), "--format", fmt,
            "-o", "/dev/stdout"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"PK" if fmt == "xlsx" else b"[")
    redirected = tmp_path / f"out.{fmt}"
    with open(redirected, "wb") as handle:
        done = subprocess.run(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.PIPE,
                              timeout=60)
    assert done.returncode == 0, done.stderr
    assert redirected.read_bytes().startswith(b"PK" if fmt == "xlsx" else b"[")
    assert os.path.islink("/dev/stdout")


def test_a_docx_of_very_many_tiny_paragraphs_is_refused(monkeypatch):
    from matrix.errors import MatrixInputError
    from matrix.load.pipeline import parse_bytes

    monkeypatch.setattr("matrix.safety.limits.MAX_DOCX_PARAGRAPHS", 1_000)
    data = docx("".join(_p("甲乙") for _ in range(1_500)))
    with pytest.raises(MatrixInputError, match=r"^many\.docx: .*1,000 paragraphs"):
        parse_bytes(data, "many.docx")
    assert parse_bytes(docx(_p("（一）甲。（财政部负责）") * 900), "few.docx").tasks


def terminated_job(args):
    """A batch job whose worker is sent SIGTERM in the middle of writing its workbook."""
    from matrix.batch import jobs as batch
    from matrix.safety.writes import replace_atomically

    def write(temp):
        temp.write_bytes(b"half")
        os.kill(os.getpid(), signal.SIGTERM)
        import time

        time.sleep(5)

    replace_atomically(Path(args[1]), write, suffix=".xlsx")
    return batch._job(args)


def test_a_worker_stopped_by_sigterm_leaves_no_temporary_file(tmp_path):
    from matrix.batch.jobs import build_many

    out = tmp_path / "out"
    out.mkdir()
    jobs = [(plan(tmp_path, ["财政部"], name=f"g{i}.txt"), out / f"g{i}.xlsx") for i in range(8)]
    outcomes = list(build_many(jobs, workers=2, job=terminated_job))
    assert [o.status for o in outcomes] == ["failed"] * 8
    assert list(out.iterdir()) == []

"""Size and time limits, and an interrupted writer (issue 6).

* Inputs over the size limit (64 MB, ``DUTYMATRIX_MAX_INPUT_MB``) are refused before they are
  read: a file by its size on disk, standard input as it comes in.
* A 1 MB single line does not hang the parser. Each shape runs in a subprocess with a generous
  wall-clock guard that only detects a hang; the times are printed (``pytest -s``).
* A writer killed with SIGKILL in the middle of writing a workbook leaves the previous workbook
  byte for byte as it was.
"""

from __future__ import annotations

import importlib.util
import io
import os
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest
from click.testing import CliRunner

from matrix import read as reader
from matrix.cli.commands import cli
from matrix.errors import MatrixInputError
from matrix.load.pipeline import parse_bytes, parse_file, parse_stream
from tests.conftest import ROOT, SEED_001

MB = 2**20


def _env(**extra: str) -> dict[str, str]:
    """The environment of a subprocess that imports this checkout's ``matrix``."""
    env = {k: v for k, v in os.environ.items() if k != reader.LIMIT_VARIABLE}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------------
# Size


@pytest.fixture
def default_limit(monkeypatch):
    """No DUTYMATRIX_MAX_INPUT_MB from the caller's environment."""
    monkeypatch.delenv(reader.LIMIT_VARIABLE, raising=False)


@pytest.fixture
def sparse_100mb(tmp_path):
    """A 100 MB file that takes no room on disk (and would take 100 MB of memory if read)."""
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.write("一、总体要求\n（一）加强监管。（财政部负责）\n".encode())
        f.truncate(100 * MB)
    return path


def test_the_documented_default_is_64_mb(default_limit):
    assert reader.MAX_INPUT_BYTES == 64 * MB
    assert reader.max_input_bytes() == 64 * MB


def test_a_100_mb_file_is_refused_quickly_without_reading_it(sparse_100mb, default_limit):
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(MatrixInputError) as info:
            parse_file(sparse_100mb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - began < 2
    assert peak < 4 * MB  # the file was not read into memory
    assert str(info.value) == (f"{sparse_100mb}: 100.0 MB is over the 64 MB limit; split the "
                               "file or raise DUTYMATRIX_MAX_INPUT_MB")


def test_the_cli_refuses_a_100_mb_file_with_one_line(sparse_100mb, default_limit, tmp_path):
    result = CliRunner().invoke(cli, ["build", str(sparse_100mb), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"Error: {sparse_100mb}: 100.0 MB is over the 64 MB limit")
    assert not (tmp_path / "o.xlsx").exists()


def test_the_environment_raises_the_limit(sparse_100mb, monkeypatch):
    """With the limit raised, the size check lets the file through (checked here without
    reading 100 MB: a smaller default stands in for the 64 MB one)."""
    monkeypatch.setattr(reader, "MAX_INPUT_BYTES", 4096)
    small = sparse_100mb.parent / "plan.txt"
    small.write_bytes(SEED_001.read_bytes())
    assert small.stat().st_size > 4096
    monkeypatch.delenv(reader.LIMIT_VARIABLE, raising=False)
    with pytest.raises(MatrixInputError, match="over the 0.004 MB limit"):
        parse_file(small)
    monkeypatch.setenv(reader.LIMIT_VARIABLE, "1")
    assert parse_file(small).tasks
    monkeypatch.setenv(reader.LIMIT_VARIABLE, "200")
    assert reader.max_input_bytes() == 200 * MB


def test_the_environment_lowers_the_limit(monkeypatch):
    monkeypatch.setenv(reader.LIMIT_VARIABLE, "0.01")
    with pytest.raises(MatrixInputError) as info:
        parse_file(SEED_001)
    size = SEED_001.stat().st_size / 1024
    assert str(info.value) == (f"{SEED_001}: {size:.1f} KB is over the 0.01 MB limit; split the "
                               "file or raise DUTYMATRIX_MAX_INPUT_MB")
    with pytest.raises(MatrixInputError, match="^in.txt: .* over the 0.01 MB limit"):
        parse_bytes(SEED_001.read_bytes(), "in.txt")


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_bad_limit_in_the_environment_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv(reader.LIMIT_VARIABLE, value)
    with pytest.raises(MatrixInputError, match=rf"^{SEED_001}: DUTYMATRIX_MAX_INPUT_MB="):
        parse_file(SEED_001)


class _Endless(io.RawIOBase):
    """A pipe that never ends; counts what was read from it."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "read everything from an endless stream"
        data = b"\xe5\x8a\xa0" * (size // 3) or b"x"  # 加加加…
        self.given += len(data)
        return data


def test_stdin_over_the_limit_is_refused_as_it_comes(monkeypatch):
    monkeypatch.setenv(reader.LIMIT_VARIABLE, "2")
    stream = _Endless()
    with pytest.raises(MatrixInputError) as info:
        parse_stream(stream)
    assert str(info.value) == ("<stdin>: the input is over the 2 MB limit; split it or raise "
                               "DUTYMATRIX_MAX_INPUT_MB")
    assert stream.given <= 2 * MB + 1


def test_a_text_stream_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setenv(reader.LIMIT_VARIABLE, "0.01")
    with pytest.raises(MatrixInputError, match="^pasted: the input is over the 0.01 MB limit"):
        parse_stream(io.StringIO("加强监管。" * 5000), "pasted")


def test_stdin_over_the_limit_through_the_command_line(tmp_path):
    """``dutymatrix parse -`` fed more than the limit: exit 1, one line, no traceback."""
    data = ("一、总体要求\n" + "（一）加强监管。（财政部负责）\n" * 60_000).encode()
    assert len(data) > 2 * MB
    done = subprocess.run([sys.executable, "-m", "matrix", "parse", "-", "--format", "json"],
                          input=data, capture_output=True, timeout=120, cwd=tmp_path,
                          env=_env(DUTYMATRIX_MAX_INPUT_MB="2"))
    assert done.returncode == 1
    err = done.stderr.decode()
    assert err.startswith("Error: <stdin>: the input is over the 2 MB limit")
    assert "Traceback" not in err and not done.stdout


def test_stdin_under_the_limit_still_reads(monkeypatch):
    monkeypatch.setenv(reader.LIMIT_VARIABLE, "1")
    assert parse_stream(io.BytesIO(SEED_001.read_bytes())).tasks


# ---------------------------------------------------------------------------------------------
# A 1 MB single line


def _line(head: str, unit: str, size: int = MB) -> str:
    """``head`` then ``unit`` repeated to ``size`` bytes of UTF-8, on one line."""
    return head + unit * ((size - len(head.encode())) // len(unit.encode()))


ONE_MB_LINES = {
    "plain text after a clause number": _line("（一）", "加强市场监管推进改革，"),
    "many parentheses": _line("（一）", "加强（监管）推进（改革）。"),
    "many unclosed （": _line("（一）", "甲（"),
    "trailer words, no closing parenthesis": _line("（一）加强监管。（", "财政部、人民银行按职责分工负责，"),
    "trailer openings after sentence ends": _line("（一）甲", "。（财政部牵头负责"),
    "many closing ）": _line("（一）", "）"),
}

_TIMED_PARSE = """
import sys, time
from matrix.errors import MatrixError
from matrix.load.pipeline import parse_bytes
data = sys.stdin.buffer.read()
began = time.perf_counter()
try:
    outcome = f"{len(parse_bytes(data, sys.argv[1]).tasks)} tasks"
except MatrixError as e:
    outcome = type(e).__name__
print(f"{time.perf_counter() - began:.2f} {outcome}")
"""


def _start(data: str | bytes, folder, name: str = "line.txt") -> subprocess.Popen:
    """A subprocess that parses ``data`` (given as a file on its standard input) as ``name``
    and prints the seconds it took."""
    path = folder / f"input{len(list(folder.iterdir()))}"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8") + b"\n")
    with open(path, "rb") as stdin:
        return subprocess.Popen([sys.executable, "-c", _TIMED_PARSE, name], stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())


def test_a_1_mb_single_line_does_not_hang(tmp_path):
    """Each shape parses in a subprocess; 120 s is a hang detector, not a benchmark (they take
    0.5–10 s here). Two at a time, one per core."""
    shapes = list(ONE_MB_LINES.items())
    times = {}
    for pair in (shapes[i:i + 2] for i in range(0, len(shapes), 2)):
        running = [(name, _start(text, tmp_path)) for name, text in pair]
        for name, process in running:
            try:
                out, err = process.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                pytest.fail(f"a 1 MB line of {name} did not finish in 120 s")
            assert process.returncode == 0, (name, err.decode()[-3000:])
            times[name] = out.decode().strip()
    print("\n1 MB single line:", "; ".join(f"{k}: {v}" for k, v in times.items()))
    assert len(times) == len(ONE_MB_LINES)


def _finishes_within(data: str | bytes, seconds: float, folder, name: str = "line.txt") -> bool:
    process = _start(data, folder, name)
    try:
        process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return False
    return process.returncode == 0


def test_nested_entities_on_a_long_line_are_linear(tmp_path):
    """256 KB of '&amp;amp;amp;…' on one line: linear work is well under a second."""
    assert _finishes_within(_line("（一）甲&", "amp;", 256 * 1024), 5, tmp_path)


def test_a_long_hard_wrapped_paragraph_is_linear(tmp_path):
    """256 KB of lines of equal width that never end a sentence (a PDF copy of one long
    paragraph): linear work is well under a second."""
    line = "国务院办公厅关于加快发展体育竞赛表演产业的指导意见"
    text = "（一）甲\n" + (line + "\n") * (256 * 1024 // len(line.encode()))
    assert _finishes_within(text, 5, tmp_path)


def test_a_docx_cell_spanning_a_million_columns_does_not_hang(tmp_path):
    fuzz = _fuzz_module()
    table = ('<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="1000000"/></w:tcPr>'
             "<w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")
    body = "<w:p><w:r><w:t>（一）加强监管。（财政部负责）</w:t></w:r></w:p>" + table
    assert _finishes_within(fuzz.docx_from_xml(body), 5, tmp_path, "span.docx")


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("fuzz_for_limits", ROOT / "fuzz" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_a_docx_that_unpacks_over_the_limit_is_refused(monkeypatch):
    """A zip bomb: 2 KB of .docx that unpacks to 2 MB, over a 1 MB limit, refused unread."""
    fuzz = _fuzz_module()
    body = "<w:p><w:r><w:t>（一）加强监管。（财政部负责）</w:t></w:r></w:p>" + " " * (2 * MB)
    data = fuzz.docx_from_xml(body)
    assert len(data) < 20_000
    monkeypatch.setenv(reader.LIMIT_VARIABLE, "1")
    with pytest.raises(MatrixInputError) as info:
        parse_bytes(data, "bomb.docx")
    assert str(info.value) == ("bomb.docx: the .docx unpacks to 2.0 MB, over the 1 MB limit; "
                               "split the document or raise DUTYMATRIX_MAX_INPUT_MB")
    monkeypatch.setenv(reader.LIMIT_VARIABLE, "3")
    # Within the size limit, its 900:1 compression is still refused (issue 13, item 11).
    with pytest.raises(MatrixInputError, match="more than 100:1"):
        parse_bytes(data, "bomb.docx")


# ---------------------------------------------------------------------------------------------
# Killing the writer


def _plan_text(tasks: int) -> str:
    spec = importlib.util.spec_from_file_location("bench_plans", ROOT / "bench" / "plans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.plan_text(tasks)


def _size(path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # the writer moved it into place or removed it meanwhile
        return 0


def test_a_writer_killed_mid_write_leaves_the_previous_workbook(tmp_path):
    """SIGKILL while ``build`` writes its temporary file: out.xlsx is byte-identical after."""
    out = tmp_path / "out.xlsx"
    small = tmp_path / "small.txt"
    small.write_text(_plan_text(20), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "matrix", "build", str(small), "-o", str(out)],
                   check=True, capture_output=True, timeout=120, env=_env())
    before = out.read_bytes()
    known = {out.name, small.name}
    for tasks in (3_000, 10_000, 30_000):
        big = tmp_path / f"big{tasks}.txt"
        big.write_text(_plan_text(tasks), encoding="utf-8")
        known.add(big.name)
        process = subprocess.Popen(
            [sys.executable, "-m", "matrix", "build", str(big), "-o", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
        caught = None
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            # Kill once bytes of the new workbook are on disk: in the middle of its writing.
            caught = next(((p.name, size) for p in tmp_path.iterdir() if p.name not in known
                           and (size := _size(p))), None)
            if caught:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        _, err = process.communicate(timeout=120)
        left = sorted(p.name for p in tmp_path.iterdir() if p.name not in known)
        if caught and left:  # killed before the temporary file was moved into place
            assert process.returncode == -signal.SIGKILL
            assert out.read_bytes() == before
            # What the killed writer left is its hidden temporary file, never out.xlsx.
            assert all(name.startswith(".") for name in left), left
            print(f"\nkilled the writer of {tasks} tasks with {caught[1]} bytes in {caught[0]}")
            return
        # The writer finished before it was caught: try a bigger plan (and an earlier file).
        assert process.returncode in (0, -signal.SIGKILL), err.decode()[-3000:]
        subprocess.run([sys.executable, "-m", "matrix", "build", str(small), "-o", str(out)],
                       check=True, capture_output=True, timeout=120, env=_env())
        before = out.read_bytes()
    pytest.fail("never caught the writer in the middle of writing")

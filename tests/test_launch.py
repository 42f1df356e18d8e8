"""The console entry point (matrix/cli/launch.py): a help page asked for again is printed from
the copy kept the first time — byte for byte click's page, and only while everything that
shapes it is as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """\
import json, sys
from matrix.cli.launch import main
sys.argv = ['dutymatrix', *{args!r}]
code = 0
try:
    main()
except SystemExit as e:
    code = e.code or 0
finally:
    print(json.dumps([code, 'click' in sys.modules]), file=sys.stderr)
"""


def run(args: list[str], cache: Path, **env: str) -> tuple[int, str, bool]:
    """Exit code, standard output and whether click was imported, of ``dutymatrix ARGS``."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("LANG", "LC_", "COLUMNS", "DUTYMATRIX_"))}
    result = subprocess.run([sys.executable, "-c", _PROBE.format(args=args)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={**base, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache),
                                 "PYTHONIOENCODING": "utf-8",
                                 "DUTYMATRIX_FULL_EXIT": "1",  # the probe reports at exit
                                 **env})
    code, clicked = json.loads(result.stderr.strip().splitlines()[-1])
    return code, result.stdout, clicked


def kept(cache: Path) -> list[Path]:
    return sorted((cache / "dutymatrix" / "help").glob("help-*.txt"))


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["parse", "--help"], ["build", "-h"],
                                  ["--lang", "zh", "--help"], ["--lang", "en", "diff", "--help"]])
def test_a_help_page_is_clicks_the_first_time_and_its_copy_after(tmp_path, args):
    code, first, clicked = run(args, tmp_path)
    assert code == 0 and clicked and first.strip()
    (page,) = kept(tmp_path)
    assert oct(page.stat().st_mode & 0o777) == "0o600"
    assert oct(page.parent.stat().st_mode & 0o777) == "0o700"
    code, again, clicked = run(args, tmp_path)
    assert code == 0 and not clicked  # printed from the copy
    assert again == first
    # and it is what click prints with the copies off
    code, plain, clicked = run(args, tmp_path, DUTYMATRIX_NO_HELP_CACHE="1")
    assert code == 0 and clicked and plain == first


@pytest.mark.parametrize("change", [{"LANG": "zh_CN.UTF-8"}, {"LANGUAGE": "zh_CN"},
                                    {"COLUMNS": "60"}])
def test_what_shapes_the_page_is_part_of_its_key(tmp_path, change):
    run(["--help"], tmp_path)
    code, page, clicked = run(["--help"], tmp_path, **change)
    assert clicked  # another language or width: made by click again, not the English copy
    code, copy, clicked = run(["--help"], tmp_path, **change)
    assert not clicked and copy == page
    assert len(kept(tmp_path)) == 2


def test_a_changed_source_file_makes_the_page_again(tmp_path):
    """The key holds the size and time of every file the page comes from: a new version of a
    command module (or of click) is never answered with an old page."""
    from matrix.cli import launch

    key = launch.help_key(["--help"])
    assert key is not None
    commands = ROOT / "matrix" / "cli" / "commands.py"
    assert str(commands) in key
    stat = commands.stat()
    try:
        os.utime(commands, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        assert launch.help_key(["--help"]) != key
    finally:
        os.utime(commands, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert launch.help_key(["--help"]) == key
    assert launch._package_folder("click") in key


@pytest.mark.parametrize("args", [["parse", str(ROOT / "seeds" / "001_5afa0209a0ae242f.txt")],
                                  ["--version"], ["nosuchcommand", "--help"],
                                  ["parse", "a.txt", "--help"], ["--lang", "fr", "--help"]])
def test_nothing_but_a_plain_help_page_is_kept(tmp_path, args):
    run(args, tmp_path)
    assert kept(tmp_path) == []


@pytest.mark.parametrize("spoil", ["others-can-write", "another-key", "a-link", "not-utf-8"])
def test_a_copy_that_cannot_be_trusted_is_not_printed(tmp_path, spoil):
    code, first, _ = run(["--help"], tmp_path)
    (page,) = kept(tmp_path)
    if spoil == "others-can-write":
        os.chmod(page, 0o666)
    elif spoil == "another-key":
        text = page.read_text("utf-8")
        page.write_text("another key" + text[text.index("\n"):] + "planted", "utf-8")
    elif spoil == "a-link":
        planted = tmp_path / "planted.txt"
        planted.write_bytes(page.read_bytes() + "planted".encode())
        page.unlink()
        page.symlink_to(planted)
    else:
        page.write_bytes(page.read_bytes() + b"\xff")
    code, again, clicked = run(["--help"], tmp_path)
    assert code == 0 and clicked and again == first and "planted" not in again


def test_the_cache_folder_is_platformdirs_one(monkeypatch, tmp_path):
    """On Linux the cache folder is worked out without importing platformdirs: the same
    folder platformdirs names, with XDG_CACHE_HOME set, unset or blank."""
    platformdirs = pytest.importorskip("platformdirs")
    from matrix.safety.cache import user_cache_dir

    if sys.platform != "linux":
        pytest.skip("the folder is platformdirs' own elsewhere")
    for xdg in (str(tmp_path / "xdg"), None, ""):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert user_cache_dir() == platformdirs.user_cache_dir("dutymatrix", appauthor=False)


# ── the quick exit after a command that succeeded (launch.leave) ──────────────────────────────

_EXIT_PROBE = """\
import atexit, os, sys, threading, time
real = os._exit
def quick(code):
    sys.stderr.write(f"quick exit {{code}}\\n"); sys.stderr.flush(); real(code)
os._exit = quick
atexit.register(lambda: sys.stderr.write("exit handler ran\\n"))
if {thread!r}:
    threading.Thread(target=time.sleep, args=(0.5,)).start()
from matrix.cli.launch import main
sys.argv = ['dutymatrix', *{args!r}]
main()
"""


def quick(args: list[str], tmp_path: Path, thread: bool = False, **env: str):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DUTYMATRIX_")}
    return subprocess.run([sys.executable, "-c", _EXIT_PROBE.format(args=args, thread=thread)],
                          cwd=ROOT, capture_output=True, timeout=120,
                          env={**base, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path),
                               **env})


def test_a_command_that_succeeded_exits_quickly_with_all_its_output(tmp_path):
    from matrix.export.downloads import plan_json
    from matrix.load.pipeline import parse_file

    seed = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"
    result = quick(["parse", str(seed), "--format", "json"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.decode("utf-8") == plan_json(parse_file(seed))  # every byte, flushed
    assert b"exit handler ran" in result.stderr  # the exit handlers run first
    assert result.stderr.rstrip().endswith(b"quick exit 0")
    out = tmp_path / "001.xlsx"
    result = quick(["build", str(seed), "-o", str(out)], tmp_path)
    assert result.returncode == 0 and b"quick exit 0" in result.stderr
    from matrix.workbook.readback import read_workbook

    assert read_workbook(out).tasks == parse_file(seed).tasks


@pytest.mark.parametrize("case", ["failed", "thread", "asked"])
def test_otherwise_python_exits_as_always(tmp_path, case):
    seed = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"
    if case == "failed":
        result = quick(["parse", str(tmp_path / "missing.txt")], tmp_path)
        assert result.returncode == 2
    elif case == "thread":  # another thread may be writing: Python joins it first
        result = quick(["parse", str(seed), "--format", "json"], tmp_path, thread=True)
        assert result.returncode == 0
    else:
        result = quick(["parse", str(seed), "--format", "json"], tmp_path,
                       DUTYMATRIX_FULL_EXIT="1")
        assert result.returncode == 0
    assert b"quick exit" not in result.stderr
    assert b"exit handler ran" in result.stderr


def test_the_collector_runs_less_often_but_still_collects(tmp_path):
    """The command line raises the collector's threshold (start-up walked the imports' objects
    ~30 times, ~12 ms); cycles are still collected once that many objects are made."""
    probe = ("import gc, os, sys\n"
             "from matrix.cli import launch\n"
             "sys.argv = ['dutymatrix', '--version']\n"
             "os.environ['DUTYMATRIX_FULL_EXIT'] = '1'\n"
             "try:\n    launch.main()\nexcept SystemExit:\n    pass\n"
             "assert gc.get_threshold() == launch.GC_THRESHOLD, gc.get_threshold()\n"
             "import weakref\n"
             "class Node:\n    pass\n"
             "first = Node(); first.me = first; gone = weakref.ref(first); del first\n"
             "for _ in range(3 * launch.GC_THRESHOLD[0]):\n    x = Node(); x.me = x\n"
             "print(gone() is None)\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip().endswith("True")


# ── output that cannot be written ──────────────────────────────────────────────────────────────

def test_output_that_cannot_be_written_is_one_line_and_exit_1(tmp_path):
    """stdout on a full device: ``Error: cannot write the output: …``, exit 1, no traceback."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system (a device that is always full)")
    seed = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LANG", "LC_"))}
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "matrix", "parse", str(seed), "--format",
                                 "json"], cwd=ROOT, stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=120, env={**base, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: cannot write the output: No space left on device"


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """``dutymatrix parse … | head``: the reader closes the pipe; exit 1, nothing printed."""
    seed = ROOT / "tests" / "corpus" / "guofa_2018_38_zimaoqu_gaige.txt"  # more than a pipe holds
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        result = subprocess.run([sys.executable, "-m", "matrix", "parse", str(seed), "--format",
                                 "json"], cwd=ROOT, stdout=write, stderr=subprocess.PIPE,
                                text=True, timeout=120,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(write)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.strip() == ""

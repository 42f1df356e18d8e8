"""What start-up pays for (issue 27): the modules ``--help``, ``parse`` and ``build`` import.

Module lists, not times: a change that adds an import to start-up fails here, in CI, instead of
in the benchmark (``bench/startup.py``). Each command runs in a fresh interpreter; what the bare
interpreter imports on this machine (site hooks may import pathlib, re, certifi …) is
subtracted before the lists are compared.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SEED_001 = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"
SEED_001_DOCX = ROOT / "tests" / "corpus_docx"

_PROBE = """\
import json, sys
from matrix.cli.commands import main
sys.argv = ['dutymatrix', *{args!r}]
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
finally:
    # a module hidden on purpose (sys.modules[name] = None) is not imported
    print(json.dumps(sorted(k for k, v in sys.modules.items() if v is not None)), file=sys.stderr)
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANG", "LC_"))}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def imported_by(args: list[str], **env: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the console command with ``args`` in a fresh interpreter: its result and every
    module it imported beyond what the bare interpreter imports."""
    result = subprocess.run([sys.executable, "-c", _PROBE.format(args=args)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, env=_env(**env))
    assert result.returncode == 0, result.stderr[-2000:]
    return result, set(json.loads(result.stderr.strip().splitlines()[-1])) - _bare(**env)


def _bare(**env: str) -> set[str]:
    probe = "import json, sys; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True, env=_env(**env)).stdout
    return set(json.loads(out))


def packages(modules: set[str]) -> set[str]:
    """Top-level packages of ``modules``."""
    return {m.split(".")[0] for m in modules}


def ours(modules: set[str]) -> set[str]:
    """dutymatrix's own modules among ``modules``."""
    return {m for m in modules if m == "matrix" or m.startswith("matrix.")}


# What no command on a text plan needs: readers of other formats, the web page, the
# round's workbooks, and the libraries behind them.
NOT_FOR_TEXT = {"docx", "pypdfium2", "rapidocr_onnxruntime", "onnxruntime", "cv2", "numpy",
                "PIL", "starlette", "uvicorn", "jinja2", "multipart", "pydantic", "lxml",
                "defusedxml", "charset_normalizer", "chardet", "babel"}
READERS_NOT_FOR_TEXT = {"matrix.read.docx", "matrix.read.html", "matrix.read.pdf",
                        "matrix.read.pdftable", "matrix.read.ocr", "matrix.read.office",
                        "matrix.read.ofd", "matrix.read.sheet", "matrix.read.zipsafe",
                        "matrix.web", "matrix.round"}


@pytest.mark.parametrize("how", [{}, {"LANG": "zh_CN.UTF-8"}, {"args": ["--lang", "zh"]}],
                         ids=["english", "zh_CN locale", "--lang zh"])
def test_help_imports_click_and_our_command_table_only(how):
    env = {k: v for k, v in how.items() if k != "args"}
    result, modules = imported_by([*how.get("args", []), "--help"], **env)
    assert ("用法：" if how else "Usage:") in result.stdout
    assert not packages(modules) & {"pathlib", "lark", "pydantic", "openpyxl", "opencc",
                                    "regex", "tomllib", "platformdirs", "babel", "rich",
                                    "dataclasses", "signal"}
    # the command table and its translations; the command families' modules (which declare
    # their commands: click and the shared options only) to list them. Not what a command
    # sets up when it runs (signal clean-up, the kept dataclass code: matrix/precompiled)
    # nor the terminal's escaping (an error's message only)
    assert ours(modules) <= {"matrix", "matrix.cli", "matrix.cli.commands", "matrix.cli.clicktext",
                             "matrix.cli.common", "matrix.cli.diff", "matrix.cli.round",
                             "matrix.i18n"}


def test_parse_of_a_text_plan_imports_no_other_reader_nor_the_web_nor_workbooks(tmp_path):
    args = ["parse", str(SEED_001), "--format", "json"]
    imported_by(args, XDG_CACHE_HOME=str(tmp_path))  # the first run writes the departments cache
    result, modules = imported_by(args, XDG_CACHE_HOME=str(tmp_path))
    assert json.loads(result.stdout)
    assert not packages(modules) & (NOT_FOR_TEXT | {"openpyxl", "et_xmlfile", "xml"})
    # Lark (its tables are shipped: matrix/parse/lalr.py runs them) and its optional regex
    # module, the TOML parser (the departments come from the cache the first run wrote),
    # the HTML entities (seed 001 has none)
    assert not packages(modules) & {"lark", "regex", "tomllib", "html"}
    # the cache folder said without platformdirs (matrix/safety/cache.py); OpenCC not loaded
    # for a plan in simplified characters is pinned in tests/test_script.py (seed 001 is
    # printed in traditional ones)
    assert "platformdirs" not in packages(modules)
    assert not ours(modules) & READERS_NOT_FOR_TEXT
    assert not {m for m in ours(modules) if m.startswith("matrix.workbook")}
    # the other command families are imported only when one of their commands is looked up
    # (matrix/cli/commands.py LAZY_COMMANDS)
    assert not ours(modules) & {"matrix.cli.diff", "matrix.cli.round", "matrix.cli.terminal"}
    # the dataclasses' methods come from the kept bytecode (matrix/precompiled)
    assert {"matrix.precompiled", "matrix.safety.signals"} <= ours(modules)


def test_build_of_a_text_plan_imports_the_plan_workbook_only(tmp_path):
    out = tmp_path / "001.xlsx"
    _, modules = imported_by(["build", str(SEED_001), "-o", str(out)])
    assert out.is_file()
    # the plan workbook is written by our own package writer (matrix/workbook/xlsx.py): no
    # openpyxl, nor what it writes and reads through (lxml, defusedxml, et_xmlfile), nor Pillow
    assert not packages(modules) & (NOT_FOR_TEXT | {"openpyxl", "et_xmlfile"})
    assert not ours(modules) & READERS_NOT_FOR_TEXT
    # the plan workbook and what it draws with; not book (openpyxl), the diff, lists, returns,
    # summary, read-back
    assert {m for m in ours(modules) if m.startswith("matrix.workbook.")} <= {
        "matrix.workbook.cells", "matrix.workbook.chart", "matrix.workbook.hidden",
        "matrix.workbook.page", "matrix.workbook.plan", "matrix.workbook.xlsx"}


def test_a_state_council_plan_compiles_no_local_plan_pattern_it_does_not_use():
    # detecting that a State Council plan is not a local one is a cheap test: the local plans'
    # name patterns (matrix/parse/jurisdiction.py) are compiled on first use
    probe = ("import json\nfrom matrix.load.pipeline import parse_file\n"
             "from matrix.parse import jurisdiction as j\n"
             f"plan = parse_file({str(SEED_001)!r})\n"
             "from matrix.text.patterns import LazyPattern\n"
             "print(json.dumps({n: v.compiled for n, v in vars(j).items()\n"
             "                  if isinstance(v, LazyPattern)}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env=_env(), check=True).stdout
    compiled = json.loads(out.strip().splitlines()[-1])
    local_only = {"_GOV_LINE", "_GOV_ANY", "_OWN_PRACTICE", "_PLACE_HEAD", "_GENERIC",
                  "_PLACED_BRANCH", "_BRANCH", "_ZONE", "_GOVERNMENT"}
    assert local_only <= set(compiled)
    assert not [n for n in local_only if compiled[n]]


def test_a_lazy_pattern_is_the_pattern_once_used():
    import re

    from matrix.text.patterns import lazy

    text = "广东省人民政府办公厅关于印发某方案的通知\n结合我市实际"
    for source, flags in ((r"(\w{2,3}?)省", 0), (r"^结合(.)", re.M)):
        p, q = lazy(source, flags), re.compile(source, flags)
        assert not p.compiled and p.pattern == q.pattern
        assert p.findall(text) == q.findall(text) and p.compiled
        assert p.sub("-", text) == q.sub("-", text)
        assert [m.span() for m in p.finditer(text)] == [m.span() for m in q.finditer(text)]
        assert p.flags == q.flags and p.groups == q.groups
        assert p.search(text).group(1) == q.search(text).group(1)
    with pytest.raises(AttributeError):
        lazy("a").nonsense


def test_local_plans_still_find_their_government():
    from matrix.parse.jurisdiction import detect_jurisdiction
    from collections import Counter

    found = detect_jurisdiction(["滁州市人民政府办公室关于印发某方案的通知"], "某方案", "滁政办〔2023〕5号",
                                [], Counter({"市": 3}), 0)
    assert (found.level, found.name) == ("city", "滁州市")


def test_the_packaged_departments_are_read_from_the_cache_the_second_time(tmp_path, monkeypatch):
    # tomllib is pure Python (tens of ms on the packaged data): the second run reads the
    # validated JSON cache in the user's cache folder instead
    import tomllib

    from matrix import departments

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = departments.Registry([departments.packaged_data()])
    assert list((tmp_path / "cache" / "dutymatrix" / "departments").glob("departments-*.json"))

    def refuse(*args, **kwargs):
        raise AssertionError("the departments TOML was parsed again")

    monkeypatch.setattr(tomllib, "loads", refuse)
    second = departments.Registry([departments.packaged_data()])
    assert [d.name for d in second.all()] == [d.name for d in first.all()]
    assert [d.generic for d in second.all()] == [d.generic for d in first.all()]


def test_the_command_line_keeps_its_own_bytecode_where_python_would_not(tmp_path):
    """PYTHONDONTWRITEBYTECODE set and no bytecode (an editable install): the first command
    compiles the modules of ``matrix`` it imported into their __pycache__ once, the next ones
    read them and write nothing; DUTYMATRIX_NO_BYTECODE=1 keeps none."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT, SEED_001

    def copy(name):
        folder = tmp_path / name
        shutil.copytree(ROOT / "matrix", folder / "matrix",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "grammar", folder / "grammar")
        return folder

    def run(folder, **env):
        subprocess.run([sys.executable, "-m", "matrix", "parse", str(SEED_001), "--format",
                        "json"], cwd=folder, check=True, capture_output=True,
                       env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env})
        return {p: p.stat().st_mtime_ns for p in (folder / "matrix").rglob("*.pyc")}

    kept = copy("kept")
    first = run(kept)
    names = {p.relative_to(kept / "matrix").parts[0] for p in first}
    assert {"__pycache__", "cli", "load", "parse", "text"} <= names, names
    assert any(p.name.startswith("commands.") for p in first)
    assert run(kept) == first  # read, not written again
    assert run(copy("none"), DUTYMATRIX_NO_BYTECODE="1") == {}


# ── the command families loaded when a command is looked up (cli/commands.py LAZY_COMMANDS) ──

@pytest.mark.parametrize("typo, command", [("dif", "diff"), ("remnd", "remind"),
                                           ("colect", "collect"), ("buidl", "build")])
def test_a_mistyped_command_is_offered_the_lazy_ones_too(typo, command):
    from click.testing import CliRunner

    from matrix.cli.commands import cli

    result = CliRunner().invoke(cli, ["--lang", "en", typo])
    assert result.exit_code == 2
    assert f"Did you mean '{command}'?" in result.output


def test_a_lazy_commands_help_names_its_paths_as_the_others_do():
    # click names a path's kind in the language of the moment its parameter is made: a
    # command module imported after --lang zh named it 路径, the others PATH
    from click.testing import CliRunner

    from matrix.cli.commands import LAZY_COMMANDS, cli

    assert set(LAZY_COMMANDS) <= set(cli.list_commands(None))
    for command in ("diff", "dispatch", "collect", "build"):
        result = CliRunner().invoke(cli, ["--lang", "zh", command, "--help"])
        assert result.exit_code == 0
        assert "-o, --output PATH" in result.output, result.output

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
                                    "regex", "tomllib", "platformdirs", "babel", "rich"}
    # the command table, its translations, and what main() sets up (signal clean-up, the
    # terminal's escaping: its patterns compiled on first use)
    # (the command families' modules declare their commands: click and the shared options only)
    assert ours(modules) <= {"matrix", "matrix.cli", "matrix.cli.commands", "matrix.cli.clicktext",
                             "matrix.cli.common", "matrix.cli.diff", "matrix.cli.round",
                             "matrix.i18n", "matrix.safety", "matrix.safety.signals",
                             "matrix.text", "matrix.text.safe", "matrix.text.patterns"}


def test_parse_of_a_text_plan_imports_no_other_reader_nor_the_web_nor_workbooks(tmp_path):
    args = ["parse", str(SEED_001), "--format", "json"]
    imported_by(args, XDG_CACHE_HOME=str(tmp_path))  # the first run writes the departments cache
    result, modules = imported_by(args, XDG_CACHE_HOME=str(tmp_path))
    assert json.loads(result.stdout)
    assert not packages(modules) & (NOT_FOR_TEXT | {"openpyxl", "et_xmlfile", "xml"})
    # Lark's optional regex module (matrix.hide_unused_modules), the TOML parser (the
    # departments come from the cache the first run wrote),
    # the HTML entities (seed 001 has none)
    assert not packages(modules) & {"regex", "tomllib", "html"}
    assert not ours(modules) & READERS_NOT_FOR_TEXT
    assert not {m for m in ours(modules) if m.startswith("matrix.workbook")}


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


# ── the parse tables, kept between runs (matrix/parse/tables.py) ──────────────────────────

def _parsers(monkeypatch, tmp_path):
    from matrix.parse.parser import LineLexer, build_parser
    from matrix.parse.transform import UnitBuilder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return [build_parser("plan.lark", lexer=LineLexer, transformer=UnitBuilder()),
            build_parser("trailer.lark", lexer="contextual"),
            build_parser("deadline.lark", lexer="basic")]


def test_the_parse_tables_are_read_from_the_cache_and_parse_alike(monkeypatch, tmp_path):
    import lark

    from matrix.load.pipeline import parse_text

    built = _parsers(monkeypatch, tmp_path)
    folder = tmp_path / "cache" / "dutymatrix" / "grammar"
    files = sorted(folder.glob("tables-*.json"))
    assert len(files) == 3 and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert folder.stat().st_mode & 0o777 == 0o700

    def refuse(*args, **kwargs):
        raise AssertionError("the grammar was built again")

    monkeypatch.setattr(lark.Lark, "__init__", refuse)
    cached = _parsers(monkeypatch, tmp_path)
    text = SEED_001.read_text(encoding="utf-8")
    assert [p.options.lexer for p in cached] == [p.options.lexer for p in built]
    trailer = "国家发展改革委牵头，财政部、市场监管总局按职责分工负责，2025年底前完成"
    assert cached[1].parse(trailer) == built[1].parse(trailer)
    assert str(built[0].parse(text)) == str(cached[0].parse(text))
    assert parse_text(text, "001.txt").tasks


@pytest.mark.parametrize("spoil", ["others-can-write", "not-json", "another-grammar", "junk",
                                   "untagged-object", "list-key", "lexer-mark"])
def test_a_table_cache_that_cannot_be_trusted_is_not_read(monkeypatch, tmp_path, spoil):
    import lark

    _parsers(monkeypatch, tmp_path)
    folder = tmp_path / "cache" / "dutymatrix" / "grammar"
    for f in folder.glob("tables-*.json"):
        if spoil == "others-can-write":
            os.chmod(f, 0o666)
        elif spoil == "not-json":
            f.write_bytes(b"\x80\x04\x95 a pickle, say")
        elif spoil == "another-grammar":
            data = json.loads(f.read_text(encoding="utf-8"))
            data["sha256"] = "0" * 64
            f.write_text(json.dumps(data), encoding="utf-8")
        elif spoil in ("untagged-object", "list-key", "lexer-mark"):
            # the right head over data no encoder wrote: refused while it is decoded
            data = json.loads(f.read_text(encoding="utf-8"))
            data["memo"] = {"untagged-object": {"d": [[0, {"x": 1}]]},
                            "list-key": {"d": [[[0], 1]]},
                            "lexer-mark": {"d": [[0, {"lexer": 2}]]}}[spoil]
            f.write_text(json.dumps(data), encoding="utf-8")
        else:
            f.write_text(json.dumps({"format": 1, "sha256": f.stem, "data": {"x": 1},
                                     "memo": []}), encoding="utf-8")
    calls = []
    real = lark.Lark.__init__

    def counting(self, *args, **kwargs):
        calls.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(lark.Lark, "__init__", counting)
    _parsers(monkeypatch, tmp_path)
    assert len(calls) == 3  # each built again from the grammar


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

# ── the trailer's contextual lexer: one alternation for all its states (parser.share_scanners) ──

def _trailers() -> list[str]:
    """Every bracketed text of the seeds and the test corpus: trailers, and much that is not."""
    import re

    texts = set()
    for f in [*ROOT.glob("seeds/*.txt"), *ROOT.glob("tests/corpus/*.txt")]:
        texts.update(re.findall(r"[（(]([^（）()]{2,200})[）)]", f.read_text(encoding="utf-8")))
    return sorted(texts)


def _outcome(parser, text):
    from lark.exceptions import UnexpectedInput

    try:
        return parser.parse(text)
    except UnexpectedInput as e:  # the same error, at the same place, expecting the same
        return type(e).__name__, str(e)


def test_the_trailer_lexer_compiles_one_alternation_and_lexes_as_lark_does():
    from matrix.parse.parser import build_parser, share_scanners, trailer_parser

    plain = build_parser("trailer.lark", lexer="contextual")
    shared = share_scanners(build_parser("trailer.lark", lexer="contextual"))
    texts = _trailers()
    assert len(texts) > 100
    assert [_outcome(shared, t) for t in texts] == [_outcome(plain, t) for t in texts]
    # every state's scanner asks the one master alternation: nothing compiled per state
    lexers = {id(x): x for x in shared.parser.lexer.lexers.values()}.values()
    masters = {id(x.scanner.master) for x in lexers if x.terminals}
    assert len(masters) == 1
    # and the parser the pipeline uses is built so
    used = trailer_parser()
    used.parse("国家发展改革委牵头，财政部负责")
    assert {type(x._scanner).__name__ for x in used.parser.lexer.lexers.values()
            if x._scanner is not None} == {"_SharedScanner"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["国家发展改革委", "财政部", "前海管理局", "牵头", "负责", "会同", "、", "，", "；", "按职责分工",
     "2025年底前", "年底前", "长期坚持", "各地区", "省", "等", "和", "及", "★", "（", "）",
     "完成时限：", "适用范围：", "下同", "配合", "指导", "持续推进", "x", "1"]), max_size=12))
def test_the_shared_trailer_scanner_reads_any_text_as_lark_does(words):
    text = "".join(words)
    plain, shared = _plain_and_shared()
    assert _outcome(shared, text) == _outcome(plain, text)


@functools.cache
def _plain_and_shared():
    from matrix.parse.parser import build_parser, share_scanners

    return (build_parser("trailer.lark", lexer="contextual"),
            share_scanners(build_parser("trailer.lark", lexer="contextual")))

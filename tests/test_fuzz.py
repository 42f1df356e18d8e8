"""No traceback, ever, for any input file (issue 6).

Three nets over the whole pipeline (reader → reflow → normalise → parser → records):

* hypothesis properties over ``parse_bytes`` and ``parse_text`` with text made of plan pieces
  (numbers, trailers, parentheses, department names, punctuation, NUL, BOMs, random Unicode);
* the mutation fuzzer of ``fuzz/fuzz.py`` over windows of the seeds and corpus documents, at
  least 20,000 inputs (``DUTYMATRIX_FUZZ_N`` sets another count; ``python fuzz/fuzz.py --n
  200000`` is the long run);
* a sample of the mutated inputs through the command line, which must exit 0 or 1 and never
  print a traceback.

Every input must end in a ``Plan`` or in a ``MatrixError`` whose message starts with the file
name; a ``MatrixParseError`` that names a line names one inside the input (or −1, end of file).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import time

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix.errors import MatrixError, MatrixParseError
from matrix.models import Plan
from matrix.load.pipeline import parse_bytes, parse_text
from tests.conftest import ROOT

CI_INPUTS = 20_000  # what CI runs; the issue asks for at least this many
SEED = 1  # the fuzzer's run seed: case i is the same input on every machine


def _load_fuzz():
    spec = importlib.util.spec_from_file_location("dutymatrix_fuzz", ROOT / "fuzz" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pickling a Failure from a worker needs the module by name
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzz()


def fuzz_count() -> int:
    """How many mutated inputs to run: ``DUTYMATRIX_FUZZ_N``, else ``CI_INPUTS``."""
    return int(os.environ.get("DUTYMATRIX_FUZZ_N", CI_INPUTS))


def line_count(data: bytes | str) -> int:
    """Lines of an input as an editor counts them (an upper bound for bytes in any encoding)."""
    if isinstance(data, str):
        return len(re.split(r"\r\n|\r|\n", data))
    return data.count(b"\n") + data.count(b"\r") + 1


def assert_plan_or_error(parse, data: bytes | str, name: str) -> None:
    """``parse(data, name)`` gives a Plan or a MatrixError that names the file (and a real line)."""
    try:
        plan = parse(data, name)
    except MatrixError as e:
        assert str(e).startswith(name), str(e)
        if isinstance(e, MatrixParseError) and e.line is not None:
            assert e.line == -1 or 1 <= e.line <= line_count(data), (e.line, str(e))
    else:
        assert isinstance(plan, Plan)
        json.dumps(plan.to_json(), ensure_ascii=False)  # what `parse --format json` prints


# ---------------------------------------------------------------------------------------------
# Properties


def _trailer(depts: list[str], verb: str, close: str) -> str:
    return "（" + "、".join(depts) + verb + close


_department = st.sampled_from(fuzz.DEPARTMENTS) | st.text(min_size=1, max_size=6)
_piece = st.one_of(
    st.sampled_from(fuzz.NUMBERS).map(lambda n: "\n" + n),
    st.sampled_from(fuzz.NUMBERS),
    st.sampled_from(fuzz.TRAILERS),
    st.builds(_trailer, st.lists(_department, min_size=0, max_size=4),
              st.sampled_from(fuzz.KEYWORDS), st.sampled_from(["）", "", "）。", ")", "（", "〕"])),
    st.sampled_from(fuzz.KEYWORDS),
    st.sampled_from(fuzz.DEPARTMENTS),
    st.sampled_from(fuzz.DEADLINES),
    st.sampled_from(fuzz.PARENS),
    st.sampled_from(fuzz.PUNCTUATION),
    st.sampled_from(["\n", "\n", "\r\n", "\r", "\x00", "\ufeff", " ", "\u3000", "\f"]),
    st.sampled_from(fuzz.ENTITIES + fuzz.TAGS + fuzz.PINYIN),
    st.sampled_from(["加强监管", "推进改革。", "省（区、市）", "（以下简称“方案”）", "（2022-2025年）"]),
    st.text(max_size=8),  # random Unicode
)
plan_like = st.lists(_piece, max_size=80).map("".join)
_surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
text_with_surrogates = st.lists(_piece | _surrogate, max_size=80).map("".join)
_encodings = st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "gb18030", "big5",
                              "utf-16", "utf-16-le", "utf-32"])
_names = st.sampled_from(["fuzz.txt", "fuzz.txt", "fuzz.html", "fuzz.md", "fuzz.docx", "<stdin>"])
_settings = settings(max_examples=int(os.environ.get("DUTYMATRIX_FUZZ_EXAMPLES", 400)),
                     deadline=None, suppress_health_check=list(HealthCheck))


@_settings
@given(plan_like, _encodings, _names)
def test_parse_bytes_never_raises_anything_but_a_matrix_error(text, encoding, name):
    data = text.encode(encoding, "replace")
    assert_plan_or_error(parse_bytes, data, name)


@_settings
@given(text_with_surrogates, _names)
def test_parse_text_never_raises_anything_but_a_matrix_error(text, name):
    assert_plan_or_error(parse_text, text, name)


@_settings
@given(plan_like, st.binary(max_size=64), st.integers(min_value=0))
def test_spliced_bytes_never_raise_anything_but_a_matrix_error(text, junk, at):
    """Random bytes (or a GB18030 piece) spliced into a UTF-8 plan."""
    data = text.encode("utf-8")
    at %= len(data) + 1
    assert_plan_or_error(parse_bytes, data[:at] + junk + data[at:], "fuzz.txt")
    piece = text[:40].encode("gb18030", "replace")
    assert_plan_or_error(parse_bytes, data[:at] + piece + data[at:], "fuzz.txt")


@pytest.mark.parametrize("text", [
    "一、\n（一）（（（（\n",
    "（一）甲。（财政部负责",
    "（一）甲。（" + "负责" * 3000 + "\n",
    "\x00（一）\x00甲。\x00（财政部负责）\x00\n",
    "一、甲\ufeff\n\ufeff（一）乙。（财政部负责）\n",
    "一、甲&#10;&#10;\n（一）乙。（财政部&#10;负责）\n",
    "（一）" + "（" * 5000,
    "\ud800（一）甲。（财政部负责）\udfff\n",
])
def test_hand_picked_breakage(text):
    assert_plan_or_error(parse_text, text, "fuzz.txt")
    assert_plan_or_error(parse_bytes, text.encode("utf-8", "surrogatepass"), "fuzz.txt")


_TABLE_CELL = "<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def _table(*rows: list[tuple[str, str]]) -> str:
    return "<w:tbl>" + "".join(
        "<w:tr>" + "".join(_TABLE_CELL.format(props=props, text=text) for props, text in row)
        + "</w:tr>" for row in rows) + "</w:tbl>"


@pytest.mark.parametrize("table", [
    _table([("<w:tcPr><w:gridSpan w:val=\"abc\"/></w:tcPr>", "序号")]),
    _table([("<w:tcPr><w:gridSpan w:val=\"1.5\"/></w:tcPr>", "序号")]),
    _table([("<w:tcPr><w:vMerge/></w:tcPr>", "序号"), ("", "重点任务")]),
    _table([("", "序号")], [("", "1"), ("<w:tcPr><w:vMerge/></w:tcPr>", "x")]),
], ids=["span-abc", "span-1.5", "vmerge-first-row", "ragged-rows"])
def test_a_docx_with_a_damaged_table_gives_a_matrix_error(table):
    body = "<w:p><w:r><w:t>（一）加强监管。（财政部负责）</w:t></w:r></w:p>" + table
    assert_plan_or_error(parse_bytes, fuzz.docx_from_xml(body), "fuzz.docx")


# ---------------------------------------------------------------------------------------------
# The mutation fuzzer


def test_fuzzer_cases_are_reproducible():
    """Case i of a seed is the same input whatever ran before: a failure can be replayed."""
    sources = fuzz.load_sources()
    again = [fuzz.make_case(SEED, i, sources).input_bytes() for i in (7, 3, 7, 12_345)]
    assert again[0] == again[2] and again[0] != again[1]
    case = fuzz.make_case(SEED, 12_345, sources)
    assert case.input_bytes() == again[3] and str(case.index) in case.describe()


def test_fuzzer_makes_every_kind_of_damage():
    """The mutations named in issue 6 all occur within the CI cases."""
    sources = fuzz.load_sources()
    seen = {step.split("(")[0] for i in range(2_000)
            for step in fuzz.make_case(SEED, i, sources).steps}
    for kind in ("to_docx", "flip_bytes", "truncate_bytes", "truncate_text", "delete_parens",
                 "duplicate_parens", "shuffle_lines", "long_line", "insert_nul", "splice_gb18030",
                 "bom_in_middle", "bom_bytes", "delete_newlines", "random_unicode",
                 "invisible_chars", "long_names"):
        assert kind in seen, kind


def test_mutated_seeds_and_corpus_never_give_a_traceback(tmp_path):
    """At least 20,000 mutated windows of the seeds and corpus documents (issue 6)."""
    n = fuzz_count()
    jobs = min(2, os.cpu_count() or 1)
    began = time.perf_counter()
    stats = fuzz.run_many(SEED, 0, n, jobs=jobs)
    seconds = time.perf_counter() - began
    if stats.failure is not None:
        info = fuzz.write_reproducer(stats.failure, tmp_path)
        pytest.fail(f"{stats.failure}\n\nreproducer: {info}", pytrace=False)
    print(f"\nfuzz: {fuzz.summary(stats, seconds)}")
    # Bugs reported to the owners of other modules (fuzz.KNOWN_ISSUES) are counted, not failed;
    # test_a_docx_with_a_damaged_table_gives_a_matrix_error shows them as xfail.
    assert set(k for k in stats.outcomes if k.startswith("known:")) <= {
        f"known:{name}" for name in fuzz.KNOWN_ISSUES}
    assert stats.done == n
    if "DUTYMATRIX_FUZZ_N" not in os.environ:
        assert stats.done >= 20_000
    # The inputs reach the parser: they are not all refused at the door.
    if n >= 1_000:
        assert stats.outcomes["Plan"] >= n // 5
        assert stats.outcomes["MatrixInputError"] >= n // 20


CLI_SAMPLE = 150


def test_mutated_inputs_through_the_cli_exit_0_or_1_without_traceback(tmp_path):
    """A sample of the mutated inputs through ``dutymatrix parse FILE --format json``."""
    from matrix.cli.commands import cli

    sources = fuzz.load_sources()
    runner = CliRunner()
    exits = {0: 0, 1: 0}
    for i in range(CLI_SAMPLE):
        case = fuzz.make_case(SEED, i * 131 + 5, sources)
        path = tmp_path / case.name
        path.write_bytes(case.input_bytes())
        result = runner.invoke(cli, ["parse", str(path), "--format", "json"])
        where = case.describe()
        assert result.exit_code in (0, 1), (where, result.exit_code, result.output[-2000:])
        assert "Traceback" not in result.output, (where, result.output[-2000:])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            where, repr(result.exception))
        if result.exit_code == 0:
            assert json.loads(result.stdout)["source"]["path"] == str(path), where
        else:
            assert result.output.startswith(f"Error: {path}"), (where, result.output[:500])
        exits[result.exit_code] += 1
    assert exits[0] and exits[1]


# ---------------------------------------------------------------------------------------------
# Output targets (issue 13)

TARGET_SAMPLE = 60


def test_hostile_output_targets_are_written_or_refused_never_replaced(tmp_path, monkeypatch):
    """``filter`` and ``build`` to every kind of ``-o`` target of ``fuzz.hostile_target``: exit
    0 or 1, no traceback, no special file replaced, nothing written outside the folder."""
    import random
    import stat

    from matrix.cli.commands import cli
    from tests.conftest import SEED_001

    runner = CliRunner()
    monkeypatch.setattr("matrix.safety.writes.FIFO_WAIT_SECONDS", 0.1)  # nobody reads the FIFOs
    kinds = set()
    for i in range(TARGET_SAMPLE):
        rng = random.Random(f"dutymatrix-targets:{i}")
        folder = tmp_path / str(i)
        folder.mkdir()
        command, suffix = rng.choice([(["filter", str(SEED_001), "--format", "json"], ".json"),
                                      (["filter", str(SEED_001), "--format", "csv"], ".csv"),
                                      (["build", str(SEED_001)], ".xlsx")])
        target, kind = fuzz.hostile_target(rng, folder, suffix)
        kinds.add(kind)
        before = {p: p.lstat() for p in folder.rglob("*")}
        result = runner.invoke(cli, [*command, "-o", str(target)])
        where = f"case {i}: {kind} {command[0]}"
        assert result.exit_code in (0, 1), (where, result.output[-1000:])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            where, repr(result.exception))
        assert "Traceback" not in result.output, where
        for path, info in before.items():
            if not stat.S_ISREG(info.st_mode):  # links, FIFOs, devices, folders stay what they were
                assert stat.S_IFMT(path.lstat().st_mode) == stat.S_IFMT(info.st_mode), where
        if kind in ("existing-text",) and suffix == ".xlsx":
            assert result.exit_code == 1 and target.read_bytes() == b"someone's notes", where
        if kind == "foreign-zip":
            assert result.exit_code == 1, where
        assert not list(folder.rglob(".*.tmp")) and not list(folder.rglob(".out.*")), where
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(map(str, range(TARGET_SAMPLE)))
    assert kinds >= set(fuzz.TARGET_KINDS) - {"device", "missing"}

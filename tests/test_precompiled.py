"""The dataclass methods kept compiled (matrix/precompiled, issue 27): the committed texts are
what the generator makes, a command compiles none of ours again, and the records made through
the kept code are the very dataclasses ``dataclasses`` makes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import pytest

from matrix import precompiled
from matrix.precompiled import text_0
from tests.conftest import ROOT, SEED_001

GENERATING_PYTHON = sys.version_info[:2] == tuple(map(int, text_0.PYTHON.split(".")))


def _run(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120, env=env).stdout


@pytest.mark.skipif(not GENERATING_PYTHON, reason=f"the texts were made by {text_0.PYTHON}")
def test_the_committed_texts_are_what_the_generator_makes():
    files = precompiled.generate()
    committed = {p.name: p.read_text(encoding="utf-8")
                 for p in (ROOT / "matrix" / "precompiled").glob("text_*.py")}
    assert files == committed, "stale: run python -m matrix.precompiled"


_COUNT_MISSES = """
import io, json, sys
from matrix import precompiled
missed = []
real = precompiled._real_exec
def counting(source, globals=None, locals=None, /, **kwargs):
    if str((globals or {}).get("__name__", "")).startswith("matrix"):
        missed.append(source.split(chr(10))[1].strip()[:60])
    return real(source, globals, locals, **kwargs)
precompiled._real_exec = counting
from matrix.cli.commands import main
sys.argv = ["dutymatrix", *sys.argv[1:]]
out, sys.stdout = sys.stdout, io.StringIO()
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
finally:
    sys.stdout = out
import dataclasses
print(json.dumps([missed, getattr(dataclasses, "exec", None) is precompiled._exec]))
"""


@pytest.mark.skipif(not GENERATING_PYTHON, reason=f"the texts were made by {text_0.PYTHON}")
@pytest.mark.parametrize("command", ["parse", "build"])
def test_a_command_compiles_no_dataclass_text_of_ours(command, tmp_path):
    args = ([str(SEED_001), "--format", "json"] if command == "parse"
            else [str(SEED_001), "-o", str(tmp_path / "001.xlsx")])
    missed, installed = json.loads(_run(_COUNT_MISSES, command, *args).splitlines()[-1])
    assert installed
    assert missed == [], "a dataclass not kept: add its module to MODULES, then regenerate"


def test_help_installs_nothing():
    missed, installed = json.loads(_run(_COUNT_MISSES, "--help").splitlines()[-1])
    assert not installed


def _shape(code: types.CodeType) -> tuple:
    """A code object without where it was compiled (file, first line, positions)."""
    return (code.co_name, code.co_argcount, code.co_kwonlyargcount, code.co_flags,
            code.co_code, code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars,
            tuple(_shape(c) if isinstance(c, types.CodeType) else c for c in code.co_consts))


def test_each_kept_function_is_what_exec_compiles_from_its_text():
    kept = precompiled.kept()
    assert len(kept) > 100
    for text, code in kept.items():
        namespace: dict = {}
        # as dataclasses.py compiles it: no __future__ flag of ours (this file has one)
        exec(compile(text, "<string>", "exec", dont_inherit=True), {}, namespace)
        (defined,) = namespace.values()
        assert _shape(defined.__code__) == _shape(code), text[:80]


_RECORDS = r"""
import dataclasses, json, pickle, re, sys
if sys.argv[1] == "kept":
    from matrix import precompiled
    precompiled.install()
from matrix import records as r
from matrix.load.pipeline import parse_file
plan = parse_file(sys.argv[2])
task = plan.tasks[0]
out = {}
out["from_kept"] = r.Task.__init__.__code__.co_filename.endswith(".py")
for cls in (r.Department, r.Assignment, r.TaskDeadline, r.Task, r.Clause, r.ParseWarning,
            r.Jurisdiction, r.Document, r.Source, r.Plan):
    out[cls.__name__] = [re.sub(" at 0x[0-9a-f]+", "", repr(dataclasses.fields(cls))),
                         repr(cls.__dataclass_params__),
                         cls.__match_args__, cls.__slots__, str(cls.__init__.__annotations__),
                         cls.__init__.__kwdefaults__ is not None and sorted(
                             (k, repr(v)) for k, v in cls.__init__.__kwdefaults__.items()),
                         cls.__hash__ is not None, cls.__qualname__,
                         [getattr(cls, m).__qualname__ for m in
                          ("__init__", "__repr__", "__eq__", "__setattr__", "__delattr__")]]
out["repr"] = repr(task)
out["eq"] = [task == dataclasses.replace(task), task == dataclasses.replace(task, line=0),
             task.__eq__(1) is NotImplemented, hash(task) == hash(dataclasses.replace(task))]
try:
    task.line = 3
except dataclasses.FrozenInstanceError as e:
    out["frozen"] = str(e)
try:
    del task.line
except dataclasses.FrozenInstanceError as e:
    out["frozen del"] = str(e)
out["slots"] = not hasattr(task, "__dict__")
out["pickle"] = pickle.loads(pickle.dumps(plan)) == plan
out["asdict"] = json.dumps(dataclasses.asdict(task), ensure_ascii=False, default=str)
out["pydantic"] = r.Plan.from_json(plan.to_json()) == plan
try:
    r.Department(name=1, extra=2)
except TypeError as e:
    out["bad init"] = str(e)
out["schema"] = sorted(r.json_schema()["$defs"])
print(json.dumps(out, ensure_ascii=False))
"""


def test_records_made_through_the_kept_code_are_the_same_dataclasses():
    plain = json.loads(_run(_RECORDS, "plain", str(SEED_001)))
    kept = json.loads(_run(_RECORDS, "kept", str(SEED_001)))
    assert kept.pop("from_kept") is True and plain.pop("from_kept") is False
    assert kept == plain
    assert plain["eq"] == [True, False, True, True] and plain["slots"] and plain["pickle"]
    assert "cannot assign to field 'line'" in plain["frozen"] and plain["pydantic"]

"""The records (matrix.records): plain frozen dataclasses, validated by pydantic only at the
edges (JSON, a workbook read back, the schema), and the command line's hot path free of pydantic."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from matrix import records
from matrix.errors import NoClausesError
from matrix.workbook import read_workbook, write_workbook
from matrix.load.pipeline import parse_file
from tests.conftest import CORPUS, ROOT, SEED_001, SEED_003, SEEDS

DOCUMENTS = sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))
KINDS = ["Department", "Assignment", "Task", "Clause", "ParseWarning", "Jurisdiction", "Document",
         "Source", "Plan"]


@pytest.mark.parametrize("name", KINDS)
def test_every_record_is_a_frozen_dataclass_with_slots(name):
    cls = getattr(records, name)
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    assert "__slots__" in cls.__dict__ and not hasattr(cls.__new__(cls), "__dict__")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_json_validated_back_gives_the_same_records(path):
    try:
        plan = parse_file(path)
    except NoClausesError:
        return
    again = records.Plan.from_json(json.loads(json.dumps(plan.to_json(), ensure_ascii=False)))
    assert type(again) is records.Plan and type(again.documents[0]) is records.Document
    assert again == plan and hash(again) == hash(plan) and len({again, plan}) == 1
    assert again.to_json() == plan.to_json()
    assert records.validated(plan) == plan


def test_nested_records_are_records():
    made = parse_file(SEED_003)
    untitled = next(d for d in made.documents if not d.tasks)
    assert all(type(t) is records.Task for t in records.task_rows(untitled))
    assert all(type(a) is records.Assignment for t in parse_file(SEED_001).tasks
               for a in t.assignments)


def test_a_workbook_reads_back_into_records(tmp_path):
    write_workbook(parse_file(SEED_001), tmp_path / "a.xlsx")
    back = read_workbook(tmp_path / "a.xlsx")
    assert type(back) is records.Plan
    assert all(type(t) is records.Task for t in back.tasks)


def test_records_are_frozen_and_compared_by_value():
    a = records.Assignment(department="财政部", as_printed="财政部", role=records.Role.lead)
    b = records.Assignment(department="财政部", role=records.Role.lead, as_printed="财政部")
    assert a == b and hash(a) == hash(b) and {a, b} == {a}
    assert a != records.Assignment(department="财政部", as_printed="财政部",
                                   role=records.Role.support)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.role = records.Role.guide
    with pytest.raises(TypeError):
        records.Assignment(department="财政部")
    with pytest.raises(TypeError):
        records.Assignment(department="财政部", as_printed="x", role="lead", colour="red")
    assert repr(a).startswith("Assignment(department='财政部'")


def test_a_library_process_keeps_openpyxl_numpy_support():
    # only the command line hides numpy from openpyxl (matrix._own_process)
    code = ("import matrix.workbook, numpy, openpyxl  # matrix.workbook first: it imports openpyxl\n"
            "wb = openpyxl.Workbook(); wb.active['A1'] = numpy.int64(3)\n"
            "print(wb.active['A1'].value)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "3"


def test_records_are_validated_at_the_edges():
    with pytest.raises(ValidationError):
        records.validate(records.Task, dict(number="（一）", title="t", text="", line="not a line"))
    with pytest.raises(ValidationError):
        records.validate(records.Task, dict(number="（一）", title="t", text="", line=1,
                                            assignments=[{"department": "x"}]))
    with pytest.raises(ValidationError):  # no unknown field
        records.validate(records.Source, dict(path="p", sha256="s", colour="red"))
    task = records.validate(records.Task, dict(
        number="（一）", title="t", text="", line=1,
        assignments=[{"department": "x", "as_printed": "x", "role": "lead"}]))
    assert isinstance(task.assignments, tuple) and isinstance(task.assignments[0], records.Assignment)
    assert task.assignments[0].role is records.Role.lead and task.label == "（一）"
    warning = records.validate(records.ParseWarning, dict(message="m", params={"name": "x"}))
    assert warning.params == (("name", "x"),)
    assert "Assignment" in records.json_schema()["$defs"]


def _modules_imported_by(args: list[str]) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the console command with ``args`` in a fresh interpreter; its result and the
    top-level packages it imported."""
    probe = ("import json, sys\nfrom matrix.cli.commands import main\n"
             f"sys.argv = ['dutymatrix', *{args!r}]\n"
             "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
             "finally:\n    print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), "
             "file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    return result, set(json.loads(result.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("command", [
    ["parse", str(SEED_001), "--format", "json"],
    ["build", str(SEED_001), "-o", "{tmp}/001.xlsx"],
    ["filter", str(SEED_001), "--dept", "国家卫健委", "--format", "json"],
])
def test_commands_on_text_plans_do_not_import_pydantic_or_numpy(command, tmp_path):
    # importing pydantic costs more than parsing a plan; the hot path must not pay for it
    result, modules = _modules_imported_by([a.replace("{tmp}", str(tmp_path)) for a in command])
    assert result.returncode == 0, result.stderr
    assert "pydantic" not in modules
    assert "numpy" not in modules  # openpyxl would import it (matrix/workbook/book.py hides it)
    if command[0] == "parse":
        assert json.loads(result.stdout) == parse_file(SEED_001).to_json()
    elif command[0] == "filter":
        assert [t["number"] for t in json.loads(result.stdout)] == [
            "（一）", "（二）", "（三）", "（十一）", "（十三）"]
    else:
        assert Path(tmp_path / "001.xlsx").is_file()


def _interpreter_modules() -> set[str]:
    """What the bare interpreter imports before any of our code (site hooks may import pathlib)."""
    probe = "import json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    return set(json.loads(result.stdout))


def test_help_imports_only_click():
    result, modules = _modules_imported_by(["--help"])
    assert "Usage:" in result.stdout
    heavy = {"pathlib", "lark", "pydantic", "openpyxl", "opencc", "rich"}
    assert not (modules - _interpreter_modules()) & heavy


def test_records_pickle_and_copy():
    import copy
    import pickle

    plan = parse_file(SEED_001)
    assert pickle.loads(pickle.dumps(plan)) == plan
    assert copy.deepcopy(plan) == plan
    assert hash(copy.deepcopy(plan.tasks[0])) == hash(plan.tasks[0])

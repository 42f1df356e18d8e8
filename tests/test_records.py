"""Lean records (matrix.records) and pydantic records (matrix.models): one declaration, the same
results, and the command line's hot path free of pydantic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from matrix import models, records
from matrix.errors import NoClausesError
from matrix.workbook import read_workbook, write_workbook
from matrix.load.pipeline import parse_file
from tests.conftest import CORPUS, ROOT, SEED_001, SEED_003, SEEDS

DOCUMENTS = sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))
KINDS = ["Department", "Assignment", "Task", "Clause", "ParseWarning", "Document", "Source", "Plan"]


@pytest.mark.parametrize("name", KINDS)
def test_every_model_has_the_fields_of_its_record(name):
    lean, model = getattr(records, name), getattr(models, name)
    assert issubclass(model, lean)
    shape = records.layout(lean)
    assert tuple(model.model_fields) == shape.fields
    for field, info in model.model_fields.items():
        assert info.is_required() == (field in shape.required)
        if not info.is_required():
            assert info.default == shape.defaults[field]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_lean_and_pydantic_parse_give_the_same_records(path):
    try:
        validated = parse_file(path)
    except NoClausesError:
        with pytest.raises(NoClausesError):
            parse_file(path, lean=True)
        return
    lean = parse_file(path, lean=True)
    assert type(lean) is records.Plan and type(lean.documents[0]) is records.Document
    assert lean.to_json() == validated.to_json()
    assert lean == validated and validated == lean and hash(lean) == hash(validated)
    assert len({lean, validated}) == 1
    assert models.validated(lean) == validated
    assert models.validated(validated) is validated


def test_nested_records_are_of_the_same_kind():
    lean = parse_file(SEED_003, lean=True)
    made = parse_file(SEED_003)
    untitled = next(d for d in lean.documents if not d.tasks)
    assert all(type(t) is records.Task for t in records.task_rows(untitled))
    untitled = next(d for d in made.documents if not d.tasks)
    assert all(type(t) is models.Task for t in models.task_rows(untitled))
    assert all(type(a) is models.Assignment for t in made.tasks for a in t.assignments)


def test_workbooks_from_lean_and_pydantic_records_read_back_alike(tmp_path):
    lean, made = tmp_path / "lean.xlsx", tmp_path / "made.xlsx"
    write_workbook(parse_file(SEED_001, lean=True), lean)
    write_workbook(parse_file(SEED_001), made)
    assert read_workbook(lean).documents == read_workbook(made).documents


def test_lean_records_are_frozen_and_compared_by_value():
    a = records.Assignment(department="财政部", as_printed="财政部", role=records.Role.lead)
    b = records.Assignment.make(department="财政部", role=records.Role.lead, as_printed="财政部")
    assert a == b and hash(a) == hash(b) and {a, b} == {a}
    assert a != records.Assignment.make(department="财政部", as_printed="财政部",
                                        role=records.Role.support)
    with pytest.raises(AttributeError):
        a.role = records.Role.guide
    with pytest.raises(TypeError, match="needs"):
        records.Assignment(department="财政部")
    with pytest.raises(TypeError, match="no field"):
        records.Assignment.make(department="财政部", colour="red")
    with pytest.raises(TypeError, match="no field"):
        models.Assignment.make(department="财政部", colour="red")
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


def test_pydantic_records_still_validate():
    with pytest.raises(ValidationError):
        models.Task(number="（一）", title="t", text="", line="not a line")
    with pytest.raises(ValidationError):
        models.Task(number="（一）", title="t", text="", line=1, assignments=[{"department": "x"}])
    task = models.Task(number="（一）", title="t", text="", line=1,
                       assignments=[{"department": "x", "as_printed": "x", "role": "lead"}])
    assert isinstance(task.assignments[0], models.Assignment)
    assert isinstance(task, records.Task) and task.label == "（一）"
    assert "Assignment" in models.Plan.model_json_schema()["$defs"]


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


def test_lean_records_pickle_and_copy():
    import copy
    import pickle

    lean = parse_file(SEED_001, lean=True)
    assert pickle.loads(pickle.dumps(lean)) == lean
    assert copy.deepcopy(lean) == lean
    assert hash(copy.deepcopy(lean.tasks[0])) == hash(lean.tasks[0])

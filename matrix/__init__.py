"""dutymatrix: Chinese government action plans → responsibility matrices.

The library API (the CLI is a thin layer over it)::

    from matrix import parse_file, build_matrix, write_workbook
    plan = parse_file("seeds/001_5afa0209a0ae242f.txt")
    for task in plan.tasks:
        print(task.label, task.title, [(a.department, a.role.value) for a in task.assignments])
    write_workbook(plan, "output/001.xlsx")

Names are imported lazily so that ``dutymatrix --help`` does not pay for Lark, pydantic and
openpyxl.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# True in a process that runs only dutymatrix (the command line, the batch's worker server):
# matrix/workbook/book.py then imports openpyxl with numpy hidden, which saves a third of a
# build's start-up.
# A library user's process keeps openpyxl's support for numpy values in cells.
_own_process = False


def hide_unused_modules() -> None:
    """In a process of our own: make the third-party ``regex`` module unimportable before
    Lark is imported. Lark imports it when installed (15–20 ms) and uses it only for grammars
    built with ``regex=True``, which dutymatrix's are not; no other library of ours uses it.
    (openpyxl's numpy and Pillow are hidden by matrix/workbook/book.py while it imports.)"""
    import sys

    if "lark" not in sys.modules and "regex" not in sys.modules:
        sys.modules["regex"] = None  # type: ignore[assignment]  # "import regex" raises ImportError


def keep_own_bytecode() -> None:
    """In a process of our own, once its work is done: compile the modules of ``matrix`` it
    imported whose bytecode is missing or stale into their ``__pycache__``.

    An editable install has none, and where PYTHONDONTWRITEBYTECODE is set (many containers)
    Python never writes any: every ``dutymatrix`` would compile what it imports from source
    again, ~250 ms of a ``parse`` that takes ~150 ms otherwise. This keeps what pip keeps when it
    installs a package: dutymatrix's own files only, where their folder is writable, never a
    failure. Python checks a .pyc against its source before using it, so a stale one never runs.
    ``DUTYMATRIX_NO_BYTECODE=1`` keeps nothing."""
    import os
    import sys

    if not sys.dont_write_bytecode or os.environ.get("DUTYMATRIX_NO_BYTECODE"):
        return  # Python keeps it itself, or the user asked for none
    stale = []
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None) if name.partition(".")[0] == __name__ else None
        source, cached = getattr(spec, "origin", None), getattr(spec, "cached", None)
        if not (source and cached and source.endswith(".py")):
            continue
        try:
            if os.stat(cached).st_mtime >= os.stat(source).st_mtime:
                continue
        except OSError:
            pass  # no bytecode yet
        stale.append((source, cached))
    if not stale:
        return  # the usual case: nothing to import, nothing to write
    import py_compile

    for source, cached in stale:
        try:
            py_compile.compile(source, cached, doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
        except (OSError, py_compile.PyCompileError):
            return  # a read-only install: nothing is kept, nothing is said


_EXPORTS = {
    "parse_file": "load.pipeline",
    "parse_text": "load.pipeline",
    "normalise": "text.normalise",
    "canonical": "departments",
    "default_registry": "departments",
    "parse_jurisdiction": "parse.jurisdiction",
    "detect_jurisdiction": "parse.jurisdiction",
    "LocalResolver": "parse.jurisdiction",
    "build_matrix": "pivot",
    "write_workbook": "workbook",
    "export_rows": "export.tidy",
    "dispatch": "round.dispatch",  # matrix.dispatch(plan, "下发/", round=…)
    "collect_files": "round.collect",  # matrix.collect_files(plan, ["回收/"], output=…)
    "Plan": "records",
    "Document": "records",
    "Task": "records",
    "Assignment": "records",
    "Clause": "records",
    "Department": "records",
    "Jurisdiction": "records",
    "Role": "records",
    "MatrixError": "errors",
    "MatrixParseError": "errors",
    "MatrixInputError": "errors",
    "MatrixOutputError": "errors",
    "NoClausesError": "errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matrix' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value

"""The methods ``dataclasses`` writes for our records, compiled once into committed modules.

``@dataclass`` writes the source of each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` as text and compiles it with ``exec`` at
every import: ~120 compilations, 10–15 ms of every ``dutymatrix parse`` (issue 27). The texts
are the same at every start, so :func:`generate` collects the very texts ``dataclasses`` makes
for the classes of :data:`MODULES` and writes them into ``text_*.py`` here, each as the
function it defines plus the text itself as the key; Python keeps their bytecode like any
module's. In a process of our own (the command line, the batch's worker server)
:func:`install` makes ``dataclasses`` ask :func:`_exec` instead of the builtin ``exec``: a text
found among the kept ones gets the function compiled from that very text, bound to the same
globals, exactly what ``exec`` would have defined; any other text (another class, another
Python whose ``dataclasses`` writes differently) is compiled by ``exec`` as always. The
classes stay real dataclasses, made by ``dataclasses`` itself: fields, ``replace``,
``asdict``, pydantic, equality, hashing, ``repr``, frozenness and slots are untouched.

After changing a record (or a dataclass of a module of :data:`MODULES`) run::

    python -m matrix.precompiled

``tests/test_precompiled.py`` fails while the committed texts differ from what the generator
makes (on the Python that made them), and when a ``parse`` or ``build`` compiles a text of ours
that is not kept.
"""

from __future__ import annotations

import builtins
import sys

# The modules whose dataclasses ``parse`` and ``build`` of a text plan create.
MODULES = ("matrix.records", "matrix.departments", "matrix.load.pipeline", "matrix.read.plain",
           "matrix.text.normalise", "matrix.text.reflow", "matrix.parse.deadline",
           "matrix.parse.units", "matrix.parse.trailer", "matrix.parse.transform",
           "matrix.batch.jobs", "matrix.pivot")  # the plan workbook's modules hold none
_MAX_LINES = 550  # per generated file (tests/test_layout.py: files under 600 lines)

_real_exec = builtins.exec
_kept: dict[str, object] = {}


def kept() -> dict:
    """The kept texts → the code of the function each defines (imported once)."""
    if not _kept:
        from . import text_0

        parts = [text_0] + [__import__(f"{__name__}.text_{n}", fromlist=["CODE"])
                            for n in range(1, text_0.PARTS)]
        for part in parts:
            _kept.update(part.CODE)
    return _kept


def _exec(source, globals=None, locals=None, /, **kwargs):
    """``exec`` for ``dataclasses``: a kept text defines its function from the kept code."""
    code = _kept.get(source) if type(source) is str and not kwargs else None
    if code is None or type(globals) is not dict or type(locals) is not dict:
        return _real_exec(source, globals, locals, **kwargs)
    from types import FunctionType

    # what ``exec`` of the text does: one ``def`` at the top, bound to ``globals`` (which
    # ``exec`` gives the builtins when they lack them)
    globals.setdefault("__builtins__", builtins.__dict__)
    locals[code.co_name] = FunctionType(code, globals)
    return None


def install() -> None:
    """In a process of our own: ``dataclasses`` compiles no text that is kept."""
    import dataclasses

    if getattr(dataclasses, "exec", None) is _exec:
        return
    try:
        kept()
    except ImportError:  # an installation without the generated files: nothing changes
        return
    dataclasses.exec = _exec  # a module global shadows the builtin for dataclasses only


# ── generating the kept texts ─────────────────────────────────────────────────────────────

_COLLECT = """
import builtins, dataclasses, json, sys
texts = []
def collect(source, globals=None, locals=None, /, **kwargs):
    if type(source) is str and str((globals or {}).get("__name__", "")).startswith("matrix"):
        texts.append(source)
    return builtins.exec(source, globals, locals, **kwargs)
dataclasses.exec = collect
for name in sys.argv[1:]:
    try:
        __import__(name)
    except ModuleNotFoundError as e:  # a module gone: the coverage test says what is missed
        if e.name != name:
            raise
print(json.dumps(list(dict.fromkeys(texts))))
"""


def collect() -> list[str]:
    """The texts ``dataclasses`` compiles while the classes of :data:`MODULES` are made, in
    order, once each (in a fresh interpreter: none of them made yet)."""
    import json
    import os
    import subprocess

    root = str(_here().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])}
    out = subprocess.run([sys.executable, "-c", _COLLECT, *MODULES], capture_output=True,
                         text=True, check=True, env=env, cwd=root).stdout
    return json.loads(out)


def generate() -> dict[str, str]:
    """The generated files (name → text) for the texts of :func:`collect`."""
    version = "%d.%d" % sys.version_info[:2]
    head = (f'"""Generated by ``python -m matrix.precompiled`` on Python {version}: do not edit.\n\n'
            'Each function below is one text ``dataclasses`` compiles for a class of ours, '
            'verbatim,\nand the text is its key (``matrix/precompiled/__init__.py``).\n"""\n'
            "# ruff: noqa\n# fmt: off\n")
    parts: list[list[str]] = [[]]
    lines = 0
    for text in collect():
        entry = f"{text}\nCODE[{text!r}] = __create_fn__.__code__\n".replace(
            "__create_fn__.__code__", f"{_defined(text)}.__code__")
        size = entry.count("\n")
        if lines + size > _MAX_LINES and parts[-1]:
            parts.append([])
            lines = 0
        parts[-1].append(entry)
        lines += size
    files = {}
    for number, entries in enumerate(parts):
        top = f"PYTHON = {version!r}\nPARTS = {len(parts)}\n" if number == 0 else ""
        files[f"text_{number}.py"] = head + top + "CODE = {}\n\n" + "".join(entries)
    return files


def _defined(text: str) -> str:
    """The name the text's first ``def`` defines."""
    return text.split("def ", 1)[1].split("(", 1)[0].strip()


def _here():
    from pathlib import Path

    return Path(__file__).parent


def write() -> list:
    """Write the generated files here, removing the ones no longer made."""
    HERE = _here()
    files = generate()
    for old in HERE.glob("text_*.py"):
        if old.name not in files:
            old.unlink()
    written = []
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
        written.append(HERE / name)
    return written

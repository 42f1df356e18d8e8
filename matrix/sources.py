"""Which files a command reads, and how: plan documents or workbooks written by ``build``.

``expand`` turns the user's arguments (files and folders) into a list of files; ``load_plan``
reads one of them into a ``Plan`` — a plan document through the pipeline, an ``.xlsx`` through
``workbook.read_workbook`` (so that an office's edits to a workbook count).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module before it knows what it reads
    from .records import Plan

PLAN_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".docx")
WORKBOOK_SUFFIXES = (".xlsx",)


def is_workbook(path: Path) -> bool:
    """True for a file that ``load_plan`` reads as a dutymatrix workbook."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def expand(inputs: Iterable[Path], *, workbooks: bool = True) -> list[Path]:
    """Files named by ``inputs``: a file as given, a folder as its plan files (sorted).

    Hidden files and Excel's lock files (~$name.xlsx) are left out of folders.
    """
    suffixes = PLAN_SUFFIXES + (WORKBOOK_SUFFIXES if workbooks else ())
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files.extend(sorted(
                p for p in item.iterdir()
                if p.is_file() and p.suffix.lower() in suffixes
                and not p.name.startswith((".", "~$"))))
        else:
            files.append(item)
    return files


def load_plan(path: Path, *, encoding: str | None = None, lean: bool = False) -> Plan:
    """Read one plan document or dutymatrix workbook into a ``Plan``.

    A workbook is read into pydantic records (what it holds is validated); a plan document too,
    unless ``lean`` (``pipeline.parse_file``: the same records without pydantic).
    """
    if str(path) != "-" and is_workbook(Path(path)):
        from .workbook import read_workbook

        return read_workbook(path)
    from .pipeline import parse_file

    return parse_file(path, encoding=encoding, lean=lean)

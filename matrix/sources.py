"""Which files a command reads, and how: plan documents or workbooks written by ``build``.

``expand`` turns the user's arguments (files and folders) into a list of files; ``load_plan``
reads one of them into a ``Plan`` — a plan document through the pipeline, an ``.xlsx`` through
``workbook.read_workbook`` (so that an office's edits to a workbook count).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module before it knows what it reads
    from .records import Plan

PLAN_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".docx")
# The first sheet of the other workbooks dutymatrix writes, and what they are.
OTHER_WORKBOOKS = {"任务清单": "a task list (filter --format xlsx)",
                   "部门索引": "a department index (filter --split-by-dept)",
                   "概要": "a diff workbook (diff --format xlsx)"}
_SHEET_NAME = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"')
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


def workbook_kind(path: Path) -> str | None:
    """``plan`` for a workbook ``build`` writes, what it is for the other workbooks dutymatrix
    writes (:data:`OTHER_WORKBOOKS`), None for anything else — from its sheet names only."""
    import html
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > 1 << 20:
                return None
            names = [html.unescape(m.group(1).decode("utf-8", "replace"))
                     for m in _SHEET_NAME.finditer(archive.read(info))]
    except Exception:  # damaged, not a zip, no workbook part: read_workbook says what is wrong
        return None
    if "矩阵" in names:
        return "plan"
    return OTHER_WORKBOOKS.get(names[0]) if names else None


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

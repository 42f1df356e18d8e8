"""Which files a command reads, and how: plan documents or workbooks written by ``build``.

``expand`` turns the user's arguments (files and folders) into a list of files; ``load_plan``
reads one of them into a ``Plan`` — a plan document through the pipeline, an ``.xlsx`` that
dutymatrix wrote through ``workbook.read_workbook`` (so that an office's edits to a workbook
count), any other ``.xlsx`` (an office's own 分工表) through the pipeline as a plan.
"""

from __future__ import annotations

import re

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import _

if TYPE_CHECKING:  # the CLI imports this module before it knows what it reads
    from ..records import Plan

PLAN_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".docx",
                 # published attachments (matrix.read): PDF, scans, office files, OFD, 分工表
                 ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".doc", ".wps", ".odt",
                 ".rtf", ".ofd", ".xls")
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
    writes (``read.sheet.OTHER_WORKBOOKS``), None for anything else — from its sheet names."""
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
    from ..read.sheet import OTHER_WORKBOOKS

    return OTHER_WORKBOOKS.get(names[0]) if names else None


def load_plan(path: Path, *, encoding: str | None = None) -> Plan:
    """Read one plan document or dutymatrix workbook into a ``Plan``.

    What a workbook holds is validated (``records.validated``: it comes from outside); a plan
    document is parsed (``pipeline.parse_file``).
    """
    if str(path) != "-" and is_workbook(Path(path)):
        from ..read.sheet import written_by_dutymatrix

        if written_by_dutymatrix(Path(path)):
            from ..workbook import read_workbook

            return read_workbook(path)
        # An office's own 分工表: read as a plan (matrix.read.sheet)
    from .pipeline import parse_file

    return parse_file(path, encoding=encoding)


def load_plan_bytes(data: bytes, name: str) -> Plan:
    """``load_plan`` for content that did not come from a file (an upload to the web page).

    ``name`` only labels the plan and its messages, and says by its suffix (or the content by
    its zip signature) whether this is a workbook; it never names a file. The size limit
    applies as to a file. A workbook is read from a private temporary folder (its reader works
    on files), under a fixed name, and the folder is removed before this returns.
    """
    from ..read import check_size

    check_size(len(data), name)
    if is_workbook(Path(name)) or (data.startswith(b"PK\x03\x04") and b"xl/" in data[:65536]):
        import tempfile

        from ..errors import MatrixInputError
        from ..workbook import read_workbook

        from ..read.sheet import written_by_dutymatrix

        with tempfile.TemporaryDirectory(prefix="dutymatrix-upload-") as folder:
            path = Path(folder) / "upload.xlsx"
            path.write_bytes(data)
            if written_by_dutymatrix(path):
                try:
                    plan = read_workbook(path)
                except MatrixInputError as e:  # name the upload, not the temporary file
                    raise MatrixInputError(str(e).replace(str(path), name)) from None
                return _renamed(plan, name)
        # An office's own 分工表, read as a plan (matrix.read.sheet), as load_plan reads it
        from .pipeline import parse_bytes

        return parse_bytes(data, name)
    from .pipeline import parse_bytes

    return parse_bytes(data, name)


def _renamed(plan: Plan, name: str) -> Plan:
    """``plan`` with its source named ``name`` (a workbook read from a temporary file)."""
    from dataclasses import replace

    return replace(plan, source=replace(plan.source, path=name))


def read_returns_bytes(items: Iterable[tuple[str, bytes]]) -> list:
    """``collect.read_returns`` for uploaded returns: each (name, content) as a
    ``ReturnFile`` named ``name``, or an ``Unreadable`` with the reason (nothing is raised).

    Each is checked against the input limit, then read from a private temporary folder under a
    fixed name (the return reader works on files), removed before this returns; ``name`` is
    only the label the 汇总 shows.
    """
    import dataclasses
    import tempfile

    from ..round.collect import Unreadable
    from ..errors import MatrixInputError
    from ..read import check_size
    from ..workbook.returns import read_return

    out: list = []
    with tempfile.TemporaryDirectory(prefix="dutymatrix-upload-") as folder:
        for n, (name, data) in enumerate(items):
            path = Path(folder) / f"return-{n}.xlsx"
            try:
                check_size(len(data), name)
                path.write_bytes(data)
                ret = read_return(path)
            except MatrixInputError as e:
                out.append(Unreadable(name, str(e).replace(str(path), name)))
                continue
            except RecursionError:  # a shape no check foresaw: this file fails, the rest go on
                out.append(Unreadable(name, _(
                    "{path}: too deeply nested to read (RecursionError)").format(path=name)))
                continue
            finally:
                path.unlink(missing_ok=True)
            out.append(dataclasses.replace(ret, path=Path(name)))
    return out

"""Every file the command line writes for a plan or a comparison, one function each.

The CLI and the web page (``matrix.web``) both call these, so that a file downloaded from the
page is the file ``dutymatrix`` writes:

=========================== ======================================================================
``plan_json(plan)``         ``dutymatrix parse PLAN --format json``
``tasks_csv(plans)``        ``dutymatrix filter PLAN --format csv -o FILE`` (no filter: every task)
``write_department_lists``  ``dutymatrix filter PLAN --split-by-dept -o DIR``: one 任务清单 per
                            department and 索引.xlsx
``diff_json(diff)``         ``dutymatrix diff OLD NEW --format json``
=========================== ======================================================================

The workbooks themselves are ``write_workbook`` and ``write_diff_workbook``. ``zip_folder``
packs a folder of such files into one archive (the page's download of every department's list).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diff import PlanDiff
    from .records import Plan

__all__ = ["INDEX_FILE", "diff_json", "plan_json", "safe_file_name", "tasks_csv",
           "write_department_lists", "zip_folder"]

INDEX_FILE = "索引.xlsx"  # the index workbook of --split-by-dept


def plan_json(plan: Plan) -> str:
    """The records as ``parse --format json`` prints them (indented, Chinese unescaped)."""
    return json.dumps(plan.to_json(), ensure_ascii=False, indent=2) + "\n"


def tasks_csv(plans: Sequence[Plan]) -> str:
    """Every task of ``plans`` as ``filter --format csv`` writes it to a file (BOM, CRLF)."""
    from .filter import filter_tasks
    from .tabular import to_csv

    return to_csv(filter_tasks(plans))


def diff_json(diff: PlanDiff) -> str:
    """The changes as ``diff --format json`` writes them."""
    return json.dumps(diff.to_json(), ensure_ascii=False, indent=2) + "\n"


def safe_file_name(name: str) -> str:
    """A department name as a file name on Windows, macOS and Linux (``/`` and the like → _)."""
    return "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in name).strip(". ") or "_"


def write_department_lists(plans: Sequence[Plan], folder: Path) -> list[dict[str, Any]]:
    """Write one task list workbook per department and :data:`INDEX_FILE` into ``folder``.

    Returns the index rows (``filter.department_index`` rows, each with its ``file``). The
    folder is created when missing; ``OSError`` and ``MatrixError`` reach the caller.
    """
    from .excel import write_index, write_task_list
    from .filter import department_index, split_by_department

    split = split_by_department(plans)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for row in department_index(split):
        name = row["department"]
        file_name = f"{safe_file_name(name)}.xlsx"
        write_task_list(split[name], folder / file_name, title=f"{name}任务清单", department=name)
        rows.append({**row, "file": file_name})
    write_index(rows, folder / INDEX_FILE, title="各单位任务数")
    return rows


def zip_folder(folder: Path) -> bytes:
    """The files directly in ``folder`` (sorted by name) as the bytes of a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            archive.write(path, path.name)
    return buffer.getvalue()

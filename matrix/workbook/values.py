"""A workbook's cell values, sheet by sheet, for reading one back: python-calamine when it is
there (fast), else openpyxl read-only (``SheetValues``; ``_CALAMINE = False`` forces openpyxl,
as a test does), and the text or number of one cell (``cell_text``, ``cell_int``). The file
has been checked (``untrusted.check_package``) before anything here opens it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

_CALAMINE = True  # tests turn it off to check the openpyxl path


class SheetValues:
    """Sheets of a workbook as lists of rows of values, from A1 on ("" for an empty cell)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._calamine = None
        self._openpyxl = None
        if _CALAMINE:
            try:
                from python_calamine import CalamineWorkbook
            except ImportError:  # pragma: no cover - a dependency; openpyxl still works
                pass
            else:
                self._calamine = CalamineWorkbook.from_path(str(path))
                self.sheet_names = list(self._calamine.sheet_names)
                return
        # openpyxl parses XML with defusedxml when it is installed (openpyxl.DEFUSEDXML).
        self._openpyxl = openpyxl.load_workbook(path, read_only=True, data_only=True)
        self.sheet_names = list(self._openpyxl.sheetnames)

    def rows(self, name: str) -> list[list[Any]]:
        """Every row of sheet ``name``, all padded to the same width."""
        if self._calamine is not None:
            try:
                return self._calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as e:
                # calamine (and openpyxl) refuse a merge of whole rows (ref="1:1"), which
                # LibreOffice writes; merges hold no values, so they are read without them.
                if "Range" not in str(e):
                    raise
                from python_calamine import CalamineWorkbook

                self._calamine.close()
                self._calamine = CalamineWorkbook.from_filelike(without_merges(self.path))
                return self._calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)
        ws = self._openpyxl[name]
        ws.reset_dimensions()  # trust the cells, not the dimension the file claims
        rows = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
        width = max((len(r) for r in rows), default=0)
        for r in rows:
            r.extend([""] * (width - len(r)))
        return rows

    def close(self) -> None:
        """Release the file."""
        if self._calamine is not None:
            self._calamine.close()
        if self._openpyxl is not None:
            self._openpyxl.close()


def without_merges(path: Path):
    """The workbook at ``path`` (checked already) in memory, without its sheets' merges."""
    import io
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                data = re.sub(rb"<mergeCells\b.*?</mergeCells>|<mergeCells\b[^>]*/>", b"", data,
                              flags=re.S)
            new.writestr(info.filename, data)
    out.seek(0)
    return out


def cell_text(value: Any) -> str:
    """A cell value as text: "" for empty, 3 for 3.0, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def cell_int(value: Any) -> int | None:
    text = cell_text(value).strip()
    return int(text) if text.isdigit() and len(text) < 10 else None

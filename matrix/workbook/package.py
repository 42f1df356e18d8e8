"""Writing the package of a workbook fast, leaning on openpyxl internals (``book`` uses it only
with the openpyxl series it was written against and with lxml: :data:`FAST`).

* :class:`RowWriter`: a sheet's ``<sheetData>`` copied from rows ``book`` serialised itself
  (``book._row_xml``), the rest of the sheet written by openpyxl, into a part kept in memory.
* :func:`save`: openpyxl's ``save_workbook`` through :class:`_ExcelWriter`, which copies those
  parts into the package instead of a named temporary file per sheet.
* The stylesheet: built once for workbooks with equal style tables.

Every part comes out byte for byte as openpyxl alone writes it (tests/test_workbook_reuse.py).
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import openpyxl
from openpyxl import Workbook
from openpyxl.xml import LXML
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

try:  # private modules
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter
except ImportError:  # pragma: no cover
    WorksheetWriter = ExcelWriter = object

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FAST = (LXML and openpyxl.__version__.startswith("3.1.") and WorksheetWriter is not object
        and ExcelWriter is not object)

ROWS_IN_MEMORY = 4 * 2**20  # bytes of a sheet's rows (or part) kept in memory before a file


class RowWriter(WorksheetWriter):
    """openpyxl's sheet writer, with ``<sheetData>`` copied from rows serialised beforehand,
    into a sheet part kept in memory (up to :data:`ROWS_IN_MEMORY`, then an anonymous
    temporary file) rather than a named temporary file per sheet.

    openpyxl's own row writer makes several incremental-XML calls per cell (about 20 µs a
    cell); :func:`_row_xml` builds a row as one string, several times faster. openpyxl's sheet
    writer writes each sheet to a named file in the temporary folder, which the package writer
    reads back and removes: four files created and removed per workbook, ~1 ms each on a busy
    disk; :class:`_ExcelWriter` copies this one's part into the package instead.
    """

    def __init__(self, ws: WriteOnlyWorksheet, rows: IO[bytes]) -> None:
        self._serialised_rows = rows
        self.part: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=ROWS_IN_MEMORY)
        super().__init__(ws, out=_IN_MEMORY)

    def get_stream(self) -> Any:
        """As openpyxl's, but over the part in memory, which we also write to directly."""
        with xmlfile(self.part) as xf:
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        el = yield
                        if el is True:
                            yield xf
                        elif el is not None:
                            xf.write(el)
                except GeneratorExit:
                    pass

    def write_rows(self) -> None:
        """Copy the serialised rows between ``<sheetData>`` and ``</sheetData>``."""
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.flush()  # everything lxml buffered goes out before the rows
            self._serialised_rows.seek(0)
            shutil.copyfileobj(self._serialised_rows, self.part)
        self.xf.send(None)

    def cleanup(self) -> None:
        self.part.close()


_IN_MEMORY = "<in memory>"  # a RowWriter's ``out``: no file of that name is ever opened


class _ExcelWriter(ExcelWriter):
    """openpyxl's package writer, taking the part of a sheet written by :class:`RowWriter`
    from memory (openpyxl's ``write_worksheet`` less the file it reads)."""

    def write_worksheet(self, ws: Any) -> None:
        writer = ws._writer
        if not isinstance(writer, RowWriter):
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        if not ws.closed:
            ws.close()
        ws._rels = writer._rels
        # as ZipFile.writestr names a part: now, and readable by its owner
        info = zipfile.ZipInfo(ws.path[1:], date_time=time.localtime(time.time())[:6])
        info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
        size = writer.part.seek(0, os.SEEK_END)
        writer.part.seek(0)
        with self._archive.open(info, "w", force_zip64=size > 2**30) as part:
            shutil.copyfileobj(writer.part, part)
        self.manifest.append(ws)
        writer.cleanup()


def save(wb: Workbook, path: Path) -> None:
    """``wb.save(path)`` (openpyxl's ``save_workbook``) through :class:`_ExcelWriter`."""
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        wb.properties.modified = datetime.now(tz=timezone.utc).replace(tzinfo=None)
        _ExcelWriter(wb, archive).save()
    finally:
        archive.close()


# Every workbook of a kind registers the same styles, so ``xl/styles.xml`` comes out the same,
# but openpyxl builds it again from its style objects each time (~4-6 ms of the ~28 a plan
# workbook takes in a batch worker). A workbook of ours (``Book``) is saved with the stylesheet
# built for the last workbook whose style tables were equal, compared in full (every font,
# fill, border, alignment, protection, cell format, number format, named and differential
# style, by value: openpyxl's own equality) — never by anything short of the content. Other
# workbooks in the same process (a library user's) are left to openpyxl alone.
_STYLESHEETS: dict[tuple, Any] = {}
_STYLESHEETS_KEPT = 16


def _style_tables(wb: Workbook) -> tuple:
    """Everything ``openpyxl.styles.stylesheet.write_stylesheet`` reads from ``wb``, by value."""
    return (tuple(wb._fonts), tuple(wb._fills), tuple(wb._borders),
            tuple(wb._differential_styles.styles),
            None if wb._colors is None else tuple(wb._colors), tuple(wb._number_formats),
            tuple(wb._cell_styles), tuple(wb._alignments), tuple(wb._protections),
            tuple((style.as_name(), style.as_xf()) for style in wb._named_styles),
            wb._table_styles)


def _install_stylesheet_cache() -> None:
    import openpyxl.writer.excel as excel

    build = excel.write_stylesheet
    if getattr(build, "_dutymatrix", False):
        return

    def write_stylesheet(wb: Workbook) -> Any:
        if not getattr(wb, "_dutymatrix_book", False):
            return build(wb)
        try:
            key = _style_tables(wb)
            hash(key)
        except (AttributeError, TypeError):  # another openpyxl's tables: not kept
            return build(wb)
        tree = _STYLESHEETS.get(key)
        if tree is None:
            if len(_STYLESHEETS) >= _STYLESHEETS_KEPT:
                _STYLESHEETS.clear()
            tree = _STYLESHEETS[key] = build(wb)
        # a copy of its own for each caller (threads of the page write workbooks at once); a
        # copy, not a tree parsed from the text: an empty text would come back as none
        return copy.deepcopy(tree)

    write_stylesheet._dutymatrix = True  # type: ignore[attr-defined]
    excel.write_stylesheet = write_stylesheet


if FAST:
    _install_stylesheet_cache()

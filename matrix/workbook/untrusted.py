"""Checks on a workbook we did not write, before any of its XML is read (:func:`check_package`).

Every reader of an ``.xlsx`` a user gives us (``read`` today; the returns and 汇总 workbooks
next) calls :func:`check_package` first and reads nothing the checks have not passed.

* **Untrusted input.** Before any XML is read the zip's end record, directory and every member
  are checked against :data:`MAX_ENTRIES` (10,000), :data:`MAX_UNCOMPRESSED` (200 MB in all,
  and for the file itself), :data:`MAX_DIRECTORY` (16 MB) and :data:`MAX_RATIO` (100:1 for a
  member over 1 MB); encrypted members and compression other than deflate are refused; each
  XML member is inflated once in
  1 MB steps to prove it holds no more than it declares (a reader in another language may not
  stop at the declared size). Values are read with python-calamine (5–20× faster than
  openpyxl), whose XML parser expands no DTD entities; without it, with openpyxl, which parses
  through defusedxml (``openpyxl.DEFUSEDXML``). A part that declares a DTD is refused; no
  sheet may reach beyond Excel's grid or cover more than ``MAX_SHEET_CELLS`` (a far cell).
  The checks are :mod:`matrix.safety.zipcheck`'s, shared with the .docx reader. Every failure is a
  :class:`~matrix.errors.MatrixInputError` naming the file, and the sheet where known.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import NamedTuple

from ..errors import MatrixInputError, unreadable
from ..i18n import N_, _
from .stamp import is_signed

# --------------------------------------------------------------------------- limits

# The limits of every zip-based input (matrix.safety.zipcheck); here so that a test or a library
# user can set the workbook's own.
from ..safety.zipcheck import MAX_DIRECTORY, MAX_RATIO, RATIO_GRACE  # noqa: E402,F401

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all members together, checked before any XML
MAX_ENTRIES = 10_000  # members of the zip

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx


# -- the package: refuse what is not an .xlsx or too big, before any XML is read


class Package(NamedTuple):
    names: set[str]  # member names
    signed: bool  # 分工表 is exactly as write_workbook wrote it (see sign)


def check_package(path: Path) -> Package:
    """Check ``path`` is a zip holding an xlsx within the limits; say what it holds.

    The zip checks are those of every zip-based input (:func:`matrix.safety.zipcheck.check_zip`,
    with this module's limits); then no worksheet may reach beyond Excel's grid or cover more
    than ``zipsafety.MAX_SHEET_CELLS`` (:func:`~matrix.safety.zipcheck.check_sheet_extent`): one
    far cell would make the reader allocate the whole range.
    """
    from ..safety.zipcheck import check_sheet_extent, check_zip

    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if head.startswith(_OLE_MAGIC):
                raise MatrixInputError(_(
                    "{path}: not an .xlsx workbook (an old .xls file, or a workbook saved with "
                    "a password: save it as .xlsx without one)").format(path=path))
            if not head.startswith(b"PK\x03\x04"):
                raise MatrixInputError(_("{path}: not an .xlsx workbook").format(path=path))
            infos = check_zip(f, path, N_("an .xlsx workbook"), max_unpacked=MAX_UNCOMPRESSED,
                              max_entries=MAX_ENTRIES)
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise MatrixInputError(_("{path}: not an .xlsx workbook ({why})").format(
                    path=path, why=_("no xl/workbook.xml")))
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    check_sheet_extent(f, info, path, info.filename.rsplit("/", 1)[-1])
            f.seek(0)
            with zipfile.ZipFile(f) as zf:
                comment = zf.comment
    except OSError as e:
        raise unreadable(path, e, N_("workbook")) from None
    return Package(names, is_signed(comment, infos))

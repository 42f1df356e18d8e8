"""Writing files so that nothing the user had is lost or half-overwritten.

Every output goes to a temporary file in the target's folder and is moved into place with
``os.replace`` only when complete: a crash or Ctrl-C mid-write leaves the previous file intact.
An existing workbook is replaced only when dutymatrix wrote it and nobody has saved it since
(``replaceable``), or when the user says ``--force``.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

from .errors import MatrixOutputError


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; errors name the path."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise MatrixOutputError(f"{path}: the output folder {folder} does not exist")
    if path.is_dir():
        raise MatrixOutputError(f"{path}: is a folder, not a file")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise MatrixOutputError(f"{path}: cannot write in {folder}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise MatrixOutputError(f"{path}: cannot write: {e.strerror or e}") from None
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_CREATOR = re.compile(rb"<dc:creator[^>]{0,200}>([^<]{0,200})</dc:creator>")
_MODIFIER = re.compile(rb"<cp:lastModifiedBy[^>]{0,200}>([^<]{0,200})</cp:lastModifiedBy>")


def replaceable(path: Path) -> tuple[bool, str]:
    """May ``path`` be replaced without ``--force``? And if not, why not.

    Only a workbook that dutymatrix wrote and nobody has saved since (Excel and WPS record the
    user in ``lastModifiedBy``): a workbook an office has edited by hand is never lost to a
    rebuild.
    """
    if not path.exists():
        return True, ""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > 1 << 20:
                return False, "it is not a workbook dutymatrix wrote"
            core = archive.read(info)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False, "it is not a workbook dutymatrix wrote"
    creator = _CREATOR.search(core)
    if not creator or not creator.group(1).startswith(b"dutymatrix"):
        return False, "it is not a workbook dutymatrix wrote"
    modifier = _MODIFIER.search(core)
    if modifier and modifier.group(1).strip() and not modifier.group(1).startswith(b"dutymatrix"):
        who = modifier.group(1).decode("utf-8", "replace")
        return False, f"it was saved by {who} after dutymatrix wrote it"
    return True, ""

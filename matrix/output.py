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
from collections.abc import Callable
from pathlib import Path

from .errors import MatrixOutputError
from .i18n import _


def replace_atomically(path: str | os.PathLike[str], write: Callable[[Path], None], *,
                       suffix: str = ".tmp", hint: str = "") -> Path:
    """Call ``write(temp)`` on a temporary file next to ``path``, then move it into place.

    On any failure the temporary file is removed and an existing ``path`` is left as it was.
    The new file gets the old file's mode, else what a plain ``open()`` would give (mkstemp
    creates 0600). Raises ``MatrixOutputError`` naming the path for a missing or unwritable
    folder or a file that cannot be replaced; ``hint`` is added to that message.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise MatrixOutputError(_("{path}: the output folder {folder} does not exist").format(
            path=path, folder=folder))
    if path.is_dir():
        raise MatrixOutputError(_("{path}: is a folder, not a file").format(path=path))
    try:
        # Next to the target, so that os.replace is a rename on one disk.
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=suffix)
    except OSError as e:
        raise MatrixOutputError(_("{path}: cannot write in {folder}: {reason}").format(
            path=path, folder=folder, reason=e.strerror or e)) from None
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        os.chmod(temp, _file_mode(path))
        os.replace(temp, path)
    except BaseException as e:
        temp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise MatrixOutputError(_("{path}: cannot write: {reason}").format(
                path=path, reason=e.strerror or e) + hint) from None
        raise
    return path


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; errors name the path."""
    return replace_atomically(path, lambda temp: temp.write_bytes(data))


def _file_mode(path: Path) -> int:
    """Mode for the new file: the old file's, else what a plain open() would give."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux ≥ 4.7 reports it without the race of setting it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
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
                return False, _("it is not a workbook dutymatrix wrote")
            core = archive.read(info)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False, _("it is not a workbook dutymatrix wrote")
    creator = _CREATOR.search(core)
    if not creator or not creator.group(1).startswith(b"dutymatrix"):
        return False, _("it is not a workbook dutymatrix wrote")
    modifier = _MODIFIER.search(core)
    if modifier and modifier.group(1).strip() and not modifier.group(1).startswith(b"dutymatrix"):
        who = modifier.group(1).decode("utf-8", "replace")
        return False, _("it was saved by {who} after dutymatrix wrote it").format(who=who)
    return True, ""

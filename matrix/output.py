"""Writing files so that nothing the user had is lost or half-overwritten.

Every output goes to a temporary file in the target's folder and is moved into place with
``os.replace`` only when complete: a crash or Ctrl-C mid-write leaves the previous file intact.
"""

from __future__ import annotations

import os
import tempfile
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

"""Zip safety for the zip-based inputs read as plans (.xlsx 分工表, OFD): the project's one zip
check (``matrix.safety.zipcheck.check_zip``: member count, directory size, encryption, compression
method and ratio, streams no longer than declared, no DTD in an XML part) before anything is
unpacked, with the input size limit (``read.max_input_bytes``) as the bound on what all members
unpack to.
"""

from __future__ import annotations

import io
import zipfile

from ..errors import MatrixInputError
from ..i18n import _


def open_zip(data: bytes, path: str, what: str) -> zipfile.ZipFile:
    """``data`` as an open ``ZipFile`` once it passes the checks; ``what`` names the format in
    messages (``an OFD file``)."""
    from ..safety.zipcheck import check_zip
    from . import max_input_bytes

    buffer = io.BytesIO(data)
    check_zip(buffer, path, what, max_unpacked=max_input_bytes(path))
    buffer.seek(0)
    try:
        return zipfile.ZipFile(buffer)
    except Exception as e:  # checked above; a last guard
        raise MatrixInputError(_("{path}: not {what} (damaged zip: {error})").format(
            path=path, what=_(what), error=e)) from None


def read_member(archive: zipfile.ZipFile, name: str, path: str) -> bytes:
    """One member's bytes (never more than its declared size, which ``open_zip`` checked)."""
    try:
        return archive.read(name)
    except Exception as e:
        raise MatrixInputError(_("{path}: cannot unpack {name} ({error})").format(
            path=path, name=name, error=e)) from None

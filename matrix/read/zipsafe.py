"""Zip safety for the zip-based inputs read as plans (.xlsx 分工表, OFD): checked from the zip's
directory before anything is unpacked.

The same limits as ``excel``'s workbook reader: at most ``MAX_ENTRIES`` members, no encrypted
member, only stored or deflated members, no member (over 1 MB) that unpacks to more than
``MAX_RATIO`` times its packed size, and all members together within the input size limit
(``reader.max_input_bytes``).
"""

from __future__ import annotations

import io
import zipfile

from ..errors import MatrixInputError

MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_GRACE = 1024 * 1024


def open_zip(data: bytes, path: str, what: str) -> zipfile.ZipFile:
    """``data`` as an open ``ZipFile`` once its directory passes the checks; ``what`` names the
    format in messages (``an OFD file``)."""
    from . import max_input_bytes

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as e:  # BadZipFile, NotImplementedError, ValueError …
        raise MatrixInputError(f"{path}: not {what} (damaged zip: {e})") from None
    if len(infos) > MAX_ENTRIES:
        raise MatrixInputError(f"{path}: refused: {what} of {len(infos):,} parts, more than the "
                               f"limit of {MAX_ENTRIES:,}")
    total = 0
    limit = max_input_bytes(path)
    for info in infos:
        if info.flag_bits & 0x1:
            raise MatrixInputError(f"{path}: refused: {info.filename} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise MatrixInputError(f"{path}: refused: {info.filename} uses an unsupported "
                                   f"compression method ({info.compress_type})")
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * info.compress_size:
            raise MatrixInputError(f"{path}: refused: {info.filename} unpacks to more than "
                                   f"{MAX_RATIO} times its size (a zip bomb?)")
        total += info.file_size
    if total > limit:
        raise MatrixInputError(f"{path}: refused: {what} unpacks to {total:,} bytes, over the "
                               f"limit of {limit:,}")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, path: str) -> bytes:
    """One member's bytes (never more than its declared size, which ``open_zip`` checked)."""
    try:
        return archive.read(name)
    except Exception as e:
        raise MatrixInputError(f"{path}: cannot unpack {name} ({e})") from None

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
  through defusedxml (``openpyxl.DEFUSEDXML``). Every failure is a
  :class:`~matrix.errors.MatrixInputError` naming the file, and the sheet where known.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, NamedTuple

from ..errors import MatrixInputError, unreadable
from .stamp import is_signed

# --------------------------------------------------------------------------- limits

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all members together, checked before any XML
MAX_ENTRIES = 10_000  # members of the zip
MAX_RATIO = 100  # uncompressed / compressed size of one member (Apache POI's default)
RATIO_GRACE = 1024 * 1024  # members smaller than this uncompressed are not ratio-checked
MAX_DIRECTORY = 16 * 1024 * 1024  # bytes of the zip's central directory

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx


# -- the package: refuse what is not an .xlsx or too big, before any XML is read


class Package(NamedTuple):
    names: set[str]  # member names
    signed: bool  # 分工表 is exactly as write_workbook wrote it (see sign)


def check_package(path: Path) -> Package:
    """Check ``path`` is a zip holding an xlsx within the limits; say what it holds."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if head.startswith(_OLE_MAGIC):
                raise MatrixInputError(
                    f"{path}: not an .xlsx workbook (an old .xls file, or a workbook saved with "
                    "a password: save it as .xlsx without one)")
            if not head.startswith(b"PK\x03\x04"):
                raise MatrixInputError(f"{path}: not an .xlsx workbook")
            _check_directory(path, f)
            try:
                with zipfile.ZipFile(f) as zf:
                    infos, comment = zf.infolist(), zf.comment
            except OSError:
                raise
            # BadZipFile, but also NotImplementedError ("zip file version 21.1"), ValueError …
            except Exception as e:
                raise MatrixInputError(
                    f"{path}: not an .xlsx workbook (damaged zip: {e})") from None
            names = _check_members(path, infos)
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    _check_stream(path, f, info)
    except OSError as e:
        raise unreadable(path, e, "workbook") from None
    return Package(names, is_signed(comment, infos))


def _check_directory(path: Path, f: IO[bytes]) -> None:
    """Entry count and directory size from the end record, before zipfile builds its list."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if size > MAX_UNCOMPRESSED:  # a zip is never much bigger than what it holds
        raise MatrixInputError(f"{path}: refused: the file is {size:,} bytes, more than the "
                               f"limit of {MAX_UNCOMPRESSED:,}")
    tail_size = min(size, 22 + 65535)  # end record plus the longest comment
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise MatrixInputError(f"{path}: not an .xlsx workbook (damaged zip: no end record)")
    entries, directory = struct.unpack("<H4xI", tail[at + 10:at + 20])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:  # Zip64: the real figures are elsewhere
        locator = tail[at - 20:at] if at >= 20 else b""
        if not locator.startswith(b"PK\x06\x07"):
            raise MatrixInputError(f"{path}: not an .xlsx workbook (damaged zip64 record)")
        (offset,) = struct.unpack("<Q", locator[8:16])
        f.seek(offset)
        record = f.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            raise MatrixInputError(f"{path}: not an .xlsx workbook (damaged zip64 record)")
        entries, directory = struct.unpack("<QQ", record[32:48])
    if entries > MAX_ENTRIES:
        raise MatrixInputError(f"{path}: refused: the workbook holds {entries:,} parts, more "
                               f"than the limit of {MAX_ENTRIES:,}")
    if directory > MAX_DIRECTORY:
        raise MatrixInputError(f"{path}: refused: the zip directory is {directory:,} bytes, "
                               f"more than the limit of {MAX_DIRECTORY:,}")
    f.seek(0)


def _check_members(path: Path, infos: list[zipfile.ZipInfo]) -> set[str]:
    if len(infos) > MAX_ENTRIES:
        raise MatrixInputError(f"{path}: refused: the workbook holds {len(infos):,} parts, more "
                               f"than the limit of {MAX_ENTRIES:,}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise MatrixInputError(f"{path}: refused: {info.filename} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise MatrixInputError(f"{path}: refused: {info.filename} uses an unsupported "
                                   f"compression method ({info.compress_type})")
        total += info.file_size
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * info.compress_size:
            raise MatrixInputError(
                f"{path}: refused: {info.filename} expands {info.file_size:,} bytes from "
                f"{info.compress_size:,} (more than {MAX_RATIO}:1: a zip bomb?)")
    if total > MAX_UNCOMPRESSED:
        raise MatrixInputError(f"{path}: refused: the workbook expands to {total:,} bytes, "
                               f"more than the limit of {MAX_UNCOMPRESSED:,}")
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise MatrixInputError(f"{path}: not an .xlsx workbook (no xl/workbook.xml)")
    return names


def _check_stream(path: Path, f: IO[bytes], info: zipfile.ZipInfo) -> None:
    """Inflate one member and check it holds exactly the size it declares, in bounded memory.

    A member may declare a small size and hold a deflate stream that expands far beyond it:
    Python's zipfile stops at the declared size, but another reader (calamine's, in Rust) may
    not. So the stream itself is measured, in 1 MB steps, and refused as soon as it outgrows
    the declaration.
    """
    f.seek(info.header_offset)
    header = f.read(30)
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise MatrixInputError(f"{path}: not an .xlsx workbook (damaged zip entry "
                               f"{info.filename})")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    f.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise MatrixInputError(f"{path}: not an .xlsx workbook (damaged zip entry "
                                   f"{info.filename})")
        return
    inflate = zlib.decompressobj(-15)
    left, produced = info.compress_size, 0
    step = 1024 * 1024
    while left > 0 and not inflate.eof:
        data = f.read(min(left, 64 * 1024))
        if not data:
            break
        left -= len(data)
        while data and not inflate.eof:
            try:
                produced += len(inflate.decompress(data, step))
            except zlib.error:
                raise MatrixInputError(f"{path}: not an .xlsx workbook (damaged zip entry "
                                       f"{info.filename})") from None
            if produced > info.file_size:
                raise MatrixInputError(
                    f"{path}: refused: {info.filename} declares {info.file_size:,} bytes but "
                    "expands to more (damaged, or a zip bomb)")
            data = inflate.unconsumed_tail
    if not inflate.eof or produced != info.file_size:
        raise MatrixInputError(f"{path}: not an .xlsx workbook (damaged zip entry "
                               f"{info.filename})")

"""One safety check for every zip-based input (.xlsx workbooks, Word .docx), before any XML.

``check_zip(f, path, kind)`` reads only the zip's own records and the compressed streams, in
bounded memory, and raises ``MatrixInputError`` naming the file when:

* the end record declares more than :data:`MAX_ENTRIES` members or a central directory over
  :data:`MAX_DIRECTORY` bytes (checked before ``zipfile`` builds its list of members);
* a member is encrypted or uses a compression method other than stored or deflated;
* a member expands more than :data:`MAX_RATIO` times its compressed size (past
  :data:`RATIO_GRACE`), or all members together to more than ``max_unpacked``;
* a member's stream expands to more than the size it declares (a reader that trusts the
  stream, not the declaration, would be bombed) or is damaged;
* an XML part declares a DTD (``<!DOCTYPE``): Office never writes one, and its entities are
  either expanded (a billion laughs, external files) or left out of the text without a word.

It returns the ``ZipInfo`` list. ``kind`` names the format in messages ("an .xlsx workbook",
"a Word .docx").
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from typing import IO

from ..errors import MatrixInputError
from ..i18n import _

MAX_UNPACKED = 200 * 1024 * 1024  # bytes, all members together (the default)
MAX_ENTRIES = 10_000  # members of the zip
MAX_RATIO = 100  # uncompressed / compressed size of one member (Apache POI's default)
RATIO_GRACE = 1024 * 1024  # members smaller than this uncompressed are not ratio-checked
MAX_DIRECTORY = 16 * 1024 * 1024  # bytes of the zip's central directory
_DTD_SCAN = 64 * 1024  # the prolog of an XML part, where a DOCTYPE would stand


def check_zip(f: IO[bytes], path: object, kind: str, *, max_unpacked: int = MAX_UNPACKED,
              max_entries: int | None = None) -> list[zipfile.ZipInfo]:
    """Check the zip in ``f`` (seekable) as the module docstring says; its members.

    ``max_entries`` defaults to :data:`MAX_ENTRIES` (looked up when called)."""
    max_entries = MAX_ENTRIES if max_entries is None else max_entries
    check_directory(f, path, kind, max_file=max_unpacked, max_entries=max_entries)
    try:
        with zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
    except OSError:
        raise
    # BadZipFile, but also NotImplementedError ("zip file version 21.1"), ValueError …
    except Exception as e:
        raise MatrixInputError(_("{path}: not {kind} (damaged zip: {e})").format(
            path=path, kind=_(kind), e=e)) from None
    check_members(infos, path, kind, max_unpacked=max_unpacked, max_entries=max_entries)
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels")):
            prolog = check_stream(f, info, path, kind)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise MatrixInputError(
                    _("{path}: refused: {part} declares a DTD (<!DOCTYPE>), which Office never writes; its entities would be expanded or cut from the text").format(
                        path=path, part=info.filename))
    f.seek(0)
    return infos


def check_directory(f: IO[bytes], path: object, kind: str, *, max_file: int = MAX_UNPACKED,
                    max_entries: int = MAX_ENTRIES) -> None:
    """Entry count and directory size from the end record, before zipfile builds its list."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if size > max_file:  # a zip is never much bigger than what it holds
        raise MatrixInputError(_("{path}: refused: the file is {size:,} bytes, more than the limit of {max_file:,}").format(
            path=path, size=size, max_file=max_file))
    tail_size = min(size, 22 + 65535)  # end record plus the longest comment
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise MatrixInputError(_("{path}: not {kind} (damaged zip: no end record)").format(
            path=path, kind=_(kind)))
    # End of central directory: signature, disk, disk of the directory, entries on this disk,
    # entries (offset 10, 2 bytes), directory size (12, 4 bytes), directory offset (16, 4).
    entries, directory = struct.unpack("<HI", tail[at + 10:at + 16])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:  # Zip64: the real figures are elsewhere
        locator = tail[at - 20:at] if at >= 20 else b""
        if not locator.startswith(b"PK\x06\x07"):
            raise MatrixInputError(_("{path}: not {kind} (damaged zip64 record)").format(
                path=path, kind=_(kind)))
        (offset,) = struct.unpack("<Q", locator[8:16])
        f.seek(offset)
        record = f.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            raise MatrixInputError(_("{path}: not {kind} (damaged zip64 record)").format(
                path=path, kind=_(kind)))
        entries, directory = struct.unpack("<QQ", record[32:48])
    if entries > max_entries:
        raise MatrixInputError(_("{path}: refused: the file holds {entries:,} parts, more than the limit of {max_entries:,}").format(
            path=path, entries=entries, max_entries=max_entries))
    if directory > MAX_DIRECTORY:
        raise MatrixInputError(_("{path}: refused: the zip directory is {directory:,} bytes, more than the limit of {MAX_DIRECTORY:,}").format(
            path=path, directory=directory, MAX_DIRECTORY=MAX_DIRECTORY))
    f.seek(0)


def check_members(infos: list[zipfile.ZipInfo], path: object, kind: str, *,
                  max_unpacked: int = MAX_UNPACKED, max_entries: int = MAX_ENTRIES) -> None:
    """Count, encryption, compression method, ratio and total size of the members."""
    if len(infos) > max_entries:
        raise MatrixInputError(_("{path}: refused: the file holds {count:,} parts, more than the limit of {max_entries:,}").format(
            path=path, count=len(infos), max_entries=max_entries))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise MatrixInputError(_("{path}: refused: {part} is encrypted").format(
                path=path, part=info.filename))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise MatrixInputError(_("{path}: refused: {part} uses an unsupported compression method ({compress_type})").format(
                path=path, part=info.filename, compress_type=info.compress_type))
        total += info.file_size
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * info.compress_size:
            raise MatrixInputError(
                _("{path}: refused: {part} expands {file_size:,} bytes from {compress_size:,} (more than {MAX_RATIO}:1: a zip bomb?)").format(
                    path=path, part=info.filename, file_size=info.file_size, compress_size=info.compress_size, MAX_RATIO=MAX_RATIO))
    if total > max_unpacked:
        raise MatrixInputError(_("{path}: refused: the file expands to {total:,} bytes, more than the limit of {max_unpacked:,}").format(
            path=path, total=total, max_unpacked=max_unpacked))


def check_stream(f: IO[bytes], info: zipfile.ZipInfo, path: object, kind: str) -> bytes:
    """Inflate one member and check it holds exactly the size it declares, in bounded memory;
    its first bytes (up to 64 KB, for the DTD check).

    A member may declare a small size and hold a deflate stream that expands far beyond it:
    Python's zipfile stops at the declared size, but another reader (calamine's, in Rust) may
    not. So the stream itself is measured, in 1 MB steps, and refused as soon as it outgrows
    the declaration.
    """
    damaged = MatrixInputError(_("{path}: not {kind} (damaged zip entry {part})").format(
        path=path, kind=_(kind), part=info.filename))
    if info.header_offset < 0:  # a damaged directory can point before the file's start
        raise damaged
    f.seek(info.header_offset)
    header = f.read(30)
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise damaged
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    f.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise damaged
        return f.read(min(info.file_size, _DTD_SCAN))
    inflate = zlib.decompressobj(-15)
    left, produced = info.compress_size, 0
    prolog = b""
    step = 1024 * 1024
    while left > 0 and not inflate.eof:
        data = f.read(min(left, 64 * 1024))
        if not data:
            break
        left -= len(data)
        while data and not inflate.eof:
            try:
                out = inflate.decompress(data, step)
            except zlib.error:
                raise damaged from None
            if len(prolog) < _DTD_SCAN:
                prolog += out[:_DTD_SCAN - len(prolog)]
            produced += len(out)
            if produced > info.file_size:
                raise MatrixInputError(
                    _("{path}: refused: {part} declares {file_size:,} bytes but expands to more (damaged, or a zip bomb)").format(
                        path=path, part=info.filename, file_size=info.file_size))
            data = inflate.unconsumed_tail
    if not inflate.eof or produced != info.file_size:
        raise damaged
    return prolog


# Excel's grid, and what a sheet we read may cover: calamine allocates the used range densely
# (rows × columns), so one cell at XFD1048576 would ask for 512 GiB.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# Rows × columns of one sheet's used range: at most MAX_SHEET_CELLS (~340 MB in calamine), or
# SHEET_CELLS_PER_BYTE per byte of the file for a big workbook of our own (180,000 tasks ×
# 150 departments is 27 million cells in 17.7 MB): a stray far cell in a small file is refused.
MAX_SHEET_CELLS = 8_000_000
SHEET_CELLS_PER_BYTE = 4
_REF = re.compile(rb'<(?:c|row|dimension|mergeCell)\b[^>]*?\b(?:r|ref)="([A-Z]{0,4})(\d{0,8})'
                  rb'(?::([A-Z]{0,4})(\d{0,8}))?"')


def column_number(letters: bytes | str) -> int:
    """A1-style column letters → 1-based number (A → 1, XFD → 16,384); 0 for none."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + (ord(ch) - 64)
    return n


def check_sheet_extent(f: IO[bytes], info: zipfile.ZipInfo, path: object, sheet: str) -> None:
    """Refuse a worksheet whose cells, rows, dimension or merges reach beyond Excel's grid or
    cover more than :data:`MAX_SHEET_CELLS` (or :data:`SHEET_CELLS_PER_BYTE` per byte of the
    file, when that is more), before any reader allocates them.

    The part is inflated in steps (bounded memory) and scanned for references; a reference
    cut by a step boundary is seen whole in the next step's overlap."""
    size = f.seek(0, os.SEEK_END)
    allowed = max(MAX_SHEET_CELLS, SHEET_CELLS_PER_BYTE * size)
    f.seek(info.header_offset)
    header = f.read(30)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    f.seek(info.header_offset + 30 + name_length + extra_length)
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left = info.compress_size
    rows = columns = 0
    carry = b""
    while left > 0:
        data = f.read(min(left, 256 * 1024))
        if not data:
            break
        left -= len(data)
        chunk = inflate.decompress(data) if inflate is not None else data
        text = carry + chunk
        for m in _REF.finditer(text):
            for letters, digits in ((m.group(1), m.group(2)), (m.group(3), m.group(4))):
                if letters:
                    columns = max(columns, column_number(letters))
                if digits:
                    rows = max(rows, int(digits))
        carry = text[-200:]
    if rows > EXCEL_MAX_ROWS or columns > EXCEL_MAX_COLUMNS:
        raise MatrixInputError(_("{path}: refused: sheet {sheet} has a cell beyond Excel's grid (row {rows:,}, column {columns:,})").format(
            path=path, sheet=sheet, rows=rows, columns=columns))
    if rows * columns > allowed:
        raise MatrixInputError(
            _("{path}: refused: sheet {sheet} spans {rows:,} rows × {columns:,} columns, more than the {allowed:,} cells read for a file of this size (MAX_SHEET_CELLS): a stray far cell?").format(
                path=path, sheet=sheet, rows=rows, columns=columns, allowed=allowed))
    f.seek(0)

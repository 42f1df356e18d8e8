"""Bytes → text: the first stage of the pipeline, one module per input format.

:func:`read_bytes` (and :func:`read_path`, :func:`read_stream` around it) is the one entry
point: it checks the size, sniffs the format (:func:`sniff_format`: file name and first bytes)
and hands the bytes to that format's reader, which returns a :class:`~matrix.read.plain.RawText`
(the plain text of the plan, the encoding, the format, and per line the line of the user's file
it came from).

==========  ================================================================================
``plain``   plain text: encodings (BOMs, ``<meta charset>``, detection), never mojibake
``html``    an HTML page saved from a portal
``docx``    a Word ``.docx`` (and the duty tables in it, shared with ``html``)
``formats`` the readers of published attachments (PDF, scans, office files, OFD, 分工表)
``pdf``     a PDF: its text layer page by page, furniture dropped (pypdfium2)
``ocr``     scanned PDF pages and .png/.jpg/.tif images (RapidOCR, the ``ocr`` extra)
``office``  .doc, .wps, .odt, .rtf converted to .docx by LibreOffice headless
``ofd``     OFD (GB/T 33190): the zip of XML pages, text in reading order
``sheet``   an office's own 任务分工表 workbook (.xlsx, .xls) read as a plan
``furniture`` the ``Paged`` text of pdf, ocr and ofd, page numbers and running heads dropped
==========  ================================================================================

What comes after reading (cell tables, reflow, normalise) is text → text, in :mod:`matrix.text`.

**Adding a reader**: write ``read/<format>.py`` with a function ``read_<format>(data, path,
encoding) -> RawText`` (``lines`` mapping each output line to the user's page/paragraph/row;
``pages`` for a paged format), add it to :data:`READERS`, and teach :func:`sniff_format` (or
its helper ``_published``) to recognise the format. Errors are ``MatrixInputError`` whose message
starts with the file name. A reader of a zip-based format checks what the zip unpacks to first
(``safety.zipcheck.open_zip``, or :func:`_check_unpacked_size` for .docx).

* **Formats.** A Word ``.docx`` (a zip holding ``word/document.xml``) goes through ``docx``; an
  HTML page (suffix ``.html``/``.htm``, or text that opens with a tag such as ``<html`` or
  ``<div``) through ``html``; PDF, images, .doc/.wps/.odt/.rtf, OFD and workbooks through the
  readers ``_published`` names; anything else is plain text (``text``). Other zip archives
  are refused with a message.
* **Size.** An input larger than ``MAX_INPUT_BYTES`` (64 MB; the environment variable
  ``DUTYMATRIX_MAX_INPUT_MB`` sets another limit in megabytes of 2**20 bytes) is refused before it
  is read: a file by its size on disk, standard input as soon as more than the limit has come in.
  The largest real plans are a few hundred kilobytes; a file far over that is not a plan, and
  parsing it would hold several times its size in memory. A ``.docx`` is also refused when what
  it unpacks to is over the limit (a zip bomb), from the sizes its zip directory declares, which
  bound what unpacking can produce.

Every error is a ``MatrixInputError`` whose message starts with the file name.
"""

from __future__ import annotations

import importlib
import io
import os
import re
import sys
from pathlib import Path
from typing import BinaryIO

from ..errors import MatrixInputError, unreadable
from ..i18n import N_, _
from ..safety.limits import LIMIT_VARIABLE, MAX_INPUT_BYTES, MB, max_input_bytes
from ..text.patterns import lazy
from .plain import BOMS, RawText

__all__ = ["LIMIT_VARIABLE", "MAX_INPUT_BYTES", "READERS", "STDIN", "STDIN_NAME", "RawText",
           "check_size", "max_input_bytes", "read_bytes", "read_path", "read_stream",
           "sniff_format"]

STDIN = "-"  # the file name that means standard input
STDIN_NAME = "<stdin>"  # how standard input is named in messages and records

_CHUNK = MB  # inputs are read in pieces this size, so that the limit is checked as they come

_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".shtm"}
# The comments are matched possessively (``*+``): "<!---->" repeated can be cut into comments in
# exponentially many ways, and a plain ``*`` tried them all before failing (seconds for 22 of them).
_HTML_START = lazy(r"\s*(?:<!--.*?-->\s*)*+"
                         r"<(?:!doctype\s+html|html|head|body|div|p|table|meta|"
                         r"title|span|section|article|h[1-6])\b", re.IGNORECASE | re.DOTALL)

# format → (module of this package, function): the function takes (data, path, encoding) and
# returns a RawText. A new input format joins here (see the docstring).
READERS = {
    "text": ("plain", "decode"),
    "html": ("html", "read_html"),
    "docx": ("docx", "read_docx"),
    # published attachments (told apart by _published, read by formats)
    "pdf": ("formats", "read_pdf"),  # text layer (pdf), scanned pages by OCR (ocr)
    "image": ("formats", "read_image"),  # .png .jpg .tif by OCR (ocr)
    "office": ("formats", "read_office"),  # .doc .wps .odt .rtf through LibreOffice (office)
    "ofd": ("formats", "read_ofd"),  # OFD, GB/T 33190 (ofd)
    "sheet": ("formats", "read_sheet"),  # an office's own 分工表 workbook (sheet)
}


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_ODF = b"application/vnd.oasis.opendocument."
_WORD_SUFFIXES = (".docx", ".docm", ".dotx")


def _published(data: bytes, suffix: str = "") -> str | None:
    """The format of a published attachment, from the first bytes (the suffix only breaks ties),
    or None for the formats :func:`sniff_format` tells apart itself:

    =========  ======================================================  ===================
    format     recognised by                                           read by
    =========  ======================================================  ===================
    pdf        ``%PDF``                                                ``pdf`` (+ ``ocr``)
    image      PNG, JPEG or TIFF signature                             ``ocr``
    office     Word 97 / WPS (OLE without a workbook stream), RTF,     ``office`` → docx
               OpenDocument text (.odt)
    ofd        a zip holding ``OFD.xml``, or named .ofd                ``ofd``
    sheet      .xlsx (a zip with ``xl/``), .xls (OLE with a workbook   ``sheet``
               stream), OpenDocument spreadsheet (.ods)
    =========  ======================================================  ===================
    """
    head = data[:65536]
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(_IMAGES):
        return "image"
    if data.startswith(b"{\\rtf"):
        return "office"
    if data.startswith(_OLE):
        if suffix in (".xls", ".xlt", ".et") or any(s in data for s in _WORKBOOK_STREAMS):
            return "sheet"
        return "office"
    if data.startswith(b"PK\x03\x04"):
        if b"OFD.xml" in head or suffix == ".ofd":
            return "ofd"
        if _ODF + b"text" in head[:200]:
            return "office"
        if suffix in _WORD_SUFFIXES:  # a workbook named .docx: reader says what it is
            return None
        if _ODF + b"spreadsheet" in head[:200] or b"xl/" in head or suffix in (".xlsx", ".xlsm"):
            return "sheet"
    return None


# Formats read by native code (PDFium, OCR, image decoders, LibreOffice): in a worker process
# with a memory and time budget (``confine``, ``limits.READ_MEMORY`` / ``READ_SECONDS``).
CONFINED = frozenset({"pdf", "image", "ofd", "office"})


def sniff_format(data: bytes, name: str = "", *, label: str | None = None) -> str:
    """A key of :data:`READERS` from the file name and the first bytes.

    ``label`` names the input in messages (default: ``name``).

    Raises ``MatrixInputError`` for a zip archive that is no format read here.
    """
    suffix = Path(name).suffix.lower() if name else ""
    label = label or name or "<input>"
    other = _published(data, suffix)  # PDF, scans, office files, OFD, 分工表 workbooks
    if other:
        return other
    if data.startswith(b"PK\x03\x04"):
        if b"word/" not in data[:65536] and b"xl/" in data[:65536]:
            raise MatrixInputError(_(
                "{path}: this is an Excel workbook, not a plan: give workbooks to filter or diff, "
                "plan documents to build or parse").format(path=label))
        if b"word/" in data[:65536] or suffix in (".docx", ".docm", ".dotx"):
            return "docx"
        raise MatrixInputError(_("{path}: this is a zip archive, not a plan: dutymatrix reads "
                                 "plain text, HTML pages, Word, PDF, OFD and scans").format(
                                     path=label))
    if suffix in (".docx", ".docm"):
        raise MatrixInputError(_("{path}: named .docx but is not a Word .docx (no zip inside)")
                               .format(path=label))
    if suffix in _HTML_SUFFIXES:
        return "html"
    head = data[:4096]
    for bom, enc in BOMS:
        if head.startswith(bom):
            head = head.decode(enc, errors="ignore").encode("utf-8")
            break
    if b"\x00" in head[:200]:  # UTF-16 without BOM: look at its ASCII letters only
        head = head.replace(b"\x00", b"")
    if _HTML_START.match(head.decode("latin-1")):
        return "html"
    return "text"


def check_size(size: int, path: str, limit: int | None = None) -> None:
    """Refuse an input of ``size`` bytes when it is over the limit (``max_input_bytes``)."""
    limit = max_input_bytes(path) if limit is None else limit
    if size > limit:
        raise MatrixInputError(_(
            "{path}: {size} is over the {limit} MB limit; split the file or raise {variable}")
            .format(path=path, size=_size(size), limit=_megabytes(limit),
                    variable=LIMIT_VARIABLE))


def _megabytes(limit: int) -> str:
    """64, 0.5, 0.01: a limit in megabytes as the user set it."""
    return f"{round(limit / MB, 3):g}"


def _size(size: int) -> str:
    """100.0 MB, 0.3 MB, 29.4 KB: a size as a person reads it."""
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{size / 1024:.1f} KB"


def read_bytes(data: bytes, path: str = "<input>", encoding: str | None = None, *,
               format: str | None = None) -> RawText:
    """Read the content of one input in any supported format; errors name ``path``.

    ``format`` (``text``, ``html``, ``docx``: a key of :data:`READERS`) overrides sniffing.
    Content over the size limit (``max_input_bytes``) is refused.
    """
    check_size(len(data), path)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        if data.count(0) > len(data) // 2:
            raise MatrixInputError(_("{path}: the file holds only NUL bytes (and blanks), not "
                                     "text: a damaged or unwritten file?").format(path=path))
        raise MatrixInputError(_("{path}: the file is empty").format(path=path))
    fmt = format or sniff_format(data, "" if path == STDIN_NAME else path, label=path)
    reader = READERS.get(fmt)
    if reader is None:
        raise MatrixInputError(_("{path}: unknown input format {format!r} ({formats})").format(
            path=path, format=fmt, formats=", ".join(READERS)))
    if fmt == "docx":
        _check_unpacked_size(data, path)
    module, function = reader
    read = getattr(importlib.import_module(f".{module}", __name__), function)
    if fmt in CONFINED:
        from .confine import confined

        return confined(read, data, path, encoding, path=path, office=fmt == "office")
    return read(data, path, encoding)


def _check_unpacked_size(data: bytes, path: str) -> None:
    """Refuse a zip (.docx) whose members unpack to more than the size limit.

    ``zipfile`` never returns more than a member's declared size, so the declared sizes bound
    the memory that reading the .docx takes. A damaged zip is left to ``docx_to_text``.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # any damage (BadZipFile, NotImplementedError for an unknown zip
        return  # version, UnicodeDecodeError in a name …) is docx_to_text's to report
    limit = max_input_bytes(path)
    if unpacked > limit:
        raise MatrixInputError(_(
            "{path}: the .docx unpacks to {size}, over the {limit} MB limit; split the document "
            "or raise {variable}").format(path=path, size=_size(unpacked),
                                          limit=_megabytes(limit), variable=LIMIT_VARIABLE))
    # The checks every zip-based input gets (ratio, streams, DTDs): safety.zipcheck.
    from ..safety.zipcheck import check_zip

    check_zip(io.BytesIO(data), path, N_("a Word .docx"), max_unpacked=limit)
    _check_paragraphs(data, path)


def _check_paragraphs(data: bytes, path: str) -> None:
    """Refuse a .docx of more than ``MAX_DOCX_PARAGRAPHS`` paragraphs, counted in the inflated
    ``word/document.xml`` before python-docx builds a tree of them (time and memory grow with
    the count: 900,000 tiny paragraphs in 1.2 MB took 1.5 GB and three minutes)."""
    import zipfile

    from ..safety.limits import MAX_DOCX_PARAGRAPHS

    count, carry = 0, b""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, \
                archive.open("word/document.xml") as stream:
            while chunk := stream.read(1 << 20):
                text = carry + chunk
                count += len(_PARAGRAPH.findall(text)) - len(_PARAGRAPH.findall(carry))
                carry = text[-8:]
                if count > MAX_DOCX_PARAGRAPHS:
                    raise MatrixInputError(_(
                        "{path}: the .docx holds more than {count:,} paragraphs "
                        "(MAX_DOCX_PARAGRAPHS; a plan has a few thousand): refused").format(
                            path=path, count=MAX_DOCX_PARAGRAPHS))
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return  # no document part, damage: docx_to_text says what is wrong


_PARAGRAPH = lazy(rb"<w:p[ >/]")  # compiled for a .docx only


def read_path(path: Path | str, encoding: str | None = None, *,
              format: str | None = None) -> tuple[bytes, RawText]:
    """Read a file from disk (``-`` is standard input) and decode it; errors name the file."""
    if str(path) == STDIN:
        return read_stream(sys.stdin, STDIN_NAME, encoding, format=format)
    path = Path(path)
    limit = max_input_bytes(str(path))
    try:
        with open(path, "rb") as handle:
            # The size on disk first, so that a huge file is refused without reading it; then
            # no more than the limit is read, in case the file grows or is not a regular file.
            check_size(os.fstat(handle.fileno()).st_size, str(path), limit)
            data = _read_limited(handle, str(path), limit)
    except OSError as e:
        raise unreadable(path, e) from None
    return data, read_bytes(data, str(path), encoding, format=format)


def _read_limited(source, name: str, limit: int) -> bytes | str:
    """Everything from ``source`` (bytes, or str from a text stream), refused as soon as more
    than ``limit`` has come in: a pipe that never ends does not fill the memory."""
    chunks: list = []
    total = 0
    while True:
        chunk = source.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        # A text stream yields characters: count them as UTF-8 bytes, as they will be encoded.
        if isinstance(chunk, str):
            total += len(chunk.encode("utf-8", "surrogatepass"))
        else:
            total += len(chunk)
        if total > limit:
            raise MatrixInputError(_(
                "{path}: the input is over the {limit} MB limit; split it or raise {variable}")
                .format(path=name, limit=_megabytes(limit), variable=LIMIT_VARIABLE))
    if not chunks:
        return b""
    return chunks[0][:0].join(chunks)


def read_stream(stream: BinaryIO, name: str = STDIN_NAME, encoding: str | None = None, *,
                format: str | None = None) -> tuple[bytes, RawText]:
    """Read everything from an open file (binary, or text such as ``sys.stdin``) and decode it.

    A text stream is read through its binary ``buffer`` when it has one, so that the encoding is
    detected from the bytes and not guessed by the terminal's locale.
    """
    source = getattr(stream, "buffer", stream)
    try:
        data = _read_limited(source, name, max_input_bytes(name))
    except OSError as e:
        raise MatrixInputError(_("{path}: cannot read: {reason}").format(
            path=name, reason=e.strerror or e)) from None
    if isinstance(data, str):  # a text stream without a buffer (io.StringIO): already decoded
        data = data.encode("utf-8", "surrogatepass")
    return data, read_bytes(data, name, encoding, format=format)

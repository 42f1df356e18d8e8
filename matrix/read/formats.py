"""Which reader a published attachment needs, and the call to it: PDF, scans, office files that
LibreOffice converts, OFD and an office's own 分工表 workbook.

``sniff(data, suffix)`` names the format from the first bytes (the suffix only breaks ties):

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

``read(data, path, format)`` returns the ``reader.RawText`` of the file: for paged formats its
``pages`` and ``lines`` give each line's page and line on the page.
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import N_

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_ODF = b"application/vnd.oasis.opendocument."
_WORD_SUFFIXES = (".docx", ".docm", ".dotx")


def sniff(data: bytes, suffix: str = "") -> str | None:
    """The format of ``data`` among those this package reads, or None (see the table above)."""
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


def _suffix(data: bytes, path: str) -> str:
    """The suffix LibreOffice is given the file under: the file's own, else one from content."""
    suffix = Path(path).suffix.lower()
    if suffix in (".doc", ".dot", ".wps", ".wpt", ".rtf", ".odt", ".ott", ".docx", ".wpd",
                  ".fodt", ".sxw", ".uot"):
        return suffix
    if data.startswith(b"{\\rtf"):
        return ".rtf"
    if data.startswith(b"PK"):
        return ".odt"
    return ".doc"


def _raw():
    from . import RawText

    return RawText


def _paged(paged, fmt: str):
    return _raw()(paged.text, None, fmt, paged.lines, paged.pages, paged.confidence)


def read_pdf(data: bytes, path: str, encoding: str | None = None):
    """A PDF: its text layer, scanned pages by OCR (``pdf``)."""
    from .pdf import pdf_to_text

    return _paged(pdf_to_text(data, path), "pdf")


def read_image(data: bytes, path: str, encoding: str | None = None):
    """A .png, .jpg or .tif by OCR (``ocr``)."""
    from .ocr import image_to_text

    return _paged(image_to_text(data, path), "image")


def read_ofd(data: bytes, path: str, encoding: str | None = None):
    """An OFD file (``ofd``)."""
    from .ofd import ofd_to_text

    return _paged(ofd_to_text(data, path), "ofd")


def read_office(data: bytes, path: str, encoding: str | None = None):
    """.doc, .wps, .odt, .rtf: converted to .docx by LibreOffice (``office``), read as .docx."""
    from .docx import docx_to_text
    from .office import convert

    from . import _check_unpacked_size

    suffix = _suffix(data, path)
    if data.startswith(b"PK\x03\x04"):  # .odt: the zip checks every zip input gets, first
        from .zipsafe import open_zip

        open_zip(data, path, N_("an .odt document")).close()
    converted = convert(data, path, suffix)
    _check_unpacked_size(converted, path)  # the .docx checks: size, ratio, MAX_DOCX_PARAGRAPHS
    text, lines = docx_to_text(converted, path)
    return _raw()(text, None, suffix.lstrip("."), lines)


def read_sheet(data: bytes, path: str, encoding: str | None = None):
    """An office's own 分工表 workbook (``sheet``)."""
    from .sheet import sheet_to_text

    text, lines = sheet_to_text(data, path)
    return _raw()(text, None, "sheet", lines)


# format → reader, each taking (data, path, encoding) and returning a RawText
READERS = {"pdf": read_pdf, "image": read_image, "ofd": read_ofd, "office": read_office,
           "sheet": read_sheet}


def read(data: bytes, path: str, fmt: str):
    """The ``RawText`` of ``data`` in format ``fmt`` (one of the formats ``sniff`` names)."""
    return READERS[fmt](data, path)

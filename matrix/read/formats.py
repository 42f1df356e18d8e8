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

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_ODF = b"application/vnd.oasis.opendocument."


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


def read(data: bytes, path: str, fmt: str):
    """The ``RawText`` of ``data`` in format ``fmt`` (one of the formats ``sniff`` names)."""
    from ..reader import RawText

    if fmt in ("pdf", "image", "ofd"):
        if fmt == "pdf":
            from .pdf import pdf_to_text as read_paged
        elif fmt == "image":
            from .ocr import image_to_text as read_paged
        else:
            from .ofd import ofd_to_text as read_paged
        paged = read_paged(data, path)
        return RawText(paged.text, None, fmt, paged.lines, paged.pages, paged.confidence)
    if fmt == "office":
        from ..docxtext import docx_to_text
        from .office import convert

        suffix = _suffix(data, path)
        text, lines = docx_to_text(convert(data, path, suffix), path)
        return RawText(text, None, suffix.lstrip("."), lines)
    if fmt == "sheet":
        from .sheet import sheet_to_text

        text, lines = sheet_to_text(data, path)
        return RawText(text, None, "sheet", lines)
    raise ValueError(fmt)

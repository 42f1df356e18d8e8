"""The readers of published attachments: PDF, scans, office files that LibreOffice converts, OFD
and an office's own 分工表 workbook, each ``read_<format>(data, path, encoding) -> RawText``
(listed in ``matrix.read.READERS``; which one a file needs is ``sniff_format``'s to say). For
paged formats the ``RawText``'s ``pages`` and ``lines`` give each line's page and line on the
page.
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import N_

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
    from .plain import RawText

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
        from ..safety.zipcheck import open_zip

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

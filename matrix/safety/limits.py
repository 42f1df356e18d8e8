"""Limits on what one input may cost, and reading a file within one.

Every limit is a named constant here or beside the reader it bounds, and the README lists
them (Limits and untrusted input). :func:`read_bounded` reads a small file the user names —
a ``--matches`` file, a departments TOML — without ever reading more than its limit, whatever
the file is (``/dev/zero``, a FIFO, a 10 GB file).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import MatrixInputError, unreadable
from ..i18n import _

# One input (a plan, a workbook, an upload): see ``matrix.read``'s docstring.
MB = 2**20
MAX_INPUT_BYTES = 64 * MB  # the default limit on one input (see the module docstring)
LIMIT_VARIABLE = "DUTYMATRIX_MAX_INPUT_MB"

# A --matches file (OLD=NEW lines decided by a person): a few hundred lines in practice.
MAX_MATCHES_BYTES = 1 << 20
# A departments TOML (packaged or $DUTYMATRIX_DEPARTMENTS): the packaged one is ~60 KB.
MAX_DEPARTMENTS_BYTES = 16 << 20


def read_bounded(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``; ``MatrixInputError`` naming it when it holds more than ``limit``
    bytes (at most ``limit + 1`` bytes are ever read) or cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as e:
        raise unreadable(path, e, what) from None
    if len(data) > limit:
        raise MatrixInputError(_("{path}: {what} larger than {limit:,} bytes: refused").format(
            path=path, what=_(what), limit=limit))
    return data


def read_traversable(source, limit: int, what: str = "file") -> bytes:
    """:func:`read_bounded` for a path or an ``importlib.resources`` file; ``OSError`` is
    left to the caller."""
    if isinstance(source, (str, os.PathLike)):
        source = Path(source)
    with source.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise MatrixInputError(_("{source}: {what} larger than {limit:,} bytes: refused").format(
            source=source, what=_(what), limit=limit))
    return data

# Grid positions of one table (rows × columns, a spanned cell counted in every position it
# covers), in HTML and .docx alike: real duty tables have a few thousand.
MAX_TABLE_CELLS = 200_000

# Paragraphs of a Word .docx, table cells' included (``<w:p>``): python-docx takes ~0.1 ms a
# paragraph and a real plan has a few thousand; 50,000 is read in a few seconds.
MAX_DOCX_PARAGRAPHS = 50_000


def max_input_bytes(path: str = "<input>") -> int:
    """The largest input read, in bytes: ``DUTYMATRIX_MAX_INPUT_MB`` megabytes when it is set,
    else ``MAX_INPUT_BYTES``. A value that is not a positive number is an error naming ``path``."""
    value = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not value:
        return MAX_INPUT_BYTES
    try:
        megabytes = float(value)
    except ValueError:
        megabytes = float("nan")
    if not megabytes > 0 or megabytes == float("inf"):  # also refuses nan
        raise MatrixInputError(_("{path}: {variable}={value!r}: expected a positive number of "
                                 "megabytes, e.g. 256").format(path=path, variable=LIMIT_VARIABLE,
                                                               value=value))
    return int(megabytes * MB)
# ── paged documents (PDF, OFD, scans): what one file may cost (issue 24) ──────────────────────

# Pages of one PDF or OFD: real plans have tens, a compiled volume a few hundred. A file of
# thousands of pages sharing one content stream costs minutes and gigabytes.
MAX_PAGES = 600

# Characters of text over all the pages of one document (a 200-page plan has ~300,000): pages
# that all show one big content stream are refused as soon as their sum passes this.
MAX_TEXT_CHARS = 3_000_000

# Scanned pages (or image frames) read by OCR in one document: OCR takes seconds a page.
MAX_OCR_PAGES = 100

# Pixels of one page rendered (or one image frame decoded) for OCR: an A0 sheet at 150 dpi is
# ~35 million; a 200-inch page would be 900 million (2.7 GB).
MAX_PAGE_PIXELS = 40_000_000

# A PDF, OFD, scan or office document is read in a worker process that is killed past these:
# seconds of wall time, and bytes of address space beyond what the worker starts with (PDFium
# asked 8 GB for one page of nested drawing blocks and aborted the process; a 581-page text PDF
# needs ~100 MB); once OCR is needed (its engine and models take ~1.2 GB of address space) the
# worker may grow to READ_MEMORY_OCR. LibreOffice is a program of its own that maps ~600 MB to
# convert a 2 MB .doc: an office document's worker, and LibreOffice under it, get
# READ_MEMORY_OFFICE.
READ_SECONDS = 600
READ_MEMORY = 384 << 20
READ_MEMORY_OCR = 2 << 30
READ_MEMORY_OFFICE = 1 << 30

# The page keeps the plans, comparisons and 汇总 it has read for later requests (web/store.py):
# at most this many bytes of the inputs they came from (a plan's records take ~15 times its
# file: 12 uploads of a 7.6 MB plan held 1.5 GB). The least recently used go first; a page
# whose plan has gone answers 404 and the plan is uploaded again.
MAX_STORE_BYTES = 24 << 20

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

"""The pipeline as library calls: read → reflow → normalise → parse → records.

``parse_file`` (a path, or ``-`` for standard input), ``parse_stream`` (an open file),
``parse_bytes`` and ``parse_text`` are what the CLI and a Python user call; each stage is a pure
function from the one before, so that any of them can be used alone:

* ``read.read_bytes``: bytes of a text file, HTML page or .docx → ``RawText``;
* ``read.reflow.reflow``: hard line breaks of text copied from a PDF joined back;
* ``normalise.normalise``: clean text;
* ``transform.plan_reader`` (the ``parser``'s ``plan.lark`` with ``transform.UnitBuilder``)
  and ``transform``: records.

Each stage keeps a map from its lines back to the lines of its input, and the maps are composed,
so that every line number in a record, warning or error points into the file the user has open
(for HTML, the line of the page; for .docx, the paragraph). Every error is a ``MatrixError``
naming the file.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import MatrixParseError, NoClausesError
from ..i18n import _
from ..records import Department, Jurisdiction, Plan, Source
from ..safety.digest import sha256_hex


def _compose(norm_lines: Sequence[int], reflow_lines: Sequence[int],
             source_lines: Sequence[int] | None) -> tuple[int, ...]:
    """normalised line → reflowed line → text line → the user's line."""
    def through(line: int, table: Sequence[int] | None) -> int:
        """One step of the map; no table means the lines are the same."""
        if not table or line < 1:
            return line
        return table[min(line, len(table)) - 1]

    return tuple(through(through(n, reflow_lines), source_lines) for n in norm_lines)


def _through(table: Sequence[int], column: Sequence | None) -> tuple | None:
    """``column`` (a value per line of a text) for the lines of a text made from it, whose
    ``table`` gives the 1-based line each came from."""
    if column is None:
        return None
    if not column:
        return tuple(column)
    return tuple(column[min(line, len(column)) - 1] for line in table)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a plan is parsed, back as it was after.

    Parsing allocates an object per token and per record and frees almost none of them, so the
    collector, which runs every few hundred allocations and walks every object young enough,
    found nothing to collect and took a quarter to a third of the time on a 10 MB plan. The
    records form no reference cycles; whatever cycle a library makes meanwhile is collected at
    the next collection after this.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_text(text: str, path: str = "<text>", *, sha256: str | None = None,
               format: str = "text", encoding: str | None = None, canonical=None,
               reflow: bool | None = None, lines: Sequence[int] | None = None,
               pages: Sequence[int] | None = None,
               confidence: Sequence[float | None] | None = None, jurisdiction=None) -> Plan:
    """Parse the text of a plan into a ``Plan``.

    The records are ``matrix.records`` dataclasses, built from values the parser typed itself
    (pydantic is not imported: ``records.validated`` checks a plan from elsewhere).

    ``reflow`` decides whether hard line breaks are joined back (``None``: when the text looks
    hard-wrapped, see ``matrix.text.reflow``). ``lines`` maps each line of ``text`` to the user's line
    when the text was extracted from another format (HTML, .docx). ``pages`` gives each line's
    page for a paged source (PDF, scan, OFD; ``lines`` is then the line on the page): every
    record and message then says page and line (``matrix.parse.pages``); ``confidence`` is each
    line's OCR confidence for a scan.

    ``jurisdiction`` (a ``Jurisdiction`` or its text: 广东省, 滁州市, central) overrides the
    government each document is found to belong to (``matrix.parse.jurisdiction``).

    Raises ``NoClausesError`` when the text has no numbered clause (a news article, say) and
    ``MatrixParseError`` for anything else that stops the parse, with the user's line number.
    """
    if sha256 is None:
        sha256 = sha256_hex(text.encode("utf-8", errors="surrogatepass"))
    source = Source(path=shown_path(path), sha256=sha256, format=format, encoding=encoding)
    with collector_paused():
        return _parse(text, source, ParseOptions(canonical, reflow, jurisdiction), lines, pages,
                      confidence)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """How a plan is parsed, whatever it was read from (``parse_text`` says what each means):
    one value handed down instead of the same three parameters in every function."""

    canonical: Callable[[str], Department] | None = None  # default: departments.canonical
    reflow: bool | None = None  # None: when the text looks hard-wrapped
    jurisdiction: Jurisdiction | str | None = None  # None: found in each document


def _parse(text: str, source: Source, options: ParseOptions, lines: Sequence[int] | None,
           pages: Sequence[int] | None = None,
           confidence: Sequence[float | None] | None = None) -> Plan:
    path = source.path
    from ..parse.lalr import UnexpectedInput

    from ..text.normalise import Normalised, normalise
    from ..text.celltable import cell_tables
    from ..text.reflow import reflow as reflow_text
    from ..text.runon import split_run_on
    from ..parse.transform import build_documents, plan_reader

    cut = split_run_on(text)  # a page saved as one line: its numbered clauses on lines again
    if cut is not None:
        text, cut_lines = cut
        lines = _through(cut_lines, lines) or cut_lines
        pages, confidence = (_through(cut_lines, column) for column in (pages, confidence))
    tabled = cell_tables(text)  # a duty table copied cell by cell, one cell per line
    if tabled is not None:
        text, table_lines = tabled
        lines = _through(table_lines, lines) or table_lines
        pages, confidence = (_through(table_lines, column) for column in (pages, confidence))
    flowed = reflow_text(text, hard_wrapped=options.reflow)
    norm = normalise(flowed.text, cleaned=flowed.cleaned)
    paged = None
    if pages:  # lines of the extracted text first; page and line come after (matrix.parse.pages)
        from ..parse.pages import PagedSource

        paged = PagedSource(pages, lines or (), confidence, text.split("\n"))
        lines = None
    norm = Normalised(norm.text, _compose(norm.lines, flowed.lines, lines))
    try:
        units = plan_reader().parse(norm.text)
    except UnexpectedInput as e:
        line = norm.original_line(e.line) if e.line and e.line > 0 else e.line
        page, line = paged.where(line) if paged else (None, line)
        raise MatrixParseError(path, line, e.column, _("cannot parse the document structure"),
                               e.get_context(norm.text), page=page) from e
    if len(units) <= 1:
        raise NoClausesError(path, None, None,
                             _("no numbered clause found (一、 （一） 1. …): this does not look "
                               "like a plan, nothing to build"))
    canonical, jurisdiction = options.canonical, options.jurisdiction
    if canonical is None:
        from ..departments import canonical
    if isinstance(jurisdiction, str):
        from ..parse.jurisdiction import parse_jurisdiction

        jurisdiction = parse_jurisdiction(jurisdiction)
    documents = build_documents(units, canonical, norm.original_line, jurisdiction)
    if paged is not None:
        from ..parse.pages import locate

        documents = locate(documents, paged)
    return Plan(source=source, documents=tuple(documents))


def parse_bytes(data: bytes, path: str = "<input>", *, encoding: str | None = None,
                format: str | None = None, canonical=None, reflow: bool | None = None,
                jurisdiction=None) -> Plan:
    """Read and parse the content of one file (text in any encoding, HTML or .docx)."""
    from ..read import read_bytes

    raw = read_bytes(data, path, encoding, format=format)
    return _parse_raw(data, raw, path, ParseOptions(canonical, reflow, jurisdiction))


def shown_path(path) -> str:
    """A file name as the records hold it: one that is not UTF-8 (bytes Linux allows) keeps
    U+FFFD for its undecodable bytes, since the records go into workbooks, CSV and JSON, which
    hold only text."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _parse_raw(data: bytes, raw, path: str, options: ParseOptions) -> Plan:
    source = Source(path=shown_path(path), sha256=sha256_hex(data),
                    format=raw.format, encoding=raw.encoding)
    with collector_paused():
        return _parse(raw.text, source, options, raw.lines, raw.pages, raw.confidence)


def parse_stream(stream: BinaryIO | None = None, name: str | None = None, *,
                 encoding: str | None = None, format: str | None = None, canonical=None,
                 reflow: bool | None = None, jurisdiction=None) -> Plan:
    """Read and parse everything from an open file, binary or text (``sys.stdin`` by default)."""
    import sys

    from ..read import STDIN_NAME, read_stream

    if stream is None:
        stream = sys.stdin
    name = name or STDIN_NAME
    data, raw = read_stream(stream, name, encoding, format=format)
    return _parse_raw(data, raw, name, ParseOptions(canonical, reflow, jurisdiction))


def parse_file(path: Path | str, *, encoding: str | None = None, canonical=None,
               format: str | None = None, reflow: bool | None = None,
               jurisdiction=None) -> Plan:
    """Read and parse one plan file; ``-`` reads standard input (see ``parse_text``)."""
    from ..read import STDIN, STDIN_NAME, read_path

    if str(path) == STDIN:
        data, raw = read_path(STDIN, encoding, format=format)
        return _parse_raw(data, raw, STDIN_NAME, ParseOptions(canonical, reflow, jurisdiction))
    path = Path(path)
    data, raw = read_path(path, encoding, format=format)
    return _parse_raw(data, raw, str(path), ParseOptions(canonical, reflow, jurisdiction))


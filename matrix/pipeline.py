"""The pipeline as library calls: read → normalise → parse → records.

``parse_text`` and ``parse_file`` are what the CLI and a Python user call; each stage is a pure
function from the one before, so that any of them can be used alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import MatrixParseError, NoClausesError
from .models import Plan, Source


def parse_text(text: str, path: str = "<text>", *, sha256: str | None = None,
               format: str = "text", encoding: str | None = None, canonical=None) -> Plan:
    """Parse the text of a plan into a ``Plan``.

    Raises ``NoClausesError`` when the text has no numbered clause (a news article, say) and
    ``MatrixParseError`` for anything else that stops the parse, with the user's line number.
    """
    from lark.exceptions import UnexpectedInput, VisitError

    from .normalise import normalise
    from .parser import plan_parser
    from .transform import build_documents, tree_to_units

    norm = normalise(text)
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        tree = plan_parser().parse(norm.text)
        units = tree_to_units(tree)
    except UnexpectedInput as e:
        line = norm.original_line(e.line) if e.line and e.line > 0 else e.line
        raise MatrixParseError(path, line, e.column, "cannot parse the document structure",
                               e.get_context(norm.text)) from e
    except VisitError as e:
        line = getattr(getattr(e.obj, "meta", None), "line", None)
        raise MatrixParseError(path, norm.original_line(line) if line else None, None,
                               str(e.orig_exc)) from e.orig_exc
    if len(units) <= 1:
        raise NoClausesError(path, None, None,
                             "no numbered clause found (一、 （一） 1. …): this does not look like "
                             "a plan, nothing to build")
    if canonical is None:
        from .departments import canonical
    documents = build_documents(units, canonical, norm.original_line)
    return Plan(source=Source(path=path, sha256=sha256, format=format, encoding=encoding),
                documents=tuple(documents))


def parse_file(path: Path | str, *, encoding: str | None = None, canonical=None) -> Plan:
    """Read and parse one plan file (see ``parse_text``)."""
    from .reader import read_path

    path = Path(path)
    data, raw = read_path(path, encoding)
    return parse_text(raw.text, str(path), sha256=hashlib.sha256(data).hexdigest(),
                      format=raw.format, encoding=raw.encoding, canonical=canonical)

"""Records of a paged source (PDF, scan, OFD): page and line, OCR confidence, OCR warnings.

``locate(documents, source)`` runs after ``transform.build_documents`` when the reader gave each
line of the text its page (``reader.RawText.pages``). The records were built with line numbers
counted in the extracted text; here every one of them — tasks, clauses, warnings, documents —
becomes the page and the line on that page (``page`` and ``line`` fields), which is what a user
with the PDF open can find.

For a scan (``RawText.confidence``), each task also keeps the OCR confidence of its trailer (the
lowest confidence of the lines the trailer was read from), and two warnings point at what OCR
may have misread, without changing what was read:

* ``ocr-confidence``: a trailer read with confidence below ``LOW_CONFIDENCE``;
* ``ocr-department``: a department name not in the canonical data that is one character from a
  known name (财攻部 → 财政部), with the suggestion. The name is kept as printed and stays
  unknown: it is never made a new department silently, nor replaced by a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..messages import warning

LOW_CONFIDENCE = 0.85
_SPACE = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class PagedSource:
    """What ``locate`` needs from the reader: per line of the extracted text, its page, its line
    on the page, its OCR confidence (or None) and its text."""

    pages: Sequence[int]
    lines: Sequence[int]
    confidence: Sequence[float | None] | None
    text: Sequence[str]

    def where(self, line: int | None) -> tuple[int | None, int | None]:
        """(page, line on the page) of a line of the extracted text."""
        if line is None or line < 1 or not self.pages:
            return None, line
        index = min(line, len(self.pages)) - 1
        return self.pages[index], self.lines[index]


def _fields(record) -> dict[str, Any]:
    from ..records import layout

    return {name: getattr(record, name) for name in layout(type(record)).fields}


def _remake(record, **changes):
    return type(record).make(**{**_fields(record), **changes})


def _placed(record, source: PagedSource):
    page, line = source.where(record.line)
    return _remake(record, page=page, line=line)


def trailer_confidence(trailer: str | None, first: int, last: int,
                       source: PagedSource) -> float | None:
    """Lowest OCR confidence of the lines (``first``..``last`` of the extracted text, 1-based)
    that the trailer was read from: located by fuzzy alignment of its text on those lines."""
    if not trailer or source.confidence is None:
        return None
    from rapidfuzz import fuzz

    first = max(first, 1)
    last = min(max(last, first), len(source.text))
    joined = ""
    starts = []
    for index in range(first - 1, last):
        starts.append(len(joined))
        joined += _SPACE.sub("", source.text[index])
    needle = _SPACE.sub("", trailer)
    if not joined or not needle:
        return None
    found = fuzz.partial_ratio_alignment(needle, joined)
    if found is None:
        return None
    values = []
    for offset, start in enumerate(starts):
        end = starts[offset + 1] if offset + 1 < len(starts) else len(joined)
        if start < found.dest_end and end > found.dest_start:
            value = source.confidence[first - 1 + offset]
            if value is not None:
                values.append(value)
    return round(min(values), 3) if values else None


def _one_character_apart(a: str, b: str) -> bool:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b) == 1


def locate(documents: Sequence, source: PagedSource, kinds,
           suggest: Callable[[str], list[str]] | None = None) -> list:
    """The documents with page and line in every record (see the module docstring)."""
    out = []
    scan = source.confidence is not None
    if scan and suggest is None:
        from ..departments import default_registry

        suggest = default_registry().suggest
    for document in documents:
        warnings = [_placed(w, source) for w in document.warnings]
        tasks = []
        starts = [t.line for t in document.tasks]
        for index, task in enumerate(document.tasks):
            changes: dict[str, Any] = {}
            if scan:
                end = starts[index + 1] if index + 1 < len(starts) else task.line + 40
                confidence = trailer_confidence(task.trailer, task.line, max(end, task.line),
                                                source)
                changes["confidence"] = confidence
                page, line = source.where(task.line)
                if confidence is not None and confidence < LOW_CONFIDENCE:
                    warnings.append(warning(kinds.ParseWarning, "ocr-confidence", line,
                                            page=page, label=task.label,
                                            confidence=f"{confidence:.2f}"))
                for a in task.assignments:
                    if a.known:
                        continue
                    close = [s for s in suggest(a.as_printed) if _one_character_apart(
                        a.as_printed, s)]
                    if close:
                        warnings.append(warning(kinds.ParseWarning, "ocr-department", line,
                                                page=page, name=a.as_printed, label=task.label,
                                                close=close[0]))
            page, line = source.where(task.line)
            tasks.append(_remake(task, page=page, line=line, **changes))
        warnings.sort(key=lambda w: (w.line is None, w.page or 0, w.line or 0))
        page, line = source.where(document.line)
        out.append(_remake(document, page=page, line=line, tasks=tuple(tasks),
                           unassigned=tuple(_placed(c, source) for c in document.unassigned),
                           warnings=tuple(warnings)))
    return out

"""Page furniture and the ``Paged`` text that every page-by-page reader returns (PDF, OCR, OFD).

``drop_furniture(pages)`` leaves out a stand-alone page number among the first or last lines of a
page and a running header or footer (a line among the first or last two of a page that recurs,
digits aside, on at least half of the pages and is neither a sentence nor numbered). The readers
of ``matrix.read`` import it from here, so that none of them imports another reader; so do the
page budgets every paged reader applies (``check_pages``, ``TextBudget``, ``check_pixels``:
``matrix.safety.limits``' MAX_PAGES, MAX_TEXT_CHARS and MAX_PAGE_PIXELS).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..errors import MatrixInputError
from ..i18n import _

OCR_DPI = 150  # resolution a scanned page is rendered at for OCR (body text ~30 px high)
_EDGE = 2  # how many lines at the top and at the bottom of a page can be furniture

_PAGE_NUMBER = re.compile(
    r"^(?:[-－—–‒―~～\s]*\d{1,4}[-－—–‒―~～\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|"
    r"\d{1,4}\s*/\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|"
    r"共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_BODY_END = ("。", "！", "？", "；", "：", "，", "）", ")")  # a running head is not a sentence
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])")
_SPACE = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class Paged:
    """Text read page by page: for each line of ``text``, its page and its line on the page."""

    text: str
    pages: tuple[int, ...]
    lines: tuple[int, ...]
    confidence: tuple[float | None, ...] | None = None  # per line, when any page was OCRed
    page_count: int = 0
    ocr_pages: int = 0


def _furniture_key(line: str) -> str:
    return _DIGITS.sub("#", _SPACE.sub("", line))


def drop_furniture(pages: list[list[str]]) -> list[list[tuple[int, str]]]:
    """Each page's lines as (line on the page, text), page numbers and running heads left out."""
    def edges(lines: list[str]) -> list[int]:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        return filled[:_EDGE] + [i for i in filled[-_EDGE:] if i not in filled[:_EDGE]]

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_furniture_key(lines[i]) for i in edges(lines)})
    need = max(2, (len(pages) + 1) // 2)
    out = []
    for lines in pages:
        drop = set()
        for i in edges(lines):
            stripped = lines[i].strip()
            key = _furniture_key(stripped)
            if _PAGE_NUMBER.match(stripped) or (len(pages) >= 2 and counts[key] >= need
                                                and len(stripped) <= 40
                                                and not stripped.endswith(_BODY_END)
                                                and not _NUMBERED.match(stripped)):
                drop.add(i)
        out.append([(i + 1, line) for i, line in enumerate(lines) if i not in drop])
    return out


def check_pages(count: int, path: str) -> None:
    """Refuse a document of more than ``MAX_PAGES`` pages (PDF, OFD)."""
    from ..safety.limits import MAX_PAGES

    if count > MAX_PAGES:
        raise MatrixInputError(_("{path}: {count:,} pages, more than the {limit} read "
                                 "(MAX_PAGES): refused").format(path=path, count=count,
                                                                limit=MAX_PAGES))


class TextBudget:
    """The text of a document's pages added up, refused past ``MAX_TEXT_CHARS`` (pages that all
    show one big content stream: 18,000 pages of one content file gave 400,000 tasks)."""

    def __init__(self, path: str) -> None:
        self.path, self.total = path, 0

    def add(self, chars: int, page: int) -> None:
        from ..safety.limits import MAX_TEXT_CHARS

        self.total += chars
        if self.total > MAX_TEXT_CHARS:
            raise MatrixInputError(_("{path}: more than {limit:,} characters of text by page "
                                     "{page} (MAX_TEXT_CHARS): refused").format(
                                         path=self.path, limit=MAX_TEXT_CHARS, page=page))


def check_pixels(width: float, height: float, path: str, page: int) -> None:
    """Refuse a page or image of more than ``MAX_PAGE_PIXELS`` pixels, before it is drawn."""
    from ..safety.limits import MAX_PAGE_PIXELS

    if width * height > MAX_PAGE_PIXELS:
        raise MatrixInputError(_(
            "{path}: page {page} is {width:,} × {height:,} pixels to read by OCR, more than "
            "{limit:,} (MAX_PAGE_PIXELS): refused").format(
                path=path, page=page, width=int(width), height=int(height),
                limit=MAX_PAGE_PIXELS))


def check_render(size: tuple[float, float], path: str, page: int) -> None:
    """``check_pixels`` for a PDF page of ``size`` points rendered at ``OCR_DPI``."""
    width, height = (abs(v) * OCR_DPI / 72 for v in size)
    check_pixels(width, height, path, page)

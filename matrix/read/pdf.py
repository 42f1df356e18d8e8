"""PDF → plain text of the plan, page by page, with each line's page and line number.

``pdf_to_text(data, path)`` reads a PDF with PDFium (pypdfium2, which ships PDFium in its wheel:
nothing is downloaded at run time) and returns a ``Paged`` text. What it guarantees:

1. **Pages in order**, the text layer of each page as PDFium extracts it, line by line. Hard
   line breaks are left in: ``reflow`` joins them back, as for text copied out of a PDF.
2. **Page furniture dropped**: a stand-alone page number (``- 3 -``, ``第3页``, ``3/10``) among
   the first or last lines of a page, and a running header or footer — a line among the first
   or last two of a page that recurs, digits aside, on at least half of the pages (two pages at
   least) and is neither a sentence nor numbered — are left out, so that a clause split over a
   page break is one clause again. Spaces that the layout puts between hanzi and Latin letters
   or digits (``内 1 家``) are removed.
3. **Page and line**: ``Paged.pages[i]`` and ``Paged.lines[i]`` are the page (from 1) and the
   line on that page (from 1, counted in what PDFium extracts, furniture included) of line
   ``i + 1`` of the text; the pipeline turns every line number of a record or message into
   page and line with them.
4. **Pages without a text layer** (a scan) are read by OCR (``matrix.read.ocr``, the optional
   ``dutymatrix[ocr]`` extra); without it, a message says how to install it. ``Paged.confidence``
   then holds, for each line, the OCR confidence (``None`` for a line from a text layer).
5. **Tables**: a duty table (序号 / 重点任务 / 牵头单位 … columns) is read from the positions
   of its text, not line by line across the page (``pdftable``): each row becomes a numbered
   clause with its trailer, at the line where the row starts.
6. **Bad files**: an encrypted (password-protected) or damaged PDF is a ``MatrixInputError``
   naming the file and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import MatrixInputError
from ..i18n import _
from .furniture import OCR_DPI, Paged, drop_furniture  # noqa: F401 (this module's names)
from .furniture import TextBudget, check_pages, check_pixels, check_render  # noqa: F401

# A page whose text layer has fewer characters than this (spaces aside) is taken for a scan.
MIN_TEXT_CHARS = 20
_TABLE_HINT = re.compile(r"序\s*号|编\s*号")  # a duty table's number column
_SPACE = re.compile(r"[\s\u3000]+")
_SENTENCE_END = ("。", "！", "？", "）")
# The gap a layout puts between hanzi and Latin letters or digits ("内 1 家"), which PDFium
# extracts as a space that the source text did not have.
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’"
_AUTOSPACE = re.compile(rf"(?<=[{_CJK}]) (?=[0-9A-Za-z%])|(?<=[0-9A-Za-z%]) (?=[{_CJK}])")
# A leaked pinyin gloss whose tone-marked vowel, drawn from a fallback font, PDFium extracts out
# of place: "體(tǐ)" comes out as "體(t )ǐ ", "短(duǎn)" as "短(du n) ǎ ". The vowel goes back
# into its gap, so that the normaliser sees (and removes) the gloss the source text had.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_DISPLACED_TONE = re.compile(
    rf"(?<=[\u3400-\u9fff])([(（])([a-zü]*) ([a-zü]*)([)）]) ?([{_TONED}]) ?")


def restore_displaced_tones(line: str) -> str:
    """Put a pinyin gloss's displaced tone-marked vowel back into its gap (see above)."""
    if "(" not in line and "（" not in line:
        return line
    return _DISPLACED_TONE.sub(r"\1\2\5\3\4", line)


def _layout(textpage, text: str, carry=None) -> tuple[list[str], set[int], object]:
    """The lines of a page's text layer, indented lines marked with two ideographic spaces, and
    the indices of the lines that follow a paragraph gap (more than 1.5 times the usual line
    pitch), from the boxes of the first characters of each line; duty tables are put back into
    rows (``_put_tables``: ``carry`` is the table the previous page ended in, and the third
    value the one this page ends in)."""
    raw = text.split("\r\n") if "\r\n" in text else text.split("\n")
    lines = [restore_displaced_tones(_AUTOSPACE.sub("", line.replace("\r", "").replace("\x02", "")))
             for line in raw]
    if len(text) != textpage.count_chars():  # no 1:1 map from text to boxes: text only
        return lines, set(), None
    boxes: list[tuple[float, float, float] | None] = []
    heights: list[float | None] = []  # bottom of each line's first character
    position = 0
    for line in raw:
        first = next((k for k, ch in enumerate(line) if ch.isalnum()), None)
        box = None
        if first is not None:
            left, bottom, right, top = textpage.get_charbox(position + first)
            box = (left, bottom, max(top - bottom, right - left))
        boxes.append(box)
        shown = next((k for k, ch in enumerate(line) if not ch.isspace()), None)
        heights.append(box[1] if box else None if shown is None else
                       textpage.get_charbox(position + shown)[1])
        position += len(line) + 2
    if carry is not None or _TABLE_HINT.search(text):  # text runs cost more than lines
        carry = _put_tables(textpage, lines, heights, carry)
    else:
        carry = None
    placed = [(i, b) for i, b in enumerate(boxes) if b is not None]
    steps = sorted(a[1][1] - b[1][1] for a, b in zip(placed, placed[1:]) if a[1][1] > b[1][1])
    starts: set[int] = set()
    if len(steps) >= 3:
        pitch = steps[len(steps) // 2]
        for (_, above), (i, below) in zip(placed, placed[1:]):
            if above[1] - below[1] > 1.5 * pitch:
                starts.add(i)
        lefts = sorted(round(b[0]) for _, b in placed)
        margin = lefts[len(lefts) // 4]  # most lines start at the margin
        size = sorted(b[2] for _, b in placed)[len(placed) // 2]
        for i, box in placed:
            if margin + 1.5 * size < box[0] < margin + 4 * size and lines[i].strip():
                lines[i] = "\u3000\u3000" + lines[i].lstrip()
    return lines, starts, carry


def _put_tables(textpage, lines: list[str], heights: list[float | None], carry):
    """Replace the lines of each duty table on the page (``pdftable``) with its rows as plan
    text, each at the line where its row starts; the other lines of the table become blank.
    ``carry`` is the table the previous page ended in; the one this page ends in is returned."""
    from .pdftable import page_tables

    tables, carry = page_tables(textpage, carry)
    for table in tables:
        inside = [i for i, y in enumerate(heights)
                  if y is not None and table.bottom - 2 <= y <= table.top + 2]
        if not inside:
            continue
        for i in inside:
            lines[i] = ""
        for y, text in table.lines:
            free = [i for i in inside if not lines[i]]
            if not free:
                break
            lines[min(free, key=lambda i: (abs(heights[i] - y), i))] = text
    return carry


def _has_image(page) -> bool:
    """True when the page shows an image (a scan); a blank page is not OCRed."""
    import pypdfium2.raw as pdfium_c

    return next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)),
                None) is not None


def _open(data: bytes, path: str):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        text = str(e).lower()
        if "password" in text:
            raise MatrixInputError(_(
                "{path}: the PDF is encrypted (password-protected): open it with its password "
                "and save or print it as a PDF without one, then read that").format(
                    path=path)) from None
        raise MatrixInputError(_(
            "{path}: the PDF is damaged and cannot be read ({error}): get the file again or "
            "save it again from the program that made it").format(path=path, error=e)) from None


def pdf_to_text(data: bytes, path: str = "<input>", *,
                progress: Callable[[int, int], None] | None = None) -> Paged:
    """Read the pages of a PDF (see the module docstring); ``progress(done, total)`` is called
    after each page that needs OCR."""
    from ..safety.limits import MAX_OCR_PAGES, MAX_PAGES

    pdf = _open(data, path)
    try:
        count = len(pdf)
        if count == 0:
            raise MatrixInputError(_("{path}: the PDF has no pages").format(path=path))
        check_pages(count, path)
        budget = TextBudget(path)
        texts: list[list[str]] = []
        confidences: list[list[float | None]] = []
        scans = []
        starts: list[set[int]] = []  # lines after a paragraph gap, per page
        carry = None  # the duty table the last page ended in (pdftable.Columns)
        for index in range(count):
            try:
                page = pdf[index]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
            except Exception as e:  # PdfiumError or worse on a damaged page
                raise MatrixInputError(_("{path}: page {page} of the PDF is damaged and "
                                         "cannot be read ({error})").format(
                                             path=path, page=index + 1, error=e)) from None
            budget.add(len(text), index + 1)
            if len(_SPACE.sub("", text)) < MIN_TEXT_CHARS and _has_image(page):
                check_render(page.get_size(), path, index + 1)
                scans.append(index)
                if len(scans) > MAX_OCR_PAGES:
                    raise MatrixInputError(_(
                        "{path}: more than {count} scanned pages to read by OCR "
                        "(MAX_OCR_PAGES): refused; OCR takes seconds a page").format(
                            path=path, count=MAX_OCR_PAGES))
                carry = None
                texts.append([])
                confidences.append([])
                starts.append(set())
            else:
                lines, marks, carry = _layout(textpage, text, carry)
                texts.append(lines)
                confidences.append([None] * len(lines))
                starts.append(marks)
            textpage.close()
            page.close()
        if scans:
            from .ocr import ocr_pdf_pages

            for index, lines in ocr_pdf_pages(pdf, scans, path, progress=progress):
                texts[index] = [text for text, _ in lines]
                confidences[index] = [conf for _, conf in lines]
    finally:
        pdf.close()
    kept = drop_furniture(texts)
    out_text: list[str] = []
    pages: list[int] = []
    lines_on_page: list[int] = []
    conf: list[float | None] = []
    for number, page in enumerate(kept, 1):
        for k, (line, text) in enumerate(page):
            # A blank line where the layout shows a paragraph break: a gap above the line, or a
            # page that ends with a sentence.
            if out_text and out_text[-1].strip() and (
                    line - 1 in starts[number - 1]
                    or (k == 0 and out_text[-1].rstrip().endswith(_SENTENCE_END))):
                out_text.append("")
                pages.append(number)
                lines_on_page.append(line)
                conf.append(None)
            out_text.append(text)
            pages.append(number)
            lines_on_page.append(line)
            conf.append(confidences[number - 1][line - 1])
    if not "".join(out_text).strip():
        raise MatrixInputError(_("{path}: the PDF holds no text").format(path=path))
    return Paged("\n".join(out_text), tuple(pages), tuple(lines_on_page),
                 tuple(conf) if scans else None, count, len(scans))

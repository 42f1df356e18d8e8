"""Scanned pages and images → lines of text with their OCR confidence (RapidOCR).

OCR is an optional extra: ``pip install 'dutymatrix[ocr]'`` installs rapidocr-onnxruntime,
which carries its PP-OCRv4 detection and recognition models in its wheel (nothing is
downloaded at run time). Without it, reading a scan is a ``MatrixInputError`` saying exactly
that command.

* ``ocr_lines(image)``: the text boxes the engine finds, grouped into lines (boxes whose
  vertical middles are within half a line height of each other), each line left to right, lines
  top to bottom; each line is ``(text, confidence)``, the confidence the lowest of its boxes.
* ``ocr_pdf_pages(pdf, indices, path)``: PDF pages without a text layer, rendered at
  ``furniture.OCR_DPI`` and read.
* ``image_to_text(data, path)``: a .png, .jpg or .tif (every frame of a multi-page TIFF a page).
* A progress bar per page is drawn on standard error when it is a terminal
  (``terminal_progress``).
"""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Callable, Iterator, Sequence

from ..errors import MatrixInputError
from ..i18n import _

INSTALL = "pip install 'dutymatrix[ocr]'"


@functools.cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def engine(path: str):
    """The OCR engine (loaded once), or a ``MatrixInputError`` saying how to install it."""
    from .confine import allow_ocr_memory

    allow_ocr_memory()
    try:
        return _engine()
    except ImportError as e:
        import importlib.util

        if importlib.util.find_spec("rapidocr_onnxruntime") is not None:  # there, but broken
            raise MatrixInputError(_("{path}: this is a scan (no text layer) and the OCR engine "
                                     "does not load ({error}); reinstall it: {install}").format(
                                         path=path, error=e, install=INSTALL)) from None
        raise MatrixInputError(_(
            "{path}: this is a scan (no text layer): reading it needs OCR, which is not "
            "installed: {install}").format(path=path, install=INSTALL)) from None


def available() -> bool:
    """True when the OCR engine loads (installed, and its libraries found)."""
    try:
        _engine()
    except ImportError:
        return False
    return True


def group_lines(boxes: Sequence) -> list[tuple[str, float]]:
    """RapidOCR boxes ``(corners, text, confidence)`` → lines ``(text, confidence)``, in
    reading order (see the module docstring)."""
    items = []
    for corners, text, conf in boxes:
        ys = [p[1] for p in corners]
        xs = [p[0] for p in corners]
        items.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), text, float(conf)))
    items.sort(key=lambda it: (it[0], it[2]))
    lines: list[list[tuple]] = []
    for item in items:
        if lines:
            last = lines[-1]
            middle = sum(i[0] for i in last) / len(last)
            height = max(i[1] for i in last)
            if abs(item[0] - middle) < height / 2:
                last.append(item)
                continue
        lines.append([item])
    out = []
    for line in lines:
        line.sort(key=lambda it: it[2])
        out.append(("".join(it[3] for it in line), min(it[4] for it in line)))
    return out


def ocr_lines(image, path: str = "<input>") -> list[tuple[str, float]]:
    """The lines of text in ``image`` (a BGR numpy array), with their confidence."""
    # Pages are upright: the angle classifier (a third model, run on every box) is skipped.
    result, _elapsed = engine(path)(image, use_cls=False)
    return group_lines(result or [])


def _bgr(pil_image):
    import numpy as np

    return np.asarray(pil_image.convert("RGB"))[:, :, ::-1].copy()


def ocr_pdf_pages(pdf, indices: Sequence[int], path: str, *,
                  progress: Callable[[int, int], None] | None = None
                  ) -> Iterator[tuple[int, list[tuple[str, float]]]]:
    """(page index, lines) for each of the pages ``indices`` of an open pypdfium2 document."""
    from .furniture import OCR_DPI

    engine(path)
    if progress is None:
        progress = terminal_progress(path)
    from .furniture import check_render

    for done, index in enumerate(indices, 1):
        page = pdf[index]
        check_render(page.get_size(), path, index + 1)
        image = page.render(scale=OCR_DPI / 72).to_pil()
        yield index, ocr_lines(_bgr(image), path)
        progress(done, len(indices))


def image_to_text(data: bytes, path: str = "<input>", *,
                  progress: Callable[[int, int], None] | None = None):
    """A .png, .jpg or .tif read by OCR, as a ``furniture.Paged`` text (each frame a page)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from ..safety.limits import MAX_OCR_PAGES, MAX_PAGE_PIXELS
    from .furniture import Paged, check_pixels, drop_furniture

    def frames_of(image):
        """Each frame, its size checked before it is decoded (a 183 KB TIFF of 40 frames of
        8,000² px, a 20,000² PNG)."""
        count = getattr(image, "n_frames", 1)
        if count > MAX_OCR_PAGES:
            raise MatrixInputError(_(
                "{path}: more than {count} scanned pages to read by OCR (MAX_OCR_PAGES): "
                "refused; OCR takes seconds a page").format(path=path, count=MAX_OCR_PAGES))
        for number, frame in enumerate(ImageSequence.Iterator(image), 1):
            check_pixels(*frame.size, path, number)
            yield frame

    try:
        with Image.open(io.BytesIO(data)) as image:
            check_pixels(*image.size, path, 1)
            for frame in frames_of(image):  # all sizes first: nothing decoded yet
                pass
            engine(path)
            Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, MAX_PAGE_PIXELS)
            frames = [_bgr(frame) for frame in frames_of(image)]
    except Image.DecompressionBombError as e:
        raise MatrixInputError(_("{path}: the image is too large to read ({error})").format(
            path=path, error=e)) from None
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise MatrixInputError(_("{path}: the image is damaged or not an image ({error})").format(
            path=path, error=e)) from None
    if progress is None:
        progress = terminal_progress(path)
    read = []
    for done, frame in enumerate(frames, 1):
        read.append(ocr_lines(frame, path))
        progress(done, len(frames))
    kept = drop_furniture([[text for text, _ in page] for page in read])
    text, pages, lines, conf = [], [], [], []
    for number, page in enumerate(kept, 1):
        for line, value in page:
            text.append(value)
            pages.append(number)
            lines.append(line)
            conf.append(read[number - 1][line - 1][1])
    if not "".join(text).strip():
        raise MatrixInputError(_("{path}: no text found in the image").format(path=path))
    return Paged("\n".join(text), tuple(pages), tuple(lines), tuple(conf), len(frames),
                 len(frames))


def terminal_progress(path: str, stream=None) -> Callable[[int, int], None]:
    """A progress bar per OCR page on ``stream`` (standard error) when it is a terminal; a
    callback that does nothing otherwise."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return lambda done, total: None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        bar = "#" * filled + "." * (width - filled)
        stream.write("\r" + _("{path}: OCR [{bar}] page {done}/{total}").format(
            path=path, bar=bar, done=done, total=total) + end)
        stream.flush()

    return show

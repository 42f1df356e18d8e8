"""Speed of the readers of published plans (issue 15): text PDFs in pages per second, OCR in
seconds per page.

    python bench/bench_published.py              # text PDFs, and OCR of one page
    python bench/bench_published.py --ocr-pages 3
    python bench/bench_published.py --no-ocr

The inputs are made here: the four corpus documents printed to PDF by LibreOffice (19 pages),
their pages repeated into a PDF of about 200 pages; the scan is page 2 of a printed document
rasterised at 150 dpi (pdftoppm) into an image-only PDF (img2pdf). Needs soffice, pdftoppm and
img2pdf on PATH and, for OCR, the ``dutymatrix[ocr]`` extra.

Two figures for text PDFs: reading the text layer alone (``pdf_to_text``), and the whole
``parse_file`` (read, reflow, parse: the records). Target: >= 50 pages/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def printed(folder: Path) -> list[Path]:
    texts = sorted((ROOT / "tests" / "corpus").glob("*.txt"))
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder),
                    *map(str, texts)], check=True, capture_output=True, timeout=600)
    return [folder / f"{t.stem}.pdf" for t in texts]


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="pages of the big text PDF")
    parser.add_argument("--ocr-pages", type=int, default=1, help="pages to OCR (0: none)")
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import pypdfium2 as pdfium

    from matrix.load.pipeline import parse_file
    from matrix.read.pdf import pdf_to_text

    print(f"readers benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdfs = printed(folder)
        pages = sum(len(pdfium.PdfDocument(p)) for p in pdfs)
        started = time.perf_counter()
        for p in pdfs:
            parse_file(p, lean=True)
        first = time.perf_counter() - started  # includes imports and grammar loading
        parse_time = best_of(args.runs, lambda: [parse_file(p, lean=True) for p in pdfs])
        print(f"| corpus, {pages} pages, parse_file (first run {first:.2f} s) "
              f"| {pages / parse_time:7.1f} pages/s |")
        big = pdfium.PdfDocument.new()
        while len(big) < args.pages:
            for p in pdfs:
                big.import_pages(pdfium.PdfDocument(p))
        big.save(folder / "big.pdf")
        data = (folder / "big.pdf").read_bytes()
        count = len(big)
        read_time = best_of(args.runs, lambda: pdf_to_text(data, "big.pdf"))
        print(f"| {count} pages, text layer only (pdf_to_text)          "
              f"| {count / read_time:7.1f} pages/s |")
        whole = best_of(max(1, args.runs // 2), lambda: parse_file(folder / "big.pdf", lean=True))
        verdict = "PASS" if count / whole >= 50 else "FAIL"
        print(f"| {count} pages, parse_file (records)                 "
              f"| {count / whole:7.1f} pages/s | target >= 50 pages/s: {verdict} |")
        if args.no_ocr or args.ocr_pages <= 0:
            return
        from matrix.read.ocr import available

        started = time.perf_counter()
        if not available():  # loads the models
            print("OCR: not installed (pip install 'dutymatrix[ocr]')")
            return
        load = time.perf_counter() - started
        source = pdfium.PdfDocument(pdfs[-1])
        text = pdfium.PdfDocument.new()
        text.import_pages(source, list(range(1, min(1 + args.ocr_pages, len(source)))))
        text.save(folder / "text.pdf")
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(folder / "text.pdf"),
                        str(folder / "page")], check=True)
        subprocess.run(["img2pdf", *map(str, sorted(folder.glob("page*.png"))), "-o",
                        str(folder / "scan.pdf")], check=True)
        started = time.perf_counter()
        parse_file(folder / "scan.pdf", lean=True)
        ocr = time.perf_counter() - started
        load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"| OCR, {len(text)} page(s) at 150 dpi (models loaded in {load:.1f} s) "
              f"| {ocr / len(text):7.1f} s/page | load average {load_avg:.1f} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Issue 13's hostile inputs at the sizes the issue reports, each through the command line:
exit code, seconds and peak memory (RSS of the process and its children).

    python bench/hostile.py            # a table; every input is under 1 MB

What must hold (the issue's check): exit 1 or 2 with a message naming the file, no traceback,
under 10 s and under 1 GB for every input. The script exits 1 when one of them does not.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx(body: str) -> bytes:
    """A minimal .docx whose body is ``body``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType="'
            'application/xml"/><Override PartName="/word/document.xml" ContentType="application'
            '/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'))
        archive.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {W}>'
                                              f"<w:body>{body}</w:body></w:document>")
    return out.getvalue()


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def merged_table(rows: int) -> str:
    cells = ["<w:tr><w:tc>" + p("序号") + "</w:tc><w:tc>" + p("重点任务") + "</w:tc><w:tc>"
             + p("牵头单位") + "</w:tc></w:tr>"]
    for i in range(rows):
        merge = '<w:vMerge w:val="restart"/>' if i == 0 else "<w:vMerge/>"
        cells.append(f"<w:tr><w:tc>{p(str(i + 1))}</w:tc><w:tc>{p(f'推进第{i + 1}项工作。')}</w:tc>"
                     f"<w:tc><w:tcPr>{merge}</w:tcPr>{p('财政部' if i == 0 else '')}</w:tc></w:tr>")
    return "<w:tbl>" + "".join(cells) + "</w:tbl>"


def far_cell(workbook: Path, target: Path, ref: str) -> Path:
    with zipfile.ZipFile(workbook) as old, zipfile.ZipFile(target, "w",
                                                           zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                row = re.sub(r"\D", "", ref)
                data = data.replace(b"</sheetData>", (
                    f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
                    "</sheetData>").encode())
            new.writestr(info.filename, data)
    return target


def cases(folder: Path) -> list[tuple[str, list[str]]]:
    """(what, command line) of each hostile input, made in ``folder``."""
    out = []
    merged = folder / "merged.docx"
    merged.write_bytes(docx(merged_table(1200)))
    out.append(("1. .docx column merged down 1,200 rows", ["parse", str(merged)]))
    batch = folder / "batch"
    batch.mkdir()
    (batch / "merged.docx").write_bytes(merged.read_bytes())
    (batch / "good.txt").write_bytes(SEED.read_bytes())
    out.append(("1. folder build with that .docx", ["build", str(batch), "-o",
                                                     str(folder / "batch-out")]))
    built = folder / "m.xlsx"
    subprocess.run([sys.executable, "-m", "matrix", "build", str(SEED), "-o", str(built)],
                   cwd=ROOT, env=_env(), check=True, capture_output=True)
    for ref in ("XFD1048576", "AAA200000"):
        out.append((f"2. .xlsx with a cell at {ref}",
                    ["filter", str(far_cell(built, folder / f"far-{ref}.xlsx", ref))]))
    bomb = folder / "bomb.html"
    bomb.write_text("<table>" + "<tr><td colspan=50 rowspan=500>x</td></tr>" * 5000)
    out.append(("10. HTML rowspan/colspan bomb (210 KB)", ["parse", str(bomb)]))
    zipped = folder / "bomb.docx"
    zipped.write_bytes(docx(p("（一）甲。（财政部负责）") + p("x" * 60_000_000)))
    out.append((f"11. .docx of {zipped.stat().st_size // 1024} KB unpacking to 60 MB",
                ["parse", str(zipped)]))
    out.append(("12. --matches /dev/zero", ["diff", str(SEED), str(SEED), "--matches",
                                             "/dev/zero"]))
    nul = folder / "nul.txt"
    nul.write_bytes(b"\0" * 100_000)
    out.append(("24. 100,000 NUL bytes", ["parse", str(nul)]))
    return out


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def measure(command: list[str]) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS in MB, stderr) of one command line, with GNU time when it
    is there (the process's own peak), else getrusage (the largest child so far)."""
    timer = ["/usr/bin/time", "-f", "__peak_kb=%M"] if Path("/usr/bin/time").exists() else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    began = time.perf_counter()
    done = subprocess.run([*timer, sys.executable, "-m", "matrix", *command], cwd=ROOT,
                          env=_env(), capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - began
    err = done.stderr
    m = re.search(r"__peak_kb=(\d+)", err)
    if m:
        peak = int(m.group(1)) / 1024
        err = re.sub(r"Command exited with non-zero status \d+\n?", "", err[:m.start()])
    else:
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return done.returncode, seconds, peak, err


def main() -> int:
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        print(f"| {'input':44} | exit | seconds | peak MB | message")
        for what, command in cases(Path(tmp)):
            code, seconds, peak, err = measure(command)
            line = err.strip().splitlines()[-1] if err.strip() else ""
            ok = (code in (0, 1, 2) and "Traceback" not in err and seconds < 10
                  and peak < 1024)
            bad += not ok
            print(f"| {what:44} | {code:4} | {seconds:7.2f} | {peak:7.0f} | {line[:90]}"
                  + ("" if ok else "  <-- FAIL"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""Plans as they are published (issue 15): PDF, scans, office files, OFD, an office's 分工表.

The PDFs, .docx, .doc, .odt and .rtf files are made at test time by LibreOffice from the corpus
texts (one ``soffice`` call per target format, with a profile of its own); tests that need
LibreOffice, poppler's ``pdftoppm``, ``img2pdf`` or the OCR engine are skipped with the reason
when it is missing (``.ci/run`` installs them all).
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, SEED_001

from matrix.errors import MatrixError, MatrixInputError, MatrixParseError
from matrix.load.pipeline import parse_bytes, parse_file

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TEXTS = sorted(CORPUS.glob("*.txt"))
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (no "
                                   "soffice on PATH): apt-get install libreoffice-writer")


def soffice_convert(sources: list[Path], target: str, out: Path, profile: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(out), *map(str, sources)],
                   check=True, capture_output=True, timeout=600)


@pytest.fixture(scope="session")
def printed(tmp_path_factory) -> Path:
    """The four corpus documents printed to PDF by LibreOffice."""
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed (no soffice on PATH)")
    root = tmp_path_factory.mktemp("printed")
    soffice_convert(TEXTS, "pdf", root, root / "profile")
    return root


def pairs(plan) -> set[tuple[str, str, str]]:
    """(task, department, role) of every assignment."""
    return {(t.label, a.department, a.role.value) for t in plan.tasks for a in t.assignments}


def f1(got: set, want: set) -> float:
    if not got and not want:
        return 1.0
    hit = len(got & want)
    return 2 * hit / (len(got) + len(want))


def records(plan) -> list:
    """What a plan says, without where it says it (lines, pages, the source)."""
    out = []
    for d in plan.documents:
        out.append((d.title, d.doc_number, d.rules,
                    tuple((c.number, c.section, c.title, c.contains_tasks) for c in d.unassigned),
                    tuple(sorted(w.kind for w in d.warnings))))
        out.extend((t.label, t.section, t.subsection, t.title, t.text, t.trailer, t.deadline,
                    t.scope, t.assignments) for t in d.tasks)
    return out


# ---------------------------------------------------------------------------------------------
# 1. PDF with a text layer


@needs_soffice
@pytest.mark.parametrize("text", TEXTS, ids=lambda p: p.stem)
def test_printed_pdf_gives_the_records_of_its_txt(printed, text):
    pdf = parse_file(printed / f"{text.stem}.pdf")
    txt = parse_file(text)
    assert pdf.source.format == "pdf"
    assert f1(pairs(pdf), pairs(txt)) == 1.0
    assert records(pdf) == records(txt)


@needs_soffice
def test_pdf_records_and_warnings_give_page_and_line(printed):
    name = "guofa_2018_42_nongye_jixiehua"
    plan = parse_file(printed / f"{name}.pdf")
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(printed / f"{name}.pdf")
    page_text = [pdf[i].get_textpage().get_text_range().split("\r\n") for i in range(len(pdf))]
    for task in plan.tasks:
        assert task.page is not None
        line = page_text[task.page - 1][task.line - 1]
        assert line.lstrip().startswith(task.number), (task.label, line)
    warnings = [w for d in plan.documents for w in d.warnings if w.line is not None]
    assert warnings and all(w.page is not None for w in warnings)
    # the text file's records say no page
    assert all(t.page is None for t in parse_file(CORPUS / f"{name}.txt").tasks)


def _pdf_with_furniture(tmp_path: Path, lines_per_page: int = 30) -> Path:
    """A PDF made by LibreOffice from seed 001 with a running header and page numbers."""
    body = SEED_001.read_text(encoding="utf-8").splitlines()
    out = []
    page = 0
    for start in range(0, len(body), lines_per_page):
        page += 1
        out.append("国务院办公厅文件")
        out.extend(body[start:start + lines_per_page])
        out.append(f"- {page} -")
        out.append("\f")
    src = tmp_path / "furniture.txt"
    src.write_text("\n".join(out), encoding="utf-8")
    soffice_convert([src], "pdf", tmp_path, tmp_path / "profile")
    return tmp_path / "furniture.pdf"


@needs_soffice
def test_running_headers_and_page_numbers_are_dropped(tmp_path):
    from matrix.read.pdf import pdf_to_text

    paged = pdf_to_text(_pdf_with_furniture(tmp_path).read_bytes(), "furniture.pdf")
    assert paged.page_count >= 2
    assert "国务院办公厅文件" not in paged.text
    assert not re.search(r"^- \d+ -$", paged.text, re.MULTILINE)
    plan = parse_file(tmp_path / "furniture.pdf")
    assert pairs(plan) == pairs(parse_file(SEED_001))


def test_drop_furniture_keeps_body_lines():
    from matrix.read.pdf import drop_furniture

    pages = [["某某市人民政府文件", f"正文第{i}页。", "第二行。", f"第 {i} 页"] for i in range(1, 4)]
    kept = drop_furniture(pages)
    assert kept == [[(2, f"正文第{i}页。"), (3, "第二行。")] for i in range(1, 4)]


def _encrypted_pdf() -> bytes:
    """A one-page PDF encrypted with the standard handler, whose password is not empty."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
               b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
               + b"> /P -4 >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n"
            % (len(objects) + 1, b"ab" * 16, b"ab" * 16))
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


def test_damaged_and_encrypted_pdf_are_clear_messages():
    with pytest.raises(MatrixInputError, match=r"^plan\.pdf: the PDF is damaged"):
        parse_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF", "plan.pdf")
    with pytest.raises(MatrixInputError, match=r"^locked\.pdf: the PDF is encrypted "
                       r"\(password-protected\)"):
        parse_bytes(_encrypted_pdf(), "locked.pdf")


def test_pdf_without_text_and_without_ocr_says_how_to_install(monkeypatch, tmp_path):
    import pypdfium2 as pdfium
    from PIL import Image

    import matrix.read.ocr as ocr

    document = pdfium.PdfDocument.new()
    page = document.new_page(595, 842)
    image = pdfium.PdfImage.new(document)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(Image.new("RGB", (60, 80), "white")))
    image.set_matrix(pdfium.PdfMatrix().scale(60, 80))
    page.insert_obj(image)
    page.gen_content()
    blank = tmp_path / "scan.pdf"
    document.save(blank)

    def missing():
        raise ImportError("No module named 'rapidocr_onnxruntime'")

    ocr._engine.cache_clear()
    monkeypatch.setattr(ocr, "_engine", missing)
    with pytest.raises(MatrixInputError) as e:
        parse_file(blank)
    assert "pip install 'dutymatrix[ocr]'" in str(e.value)
    assert str(e.value).startswith(f"{blank}: ")


def test_blank_page_is_not_ocred_and_an_empty_pdf_is_a_message(monkeypatch, tmp_path):
    import pypdfium2 as pdfium

    import matrix.read.ocr as ocr

    monkeypatch.setattr(ocr, "ocr_pdf_pages", lambda *a, **k: pytest.fail("OCR of a blank page"))
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    document.save(tmp_path / "blank.pdf")
    with pytest.raises(MatrixInputError, match=r"blank\.pdf: the PDF holds no text"):
        parse_file(tmp_path / "blank.pdf")


def test_parse_error_in_a_pdf_names_page_and_line():
    e = MatrixParseError("plan.pdf", 12, 3, "cannot parse", page=4)
    assert str(e) == "plan.pdf: page 4, line 12: cannot parse"


# ---------------------------------------------------------------------------------------------
# 2. Scans: OCR


def _ocr_ready() -> str | None:
    from matrix.read.ocr import available

    if not available():
        return "the OCR extra is not installed: pip install 'dutymatrix[ocr]'"
    for tool in ("pdftoppm", "img2pdf"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install poppler-utils img2pdf)"
    return None


@pytest.fixture(scope="session")
def scanned(printed, tmp_path_factory) -> tuple[Path, Path]:
    """Page 2 of a printed corpus document (a text PDF: tasks （三） to （六）), and the same
    page rasterised at 150 dpi into an image-only PDF (pdftoppm, img2pdf). One page: OCR takes
    10 to 60 seconds a page on a two-core machine (bench/published.py measures it)."""
    why = _ocr_ready()
    if why:
        pytest.skip(why)
    import pypdfium2 as pdfium

    root = tmp_path_factory.mktemp("scanned")
    source = pdfium.PdfDocument(printed / "guofa_2018_42_nongye_jixiehua.pdf")
    text = pdfium.PdfDocument.new()
    text.import_pages(source, [1])
    text.save(root / "text.pdf")
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(root / "text.pdf"), str(root / "page")],
                   check=True, timeout=300)
    images = sorted(root.glob("page*.png"))
    subprocess.run(["img2pdf", *map(str, images), "-o", str(root / "scan.pdf")], check=True,
                   timeout=300)
    return root / "text.pdf", root / "scan.pdf"


@pytest.mark.slow
def test_scanned_pdf_by_ocr_matches_the_text_layer(scanned):
    text_pdf, scan_pdf = scanned
    import pypdfium2 as pdfium

    assert not pdfium.PdfDocument(scan_pdf)[0].get_textpage().get_text_range().strip()
    want = parse_file(text_pdf)
    got = parse_file(scan_pdf)
    assert got.source.format == "pdf"
    assert f1(pairs(got), pairs(want)) >= 0.98, (pairs(got) ^ pairs(want))
    # no invented department: every department OCR read is one the text layer names
    assert {a.department for t in got.tasks for a in t.assignments} <= \
        {a.department for t in want.tasks for a in t.assignments}
    assert all(t.confidence is not None and 0 < t.confidence <= 1 for t in got.tasks)
    assert all(t.page == 1 for t in got.tasks) and len(got.tasks) >= 3
    assert all(t.confidence is None for t in want.tasks)


@pytest.mark.slow
def test_image_file_is_read_by_ocr(scanned, tmp_path):
    from PIL import Image

    text_pdf, _ = scanned
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(text_pdf), str(tmp_path / "p")],
                   check=True, timeout=300)
    with Image.open(next(tmp_path.glob("p*.png"))) as page:  # the top half of the page
        page.crop((0, 0, page.width, page.height // 2)).save(tmp_path / "top.png")
    plan = parse_file(tmp_path / "top.png")
    assert plan.source.format == "image"
    want = pairs(parse_file(text_pdf))
    assert pairs(plan) and len(pairs(plan) & want) >= 0.95 * len(pairs(plan))


def test_ocr_lines_group_boxes_in_reading_order():
    from matrix.read.ocr import group_lines

    box = lambda x, y, w=100, h=20: [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]  # noqa: E731
    boxes = [(box(300, 102), "（财政部负责）", 0.7), (box(10, 100), "一、加强管理", 0.99),
             (box(10, 140), "第二行", 0.95)]
    assert group_lines(boxes) == [("一、加强管理（财政部负责）", 0.7), ("第二行", 0.95)]


def _scan_source(lines: list[tuple[str, float]]):
    from matrix.read.pdf import Paged

    return Paged("\n".join(t for t, _ in lines), tuple(1 for _ in lines),
                 tuple(range(1, len(lines) + 1)), tuple(c for _, c in lines), 1, 1)


def _parse_scan(monkeypatch, lines):
    import matrix.read.ocr as ocr

    monkeypatch.setattr(ocr, "image_to_text", lambda data, path: _scan_source(lines))
    return parse_bytes(b"\x89PNG\r\n\x1a\n fake", "scan.png")


def test_ocr_confidence_is_kept_and_low_confidence_warns(monkeypatch):
    plan = _parse_scan(monkeypatch, [
        ("关于加强某项工作的通知", 0.99),
        ("一、加强统筹协调。建立工作机制（国家发展改革委牵头，", 0.98),
        ("财政部参与）", 0.62),
        ("二、强化资金保障。加大投入（财政部负责）", 0.97),
    ])
    first, second = plan.tasks
    assert (first.confidence, second.confidence) == (0.62, 0.97)
    low = [w for d in plan.documents for w in d.warnings if w.kind == "ocr-confidence"]
    assert len(low) == 1 and "一、" in low[0].message and low[0].page == 1 and low[0].line == 2


def test_department_one_character_from_a_known_one_is_a_warning_with_the_suggestion(monkeypatch):
    plan = _parse_scan(monkeypatch, [
        ("关于加强某项工作的通知", 0.99),
        ("一、加强统筹协调。建立工作机制（财攻部负责）", 0.97),
        ("二、强化资金保障。加大投入（财政部负责）", 0.97),
    ])
    first = plan.tasks[0]
    assert [(a.department, a.known) for a in first.assignments] == [("财攻部", False)]
    found = [w for d in plan.documents for w in d.warnings if w.kind == "ocr-department"]
    assert len(found) == 1 and "'财攻部'" in found[0].message and "'财政部'" in found[0].message


# ---------------------------------------------------------------------------------------------
# 3. Word 97, .odt, .rtf, .wps through LibreOffice


@pytest.fixture(scope="session")
def saved(tmp_path_factory) -> Path:
    """The four corpus documents as .docx, and each .docx saved by LibreOffice as .doc, .odt,
    .rtf."""
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed (no soffice on PATH)")
    root = tmp_path_factory.mktemp("saved")
    soffice_convert(TEXTS, "docx:MS Word 2007 XML", root, root / "profile")
    docx = sorted(root.glob("*.docx"))
    for target in ("doc:MS Word 97", "odt", "rtf"):
        soffice_convert(docx, target, root, root / "profile")
    return root


@pytest.mark.parametrize("suffix", [".doc", ".odt", ".rtf"])
@pytest.mark.parametrize("stem", [t.stem for t in TEXTS])
def test_office_files_give_the_records_of_the_docx(saved, stem, suffix):
    want = parse_file(saved / f"{stem}.docx")
    got = parse_file(saved / f"{stem}{suffix}")
    assert got.source.format == suffix.lstrip(".")
    assert records(got) == records(want)
    assert pairs(want) == pairs(parse_file(CORPUS / f"{stem}.txt"))


def test_office_file_without_libreoffice_says_how_to_install(monkeypatch):
    import matrix.read.office as office

    monkeypatch.setattr(office, "soffice", lambda: None)
    for data, name in ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "plan.doc"),
                       (b"{\\rtf1\\ansi hello}", "plan.rtf")):
        with pytest.raises(MatrixInputError, match=re.escape(name) + ".*needs LibreOffice.*"
                           "apt-get install libreoffice-writer"):
            parse_bytes(data, name)


@needs_soffice
def test_damaged_office_file_is_a_message_and_the_timeout_holds(monkeypatch):
    with pytest.raises(MatrixError, match=r"^plan\.doc: "):
        parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 2000, "plan.doc")
    monkeypatch.setenv("DUTYMATRIX_SOFFICE_TIMEOUT", "0.001")
    with pytest.raises(MatrixInputError, match=r"did not convert the file within 0\.001 s"):
        parse_bytes(b"{\\rtf1\\ansi hello}", "plan.rtf")


def test_office_profile_disables_macros():
    from matrix.read.office import _PROFILE

    assert '<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value>' in _PROFILE
    assert '<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value>' in _PROFILE


# ---------------------------------------------------------------------------------------------
# 4. OFD


def make_ofd(pages: list[list[str]], shuffle: bool = True) -> bytes:
    """An OFD file whose pages hold ``pages`` (lines of text), one TextObject per line, in a
    shuffled order in the XML (reading order comes from the positions)."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    buffer = io.BytesIO()
    rng = random.Random(15)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} '
                   'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo/>'
                   '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        listing = "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
                          for i in range(len(pages)))
        z.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                   f'<ofd:Document {ns}><ofd:Pages>{listing}</ofd:Pages></ofd:Document>')
        for i, lines in enumerate(pages):
            objects = []
            for k, line in enumerate(lines):
                # a line in two runs, the second one first in the XML
                half = len(line) // 2
                for x, part in ((25 + 3.5 * half, line[half:]), (25, line[:half])):
                    if part:
                        objects.append(
                            f'<ofd:TextObject ID="{i}{k}{x}" Boundary="{x} {30 + 6 * k} 160 5" '
                            f'Font="1" Size="3.5"><ofd:TextCode X="0" Y="4">'
                            f'{part.replace("&", "&amp;").replace("<", "&lt;")}'
                            '</ofd:TextCode></ofd:TextObject>')
            if shuffle:
                rng.shuffle(objects)
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml",
                       f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content>'
                       f'<ofd:Layer ID="0">{"".join(objects)}</ofd:Layer></ofd:Content>'
                       '</ofd:Page>')
    return buffer.getvalue()


def test_ofd_text_in_reading_order_gives_the_records_of_the_txt():
    text = CORPUS / "guofa_2018_38_zimaoqu_gaige.txt"
    lines = text.read_text(encoding="utf-8").splitlines()
    pages = [lines[i:i + 40] + [f"— {n + 1} —"] for n, i in enumerate(range(0, len(lines), 40))]
    plan = parse_bytes(make_ofd(pages), "plan.ofd")
    want = parse_file(text)
    assert plan.source.format == "ofd"
    assert records(plan) == records(want)
    for task, source in zip(plan.tasks, want.tasks):  # lines with text, counted on their page
        page = pages[(source.line - 1) // 40]
        assert task.page == 1 + (source.line - 1) // 40
        shown = [line for line in page if line.strip()]
        assert shown[task.line - 1] == lines[source.line - 1]


def test_ofd_is_read_with_zip_and_xml_safety():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", b"<a/>")
        z.writestr("Doc_0/big.xml", b"\0" * (8 * 2**20))
    with pytest.raises(MatrixInputError, match="zip bomb"):
        parse_bytes(bomb.getvalue(), "bomb.ofd")
    entity = io.BytesIO()
    with zipfile.ZipFile(entity, "w") as z:
        z.writestr("OFD.xml", '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    with pytest.raises(MatrixInputError, match=r"refused: OFD\.xml declares a DTD"):
        parse_bytes(entity.getvalue(), "entity.ofd")


# ---------------------------------------------------------------------------------------------
# 5. An office's own 分工表


def _typed_division_table(path: Path, plan, *, title_row: bool = True) -> None:
    """Seed 001 typed into a spreadsheet by a clerk: one row per task, 牵头单位 / 责任单位 /
    配合单位 columns, a title row merged across the table above the header."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "任务分工"
    if title_row:
        sheet.append(["某某方案重点任务分工表"])
        sheet.merge_cells("A1:G1")
    sheet.append(["序号", "重点任务", "牵头单位", "责任单位", "配合单位", "完成时限", "责任领导"])
    for n, task in enumerate(plan.tasks, 1):
        by_role = {role: "、".join(a.as_printed for a in task.assignments if a.role.value == role)
                   for role in ("lead", "responsible", "support")}
        sheet.append([n, task.text, by_role["lead"], by_role["responsible"], by_role["support"],
                      task.deadline or "", "张三"])
    book.save(path)


def triples(plan) -> set[tuple[str, str, str]]:
    return {(t.title, a.department, a.role.value) for t in plan.tasks for a in t.assignments}


def test_division_table_workbook_gives_the_triples_of_the_plan(tmp_path):
    plan = parse_file(SEED_001)
    assert not any(a.role.value == "guide" for t in plan.tasks for a in t.assignments)
    book = tmp_path / "分工表.xlsx"
    _typed_division_table(book, plan)
    got = parse_file(book)
    assert got.source.format == "sheet"
    assert triples(got) == triples(plan)
    assert len(got.tasks) == len(plan.tasks)
    assert [t.line for t in got.tasks] == list(range(3, 3 + len(plan.tasks)))


def test_division_table_is_accepted_by_build_filter_and_diff(tmp_path):
    from click.testing import CliRunner

    from matrix.cli.commands import cli

    book = tmp_path / "分工表.xlsx"
    _typed_division_table(book, parse_file(SEED_001))
    runner = CliRunner()
    built = runner.invoke(cli, ["build", str(book), "-o", str(tmp_path / "out.xlsx")])
    assert built.exit_code == 0, built.output
    filtered = runner.invoke(cli, ["filter", str(book), "--dept", "国家卫健委", "--format", "json"])
    assert filtered.exit_code == 0, filtered.output
    assert filtered.output.strip().startswith("[")
    compared = runner.invoke(cli, ["diff", str(SEED_001), str(book)])
    assert compared.exit_code in (0, 1), compared.output
    # its own workbook is still read as dutymatrix's workbook
    again = runner.invoke(cli, ["diff", str(tmp_path / "out.xlsx"), str(book)])
    assert again.exit_code in (0, 1), again.output


def test_xls_division_table_is_read_through_calamine(tmp_path):
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed: cannot save an .xls")
    book = tmp_path / "分工表.xlsx"
    plan = parse_file(SEED_001)
    _typed_division_table(book, plan)
    soffice_convert([book], "xls", tmp_path / "xls", tmp_path / "profile")
    got = parse_file(tmp_path / "xls" / "分工表.xls")
    assert triples(got) == triples(plan)


def test_merged_cells_and_two_header_rows(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "重点任务", "工作任务", "责任单位", None, "完成时限"])
    sheet.append([None, None, None, "牵头单位", "配合单位", None])
    for cell in ("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2"):
        sheet.merge_cells(cell)
    sheet.append([1, "推进数字政府建设", "建设全国一体化政务服务平台", "国务院办公厅", "国家发展改革委", "2025年底前"])
    sheet.append([2, None, "推进政务数据共享", "国家数据局", "各省级人民政府", "长期坚持"])
    sheet.merge_cells("B3:B4")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    plan = parse_file(path)
    got = [(t.title, t.deadline, [(a.department, a.role.value) for a in t.assignments])
           for t in plan.tasks]
    assert [g[0] for g in got] == ["推进数字政府建设", "推进数字政府建设"]
    assert "推进政务数据共享" in plan.tasks[1].text
    assert got[0][2][0][1] == "lead" and got[1][2][0] == ("国家数据局", "lead")
    assert [g[1] for g in got] == ["2025年底前", "长期坚持"]


def test_workbook_without_a_task_table_is_a_message(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "电话"])
    path = tmp_path / "通讯录.xlsx"
    book.save(path)
    with pytest.raises(MatrixInputError, match="no sheet holds a task table"):
        parse_file(path)


# ---------------------------------------------------------------------------------------------
# 6. Tables keep what they say


def test_scope_column_becomes_the_tasks_scope():
    from matrix.read.docx import division_lines
    from matrix.load.pipeline import parse_text

    rows = [["序号", "改革举措", "具体内容", "推广范围", "负责单位"],
            ["1", "推进投资便利化", "放宽准入。", "8个改革试验区域", "商务部、国家发展改革委"],
            ["2", "优化政务服务", "简化流程。", "", "市场监管总局"]]
    text = "\n".join(line for _, line in division_lines(rows))
    plan = parse_text("一、改革举措\n" + text, "annex.txt")
    assert [(t.title, t.scope) for t in plan.tasks] == [("推进投资便利化", "8个改革试验区域"),
                                                       ("优化政务服务", None)]


def test_scope_column_in_a_division_workbook(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "改革事项", "适用范围", "牵头单位"])
    sheet.append([1, "开展跨境贸易便利化试点", "8个改革试验区域，自贸试验区", "海关总署"])
    book.save(tmp_path / "annex.xlsx")
    task = parse_file(tmp_path / "annex.xlsx").tasks[0]
    assert (task.scope, task.assignments[0].department) == ("8个改革试验区域、自贸试验区", "海关总署")


CELLS = """关于推进某项改革的实施方案
一、重点任务
序号
重点任务
牵头单位
配合单位
完成时限
1
推进农机装备创新
工业和信息化部
农业农村部
2025年底前
2
完善农机购置补贴政策，
加大支持力度
财政部
农业农村部、工业和信息化部
长期坚持
3
加强组织实施
国家发展改革委
各省级人民政府
2024年底前
二、保障措施
（一）加强组织领导。各地要高度重视。
"""


def test_table_extracted_cell_by_cell_is_read_as_a_table():
    from matrix.load.pipeline import parse_text

    plan = parse_text(CELLS, "cells.txt")
    got = [(t.title, t.line, t.deadline, [(a.department, a.role.value) for a in t.assignments])
           for t in plan.tasks]
    assert got == [
        ("推进农机装备创新", 8, "2025年底前", [("工业和信息化部", "lead"), ("农业农村部", "support")]),
        ("完善农机购置补贴政策，加大支持力度", 13, "长期坚持",
         [("财政部", "lead"), ("农业农村部", "support"), ("工业和信息化部", "support")]),
        ("加强组织实施", 19, "2024年底前",
         [("国家发展改革委", "lead"), ("各省级人民政府", "support")])]
    assert not any(w.kind == "no-departments" for d in plan.documents for w in d.warnings)
    assert [c.number for c in plan.documents[0].unassigned] == ["一、", "二、", "（一）"]


def test_text_without_a_cell_table_is_unchanged():
    from matrix.text.celltable import cell_tables

    assert cell_tables("序号\n姓名\n电话\n1\n张三\n123\n") is None
    assert cell_tables((SEED_001).read_text(encoding="utf-8")) is None


def test_progress_bar_per_page_on_a_terminal_only():
    from matrix.read.ocr import terminal_progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    show = terminal_progress("scan.pdf", screen)
    for done in (1, 2, 3):
        show(done, 3)
    assert screen.getvalue().count("\r") == 3 and "page 3/3" in screen.getvalue()
    assert screen.getvalue().endswith("\n")
    quiet = io.StringIO()
    terminal_progress("scan.pdf", quiet)(1, 3)
    assert quiet.getvalue() == ""


def test_strict_warnings_of_a_pdf_say_page_and_line(monkeypatch):
    from matrix.batch.jobs import check_strict

    plan = _parse_scan(monkeypatch, [("关于加强某项工作的通知", 0.99),
                                     ("一、加强统筹协调。建立工作机制（财攻部负责）", 0.97),
                                     ("二、强化资金保障。加大投入（财政部负责）", 0.97)])
    with pytest.raises(MatrixError, match=r"scan\.png: page 1, line 2: unknown-department"):
        check_strict(plan)


def test_workbook_of_a_pdf_names_page_and_line_of_each_warning(monkeypatch, tmp_path):
    from openpyxl import load_workbook

    from matrix.workbook import write_workbook

    plan = _parse_scan(monkeypatch, [("关于加强某项工作的通知", 0.99),
                                     ("一、加强统筹协调。建立工作机制（财攻部负责）", 0.97),
                                     ("二、强化资金保障。加大投入（财政部负责）", 0.97)])
    write_workbook(plan, tmp_path / "scan.xlsx")
    cells = [c.value for row in load_workbook(tmp_path / "scan.xlsx")["说明"].iter_rows()
             for c in row]
    assert "第1页第2行" in cells


@needs_soffice
def test_duty_table_in_a_pdf_is_read_from_the_positions_of_its_text(tmp_path):
    from docx import Document

    document = Document()
    document.add_paragraph("关于推进农业机械化的实施方案")
    document.add_paragraph("一、重点任务")
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]):
        cell.text = text
    rows = [("1", "推进农机装备创新，加快研发适合国情的各类农机", "工业和信息化部", "农业农村部", "2025年底前"),
            ("2", "完善农机购置补贴政策", "财政部", "农业农村部、工业和信息化部", "长期坚持"),
            ("3", "加强组织实施", "国家发展改革委", "各省级人民政府", "2024年底前")]
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.add_paragraph("二、保障措施")
    document.add_paragraph("（一）加强组织领导。各地要高度重视。")
    document.save(tmp_path / "table.docx")
    soffice_convert([tmp_path / "table.docx"], "pdf", tmp_path, tmp_path / "profile")
    plan = parse_file(tmp_path / "table.pdf")
    got = [(t.title, t.deadline, [(a.department, a.role.value) for a in t.assignments])
           for t in plan.tasks]
    assert got == [
        ("推进农机装备创新，加快研发适合国情的各类农机", "2025年底前",
         [("工业和信息化部", "lead"), ("农业农村部", "support")]),
        ("完善农机购置补贴政策", "长期坚持",
         [("财政部", "lead"), ("农业农村部", "support"), ("工业和信息化部", "support")]),
        ("加强组织实施", "2024年底前", [("国家发展改革委", "lead"), ("各省级人民政府", "support")])]
    assert not any(w.kind == "no-departments" for d in plan.documents for w in d.warnings)
    assert all(t.page == 1 for t in plan.tasks)


@needs_soffice
def test_duty_table_in_a_pdf_goes_on_over_the_pages(tmp_path):
    from docx import Document

    departments = ["工业和信息化部", "财政部", "农业农村部", "国家发展改革委", "科技部", "商务部"]
    document = Document()
    document.add_paragraph("关于推进农业机械化的实施方案")
    document.add_paragraph("一、重点任务")
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ["序号", "重点任务", "牵头单位", "配合单位"]):
        cell.text = text
    for n in range(1, 41):
        row = [str(n), f"推进第{n}项重点工作，加快建立健全相关制度机制并抓好落实",
               departments[n % 6], departments[(n + 1) % 6]]
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.add_paragraph("二、保障措施")
    document.add_paragraph("（一）加强组织领导。各地要高度重视。")
    document.save(tmp_path / "long.docx")
    soffice_convert([tmp_path / "long.docx"], "pdf", tmp_path, tmp_path / "profile")
    plan = parse_file(tmp_path / "long.pdf")
    assert [(t.label, [(a.department, a.role.value) for a in t.assignments]) for t in plan.tasks] \
        == [(f"{n}.", [(departments[n % 6], "lead"), (departments[(n + 1) % 6], "support")])
            for n in range(1, 41)]
    assert len({t.page for t in plan.tasks}) > 1


def test_displaced_tone_marks_of_pinyin_glosses_are_put_back():
    """PDFium extracts a gloss's tone-marked vowel (a fallback font's glyph) after the
    parenthesis, leaving a space: "體(t )ǐ 育總局" must read as 體育總局, not as an unread trailer."""
    from matrix.read.pdf import restore_displaced_tones
    from matrix.text.normalise import normalise

    assert restore_displaced_tones("、體(t )ǐ 育總局、") == "、體(tǐ)育總局、"
    assert restore_displaced_tones("明顯短(du n) ǎ 闆") == "明顯短(duǎn)闆"
    assert normalise(restore_displaced_tones("國家藥監局、體(t )ǐ 育總局")).text == "国家药监局、体育总局\n"
    # a parenthesis that is no gloss is left as it was
    for line in ("(2022 2025年)", "(PPP )a", "体(t )x", "（一）推进"):
        assert restore_displaced_tones(line) == line

"""Every way a plan reaches us gives the same records: encodings, HTML, .docx, PDF copies, stdin.

The reference is always the corpus ``.txt`` (or a seed) read as UTF-8; each other form is made
from it inside the test (re-encoded, rebuilt as .docx, hard-wrapped) or is a fixture in
``tests/fixtures`` with its expected records written out here.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.errors import MatrixError, MatrixInputError, NoClausesError
from matrix.load.pipeline import parse_bytes, parse_file, parse_stream, parse_text
from matrix.read import read_bytes, read_path, sniff_format
from matrix.text.reflow import reflow
from matrix.read.plain import chinese_share, decode
from tests.conftest import CORPUS, SEEDS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEXTS = sorted(CORPUS.glob("*.txt"))
PLAN_SEEDS = [p for p in sorted(SEEDS.glob("*.txt"))]


def records(plan):
    """What must not change between input forms: the tasks with their departments and roles."""
    return [(t.label, t.section, t.title, [(a.department, a.role) for a in t.assignments])
            for t in plan.tasks]


def full_records(plan):
    """``records`` plus deadline, scope, text (white space aside), title and 文号."""
    return (records(plan),
            [(t.deadline, t.scope, re.sub(r"\s", "", t.text)) for t in plan.tasks],
            [(d.title, d.doc_number) for d in plan.documents])


_CACHE: dict[Path, object] = {}


def reference(path: Path):
    """The plan read from the UTF-8 file itself (parsed once per session)."""
    if path not in _CACHE:
        _CACHE[path] = parse_file(path)
    return _CACHE[path]


def corpus_text(path: Path) -> str:
    """The corpus file as text."""
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Encodings


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "gb18030", "gbk", "gb2312"])
@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_encodings_give_the_same_records(path, encoding):
    # GBK and GB2312 have no NBSP; a file in them pads with ASCII spaces instead.
    text = corpus_text(path)
    if encoding in ("gbk", "gb2312"):
        text = text.replace("\xa0", " ")
    data = text.encode(encoding)
    if encoding == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")  # Python writes the BOM
    plan = parse_bytes(data, path.name)
    assert full_records(plan) == full_records(reference(path))
    expected = {"gbk": "gb18030", "gb2312": "gb18030", "utf-16-le": "utf-16-le",
                "utf-16-be": "utf-16-be"}.get(encoding, encoding.replace("_", "-"))
    assert plan.source.encoding == expected


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_big5_gives_the_same_records(path):
    import opencc

    traditional = opencc.OpenCC("s2tw").convert(corpus_text(path)).replace("\xa0", " ")
    # The few characters Big5 lacks (滙) become "?" in both versions compared.
    traditional = traditional.encode("big5", errors="replace").decode("big5")
    plan = parse_bytes(traditional.encode("big5"), path.name)
    assert plan.source.encoding == "big5"
    assert full_records(plan) == full_records(parse_bytes(traditional.encode("utf-8"), path.name))
    # Back in simplified script, the structure and every department are those of the original.
    assert [(t.label, [(a.department, a.role) for a in t.assignments]) for t in plan.tasks] == [
        (t.label, [(a.department, a.role) for a in t.assignments]) for t in reference(path).tasks]


def test_encoding_override():
    path = TEXTS[0]
    data = corpus_text(path).replace("\xa0", " ").encode("gbk")
    plan = parse_bytes(data, "plan.txt", encoding="GBK")
    assert plan.source.encoding == "gb18030"  # read with the superset: nothing lost
    assert records(plan) == records(reference(path))
    with pytest.raises(MatrixInputError, match=r"plan\.txt: cannot decode as utf-8 .*line \d+"):
        parse_bytes(data, "plan.txt", encoding="utf-8")
    with pytest.raises(MatrixInputError, match=r"plan\.txt: read as latin-1 .*mostly not Chinese"):
        parse_bytes(data, "plan.txt", encoding="latin-1")
    with pytest.raises(MatrixInputError, match="unknown encoding 'klingon'"):
        parse_bytes(data, "plan.txt", encoding="klingon")


def test_undecodable_bytes_are_refused_naming_the_encoding():
    import random

    rng = random.Random(7)
    junk = bytes(rng.randrange(128, 256) for _ in range(3000))
    with pytest.raises(MatrixInputError, match=r"junk\.txt: .*(utf-8|mostly not Chinese)"):
        parse_bytes(junk, "junk.txt")


def test_damaged_utf8_is_not_read_as_another_encoding():
    data = bytearray(TEXTS[3].read_bytes())
    data[5000] = 0xFF
    with pytest.raises(MatrixInputError, match=r"UTF-8 except for \d+ byte sequence\(s\), the first at "
                                               r"line \d+, byte 0xff at offset 5000"):
        parse_bytes(bytes(data), "damaged.txt")


@pytest.mark.parametrize("wrong", ["latin-1", "cp1252", "shift_jis", "euc_kr", "koi8_r"])
def test_mojibake_is_recognised(wrong):
    text = corpus_text(TEXTS[1]).replace("\xa0", " ")
    data = text.encode("gb18030")
    mojibake = data.decode(wrong, errors="replace")
    assert chinese_share(mojibake) < 0.8
    assert chinese_share(text) > 0.95
    with pytest.raises(MatrixInputError, match=f"mostly not Chinese|cannot decode as {wrong}"):
        decode(data, "x.txt", wrong)


def test_seed_with_pinyin_and_traditional_script_is_not_mojibake():
    text = (SEEDS / "001_5afa0209a0ae242f.txt").read_text(encoding="utf-8")
    assert chinese_share(text) > 0.9
    assert decode(text.encode("big5", errors="replace"), "x").encoding == "big5"


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"),
    (b" \n\r\n", "the file is empty"),
    (b"%PDF-1.7\n...", "the PDF is damaged"),
    (b"PK\x03\x04....xl/workbook.xml", "not an .xlsx workbook (damaged zip"),
    (b"PK\x03\x04....OFD.xml", "not an OFD file (damaged zip"),
    (b"PK\x03\x04....other", "this is a zip archive, not a plan"),
])
def test_unreadable_formats(data, message):
    with pytest.raises(MatrixInputError, match=re.escape(message)):
        parse_bytes(data, "in.bin")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(MatrixInputError, match="no such file"):
        parse_file(tmp_path / "none.txt")
    with pytest.raises(MatrixInputError, match="is a folder"):
        parse_file(tmp_path)


def test_docx_suffix_without_zip(tmp_path):
    fake = tmp_path / "plan.docx"
    fake.write_text("一、总体要求\n", encoding="utf-8")
    with pytest.raises(MatrixInputError, match=r"plan\.docx: named \.docx but is not"):
        parse_file(fake)


# ---------------------------------------------------------------------------------------------
# HTML


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_corpus_html_gives_the_records_of_its_txt(path):
    plan = parse_file(path.with_suffix(".html"))
    ref = reference(path)
    assert plan.source.format == "html"
    assert records(plan) == records(ref)
    assert full_records(plan) == full_records(ref)
    assert plan.title == ref.title and plan.title


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_corpus_html_without_suffix_is_sniffed(path):
    data = path.with_suffix(".html").read_bytes()
    assert sniff_format(data, "page.dat") == "html"
    assert records(parse_bytes(data, "page.dat")) == records(reference(path))


def test_corpus_html_lines_point_into_the_page():
    path = CORPUS / "guofa_2018_42_nongye_jixiehua.html"
    page = path.read_text(encoding="utf-8").split("\n")
    for task in parse_file(path).tasks:
        assert task.number in page[task.line - 1]


def test_corpus_html_furniture_and_metadata():
    _, raw = read_path(CORPUS / "guofa_2018_42_nongye_jixiehua.html")
    lines = raw.text.split("\n")
    assert lines[:2] == ["标题：国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见",
                         "发文字号：国发〔2018〕42号"]
    assert "扫一扫在手机打开当前页" not in raw.text
    assert "索 引 号" not in raw.text and "主题分类" not in raw.text


def test_portal_page_in_gb2312():
    """A whole saved page: GBK bytes under a gb2312 meta, menus, scripts, a duty table."""
    path = FIXTURES / "portal_page_gb2312.html"
    data, raw = read_path(path)
    assert (raw.format, raw.encoding) == ("html", "gb18030")
    for absent in ("政务公开", "脚本", "不应出现", "注释里", "隐藏", "样式", "相关文件", "版权所有",
                   "扫一扫", "打印", "字体", "当前位置"):
        assert absent not in raw.text, absent
    plan = parse_file(path)
    assert plan.title == "某市人民政府办公室关于印发某市推进农村公路高质量发展任务分工方案的通知"
    assert plan.documents[0].doc_number == "某政办发〔2023〕15号"
    got = [(t.label, t.title, [(a.as_printed, a.role.value) for a in t.assignments], t.deadline)
           for t in plan.tasks]
    assert got == [
        ("1.", "实施农村公路提档升级工程，新改建农村公路500公里",
         [("市交通运输局", "lead"), ("市财政局", "support"), ("市发展改革委", "support")],
         "2025年底前完成"),
        # 牵头单位 merged over rows 1 and 2 (rowspan) leads both; <br> separates two names.
        ("2.", "推进农村公路安全生命防护工程",
         [("市交通运输局", "lead"), ("市公安局", "support"), ("市应急管理局", "support")], "长期坚持"),
        # A line break in the page source between two names in a cell separates them.
        ("3.", "深化农村公路管理养护体制改革，全面推行“路长制”",
         [("各区县人民政府", "lead"), ("市交通运输局", "support"), ("市财政局", "support")],
         "年内完成"),
        ("4.", "推动农村客货邮融合发展",
         [("市交通运输局", "lead"), ("市邮政管理局", "support"), ("市商务局", "support")], None),
    ]
    # Each task points at its table row in the page.
    page = data.decode("gbk").split("\n")
    for task in plan.tasks:
        assert f"<td>{task.label[:-1]}</td>" in page[task.line - 1]
    # The contact table is not a duty table: its cells come out one per line.
    assert "联系人\n张某\n电话\n0000-1234567" in raw.text


@pytest.mark.parametrize("html, text", [
    ("<p>一、总体<span>要求</span></p><p>（一）甲。</p>", "一、总体要求\n（一）甲。\n"),
    ("<div>甲<br>乙<br/>丙</div>", "甲\n乙\n丙\n"),
    ("<p>开始<p>未闭合<li>项目", "开始\n未闭合\n项目\n"),
    ("<p>加快推进\n  农业机械化</p>", "加快推进农业机械化\n"),
    ("<p>PPP\n  mode</p>", "PPP mode\n"),
    ("<p>&ldquo;四好&rdquo;&nbsp;农村路&amp;amp;</p>", "“四好”\xa0农村路&amp;\n"),
    ("<pre>一、甲\n二、乙</pre>", "一、甲\n二、乙\n"),
    ("<h2>标题</h2><table><tr><td>甲</td><td>乙</td></tr></table>", "标题\n甲\n乙\n"),
    ("<script>x='一、'</script><style>p{}</style><!-- 二、 --><p hidden>三、</p><p>四、</p>",
     "四、\n"),
    ("<html><head><title>关于印发某某工作方案的通知 - 某某网</title></head><body><p>正文</p></body>",
     "标题：关于印发某某工作方案的通知\n正文\n"),
    ("<html><head><title>某市人民政府门户网站</title></head><body><p>正文</p></body>", "正文\n"),
    ("<p>【打印本页】【关闭窗口】</p><p>字号：大 中 小</p><p>正文</p>", "正文\n"),
])
def test_html_to_text(html, text):
    from matrix.read.html import html_to_text

    assert html_to_text(html)[0] == text


# ---------------------------------------------------------------------------------------------
# .docx


def _docx(paragraphs=(), tables=(), numbered=()) -> bytes:
    import docx

    document = docx.Document()
    for line in paragraphs:
        document.add_paragraph(line)
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    table.cell(i, j).text = value
    for line in numbered:
        document.add_paragraph(line, style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_docx_of_corpus_text_gives_the_same_records(path):
    data = _docx(corpus_text(path).split("\n"))
    plan = parse_bytes(data, path.stem + ".docx")
    assert plan.source.format == "docx" and plan.source.encoding is None
    assert full_records(plan) == full_records(reference(path))


def test_docx_duty_table():
    import docx

    rows = [
        ["序号", "重点任务", "牵头单位", "责任单位", "配合单位", "完成时限"],
        ["1", "完善农机装备创新体系", "工业和信息化部", "", "农业农村部、发展改革委\n科技部", "2020年底前"],
        ["2", "推进农机装备全产业链协同发展", "工业和信息化部", "", "—", "长期坚持"],
        ["3", "加强农机试验鉴定能力建设\n提升鉴定机构能力", "", "农业农村部（牵头），市场监管总局", "", "2019年6月底前完成"],
        ["4", "健全农机社会化服务体系", "农业农村部", "", "财政部", "年内持续推进"],
    ]
    document = docx.Document()
    document.add_paragraph("农业机械化重点任务分工方案")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    # 牵头单位 merged over the last two rows: it leads both.
    table.cell(3, 2).merge(table.cell(4, 2)).text = "农业农村部"
    buffer = io.BytesIO()
    document.save(buffer)
    plan = parse_bytes(buffer.getvalue(), "fengong.docx")
    got = [(t.label, t.title, [(a.as_printed, a.role.value) for a in t.assignments], t.deadline)
           for t in plan.tasks]
    assert got == [
        ("1.", "完善农机装备创新体系", [("工业和信息化部", "lead"), ("农业农村部", "support"),
                                ("发展改革委", "support"), ("科技部", "support")], "2020年底前"),
        ("2.", "推进农机装备全产业链协同发展", [("工业和信息化部", "lead")], "长期坚持"),
        ("3.", "加强农机试验鉴定能力建设",
         [("农业农村部", "lead"), ("市场监管总局", "responsible")], "2019年6月底前完成"),
        ("4.", "健全农机社会化服务体系", [("农业农村部", "lead"), ("财政部", "support")],
         "年内持续推进"),
    ]
    assert plan.tasks[2].text.startswith("加强农机试验鉴定能力建设。提升鉴定机构能力")
    assert not [w for w in plan.documents[0].warnings if w.kind == "unread-trailer"]


def test_docx_two_row_header_category_column_and_other_tables():
    from matrix.read.docx import docx_to_text

    data = _docx(
        ["某省重点任务分工"],
        tables=[
            [["序号", "领域", "工作任务", "责任单位", "责任单位", "完成时间"],
             ["序号", "领域", "工作任务", "牵头单位", "配合单位", "完成时间"],
             ["1", "基础设施", "建设高标准农田100万亩", "省农业农村厅", "省财政厅", "2025年底前"],
             ["2", "基础设施", "改造机耕道2000公里", "省农业农村厅", "", "持续推进"],
             ["3", "装备产业", "培育农机龙头企业", "省工业和信息化厅", "省科技厅", ""]],
            [["联系人", "电话"], ["张三", "0000-0000"]],
        ])
    text, lines = docx_to_text(data)
    assert text.split("\n") == [
        "某省重点任务分工",
        "一、基础设施",
        "1.建设高标准农田100万亩（牵头单位：省农业农村厅；配合单位：省财政厅；2025年底前）",
        "2.改造机耕道2000公里（牵头单位：省农业农村厅；持续推进）",
        "二、装备产业",
        "3.培育农机龙头企业（牵头单位：省工业和信息化厅；配合单位：省科技厅）",
        "联系人", "电话", "张三", "0000-0000", ""]
    assert len(lines) == len(text.split("\n")) - 1
    plan = parse_bytes(data, "x.docx")
    assert [(t.label, t.section) for t in plan.tasks] == [
        ("1.", "一、基础设施"), ("2.", "一、基础设施"), ("3.", "二、装备产业")]


def test_docx_duty_table_with_heading_rows_and_hanzi_numbers():
    import docx

    rows = [["重点任务分工表", "", "", ""],
            ["序号", "主要任务", "责任单位", "完成时限"],
            ["一、强化基础支撑", "", "", ""],
            ["一", "完善农机鉴定体系", "农业农村部（牵头）、市场监管总局", "2024年底前"],
            ["二", "", "", ""],
            ["三", "推进农机数据共享", "农业农村部", "长期坚持"]]
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=4)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    table.cell(0, 0).merge(table.cell(0, 3)).text = "重点任务分工表"
    table.cell(2, 0).merge(table.cell(2, 3)).text = "一、强化基础支撑"
    buffer = io.BytesIO()
    document.save(buffer)
    from matrix.read.docx import docx_to_text

    assert docx_to_text(buffer.getvalue())[0].split("\n") == [
        "一、强化基础支撑",
        "（一）完善农机鉴定体系（牵头单位：农业农村部；责任单位：市场监管总局；2024年底前）",
        "（三）推进农机数据共享（责任单位：农业农村部；长期坚持）", ""]


def test_docx_automatic_numbering_is_written_out():
    data = _docx(["一、重点任务"], numbered=["加快农机装备创新。（工业和信息化部负责）",
                                          "加强农机安全监管。（农业农村部、应急部负责）"])
    plan = parse_bytes(data, "auto.docx")
    assert [(t.label, t.section, [a.as_printed for a in t.assignments]) for t in plan.tasks] == [
        ("1.", "一、重点任务", ["工业和信息化部"]),
        ("2.", "一、重点任务", ["农业农村部", "应急部"])]


def test_docx_chinese_automatic_numbering():
    """Lists numbered 一、 / （一） by Word itself (numFmt chineseCounting), as offices use them."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for level, text in [(0, "总体要求"), (1, "指导思想。坚持创新驱动。"), (0, "重点任务"),
                        (1, "加快农机装备创新。（工业和信息化部负责）"),
                        (1, "加强农机安全监管。（农业农村部、应急部负责）")]:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    buffer = io.BytesIO()
    document.save(buffer)
    from matrix.read.docx import docx_to_text

    assert docx_to_text(buffer.getvalue())[0].split("\n")[:4] == [
        "一、总体要求", "（一）指导思想。坚持创新驱动。", "二、重点任务", "（一）加快农机装备创新。（工业和信息化部负责）"]
    plan = parse_bytes(buffer.getvalue(), "auto.docx")
    assert [(t.label, t.section) for t in plan.tasks] == [("（一）", "二、重点任务"),
                                                        ("（二）", "二、重点任务")]


def test_damaged_docx():
    data = _docx(["一、总体要求"])
    with pytest.raises(MatrixInputError, match=r"bad\.docx: not a readable Word \.docx"):
        parse_bytes(data[: len(data) // 2], "bad.docx")


# ---------------------------------------------------------------------------------------------
# Text copied from a PDF


def _wrap(text: str, width: int, blank_lines: bool = True) -> str:
    out = []
    for line in text.split("\n"):
        if not line.strip():
            if blank_lines:
                out.append(line)
            continue
        out.extend(line[i:i + width] for i in range(0, len(line), width))
    return "\n".join(out)


@pytest.mark.parametrize("path", TEXTS + PLAN_SEEDS, ids=lambda p: p.stem)
def test_reflow_does_not_touch_ordinary_documents(path):
    text = path.read_text(encoding="utf-8")
    assert not reflow(text).hard_wrapped
    assert reflow(text).text == text.replace("\r\n", "\n")
    try:
        plain = full_records(parse_text(text, path.name, reflow=False))
    except NoClausesError:
        with pytest.raises(NoClausesError):
            parse_text(text, path.name, reflow=True)
        return
    assert full_records(parse_text(text, path.name)) == plain
    # Even forced, reflow leaves an ordinary document's records alone.
    assert full_records(parse_text(text, path.name, reflow=True)) == plain


@pytest.mark.parametrize("width", [30, 17, 24, 41])
@pytest.mark.parametrize("path", TEXTS + [SEEDS / "001_5afa0209a0ae242f.txt"], ids=lambda p: p.stem)
def test_hard_wrapped_copy_gives_the_same_records(path, width):
    text = path.read_text(encoding="utf-8")
    want = full_records(reference(path))
    for blank_lines in (True, False):
        wrapped = _wrap(text, width, blank_lines)
        assert reflow(wrapped).hard_wrapped
        assert full_records(parse_text(wrapped, path.name)) == want


def test_reflow_line_map_points_at_the_first_original_line():
    text = "\n".join(_wrap(corpus_text(TEXTS[0]), 30).split("\n"))
    flowed = reflow(text)
    original = text.split("\n")
    for out_line, first in zip(flowed.text.split("\n"), flowed.lines):
        assert out_line.strip().startswith(original[first - 1].strip())


def test_pdf_copy_fixture():
    """Indented paragraphs, page numbers, a running header, a clause across a page break."""
    path = FIXTURES / "pdf_copy.txt"
    original = path.read_text(encoding="utf-8").split("\n")
    flowed = reflow("\n".join(original))
    assert flowed.hard_wrapped
    assert [original[i - 1].strip("\f") for i in flowed.dropped] == [
        "某市人民政府办公室文件", "— 1 —", "某市人民政府办公室文件", "— 2 —", "某市人民政府办公室文件",
        "— 3 —"]
    plan = parse_file(path)
    got = [(t.label, t.section, t.title, [(a.as_printed, a.role.value) for a in t.assignments],
            t.deadline) for t in plan.tasks]
    assert got == [
        ("（一）", "二、重点任务", "推进主要农作物生产全程机械化",
         [("市农业农村局", "lead"), ("市财政局", "responsible"), ("市发展改革委", "responsible")],
         "2025年底前完成"),
        ("（二）", "二、重点任务", "加快丘陵山区农田宜机化改造",
         [("市农业农村局", "lead"), ("市自然资源和规划局", "lead"), ("各区县人民政府", "responsible")],
         "长期坚持"),
        ("（三）", "二、重点任务", "提升农机装备研发制造水平",
         [("市经济和信息化局", "lead"), ("市科技局", "support")], None),
        ("（四）", "二、重点任务", "健全农机社会化服务体系", [("市农业农村局", "responsible")],
         "年内持续推进"),
    ]
    # Clause （三） runs across the page break; its text is whole again.
    assert "按规定给予奖励，推动产学研用协同创新。" in plan.tasks[2].text
    # Lines point into the file as the user has it.
    for task in plan.tasks:
        assert task.number in original[task.line - 1]
    clause_lines = {c.title: c.line for c in plan.documents[0].unassigned}
    assert "（一）加强组织领导" in original[clause_lines["加强组织领导"] - 1]


def test_split_trailer_in_an_ordinary_document():
    text = ("某部门工作要点\n一、重点任务\n"
            "（一）加强质量监管。完善产品质量安全监管制度（市场监管总局、\n"
            "工业和信息化部负责）\n"
            "（二）推进标准化建设。（市场监管总局牵头，\n"
            "国家发展改革委、\n"
            "商务部参与）\n")
    flowed = reflow(text)
    assert not flowed.hard_wrapped
    assert flowed.lines == (1, 2, 3, 5, 8)
    plan = parse_text(text, "note.txt")
    assert [(t.label, [(a.as_printed, a.role.value) for a in t.assignments], t.line)
            for t in plan.tasks] == [
        ("（一）", [("市场监管总局", "responsible"), ("工业和信息化部", "responsible")], 3),
        ("（二）", [("市场监管总局", "lead"), ("国家发展改革委", "support"), ("商务部", "support")], 5),
    ]


def test_hard_wrapped_split_trailer():
    body = ("（一）加强质量监管。完善产品质量安全监管制度，健全质量安全风险监测和预警机制，推动企业落实"
            "质量安全主体责任，严厉打击制售假冒伪劣产品违法行为。（市场监管总局牵头，工业和信息化部、"
            "公安部按职责分工负责）")
    text = "一、重点任务\n" + _wrap(body, 28) + "\n（二）加强组织领导。\n"
    assert any(line.endswith(("、", "工业和")) for line in text.split("\n"))
    plan = parse_text(text, "wrapped.txt")
    assert [(a.as_printed, a.role.value) for a in plan.tasks[0].assignments] == [
        ("市场监管总局", "lead"), ("工业和信息化部", "responsible"), ("公安部", "responsible")]


# ---------------------------------------------------------------------------------------------
# Standard input and errors


class _Stdin:
    """Stands in for ``sys.stdin``: text on the surface, bytes in ``buffer``."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_stdin(monkeypatch):
    path = TEXTS[2]
    monkeypatch.setattr(sys, "stdin", _Stdin(corpus_text(path).encode("gb18030")))
    plan = parse_file("-")
    assert plan.source.path == "<stdin>" and plan.source.encoding == "gb18030"
    assert full_records(plan) == full_records(reference(path))


def test_stdin_html_and_docx(monkeypatch):
    path = TEXTS[0]
    monkeypatch.setattr(sys, "stdin", _Stdin(path.with_suffix(".html").read_bytes()))
    assert parse_file("-").source.format == "html"
    plan = parse_stream(io.BytesIO(_docx(corpus_text(path).split("\n"))))
    assert plan.source.format == "docx"
    assert records(plan) == records(reference(path))
    assert records(parse_stream(io.StringIO(corpus_text(path)), "pasted")) == records(reference(path))


def test_stdin_errors_name_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    with pytest.raises(MatrixInputError, match="^<stdin>: the file is empty"):
        parse_file("-")


@pytest.mark.parametrize("data, kind", [
    (b"\xff\xfe\x00", MatrixInputError),  # a UTF-16 BOM and half a character
    (b"\xef\xbb\xbf\xff\xfe ab", MatrixInputError),  # UTF-8 BOM, then not UTF-8
    ("今天天气很好，我们去公园散步。\n".encode(), NoClausesError),
])
def test_every_error_is_a_matrix_error_with_the_file_name(data, kind):
    with pytest.raises(kind) as info:
        parse_bytes(data, "in.txt")
    assert isinstance(info.value, MatrixError)
    assert str(info.value).startswith("in.txt")


def test_warning_line_points_into_the_html_page():
    """A warning raised on extracted text still names the page line it came from."""
    page = ("<html><body>\n<p>一、重点任务</p>\n<p>（一）加强监管。（市场监管总局负责）</p>\n"
            "<p>（三）跳号。（商务部负责）</p>\n</body></html>\n")
    plan = parse_bytes(page.encode("utf-8"), "page.html")
    numbering = [w for w in plan.documents[0].warnings if w.kind == "numbering"]
    assert numbering and numbering[0].line == 4


def test_read_bytes_format_override():
    raw = read_bytes("<p>一、甲</p>".encode(), "x.txt", format="text")
    assert raw.format == "text" and raw.text == "<p>一、甲</p>"
    assert read_bytes("<p>一、甲</p>".encode(), "x.txt", format="html").text == "一、甲\n"



_PIECES = ["一、", "（一）", "1.", "（1）", "①", "加强监管。", "（财政部负责）", "（市场监管总局、",
           "商务部牵头）", "\n", "\n\n", "<p>", "</p>", "<br>", "<table><tr><td>", "</td></tr>",
           "序号", "重点任务", "牵头单位", "— 2 —", "\f", "  ", "\u3000\u3000", "（", "）", "&nbsp;"]


def test_any_input_gives_a_plan_or_a_matrix_error():
    """Never a traceback: whatever the bytes, the result is a plan or a ``MatrixError``."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    text = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(text.map(str.encode), text.map(lambda t: t.encode("gb18030")),
                     text.map(lambda t: ("<div>" + t).encode("utf-16")), st.binary(max_size=300)),
           st.sampled_from(["in.txt", "in.html", "in.docx", "<stdin>"]))
    def check(data, name):
        try:
            parse_bytes(data, name)
        except MatrixError as e:
            assert str(e).startswith(name)

    check()


_line_text = st.lists(st.sampled_from(["甲", "（", "）", "\u3000", " ", "\t", "\f", "\v", "\xa0", "a",
                                       "“", "—", "１", "😀", "&amp;", "(mén)", "，", "。"]),
                      max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line_text, max_size=6))
def test_reflow_measures_lines_in_bulk_as_one_by_one(raws):
    # reflow cleans and measures all lines in one pass each; a line alone must measure the same
    from matrix.text.normalise import clean_lines
    from matrix.text.reflow import _Line, _wide_counts

    bulk = [_Line.of(raw, norm, wide)
            for raw, norm, wide in zip(raws, clean_lines(raws), _wide_counts(raws))]
    assert bulk == [_Line.of(raw) for raw in raws]


def test_load_plan_reads_stdin_given_as_a_string(monkeypatch):
    from matrix.load.sources import load_plan

    path = CORPUS / "guofa_2018_42_nongye_jixiehua.txt"
    for lean in (False, True):
        monkeypatch.setattr(sys, "stdin", _Stdin(corpus_text(path).encode("utf-8")))
        plan = load_plan("-", lean=lean)
        assert plan.source.path == "<stdin>" and plan.tasks


def test_reflow_hands_on_its_cleaned_lines_only_when_it_changed_nothing():
    assert reflow("（一）甲(mén)。\n乙\n").cleaned == ("（一）甲。", "乙", "")
    assert reflow("（一）甲。（农业农村部、\n工业和信息化部负责）\n").cleaned is None  # joined
    assert reflow("（一）甲&amp;乙\n").cleaned is None  # entities are decoded by normalise

"""The 催办通知 and the 督查通报 as .docx, laid out as an office's own documents are printed.

The layout follows the national standard for official documents (GB/T 9704-2012) as far as a
draft needs it: A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; the title in
二号 方正小标宋简体 centred; 一、 headings in 三号 黑体, （一） headings in 三号 楷体_GB2312, the body
in 三号 仿宋_GB2312 with a first-line indent of two characters and a fixed line height; page
numbers "— 1 —" in 四号 宋体 at the foot, right on odd pages and left on even ones.

The fonts are the ones an office machine has; each is also listed in the document's font table
with a common alternative (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体), which
Word and WPS use when the first is missing, and a machine with neither (LibreOffice on Linux)
substitutes its own CJK fonts. Latin text and digits are in Times New Roman.

Nothing else imports python-docx; :mod:`matrix.round.remind` says what the documents hold.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .. import __version__

__all__ = ["FONTS", "write_bulletin", "write_notice"]

# role → (font, the alternative the font table names)
FONTS = {"title": ("方正小标宋简体", "宋体"), "body": ("仿宋_GB2312", "仿宋"),
         "h1": ("黑体", "SimHei"), "h2": ("楷体_GB2312", "楷体"), "page": ("宋体", "SimSun")}
LATIN = "Times New Roman"
SIZE = {"title": 22, "body": 16, "h1": 16, "h2": 16, "table": 12, "page": 14}  # 二号 三号 小四 四号
LINE = Pt(28)  # fixed line height of the body: 22 lines on a page


def _fonts(run: Any, role: str, size: float, bold: bool = False) -> None:
    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    props = run._element.get_or_add_rPr()
    fonts = props.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        props.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), FONTS[role][0])
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)


class _Draft:
    """A document being written: paragraphs by role, tables, the page set up once."""

    def __init__(self, title: str, office: str) -> None:
        self.doc = Document()
        core = self.doc.core_properties
        core.title = title
        core.author = f"dutymatrix {__version__}"  # output.replaceable: ours, not yet edited
        core.last_modified_by = f"dutymatrix {__version__}"
        core.comments = ""
        self._page()
        self._font_table()
        self.office = office

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(20)
        self.doc.settings.odd_and_even_pages_header_footer = True
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = align
            self._page_number(paragraph)
        normal = self.doc.styles["Normal"]
        normal.font.name = LATIN
        normal.font.size = Pt(SIZE["body"])
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"),
                                                                FONTS["body"][0])

    def _page_number(self, paragraph: Any) -> None:
        """"— 1 —": the page number as a field, so that every page shows its own."""
        def run(text: str = "") -> Any:
            r = paragraph.add_run(text)
            _fonts(r, "page", SIZE["page"])
            return r

        run("— ")
        for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"),
                           ("end", None)):
            r = run()
            if kind is not None:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                r._element.append(char)
            elif text == "PAGE":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = " PAGE "
                r._element.append(instr)
            else:
                r.text = text
        run(" —")

    def _font_table(self) -> None:
        """Each font with its alternative in word/fontTable.xml (module docstring)."""
        from lxml import etree

        part = next((p for p in self.doc.part.package.iter_parts()
                     if str(p.partname) == "/word/fontTable.xml"), None)
        if part is None:
            return
        table = etree.fromstring(part.blob)
        for name, alternative in FONTS.values():
            font = etree.SubElement(table, qn("w:font"))
            font.set(qn("w:name"), name)
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alternative)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)

    def paragraph(self, text: str, role: str = "body", *, indent: bool = True,
                  align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY, before: float = 0) -> Any:
        p = self.doc.add_paragraph()
        p.alignment = align
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE if role != "title" else Pt(36)
        fmt.space_before, fmt.space_after = Pt(before), Pt(0)
        if indent:
            fmt.first_line_indent = Pt(2 * SIZE.get(role, 16))
        _fonts(p.add_run(text), role, SIZE[role])
        return p

    def title(self, text: str, subtitle: str | None = None) -> None:
        self.paragraph(text, "title", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        if subtitle:
            self.paragraph(subtitle, "h2", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.paragraph("", indent=False)

    def heading(self, text: str, level: int = 1) -> None:
        self.paragraph(text, "h1" if level == 1 else "h2")

    def table(self, heads: list[str], rows: list[list[Any]], widths: list[float]) -> None:
        table = self.doc.add_table(rows=1, cols=len(heads))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths):
            column.width = Mm(width)  # the grid LibreOffice lays out by
        for row_cells, values, head in ([(table.rows[0].cells, heads, True)]
                                        + [(table.add_row().cells, r, False) for r in rows]):
            for cell, value, width in zip(row_cells, values, widths):
                cell.width = Mm(width)
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER if head else WD_ALIGN_PARAGRAPH.LEFT
                _fonts(p.add_run("" if value is None else str(value)),
                       "h1" if head else "body", SIZE["table"])
        header = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")  # the head row again on every page
        header.append(repeat)
        self.paragraph("", indent=False)

    def signature(self, day: date) -> None:
        self.paragraph("", indent=False)
        for text in (self.office, day_text(day)):
            p = self.paragraph(text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(4 * SIZE["body"])

    def save(self, path: str | os.PathLike[str]) -> Path:
        from ..safety.writes import replace_atomically

        return replace_atomically(path, lambda temp: self.doc.save(str(temp)), suffix=".docx",
                                  hint=" (is the file open in another program?)")


def day_text(day: date) -> str:
    """2026年12月21日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _plan(title: str | None) -> str:
    return f"《{title}》" if title else "本方案"


def write_notice(notice: Any, result: Any, reply_by: date, office: str,
                 path: str | os.PathLike[str]) -> Path:
    """One department's 催办通知 (:class:`matrix.round.remind.Notice`) to ``path``."""
    round_text = result.round or "本轮"
    draft = _Draft(f"催办通知（{notice.department}）", office)
    draft.title("催办通知", f"（{result.round}）" if result.round else None)
    draft.paragraph(f"{notice.department}：", indent=False)
    due = f"应于{_due_text(result.due)}前" if result.due else "应按时"
    draft.paragraph(f"按照{_plan(result.plan_title)}任务分工和{round_text}督办安排，各有关单位{due}"
                    f"报送任务落实情况。截至{day_text(result.as_of)}，经汇总核对，"
                    f"贵单位存在以下情况：{'，'.join(notice.reasons)}。现将有关事项通知如下：")
    draft.heading("一、需督促落实的任务")
    if notice.silent:
        draft.paragraph(f"我室尚未收到贵单位{round_text}报送的落实情况。贵单位承担的任务如下：")
    elif notice.days_late:
        draft.paragraph(f"贵单位报送的落实情况晚于报送截止时间{notice.days_late}天。")
    if notice.tasks:
        draft.table(["序号", "编号", "重点任务", "完成时限", "状态", "天数", "上次报送情况"],
                    [[i, t.label, t.title, t.deadline or "未明确", _state(t), _days(t),
                      _last(t)] for i, t in enumerate(notice.tasks, 1)],
                    [10, 18, 42, 22, 14, 14, 36])
    draft.heading("二、有关要求")
    draft.paragraph(f"请贵单位高度重视，对照任务分工和完成时限抓紧推进，于{day_text(reply_by)}前将"
                    f"落实情况（进展情况、存在问题和下步计划）报送{office}。对确有困难、不能按期"
                    f"完成的任务，请说明原因，提出具体措施和完成时间。")
    draft.paragraph("联系人：　　　　　　联系电话：")
    draft.signature(result.as_of)
    return draft.save(path)


def write_bulletin(b: Any, office: str, path: str | os.PathLike[str]) -> Path:
    """The 督查通报 draft (:class:`matrix.round.remind.Bulletin`) to ``path``."""
    round_text = b.round or "本轮"
    draft = _Draft("督查通报", office)
    draft.title(f"关于{_plan(b.plan_title)}落实情况的通报",
                f"（{b.round}）" if b.round else "（征求意见稿）")
    draft.paragraph(f"为推动{_plan(b.plan_title)}各项任务落实落地，{office}组织开展了{round_text}"
                    f"落实情况调度。现将有关情况通报如下：")
    draft.heading("一、总体情况")
    late_returns = "、".join(f"{d}（{n}天）" if n else d for d, n in b.late_returns)
    reported = (f"应报送单位{b.departments}个，已报送{b.reported}个"
                + (f"，其中迟报{len(b.late_returns)}个：{late_returns}" if b.late_returns else "")
                + (f"；未报送{len(b.silent)}个：{'、'.join(b.silent)}" if b.silent else "；均已报送"))
    draft.paragraph(f"本轮共调度重点任务{b.tasks}项。截至{day_text(b.as_of)}，已完成{b.done}项，"
                    f"推进中{b.in_progress}项，逾期未完成{b.late}项，{b.warn_days}天内到期尚未完成的"
                    f"临期任务{b.due_soon}项。{reported}。")
    draft.heading("二、各单位报送和落实情况")
    draft.table(["序号", "单位", "任务数", "已完成", "逾期", "临期", "报送情况"],
                [[i, *row] for i, row in enumerate(b.rows, 1)], [10, 50, 16, 16, 14, 14, 36])
    draft.heading("三、逾期和临期任务")
    draft.heading("（一）逾期未完成任务", 2)
    if b.late_tasks:
        draft.table(["序号", "编号", "重点任务", "完成时限", "逾期天数", "连续逾期", "未完成单位"],
                    [[i, t.label, t.title, t.deadline, t.days,
                      f"{t.overdue_rounds}轮" if t.overdue_rounds > 1 else "", who]
                     for i, (t, who) in enumerate(b.late_tasks, 1)],
                    [10, 18, 42, 22, 14, 14, 36])
    else:
        draft.paragraph("无。")
    draft.heading("（二）临期任务", 2)
    if b.soon_tasks:
        draft.table(["序号", "编号", "重点任务", "完成时限", "剩余天数", "未完成单位"],
                    [[i, t.label, t.title, t.deadline, t.days, who]
                     for i, (t, who) in enumerate(b.soon_tasks, 1)],
                    [10, 18, 48, 24, 16, 40])
    else:
        draft.paragraph("无。")
    draft.heading("四、存在问题和需协调事项")
    if b.issues:
        for i, issue in enumerate(b.issues, 1):
            mark = "（需协调）" if issue.status == "需协调" else ""
            draft.paragraph(f"{i}. {issue.department}{mark}，{issue.label}{issue.title}："
                            f"{issue.text}")
    else:
        draft.paragraph("各单位未反映存在问题和需协调事项。")
    draft.heading("五、下步工作")
    draft.paragraph("【待完善】对逾期未完成任务的责任单位，发出催办通知，限期报送整改措施；对连续"
                    "逾期的任务，提请分管领导督办；对各单位反映的需协调事项，由牵头单位会同有关单位"
                    "研究解决；对未报送、迟报的单位，予以通报提醒。")
    draft.signature(b.as_of)
    return draft.save(path)


def _due_text(text: str) -> str:
    """The round's due date as the office writes it (as stamped when it is not a date)."""
    from .lights import read_day

    day = read_day(text)
    return day_text(day) if day else text


def _state(t: Any) -> str:
    if t.overdue_rounds > 1:
        return f"{t.state}（连续{t.overdue_rounds}轮）"
    return t.state


def _days(t: Any) -> str:
    if t.days is None:
        return ""
    return f"逾期{t.days}天" if t.light == "red" else f"剩{t.days}天"


def _last(t: Any) -> str:
    if not t.last_status and not t.last_progress:
        return "未报送"
    return "；".join(x for x in (t.last_status, t.last_progress) if x)

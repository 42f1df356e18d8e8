"""The diff workbook: the changes between two versions of a plan as 概要, 任务变化, 部门变化 and
矩阵对比 (:func:`write_diff_workbook`). It only draws a :class:`~matrix.diff.PlanDiff`; the
comparing is done in :mod:`matrix.diff`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import book as _book  # noqa: F401  first: openpyxl with numpy hidden (book)
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

if TYPE_CHECKING:
    from ..diff import DiffEntry, PlanDiff, TaskRef

from .. import __version__
from ..pivot import build_matrix
from ..records import Plan
from .book import (BODY, Book, GB2312, LEGEND, LOOKS, Look, MARKS, MAX_CELL_TEXT, MAX_ROW_HEIGHT,
                   NOT_XML, RowCell, Sheet, Style, clean_text, make_font, save_atomically,
                   sent_out, utc_naive)
from .page import (FIT_DEPARTMENTS, MARK_WIDTH, MATRIX_ROW, Page, date_text, list_head,
                   print_setup, section_text)

# --------------------------------------------------------------------------- the diff workbook

DIFF_SHEET_NAMES = ("概要", "任务变化", "部门变化", "矩阵对比")
MATCH_LABELS = {"manual": "人工指定", "text": "全文相同", "title": "标题相同",
                "number": "编号相同", "similar": "文字相似", "contained": "包含关系"}
KIND_HELP = {
    "added": "新版本新增的任务", "removed": "新版本删去的任务",
    "split": "一项任务拆分为几项（每一部分一行）", "merged": "几项任务合并为一项（每一部分一行）",
    "ambiguous": "有几项相近的候选，未自动匹配，需人工确认（可用 --match 指定）",
    "moved": "移到另一章节", "text_changed": "文字有修改", "renumbered": "编号改变",
    "departments_changed": "仅责任单位变化"}
# Light fills of a change's row, by its main kind (任务变化, and the 变化 cell of 矩阵对比).
KIND_FILLS = {"added": "E2EFDA", "removed": "F8D7DA", "split": "EAD9F2", "merged": "EAD9F2",
              "ambiguous": "FFE699", "moved": "DDEBF7", "text_changed": "FFF6D5",
              "renumbered": "DDF2F2", "departments_changed": "E6E6F7"}
# Fills of a changed department cell in 矩阵对比.
CHANGE_FILLS = {"gained": "A9D08E", "lost": "F4A6A6", "role_changed": "FFD966",
                "succession": "9DC3E6"}
_RED, _GREEN, _DARK_RED = "FFC00000", "FF00802B", "FF9C0006"
_EQUAL_KEEP = 40  # characters kept at each end of a long unchanged stretch in 文字变化


def write_diff_workbook(diff: PlanDiff, old: Plan, new: Plan,
                        path: str | os.PathLike[str] | IO[bytes],
                        *, generated_at: datetime | None = None,
                        tool_version: str = __version__, record_path: bool = False) -> Path:
    """Write the changes between two versions of a plan as a workbook; return the path.

    ``diff`` is ``diff_plans(old, new)`` (or a :func:`~matrix.diff.filter_diff` of it); the
    workbook only shows it and compares nothing itself. Sheets:

    * 概要 — the two versions, the department filter if any, the number of changes of each kind
      (each in its colour) and the diff's notes.
    * 任务变化 — one row per change (``diff.entries``), coloured by its kind: 变化, 原编号 and
      原章节, 新编号 and 新章节, 任务, 匹配方式 (the pass that matched the pair), 相似度, 文字变化
      (the word-level diff: deletions struck through in red, insertions underlined in green;
      long unchanged stretches shortened to their ends) and 部门变化.
    * 部门变化 — per department: tasks gained and lost, lead gained and lost, role changes,
      successions, and which tasks.
    * 矩阵对比 — the new plan's matrix with every changed cell coloured: a department gained
      green, lost red (its old mark, struck through), role changed amber (the new mark),
      succession blue (the new department's mark; the old one's struck through); each removed
      task as a struck-through red row where it stood; a legend above the header.

    Written as :func:`write_workbook` writes: text is never a formula, 宋体/黑体, print setup
    on every sheet, and the file appears whole or not at all
    (:class:`~matrix.errors.MatrixOutputError` otherwise); ``path`` may be a binary stream.

    Example::

        old, new = parse_file("draft.txt"), parse_file("final.txt")
        write_diff_workbook(diff_plans(old, new), old, new, "output/diff.xlsx")
    """
    if generated_at is None:
        generated_at = datetime.now().astimezone()
    old, new = sent_out(old, record_path), sent_out(new, record_path)
    return save_atomically(path, DIFF_SHEET_NAMES, lambda book: _fill_diff(
        book, diff, old, new, generated_at, tool_version))


def _plan_name(plan: Plan) -> str:
    return plan.title or Path(plan.source.path).name or "（无标题）"


def _fill_diff(book: Book, diff: PlanDiff, old: Plan, new: Plan, generated_at: datetime,
               tool_version: str) -> None:
    old_name, new_name = _plan_name(old), _plan_name(new)
    title = (f"《{new_name}》版本比较" if old_name == new_name
             else f"《{old_name}》与《{new_name}》比较")
    props = book.wb.properties
    props.title = clean_text(title)
    props.creator = f"dutymatrix {tool_version}"
    props.description = clean_text(f"{old.source.path} → {new.source.path}")
    props.created = utc_naive(generated_at)
    page = Page(title, date_text(generated_at))
    _diff_summary_sheet(book.sheets["概要"], diff, old, new, title, page, generated_at,
                        tool_version)
    _diff_tasks_sheet(book.sheets["任务变化"], diff, page)
    _diff_departments_sheet(book.sheets["部门变化"], diff, page)
    _diff_matrix_sheet(book.sheets["矩阵对比"], diff, old, new, page)


def _filled(name: str, colour: str, *, strike: bool = False,
            font_colour: str | None = None) -> Look:
    """The look ``name`` with a solid fill (and a struck-through, coloured font)."""
    base = LOOKS[name]
    font = base.font
    if strike or font_colour:
        font = make_font(font.name, font.sz, italic=bool(font.i), strike=strike or None,
                         color=font_colour or (font.color.rgb if font.color is not None else None))
    return Look(font, base.alignment, PatternFill("solid", fgColor=colour), base.border)


def _diff_summary_sheet(sheet: Sheet, diff: PlanDiff, old: Plan, new: Plan, title: str,
                        page: Page, generated_at: datetime, tool_version: str) -> None:
    from ..diff import KIND_LABELS

    book, ws = sheet.book, sheet.ws
    sheet.widths([16, 10, 64])
    print_setup(ws, landscape=False, page=page)
    key, value, number = book.style("key"), book.style("value_flow"), book.style("number_box")

    def kv(k: str, v: str) -> None:
        sheet.banner(clean_text(v), "value", 3, first=2, before=[(1, k, key)])

    sheet.banner(clean_text(title), "title", 3, height=24)
    for label, plan in (("原版本", old), ("新版本", new)):
        kv(label, f"{plan.source.path}（{_plan_name(plan)}）")
        kv(f"{label} SHA-256", plan.source.sha256)
    if diff.department:
        kv("部门筛选", f"只列出与{diff.department}有关的变化")
    kv("工具版本", f"dutymatrix {tool_version}")
    kv("生成时间", generated_at.isoformat(timespec="seconds"))
    sheet.append([])
    if diff.is_empty():
        who = f"（{diff.department}）" if diff.department else ""
        sheet.banner(f"两个版本没有差别{who}。", "notice", 3)
    else:
        sheet.text("变化", "项数", "说明", style="head", height=22)
        for kind, count in diff.counts().items():
            fill = book.style(_filled("text_top", KIND_FILLS[kind]))
            sheet.append([(1, KIND_LABELS[kind], fill), (2, count, number),
                          (3, KIND_HELP[kind], book.style("text_top"))])
        sheet.append([(1, "合计", book.style("total")), (2, len(diff.entries),
                                                       book.style("total"))])
        sheet.append([])
        kv("部门", f"{len(diff.departments)} 个部门的任务有变化（见“部门变化”）")
    for note in diff.notes_zh:
        kv("注意", note)
    sheet.append([])
    # The colours of 矩阵对比, each a sample cell.
    samples = (("gained", "●", "新增单位"), ("lost", "●", "取消单位（原标记，删除线）"),
               ("role_changed", "★", "角色变化（新角色的标记）"),
               ("succession", "●", "机构改革承继（新单位；原单位的标记加删除线）"))
    for n, (kind, mark, words) in enumerate(samples):
        sample = _filled("mark", CHANGE_FILLS[kind], strike=kind == "lost",
                         font_colour=_DARK_RED if kind == "lost" else None)
        sheet.append([(1, "矩阵对比图例" if n == 0 else None, key),
                      (2, mark, book.style(sample)), (3, words, value)])
    sheet.append([(2, "●", book.style(_filled("mark", KIND_FILLS["removed"], strike=True,
                                                font_colour=_DARK_RED))),
                  (3, "已删除的任务（整行删除线，列在原来的位置）", value)])


def _change_legend() -> CellRichText:
    plain = InlineFont(rFont=BODY, charset=GB2312, sz=10)

    def square(colour: str) -> TextBlock:
        return TextBlock(InlineFont(rFont=BODY, charset=GB2312, sz=10,
                                    color="FF" + colour), "■")

    struck = InlineFont(rFont=BODY, charset=GB2312, sz=10, strike=True, color=_RED)
    return CellRichText(
        TextBlock(plain, "图例："), square(CHANGE_FILLS["gained"]), TextBlock(plain, "新增单位　"),
        square(CHANGE_FILLS["lost"]), TextBlock(plain, "取消单位（原标记，"),
        TextBlock(struck, "删除线"), TextBlock(plain, "）　"),
        square(CHANGE_FILLS["role_changed"]), TextBlock(plain, "角色变化（新角色）　"),
        square(CHANGE_FILLS["succession"]), TextBlock(plain, "机构改革承继　"),
        TextBlock(struck, "整行删除线"), TextBlock(plain, "：已删除的任务　"),
        TextBlock(plain, LEGEND.removeprefix("图例：")))


def _ref_section(ref: TaskRef | None) -> str:
    if ref is None:
        return ""
    return clean_text("\n".join(p for p in (ref.section, ref.subsection) if p))


_SECTION_NUMBER = re.compile(r"^\s*(第[^章节部分\s]{1,6}[章节部分]|[一二三四五六七八九十百零〇两]+、)")


def _ref_where(ref: TaskRef | None) -> str:
    """三、（五）: the section's number and the task's label, enough to find it."""
    if ref is None:
        return ""
    m = _SECTION_NUMBER.match(ref.section or "")
    return (m.group(1) if m else "") + ref.label


def _diff_text(segments: Sequence[tuple[str, str, str]]) -> CellRichText:
    """Word-level diff as rich text: deletions struck through in red, insertions underlined in
    green; an unchanged stretch longer than twice ``_EQUAL_KEEP`` keeps only its two ends."""
    plain = InlineFont(rFont=BODY, charset=GB2312, sz=10)
    gone = InlineFont(rFont=BODY, charset=GB2312, sz=10, strike=True, color=_RED)
    added = InlineFont(rFont=BODY, charset=GB2312, sz=10, u="single", color=_GREEN)
    blocks: list[TextBlock] = []
    left = MAX_CELL_TEXT - 1

    def add(font: InlineFont, text: str) -> None:
        nonlocal left
        text = NOT_XML.sub("", text)[:max(left, 0)]
        if text:
            blocks.append(TextBlock(font, text))
            left -= len(text)

    last = len(segments) - 1
    for n, (op, a, b) in enumerate(segments):
        if op == "equal":
            head = a[:_EQUAL_KEEP] if n else ""
            tail = a[-_EQUAL_KEEP:] if n < last else ""
            if len(a) > 2 * _EQUAL_KEEP + 1 or (not head and len(a) > _EQUAL_KEEP + 1) or (
                    not tail and len(a) > _EQUAL_KEEP + 1):
                add(plain, f"{head}…{tail}")
            else:
                add(plain, a)
            continue
        if op in ("delete", "replace"):
            add(gone, a)
        if op in ("insert", "replace"):
            add(added, b)
    if left <= 0:
        blocks.append(TextBlock(plain, "…"))
    return CellRichText(*blocks)


def _candidates(entry: DiffEntry) -> str:
    return "候选：" + "；".join(f"{_ref_where(c.old)}→{_ref_where(c.new)}（{c.score:.0f}）"
                              for c in entry.candidates)


def _diff_list_head(sheet: Sheet, diff: PlanDiff, page: Page, title: str, heads: list[str],
                    widths: list[float], freeze: str, rows: int, head_height: float) -> None:
    """The head of a list sheet of a diff: its title names the department filter, if any."""
    list_head(sheet, title + (f"（{diff.department}）" if diff.department else ""), heads,
              widths, freeze=freeze, rows=rows, page=page, head_height=head_height)


def _diff_tasks_sheet(sheet: Sheet, diff: PlanDiff, page: Page) -> None:
    from ..diff import KIND_LABELS, describe_departments

    book = sheet.book
    _diff_list_head(sheet, diff, page, "任务变化",
                    ["序号", "变化", "原编号", "原章节", "新编号", "新章节", "任务", "匹配方式",
                     "相似度", "文字变化", "部门变化"],
                    [5, 12, 10, 14, 10, 14, 22, 9, 7, 48, 28], "C3", len(diff.entries), 22)
    for i, e in enumerate(diff.entries, 1):
        text = book.style(_filled("text_top", KIND_FILLS[e.kind]))
        number = book.style(_filled("number_box", KIND_FILLS[e.kind]))
        task = e.new or e.old
        departments = (_candidates(e) if e.kind == "ambiguous"
                       else describe_departments(e.departments))
        values: list[Any] = [
            "、".join(KIND_LABELS[k] for k in e.kinds),
            e.old.label if e.old else "", _ref_section(e.old),
            e.new.label if e.new else "", _ref_section(e.new),
            clean_text(task.title) if task else "",
            MATCH_LABELS.get(e.matched_by or "", e.matched_by or "")]
        cells: list[RowCell] = [
            (1, i, number), *((c, clean_text(v) or None, text) for c, v in enumerate(values, 2))]
        cells.append((9, round(e.score) if e.score is not None else None, number))
        cells.append((10, _diff_text(e.text_diff) if e.text_diff else None, text))
        cells.append((11, clean_text(departments) or None, text))
        sheet.append(cells)


def _diff_departments_sheet(sheet: Sheet, diff: PlanDiff, page: Page) -> None:
    book = sheet.book
    _diff_list_head(sheet, diff, page, "部门变化",
                    ["部门", "新增任务", "减少任务", "新增牵头", "取消牵头", "角色变化",
                     "机构改革承继", "合计", "明细"],
                    [18, 6, 6, 6, 6, 6, 7, 6, 70], "B3", len(diff.departments), 36)

    details: dict[str, list[str]] = {}
    for e in diff.entries:
        new_at, old_at = _ref_where(e.new), _ref_where(e.old)
        ch = e.departments
        for d in ch.gained:
            details.setdefault(d.department, []).append(f"+{new_at}（{d.role.label}）")
        for d in ch.lost:
            details.setdefault(d.department, []).append(f"−{old_at}（{d.role.label}）")
        for c in ch.role_changed:
            details.setdefault(c.department, []).append(
                f"{new_at}（{c.old.label}→{c.new.label}）")
        for s in ch.succession:
            for name in (s.old, s.new):
                details.setdefault(name, []).append(f"{new_at}（{s.old}→{s.new}）")

    text, number, total = book.style("text_top"), book.style("number_box"), book.style("total")
    colours = (CHANGE_FILLS["gained"], CHANGE_FILLS["lost"], CHANGE_FILLS["gained"],
               CHANGE_FILLS["lost"], CHANGE_FILLS["role_changed"], CHANGE_FILLS["succession"])
    for d in diff.departments:
        counts = (d.tasks_gained, d.tasks_lost, d.lead_gained, d.lead_lost, d.role_changed,
                  d.succession)
        sheet.append([(1, clean_text(d.department), text),
                      *((c, n or None, book.style(_filled("number_box", colour)) if n
                         else number) for c, (n, colour) in enumerate(zip(counts, colours), 2)),
                      (8, d.total, total),
                      (9, clean_text("　".join(details.get(d.department, ()))) or None, text)])


def _diff_matrix_sheet(sheet: Sheet, diff: PlanDiff, old: Plan, new: Plan,
                       page: Page) -> None:
    from ..diff import KIND_LABELS, KIND_ORDER, describe_departments

    book, ws = sheet.book, sheet.ws
    new_matrix, old_matrix = build_matrix(new), build_matrix(old)
    # Departments of the new plan, then those only the old one names (lost everywhere).
    departments = new_matrix.departments + tuple(
        d for d in old_matrix.departments if d not in new_matrix.counts)
    lead_heads = ["序号", "变化", "章节", "编号", "任务"]
    first_dept = len(lead_heads) + 1
    column_of = {d: first_dept + i for i, d in enumerate(departments)}
    note_col = first_dept + len(departments)
    letter = get_column_letter

    by_new, removed, after = _placed_entries(diff)

    head_row = 4
    last_row = head_row + len(new_matrix.rows) + len(removed)
    _diff_matrix_head(sheet, diff, old, new, page, lead_heads, departments, last_row)
    looks, change, gone = _diff_styles(book)
    sheet.min_height = MATRIX_ROW

    def kinds_cell(entries: Sequence[DiffEntry], style_of: Callable[[str], Style]) -> RowCell:
        kinds = list(dict.fromkeys(k for e in entries for k in e.kinds))
        kinds.sort(key=KIND_ORDER.index)
        return (2, "、".join(KIND_LABELS[k] for k in kinds), style_of(kinds[0]))

    def kind_style(kind: str) -> Style:
        return book.style(_filled("text", KIND_FILLS[kind]))

    def removed_row(e: DiffEntry) -> None:
        row = old_matrix.rows[e.old.index] if e.old and e.old.index < len(old_matrix.rows) \
            else None
        cells: list[RowCell] = [(1, None, gone["number"]), (2, "删除", kind_style("removed"))]
        if row is not None:
            task = row.task
            cells += [(3, section_text(row), gone["text"]), (4, task.label, gone["text"]),
                      (5, clean_text(task.title), gone["text"])]
            cells += sorted((column_of[d], MARKS[c.role], gone["mark"])
                            for d, c in row.cells.items() if d in column_of)
        sheet.append(cells)

    for e in after.get(-1, ()):
        removed_row(e)
    for j, row in enumerate(new_matrix.rows):
        task = row.task
        entries = by_new.get(j, [])
        cells = [(1, j + 1, looks["number"])]
        if entries:
            cells.append(kinds_cell(entries, kind_style))
        cells += [(3, section_text(row), looks["text"]), (4, task.label, looks["text"]),
                  (5, clean_text(task.title), looks["text"])]
        added = any(e.kind == "added" for e in entries)
        marks = _changed_marks(row, entries, added, column_of, looks, change)
        cells += [(c, mark, style) for c, (mark, style) in sorted(marks.items())]
        note = "　".join(filter(None, (
            _candidates(e) if e.kind == "ambiguous" else describe_departments(e.departments)
            for e in entries)))
        cells.append((note_col, clean_text(note) or None, looks["text"]))
        sheet.append(cells)
        for e in after.get(j, ()):
            removed_row(e)
    sheet.min_height = None
    ws.print_area = f"A1:{letter(note_col)}{max(last_row, head_row)}"


def _diff_matrix_head(sheet: Sheet, diff: PlanDiff, old: Plan, new: Plan, page: Page,
                      lead_heads: list[str], departments: Sequence[str], last_row: int) -> None:
    """矩阵对比 above its rows: widths, panes, print set-up, filter, the title, info and legend
    lines (rows 1-3) and the head row (4: the lead heads, the departments, 部门变化)."""
    book, ws, letter = sheet.book, sheet.ws, get_column_letter
    legend_row, head_row = 3, 4
    first_dept = len(lead_heads) + 1
    note_col = first_dept + len(departments)
    sheet.widths([5, 10, 18, 11, 26, *[MARK_WIDTH] * len(departments), 30])
    ws.freeze_panes = f"{letter(first_dept)}{head_row + 1}"
    fit = len(departments) <= FIT_DEPARTMENTS
    print_setup(ws, landscape=True, wide=len(departments) > 20, page=page, fit_width=fit)
    ws.print_title_rows = f"{legend_row}:{head_row}"
    if not fit:
        ws.print_title_cols = f"A:{letter(first_dept - 1)}"
    ws.print_options.gridLines = True
    ws.auto_filter.ref = f"A{head_row}:{letter(note_col)}{last_row}"
    sheet.banner(clean_text(f"矩阵对比：{_plan_name(new)}"), "title", note_col, height=24)
    sheet.banner(clean_text(f"新版本 {new.source.path} 的责任矩阵，标出相对原版本 "
                            f"{old.source.path} 的变化" + (f"（只标与{diff.department}有关的变化）"
                                                     if diff.department else "")), "info",
                 note_col)
    sheet.banner(_change_legend(), "legend", note_col)
    longest = max((len(d) for d in departments), default=2)
    head, vertical = book.style("head"), book.style("head_vertical")
    sheet.append([*((i, h, head) for i, h in enumerate(lead_heads, 1)),
                  *((first_dept + i, clean_text(d), vertical) for i, d in enumerate(departments)),
                  (note_col, "部门变化", head)],
                 height=min(MAX_ROW_HEIGHT, max(30, 14.5 * longest + 10)))


def _placed_entries(diff: PlanDiff) -> tuple[dict[int, list[DiffEntry]], list[DiffEntry],
                                             dict[int, list[DiffEntry]]]:
    """The entries by new row, the removed ones, and where each removed one goes: after the new
    row matched to the nearest old task before it (-1: before every row)."""
    by_new: dict[int, list[DiffEntry]] = {}
    removed: list[DiffEntry] = []
    for e in diff.entries:
        if e.new is not None:
            by_new.setdefault(e.new.index, []).append(e)
        elif e.old is not None:
            removed.append(e)
    # A removed task goes after the new row matched to the nearest old task before it.
    paired = {i: j for i, j, _ in diff.pairs}
    after: dict[int, list[DiffEntry]] = {}
    for e in sorted(removed, key=lambda e: e.old.index if e.old else 0):
        k = (e.old.index if e.old else 0) - 1
        while k >= 0 and k not in paired:
            k -= 1
        after.setdefault(paired[k] if k >= 0 else -1, []).append(e)
    return by_new, removed, after


def _diff_styles(book) -> tuple[dict[str, Style], dict[str, Style], dict[str, Style]]:
    """The styles of 矩阵对比: plain cells, changed marks, removed rows."""
    looks = {name: book.style(name) for name in ("number", "text", "mark", "mark_inherited")}
    change = {k: book.style(_filled("mark", colour)) for k, colour in CHANGE_FILLS.items()}
    change["lost"] = book.style(_filled("mark", CHANGE_FILLS["lost"], strike=True,
                                        font_colour=_DARK_RED))
    change["succession_old"] = book.style(_filled("mark", CHANGE_FILLS["succession"],
                                                  strike=True))
    gone = {name: book.style(_filled(name, KIND_FILLS["removed"], strike=True,
                                     font_colour=_DARK_RED))
            for name in ("number", "text", "mark")}
    return looks, change, gone


def _changed_marks(row, entries: Sequence[DiffEntry], added: bool, column_of: dict[str, int],
                   looks: dict[str, Style], change: dict[str, Style]
                   ) -> dict[int, tuple[str, Style]]:
    """Column → (mark, style) of one new row: each department's role, coloured by what changed,
    and the departments it lost (struck through)."""
    gained = {d.department for e in entries for d in e.departments.gained}
    role = {c.department for e in entries for c in e.departments.role_changed}
    heirs = {s.new for e in entries for s in e.departments.succession}
    marks: dict[int, tuple[str, Style]] = {}
    for d, c in row.cells.items():
        if added or d in gained:
            style = change["gained"]
        elif d in role:
            style = change["role_changed"]
        elif d in heirs:
            style = change["succession"]
        else:
            style = looks["mark_inherited"] if c.inherited else looks["mark"]
        marks[column_of[d]] = (MARKS[c.role], style)
    for e in entries:
        for lost in e.departments.lost:
            if lost.department not in row.cells:
                marks.setdefault(column_of[lost.department],
                                 (MARKS[lost.role], change["lost"]))
        for s in e.departments.succession:
            if s.old not in row.cells and s.old in column_of:
                marks.setdefault(column_of[s.old],
                                 (MARKS[s.old_role], change["succession_old"]))
    return marks

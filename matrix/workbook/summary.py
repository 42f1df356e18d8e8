"""The 汇总 workbook of a round (``dutymatrix collect -o 汇总.xlsx``), and reading its hidden data
back for the next round (``--since``).

Sheets, in order:

* 进展汇总 — one block per task (编号, 重点任务, 完成时限 and the task's state merged over the
  block), one line per department on it, the lead first: 单位, 角色, 完成状态, 进展情况, 存在问题,
  下步计划, 来源文件, 本轮变化.
* 状态矩阵 — tasks × departments (busiest first), each cell the department's 完成状态 (未报
  where it holds the task and sent nothing) filled with its light (:mod:`matrix.round.lights`: green
  已完成, yellow 临期, red 逾期, none otherwise), the task's own light in 任务状态; the count of
  each status per department below, then a legend.
* 逾期 — tasks whose 完成时限 has passed as of the date and are not 已完成, with the departments
  not done and 连续逾期 (rounds in a row); then the 临期 tasks; below, every 完成时限 that could
  not be read.
* 未报送 — departments with tasks that sent nothing.
* 报送情况 — per department: tasks, reported on, done, late, 临期, its file, 联系人, 电话,
  报送日期 and 迟报 (days after the round's due date) or 未填日期; a bar chart of the first four
  counts.
* 新增事项 — rows departments added of their own, every cell as written.
* 任务文字修改 — task texts changed in a locked column: the plan's and the return's text.
* 其他填报内容 — every other cell a department wrote (outside the table, on other sheets).
* 收文登记 — every file given: taken (迟报 or 未填日期 marked), superseded, refused (with the
  reason) or unreadable.
* 超长文字 — a text too long for one cell (over :data:`LONG_TEXT` characters), in pieces; its
  cell elsewhere points here. Nothing is cut.
* 汇总数据 — hidden: statuses per task and department, late and done tasks and how many rounds
  each late task has been late, as JSON, for ``--since`` in the next round.

What a department wrote appears once: its texts in 进展汇总 (or 新增事项, 任务文字修改, 其他填报内容),
its 联系人/电话/报送日期 in 报送情况, its 报送单位 in 收文登记; a status also colours 状态矩阵.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING, Any

from .book import (GREY, LOOKS, NOT_XML, clean_text, make_font,
                   save_atomically)  # first: book imports openpyxl
from .page import Page, date_text, print_setup, stacked_height  # noqa: E402
from openpyxl.styles import PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from ..errors import MatrixInputError  # noqa: E402
from ..i18n import _  # noqa: E402
from ..round.lights import GREEN, LIGHT_FILLS, LIGHT_LABELS, RED, YELLOW  # noqa: E402
from .returns import properties  # noqa: E402
from .hidden import chunks  # noqa: E402

if TYPE_CHECKING:
    from ..round.records import Collection, PreviousRound

__all__ = ["SUMMARY_MAGIC", "SUMMARY_SHEETS", "read_previous", "write_summary"]

SUMMARY_SHEETS = ("进展汇总", "状态矩阵", "逾期", "未报送", "报送情况", "新增事项", "任务文字修改",
                  "其他填报内容", "收文登记", "超长文字", "汇总数据")
SUMMARY_MAGIC = '{"dutymatrix-summary":'
LONG_TEXT = 32_000  # characters: above this a text goes to 超长文字 in pieces
_PIECE = 16_000  # characters per piece: within Excel's 32,767 UTF-16 units for any text
STATUS_FILLS = {"已完成": "C6EFCE", "推进中": "DDEBF7", "未启动": "EDEDED", "滞后": "FFC7CE",
                "需协调": "FFEB9C"}
_OTHER_FILL = "E4DFEC"  # a status typed that is not one of the five
NOT_REPORTED = "未报"  # the department sent no return
NOT_FILLED = "未填"  # it sent one, with no status for this task
_STATE_LATE, _STATE_DONE, _STATE_OPEN, _STATE_SOON = "逾期", "已完成", "未完成", "临期"


class _Long:
    """Texts too long for a cell: each gets a number and its pieces go to 超长文字."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []  # (where it belongs, text)

    def cell(self, text: str, where: str) -> str:
        """``text``, or a pointer to 超长文字 when it is too long for one cell."""
        if len(text) <= LONG_TEXT:
            return NOT_XML.sub("", text)
        self.texts.append((where, text))
        return f"（内容超长，共{len(text)}字，全文见“超长文字”表第{len(self.texts)}项）"


def _look(fill: str | None = None, **font: Any) -> Any:
    """A boxed, centred cell (as the 合计 cells) in the body font, filled with ``fill``."""
    return replace(LOOKS["total"], font=make_font(**font),
                   fill=PatternFill("solid", fgColor=fill) if fill else None)


def write_summary(result: Collection, path: str | os.PathLike[str] | IO[bytes]) -> Path:
    """Write the 汇总 workbook of ``result`` to ``path`` (whole or not at all) and return it;
    ``path`` may be a binary stream (``book.save_atomically``)."""
    return save_atomically(path, SUMMARY_SHEETS, lambda book: _fill(book, result))


def _fill(book: Any, result: Collection) -> None:
    long = _Long()
    title = "任务落实情况汇总" + (f"（{result.round}）" if result.round else "")
    page = Page(result.plan_title or "", date_text(datetime.now()))
    properties(book, title)
    _progress(book, result, title, page, long)
    _matrix(book, result, page)
    _late(book, result, page)
    _missing(book, result, page)
    _counts(book, result, page)
    _added(book, result, page, long)
    _edits(book, result, page, long)
    _other(book, result, page, long)
    _received(book, result, page)
    _long(book, long, page)
    _data(book, result)


def _info(result: Collection) -> str:
    taken = sum(1 for r in result.received if r.outcome == "采用")
    parts = [f"方案：{result.plan_title or '（无标题）'}",
             f"截至：{result.as_of.year}年{result.as_of.month}月{result.as_of.day}日",
             f"应报单位{len(result.departments)}个，已报{taken}个，未报{len(result.missing)}个",
             f"逾期任务{len(result.late)}项", f"临期任务{len(result.due_soon)}项"]
    late_returns = sum(1 for r in result.received if r.late == "迟报")
    if result.due:
        parts.append(f"报送截止：{result.due}，迟报{late_returns}个")
    if result.since:
        parts.append(f"对比上轮：{Path(result.since).name}")
    return "　".join(parts)


def _progress(book: Any, result: Collection, title: str, page: Any, long: _Long) -> None:
    sheet = book.sheets["进展汇总"]
    ws = sheet.ws
    heads = ["序号", "编号", "重点任务", "完成时限", "任务状态", "单位", "角色", "完成状态",
             "进展情况", "存在问题", "下步计划", "来源文件", "本轮变化"]
    sheet.widths([5, 9, 20, 12, 9, 14, 8, 9, 40, 28, 28, 16, 14])
    ws.freeze_panes = "F4"
    print_setup(ws, landscape=True, wide=True, page=page)
    ws.print_title_rows = "3:3"
    sheet.banner(clean_text(title), "title", len(heads), height=26)
    sheet.banner(clean_text(_info(result)), "info", len(heads), height=18)
    sheet.text(*heads, style="head", height=22)
    number, text = book.style("number_box"), book.style("text_top")
    late = book.style(_look(LIGHT_FILLS[RED]))
    soon = book.style(_look(LIGHT_FILLS[YELLOW]))
    status_styles = _status_styles(book)
    for i, line in enumerate(result.tasks, 1):
        state = (_STATE_LATE if line.late else _STATE_DONE if line.done
                 else _STATE_SOON if line.light == YELLOW else _STATE_OPEN)
        if line.change:
            state += "（" + "、".join(line.change) + "）"
        first = sheet.rows + 1
        reports = line.reports or (None,)
        for k, r in enumerate(reports):
            task_cells = [(1, i, number), (2, clean_text(line.label), text),
                          (3, clean_text(line.title), text),
                          (4, clean_text(line.deadline.text) or None, text),
                          (5, state, late if line.late else soon if line.light == YELLOW
                           else text)] if k == 0 else [
                (c, None, text) for c in range(1, 6)]
            if r is None:
                sheet.append([*task_cells, (6, "（未列明责任单位）", text),
                              *((c, None, text) for c in range(7, 14))])
                continue
            where = f"进展汇总 {line.label} {r.department}"
            sheet.append([
                *task_cells, (6, clean_text(r.department), text),
                (7, r.role.label if r.role else "", text),
                (8, long.cell(r.status, where + " 完成状态") if r.status
                 else NOT_REPORTED if not r.file else None,
                 status_styles.get(r.status, status_styles[None]) if r.status or not r.file
                 else text),
                (9, long.cell(r.progress, where + " 进展情况") or None, text),
                (10, long.cell(r.problems, where + " 存在问题") or None, text),
                (11, long.cell(r.next_steps, where + " 下步计划") or None, text),
                (12, clean_text(r.file) or None, text), (13, r.change or None, text)])
        last = sheet.rows
        if last > first:
            from openpyxl.worksheet.cell_range import CellRange

            for c in range(1, 6):
                # Into the set itself: merged_cells.add first looks through every range added
                # before (4,000 tasks took 50 s); these blocks never overlap.
                ws.merged_cells.ranges.add(CellRange(min_col=c, min_row=first, max_col=c,
                                                     max_row=last))


def _status_styles(book: Any) -> dict[str | None, Any]:
    styles: dict[str | None, Any] = {s: book.style(_look(f)) for s, f in STATUS_FILLS.items()}
    styles[None] = book.style(_look(None, italic=True, color=GREY))  # 未报
    styles["*"] = book.style(_look(_OTHER_FILL))
    return _StatusStyles(styles)


class _StatusStyles(dict):
    def get(self, key: Any, default: Any = None) -> Any:  # a typed status of its own: "*"
        if key in self:
            return self[key]
        return self["*"] if key else default


def _matrix(book: Any, result: Collection, page: Any) -> None:
    sheet = book.sheets["状态矩阵"]
    ws = sheet.ws
    departments = list(result.departments)
    heads = ["序号", "编号", "重点任务", "完成时限", "任务状态", *departments]
    sheet.widths([5, 9, 24, 12, 7, *([5.5] * len(departments))])
    ws.freeze_panes = "F3"
    print_setup(ws, landscape=True, wide=len(departments) > 20, page=page)
    sheet.banner("任务完成状态矩阵", "title", min(len(heads), 12), height=26)
    head, vertical = book.style("head"), book.style("head_vertical")
    sheet.append([*((c, h, head) for c, h in enumerate(heads[:5], 1)),
                  *((c, clean_text(d), vertical) for c, d in enumerate(departments, 6))],
                 height=stacked_height(departments, least=60.0))
    styles = _status_styles(book)
    lights = {c: book.style(_look(f)) for c, f in LIGHT_FILLS.items()}
    plain = book.style(_look(None))
    number, text = book.style("number_box"), book.style("text_top")
    column = {d: c for c, d in enumerate(departments, 6)}
    tally: dict[str, dict[str, int]] = {}
    for i, line in enumerate(result.tasks, 1):
        cells = [(1, i, number), (2, clean_text(line.label), text),
                 (3, clean_text(line.title), text), (4, clean_text(line.deadline.text) or None, text),
                 (5, LIGHT_LABELS.get(line.light, _STATE_OPEN), lights.get(line.light, plain))]
        for r in sorted((r for r in line.reports if r.department in column),  # not leaders
                        key=lambda r: column[r.department]):
            word = r.status or (NOT_FILLED if r.file else NOT_REPORTED)
            tally.setdefault(word, {}).setdefault(r.department, 0)
            tally[word][r.department] += 1
            cells.append((column[r.department], clean_text(word) if len(word) < 200 else
                          clean_text(word[:200]),
                          lights.get(r.light) or (plain if r.status else styles[None])))
        sheet.append(cells, height=30)
    sheet.append([])
    total = book.style("total")
    for word in [*STATUS_FILLS, *sorted(w for w in tally if w not in STATUS_FILLS)]:
        counts = tally.get(word, {})
        sheet.append([(1, None, total), (2, None, total),
                      (3, f"{word}（项）" if len(word) < 50 else "其他（项）", total),
                      (4, None, total), (5, None, total),
                      *((column[d], counts.get(d, 0), total) for d in departments)])
    sheet.append([])
    sheet.append([(3, "图例", book.style("head")),
                  *((c, label, lights[colour]) for c, (colour, label) in enumerate(
                      ((GREEN, "已完成"), (YELLOW, f"临期（{result.warn_days}天内到期）"),
                       (RED, "逾期")), 4)),
                  (7, "无色：未到期或无具体日期", plain)])


def _due_cells(i: int, line: Any, days: Any, number: Any, text: Any) -> list:
    """A row of the 逾期 or 临期 table: number, label, title, 完成时限, the day it is due, ``days``
    (late by, or left) and the departments that have not finished it, with their status."""
    due = line.deadline.due
    behind = "、".join(f"{r.department}（{(r.status or NOT_REPORTED)[:20]}）"
                      for r in line.reports if r.status != "已完成")
    return [(1, i, number), (2, clean_text(line.label), text), (3, clean_text(line.title), text),
            (4, clean_text(line.deadline.text), text), (5, due.isoformat() if due else None, text),
            (6, days(due) if due else None, number), (7, clean_text(behind) or None, text)]


def _late(book: Any, result: Collection, page: Any) -> None:
    sheet = book.sheets["逾期"]
    ws = sheet.ws
    heads = ["序号", "编号", "重点任务", "完成时限", "到期日", "逾期天数", "未完成单位（状态）", "本轮变化",
             "连续逾期"]
    sheet.widths([5, 9, 26, 14, 11, 8, 50, 12, 9])
    print_setup(ws, landscape=True, page=page)
    ws.freeze_panes = "A3"
    as_of = result.as_of
    sheet.banner(f"逾期未完成任务（截至{as_of.year}年{as_of.month}月{as_of.day}日）", "title",
                 len(heads), height=26)
    sheet.text(*heads, style="head", height=22)
    number, text = book.style("number_box"), book.style("text_top")
    for i, line in enumerate(result.late, 1):
        sheet.append(_due_cells(i, line, lambda due: (as_of - due).days, number, text) + [
            (8, "、".join(line.change) or None, text),
            (9, f"{line.overdue_rounds}轮" if line.overdue_rounds > 1 else None, text)])
    if not result.late:
        sheet.text(None, "无逾期任务")
    sheet.append([])
    sheet.banner(f"临期任务（{result.warn_days}天内到期、尚未完成）", "notice", len(heads), height=20)
    sheet.text("序号", "编号", "重点任务", "完成时限", "到期日", "剩余天数", "未完成单位（状态）",
               style="head")
    for i, line in enumerate(result.due_soon, 1):
        sheet.append(_due_cells(i, line, lambda due: (due - as_of).days, number, text))
    if not result.due_soon:
        sheet.text(None, "无临期任务")
    sheet.append([])
    sheet.banner("未能识别的完成时限（未计入逾期，请人工核对）", "notice", len(heads), height=20)
    sheet.text("序号", "编号", "完成时限", "原因", style="head")
    labels = {t.task_id: t.label for t in result.tasks}
    for i, (task_id, deadline, reason) in enumerate(result.unread_deadlines, 1):
        sheet.append([(1, i, number), (2, clean_text(labels.get(task_id, task_id)), text),
                      (3, clean_text(deadline), text), (4, clean_text(reason), text)])
    if not result.unread_deadlines:
        sheet.text(None, "无")


def _missing(book: Any, result: Collection, page: Any) -> None:
    sheet = book.sheets["未报送"]
    heads = ["序号", "单位", "任务数", "其中逾期"]
    sheet.widths([5, 30, 8, 8])
    print_setup(sheet.ws, landscape=False, page=page)
    sheet.banner("未报送单位", "title", len(heads), height=26)
    sheet.text(*heads, style="head", height=22)
    number, text = book.style("number_box"), book.style("text_top")
    counts = {c.department: c for c in result.counts}
    for i, department in enumerate(result.missing, 1):
        c = counts[department]
        sheet.append([(1, i, number), (2, clean_text(department), text), (3, c.tasks, number),
                      (4, c.late, number)])
    if not result.missing:
        sheet.text(None, "各单位均已报送")


def _counts(book: Any, result: Collection, page: Any) -> None:
    sheet = book.sheets["报送情况"]
    ws = sheet.ws
    heads = ["单位", "任务数", "已报送", "已完成", "逾期", "临期", "报送文件", "联系人", "电话",
             "报送日期", "迟报"]
    sheet.widths([22, 7, 7, 7, 7, 7, 20, 10, 14, 12, 12])
    ws.freeze_panes = "A2"
    print_setup(ws, landscape=True, page=page)
    ws.auto_filter.ref = f"A1:K{len(result.counts) + 1}"
    sheet.text(*heads, style="head", height=22)
    number, text = book.style("number_box"), book.style("text_top")
    for c in result.counts:
        sheet.append([(1, clean_text(c.department), text),
                      *((k, n, number) for k, n in enumerate((c.tasks, c.returned, c.done,
                                                              c.late, c.due_soon), 2)),
                      *((k, clean_text(v) or None, text) for k, v in enumerate(
                          (c.file or "未报送", c.contact, c.phone, c.date,
                           _lateness(c.returned_late, c.days_late)), 7))])
    if result.counts:
        ws.add_chart(_chart(ws, len(result.counts)), "M2")


def _lateness(late: str, days: int | None) -> str:
    """迟报3天 / 未填日期 / ""."""
    return f"{late}{days}天" if late and days else late


def _chart(ws: Any, rows: int) -> Any:
    from openpyxl.chart import BarChart, Reference

    shown = min(rows, 30)
    chart = BarChart()
    chart.type, chart.gapWidth = "bar", 40
    chart.title = "各单位报送情况" + (f"（前{shown}个单位）" if shown < rows else "")
    chart.add_data(Reference(ws, min_col=2, max_col=5, min_row=1, max_row=shown + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=shown + 1))
    for series, colour in zip(chart.series, ("A6A6A6", "4F81BD", "9BBB59", "C0504D")):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.tickLblSkip = 1
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    chart.legend.position = "b"
    chart.width, chart.height = 16, min(20.0, 0.6 * shown + 4)
    return chart


def _list(book: Any, name: str, title: str, heads: Sequence[str], widths: Sequence[float],
          page: Any) -> Any:
    sheet = book.sheets[name]
    sheet.widths(widths)
    print_setup(sheet.ws, landscape=True, page=page)
    sheet.ws.freeze_panes = "A3"
    sheet.banner(title, "title", len(heads), height=26)
    sheet.text(*heads, style="head", height=22)
    return sheet


_ADDED_HEADS = ("序号", "章节", "编号", "重点任务", "任务内容", "本单位角色", "牵头单位", "其他单位",
                "完成时限", "完成状态", "进展情况", "存在问题", "下步计划")


def _added(book: Any, result: Collection, page: Any, long: _Long) -> None:
    heads = ["单位", "来源文件", "行", *(f"填写的{h}" if h == "序号" else h for h in _ADDED_HEADS),
             "说明"]
    sheet = _list(book, "新增事项", "各单位新增事项（报送表中自行增加的行）", heads,
                  [14, 16, 5, 6, 10, 8, 16, 30, 8, 10, 10, 10, 9, 30, 20, 20, 16], page)
    text, number = book.style("text_top"), book.style("number_box")
    for a in result.added:
        where = f"新增事项 {a.department} 第{a.row}行"
        sheet.append([(1, clean_text(a.department), text), (2, clean_text(a.file), text),
                      (3, a.row, number),
                      *((c, long.cell(a.cells.get(h, ""), f"{where} {h}") or None, text)
                        for c, h in enumerate(_ADDED_HEADS, 4)),
                      (4 + len(_ADDED_HEADS), clean_text(a.note) or None, text)])
    if not result.added:
        sheet.text("无")


def _edits(book: Any, result: Collection, page: Any, long: _Long) -> None:
    heads = ["单位", "来源文件", "任务", "列", "单元格", "方案原文", "报送表中的文字"]
    sheet = _list(book, "任务文字修改", "报送表中被修改的任务信息（锁定列）", heads,
                  [14, 16, 10, 10, 7, 40, 40], page)
    text = book.style("text_top")
    for e in result.edits:
        where = f"任务文字修改 {e.department} {e.cell}"
        sheet.append([(c, v, text) for c, v in enumerate(
            (clean_text(e.department), clean_text(e.file), clean_text(e.task_id),
             e.column, e.cell, long.cell(e.plan_text, where + " 方案原文") or None,
             long.cell(e.return_text, where) or "（已清空）"), 1)])
    if not result.edits:
        sheet.text("无")


def _other(book: Any, result: Collection, page: Any, long: _Long) -> None:
    heads = ["单位", "来源文件", "单元格", "内容"]
    sheet = _list(book, "其他填报内容", "报送表中表格以外填写的内容", heads, [14, 16, 16, 60], page)
    text = book.style("text_top")
    for department, file, cell, value in result.other:
        sheet.append([(1, clean_text(department), text), (2, clean_text(file), text),
                      (3, clean_text(cell), text),
                      (4, long.cell(value, f"其他填报内容 {department} {cell}"), text)])
    if not result.other:
        sheet.text("无")


def _received(book: Any, result: Collection, page: Any) -> None:
    heads = ["序号", "文件", "处理结果", "单位", "轮次", "保存时间", "保存软件", "识别方式", "填写的报送单位",
             "说明", "迟报"]
    sheet = _list(book, "收文登记", "收文登记", heads,
                  [5, 30, 9, 14, 14, 18, 16, 9, 14, 50, 10], page)
    text, number = book.style("text_top"), book.style("number_box")
    refused = book.style(_look("FFC7CE"))
    for i, r in enumerate(result.received, 1):
        unit = r.header.get("报送单位", "") if r.outcome == "采用" else ""
        # A 汇总 is sent out: a file by its name, never the folder it lay in on this machine.
        name = PurePath(r.path).name
        reason = r.reason.replace(str(r.path), name) if r.reason else r.reason
        sheet.append([(1, i, number), (2, clean_text(name), text),
                      (3, r.outcome, text if r.outcome in ("采用", "被替代") else refused),
                      *((c, clean_text(v) if v else None, text) for c, v in enumerate(
                          (r.department, r.round, r.saved_at, r.application, r.matched_by,
                           unit, reason, _lateness(r.late, r.days_late)), 4))])


def _long(book: Any, long: _Long, page: Any) -> None:
    sheet = _list(book, "超长文字", "超长文字（分段保存，按顺序连起来即为全文）",
                  ["项", "出处", "段", "内容"], [5, 30, 5, 100], page)
    sheet.fit = False
    text, number = book.style("text_top"), book.style("number_box")
    for i, (where, value) in enumerate(long.texts, 1):
        value = NOT_XML.sub("", value)
        for k in range(0, len(value), _PIECE):
            sheet.append([(1, i, number), (2, clean_text(where), text),
                          (3, k // _PIECE + 1, number), (4, value[k:k + _PIECE], text)])
    if not long.texts:
        sheet.text("无")


def _data(book: Any, result: Collection) -> None:
    sheet = book.sheets["汇总数据"]
    sheet.ws.sheet_state = "hidden"
    sheet.fit = False
    data = {"dutymatrix-summary": 1, "plan": result.plan_sha256, "round": result.round,
            "as_of": result.as_of.isoformat(),
            "statuses": [[t.task_id, r.department, r.status] for t in result.tasks
                         for r in t.reports],
            "late": [t.task_id for t in result.tasks if t.late],
            "done": [t.task_id for t in result.tasks if t.done],
            "overdue_rounds": {t.task_id: t.overdue_rounds for t in result.tasks if t.late}}
    text = NOT_XML.sub("", json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    for chunk in chunks(text):
        sheet.text(chunk)


def read_previous(path: str | os.PathLike[str]) -> PreviousRound:
    """The statuses a previous 汇总 recorded (its hidden 汇总数据), for ``collect --since``.

    Raises :class:`~matrix.errors.MatrixInputError` when it is not a 汇总 written by dutymatrix.
    """
    from ..round.records import PreviousRound
    from .returns import read_cells

    book = read_cells(path)
    for sheet in book.sheets:
        if sheet.cells.get((1, 1), "").startswith(SUMMARY_MAGIC):
            rows = sorted(r for (r, c) in sheet.cells if c == 1)
            try:
                data = json.loads("".join(sheet.cells[(r, 1)] for r in rows))
                statuses = {(str(t), str(d)): str(s) for t, d, s in data["statuses"]}
                rounds = {str(t): int(n) for t, n in (data.get("overdue_rounds") or {}).items()}
                return PreviousRound(str(data["plan"]), data.get("round"), data.get("as_of"),
                                     statuses, frozenset(map(str, data["late"])),
                                     frozenset(map(str, data["done"])), str(path), rounds)
            except (ValueError, KeyError, TypeError, RecursionError) as e:
                raise MatrixInputError(_("{path}: the 汇总's hidden data is damaged ({error})")
                                       .format(path=path, error=e)) from None
    raise MatrixInputError(_("{path}: not a 汇总 written by dutymatrix collect (no 汇总数据 "
                             "sheet)").format(path=path))

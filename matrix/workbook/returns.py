"""The department return form (报送表) of a 下发 round: written by ``dispatch``, read back by
``collect``.

Written (:func:`write_return_form`), sheets in order:

* 报送表 — row 1 the title, row 2 the plan, round and due date, row 3 the header block
  (报送单位, 联系人, 电话, 报送日期: cells to fill), row 4 the column heads, then one row per
  task: 序号 | 章节 | 编号 | 重点任务 | 任务内容 | 本单位角色 | 牵头单位 | 其他单位 | 完成时限 (the
  ``filter --split-by-dept`` list, locked) | 完成状态 (a drop-down: 已完成 推进中 未启动 滞后 需协调)
  | 进展情况 | 存在问题 | 下步计划 (to fill) | 任务标识 (hidden, locked). Below the tasks,
  :data:`BLANK_ROWS` open rows for work the department adds of its own (新增事项). The sheet
  is protected without a password: only the cells to fill take input.
* 填报说明 — how to fill it in.
* 填报标识 — hidden: the :class:`~matrix.round.records.Stamp` as JSON in column A (split over cells
  when long), so that a return is recognised whatever its file is called.

Read (:func:`read_return`): a return is untrusted. The package passes the zip and size checks
of :mod:`matrix.workbook.untrusted` before any XML is read; the XML is then read with lxml, entities never
expanded, no network. Cells are read as text: a formula as its text (=SUM(…), never
evaluated), a hyperlink as its text and its target, a number as written. Columns are found by
their heads, so a re-saved or re-arranged return still reads; every non-empty cell that is not
a task row, the header block or dutymatrix's own text is kept in ``other``, so that nothing a
department wrote is lost.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .book import LOOKS, Book, clean_text, save_atomically  # first: book imports openpyxl
from .page import Page, date_text, print_setup, task_section_text  # noqa: E402
from openpyxl.styles import PatternFill, Protection  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.worksheet.datavalidation import DataValidation  # noqa: E402

from .. import __version__  # noqa: E402
from ..errors import MatrixInputError  # noqa: E402
from ..i18n import N_, _  # noqa: E402
from .hidden import chunks  # noqa: E402
from .untrusted import check_package  # noqa: E402

if TYPE_CHECKING:
    from ..round.records import DepartmentList, Stamp

__all__ = ["BLANK_ROWS", "FORM_SHEET", "HEADER_FIELDS", "RETURN_HEADS", "STATUSES",
           "ReturnFile", "ReturnRow", "WorkbookCells", "read_cells", "read_return",
           "write_return_form"]

FORM_SHEET = "报送表"
GUIDE_SHEET = "填报说明"
STAMP_SHEET = "填报标识"
STATUSES = ("已完成", "推进中", "未启动", "滞后", "需协调")
TASK_HEADS = ("序号", "章节", "编号", "重点任务", "任务内容", "本单位角色", "牵头单位", "其他单位",
              "完成时限")
RETURN_HEADS = ("完成状态", "进展情况", "存在问题", "下步计划")
ID_HEAD = "任务标识"
HEADER_FIELDS = ("报送单位", "联系人", "电话", "报送日期")
BLANK_ROWS = 15  # open rows below the tasks for 新增事项
_WIDTHS = (5, 12, 9, 16, 40, 10, 12, 16, 10, 10, 36, 24, 24, 12)
_HEAD_ROW = 4
# Header block: (label column, input column, last input column) per field, on row 3.
_HEADER_CELLS = ((2, 3, 4), (6, 7, 7), (8, 9, 9), (10, 11, 11))
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")  # where to write: pale yellow
GUIDE = (
    "填报说明",
    "1. 本表由督查室下发，请在黄色单元格填写：报送单位、联系人、电话、报送日期，以及每项任务的"
    "完成状态、进展情况、存在问题、下步计划。",
    "2. 完成状态请从下拉列表选择：已完成、推进中、未启动、滞后、需协调。",
    "3. 任务信息（序号至完成时限）已锁定，请勿修改；如任务表述有误，请在“存在问题”栏说明。",
    "4. 本单位自行开展的方案外工作，请填在任务下方的空行（新增事项），写明事项和进展。",
    "5. 请勿删除、重命名本表的工作表；文件名可以修改，不影响汇总。",
    "6. 填写的公式和链接按文字收录，不计算；内容较长时请直接填写，不要截断。",
    "7. 请按报送截止日期前报送；同一单位多次报送的，以最后保存的一份为准。",
)
# Lines of the guide as forms sent out by earlier versions word them: still ours, not written
# by the department, when such a form comes back.
_EARLIER_GUIDE = frozenset({"4. 本单位自行开展的计划外工作，请填在任务下方的空行（新增事项），写明事项和进展。"})


# --------------------------------------------------------------------------- writing


def _input_style(book: Book) -> Any:
    """The cells to fill: pale yellow, open on the protected sheet."""
    return book.style(replace(LOOKS["text_top"], fill=_INPUT_FILL,
                              protection=Protection(locked=False)))


def properties(book: Book, title: str) -> None:
    """The workbook's title and creator (what Excel and WPS show under 属性)."""
    props = book.wb.properties
    props.title = clean_text(title)
    props.creator = f"dutymatrix {__version__}"


def write_return_form(item: DepartmentList, path: str | os.PathLike[str]) -> Path:
    """Write the return form of one department (:class:`~matrix.round.records.DepartmentList` with
    its stamp) to ``path`` and return the path; written whole or not at all."""
    return save_atomically(path, (FORM_SHEET, GUIDE_SHEET, STAMP_SHEET),
                               lambda book: _fill_form(book, item))


def form_values(hit: Any, shared: dict[str, str] | None = None) -> dict[str, str]:
    """The task columns 章节 … 完成时限 of a hit's row, as the form writes them.

    ``shared`` caches what every department's row of the task shows alike (pass the same dict
    for one task's hits): a plan of 50 tasks × 100 departments computes them 50 times, not 5,000.
    """
    from ..records import Role
    from ..filter.formats import SEPARATOR, role_text

    task = hit.task
    if not shared:
        leads = [d for d, role in task.roles().items() if role is Role.lead]
        shared = shared if shared is not None else {}
        shared.update({"章节": task_section_text(task), "编号": clean_text(task.label),
                       "重点任务": clean_text(task.title), "任务内容": clean_text(task.text),
                       "牵头单位": clean_text(SEPARATOR.join(leads)),
                       "完成时限": clean_text(task.deadline or "")})
    leads = shared["牵头单位"].split(SEPARATOR) if shared["牵头单位"] else []
    others = [d for d in hit.others if d not in leads]
    return {"章节": shared["章节"], "编号": shared["编号"], "重点任务": shared["重点任务"],
            "任务内容": shared["任务内容"], "本单位角色": clean_text(role_text(hit)),
            "牵头单位": shared["牵头单位"], "其他单位": clean_text(SEPARATOR.join(others)),
            "完成时限": shared["完成时限"]}


def _fill_form(book: Any, item: DepartmentList) -> None:
    stamp = item.stamp
    assert stamp is not None
    sheet = book.sheets[FORM_SHEET]
    ws = sheet.ws
    heads = (*TASK_HEADS, *RETURN_HEADS, ID_HEAD)
    sheet.widths(_WIDTHS, hidden=(len(heads),))
    title = item.department + ("分管任务落实情况报送表" if stamp.kind == "leader"
                               else "任务落实情况报送表")
    round_text = f"（{stamp.round}）" if stamp.round else ""
    ws.freeze_panes = f"A{_HEAD_ROW + 1}"
    print_setup(ws, landscape=True, wide=True, centre=item.department,
                    page=Page(stamp.plan_title or "", date_text(datetime.now())))
    ws.print_title_rows = f"{_HEAD_ROW}:{_HEAD_ROW}"
    properties(book, title + round_text)
    last_column = len(heads) - 1
    sheet.banner(clean_text(title + round_text), "title", last_column, height=26)
    info = [f"方案：{stamp.plan_title or '（无标题）'}"]
    if stamp.round:
        info.append(f"报送轮次：{stamp.round}")
    if stamp.due:
        info.append(f"报送截止：{stamp.due}")
    info.append("黄色单元格为填报内容；方案外新增事项请填在表格下方空行")
    sheet.banner(clean_text("　".join(info)), "info", last_column, height=18)
    label, entry = book.style("key"), _input_style(book)
    cells = []
    for name, (at, first, last) in zip(HEADER_FIELDS, _HEADER_CELLS):
        cells += [(at, f"{name}：", label), *((c, None, entry) for c in range(first, last + 1))]
    row = sheet.append(cells, height=22)
    ws.merged_cells.add(f"C{row}:D{row}")
    sheet.text(*heads, style="head", height=30)
    number, text = book.style("number_box"), book.style("text_top")
    for i, (hit, task_id) in enumerate(zip(item.hits, item.ids), 1):
        values = list(form_values(hit).values())
        sheet.append([(1, i, number),
                      *((c, clean_text(v) or None, text) for c, v in enumerate(values, 2)),
                      *((c, None, entry) for c in range(10, 14)),
                      (14, task_id, text)])
    first_task = _HEAD_ROW + 1
    last_task = _HEAD_ROW + len(item.hits)
    for _ in range(BLANK_ROWS):  # 新增事项: every column open but 序号 and 任务标识
        sheet.append([(1, None, number), *((c, None, entry) for c in range(2, 14))], height=30)
    last_row = last_task + BLANK_ROWS
    status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"',
                            allow_blank=True, showErrorMessage=True, showInputMessage=True,
                            errorTitle="完成状态", error="请从下拉列表中选择：" + "、".join(STATUSES),
                            promptTitle="完成状态", prompt="请选择：" + "、".join(STATUSES))
    status.add(f"J{first_task}:J{last_row}")
    ws.data_validations.append(status)
    _protect(ws)
    _guide_sheet(book.sheets[GUIDE_SHEET], stamp)
    stamp_sheet = book.sheets[STAMP_SHEET]
    stamp_sheet.ws.sheet_state = "hidden"
    stamp_sheet.widths([60])
    stamp_sheet.fit = False
    for chunk in chunks(stamp.to_text()):
        stamp_sheet.text(chunk)
    _protect(stamp_sheet.ws)


def _protect(ws: Any) -> None:
    """Protection without a password: locked cells refuse input, the rest is open."""
    p = ws.protection
    p.sheet = True
    p.formatColumns = p.formatRows = False  # widths and heights may still change
    p.insertRows = False  # a department may insert rows of its own
    p.autoFilter = p.sort = True


def _guide_sheet(sheet: Any, stamp: Stamp) -> None:
    sheet.widths([100])
    sheet.text(GUIDE[0], style="title", height=24)
    for line in GUIDE[1:]:
        sheet.text(line, style="value")
    if stamp.due:
        sheet.text(f"报送截止日期：{stamp.due}", style="value")
    _protect(sheet.ws)


# --------------------------------------------------------------------------- reading

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_T = f"{_NS}t"
_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})$")
_SEARCH_ROWS = 30  # rows searched for the head row of 报送表


@dataclass(frozen=True, slots=True)
class SheetCells:
    """One sheet's non-empty cells as text, keyed by (row, column), 1-based."""

    name: str
    state: str  # visible, hidden, veryHidden
    cells: dict[tuple[int, int], str]


@dataclass(frozen=True, slots=True)
class WorkbookCells:
    """Every sheet of a workbook as text, and who saved it when (from docProps)."""

    path: Path
    sheets: tuple[SheetCells, ...]
    saved_at: datetime | None  # dcterms:modified, else the file's mtime
    application: str | None  # docProps/app.xml: Microsoft Excel, LibreOffice, WPS …


def _parse(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True, remove_comments=True)
    root = etree.fromstring(data, parser)
    if root.getroottree().docinfo.internalDTD is not None:
        # Excel, WPS and LibreOffice never write one; entities are never expanded anyway.
        raise _Refused(N_("its XML declares a DTD (entities): refused unread"))
    return root


class _Refused(Exception):
    """A part of a return we will not read (turned into a MatrixInputError naming the file)."""


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _number(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return text


def _joined(node: Any) -> str:
    """The text of an ``<si>`` or ``<is>``: its runs, without phonetic (rPh) runs."""
    if len(node) == 1 and node[0].tag == _T:  # plain text: the usual case
        return node[0].text or ""
    parts = []
    for t in node.iter(f"{_NS}t"):
        parent = t.getparent()
        if parent is not None and parent.tag == f"{_NS}rPh":
            continue
        parts.append(t.text or "")
    return "".join(parts)


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = base.split("/")[:-1]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _rels(zf: zipfile.ZipFile, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
    """rId → (target, mode) of a part's relationships."""
    folder, _, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in names:
        return {}
    out = {}
    for rel in _parse(zf.read(rels)).iter(f"{_PKG_REL}Relationship"):
        out[rel.get("Id", "")] = (rel.get("Target", ""), rel.get("TargetMode", ""))
    return out


def read_cells(path: str | os.PathLike[str]) -> WorkbookCells:
    """Every non-empty cell of an untrusted workbook as text (see the module docstring).

    Raises :class:`~matrix.errors.MatrixInputError` naming the file when it is not an .xlsx,
    is over the limits, or cannot be read.
    """
    path = Path(path)
    package = check_package(path)  # before any XML is read
    try:
        with zipfile.ZipFile(path) as zf:
            return _read_cells(path, zf, package.names)
    except MatrixInputError:
        raise
    except _Refused as e:
        raise MatrixInputError(_("{path}: refused: {reason}").format(
            path=path, reason=_(str(e)))) from None
    except OSError as e:
        from ..errors import unreadable

        raise unreadable(path, e, "workbook") from None
    except Exception as e:  # damaged XML, odd parts: one line, never a traceback
        raise MatrixInputError(_("{path}: cannot read the workbook: {error}").format(
            path=path, error=str(e) or type(e).__name__)) from None


def _read_cells(path: Path, zf: zipfile.ZipFile, names: set[str]) -> WorkbookCells:
    book = _parse(zf.read("xl/workbook.xml"))
    rels = _rels(zf, "xl/workbook.xml", names)
    strings: list[str] = []
    shared = next((_target("xl/workbook.xml", t) for t, _ in rels.values()
                   if t.endswith("sharedStrings.xml")), "xl/sharedStrings.xml")
    if shared in names:
        strings = [_joined(si) for si in _parse(zf.read(shared)).iter(f"{_NS}si")]
    sheets = []
    for node in book.iter(f"{_NS}sheet"):
        target = rels.get(node.get(f"{_REL_NS}id", ""), ("", ""))[0]
        part = _target("xl/workbook.xml", target)
        if part not in names:
            continue
        sheets.append(SheetCells(node.get("name", ""), node.get("state", "visible"),
                                 _sheet_cells(zf, part, names, strings)))
    saved_at = application = None
    if "docProps/core.xml" in names:
        for el in _parse(zf.read("docProps/core.xml")).iter():
            if isinstance(el.tag, str) and el.tag.endswith("}modified") and el.text:
                try:
                    saved_at = datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
                except ValueError:
                    pass
    if "docProps/app.xml" in names:
        for el in _parse(zf.read("docProps/app.xml")).iter():
            if isinstance(el.tag, str) and el.tag.endswith("}Application") and el.text:
                application = el.text.strip()
    if saved_at is None:
        saved_at = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    elif saved_at.tzinfo is None:
        saved_at = saved_at.replace(tzinfo=timezone.utc)
    return WorkbookCells(path, tuple(sheets), saved_at, application)


_C, _F, _V, _IS = f"{_NS}c", f"{_NS}f", f"{_NS}v", f"{_NS}is"


def _sheet_cells(zf: zipfile.ZipFile, part: str, names: set[str],
                 strings: list[str]) -> dict[tuple[int, int], str]:
    root = _parse(zf.read(part))
    cells: dict[tuple[int, int], str] = {}
    row_no = 0
    for row in root.iter(f"{_NS}row"):
        r = row.get("r")
        row_no = int(r) if r else row_no + 1
        col_no = 0
        for c in row:
            if c.tag != _C:
                continue
            m = _REF.match(c.get("r") or "")
            col_no = _column(m.group(1)) if m else col_no + 1
            if not len(c):  # an empty cell that only carries a style
                continue
            f = v = inline = None
            for child in c:
                tag = child.tag
                if tag == _V:
                    v = child
                elif tag == _F:
                    f = child
                elif tag == _IS:
                    inline = child
            kind = c.get("t", "n")
            if f is not None and f.text:
                text = "=" + f.text  # a formula is kept as its text, never evaluated
            elif kind == "inlineStr":
                text = _joined(inline) if inline is not None else ""
            elif v is None or v.text is None:
                continue
            elif kind == "s":
                i = int(v.text)
                text = strings[i] if 0 <= i < len(strings) else ""
            elif kind == "b":
                text = "TRUE" if v.text.strip() == "1" else "FALSE"
            elif kind in ("str", "e"):
                text = v.text
            else:
                text = _number(v.text)
            if text != "":
                cells[(row_no, col_no)] = text
    links = root.find(f"{_NS}hyperlinks")
    if links is not None:
        rels = _rels(zf, part, names)
        for link in links.iter(f"{_NS}hyperlink"):
            m = _REF.match((link.get("ref") or "").split(":")[0])
            if not m:
                continue
            key = (int(m.group(2)), _column(m.group(1)))
            target = rels.get(link.get(f"{_REL_NS}id", ""), ("", ""))[0]
            if link.get("location"):
                target = (target + "#" if target else "#") + link.get("location")
            if not target:
                continue
            shown = cells.get(key, "")
            if target not in shown:  # kept as text: what it shows and where it points
                cells[key] = f"{shown}（链接：{target}）" if shown else target
    return cells


@dataclass(frozen=True, slots=True)
class ReturnRow:
    """One row of a return's table: a task row (``task_id``) or a row the department added."""

    row: int  # 1-based row of the sheet
    task_id: str | None
    task: dict[str, str]  # the task columns as the return holds them (序号 … 完成时限)
    values: dict[str, str]  # 完成状态 进展情况 存在问题 下步计划: non-empty only
    refs: dict[str, str]  # column head → the cell reference it was read from


@dataclass(frozen=True, slots=True)
class ReturnFile:
    """A return as read: its stamp (``None`` when gone), saved time, header block and rows."""

    path: Path
    stamp: Stamp | None
    stamp_note: str | None  # why there is no stamp: 标识缺失 / 标识已损坏
    saved_at: datetime | None
    application: str | None
    header: dict[str, str]  # 报送单位 联系人 电话 报送日期 → what was written (non-empty only)
    header_cells: dict[str, str]  # 报送单位 … → the cell it was read from
    rows: tuple[ReturnRow, ...]
    other: tuple[tuple[str, str], ...]  # (工作表!单元格, text): every other cell it wrote


def _ref(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def read_return(path: str | os.PathLike[str]) -> ReturnFile:
    """Read one return form (module docstring). Raises
    :class:`~matrix.errors.MatrixInputError` for a file that is not a readable return."""
    from ..round.records import STAMP_MAGIC, Stamp

    book = read_cells(path)
    path = book.path
    stamp = None
    note = "标识缺失"
    form = None
    for sheet in book.sheets:
        first = sheet.cells.get((1, 1), "")
        if first.startswith(STAMP_MAGIC):
            rows = sorted(r for (r, c) in sheet.cells if c == 1)
            text = "".join(sheet.cells[(r, 1)] for r in rows)
            stamp = Stamp.from_text(text)
            note = None if stamp is not None else "标识已损坏"
        elif form is None and _head_row(sheet) is not None:
            form = sheet
    if form is None:
        raise MatrixInputError(_("{path}: not a return form: no sheet has the heads "
                                 "{heads}").format(path=path, heads="、".join(RETURN_HEADS)))
    head = _head_row(form)
    assert head is not None
    columns: dict[str, int] = {}
    for (r, c), text in form.cells.items():
        if r == head and text.strip() in (*TASK_HEADS, *RETURN_HEADS, ID_HEAD):
            columns.setdefault(text.strip(), c)
    header, header_cells, taken, label_row = _header(form, head)
    other: list[tuple[str, str]] = []
    rows: dict[int, dict[tuple[int, int], str]] = {}
    for (r, c), text in sorted(form.cells.items()):
        if r < head:
            # Our title and info lines are the A cells above the labels.
            if (r, c) not in taken and not (r < label_row and c == 1):
                other.append((f"{form.name}!{_ref(r, c)}", text))
        elif r > head:
            rows.setdefault(r, {})[(r, c)] = text
        elif columns.get(text.strip()) != c:  # a head of its own (or one repeated)
            other.append((f"{form.name}!{_ref(r, c)}", text))
    table = _table_rows(form.name, rows, {c: name for name, c in columns.items()}, other)
    for sheet in book.sheets:
        if sheet is form or sheet.cells.get((1, 1), "").startswith(STAMP_MAGIC):
            continue
        ours = sheet.name == GUIDE_SHEET  # our guide: only what was added to it counts
        for (r, c), text in sorted(sheet.cells.items()):
            if ours and (text in GUIDE or text in _EARLIER_GUIDE
                         or text.startswith("报送截止日期：")):
                continue
            other.append((f"{sheet.name}!{_ref(r, c)}", text))
    if "报送日期" in header:
        header["报送日期"] = _as_date(header["报送日期"])
    return ReturnFile(path, stamp, note, book.saved_at, book.application, header,
                      header_cells, tuple(table), tuple(other))


def _header(form: SheetCells, head: int):
    """The header fields above the head row (报送单位 …: the first cell after each label):
    field → text, field → cell, the cells taken by labels and values, the first label row."""
    labels = {}
    for (r, c), text in form.cells.items():
        if r < head and text.strip().rstrip("：:") in HEADER_FIELDS:
            labels[(r, c)] = text.strip().rstrip("：:")
    header, header_cells, taken = {}, {}, set(labels)
    for (r, c), name in labels.items():
        for k in range(c + 1, c + 4):
            if (r, k) in labels:
                break
            if (r, k) in form.cells:
                header[name] = form.cells[(r, k)]
                header_cells[name] = _ref(r, k)
                taken.add((r, k))
                break
    return header, header_cells, taken, min((r for r, _ in labels), default=head)


def _table_rows(sheet: str, rows: dict[int, dict[tuple[int, int], str]],
                by_column: dict[int, str], other: list[tuple[str, str]]) -> list[ReturnRow]:
    """The task rows below the head row, each cell under its head; a cell under no head goes
    to ``other``."""
    table = []
    for r, cells in rows.items():
        task, values, refs = {}, {}, {}
        task_id = None
        for (_row, c), text in cells.items():
            name = by_column.get(c)
            if name is None:
                other.append((f"{sheet}!{_ref(r, c)}", text))
                continue
            if name == ID_HEAD:
                task_id = text.strip() or None
                continue
            refs[name] = _ref(r, c)
            if name in RETURN_HEADS:
                values[name] = text
            else:
                task[name] = text
        if task or values or task_id:
            table.append(ReturnRow(r, task_id, task, values, refs))
    return table


def _head_row(sheet: SheetCells) -> int | None:
    rows: dict[int, set[str]] = {}
    for (r, _), text in sheet.cells.items():
        if r <= _SEARCH_ROWS:
            rows.setdefault(r, set()).add(text.strip())
    for r in sorted(rows):
        if {"完成状态", "进展情况"} <= rows[r]:
            return r
    return None


def _as_date(text: str) -> str:
    """A date typed into 报送日期 and stored as a day number (46000) back as 2025-12-09."""
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        number = float(text)
        if 20000 < number < 80000:
            return (date(1899, 12, 30) + timedelta(days=int(number))).isoformat()
    return text

"""Reading workbooks back (read_workbook) and the department task lists (write_task_list,
write_index): write to tmp_path, edit with openpyxl as a person would in Excel, read back."""

from __future__ import annotations

from dataclasses import replace

import hashlib
import io
import os
import random
import struct
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl

import pytest
from conftest import CORPUS, SEED_001

from matrix.workbook import book, hidden, untrusted
from matrix.workbook import readback as wbread
from matrix.workbook import values as wbvalues
from matrix.errors import MatrixInputError
from matrix.workbook import (INDEX_SHEET, MAX_RATIO, TASK_LIST_SHEET, read_workbook,
                          read_workbook_contents, sent_out, write_index, write_task_list, write_workbook)
from matrix.filter.select import department_index, filter_tasks, split_by_department
from matrix.records import Assignment, Document, ParseWarning, Plan, Role, Source, Task
from matrix.pivot import build_matrix

SHA = "5c" * 32
WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
ROUND_TRIP = [SEED_001, *sorted(CORPUS.glob("*.txt")), *sorted((CORPUS / "local").glob("*.txt"))]


def a(department: str, role: Role = Role.responsible, **kw: Any) -> Assignment:
    return Assignment(department=department, as_printed=kw.pop("printed", department), role=role,
                      **kw)


def task(number: str, title: str, *assignments: Assignment, **kw: Any) -> Task:
    kw.setdefault("text", f"{title}。全文在这里。")
    return Task(number=number, title=title, line=kw.pop("line", 1), assignments=assignments, **kw)


TASKS = (
    task("（一）", "完善农机装备创新体系", a("工业和信息化部", Role.lead, lead_by_rule=True),
         a("国家发展改革委"), a("科技部", printed="科学技术部"), section="二、加快推动农机装备产业",
         deadline="2025年底前", scope="全国", trailer="工业和信息化部、国家发展改革委、科学技术部负责",
         line=7),
    task("（二）", "推进全产业链协同发展", a("国家发展改革委", Role.lead), a("商务部", Role.support),
         a("地方各级人民政府", inherited=True), section="二、加快推动农机装备产业", line=9),
    task("（二）", "加强指导", a("农业农村部", Role.guide), a("国家发展改革委", Role.support),
         a("农业农村部", Role.support), part=2, section="三、保障措施",
         subsection="（三）加强组织领导", line=12),
    task("（三）", "开展宣传", a("地方各级人民政府", inherited=True), section="三、保障措施",
         line=15),
    task("（四）", "无人认领", section="三、保障措施", line=18),
)
DOCUMENT = Document(
    title="国务院关于加快推进农业机械化的指导意见", doc_number="国发〔2018〕42号", tasks=TASKS,
    rules=("列第一位者为牵头单位，下同", "以下均需地方各级人民政府落实，不再列出"),
    warnings=(ParseWarning(line=12, kind="unknown-department", message="未知部门：农机办"),),
)
PLAN = Plan(source=Source(path="/data/国发2018-42.txt", sha256=SHA, encoding="gb18030"),
            documents=(DOCUMENT,))


def write(tmp_path: Path, plan: Plan = PLAN, name: str = "plan.xlsx", **kw: Any) -> Path:
    kw.setdefault("generated_at", WHEN)
    kw.setdefault("tool_version", "9.9.9")
    return write_workbook(plan, tmp_path / name, **kw)


def public_rows(mp: pytest.MonkeyPatch) -> None:
    """Write plan workbooks through openpyxl's public row path (``plan._write_with_openpyxl``
    with book's fast rows off) instead of our own writer (workbook/xlsx.py)."""
    from matrix.workbook import plan as plan_book

    mp.setattr(book, "_FAST_ROWS", False)
    mp.setattr(sys.modules[__name__], "write_workbook", plan_book._write_with_openpyxl)


def triples(t: Task) -> list[tuple[str, Role, bool]]:
    return [(x.department, x.role, x.inherited) for x in t.assignments]


def summary(t: Task) -> tuple[Any, ...]:
    return t.label, t.section, t.subsection, t.title, t.text, triples(t)


# ----------------------------------------------------------------------------- editing helpers


class Matrix:
    """The 矩阵 sheet of a workbook opened with openpyxl, addressed by header and task label."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wb = openpyxl.load_workbook(path)
        self.ws = self.wb["矩阵"]
        self.head = next(r for r in range(1, self.ws.max_row + 1)
                         if self.ws.cell(r, 1).value == "序号")
        self.columns = {self.ws.cell(self.head, c).value: c
                        for c in range(1, self.ws.max_column + 1)
                        if self.ws.cell(self.head, c).value is not None}

    def row(self, label: str) -> int:
        return next(r for r in range(self.head + 1, self.ws.max_row + 1)
                    if self.ws.cell(r, self.columns["编号"]).value == label)

    def cell(self, label: str, header: str) -> Any:
        return self.ws.cell(self.row(label), self.columns[header])

    def save(self) -> Path:
        self.wb.save(self.path)
        return self.path


# ----------------------------------------------------------------------------- round trip


def test_defusedxml_is_active() -> None:
    # openpyxl parses XML through defusedxml only when it is installed (a dependency) and
    # OPENPYXL_DEFUSEDXML is not "False".
    assert openpyxl.DEFUSEDXML is True


def test_round_trip_restores_every_record(tmp_path: Path) -> None:
    contents = read_workbook_contents(write(tmp_path))
    plan = contents.plan
    assert plan.tasks == TASKS  # flags, printed names, deadlines, scopes, trailers, lines
    [document] = plan.documents
    assert (document.title, document.doc_number, document.rules, document.warnings) == (
        DOCUMENT.title, DOCUMENT.doc_number, DOCUMENT.rules, DOCUMENT.warnings)
    # the source by name only: a workbook is sent out (sent_out)
    assert contents.records and contents.origin == sent_out(PLAN).source
    assert (contents.generated_at, contents.tool_version) == ("2024-05-01T09:30:00+08:00",
                                                             "9.9.9")


def test_source_is_the_workbook_and_origin_the_plan_file(tmp_path: Path) -> None:
    out = write(tmp_path)
    contents = read_workbook_contents(str(out))
    assert contents.plan.source == Source(path=str(out), format="xlsx",
                                          sha256=hashlib.sha256(out.read_bytes()).hexdigest())
    assert contents.origin.path == "国发2018-42.txt"
    assert contents.origin.encoding == "gb18030"


@pytest.mark.parametrize("source", ROUND_TRIP, ids=lambda p: p.name)
def test_round_trip_of_seed_and_corpus(tmp_path: Path, source: Path) -> None:
    from matrix.load.pipeline import parse_file

    plan = parse_file(source)
    back = read_workbook(write_workbook(plan, tmp_path / "out.xlsx"))
    expected = [row.task for row in build_matrix(plan).rows]  # clauses of a plan with no tasks
    assert [summary(t) for t in back.tasks] == [summary(t) for t in expected]
    assert back.tasks == tuple(expected)
    assert [d.title for d in back.documents] == [d.title for d in plan.documents]
    assert [d.warnings for d in back.documents] == [d.warnings for d in plan.documents]
    assert [d.jurisdiction for d in back.documents] == [d.jurisdiction for d in plan.documents]


def test_seed_001_inherited_marks_survive(tmp_path: Path, plan_001: Plan) -> None:
    back = read_workbook(write_workbook(plan_001, tmp_path / "001.xlsx"))
    inherited = [(t.label, x.department) for t in back.tasks for x in t.assignments
                 if x.inherited]
    assert len(inherited) == 21 and {d for _, d in inherited} == {"地方各级人民政府"}


@pytest.mark.parametrize("fast_rows", [True, False], ids=["fast-rows", "openpyxl-rows"])
@pytest.mark.parametrize("calamine", [True, False], ids=["calamine", "openpyxl-reader"])
def test_writer_and_reader_paths_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       fast_rows: bool, calamine: bool) -> None:
    if not fast_rows:
        public_rows(monkeypatch)
    out = write(tmp_path)
    monkeypatch.setattr(wbvalues, "_CALAMINE", calamine)
    assert read_workbook(out).tasks == TASKS


def test_several_documents_come_back_apart(tmp_path: Path) -> None:
    second = Document(title="第二个文件", doc_number="国办发〔2019〕1号",
                      tasks=(task("1.", "另一项", a("科技部", Role.lead)),
                             task("2.", "再一项", a("商务部"))))
    untitled = Document(tasks=(task("1.", "无题文件的任务", a("商务部", Role.lead)),))
    plan = replace(PLAN, documents=(DOCUMENT, second, untitled))
    back = read_workbook(write(tmp_path, plan))
    assert [(d.title, d.doc_number, len(d.tasks)) for d in back.documents] == [
        (DOCUMENT.title, DOCUMENT.doc_number, 5), ("第二个文件", "国办发〔2019〕1号", 2),
        (None, None, 1)]
    assert back.tasks == plan.tasks


def test_plan_without_assignments_comes_back_as_tasks_without_assignments(
        tmp_path: Path) -> None:
    bare = tuple(replace(t, assignments=()) for t in TASKS)
    plan = Plan(source=PLAN.source, documents=(Document(title="某方案", tasks=bare),))
    back = read_workbook(write(tmp_path, plan))
    assert [t.title for t in back.tasks] == [t.title for t in TASKS]
    assert all(t.assignments == () for t in back.tasks)


def test_empty_plan(tmp_path: Path) -> None:
    back = read_workbook(write(tmp_path, Plan(source=PLAN.source)))
    assert back.tasks == () and back.documents == ()


NASTY = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-1", "@SUM(A1)", "#N/A",
         " 前后空格 ", "a\rb\tc\nd", "<b>&amp;</b>", '{"dutymatrix":1}']


def test_formula_like_and_odd_text_survives(tmp_path: Path) -> None:
    tasks = tuple(task(f"{i}.", s, a(f"{s}部", Role.lead), text=s, deadline=s, section=s)
                  for i, s in enumerate(NASTY, 1))
    plan = Plan(source=Source(path="=cmd|' -C calc'!A0", sha256=SHA),
                documents=(Document(title="=2*3", tasks=tasks),))
    contents = read_workbook_contents(write(tmp_path, plan))
    assert contents.plan.tasks == tasks
    assert contents.origin.path == "=cmd|' -C calc'!A0"


def test_text_too_long_for_a_cell_comes_back_whole(tmp_path: Path) -> None:
    # Cut in the cell (Excel holds 32,767 characters), whole in the hidden records (issue 13).
    long = "长" * 40_000
    t = task("1.", "长文", a("科技部"), text=long)
    out = write(tmp_path, Plan(source=PLAN.source, documents=(Document(tasks=(t,)),)))
    cells = [c.value for row in openpyxl.load_workbook(out)["矩阵"].iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("长长") for v in cells)
    assert all(len(v) <= 32767 for v in cells if isinstance(v, str))
    back = read_workbook(out)
    assert back.tasks[0].text == long
    assert triples(back.tasks[0]) == triples(t)


def test_records_are_hidden_below_the_table_and_outside_the_filter(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    ws = sheet.ws
    data = sheet.columns["任务全文"] + 1
    letter = openpyxl.utils.get_column_letter(data)
    assert ws.cell(sheet.head, data).value is None and ws.column_dimensions[letter].hidden
    total = next(r for r in range(sheet.head + 1, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    records = [r for r in range(1, ws.max_row + 1) if ws.cell(r, data).value is not None]
    assert records and min(records) > total
    assert all(ws.row_dimensions[r].hidden for r in records)
    assert ws.cell(records[0], data).value.startswith('{"dutymatrix":1,')
    first, last = ws.auto_filter.ref.split(":")
    assert openpyxl.utils.column_index_from_string(last.rstrip("0123456789")) < data
    assert int(last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) < total


def test_large_records_span_several_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hidden, "_CHUNK", 50)
    out = write(tmp_path)
    sheet = Matrix(out)
    data = sheet.columns["任务全文"] + 1
    cells = [c.value for c in sheet.ws[openpyxl.utils.get_column_letter(data)] if c.value]
    assert len(cells) > 10 and all(len(c) <= 50 for c in cells)
    assert read_workbook(out).tasks == TASKS


# ----------------------------------------------------------------------------- edits count


def test_edits_in_excel_are_what_counts(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    sheet.cell("（一）", "商务部").value = "○"  # a mark added
    sheet.cell("（二）", "商务部").value = None  # a mark removed
    sheet.cell("（一）", "国家发展改革委").value = "★"  # ● changed to ★
    sheet.ws.delete_rows(sheet.row("（三）"))  # a row deleted
    back = read_workbook(sheet.save())
    assert [t.label for t in back.tasks] == ["（一）", "（二）", "（二）#2", "（四）"]
    first, second, third, fourth = back.tasks
    assert triples(first) == [("工业和信息化部", Role.lead, False),
                              ("国家发展改革委", Role.lead, False),
                              ("科技部", Role.responsible, False),
                              ("商务部", Role.support, False)]
    # Unchanged marks keep everything the plan said about them.
    assert first.assignments[0].lead_by_rule and first.assignments[2].as_printed == "科学技术部"
    assert first.assignments[1].as_printed == "国家发展改革委"  # changed: a plain assignment
    assert triples(second) == [("国家发展改革委", Role.lead, False),
                               ("地方各级人民政府", Role.responsible, True)]
    assert third == TASKS[2] and fourth == TASKS[4]
    assert (first.deadline, first.scope, first.trailer) == ("2025年底前", "全国", TASKS[0].trailer)
    assert not [w for d in back.documents for w in d.warnings if w.kind.startswith("workbook")]


def test_an_inherited_mark_changed_by_hand_is_no_longer_inherited(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    sheet.cell("（二）", "地方各级人民政府").value = "★"
    sheet.cell("（三）", "地方各级人民政府").value = "●"  # retyped, same role: still inherited
    back = read_workbook(sheet.save())
    assert triples(back.tasks[1])[-1] == ("地方各级人民政府", Role.lead, False)
    assert triples(back.tasks[3]) == [("地方各级人民政府", Role.responsible, True)]


def test_duplicate_assignments_of_one_department(tmp_path: Path) -> None:
    # 农业农村部 is 指导 and 参与 on （二）#2; the matrix shows ◇ (the stronger).
    sheet = Matrix(write(tmp_path))
    assert sheet.cell("（二）#2", "农业农村部").value == "◇"
    sheet.cell("（二）#2", "农业农村部").value = "●"
    back = read_workbook(sheet.save())
    assert triples(back.tasks[2]) == [("农业农村部", Role.responsible, False),
                                      ("国家发展改革委", Role.support, False)]


@pytest.mark.parametrize(("typed", "role"), [("牵头", Role.lead), ("负责", Role.responsible),
                                             ("配合", Role.support), ("参与", Role.support),
                                             ("指导", Role.guide), (" ★ ", Role.lead)])
def test_role_words_are_marks(tmp_path: Path, typed: str, role: Role) -> None:
    sheet = Matrix(write(tmp_path))
    sheet.cell("（四）", "科技部").value = typed
    back = read_workbook(sheet.save())
    assert triples(back.tasks[4]) == [("科技部", role, False)]
    assert not [w for w in back.documents[0].warnings if w.kind == "workbook-mark"]


@pytest.mark.parametrize("typed", ["√", "x", "是", 1])
def test_other_marks_are_responsible_with_a_warning(tmp_path: Path, typed: Any) -> None:
    sheet = Matrix(write(tmp_path))
    cell = sheet.cell("（四）", "科技部")
    cell.value = typed
    back = read_workbook(sheet.save())
    assert triples(back.tasks[4]) == [("科技部", Role.responsible, False)]
    [warning] = [w for w in back.documents[0].warnings if w.kind == "workbook-mark"]
    assert f"矩阵!{cell.coordinate}" in warning.message and str(typed) in warning.message
    assert (warning.line, warning.column) == (cell.row, cell.column)


def test_rows_renumbered_sorted_and_added(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    ws, head, columns = sheet.ws, sheet.head, sheet.columns
    ws.delete_rows(head + 1)  # （一）
    first, last = head + 1, head + 4
    values = [[ws.cell(r, c).value for c in range(1, columns["任务全文"] + 1)]
              for r in range(first, last + 1)]
    for r, row in zip(range(first, last + 1), reversed(values)):  # sorted Z→A by autofilter
        for c, value in enumerate(row, 1):
            ws.cell(r, c).value = value
    for i, r in enumerate(range(first, last + 1), 1):
        ws.cell(r, 1).value = i  # renumbered
    ws.insert_rows(last + 1)  # a new task typed in by hand
    ws.cell(last + 1, columns["编号"]).value = "（五）"
    ws.cell(last + 1, columns["任务"]).value = "新增任务"
    ws.cell(last + 1, columns["科技部"]).value = "牵头"
    back = read_workbook(sheet.save())
    assert [t.label for t in back.tasks] == ["（四）", "（三）", "（二）#2", "（二）", "（五）"]
    assert back.tasks[:4] == tuple(reversed(TASKS[1:]))  # each row found its own record
    added = back.tasks[4]
    assert (added.title, added.text, added.section, added.line) == ("新增任务", "新增任务", None,
                                                                   last + 1)
    assert triples(added) == [("科技部", Role.lead, False)]


def test_edited_title_keeps_its_record(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    sheet.cell("（二）", "任务").value = "推进全产业链协同发展（修改）"
    back = read_workbook(sheet.save())
    assert back.tasks[1].title == "推进全产业链协同发展（修改）"
    assert triples(back.tasks[1]) == triples(TASKS[1]) and back.tasks[1].line == 9


def test_edited_section_and_label(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    sheet.cell("（二）#2", "章节").value = "四、其他\n（一）新小节"
    sheet.cell("（二）#2", "编号").value = "（九）#3"
    back = read_workbook(sheet.save())
    t = back.tasks[2]
    assert (t.number, t.part, t.section, t.subsection) == ("（九）", 3, "四、其他", "（一）新小节")
    assert triples(t) == triples(TASKS[2])


def test_deadlines_edited_in_the_list_sheet_count(tmp_path: Path) -> None:
    path = write(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["分工表"]
    heads = [c.value for c in ws[2]]  # row 1 is the title
    deadline = heads.index("完成时限") + 1
    assert ws.cell(3, deadline).value == "2025年底前"
    ws.cell(3, deadline).value = "2026年6月底前"
    ws.cell(4, deadline).value = "长期坚持"
    wb.save(path)
    back = read_workbook(path)
    assert [t.deadline for t in back.tasks[:3]] == ["2026年6月底前", "长期坚持", None]


def test_a_fresh_workbook_does_not_read_the_list_sheet(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = write(tmp_path)

    def fail(grid: Any) -> None:
        raise AssertionError("分工表 read")

    monkeypatch.setattr(wbread, "_deadlines", fail)
    assert read_workbook(out).tasks == TASKS


def test_new_department_column_is_canonicalised(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    ws = sheet.ws
    at = sheet.columns["合计"]
    ws.insert_cols(at)
    ws.cell(sheet.head, at).value = "国家卫健委"
    ws.cell(sheet.row("（四）"), at).value = "●"
    back = read_workbook(sheet.save())
    [x] = back.tasks[4].assignments
    assert (x.department, x.as_printed, x.role, x.known) == ("国家卫生健康委", "国家卫健委",
                                                            Role.responsible, True)


def test_without_hidden_records_the_cells_still_read(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    total = next(r for r in range(sheet.head + 1, sheet.ws.max_row + 1)
                 if sheet.ws.cell(r, 1).value == "合计")
    sheet.ws.delete_rows(total + 1, sheet.ws.max_row - total)
    contents = read_workbook_contents(sheet.save())
    assert not contents.records
    assert contents.origin.path == "国发2018-42.txt"  # from 说明
    assert contents.origin.sha256 == SHA and contents.origin.encoding == "gb18030"
    plan = contents.plan
    assert [(t.label, t.section, t.title, t.text) for t in plan.tasks] == [
        (t.label, t.section, t.title, t.text) for t in TASKS]
    assert [sorted((d, r) for d, r, _ in triples(t)) for t in plan.tasks] == [
        sorted(t.roles().items()) for t in TASKS]
    assert not any(x.inherited for t in plan.tasks for x in t.assignments)
    assert [w.kind for w in plan.documents[0].warnings] == ["workbook-records"]


def test_damaged_hidden_records_are_a_warning(tmp_path: Path) -> None:
    sheet = Matrix(write(tmp_path))
    ws = sheet.ws
    data = sheet.columns["任务全文"] + 1
    r = next(r for r in range(1, ws.max_row + 1)
             if str(ws.cell(r, data).value or "").startswith('{"dutymatrix":'))
    ws.cell(r, data).value = '{"dutymatrix":1,"documents":[{"title":5}],"tasks":[[1,2'
    plan = read_workbook(sheet.save())
    assert [t.title for t in plan.tasks] == [t.title for t in TASKS]
    [warning] = plan.documents[0].warnings
    assert warning.kind == "workbook-records" and f"矩阵!{ws.cell(r, data).coordinate}" in \
        warning.message


# ----------------------------------------------------------------------------- untrusted input


def zip_with(tmp_path: Path, members: dict[str, bytes], name: str = "x.xlsx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


def refused(path: Path, match: str) -> str:
    with pytest.raises(MatrixInputError, match=match) as e:
        read_workbook(path)
    assert str(path) in str(e.value)
    return str(e.value)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_text("一、总体要求\n（一）任务。（财政部负责）\n", encoding="utf-8")
    assert refused(path, "not an .xlsx workbook") == f"{path}: not an .xlsx workbook"


def test_old_xls_or_password_protected(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    refused(path, "not an .xlsx workbook .*password")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    refused(zip_with(tmp_path, {"word/document.xml": b"<w/>"}), "not an .xlsx workbook")


def test_damaged_zip(tmp_path: Path) -> None:
    data = write(tmp_path).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[:len(data) // 2])
    refused(path, "not an .xlsx workbook")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    refused(tmp_path / "nope.xlsx", "no such file")
    (tmp_path / "dir.xlsx").mkdir()
    refused(tmp_path / "dir.xlsx", "is a folder")


def test_workbook_without_matrix_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "序号"
    wb.save(tmp_path / "other.xlsx")
    refused(tmp_path / "other.xlsx", "not a workbook written by dutymatrix: it has no 矩阵 sheet")


def test_matrix_sheet_without_header(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "矩阵"
    wb.active.append(["编号", "名称"])
    wb.save(tmp_path / "other.xlsx")
    refused(tmp_path / "other.xlsx", "no header row with 序号, 编号 and 任务")


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    path = zip_with(tmp_path, {"xl/workbook.xml": b"<workbook/>",
                               "xl/worksheets/sheet1.xml": b"<x>" + b" " * 20_000_000 + b"</x>"})
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > MAX_RATIO * info.compress_size
    refused(path, "zip bomb")


def test_zip_bomb_lying_about_its_size(tmp_path: Path) -> None:
    # The member declares 100 bytes; its deflate stream holds 3 MB. Python's zipfile would stop
    # at 100 bytes, but the stream itself is measured before any reader sees it.
    path = zip_with(tmp_path, {"xl/workbook.xml": b"<workbook/>",
                               "xl/worksheets/sheet1.xml": b"<x>" + b"a" * 3_000_000 + b"</x>"})
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 100)  # local header
    central = data.rfind(b"PK\x01\x02" + data[info.header_offset + 4:info.header_offset + 6])
    while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.rfind(b"PK\x01\x02", 0, central)
    struct.pack_into("<I", data, central + 24, 100)  # central directory
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size == 100
    refused(path, "declares 100 bytes but expands to more")


def test_limits_on_size_and_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = write(tmp_path)
    size = out.stat().st_size
    expanded = sum(i.file_size for i in zipfile.ZipFile(out).infolist())
    assert size < expanded
    limit = (size + expanded) // 2
    monkeypatch.setattr(untrusted, "MAX_UNCOMPRESSED", limit)
    refused(out, f"expands to {expanded:,} bytes, more than the limit of {limit:,}")
    monkeypatch.setattr(untrusted, "MAX_UNCOMPRESSED", size - 1)
    refused(out, f"the file is {size:,} bytes, more than the limit")
    monkeypatch.undo()
    monkeypatch.setattr(untrusted, "MAX_ENTRIES", 5)
    refused(out, "holds 1[0-9] parts, more than the limit of 5")


def test_encrypted_member(tmp_path: Path) -> None:
    path = zip_with(tmp_path, {"xl/workbook.xml": b"<workbook/>"})
    data = bytearray(path.read_bytes())
    struct.pack_into("<H", data, 6, 1)  # local header flag bits
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 1)
    path.write_bytes(bytes(data))
    refused(path, "encrypted")


def _rezip(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info.filename, change.get(info.filename, zin.read(info)))
    return target


def test_broken_sheet_xml_is_an_input_error(tmp_path: Path) -> None:
    out = write(tmp_path)
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    broken = _rezip(out, tmp_path / "broken.xlsx",
                    {"xl/worksheets/sheet1.xml": sheet[:len(sheet) // 2]})
    with pytest.raises(MatrixInputError, match=r"broken\.xlsx: cannot read the workbook"):
        read_workbook(broken)


def test_entity_expansion_is_not_performed(tmp_path: Path) -> None:
    # A billion-laughs DTD in the sheet, referenced from a cell: refused or left unexpanded.
    out = write(tmp_path)
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    entities = '<!ENTITY a0 "lollollollollol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 9))
    body = sheet.split("?>", 1)[-1].replace(TASKS[0].title, "&a8;")
    evil = _rezip(out, tmp_path / "evil.xlsx", {"xl/worksheets/sheet1.xml": (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>{body}').encode()})
    try:
        plan = read_workbook(evil)
    except MatrixInputError as e:
        assert "evil.xlsx" in str(e)
        return
    assert all(len(t.title) < 1000 for t in plan.tasks)


def test_mutated_workbooks_never_raise_anything_else(tmp_path: Path) -> None:
    out = write(tmp_path)
    data = out.read_bytes()
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    rnd = random.Random(6)
    target = tmp_path / "mutant.xlsx"
    outcomes = {"plan": 0, "error": 0}
    for i in range(120):
        if i % 2:  # bytes of the zip
            mutant = bytearray(data)
            for _ in range(rnd.randint(1, 8)):
                mutant[rnd.randrange(len(mutant))] = rnd.randrange(256)
            target.write_bytes(bytes(mutant))
        else:  # the XML inside a well-formed zip
            xml = bytearray(sheet)
            for _ in range(rnd.randint(1, 8)):
                at = rnd.randrange(len(xml))
                xml[at:at + rnd.randint(0, 30)] = bytes(rnd.choice(b'<>"=/ &#;ab1')
                                                        for _ in range(rnd.randint(0, 5)))
            _rezip(out, target, {"xl/worksheets/sheet1.xml": bytes(xml)})
        try:
            plan = read_workbook(target)
        except MatrixInputError as e:
            assert str(target) in str(e)
            outcomes["error"] += 1
        else:
            assert isinstance(plan, Plan)
            outcomes["plan"] += 1
    assert outcomes["plan"] and outcomes["error"]


# ----------------------------------------------------------------------------- task lists


def list_rows(path: Path, sheet: str) -> tuple[str, list[str], list[dict[str, Any]]]:
    ws = openpyxl.load_workbook(path)[sheet]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    heads = values[1]
    return values[0][0], heads, [dict(zip(heads, row)) for row in values[2:]]


def test_task_list_for_one_department(tmp_path: Path, plan_001: Plan) -> None:
    hits = filter_tasks([plan_001], departments=["国家卫健委"])
    out = write_task_list(hits, tmp_path / "国家卫生健康委.xlsx", title="",
                          department="国家卫生健康委")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [TASK_LIST_SHEET]
    title, heads, rows = list_rows(out, TASK_LIST_SHEET)
    assert title == "国家卫生健康委任务清单"
    assert heads == ["序号", "章节", "编号", "重点任务", "任务内容", "本单位角色", "牵头单位",
                     "其他单位", "完成时限"]
    assert [r["编号"] for r in rows] == ["（一）", "（二）", "（三）", "（十一）", "（十三）"]
    assert [r["序号"] for r in rows] == [1, 2, 3, 4, 5]
    first, hit = rows[0], hits[0]
    assert (first["重点任务"], first["任务内容"]) == (hit.task.title, hit.task.text)
    assert first["本单位角色"] == "负责" and first["牵头单位"] is None
    assert first["其他单位"] == "、".join(hit.others)
    assert first["章节"] == hit.task.section
    ws = wb[TASK_LIST_SHEET]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:I7"
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
    assert ws.oddHeader.center.text == "国家卫生健康委"
    assert ws["A1"].font.name == "黑体" and ws["D3"].font.name == "宋体"
    assert wb.properties.title == "国家卫生健康委任务清单"


def test_task_list_roles_leads_and_sources(tmp_path: Path) -> None:
    second = replace(PLAN, source=Source(path="/data/另一个.txt", sha256=SHA))
    hits = filter_tasks([PLAN, second], departments=["国家发展改革委"])
    out = write_task_list(hits, tmp_path / "list.xlsx", title="国家发展改革委任务清单（两份文件）",
                          department="国家发展改革委")
    title, heads, rows = list_rows(out, TASK_LIST_SHEET)
    assert title == "国家发展改革委任务清单（两份文件）"
    assert heads[:3] == ["序号", "来源", "章节"]
    assert [r["来源"] for r in rows] == ["国发2018-42.txt"] * 3 + ["另一个.txt"] * 3
    assert [(r["编号"], r["本单位角色"], r["牵头单位"], r["其他单位"]) for r in rows[:3]] == [
        ("（一）", "负责", "工业和信息化部", "科技部"),
        ("（二）", "牵头", "国家发展改革委", "商务部、地方各级人民政府"),
        ("（二）#2", "参与", None, "农业农村部")]
    assert rows[0]["完成时限"] == "2025年底前"


def test_task_list_inherited_role(tmp_path: Path) -> None:
    hits = filter_tasks([PLAN], departments=["地方各级人民政府"])
    _, _, rows = list_rows(write_task_list(hits, tmp_path / "l.xlsx", title="t"), TASK_LIST_SHEET)
    assert [r["本单位角色"] for r in rows] == ["负责（统一规定）", "负责（统一规定）"]


@pytest.mark.parametrize("fast_rows", [True, False], ids=["fast-rows", "openpyxl-rows"])
def test_task_list_text_is_never_a_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           fast_rows: bool) -> None:
    monkeypatch.setattr(book, "_FAST_ROWS", fast_rows and book._FAST_ROWS)
    tasks = tuple(task(f"{i}.", s, a("科技部"), a(f"{s}部", Role.lead), text=s, deadline=s)
                  for i, s in enumerate(NASTY, 1))
    plan = Plan(source=Source(path="@src", sha256=SHA), documents=(Document(tasks=tasks),))
    hits = filter_tasks([plan], departments=["科技部"])
    out = write_task_list(hits, tmp_path / "l.xlsx", title="=1+1", department="=科技&部")
    wb = openpyxl.load_workbook(out)
    cells = [c for row in wb[TASK_LIST_SHEET].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
    assert all(c.hyperlink is None for c in cells)
    title, _, rows = list_rows(out, TASK_LIST_SHEET)
    assert title == "=1+1"
    assert [r["重点任务"] for r in rows] == [r["任务内容"] for r in rows] == [
        r["完成时限"] for r in rows] == NASTY
    assert [r["牵头单位"] for r in rows] == [f"{s}部" for s in NASTY]
    assert wb[TASK_LIST_SHEET]["A1"].quotePrefix
    assert wb[TASK_LIST_SHEET].oddHeader.center.text == "=科技&&部"


def test_task_list_with_no_hits(tmp_path: Path) -> None:
    out = write_task_list([], tmp_path / "empty.xlsx", title="", department="科技部")
    title, heads, rows = list_rows(out, TASK_LIST_SHEET)
    assert title == "科技部任务清单" and heads[0] == "序号" and rows == []


def test_task_list_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         plan_001: Plan) -> None:
    hits = filter_tasks([plan_001], departments=["国家卫健委"])
    out = write_task_list(hits, tmp_path / "list.xlsx", title="", department="国家卫生健康委")
    before = out.read_bytes()

    def boom(*args: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("matrix.filter.formats.role_text", boom)  # mid-way through the rows
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_task_list(hits, out, title="", department="国家卫生健康委")
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["list.xlsx"]


def test_index_of_a_split(tmp_path: Path, plan_001: Plan) -> None:
    index = department_index(split_by_department([plan_001]))
    rows = [{**row, "file": f"{row['department']}.xlsx"} for row in index]
    out = write_index(rows, tmp_path / "索引.xlsx", title="各部门任务清单索引")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [INDEX_SHEET]
    title, heads, back = list_rows(out, INDEX_SHEET)
    assert title == "各部门任务清单索引"
    assert heads == ["序号", "部门", "牵头", "负责", "参与", "指导", "合计", "其中统一规定",
                     "任务清单"]
    assert len(back) == len(index)
    assert back[0] == {"序号": 1, "部门": "地方各级人民政府", "牵头": 0, "负责": 22, "参与": 0,
                       "指导": 0, "合计": 22, "其中统一规定": 21,
                       "任务清单": "地方各级人民政府.xlsx"}
    for row, source in zip(back, index):
        assert (row["部门"], row["合计"]) == (source["department"], source["total"])
    ws = wb[INDEX_SHEET]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:I{len(index) + 2}"


def test_index_text_stays_text(tmp_path: Path) -> None:
    rows = [{"department": "=HYPERLINK(\"x\")", "lead": 1, "responsible": 0, "support": 0,
             "guide": 0, "total": 1, "inherited": 0, "file": "=cmd.xlsx"},
            {"department": "科技部", "lead": 0, "responsible": 2, "support": 0, "guide": 0,
             "total": 2, "inherited": 1}]
    out = write_index(rows, tmp_path / "i.xlsx", title="@索引")
    wb = openpyxl.load_workbook(out)
    cells = [c for row in wb[INDEX_SHEET].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
    _, _, back = list_rows(out, INDEX_SHEET)
    assert back[0]["部门"] == "=HYPERLINK(\"x\")" and back[0]["任务清单"] == "=cmd.xlsx"
    assert back[1]["任务清单"] is None


def test_index_in_memory_round_trip_is_not_bytes(tmp_path: Path) -> None:
    # Two writes of the same rows give the same cells (the files differ in their timestamps).
    rows = [{"department": "科技部", "lead": 1, "responsible": 0, "support": 0, "guide": 0,
             "total": 1, "inherited": 0}]
    first = write_index(rows, tmp_path / "a.xlsx", title="t")
    second = write_index(rows, tmp_path / "b.xlsx", title="t")
    values = [[[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(p.read_bytes()))
               [INDEX_SHEET].iter_rows()] for p in (first, second)]
    assert values[0] == values[1]


def test_task_list_prints_on_pages_of_its_own_headed_by_the_department(
        tmp_path: Path, plan_001: Plan) -> None:
    hits = filter_tasks([plan_001], departments=["国家卫健委"])
    out = write_task_list(hits, tmp_path / "l.xlsx", title="", department="国家卫生健康委")
    ws = openpyxl.load_workbook(out)[TASK_LIST_SHEET]
    assert ws.oddHeader.center.text == "国家卫生健康委"
    assert ws.oddHeader.right.text.startswith("生成日期：")
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["A1"].font.name == "黑体" and ws["A1"].font.sz == 16
    # long task texts get rows tall enough for them; the banding is conditional formatting
    assert all((ws.row_dimensions[r].height or 0) > 15 for r in range(3, 3 + len(hits)))
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == [f"A3:I{len(hits) + 2}"]


def test_index_prints_with_its_title_and_colours_the_load(tmp_path: Path,
                                                          plan_001: Plan) -> None:
    index = department_index(split_by_department([plan_001]))
    ws = openpyxl.load_workbook(write_index(index, tmp_path / "i.xlsx", title="各单位任务数"))[
        INDEX_SHEET]
    assert ws.oddHeader.left.text == "各单位任务数"
    assert ws.print_title_rows == "$2:$2"
    scales = [str(cf.sqref) for cf in ws.conditional_formatting
              if any(r.type == "colorScale" for r in cf.rules)]
    assert scales == [f"G3:G{len(index) + 2}"]  # 合计

"""write_workbook: write to tmp_path, reopen with openpyxl, compare cell values (never bytes)."""

from __future__ import annotations

from dataclasses import replace

import os
import stat
import zipfile
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from matrix.workbook import book, plan
from matrix.errors import MatrixOutputError
from matrix.workbook import MARKS, NO_ASSIGNMENTS, SHEET_NAMES, write_workbook
from matrix.records import Assignment, Document, ParseWarning, Plan, Role, Source, Task
from matrix.pivot import build_matrix

SHA = "3b" * 32
WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def a(department: str, role: Role = Role.responsible, **kw: bool) -> Assignment:
    return Assignment(department=department, as_printed=department, role=role, **kw)


def task(number: str, title: str, *assignments: Assignment, **kw: Any) -> Task:
    kw.setdefault("text", f"{title}。全文在这里。")
    return Task(number=number, title=title, line=kw.pop("line", 1), assignments=assignments, **kw)


TASKS = (
    task("（一）", "完善农机装备创新体系", a("工业和信息化部", Role.lead, lead_by_rule=True),
         a("发展改革委"), a("科技部"), section="二、加快推动农机装备产业高质量发展",
         deadline="2025年底前"),
    task("（二）", "推进全产业链协同发展", a("发展改革委", Role.lead), a("商务部", Role.support),
         a("地方各级人民政府", inherited=True), section="二、加快推动农机装备产业高质量发展"),
    task("（二）", "加强指导", a("农业农村部", Role.guide), a("发展改革委", Role.support),
         part=2, section="三、保障措施", subsection="（三）加强组织领导"),
    task("（三）", "开展宣传", section="三、保障措施"),
)
DOCUMENT = Document(
    title="国务院关于加快推进农业机械化的指导意见", doc_number="国发〔2018〕42号", tasks=TASKS,
    rules=("列第一位者为牵头单位，下同", "以下均需地方各级人民政府落实，不再列出"),
    warnings=(ParseWarning(line=12, kind="unknown-department", message="未知部门：农机办"),
              ParseWarning(line=None, kind="no-trailer", message="条款（三）没有责任单位")),
)
PLAN = Plan(source=Source(path="/data/国发2018-42.txt", sha256=SHA), documents=(DOCUMENT,))


def write(tmp_path: Path, plan: Plan = PLAN, name: str = "out.xlsx", **kw: Any) -> Path:
    kw.setdefault("generated_at", WHEN)
    kw.setdefault("tool_version", "9.9.9")
    return write_workbook(plan, tmp_path / name, **kw)


def public_rows(mp: pytest.MonkeyPatch) -> None:
    """Write plan workbooks through openpyxl's public row path (``plan._write_with_openpyxl``
    with book's fast rows off) instead of our own writer (workbook/xlsx.py)."""
    from matrix.workbook import plan as plan_book

    mp.setattr(book, "_FAST_ROWS", False)
    mp.setattr(sys.modules[__name__], "write_workbook", plan_book._write_with_openpyxl)


def load(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def header_row(ws: Any) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "序号")


def matrix_table(ws: Any) -> tuple[int, dict[str, int], list[dict[str, Any]]]:
    """(header row, header → column, one dict per task row) of the 矩阵 sheet."""
    head = header_row(ws)
    columns = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)
               if ws.cell(head, c).value is not None}
    rows = []
    for r in range(head + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == "合计":
            break
        rows.append({h: ws.cell(r, c).value for h, c in columns.items()})
    return head, columns, rows


def look(cell: Any) -> tuple[Any, ...]:
    # StyleProxy objects do not compare equal to each other; their targets' reprs do.
    return (*(repr(x) for x in (cell.font, cell.alignment, cell.fill, cell.border)),
            cell.quotePrefix)


def all_cells(wb: openpyxl.Workbook) -> list[Any]:
    return [c for ws in wb for row in ws.iter_rows() for c in row]


def test_sheets_in_order_and_properties(tmp_path: Path) -> None:
    wb = load(write(tmp_path))
    assert wb.sheetnames == list(SHEET_NAMES) == ["矩阵", "分工表", "部门统计", "说明"]
    assert wb.properties.title == DOCUMENT.title
    assert wb.properties.creator == "dutymatrix 9.9.9"


def test_returns_the_path_and_accepts_str(tmp_path: Path) -> None:
    out = write_workbook(PLAN, str(tmp_path / "a.xlsx"), generated_at=WHEN)
    assert out == tmp_path / "a.xlsx" and out.is_file()


def test_matrix_title_area(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["矩阵"]
    above = [ws.cell(r, 1).value for r in range(1, header_row(ws))]
    assert above[0] == DOCUMENT.title
    assert "来源：国发2018-42.txt" in above[1]
    legend = above[-1]
    for mark, word in (("★", "牵头"), ("●", "负责"), ("○", "参与/配合"), ("◇", "指导")):
        assert f"{mark} {word}" in legend
    assert "（承）" in legend and "继承自文件统一规定" in legend
    assert not any(NO_ASSIGNMENTS in str(v) for v in above)


def test_matrix_marks_equal_the_records(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["矩阵"]
    head, columns, rows = matrix_table(ws)
    m = build_matrix(PLAN)
    headers = list(columns)
    assert headers == ["序号", "章节", "编号", "任务", *m.departments, "合计", "任务全文"]
    assert len(rows) == len(PLAN.tasks)
    for i, (row, t) in enumerate(zip(rows, PLAN.tasks), 1):
        assert (row["序号"], row["编号"], row["任务"], row["任务全文"]) == (i, t.label, t.title,
                                                                      t.text)
        roles = t.roles()
        for d in m.departments:
            assert row[d] == (MARKS[roles[d]] if d in roles else None), (t.label, d)
    assert rows[2]["章节"] == "三、保障措施\n（三）加强组织领导"
    assert rows[2]["编号"] == "（二）#2"


def test_matrix_totals(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["矩阵"]
    head, columns, rows = matrix_table(ws)
    assert [r["合计"] for r in rows] == [len(t.roles()) for t in PLAN.tasks] == [3, 3, 2, 0]
    total_row = head + len(rows) + 1
    assert ws.cell(total_row, 1).value == "合计"
    m = build_matrix(PLAN)
    for d in m.departments:
        assert ws.cell(total_row, columns[d]).value == sum(r[d] is not None for r in rows)
    assert ws.cell(total_row, columns["合计"]).value == 8
    assert ws.cell(total_row, columns["发展改革委"]).value == 3


def test_inherited_marks_are_grey_italic(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["矩阵"]
    head, columns, _ = matrix_table(ws)
    inherited = ws.cell(head + 2, columns["地方各级人民政府"])
    explicit = ws.cell(head + 2, columns["发展改革委"])
    assert (inherited.value, explicit.value) == ("●", "★")
    assert inherited.font.i and inherited.font.color.rgb.endswith("808080")
    assert not explicit.font.i
    assert inherited.alignment.horizontal == explicit.alignment.horizontal == "center"


def test_fonts_are_chinese(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["矩阵"]
    head, columns, _ = matrix_table(ws)
    assert ws.cell(head, 1).font.name == "黑体"
    assert ws.cell(head + 1, columns["任务"]).font.name == "宋体"
    assert ws.cell(head, columns["科技部"]).alignment.textRotation == 255  # stacked vertical


def test_matrix_layout_freeze_filter_print(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["矩阵"]
    head, columns, rows = matrix_table(ws)
    first_department = columns[build_matrix(PLAN).departments[0]]
    assert first_department == 5
    assert ws.freeze_panes == f"E{head + 1}"
    assert ws.print_title_rows == f"${head - 1}:${head}"  # legend and header on every page
    last = openpyxl.utils.get_column_letter(columns["任务全文"])
    assert ws.auto_filter.ref == f"A{head}:{last}{head + len(rows)}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions[last].hidden
    assert ws.column_dimensions["D"].width > ws.column_dimensions["E"].width


def test_several_documents_get_a_file_column(tmp_path: Path) -> None:
    second = Document(title="第二个文件", tasks=(task("1.", "另一项", a("科技部", Role.lead)),))
    plan = replace(PLAN, documents=(DOCUMENT, second))
    wb = load(write(tmp_path, plan))
    head, columns, rows = matrix_table(wb["矩阵"])
    assert list(columns)[:5] == ["序号", "文件", "章节", "编号", "任务"]
    assert [r["文件"] for r in rows] == [f"{DOCUMENT.title}（{DOCUMENT.doc_number}）"] * 4 + [
        "第二个文件"]
    assert wb["矩阵"].freeze_panes == f"F{head + 1}"
    assert rows[-1]["科技部"] == "★"
    listing = wb["分工表"]
    assert listing.cell(2, 2).value == "文件" and listing.cell(7, 2).value == "第二个文件"


def test_list_sheet(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["分工表"]
    assert ws["A1"].value == f"《{DOCUMENT.title}》任务分工表"
    heads = [c.value for c in ws[2]]
    assert heads == ["序号", "章节", "编号", "重点任务", "任务内容", "牵头单位", "责任单位",
                     "参与单位", "指导单位", "完成时限"]
    rows = [dict(zip(heads, (c.value for c in r))) for r in ws.iter_rows(min_row=3)]
    assert len(rows) == 4
    assert rows[0] == {
        "序号": 1, "章节": "二、加快推动农机装备产业高质量发展", "编号": "（一）",
        "重点任务": "完善农机装备创新体系", "任务内容": TASKS[0].text,
        "牵头单位": "工业和信息化部", "责任单位": "发展改革委、科技部", "参与单位": None,
        "指导单位": None, "完成时限": "2025年底前"}
    assert rows[1]["责任单位"] == "地方各级人民政府（统一规定）"
    assert rows[1]["参与单位"] == "商务部"
    assert (rows[2]["指导单位"], rows[2]["参与单位"]) == ("农业农村部", "发展改革委")
    assert rows[3]["牵头单位"] is None and rows[3]["重点任务"] == "开展宣传"
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:J6"
    assert ws.print_title_rows == "$2:$2"


def test_count_sheet_sorted(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["部门统计"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["部门", "牵头", "负责", "参与", "指导", "合计"]
    assert rows[1:] == [
        ["发展改革委", 1, 1, 1, 0, 3],
        ["工业和信息化部", 1, 0, 0, 0, 1],
        *sorted([["科技部", 0, 1, 0, 0, 1], ["商务部", 0, 0, 1, 0, 1],
                 ["地方各级人民政府", 0, 1, 0, 0, 1], ["农业农村部", 0, 0, 0, 1, 1]],
                key=lambda r: (-r[5], -r[1], r[0])),
    ]


def test_notes_sheet(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["说明"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    pairs = {r[0]: r[1] for r in rows if r[0]}
    assert pairs["源文件"] == "国发2018-42.txt"  # the name, never the folder (issue 19)
    assert pairs["SHA-256"] == SHA
    assert pairs["工具版本"] == "dutymatrix 9.9.9"
    assert pairs["生成时间"] == "2024-05-01T09:30:00+08:00"
    assert pairs["文件"] == DOCUMENT.title and pairs["文号"] == DOCUMENT.doc_number
    texts = [v for r in rows for v in r if isinstance(v, str)]
    for rule in DOCUMENT.rules:
        assert rule in texts
    warnings = rows[next(i for i, r in enumerate(rows) if r[:3] == ["行号", "警告", "类型"]) + 1:]
    assert [r[:3] for r in warnings] == [[12, "未知部门：农机办", "部门不在名录中"],
                                         ["—", "条款（三）没有责任单位", "未标明责任单位"]]
    assert NO_ASSIGNMENTS not in texts


def all_texts(path: Path) -> list[str]:
    """Every string a workbook holds: cells (the hidden records too), comments, properties."""
    wb = openpyxl.load_workbook(path)
    texts = [c.value for c in all_cells(wb) if isinstance(c.value, str)]
    texts += [c.comment.text for c in all_cells(wb) if c.comment]
    props = wb.properties
    return texts + [v for v in (props.title, props.description, props.subject) if v]


def test_no_folder_of_the_source_in_the_workbook(tmp_path: Path) -> None:
    # A workbook is sent out: the source is named by file name and SHA-256, never its folder.
    texts = all_texts(write(tmp_path))
    assert not [t for t in texts if "/data" in t]
    assert any("国发2018-42.txt" in t for t in texts)
    recorded = all_texts(write(tmp_path, name="with-path.xlsx", record_path=True))
    pairs = [t for t in recorded if t == str(Path("/data/国发2018-42.txt").absolute())]
    assert pairs, "record_path=True keeps the full path in 说明"


def test_notes_without_warnings_or_rules(tmp_path: Path) -> None:
    plan = replace(PLAN, documents=(Document(title="T", tasks=TASKS[:1]),))
    rows = [[c.value for c in r] for r in load(write(tmp_path, plan))["说明"].iter_rows()]
    pairs = {r[0]: r[1] for r in rows if r[0]}
    assert pairs["警告"] == "无" and pairs["统一规定"] == "（无）"


def test_plan_without_assignments_says_so_and_lists_tasks(tmp_path: Path) -> None:
    bare = tuple(replace(t, assignments=()) for t in TASKS)
    plan = Plan(source=PLAN.source, documents=(Document(title="某方案", tasks=bare),))
    wb = load(write(tmp_path, plan))
    ws = wb["矩阵"]
    head, columns, rows = matrix_table(ws)
    assert [ws.cell(r, 1).value for r in range(1, head)].count(NO_ASSIGNMENTS) == 1
    assert list(columns) == ["序号", "章节", "编号", "任务", "合计", "任务全文"]
    assert [r["任务"] for r in rows] == [t.title for t in TASKS]
    assert [r["合计"] for r in rows] == [0, 0, 0, 0]
    assert ws.freeze_panes == f"E{head + 1}"
    notes = [v for r in wb["说明"].iter_rows() for v in (c.value for c in r)]
    assert NO_ASSIGNMENTS in notes
    assert [c.value for c in wb["部门统计"][1]] == ["部门", "牵头", "负责", "参与", "指导", "合计"]
    assert wb["部门统计"].max_row == 1


def test_only_the_document_without_assignments_is_flagged(tmp_path: Path) -> None:
    bare = Document(title="附件", tasks=(task("1.", "自行落实"),))
    plan = replace(PLAN, documents=(DOCUMENT, bare))
    ws = load(write(tmp_path, plan))["矩阵"]
    above = [ws.cell(r, 1).value for r in range(1, header_row(ws))]
    assert f"《附件》：{NO_ASSIGNMENTS}" in above
    assert sum(NO_ASSIGNMENTS in str(v) for v in above) == 1


def test_empty_plan(tmp_path: Path) -> None:
    wb = load(write(tmp_path, Plan(source=PLAN.source)))
    head, columns, rows = matrix_table(wb["矩阵"])
    assert rows == [] and list(columns) == ["序号", "章节", "编号", "任务", "合计", "任务全文"]
    assert wb.properties.title == "国发2018-42.txt"  # no document title: the file name


NASTY = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "=1+1", "+1+1", "-1+1", "@SUM(A1)",
         "\t=1", "\r=1", "#N/A", "=", " 前后空格 "]


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    tasks = tuple(task(f"{i}.", s, a(f"{s}部", Role.lead), text=s, deadline=s, section=s)
                  for i, s in enumerate(NASTY, 1))
    plan = Plan(source=Source(path="=cmd|' -C calc'!A0", sha256=SHA),
                documents=(Document(title="=2*3", doc_number="@x", tasks=tasks,
                                    rules=("+rule",),
                                    warnings=(ParseWarning(kind="-k", message="=m"),)),))
    for fast in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            if not fast:
                public_rows(mp)
            wb = load(write(tmp_path, plan, name=f"nasty-{fast}.xlsx"))
        cells = all_cells(wb)
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert not [c.coordinate for c in cells if c.data_type == "e"]
        head, columns, rows = matrix_table(wb["矩阵"])
        assert [r["任务"] for r in rows] == [r["任务全文"] for r in rows] == NASTY
        assert [r["章节"] for r in rows] == NASTY
        assert list(columns)[4:-2] == [f"{s}部" for s in NASTY]
        listing = [[c.value for c in r] for r in wb["分工表"].iter_rows(min_row=3)]
        assert [r[3] for r in listing] == [r[4] for r in listing] == NASTY
        assert [r[5] for r in listing] == [f"{s}部" for s in NASTY]
        assert [r[9] for r in listing] == NASTY
        assert wb["矩阵"]["A1"].value == "=2*3"
        values = {c.value for c in cells}
        assert {"=cmd|' -C calc'!A0", "+rule", "-k", "=m"} <= values
        # Excel keeps a quote-prefixed cell as text even after the user edits it.
        by_value = {c.value: c for c in all_cells(wb) if c.parent.title == "分工表"}
        assert by_value["=1+1"].quotePrefix and by_value["@SUM(A1)"].quotePrefix
        assert not by_value["#N/A"].quotePrefix


def test_no_hyperlinks(tmp_path: Path) -> None:
    t = task("1.", "见 https://www.gov.cn/zhengce/", a("国务院办公厅"),
             text="=HYPERLINK(\"https://www.gov.cn\")")
    plan = Plan(source=Source(path="https://www.gov.cn/a.htm", sha256=SHA),
                documents=(Document(title="t", tasks=(t,)),))
    wb = load(write(tmp_path, plan))
    assert all(c.hyperlink is None for c in all_cells(wb))
    assert all(not ws._hyperlinks for ws in wb)


def test_text_is_cleaned_but_not_changed(tmp_path: Path) -> None:
    long = "长" * 40_000
    t = task("1.", "控制\x00字符\x1f", a("甲\x07部"), text=long, deadline="a\rb\tc\nd")
    wb = load(write(tmp_path, Plan(source=PLAN.source, documents=(Document(tasks=(t,)),))))
    row = [c.value for c in wb["分工表"][3]]
    assert row[3] == "控制字符" and row[6] == "甲部"
    assert len(row[4]) == 32767 and row[4].endswith("…")
    assert row[9] == "a\rb\tc\nd"


def test_fast_and_public_row_paths_write_the_same_cells(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    if not book._FAST_ROWS:
        pytest.skip("openpyxl without the fast row path")
    second = Document(title="第二个文件", tasks=(task("1.", "=另一项", a("科技部", Role.lead)),))
    plan = replace(PLAN, documents=(DOCUMENT, second))
    fast = load(write(tmp_path, plan, name="fast.xlsx"))  # our own writer (workbook/xlsx.py)
    public_rows(monkeypatch)
    slow = load(write(tmp_path, plan, name="slow.xlsx"))
    assert fast.sheetnames == slow.sheetnames
    for f, s in zip(fast, slow):
        assert (f.max_row, f.max_column) == (s.max_row, s.max_column), f.title
        assert (f.freeze_panes, f.auto_filter.ref, f.print_title_rows) == (
            s.freeze_panes, s.auto_filter.ref, s.print_title_rows)
        for rf, rs in zip(f.iter_rows(), s.iter_rows()):
            for cf, cs in zip(rf, rs):
                assert (cf.value, cf.data_type) == (cs.value, cs.data_type), cf.coordinate
                assert look(cf) == look(cs), cf.coordinate
        for r in range(1, f.max_row + 1):
            assert f.row_dimensions[r].height == s.row_dimensions[r].height


def test_atomic_write_keeps_the_previous_file(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = write(tmp_path)
    before = out.read_bytes()

    def boom(*args: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(plan, "_list_sheet", boom)  # mid-way: 矩阵 is already written
    with pytest.raises(RuntimeError, match="disk on fire"):
        write(tmp_path, generated_at=WHEN + timedelta(days=1))
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["out.xlsx"]
    assert load(out)["说明"]["B6"].value == "2024-05-01T09:30:00+08:00"


def test_failed_replace_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = write(tmp_path)
    before = out.read_bytes()

    def refuse(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(book.os, "replace", refuse)
    with pytest.raises(MatrixOutputError, match="Permission denied"):
        write(tmp_path)
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["out.xlsx"]


def test_first_write_leaves_nothing_on_failure(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan, "_notes_sheet", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write(tmp_path)
    assert os.listdir(tmp_path) == []


def test_missing_output_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.xlsx"
    with pytest.raises(MatrixOutputError, match="does not exist") as e:
        write_workbook(PLAN, target)
    assert str(target) in str(e.value)
    assert not (tmp_path / "no").exists()


def test_output_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "out.xlsx").mkdir()
    with pytest.raises(MatrixOutputError, match="is a folder"):
        write(tmp_path)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="needs POSIX permissions that apply to this user")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(MatrixOutputError, match="cannot write in") as e:
            write_workbook(PLAN, folder / "out.xlsx")
        assert str(folder / "out.xlsx") in str(e.value)
    finally:
        folder.chmod(stat.S_IRWXU)


def test_unwritable_folder_is_an_output_error(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The real thing (below) cannot run as root, who may write anywhere.
    import matrix.safety.writes

    def refuse(*args: Any, **kw: Any) -> None:
        raise PermissionError(13, "Permission denied", kw["dir"])

    monkeypatch.setattr(matrix.safety.writes.tempfile, "mkstemp", refuse)
    with pytest.raises(MatrixOutputError, match="cannot write in .*Permission denied") as e:
        write(tmp_path)
    assert str(tmp_path / "out.xlsx") in str(e.value)
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_file_mode_is_not_the_temporary_files(tmp_path: Path) -> None:
    out = write(tmp_path)
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    out.chmod(0o640)
    write(tmp_path)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_given_matrix_is_used(tmp_path: Path) -> None:
    full = build_matrix(PLAN)
    only_first = full.__class__(departments=full.departments[:2], rows=full.rows[:1],
                                counts={d: full.counts[d] for d in full.departments[:2]})
    wb = load(write(tmp_path, matrix=only_first))
    head, columns, rows = matrix_table(wb["矩阵"])
    assert len(rows) == 1 and list(columns)[4:6] == list(full.departments[:2])
    assert rows[0]["合计"] == 2  # marks outside the given columns are not counted
    assert wb["分工表"].max_row == 3


# ------------------------------------------------------------------------ a workbook to hand out


def test_every_sheet_prints_with_header_footer_and_titles(tmp_path: Path) -> None:
    wb = load(write(tmp_path))
    for ws in wb:
        assert ws.oddHeader.left.text == DOCUMENT.title, ws.title
        assert ws.oddHeader.right.text == "生成日期：2024年5月1日", ws.title
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页", ws.title
        assert ws.oddFooter.left.text == "&A", ws.title  # the sheet's name
        assert ws.page_setup.paperSize == 9  # A4 (A3, 8, only for a matrix of > 20 departments)
    head, columns, rows = matrix_table(wb["矩阵"])
    total = openpyxl.utils.get_column_letter(columns["合计"])
    assert wb["矩阵"].print_area == f"'矩阵'!$A$1:${total}${head + len(rows) + 1}"
    assert (wb["分工表"].print_title_rows, wb["部门统计"].print_title_rows) == ("$2:$2", "$1:$1")
    assert (wb["分工表"].freeze_panes, wb["部门统计"].freeze_panes) == ("A3", "A2")


def test_title_row_names_the_plan_and_the_date(tmp_path: Path) -> None:
    ws = load(write(tmp_path))["矩阵"]
    assert ws["A1"].value == DOCUMENT.title and ws["A1"].font.name == "黑体"
    assert ws["A1"].font.sz == 16
    assert ws["A2"].value.startswith("生成日期：2024年5月1日")


def test_workbook_metadata_and_default_font(tmp_path: Path) -> None:
    wb = load(write(tmp_path))
    assert wb.properties.title == DOCUMENT.title
    assert wb.properties.creator.startswith("dutymatrix ")  # output.replaceable relies on it
    normal = next(s for s in wb._named_styles if s.name == "Normal")
    assert normal.font.name == "宋体"  # column widths are measured in its digits


def test_defined_names_over_the_tables(tmp_path: Path) -> None:
    wb = load(write(tmp_path))
    head, columns, rows = matrix_table(wb["矩阵"])
    full = openpyxl.utils.get_column_letter(columns["任务全文"])
    assert wb.defined_names["任务矩阵"].attr_text == (
        f"'矩阵'!$A${head}:${full}${head + len(rows)}")
    assert wb.defined_names["任务分工"].attr_text == "'分工表'!$A$2:$J$6"
    # The names cover what the autofilter covers: header and task rows, not 合计 nor records.
    assert wb["矩阵"].auto_filter.ref == f"A{head}:{full}{head + len(rows)}"


def rules(ws: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            out.setdefault(rule.type, []).append(str(cf.sqref))
    return out


def test_heat_colouring_and_banding(tmp_path: Path) -> None:
    wb = load(write(tmp_path))
    head, columns, rows = matrix_table(wb["矩阵"])
    letter = openpyxl.utils.get_column_letter
    total_row = head + len(rows) + 1
    first, last = letter(columns["发展改革委"]), letter(columns["合计"] - 1)
    found = rules(wb["矩阵"])
    assert f"{first}{total_row}:{last}{total_row}" in found["colorScale"]  # department load
    total = letter(columns["合计"])
    assert f"{total}{head + 1}:{total}{head + len(rows)}" in found["colorScale"]
    assert found["expression"] == [f"A{head + 1}:{last}{head + len(rows)}"]  # banding
    banding = next(r for cf in wb["矩阵"].conditional_formatting for r in cf.rules
                   if r.type == "expression")
    assert banding.formula == [f"MOD(ROW()-{head},2)=0"]
    assert rules(wb["部门统计"])["colorScale"] == ["F2:F7"]
    assert rules(wb["分工表"])["expression"] == ["A3:J6"]


def test_count_sheet_has_a_bar_chart_of_the_busiest(tmp_path: Path) -> None:
    wb = load(write(tmp_path))
    chart, = wb["部门统计"]._charts
    assert chart.tagname == "barChart" and chart.type == "bar" and chart.grouping == "stacked"
    assert len(chart.series) == 4  # 牵头 负责 参与 指导
    with zipfile.ZipFile(tmp_path / "out.xlsx") as zf:
        xml = zf.read("xl/charts/chart1.xml").decode()
    assert "'部门统计'!$A$2:$A$7" in xml and "各部门承担任务数" in xml


def test_chart_shows_at_most_the_25_busiest(tmp_path: Path) -> None:
    tasks = tuple(task(f"{i}.", f"任务{i}", a(f"部门{i:02d}", Role.lead)) for i in range(40))
    plan = Plan(source=PLAN.source, documents=(Document(title="大", tasks=tasks),))
    wb = load(write(tmp_path, plan))
    chart, = wb["部门统计"]._charts
    with zipfile.ZipFile(tmp_path / "out.xlsx") as zf:
        xml = zf.read("xl/charts/chart1.xml").decode()
    assert "$A$2:$A$26" in xml and "前 25 个部门" in xml
    assert wb["部门统计"].max_row == 41  # the table still lists every department


def test_no_sheet_holds_a_formula(tmp_path: Path) -> None:
    wb = load(write(tmp_path))
    assert not [c.coordinate for c in all_cells(wb) if c.data_type == "f"]


def test_many_departments_print_on_pages_side_by_side(tmp_path: Path) -> None:
    tasks = tuple(task(f"{i}.", f"任务{i}", a(f"部门{i:02d}")) for i in range(70))
    plan = Plan(source=PLAN.source, documents=(Document(title="大", tasks=tasks),))
    ws = load(write(tmp_path, plan))["矩阵"]
    assert ws.page_setup.paperSize == 8  # A3
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # too small to read on one page
    assert ws.print_title_cols == "$A:$D"  # the task columns repeat on every page


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("短", 10, 1),
    ("一二三四五六七八九十", 20.5, 1),  # 20 units in a line of 20
    ("一二三四五六七八九十", 20, 2),
    ("abcdefghij" * 3, 10.5, 3),  # Latin letters are half as wide
    ("第一行\n第二行\n", 20, 3),  # every LF starts a line, even the last
    ("一" * 100, 50.5, 4),
])
def test_lines_of_wrapped_text(text: str, width: float, lines: int) -> None:
    assert book._lines(text, book._room(width)) == lines


def test_rows_are_as_tall_as_their_wrapped_text(tmp_path: Path) -> None:
    long = "推进农业机械化和农机装备产业转型升级，" * 12  # 228 characters
    tasks = (task("（一）", "短", a("科技部"), text="短。"),
             task("（二）", "长", a("科技部"), text=long))
    plan = Plan(source=PLAN.source, documents=(Document(title="T", tasks=tasks),))
    wb = load(write(tmp_path, plan))
    listing = wb["分工表"]
    assert listing.row_dimensions[3].height is None  # one line: the default height
    width = listing.column_dimensions["E"].width  # 任务内容
    need = -(-len(long) * 2 // (width - 0.5))
    assert listing.row_dimensions[4].height >= need * 13.5
    matrix = wb["矩阵"]
    head, _, _ = matrix_table(matrix)
    assert matrix.row_dimensions[head].height > 30  # the vertical department names
    assert matrix.row_dimensions[head + 1].height == 20  # even rows, air around the marks


def test_text_rows_never_exceed_excels_limit(tmp_path: Path) -> None:
    t = task("1.", "长", a("甲部"), text="长" * 30_000)
    ws = load(write(tmp_path, Plan(source=PLAN.source, documents=(Document(tasks=(t,)),))))["分工表"]
    assert ws.row_dimensions[3].height == 409

"""write_diff_workbook (issue 4): two small plan versions written by hand, diffed, written,
read back with openpyxl (values, fills, fonts, rich text), and through `dutymatrix diff -o`."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.rich_text import CellRichText, TextBlock

from matrix.workbook import book as wbbook
from matrix.workbook import diff as wbdiff
from matrix.cli.commands import cli
from matrix.diff import KIND_LABELS, PlanDiff, diff_plans, filter_diff
from matrix.workbook import CHANGE_FILLS, DIFF_SHEET_NAMES, KIND_FILLS, write_diff_workbook
from matrix.models import Assignment, Document, Plan, Role, Source, Task
from matrix.load.pipeline import parse_text

OLD = """关于加强质量工作的实施方案

一、重点任务
（一）加强质量监管。完善质量监管体系，提升监管效能，严厉打击假冒伪劣。（市场监管总局牵头，工业和信息化部、商务部按职责分工负责）
（二）推进标准建设。加快制定重点领域标准，提升标准国际化水平。（市场监管总局、科技部负责）
（三）强化金融支持。引导金融机构加大对质量提升的支持力度。（人民银行、银保监会负责）
（四）开展宣传培训。组织开展质量月等宣传活动，普及质量知识。（中央宣传部负责）
二、保障措施
（五）加强组织领导。各地区各部门要加强组织领导，压实工作责任。（国家发展改革委负责）
"""

# （一） reworded (全面 in, 严厉 out) and 商务部 → 财政部; （二） 科技部 becomes lead; （三）
# 银保监会 → 金融监管总局 (succession); （四） replaced by a new clause; （五） unchanged.
NEW = OLD.replace("提升监管效能，严厉打击", "全面提升监管效能，打击").replace(
    "工业和信息化部、商务部", "工业和信息化部、财政部").replace(
    "（市场监管总局、科技部负责）", "（科技部牵头，市场监管总局负责）").replace(
    "银保监会", "金融监管总局").replace(
    "（四）开展宣传培训。组织开展质量月等宣传活动，普及质量知识。（中央宣传部负责）",
    "（四）加强质量统计。建立质量统计指标体系，定期发布质量分析报告。（国家统计局负责）")


@pytest.fixture(scope="module")
def pair() -> tuple[Plan, Plan, PlanDiff]:
    old, new = parse_text(OLD, "old.txt"), parse_text(NEW, "new.txt")
    return old, new, diff_plans(old, new)


@pytest.fixture(scope="module")
def book(pair: tuple[Plan, Plan, PlanDiff], tmp_path_factory: pytest.TempPathFactory) -> Any:
    old, new, diff = pair
    path = write_diff_workbook(diff, old, new, tmp_path_factory.mktemp("diff") / "diff.xlsx")
    return openpyxl.load_workbook(path, rich_text=True)


def fill(cell: Any) -> str | None:
    """The RGB of a cell's solid fill, None without one."""
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return cell.fill.fgColor.rgb[-6:]


def table(ws: Any, first: str = "序号") -> tuple[int, dict[str, int]]:
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == first)
    return head, {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)
                  if ws.cell(head, c).value is not None}


def test_the_example_has_every_kind_of_change(pair: tuple[Plan, Plan, PlanDiff]) -> None:
    _, _, diff = pair
    assert [(e.kinds, e.old.label if e.old else None, e.new.label if e.new else None)
            for e in diff.entries] == [
        (("text_changed", "departments_changed"), "（一）", "（一）"),
        (("departments_changed",), "（二）", "（二）"),
        (("departments_changed",), "（三）", "（三）"),
        (("removed",), "（四）", None),
        (("added",), None, "（四）")]


def test_sheets_and_properties(book: Any) -> None:
    assert book.sheetnames == list(DIFF_SHEET_NAMES) == ["概要", "任务变化", "部门变化", "矩阵对比"]
    assert book.properties.title == "《关于加强质量工作的实施方案》版本比较"
    assert book.properties.creator.startswith("dutymatrix ")
    for ws in book:
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页", ws.title
        assert ws.oddHeader.left.text == book.properties.title


def test_summary_counts_each_kind_in_its_colour(book: Any,
                                                pair: tuple[Plan, Plan, PlanDiff]) -> None:
    _, _, diff = pair
    ws = book["概要"]
    pairs = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, ws.max_row + 1)}
    assert "old.txt" in pairs["原版本"].value and "new.txt" in pairs["新版本"].value
    for kind, count in diff.counts().items():
        assert pairs[KIND_LABELS[kind]].value == count
        label = next(ws.cell(r, 1) for r in range(1, ws.max_row + 1)
                     if ws.cell(r, 1).value == KIND_LABELS[kind])
        assert fill(label) == KIND_FILLS[kind]
    assert pairs["合计"].value == len(diff.entries) == 5
    assert "部门筛选" not in pairs


def test_one_row_per_change_coloured_by_kind(book: Any, pair: tuple[Plan, Plan, PlanDiff]) -> None:
    _, _, diff = pair
    ws = book["任务变化"]
    head, columns = table(ws)
    rows = list(range(head + 1, ws.max_row + 1))
    assert len(rows) == len(diff.entries)
    assert list(columns) == ["序号", "变化", "原编号", "原章节", "新编号", "新章节", "任务",
                             "匹配方式", "相似度", "文字变化", "部门变化"]
    for r, e in zip(rows, diff.entries):
        value = {h: ws.cell(r, c).value for h, c in columns.items()}
        assert value["变化"] == "、".join(KIND_LABELS[k] for k in e.kinds)
        assert value["原编号"] == (e.old.label if e.old else None)
        assert value["新编号"] == (e.new.label if e.new else None)
        assert {fill(ws.cell(r, c)) for c in columns.values()} == {KIND_FILLS[e.kind]}
    first = {h: ws.cell(head + 1, c).value for h, c in columns.items()}
    assert first["原章节"] == first["新章节"] == "一、重点任务"
    assert first["任务"] == "加强质量监管" and first["匹配方式"] == "标题相同"
    assert first["部门变化"] == "+财政部(负责) −商务部(负责)"
    assert ws.cell(head + 2, columns["部门变化"]).value == "科技部 负责→牵头"
    assert ws.cell(head + 3, columns["部门变化"]).value == "银保监会→金融监管总局"
    assert ws.freeze_panes == f"C{head + 1}" and ws.auto_filter.ref == f"A{head}:K{head + 5}"


def test_word_diff_strikes_deletions_and_marks_insertions(book: Any) -> None:
    ws = book["任务变化"]
    head, columns = table(ws)
    value = ws.cell(head + 1, columns["文字变化"]).value
    assert isinstance(value, CellRichText)
    blocks = [b for b in value if isinstance(b, TextBlock)]
    deleted = [b.text for b in blocks if b.font.strike]
    inserted = [b.text for b in blocks if b.font.u == "single"]
    assert deleted == ["严厉"] and inserted == ["全面"]
    assert all(b.font.color.rgb.endswith("C00000") for b in blocks if b.font.strike)
    assert "".join(b.text for b in blocks if not b.font.strike) == (
        "加强质量监管。完善质量监管体系，全面提升监管效能，打击假冒伪劣。")
    assert all(b.font.rFont == "宋体" for b in blocks)
    # a change without a text difference has an empty cell
    assert ws.cell(head + 2, columns["文字变化"]).value is None


def test_long_unchanged_text_is_shortened_to_its_ends() -> None:
    rich = wbdiff._diff_text((("equal", "甲" * 100, "甲" * 100), ("insert", "", "新"),
                             ("equal", "乙" * 100, "乙" * 100)))
    text = str(rich)
    assert text == "…" + "甲" * 40 + "新" + "乙" * 40 + "…"


def test_departments_sheet(book: Any, pair: tuple[Plan, Plan, PlanDiff]) -> None:
    _, _, diff = pair
    ws = book["部门变化"]
    head, columns = table(ws, "部门")
    assert list(columns) == ["部门", "新增任务", "减少任务", "新增牵头", "取消牵头", "角色变化",
                             "机构改革承继", "合计", "明细"]
    got = {ws.cell(r, 1).value: {h: ws.cell(r, c) for h, c in columns.items()}
           for r in range(head + 1, ws.max_row + 1)}
    assert list(got) == [d.department for d in diff.departments]
    assert got["科技部"]["角色变化"].value == 1 and got["科技部"]["新增牵头"].value == 1
    assert fill(got["科技部"]["角色变化"]) == CHANGE_FILLS["role_changed"]
    assert got["科技部"]["减少任务"].value is None  # zero: left blank
    assert got["财政部"]["新增任务"].value == 1
    assert fill(got["财政部"]["新增任务"]) == CHANGE_FILLS["gained"]
    assert got["中央宣传部"]["减少任务"].value == 1
    assert got["中央宣传部"]["明细"].value == "−一、（四）（负责）"
    assert got["银保监会"]["机构改革承继"].value == got["金融监管总局"]["机构改革承继"].value == 1
    assert got["银保监会"]["明细"].value == "一、（三）（银保监会→金融监管总局）"


def matrix_rows(ws: Any) -> tuple[dict[str, int], list[dict[str, Any]]]:
    head, columns = table(ws)
    rows = [{h: ws.cell(r, c) for h, c in columns.items()} for r in range(head + 1, ws.max_row + 1)]
    return columns, rows


def test_matrix_colours_every_changed_cell(book: Any) -> None:
    columns, rows = matrix_rows(book["矩阵对比"])
    assert [r["编号"].value for r in rows] == ["（一）", "（二）", "（三）", "（四）", "（四）", "（五）"]
    one, two, three, removed, added, five = rows
    # gained green, lost red with the old mark struck through
    assert (one["财政部"].value, fill(one["财政部"])) == ("●", CHANGE_FILLS["gained"])
    assert (one["商务部"].value, fill(one["商务部"])) == ("●", CHANGE_FILLS["lost"])
    assert one["商务部"].font.strike and not one["财政部"].font.strike
    assert (one["市场监管总局"].value, fill(one["市场监管总局"])) == ("★", None)  # unchanged
    # role changed amber, showing the new role
    assert (two["科技部"].value, fill(two["科技部"])) == ("★", CHANGE_FILLS["role_changed"])
    # succession blue: the heir's mark, and the old department's struck through
    assert fill(three["金融监管总局"]) == fill(three["银保监会"]) == CHANGE_FILLS["succession"]
    assert three["银保监会"].font.strike and not three["金融监管总局"].font.strike
    # an added task: every mark gained
    assert (added["国家统计局"].value, fill(added["国家统计局"])) == ("●", CHANGE_FILLS["gained"])
    assert added["变化"].value == "新增" and fill(added["变化"]) == KIND_FILLS["added"]
    assert five["变化"].value is None and fill(five["国家发展改革委"]) is None
    assert [r["序号"].value for r in rows] == [1, 2, 3, None, 4, 5]


def test_removed_task_is_a_struck_through_row_where_it_stood(book: Any) -> None:
    columns, rows = matrix_rows(book["矩阵对比"])
    removed = rows[3]
    assert removed["任务"].value == "开展宣传培训" and removed["变化"].value == "删除"
    for name in ("章节", "编号", "任务", "中央宣传部"):
        assert removed[name].font.strike, name
        assert fill(removed[name]) == KIND_FILLS["removed"]
    assert removed["中央宣传部"].value == "●"
    # 中央宣传部 is named only by the old version: its column follows the new plan's
    assert list(columns).index("中央宣传部") > list(columns).index("国家统计局")


def test_matrix_sheet_layout(book: Any) -> None:
    ws = book["矩阵对比"]
    head, columns = table(ws)
    assert ws.freeze_panes == f"F{head + 1}"
    assert ws.print_title_rows == f"${head - 1}:${head}"  # legend and header on every page
    assert ws.cell(head, columns["科技部"]).alignment.textRotation == 255
    assert "图例" in str(ws.cell(head - 1, 1).value)
    assert ws.page_setup.orientation == "landscape"


def test_no_cell_is_a_formula(tmp_path: Path) -> None:
    def plan(*titles: str) -> Plan:
        tasks = tuple(Task(number=f"（{i}）", title=t, text=f"{t}。正文", line=i,
                           assignments=(Assignment(department=f"{t}部", as_printed=f"{t}部",
                                                   role=Role.lead),))
                      for i, t in enumerate(titles, 1))
        return Plan(source=Source(path="=cmd|' /C calc'!A0", sha256="0" * 64),
                    documents=(Document(title="=2*3", tasks=tasks),))

    old = plan('=HYPERLINK("http://x")', "@SUM(A1)", "稳定")
    new = plan("+SUM(B2:B9)*100", "稳定", "-2")
    for fast in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(wbbook, "_FAST_ROWS", fast and wbbook._FAST_ROWS)
            out = write_diff_workbook(diff_plans(old, new), old, new, tmp_path / f"{fast}.xlsx")
        wb = openpyxl.load_workbook(out)
        cells = [c for ws in wb for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
        values = {c.value for c in cells}
        assert {'=HYPERLINK("http://x")', "@SUM(A1)", "+SUM(B2:B9)*100", "-2"} <= values
        assert wb.properties.title == "《=2*3》版本比较"


def test_fast_and_public_row_paths_write_the_same_cells(
        tmp_path: Path, pair: tuple[Plan, Plan, PlanDiff],
        monkeypatch: pytest.MonkeyPatch) -> None:
    if not wbbook._FAST_ROWS:
        pytest.skip("openpyxl without the fast row path")
    old, new, diff = pair
    # One moment for both: the generation time is written in the workbook.
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    fast = openpyxl.load_workbook(write_diff_workbook(diff, old, new, tmp_path / "f.xlsx",
                                                      generated_at=moment))
    monkeypatch.setattr(wbbook, "_FAST_ROWS", False)
    slow = openpyxl.load_workbook(write_diff_workbook(diff, old, new, tmp_path / "s.xlsx",
                                                      generated_at=moment))
    for f, s in zip(fast, slow):
        assert (f.max_row, f.max_column, f.freeze_panes) == (s.max_row, s.max_column,
                                                             s.freeze_panes), f.title
        for rf, rs in zip(f.iter_rows(), s.iter_rows()):
            for cf, cs in zip(rf, rs):
                assert (cf.value, fill(cf), cf.font.strike) == (cs.value, fill(cs),
                                                                cs.font.strike), cf.coordinate
        for r in range(1, f.max_row + 1):
            assert f.row_dimensions[r].height == s.row_dimensions[r].height


def test_no_differences(tmp_path: Path, pair: tuple[Plan, Plan, PlanDiff]) -> None:
    old, _, _ = pair
    wb = openpyxl.load_workbook(write_diff_workbook(diff_plans(old, old), old, old,
                                                    tmp_path / "same.xlsx"))
    texts = [c.value for row in wb["概要"].iter_rows() for c in row if c.value]
    assert "两个版本没有差别。" in texts
    head, _ = table(wb["任务变化"])
    assert wb["任务变化"].max_row == head
    _, rows = matrix_rows(wb["矩阵对比"])
    assert len(rows) == 5 and not any(fill(c) for r in rows for c in r.values())


def test_department_filter_is_named(tmp_path: Path, pair: tuple[Plan, Plan, PlanDiff]) -> None:
    old, new, diff = pair
    only = filter_diff(diff, "科学技术部")  # an alias of 科技部
    wb = openpyxl.load_workbook(write_diff_workbook(only, old, new, tmp_path / "dept.xlsx"))
    pairs = {r[0].value: r[1].value for r in wb["概要"].iter_rows() if r[0].value}
    assert "科技部" in pairs["部门筛选"]
    head, _ = table(wb["任务变化"])
    assert wb["任务变化"].max_row == head + 1
    _, rows = matrix_rows(wb["矩阵对比"])
    assert fill(rows[1]["科技部"]) == CHANGE_FILLS["role_changed"]
    assert fill(rows[0]["财政部"]) is None  # not 科技部's change


def test_written_whole_or_not_at_all(tmp_path: Path, pair: tuple[Plan, Plan, PlanDiff],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    old, new, diff = pair

    def boom(*args: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(wbdiff, "_diff_matrix_sheet", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_diff_workbook(diff, old, new, tmp_path / "diff.xlsx")
    assert os.listdir(tmp_path) == []


def test_cli_writes_the_workbook_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "old.txt"),
                                      str(tmp_path / "new.txt"), "-o", str(out)])
    assert result.exit_code == 1, result.output  # like diff(1): differences found
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(DIFF_SHEET_NAMES)
    head, _ = table(wb["任务变化"])
    assert wb["任务变化"].max_row == head + 5
    same = CliRunner().invoke(cli, ["diff", str(tmp_path / "old.txt"),
                                    str(tmp_path / "old.txt"), "-o", str(tmp_path / "same.xlsx")])
    assert same.exit_code == 0 and (tmp_path / "same.xlsx").is_file()

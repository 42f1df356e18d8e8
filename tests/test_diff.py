"""diff_plans: matching passes, kinds of change, department changes, filter and formatting."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix.diff import (
    MatchError,
    PlanDiff,
    diff_plans,
    filter_diff,
    render_summary,
    text_diff,
)
from matrix.errors import NoClausesError
from matrix.models import Assignment, Document, Plan, Role, Source, Task
from matrix.load.pipeline import parse_file, parse_text
from matrix.pivot import build_matrix

ROOT = Path(__file__).resolve().parent.parent
SEED_001 = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"

INPUTS = [*sorted((ROOT / "seeds").glob("*.txt")),
          *sorted((Path(__file__).parent / "corpus").glob("*.txt"))]
L, R, S, G = Role.lead, Role.responsible, Role.support, Role.guide


# ---------------------------------------------------------------------------------------------
# Building plans directly from records

def task(label: str, text: str, depts=(), section: str | None = "一、任务", title: str | None = None,
         line: int = 1) -> Task:
    """A task; ``depts`` holds names (responsible) or (name, role) or (name, role, inherited)."""
    assignments = []
    for d in depts:
        name, role, inherited = (d, R, False) if isinstance(d, str) else (*d, False)[:3]
        assignments.append(Assignment(department=name, as_printed=name, role=role,
                                      inherited=inherited))
    return Task(number=label, section=section, title=title or text.split("。")[0], text=text,
                line=line, assignments=tuple(assignments))


def plan(*tasks: Task, path: str = "p.txt") -> Plan:
    return Plan(source=Source(path=path, sha256="0" * 64), documents=(Document(tasks=tasks),))


def kinds_of(diff: PlanDiff) -> list[tuple[str, str | None, str | None]]:
    return [(e.kind, e.old.label if e.old else None, e.new.label if e.new else None)
            for e in diff.entries]


# ---------------------------------------------------------------------------------------------
# Identity

@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_a_plan_against_itself_is_empty(path):
    try:
        plan_ = parse_file(path)
    except NoClausesError:  # seeds 000, 002 and 004 are news articles, not plans
        pytest.skip("not a plan")
    diff = diff_plans(plan_, plan_)
    assert diff.is_empty(), kinds_of(diff)
    assert diff.departments == ()
    # every row of the matrix (a task, or a clause of a plan without trailers) is paired
    assert len(diff.pairs) == len(build_matrix(plan_).rows) >= len(plan_.tasks)
    assert {how for _, _, how in diff.pairs} <= {"text"}


def test_traditional_seed_against_its_simplified_rendition_is_empty(plan_001):
    import opencc

    simplified = opencc.OpenCC("t2s").convert(SEED_001.read_text(encoding="utf-8"))
    assert simplified != SEED_001.read_text(encoding="utf-8")
    other = parse_text(simplified, "001-simplified.txt")
    diff = diff_plans(plan_001, other)
    assert diff.is_empty(), kinds_of(diff)
    assert len(diff.pairs) == len(plan_001.tasks) == 22


# ---------------------------------------------------------------------------------------------
# A version of seed 001 with one change of every kind

_HAN = "一二三四五六七八九"
_CLAUSE = re.compile(r"^（([一二三四五六七八九十]+)）")


def han(n: int) -> str:
    """1 → 一, 10 → 十, 22 → 二十二."""
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else _HAN[tens - 1]) + ("十" if tens else "")
            + (_HAN[ones - 1] if ones else ""))


NEW_CLAUSE = ("加强质量统计分析。建立健全覆盖产品、工程、服务的质量统计指标体系，定期开展质量状况调查，"
              "发布年度质量分析报告，为宏观决策提供数据支撑。（国家统计局、市场监管总局等按职责分工负责）")


def edited_seed_001() -> str:
    """Seed 001 (normalised, simplified) edited by hand, the way a revised plan would be."""
    from matrix.text.normalise import normalise

    lines = normalise(SEED_001.read_text(encoding="utf-8")).text.splitlines()
    clauses = {}  # old number (1-based) → body without its number
    items: list[tuple[str, object]] = []
    for line in lines:
        m = _CLAUSE.match(line)
        if m:
            n = len(clauses) + 1
            assert han(n) == m.group(1)
            clauses[n] = line[m.end():]
            items.append(("clause", n))
        else:
            items.append(("line", line))

    def edit(n: int, old: str, new: str) -> None:
        assert clauses[n].count(old) == 1, (n, old)
        clauses[n] = clauses[n].replace(old, new)

    # 1. remove （三）
    items.remove(("clause", 3))
    # 2. insert a new clause after （十三）
    clauses[99] = NEW_CLAUSE
    items.insert(items.index(("clause", 13)) + 1, ("clause", 99))
    # 3. move （二十二） from section 七 to the end of section 六 (after （十八）)
    items.remove(("clause", 22))
    items.insert(items.index(("clause", 18)) + 1, ("clause", 22))
    # 4. a lead: （十四） 科技部 becomes 牵头
    edit(14, "（科技部、工业和信息化部、市场监管总局等按职责分工负责）",
         "（科技部牵头，工业和信息化部、市场监管总局按职责分工负责）")
    # 5. add 财政部 to （十五）, remove 广电总局 from （十七）
    edit(15, "国务院国资委、", "国务院国资委、财政部、")
    edit(17, "广电总局、", "")
    # 6. reword the title of （六）
    edit(6, "强化材料质量保障能力。", "全面强化材料质量保障能力。")
    # 7. an alias (no change) and a successor (succession), everywhere they are printed
    for n in clauses:
        clauses[n] = clauses[n].replace("住房和城乡建设部", "住房城乡建设部")
        clauses[n] = clauses[n].replace("银保监会", "金融监管总局")

    out, number = [], 0
    for kind, value in items:
        if kind == "line":
            out.append(value)
        else:
            number += 1
            out.append(f"（{han(number)}）{clauses[value]}")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def edited_pair(plan_001):
    return plan_001, parse_text(edited_seed_001(), "001-revised.txt")


def entry(diff: PlanDiff, old: str | None, new: str | None):
    found = [e for e in diff.entries
             if (e.old.label if e.old else None) == old and (e.new.label if e.new else None) == new]
    assert len(found) == 1, (old, new, kinds_of(diff))
    return found[0]


def test_edited_seed_reports_every_change_once_and_nothing_else(edited_pair):
    old, new = edited_pair
    assert len(new.tasks) == 22
    diff = diff_plans(old, new)
    renumbered_only = [("（四）", "（三）"), ("（五）", "（四）"), ("（七）", "（六）"), ("（八）", "（七）"),
                       ("（九）", "（八）"), ("（十）", "（九）"), ("（十一）", "（十）"),
                       ("（十三）", "（十二）"), ("（二十）", "（二十一）"), ("（二十一）", "（二十二）")]
    expected = {
        ("（三）", None): ("removed",),
        (None, "（十三）"): ("added",),
        ("（二十二）", "（十九）"): ("moved", "renumbered"),
        ("（六）", "（五）"): ("text_changed", "renumbered"),
        ("（十四）", "（十四）"): ("departments_changed",),
        ("（十五）", "（十五）"): ("departments_changed",),
        ("（十七）", "（十七）"): ("departments_changed",),
        ("（十二）", "（十一）"): ("renumbered", "departments_changed"),  # 银保监会 → 金融监管总局
        ("（十九）", "（二十）"): ("renumbered", "departments_changed"),  # the same
        **{pair: ("renumbered",) for pair in renumbered_only},
    }
    got = {(e.old.label if e.old else None, e.new.label if e.new else None): e.kinds
           for e in diff.entries}
    assert len(got) == len(diff.entries) == 19
    assert got == expected

    # Department changes, each once and of the right sort.
    lead = entry(diff, "（十四）", "（十四）").departments
    assert [(c.department, c.old, c.new) for c in lead.role_changed] == [("科技部", R, L)]
    assert not (lead.gained or lead.lost or lead.succession)
    gained = entry(diff, "（十五）", "（十五）").departments
    assert [(d.department, d.role) for d in gained.gained] == [("财政部", R)]
    assert not (gained.lost or gained.role_changed or gained.succession)
    lost = entry(diff, "（十七）", "（十七）").departments
    assert [(d.department, d.role) for d in lost.lost] == [("广电总局", R)]
    for pair in [("（十二）", "（十一）"), ("（十九）", "（二十）")]:
        ch = entry(diff, *pair).departments
        assert [(s.old, s.new, s.old_role, s.new_role) for s in ch.succession] == [
            ("银保监会", "金融监管总局", R, R)]
        assert not (ch.gained or ch.lost or ch.role_changed)
    # The alias 住房城乡建设部 changed nothing: （四）→（三） and （十三）→（十二） print it.
    for pair in [("（四）", "（三）"), ("（十三）", "（十二）")]:
        assert not entry(diff, *pair).departments

    # The matched pairs: how each was found.
    how = {e.old.label: e.matched_by for e in diff.entries if e.old and e.new}
    assert how["（二十二）"] == "text"
    assert how["（六）"] == "similar"
    assert how["（十四）"] == "text"
    reworded = entry(diff, "（六）", "（五）")
    assert [s for s in reworded.text_diff if s[0] != "equal"] == [("insert", "", "全面")]
    assert not reworded.departments
    assert entry(diff, "（二十二）", "（十九）").old.section == "七、强化实施保障"
    assert entry(diff, "（二十二）", "（十九）").new.section == "六、以质量变革创新推动质量持续提升"

    # Added and removed tasks carry their departments (inherited ones flagged).
    added = entry(diff, None, "（十三）").departments
    assert [(d.department, d.inherited) for d in added.gained] == [
        ("国家统计局", False), ("市场监管总局", False), ("地方各级人民政府", True)]
    removed = entry(diff, "（三）", None).departments
    assert "体育总局" in {d.department for d in removed.lost}

    # Per department.
    summary = {d.department: d for d in diff.departments}
    assert (summary["财政部"].tasks_gained, summary["财政部"].tasks_lost) == (1, 0)
    assert (summary["科技部"].role_changed, summary["科技部"].lead_gained) == (1, 1)
    assert summary["广电总局"].tasks_lost == 1
    assert summary["银保监会"].succession == summary["金融监管总局"].succession == 2
    assert summary["国家统计局"].tasks_gained == 1
    assert summary["体育总局"].tasks_lost == 1
    assert "住房城乡建设部" not in summary and "住房和城乡建设部" not in summary
    totals = [d.total for d in diff.departments]
    assert totals == sorted(totals, reverse=True)

    # Every pair is either an entry or unchanged; nothing is left over.
    assert len(diff.pairs) == 21  # 22 old tasks, one removed


def test_edited_seed_in_reverse_is_the_mirror_image(edited_pair):
    old, new = edited_pair
    forward, backward = diff_plans(old, new), diff_plans(new, old)
    mirror = {"added": "removed", "removed": "added"}
    assert sorted((mirror.get(e.kind, e.kind), e.new.label if e.new else None,
                   e.old.label if e.old else None) for e in backward.entries) == sorted(
        (e.kind, e.old.label if e.old else None, e.new.label if e.new else None)
        for e in forward.entries)
    back = entry(backward, "（十一）", "（十二）").departments
    assert [(s.old, s.new) for s in back.succession] == [("金融监管总局", "银保监会")]


def test_json_has_the_stable_keys(edited_pair):
    import json

    data = diff_plans(*edited_pair).to_json()
    json.dumps(data, ensure_ascii=False)
    assert {"tasks", "departments", "counts", "old_source", "new_source"} <= data.keys()
    assert data["counts"] == {"added": 1, "removed": 1, "moved": 1, "text_changed": 1,
                              "renumbered": 12, "departments_changed": 5}
    # every task whose departments changed, renumbered or not (the table lists all five)
    assert data["counts"]["departments_changed"] == sum(
        "departments_changed" in t["kinds"] for t in data["tasks"])
    for t in data["tasks"]:
        assert {"kind", "kinds", "old", "new", "matched_by", "departments", "text_diff"} <= t.keys()
        assert set(t["departments"]) == {"gained", "lost", "role_changed", "succession"}
    assert {"department", "tasks_gained", "tasks_lost", "lead_gained", "lead_lost",
            "role_changed", "succession", "total"} <= data["departments"][0].keys()


# ---------------------------------------------------------------------------------------------
# Manual matches, ambiguity, renumbering, split and merge

def test_manual_match_overrides_the_automatic_one(edited_pair):
    old, new = edited_pair
    diff = diff_plans(old, new, matches={"（三）": "（十三）"})
    e = entry(diff, "（三）", "（十三）")
    assert e.matched_by == "manual"
    assert e.kinds == ("moved", "text_changed", "renumbered", "departments_changed")
    assert not [x for x in diff.entries if x.kind in ("added", "removed")]

    same = parse_file(SEED_001)
    diff = diff_plans(same, same, matches={"（一）": "（二）"})
    assert entry(diff, "（一）", "（二）").matched_by == "manual"
    # what the person left over is still found, whole, inside the tasks they paired
    assert sorted(kinds_of(diff)) == [("merged", "（二）", "（二）"), ("split", "（一）", "（一）"),
                                      ("text_changed", "（一）", "（二）")]


def test_manual_match_keys_with_section_and_errors():
    old = plan(task("（一）", "甲乙丙丁戊己庚辛。", ["财政部"], section="一、甲"),
               task("（一）", "子丑寅卯辰巳午未。", ["科技部"], section="二、乙"))
    new = plan(task("（一）", "子丑寅卯辰巳午未申。", ["科技部"], section="一、甲"),
               task("（一）", "甲乙丙丁戊己庚辛酉。", ["财政部"], section="二、乙"))
    diff = diff_plans(old, new, matches={"一、甲/（一）": "乙/(一)"})
    assert [(e.old.section, e.new.section, e.matched_by) for e in diff.entries
            if e.matched_by == "manual"] == [("一、甲", "二、乙", "manual")]
    with pytest.raises(MatchError, match="2 tasks in the old plan"):
        diff_plans(old, new, matches={"（一）": "一、甲/（一）"})
    with pytest.raises(MatchError, match="no task"):
        diff_plans(old, new, matches={"一、甲/（九）": "一、甲/（一）"})


def test_ambiguous_match_is_reported_not_guessed():
    base = "建立健全质量分级制度，促进品牌消费、品质消费，推动内外贸产品同线同标同质。"
    old = plan(task("（一）", base, ["商务部"], title="甲"))
    new = plan(task("（二）", base + "加强监管。", ["商务部"], title="乙"),
               task("（三）", base + "完善标准。", ["商务部"], title="丙"))
    diff = diff_plans(old, new)
    assert [e.kind for e in diff.entries] == ["ambiguous"]
    (e,) = diff.entries
    assert sorted(c.new.label for c in e.candidates) == ["（三）", "（二）"]
    assert {c.old.label for c in e.candidates} == {"（一）"}
    assert diff.pairs == ()
    # A person decides: the rest is then plain.
    diff = diff_plans(old, new, matches={"（一）": "（三）"})
    assert sorted(kinds_of(diff)) == [("added", None, "（二）"),
                                      ("text_changed", "（一）", "（三）")]
    # With the same number in the same place, the number settles a tie.
    new = plan(task("（一）", base + "加强监管。", ["商务部"], title="乙"),
               task("（二）", base + "完善标准。", ["商务部"], title="丙"))
    assert sorted(kinds_of(diff_plans(old, new))) == [("added", None, "（二）"),
                                                       ("text_changed", "（一）", "（一）")]


def test_renumbered_plan_is_not_matched_by_number_to_the_wrong_clause():
    t0 = "加强质量安全监管，完善风险监测机制，开展产品质量监督抽查。"
    t1 = "加强质量安全监管，完善风险监测机制，推进信用风险分类管理。"
    t2 = "发挥示范引领作用，开展质量标杆城市建设。"
    old = plan(task("（一）", t0, ["市场监管总局"]), task("（二）", t1, ["市场监管总局"]),
               task("（三）", t2, ["市场监管总局"]))
    # （一） removed and （二） reworded, so the reworded clause is now （一）: its text is closer to
    # the old （二） (93) than to the old （一） (61), so the number pass must leave it alone.
    reworded = t1.replace("完善风险监测机制", "完善质量安全风险监测机制")
    new = plan(task("（一）", reworded, ["市场监管总局"]), task("（二）", t2, ["市场监管总局"]))
    diff = diff_plans(old, new)
    assert sorted(kinds_of(diff)) == sorted([
        ("removed", "（一）", None), ("text_changed", "（二）", "（一）"),
        ("renumbered", "（三）", "（二）")])
    e = entry(diff, "（二）", "（一）")
    assert (e.kinds, e.matched_by) == (("text_changed", "renumbered"), "similar")


def test_same_number_with_unrelated_text_is_removed_and_added():
    old = plan(task("（一）", "推进质量基础设施互联互通，建设一站式服务平台。", ["财政部"]))
    new = plan(task("（一）", "开展全民健身活动，建设体育公园和健身步道。", ["财政部"]))
    assert sorted(kinds_of(diff_plans(old, new))) == [("added", None, "（一）"),
                                                       ("removed", "（一）", None)]


def test_same_number_with_a_rewritten_text_is_matched_by_number():
    old = plan(task("（一）", "推进质量基础设施互联互通，建设一站式服务平台，提升服务效能。", ["财政部"]))
    new = plan(task("（一）", "推进质量基础设施建设，打造一站式服务平台，提高检验检测服务效能。", ["财政部"]))
    (e,) = diff_plans(old, new).entries
    assert (e.kinds, e.matched_by) == (("text_changed",), "number")


def test_split_and_merge():
    a = "完善质量统计指标体系，定期开展质量状况调查和分析。"
    b = "加强质量基础设施建设，提升计量检测认证服务能力。"
    c = "推动企业建立首席质量官制度，加强全员全过程质量管理。"
    old = plan(task("（一）", a + b, ["财政部"]), task("（二）", c, ["科技部"]),
               task("（三）", "开展质量月活动。营造重视质量的社会氛围。", ["教育部"]))
    new = plan(task("（一）", a, ["财政部"]), task("（二）", b, ["财政部", "商务部"]),
               task("（三）", c + "开展质量月活动。营造重视质量的社会氛围。", ["科技部", "教育部"]))
    diff = diff_plans(old, new)
    got = sorted((e.kinds, e.old.label, e.new.label, e.matched_by) for e in diff.entries)
    assert got == sorted([
        (("text_changed",), "（一）", "（一）", "title"),
        (("split", "departments_changed"), "（一）", "（二）", "contained"),
        (("text_changed", "renumbered", "departments_changed"), "（二）", "（三）", "title"),
        (("merged", "departments_changed"), "（三）", "（三）", "contained"),
    ])
    split = entry(diff, "（一）", "（二）").departments
    assert [d.department for d in split.gained] == ["商务部"]


def test_moved_between_subsections_is_moved():
    old = plan(Task(number="1.", section="一、甲", subsection="（一）乙", title="丙",
                    text="完善质量统计指标体系，定期开展调查。", line=1),
               Task(number="1.", section="一、甲", subsection="（二）丁", title="戊",
                    text="加强质量基础设施建设，提升服务能力。", line=2))
    new = plan(Task(number="1.", section="一、甲", subsection="（一）乙", title="戊",
                    text="加强质量基础设施建设，提升服务能力。", line=1),
               Task(number="1.", section="一、甲", subsection="（二）丁", title="丙",
                    text="完善质量统计指标体系，定期开展调查。", line=2))
    assert sorted(e.kinds for e in diff_plans(old, new).entries) == [("moved",), ("moved",)]


def test_renumbered_section_is_no_move():
    t = "完善质量统计指标体系，定期开展质量状况调查。"
    old = plan(task("（一）", t, section="二、推动质量升级"))
    new = plan(task("（一）", t, section="三、推动质量升级"))
    assert diff_plans(old, new).is_empty()


# ---------------------------------------------------------------------------------------------
# Departments

def test_department_changes_and_inherited_flag():
    text = "完善质量统计指标体系，定期开展质量状况调查。"
    old = plan(task("（一）", text, [("财政部", R), ("科技部", L), ("银保监会", S),
                                    ("地方各级人民政府", R, True)]))
    new = plan(task("（一）", text, [("财政部", L), ("教育部", R), ("金融监管总局", R),
                                    ("地方各级人民政府", R, False)]))
    (e,) = diff_plans(old, new).entries
    ch = e.departments
    assert e.kinds == ("departments_changed",)
    assert [(d.department, d.role) for d in ch.gained] == [("教育部", R)]
    assert [(d.department, d.role) for d in ch.lost] == [("科技部", L)]
    assert [(c.department, c.old, c.new) for c in ch.role_changed] == [("财政部", R, L)]
    assert [(s.old, s.new, s.old_role, s.new_role) for s in ch.succession] == [
        ("银保监会", "金融监管总局", S, R)]


def test_succession_skips_a_generation():
    text = "完善金融监管体制，防范化解金融风险。"
    old = plan(task("（一）", text, ["银监会"]))
    new = plan(task("（一）", text, ["金融监管总局"]))
    (e,) = diff_plans(old, new).entries
    assert [(s.old, s.new) for s in e.departments.succession] == [("银监会", "金融监管总局")]


def test_inherited_assignment_that_becomes_printed_is_no_change():
    text = "完善质量统计指标体系，定期开展质量状况调查。"
    old = plan(task("（一）", text, [("地方各级人民政府", R, True)]))
    new = plan(task("（一）", text, [("地方各级人民政府", R, False)]))
    assert diff_plans(old, new).is_empty()


def test_filter_diff_keeps_one_department(edited_pair):
    diff = diff_plans(*edited_pair)
    mine = filter_diff(diff, "财政部")
    assert mine.department == "财政部"
    assert [d.department for d in mine.departments] == ["财政部"]
    for e in mine.entries:
        assert e.departments.names() <= {"财政部"}
        assert any("财政部" in ref.departments for ref in (e.old, e.new) if ref)
    gained = entry(mine, "（十五）", "（十五）")
    assert [d.department for d in gained.departments.gained] == ["财政部"]
    # 财政部 holds （四） and （十九）, renumbered: shown, without anyone else's changes
    assert entry(mine, "（四）", "（三）").kinds == ("renumbered",)
    assert entry(mine, "（十九）", "（二十）").kinds == ("renumbered",)
    assert "（十四）" not in {e.old.label for e in mine.entries if e.old}

    # an alias finds the canonical department; a succession shows on both names
    assert filter_diff(diff, "国家金融监督管理总局").department == "金融监管总局"
    for name in ("银保监会", "金融监管总局"):
        only = filter_diff(diff, name)
        assert sum(len(e.departments.succession) for e in only.entries) == 2
    assert filter_diff(diff, "火星开发署").is_empty()


# ---------------------------------------------------------------------------------------------
# Formatting

def test_render_summary_plain_and_coloured(edited_pair, monkeypatch):
    from rich.console import Console

    diff = diff_plans(*edited_pair)
    out = io.StringIO()
    render_summary(diff, Console(file=out, width=240))
    text = out.getvalue()
    assert "\x1b[" not in text
    assert "19 changes: 1 added, 1 removed, 1 moved, 1 text changed, 12 renumbered" in text
    assert "任务变化" in text and "部门变化" in text and "银保监会→金融监管总局" in text
    assert "仅重新编号 10 项: （四）→（三）、（五）→（四）" in text
    out = io.StringIO()
    render_summary(diff, Console(file=out, width=240), all_renumbered=True)
    assert "仅重新编号" not in out.getvalue() and out.getvalue().count("重新编号") == 14

    out = io.StringIO()
    render_summary(diff, Console(file=out, width=240, force_terminal=True))
    assert "\x1b[" in out.getvalue()

    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    render_summary(diff, Console(file=out, width=240, force_terminal=True))
    assert "\x1b[31m" not in out.getvalue()  # no red for 删除

    out = io.StringIO()
    render_summary(diff_plans(edited_pair[0], edited_pair[0]), Console(file=out))
    assert out.getvalue() == "No differences.\n"


@pytest.mark.parametrize(("old", "new", "changes"), [
    ("加强质量监管。", "强化质量监管。", [("replace", "加强", "强化")]),
    ("提高5G网络建设质量", "提高IPv6网络建设质量", [("replace", "5G", "IPv6")]),
    ("到2025年完成", "到2027年完成", [("replace", "2025", "2027")]),
    ("推进试点，总结经验", "推进试点", [("delete", "，总结经验", "")]),
])
def test_text_diff_segments(old, new, changes):
    segments = text_diff(old, new)
    assert [s for s in segments if s[0] != "equal"] == changes


@given(st.text(alphabet="质量提升加强推进，。5G", max_size=40),
       st.text(alphabet="质量提升加强推进，。5G", max_size=40))
def test_text_diff_rebuilds_both_texts(old, new):
    segments = text_diff(old, new)
    assert "".join(s[1] for s in segments) == old
    assert "".join(s[2] for s in segments) == new
    assert all(s[1] == s[2] for s in segments if s[0] == "equal")


# ---------------------------------------------------------------------------------------------
# Properties over generated plans

DEPTS = ["财政部", "科技部", "教育部", "商务部", "银保监会", "金融监管总局", "住房城乡建设部",
         "民政部", "地方各级人民政府"]
ALPHABET = "质量提升加强推进完善建设服务标准体系产品工程创新发展监管安全技术能力制度市场企业农业数字"
roles = st.sampled_from(list(Role))
assignments = st.lists(st.tuples(st.sampled_from(DEPTS), roles, st.booleans()), max_size=4)


def build(items, sections=3, path="p.txt") -> Plan:
    """Tasks numbered in order, spread over a few sections, in one or two documents."""
    tasks = [task(f"（{han(n + 1)}）" if n < 99 else f"{n + 1}.", text,
                  [(d, r, i) for d, r, i in depts], section=f"{han(n % sections + 1)}、节",
                  title=text[:12], line=n + 1)
             for n, (text, depts) in enumerate(items)]
    tasks.sort(key=lambda t: t.section)
    return Plan(source=Source(path=path, sha256="0" * 64),
                documents=(Document(tasks=tuple(tasks)),))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(alphabet=ALPHABET + "。", max_size=30), assignments),
                max_size=25),
       st.integers(1, 4))
def test_generated_plan_against_itself_is_empty(items, sections):
    p = build(items, sections)
    diff = diff_plans(p, p)
    assert diff.is_empty()
    assert len(diff.pairs) == len(p.tasks)


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(20, 50))) + "。"


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_removals_insertions_and_department_changes_are_reported_exactly(data):
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    n = data.draw(st.integers(1, 30))
    olds = [(random_text(rng), data.draw(assignments)) for _ in range(n)]
    removed = set(data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)))
    changed = set(data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))) - removed
    new_items, origin = [], []
    for i, (text, depts) in enumerate(olds):
        if i in removed:
            continue
        if i in changed:
            depts = data.draw(assignments)
        new_items.append((text, depts))
        origin.append(i)
    for _ in range(data.draw(st.integers(0, 5))):
        at = data.draw(st.integers(0, len(new_items)))
        new_items.insert(at, (random_text(rng), data.draw(assignments)))
        origin.insert(at, None)
    old_plan, new_plan = build(olds, 1), build(new_items, 1)
    diff = diff_plans(old_plan, new_plan)

    got_removed = {e.old.index for e in diff.entries if e.kind == "removed"}
    got_added = {e.new.index for e in diff.entries if e.kind == "added"}
    assert got_removed == removed
    assert got_added == {j for j, o in enumerate(origin) if o is None}
    assert len(got_removed) + len(diff.pairs) == len(old_plan.tasks)
    assert len(got_added) + len(diff.pairs) == len(new_plan.tasks)
    assert {(i, j) for i, j, _ in diff.pairs} == {(o, j) for j, o in enumerate(origin)
                                                  if o is not None}
    for e in diff.entries:
        assert e.kind in ("added", "removed", "renumbered", "departments_changed")
        if e.old and e.new:
            assert "departments_changed" not in e.kinds or e.old.index in changed


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(alphabet=ALPHABET[:8] + "。", min_size=5, max_size=30),
                          assignments), max_size=15),
       st.lists(st.tuples(st.text(alphabet=ALPHABET[:8] + "。", min_size=5, max_size=30),
                          assignments), max_size=15))
def test_every_task_is_accounted_for_once(old_items, new_items):
    """Any two plans: each task is matched once, or in exactly one unmatched entry."""
    old, new = build(old_items, 2), build(new_items, 2)
    diff = diff_plans(old, new)
    pair_old = [i for i, _, _ in diff.pairs]
    pair_new = [j for _, j, _ in diff.pairs]
    assert len(set(pair_old)) == len(pair_old) and len(set(pair_new)) == len(pair_new)
    seen_old, seen_new = set(pair_old), set(pair_new)
    for e in diff.entries:
        if e.kind == "removed":
            assert e.old.index not in seen_old
        if e.kind == "added":
            assert e.new.index not in seen_new
        for ref, seen in ((e.old, seen_old), (e.new, seen_new)):
            if ref is not None:
                seen.add(ref.index)
        for c in e.candidates:
            seen_old.add(c.old.index)
            seen_new.add(c.new.index)
        if e.old and e.new and e.kind not in ("split", "merged", "ambiguous"):
            assert (e.old.index, e.new.index) in {(i, j) for i, j, _ in diff.pairs}
    assert seen_old == set(range(len(old.tasks)))
    assert seen_new == set(range(len(new.tasks)))


def test_a_document_inserted_before_moves_nothing():
    t1, t2 = "完善质量统计指标体系，定期开展质量状况调查。", "加强质量基础设施建设，提升计量检测认证服务能力。"
    first = Document(title="甲方案", tasks=(task("（一）", t1, ["财政部"]),))
    second = Document(title="乙方案", tasks=(task("（一）", t2, ["科技部"]),))
    old = Plan(source=Source(path="a", sha256="0" * 64), documents=(first,))
    new = Plan(source=Source(path="b", sha256="0" * 64), documents=(second, first))
    assert kinds_of(diff_plans(old, new)) == [("added", None, "（一）")]


@given(st.lists(st.text(alphabet=ALPHABET + "。，abc1", max_size=40), min_size=2, max_size=6))
def test_folded_scores_bound_the_true_ones(texts):
    """Similarity is scored on folded texts first; a fold must never hide a similar pair."""
    from rapidfuzz import fuzz
    from rapidfuzz.distance import LCSseq

    from matrix.diff.match import _fold

    folded = _fold(texts, texts[:1])  # few characters keep their own code: many collisions
    assert [len(f) for f in folded] == [len(t) for t in texts]
    assert all(max(map(ord, f), default=1) < 256 for f in folded)
    for a, fa in zip(texts, folded):
        for b, fb in zip(texts, folded):
            assert fuzz.ratio(fa, fb) >= fuzz.ratio(a, b) - 1e-9
            assert LCSseq.similarity(fa, fb) >= LCSseq.similarity(a, b)


def test_a_plan_without_trailers_is_compared_on_its_clauses(plan_003):
    """Seed 003 names no department: its clauses are the rows, as in the workbook."""
    text = (ROOT / "seeds" / "003_b00b7e78f4f7e31f.txt").read_text(encoding="utf-8")
    edited = text.replace("协同开展质量领域技术、管理、制度创新。", "协同开展质量领域技术和管理创新。")
    assert edited != text
    diff = diff_plans(plan_003, parse_text(edited, "003-revised.txt"))
    assert [(e.kinds, e.old.label, e.new.title) for e in diff.entries] == [
        (("text_changed",), "（三）", "增强质量发展创新动能")]


@pytest.mark.parametrize("path", [SEED_001, ROOT / "seeds" / "003_b00b7e78f4f7e31f.txt"],
                         ids=lambda p: p.name)
def test_a_plan_against_its_own_workbook_is_empty(path, tmp_path):
    from matrix import workbook as excel

    if not hasattr(excel, "read_workbook"):
        pytest.skip("excel.read_workbook is not there yet")
    plan_ = parse_file(path)
    excel.write_workbook(plan_, tmp_path / "plan.xlsx")
    diff = diff_plans(plan_, excel.read_workbook(tmp_path / "plan.xlsx"))
    assert diff.is_empty(), kinds_of(diff)

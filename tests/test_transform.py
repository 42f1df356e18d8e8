"""Trailer forms → assignments, and clause text → tasks (parametrised tables)."""

from __future__ import annotations

import pytest

from matrix.models import Department, Role
from matrix.load.pipeline import parse_text
from matrix.parse.trailer import read_trailer
from matrix.parse.transform import number_value

L, R, S, G = Role.lead, Role.responsible, Role.support, Role.guide


def duties(inner: str) -> list[tuple[str, Role]]:
    return [(d.name, d.role) for d in read_trailer(inner).duties]


@pytest.mark.parametrize(("inner", "expected"), [
    ("工业和信息化部、市场监管总局、国家卫生健康委等按职责分工负责",
     [("工业和信息化部", R), ("市场监管总局", R), ("国家卫生健康委", R)]),
    ("国家发展改革委牵头，财政部、人民银行按职责分工负责",
     [("国家发展改革委", L), ("财政部", R), ("人民银行", R)]),
    ("X、Y牵头，Z按职责分工负责", [("X", L), ("Y", L), ("Z", R)]),
    ("农业农村部、工业和信息化部牵头负责", [("农业农村部", L), ("工业和信息化部", L)]),
    ("X牵头，Y参与", [("X", L), ("Y", S)]),
    ("生态环境部指导，住房城乡建设部参与", [("生态环境部", G), ("住房城乡建设部", S)]),
    ("X会同Y负责", [("X", L), ("Y", S)]),
    ("国家发展改革委、财政部会同有关部门负责", [("国家发展改革委", L), ("财政部", L), ("有关部门", S)]),
    ("市场监管总局负责", [("市场监管总局", R)]),
    ("X等有关部门负责", [("X", R)]),
    ("X等有关部门和单位负责", [("X", R)]),
    ("X等和各省级人民政府负责", [("X", R), ("各省级人民政府", R)]),
    ("X，各省级人民政府按职责分工负责", [("X", R), ("各省级人民政府", R)]),
    ("国务院各部门分别负责，年内持续推进", [("国务院各部门", R)]),
    ("农业农村部、国家知识产权局等部门及地方各级人民政府负责落实。以下均需地方各级人民政府落实，不再列出",
     [("农业农村部", R), ("国家知识产权局", R), ("地方各级人民政府", R)]),
    ("负责部门：人力资源社会保障部、住房城乡建设部；适用范围：所有自贸试验区",
     [("人力资源社会保障部", R), ("住房城乡建设部", R)]),
    ("负责部门：发展改革委、粮食和储备局，适用范围：浙江自贸试验区",
     [("发展改革委", R), ("粮食和储备局", R)]),
    ("牵头单位：X；责任单位：Y、Z，6月底前完成", [("X", L), ("Y", R), ("Z", R)]),
    ("由市场监管总局负责", [("市场监管总局", R)]),
    ("X配合", [("X", S)]),
])
def test_trailer_forms(inner, expected):
    assert duties(inner) == expected


@pytest.mark.parametrize(("inner", "key", "value"), [
    ("国务院各部门分别负责，年内持续推进", "deadline", "年内持续推进"),
    ("X负责，2025年底前完成", "deadline", "2025年底前完成"),
    ("牵头单位：X；责任单位：Y，6月底前完成", "deadline", "6月底前完成"),
    ("X负责，长期坚持", "deadline", "长期坚持"),
    ("X负责，2025年12月", "deadline", "2025年12月"),
    ("X负责，每年", "deadline", "每年"),
    ("X牵头，Y配合，2024年6月底前完成", "deadline", "2024年6月底前完成"),
    ("X等负责。列第一位者为牵头单位，下同", "lead_rule", "列第一位者为牵头单位，下同"),
    ("X等负责。排在第一位的部门为牵头部门，下同", "lead_rule", "排在第一位的部门为牵头部门，下同"),
    ("X负责。以下均需地方各级人民政府落实，不再列出", "inherit_bodies", ("地方各级人民政府",)),
    ("负责部门：X；适用范围：所有自贸试验区，以下除标注适用于特定自贸试验区的措施外，适用范围均为所有自贸试验区",
     "scope_default", "所有自贸试验区"),
    ("负责部门：X，适用范围：浙江自贸试验区", "scope", "浙江自贸试验区"),
])
def test_trailer_extras(inner, key, value):
    assert getattr(read_trailer(inner), key) == value


def test_unreadable_tail_is_reported_not_guessed():
    info = read_trailer("X负责，具体办法另行制定")
    assert [(d.name, d.role) for d in info.duties] == [("X", R)]
    assert info.unread == "具体办法另行制定"


@pytest.mark.parametrize(("number", "value"), [
    ("（一）", 1), ("（十）", 10), ("（十二）", 12), ("（二十二）", 22), ("三十、", 30),
    ("一百零一、", 101), ("7.", 7), ("（3）", 3), ("③", 3), ("甲", None),
])
def test_number_value(number, value):
    assert number_value(number) == value


def stub(name: str) -> Department:
    return Department(name=name, known=True)


def parse(text: str):
    return parse_text(text, "t.txt", canonical=stub)


@pytest.mark.parametrize(("trailer", "expected"), [
    ("广东省人民政府、前海管理局负责", [("广东省人民政府", "responsible"), ("前海管理局", "responsible")]),
    ("负责单位：前海管理局", [("前海管理局", "responsible")]),
    ("X会同前海管理局负责", [("X", "lead"), ("前海管理局", "support")]),
    ("由前海管理局负责", [("前海管理局", "responsible")]),
    ("前海管理局牵头，X参与", [("前海管理局", "lead"), ("X", "support")]),
    ("X负责，2025年底前完成", [("X", "responsible")]),
])
def test_names_that_begin_like_a_grammar_word(trailer, expected):
    # 前 also ends deadlines (2025年底前): only the parser state tells a name from a deadline
    plan = parse(f"（一）推进合作区建设。（{trailer}）\n")
    task, = plan.tasks
    assert [(a.department, a.role.value) for a in task.assignments] == expected
    assert not plan.documents[0].warnings


@pytest.mark.parametrize("text", [
    "（一）甲。〔A牵头，B负责〕\n",
    "（一）甲。【A牵头，B负责】\n",
    "（一）甲。（A牵头，B负责）\n",
    "（一）甲。(A牵头,B负责)\n",
])
def test_trailer_brackets_give_the_same_task(text):
    task, = parse(text).tasks
    assert [(a.department, a.role) for a in task.assignments] == [("A", L), ("B", R)]
    assert task.trailer == "A牵头，B负责"


def test_several_trailers_in_one_clause_make_several_tasks():
    plan = parse("一、甲\n（一）标题。第一句。（A负责）第二句。（B负责）\n第三句。（C负责）\n")
    tasks = plan.tasks
    assert [t.label for t in tasks] == ["（一）", "（一）#2", "（一）#3"]
    assert [t.text for t in tasks] == ["标题。第一句。", "第二句。", "第三句。"]
    assert {t.title for t in tasks} == {"标题"}
    assert [t.assignments[0].department for t in tasks] == ["A", "B", "C"]


def test_positional_lead_rule_applies_from_where_it_stands():
    plan = parse("（一）甲。（A、B负责）\n（二）乙。（C、D等负责。列第一位者为牵头单位，下同）\n"
                 "（三）丙。（E、F负责）\n（四）丁。（G牵头，H负责）\n")
    roles = [[(a.department, a.role, a.lead_by_rule) for a in t.assignments] for t in plan.tasks]
    assert roles == [
        [("A", R, False), ("B", R, False)],
        [("C", L, True), ("D", R, False)],
        [("E", L, True), ("F", R, False)],
        [("G", L, False), ("H", R, False)],
    ]
    assert plan.documents[0].rules == ("列第一位者为牵头单位，下同",)


def test_inherited_body_added_to_every_later_task_once():
    plan = parse("（一）甲。（A及地方各级人民政府负责落实。以下均需地方各级人民政府落实，不再列出）\n"
                 "（二）乙。（B负责）\n（三）丙。（C、地方各级人民政府负责）\n")
    got = [[(a.department, a.inherited) for a in t.assignments] for t in plan.tasks]
    assert got == [
        [("A", False), ("地方各级人民政府", False)],
        [("B", False), ("地方各级人民政府", True)],
        [("C", False), ("地方各级人民政府", False)],
    ]


def test_clause_without_trailer_is_unassigned_and_heading_contains_tasks():
    plan = parse("一、总体要求\n（一）指导思想。甲。\n二、任务\n（二）乙。（A负责）\n")
    doc = plan.documents[0]
    assert [(c.number, c.title, c.contains_tasks) for c in doc.unassigned] == [
        ("一、", "总体要求", False), ("（一）", "指导思想", False), ("二、", "任务", True)]
    assert doc.tasks[0].section == "二、任务"


def test_items_under_a_clause_get_section_and_subsection():
    plan = parse("一、甲\n（一）乙\n1.丙。（A负责）\n")
    task = plan.tasks[0]
    assert (task.number, task.section, task.subsection) == ("1.", "一、甲", "（一）乙")


def test_numbering_restart_starts_a_new_document():
    plan = parse("《质量提升方案》\n一、总则\n（一）甲。（A负责）\n二、任务\n（二）乙。（B负责）\n"
                 "关于印发《乙实施意见》的通知\n一、总则\n（一）丙。（C负责）\n")
    assert [d.title for d in plan.documents] == ["质量提升方案", "乙实施意见"]
    assert [len(d.tasks) for d in plan.documents] == [2, 1]


LAW = """中华人民共和国某某管理条例
第一章　总则
第一条　为了加强某某管理，根据《中华人民共和国行政许可法》，制定本条例。
第二条　国务院有关部门按照下列规定履行职责：
（一）国务院发展改革部门负责统筹协调；
（二）国务院财政部门负责资金保障；
（三）国务院市场监管部门负责监督检查。
第三条　县级以上地方人民政府应当依照《企业信息公示暂行条例》的规定，做好下列工作：
（一）建立信息公示制度；
（二）加强部门协同。
第四条　有下列情形之一的，依照《中华人民共和国行政处罚法》处理：
（一）未按规定公示信息的；
（二）提供虚假材料的。
"""


def test_a_law_with_nested_lists_stays_one_document():
    # each article's （一） list restarts the numbering; the regulations it cites are no titles
    plan = parse(LAW)
    assert [d.title for d in plan.documents] == ["中华人民共和国某某管理条例"]
    assert [c.title for c in plan.documents[0].unassigned] == [
        "国务院发展改革部门负责统筹协调", "国务院财政部门负责资金保障", "国务院市场监管部门负责监督检查",
        "建立信息公示制度", "加强部门协同", "未按规定公示信息的", "提供虚假材料的"]


def test_stands_as_title():
    from matrix.parse.transform import stands_as_title

    assert stands_as_title(["《质量提升方案》"])
    assert stands_as_title(["关于印发《乙实施意见》的通知"])
    assert stands_as_title(["国办发〔2018〕117号"])
    assert not stands_as_title(["第三条　县级以上地方人民政府应当依照《企业信息公示暂行条例》的规定："])
    assert not stands_as_title(["第五条　本办法所称信息，是指《企业信息公示暂行条例》"])


def test_unknown_department_is_kept_and_warned():
    from matrix.departments import canonical

    plan = parse_text("（一）甲。（火星开发署负责）\n", "t.txt", canonical=canonical)
    a = plan.tasks[0].assignments[0]
    assert (a.department, a.as_printed, a.known) == ("火星开发署", "火星开发署", False)
    assert any(w.kind == "unknown-department" and "火星开发署" in w.message
               for w in plan.documents[0].warnings)


def test_a_repeated_trailer_warns_on_each_of_its_lines_and_follows_the_rules():
    # assignments of a trailer seen before are reused; its warnings and the rules still apply
    from matrix.departments import canonical

    plan = parse_text("（一）甲。（火星开发署、财政部负责）\n（二）乙。（火星开发署、财政部负责）\n"
                      "（三）丙。（A负责。列第一位者为牵头单位，下同）\n"
                      "（四）丁。（火星开发署、财政部负责）\n", "t.txt", canonical=canonical)
    warned = [w.line for w in plan.documents[0].warnings if w.kind == "unknown-department"
              and "火星开发署" in w.message]
    assert warned == [1, 2, 4]
    roles = [[(a.as_printed, a.role, a.lead_by_rule) for a in t.assignments] for t in plan.tasks]
    assert roles[0] == roles[1] == [("火星开发署", R, False), ("财政部", R, False)]
    assert roles[3] == [("火星开发署", L, True), ("财政部", R, False)]


def test_numbering_that_skips_is_warned():
    plan = parse("（一）甲。（A负责）\n（三）乙。（B负责）\n")
    assert any(w.kind == "numbering" and "（一）" in w.message and "（三）" in w.message
               for w in plan.documents[0].warnings)


def test_no_clauses_is_an_error():
    from matrix.errors import NoClausesError

    with pytest.raises(NoClausesError, match="no numbered clause"):
        parse("这是一篇新闻。\n市场监管总局负责人表示。\n")


def test_warnings_of_one_kind_are_capped():
    from matrix.parse.transform import MAX_WARNINGS_PER_KIND

    plan = parse("（一）甲" + "（" * 500 + "。（A负责）\n")
    warnings = [w for w in plan.documents[0].warnings if w.kind == "unbalanced-parenthesis"]
    assert len(warnings) == MAX_WARNINGS_PER_KIND + 1
    assert warnings[-1].message == f"… and {500 - MAX_WARNINGS_PER_KIND} more unbalanced-parenthesis warnings"

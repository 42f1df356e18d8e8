"""Grammar fragments parsed from named start rules, as bluebell tests its sub-rules."""

from __future__ import annotations

import functools

import pytest
from lark import Lark
from lark.exceptions import UnexpectedInput

from matrix.parser import grammar_text, plan_parser, trailer_parser


@functools.cache
def trailer_rules() -> Lark:
    return Lark(grammar_text("trailer.lark"), parser="lalr",
                start=["start", "names", "bodies", "duty", "cooperate", "field"])


def test_grammar_files_are_found():
    assert "SECTION_NUM" in grammar_text("plan.lark")
    assert "DEPT" in grammar_text("trailer.lark")


def kinds(text: str) -> list[str]:
    tree = plan_parser().parse(text)
    return [node.data for node in tree.iter_subtrees_topdown() if node.data != "start"]


@pytest.mark.parametrize(("text", "expected"), [
    ("一、总体要求\n", ["section"]),
    ("（一）指导思想。\n", ["clause"]),
    ("1.初级产品安全标准。\n", ["item"]),
    ("（1）加强监管。\n", ["subitem"]),
    ("①加强监管。\n", ["point"]),
    ("一、总体要求\n（一）甲。\n1.乙。\n（1）丙。\n①丁。\n", ["section", "clause", "item", "subitem", "point"]),
    ("前言\n一、甲\n二、乙\n", ["section", "section"]),
    ("一、甲\n（一）乙\n二、丙\n（二）丁\n", ["section", "clause", "section", "clause"]),
])
def test_structure(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text", [
    "2025年，质量供给与需求更加适配。\n",  # a year is not an item number
    "1.5倍以上。\n",  # nor a decimal
    "18部门联合推动质量提升\n",  # nor a count
    "其中一、二项已完成。\n",  # a number only counts at the start of a line
])
def test_numbers_only_at_line_start(text):
    assert kinds(text) == []


def tokens(text: str) -> list[tuple[str, str]]:
    tree = plan_parser().parse(text)
    return [(t.type, str(t)) for t in tree.scan_values(lambda v: hasattr(v, "type"))
            if t.type in ("TRAILER", "PAREN", "STRAY")]


@pytest.mark.parametrize(("text", "expected"), [
    ("（一）甲。（市场监管总局负责）\n", [("TRAILER", "（市场监管总局负责）")]),
    ("（一）甲（市场监管总局负责）\n", [("TRAILER", "（市场监管总局负责）")]),
    ("（一）甲。（A负责）乙。（B负责）\n", [("TRAILER", "（A负责）"), ("TRAILER", "（B负责）")]),
    ("（一）甲省（区、市）。（A负责）\n", [("PAREN", "（区、市）"), ("TRAILER", "（A负责）")]),
    ("（一）甲（以下简称乙）丙。\n", [("PAREN", "（以下简称乙）")]),
    ("（一）甲（企业直接向国家发展改革委申报）丙。\n", [("PAREN", "（企业直接向国家发展改革委申报）")]),
    ("（一）甲（由省级政府负责审批）丙。\n", [("PAREN", "（由省级政府负责审批）")]),
    ("（一）甲。（省（区、市）人民政府负责）\n", [("TRAILER", "（省（区、市）人民政府负责）")]),
    ("（一）甲（2022-2025年）。\n", [("PAREN", "（2022-2025年）")]),
    ("（一）甲（乙。\n", [("STRAY", "（乙。")]),
])
def test_trailers_and_other_parentheses(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize(("rule", "text"), [
    ("names", "工业和信息化部、文化和旅游部、国家粮食和物资储备局等"),
    ("bodies", "农业农村部等部门及地方各级人民政府"),
    ("bodies", "X等和各省级人民政府"),
    ("duty", "X、Y牵头"),
    ("cooperate", "国家发展改革委、财政部会同有关部门负责"),
    ("field", "负责部门：人民银行等部门"),
])
def test_trailer_sub_rules(rule, text):
    trailer_rules().parse(text, start=rule)


def test_names_never_split_on_he():
    tree = trailer_rules().parse("工业和信息化部、住房和城乡建设部、中央和国家机关工委", start="names")
    assert [str(t) for t in tree.children] == ["工业和信息化部", "住房和城乡建设部", "中央和国家机关工委"]


@pytest.mark.parametrize("text", ["这是一段说明", "负责", "、X负责"])
def test_trailer_grammar_rejects_what_is_not_a_trailer(text):
    with pytest.raises(UnexpectedInput):
        trailer_parser().parse(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("（一）甲。〔市场监管总局负责〕\n", [("TRAILER", "〔市场监管总局负责〕")]),
    ("（一）甲。【牵头单位：市场监管总局；责任单位：财政部】\n", [("TRAILER", "【牵头单位：市场监管总局；责任单位：财政部】")]),
    ("【热点关注】甲。\n", []),
    ("国发〔2018〕42号\n", []),
])
def test_other_trailer_brackets(text, expected):
    assert tokens(text) == expected

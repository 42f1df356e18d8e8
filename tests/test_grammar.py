"""Grammar fragments parsed from named start rules, as bluebell tests its sub-rules."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark, Tree

from matrix.parse.lalr import UnexpectedInput
from matrix.parse.parser import grammar_text, lark_parser, plan_parser, tables, trailer_parser


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


@pytest.mark.parametrize(("rule", "text", "expected"), [
    ("names", "工业和信息化部、文化和旅游部、国家粮食和物资储备局等",
     ["工业和信息化部", "文化和旅游部", "国家粮食和物资储备局"]),
    ("bodies", "农业农村部等部门及地方各级人民政府", ["农业农村部", "地方各级人民政府"]),
    ("bodies", "X等和各省级人民政府", ["X", "各省级人民政府"]),
    ("duty", "X、Y牵头", ["X", "Y", ("LEAD", "牵头")]),
    ("cooperate", "国家发展改革委、财政部会同有关部门负责",
     ["国家发展改革委", "财政部", "有关部门", ("RESP", "负责")]),
    ("field", "负责部门：人民银行等部门", [("FIELD_LABEL", "负责部门："), "人民银行"]),
])
def test_trailer_sub_rules(rule, text, expected):
    """Each sub-rule reads its names (等, 等部门 left out) and its verb, in order."""
    tree = trailer_rules().parse(text, start=rule)
    assert tree.data == rule
    got = [str(t) if t.type == "DEPT" else (t.type, str(t)) for t in _leaves(tree)]
    assert got == expected


def _leaves(tree):
    for child in tree.children:
        if isinstance(child, Tree):
            yield from _leaves(child)
        else:
            yield child


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


# ---- the pipeline's line lexer: the same tokens as Lark's, the same units as the tree ----------

def _flat(text: str) -> list[tuple[str, str, int, int]]:
    """LineLexer's tokens with each line's pieces unpacked."""
    from matrix.parse.parser import LineLexer

    lexer = LineLexer(tables("plan.lark"))
    out = []
    for tok in lexer.lex(text, []):
        pieces = list(tok.pieces)
        if tok.type != "TEXT":  # a number, then the rest of its line
            pieces.insert(0, tok)
        for piece in pieces:
            out.append((piece.type, str(piece), piece.line, piece.column))
    return out


@functools.cache
def _lark_plan() -> Lark:
    return lark_parser("plan.lark", lexer="basic")


def _lark(text: str) -> list[tuple[str, str, int, int]]:
    """Lark's own basic lexer's tokens (the reference)."""
    return [(t.type, str(t), t.line, t.column) for t in _lark_plan().lex(text)]


def _units(units) -> list:
    return [(u.kind, u.number, u.line, [(t.type, str(t), t.line, t.column) for t in u.body],
             _units(u.children)) for u in units]


def _documents():
    from tests.conftest import CORPUS, SEEDS

    from matrix.text.normalise import normalise
    from matrix.read import read_path
    from matrix.text.reflow import reflow

    for path in sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt")):
        _, raw = read_path(path, None)
        yield path.name, normalise(reflow(raw.text).text).text


@pytest.mark.parametrize(("name", "text"), list(_documents()), ids=lambda v: v if len(v) < 60 else "")
def test_line_lexer_gives_lark_tokens_and_the_same_units(name, text):
    from matrix.parse.transform import plan_reader
    from matrix.parse.transform import tree_to_units

    assert _flat(text) == _lark(text)
    assert _units(plan_reader().parse(text)) == _units(tree_to_units(plan_parser().parse(text)))


_plan_alphabet = st.sampled_from(["一、", "二、", "（一）", "（二）", "1.", "2、", "（1）", "①", "\n", "\n",
                                  "甲", "。", "（", "）", "〔", "〕", "【", "】", "负责", "牵头", "A",
                                  "（市场监管总局负责）", "（区、市）", "财政部", "1.5", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_plan_alphabet, max_size=40).map(lambda parts: "".join(parts) + "\n"))
def test_line_lexer_agrees_with_lark_on_any_text(text):
    from matrix.parse.transform import plan_reader
    from matrix.parse.transform import tree_to_units

    assert _flat(text) == _lark(text)
    assert _units(plan_reader().parse(text)) == _units(tree_to_units(plan_parser().parse(text)))

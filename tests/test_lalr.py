"""The grammars' run-time (matrix/parse/lalr.py) against Lark's own parser of the same grammar.

The run-time runs the tables Lark built (matrix/parse/tables.py) without importing Lark; these
tests parse the seeds, the corpora (State Council and local) and generated text with both and
compare every tree, token, position and error. The shipped tables must be the current
grammar's; edited grammars are rebuilt by Lark into the user's cache, never run stale.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.parse import lalr, tables
from matrix.parse.parser import grammar_text, lark_parser, plan_parser, trailer_parser
from matrix.parse.parser import tables as parser_tables

from tests.conftest import CORPUS, SEEDS


@functools.cache
def reference(name: str, lexer: str):
    return lark_parser(name, lexer=lexer)


def shape(node):
    """A tree (ours or Lark's) as nested tuples, every token with its type and positions."""
    if isinstance(node, str):
        return (node.type, str(node), node.start_pos, node.line, node.column, node.end_pos)
    return (node.data, tuple(shape(child) for child in node.children))


def outcome(parse, text: str):
    """The tree's shape, or the error's kind and position."""
    from lark.exceptions import UnexpectedCharacters as LarkCharacters
    from lark.exceptions import UnexpectedInput as LarkInput

    try:
        return shape(parse(text))
    except (lalr.UnexpectedInput, LarkInput) as error:
        kind = ("characters" if isinstance(error, (lalr.UnexpectedCharacters, LarkCharacters))
                else "token")
        return ("error", kind, error.line, error.column)


def plan_texts() -> list[tuple[str, str]]:
    from matrix.read import read_path
    from matrix.text.normalise import normalise
    from matrix.text.reflow import reflow

    paths = (sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))
             + sorted((CORPUS / "local").glob("*.txt")) + sorted((CORPUS / "local2").glob("*.txt")))
    out = []
    for path in paths:
        _, raw = read_path(path, None)
        out.append((path.name, normalise(reflow(raw.text).text).text))
    return out


PLANS = plan_texts()


# ---- the shipped tables ----------------------------------------------------------------------

@pytest.mark.parametrize("name", tables.GRAMMARS)
def test_shipped_tables_are_the_current_grammars(name):
    shipped = tables.shipped_data(name)
    assert shipped["grammar"] == grammar_text(name), (
        f"matrix/parse/grammars/ holds the tables of an older {name}: "
        "run python -m matrix.parse.tables")
    # the module is what the generator writes of its data (a line per state and rule)
    assert (tables.SHIPPED / name.replace(".lark", ".py")).read_text("utf-8") == (
        tables.module_text(name, shipped))
    assert shipped["format"] == tables.FORMAT
    tables.Tables(shipped)  # and they hang together (the check a cached file gets at every load)


def test_an_edited_grammar_is_built_again_and_cached(tmp_path, monkeypatch):
    """A grammar that is not the shipped tables' is built by Lark, kept in the user's cache,
    and read from there the next time (Lark not asked again)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    edited = grammar_text("deadline.lark") + "\n// an edit\n"
    monkeypatch.setattr(tables, "grammar_text", lambda name: edited)
    first = tables.load("deadline.lark")
    assert first.grammar == edited
    kept = list((tmp_path / "cache").rglob("lalr-*.json"))
    assert len(kept) == 1 and oct(kept[0].stat().st_mode & 0o777) == "0o600"

    def no_lark(grammar):
        raise AssertionError("built again")
    monkeypatch.setattr(tables, "export", no_lark)
    again = tables.load("deadline.lark")
    assert again.states == first.states and again.rules == first.rules


@pytest.mark.parametrize("spoil", ["others-can-write", "junk", "another-grammar", "a-link"])
def test_a_table_cache_that_cannot_be_trusted_is_built_again(tmp_path, monkeypatch, spoil):
    import os

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    edited = grammar_text("deadline.lark") + "\n// an edit\n"
    monkeypatch.setattr(tables, "grammar_text", lambda name: edited)
    tables.load("deadline.lark")
    (kept,) = (tmp_path / "cache").rglob("lalr-*.json")
    if spoil == "others-can-write":
        os.chmod(kept, 0o666)
    elif spoil == "junk":
        kept.write_bytes(b"\x80\x04\x95 a pickle, say")
    elif spoil == "another-grammar":
        data = json.loads(kept.read_text("utf-8"))
        data["grammar"] += "// another"
        kept.write_text(json.dumps(data), "utf-8")
    else:
        planted = tmp_path / "planted.json"
        planted.write_bytes(kept.read_bytes())
        kept.unlink()
        kept.symlink_to(planted)
    calls = []
    real = tables.export
    monkeypatch.setattr(tables, "export", lambda grammar: calls.append(1) or real(grammar))
    assert tables.load("deadline.lark").grammar == edited
    assert calls == [1]


@pytest.mark.parametrize("spoil", [
    lambda d: d.update(start=10**6),
    lambda d: d["states"][0].update(X=10**6),
    lambda d: d["states"][1].update(X=-10**6),
    lambda d: d["rules"][0].__setitem__(4, [[99, True]]),
    lambda d: d.update(format=tables.FORMAT + 1),
    lambda d: d.pop("patterns"),
    lambda d: d["contextual"].append(["NO_SUCH"]),
])
def test_tables_that_do_not_hang_together_are_not_run(spoil):
    grammar = grammar_text("deadline.lark")
    data = json.loads(json.dumps(tables.shipped_data("deadline.lark")))
    assert tables._parse(json.dumps(data).encode(), grammar) is not None
    spoil(data)
    assert tables._parse(json.dumps(data).encode(), grammar) is None


def test_tables_of_another_grammar_are_not_run():
    data = json.dumps(tables.shipped_data("deadline.lark")).encode()
    assert tables._parse(data, grammar_text("trailer.lark")) is None
    assert tables._parse(b"[1, 2]", grammar_text("deadline.lark")) is None
    assert tables._parse(b"\xff", grammar_text("deadline.lark")) is None


# ---- plan.lark -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), PLANS, ids=[n for n, _ in PLANS])
def test_plan_trees_are_larks(name, text):
    from matrix.parse.units import plan_reader, tree_to_units

    assert outcome(plan_parser().parse, text) == outcome(reference("plan.lark", "basic").parse,
                                                          text)
    # the pipeline's reader (a line at a time, units built while parsing) gives the units of
    # Lark's tree
    ours, larks = plan_reader().parse(text), tree_to_units(reference("plan.lark", "basic").parse(text))
    assert _units(ours) == _units(larks)


def _units(units) -> list:
    return [(u.kind, u.number, u.line, [(t.type, str(t), t.line, t.column) for t in u.body],
             _units(u.children)) for u in units]


_plan_alphabet = st.sampled_from(["一、", "二、", "（一）", "（二）", "1.", "2、", "（1）", "①", "\n",
                                  "\n", "甲", "。", "（", "）", "〔", "〕", "【", "】", "负责", "牵头",
                                  "牵头单位：", "由", "列第一位的为牵头单位", "（市场监管总局负责）",
                                  "（区、市）", "财政部", "1.5", " ", "完成时限：", "[", "］"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_plan_alphabet, max_size=40).map("".join))
def test_plan_parses_as_lark_on_any_text(text):
    assert outcome(plan_parser().parse, text) == outcome(reference("plan.lark", "basic").parse,
                                                          text)


# ---- trailer.lark ----------------------------------------------------------------------------

def trailer_texts() -> list[str]:
    """Every trailer the pipeline reads in the seeds and the corpora."""
    from matrix.load.pipeline import parse_text
    from matrix.parse import trailer

    seen: list[str] = []
    real = trailer.trailer_reader()

    class Recording:
        def parse(self, text, on_error=None):
            seen.append(text)
            return real.parse(text)

    trailer.read_trailer.cache_clear()
    original = trailer.trailer_reader
    trailer.trailer_reader = lambda: Recording()
    try:
        for name, text in PLANS:
            try:
                parse_text(text, name)
            except Exception:  # noqa: BLE001 — a text that is no plan gives no trailer
                pass
    finally:
        trailer.trailer_reader = original
        trailer.read_trailer.cache_clear()
    return sorted(set(seen))


TRAILERS = trailer_texts()


def test_the_corpora_give_trailers_to_compare():
    assert len(TRAILERS) > 300


@pytest.mark.parametrize("chunk", range(8))
def test_trailer_trees_are_larks(chunk):
    larks = reference("trailer.lark", "contextual")
    for text in TRAILERS[chunk::8]:
        assert outcome(trailer_parser().parse, text) == outcome(larks.parse, text), text


_trailer_alphabet = st.sampled_from([
    "国家发展改革委", "财政部", "前海管理局", "市发改局", "各县（市、区）政府", "、", "，", "；", "。",
    "牵头", "负责", "按职责分工负责", "会同", "配合", "参与", "指导", "等", "等和", "及", "由",
    "责任单位：", "牵头单位：", "（牵头）", "★", "*", "2025年底前完成", "6月底前", "持续推进",
    "列第一位者为牵头单位，下同", "适用范围：自贸试验区", "牵头负责领导：", "张三", " ", "（", "）"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_trailer_alphabet, min_size=1, max_size=12).map("".join))
def test_trailer_parses_as_lark_on_any_text(text):
    assert outcome(trailer_parser().parse, text) == outcome(
        reference("trailer.lark", "contextual").parse, text)


def test_the_trailer_reader_reads_what_the_tree_says():
    """``read_trailer`` (handlers run while parsing) and Lark's tree read by the same handlers
    after the parse give the same TrailerInfo."""
    from lark import Transformer, v_args

    from matrix.parse.trailer import TrailerReader, trailer_reader

    class OverLark(Transformer):
        pass

    for name in dir(TrailerReader):
        if not name.startswith("_"):
            setattr(OverLark, name, v_args(inline=True)(
                lambda self, *children, _name=name: getattr(TrailerReader(), _name)(*children)))
    larks = reference("trailer.lark", "contextual")
    for text in TRAILERS:
        try:
            expected = OverLark().transform(_our_tokens(larks.parse(text)))
        except Exception:  # noqa: BLE001 — compared as errors below
            with pytest.raises(lalr.UnexpectedInput):
                trailer_reader().parse(text)
            continue
        assert trailer_reader().parse(text) == expected, text


def _our_tokens(tree):
    """Lark's tree with its tokens as the run-time's (the handlers tell tokens by their class)."""
    for sub in tree.iter_subtrees():
        sub.children = [lalr.Token(c.type, str(c), c.start_pos, c.line, c.column, c.end_line,
                                   c.end_column, c.end_pos) if isinstance(c, str) else c
                        for c in sub.children]
    return tree


# ---- deadline.lark ---------------------------------------------------------------------------

def test_deadline_trees_are_larks():
    from matrix.parse.deadline import _scanner

    larks = reference("deadline.lark", "basic")
    lines = [line for _, text in PLANS for line in text.split("\n")
             if re.search(r"\d{4}|年|月|季度|每|长期|持续", line)]
    assert len(lines) > 400
    for line in lines:
        ours = _scanner().parse(line, on_error=lambda e: True)
        assert shape(ours) == shape(larks.parse(line, on_error=lambda e: True)), line


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["2019年", "2025", "年", "6月", "底", "前", "内", "到", "—", "至",
                                 "上半年", "第三季度", "每年", "长期坚持", "持续推进", "5年内",
                                 "今年", "明年", "起", "，", "完成", "一", "统一", "15日", "x"]),
                max_size=20).map("".join))
def test_deadline_parses_as_lark_on_any_text(text):
    from matrix.parse.deadline import _scanner

    larks = reference("deadline.lark", "basic")
    assert shape(_scanner().parse(text, on_error=lambda e: True)) == shape(
        larks.parse(text, on_error=lambda e: True))


# ---- errors ----------------------------------------------------------------------------------

def test_errors_say_where_as_lark_does():
    text = "一、甲\n（一）乙（未闭合\n"
    larks = reference("trailer.lark", "contextual")
    for bad in ("这是一段说明", "负责", "、X负责", "财政部负责，，"):
        with pytest.raises(lalr.UnexpectedInput) as ours:
            trailer_parser().parse(bad)
        with pytest.raises(Exception) as theirs:
            larks.parse(bad)
        assert (ours.value.line, ours.value.column) == (theirs.value.line, theirs.value.column)
    assert outcome(plan_parser().parse, text) == outcome(reference("plan.lark", "basic").parse,
                                                          text)
    error = lalr.UnexpectedCharacters("甲乙\n丙丁戊", 4, 2, 2)
    assert error.get_context("甲乙\n丙丁戊") == "丙丁戊\n ^\n"


def test_tokens_pickle_and_compare_as_larks():
    import pickle

    token = lalr.Token("DEPT", "财政部", 3, 1, 4, 1, 7, 6)
    again = pickle.loads(pickle.dumps(token))
    assert again == token and again.type == "DEPT" and again.end_pos == 6
    assert token == "财政部" and not token == lalr.Token("GROUP", "财政部")
    assert {token: 1}["财政部"] == 1


def test_a_run_never_imports_lark():
    import subprocess
    import sys

    code = ("import sys; from matrix.load.pipeline import parse_file; from pathlib import Path; "
            f"parse_file(Path({str(SEEDS / '001_5afa0209a0ae242f.txt')!r})); "
            "print(sorted(m for m in sys.modules if m == 'lark' or m.startswith('lark.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"
    assert parser_tables("plan.lark").grammar == grammar_text("plan.lark")


def test_a_left_recursive_list_grows_in_place():
    """``x*`` is a left-recursive rule spliced into its parent: its list must grow in place
    (as Lark's tree builder does), not be copied at every item, which made a long plan's parse
    quadratic in its number of lines."""
    from matrix.parse.lalr import Tree, _reducer

    reduce = _reducer("__start_star_0", [[0, True], [1, False]], False, None, False)
    items = Tree("__start_star_0", ["a", "b"])
    grown = reduce([items, "c"])
    assert grown.children == ["a", "b", "c"] and grown.children is items.children


_EMBEDDED = '''
start: a | b
a: "x" WITHIN
b: STRAY STRAY
WITHIN: "内"
STRAY: /./
'''


@pytest.mark.parametrize("text", ["x内", "ab", "内内", "x", "xa", "x内x", "a内"])
def test_a_state_may_take_a_string_terminal_its_pattern_stands_for(text):
    """At the top level STRAY's match stands for "x" and 内 (Lark's _create_unless); after "x"
    the state takes 内 alone, which the contextual lexer must still find."""
    from lark import Lark

    ours = lalr.Parser(tables.Tables(tables.export(_EMBEDDED)), lexer="contextual")
    larks = Lark(_EMBEDDED, parser="lalr", lexer="contextual")
    assert outcome(ours.parse, text) == outcome(larks.parse, text)

"""完成时限 → a date (matrix.parse.deadline): every form the 逾期 sheet relies on, and what is not read."""

from __future__ import annotations

from datetime import date

import pytest

from matrix.parse.deadline import plan_year, read_deadline
from matrix.load.pipeline import parse_text


@pytest.mark.parametrize("text, due", [
    ("2025年底前完成", date(2025, 12, 31)),
    ("2025年年底前", date(2025, 12, 31)),
    ("2025年", date(2025, 12, 31)),
    ("到2027年", date(2027, 12, 31)),
    ("2024年6月", date(2024, 6, 30)),
    ("2024年6月底前完成", date(2024, 6, 30)),
    ("2024年2月底前", date(2024, 2, 29)),
    ("２０２４年６月", date(2024, 6, 30)),
    ("2024年6月15日前", date(2024, 6, 15)),
    ("2025年上半年", date(2025, 6, 30)),
    ("2025年第三季度", date(2025, 9, 30)),
    ("2023—2025年", date(2025, 12, 31)),
    ("6月底前", date(2026, 6, 30)),
    ("六月底前完成", date(2026, 6, 30)),
    ("十二月底前", date(2026, 12, 31)),
    ("9月15日前", date(2026, 9, 15)),
    ("年底前完成", date(2026, 12, 31)),
    ("年内持续推进", date(2026, 12, 31)),  # a date found wins over 持续推进
    ("上半年", date(2026, 6, 30)),
    ("第四季度", date(2026, 12, 31)),
    ("2025年底前完成并持续推进", date(2025, 12, 31)),
])
def test_dates(text, due):
    got = read_deadline(text, 2026)
    assert (got.kind, got.due) == ("date", due)


@pytest.mark.parametrize("text", ["长期坚持", "持续推进", "长期", "常态化开展"])
def test_ongoing_is_never_late(text):
    got = read_deadline(text, 2026)
    assert got.kind == "ongoing" and not got.late(date(2099, 1, 1))


@pytest.mark.parametrize("text", ["适时", "2025年前", "尽快", "2024年2月30日"])
def test_unread_forms_are_not_guessed(text):
    got = read_deadline(text, 2026)
    assert got.kind == "unread" and got.due is None and got.reason


def test_relative_form_without_a_year_is_unread():
    got = read_deadline("6月底前", None)
    assert got.kind == "unread" and "年份" in got.reason
    assert read_deadline("2025年底前", None).due == date(2025, 12, 31)


def test_none_and_late():
    assert read_deadline(None, 2026).kind == "none"
    got = read_deadline("2025年6月底前", 2026)
    assert not got.late(date(2025, 6, 30)) and got.late(date(2025, 7, 1))


def test_plan_year_from_doc_number_then_title(plan_001):
    plan = parse_text("关于印发测试方案的通知\n国办发〔2024〕3号\n\n一、任务\n"
                      "（一）做好甲。（财政部负责）\n", "p.txt")
    assert plan_year(plan) == 2024
    assert plan_001.title == "进一步提高产品、工程和服务质量行动方案（2022-2025年）"
    assert plan_year(plan_001) == 2022
    plan = parse_text("测试行动方案\n\n一、任务\n（一）做好甲。（财政部负责）\n", "p.txt")
    assert plan_year(plan) is None


# --- commitments read from a task's text (grammar/deadline.lark) ---------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from matrix.parse.deadline import find_deadlines, main_deadline  # noqa: E402


@pytest.mark.parametrize("text, found", [
    ("2019年6月底前，研究建立机制", [("2019年6月底前", "date", date(2019, 6, 30))]),
    ("到2020年，试点城市达到", [("到2020年", "date", date(2020, 12, 31))]),
    ("2020年，基本建立", [("2020年", "date", date(2020, 12, 31))]),
    ("力争到2025年底前全面完成", [("力争到2025年底前", "date", date(2025, 12, 31))]),
    ("2023—2025年，每年开展一次", [("2023—2025年", "date", date(2025, 12, 31)),
                                ("每年", "periodic", None)]),
    ("2012～2015年，新增就业", [("2012～2015年", "date", date(2015, 12, 31))]),
    ("2019年至2020年，开展试点", [("2019年至2020年", "date", date(2020, 12, 31))]),
    ("年底前完成清理", [("年底前", "date", date(2026, 12, 31))]),
    ("年内出台办法", [("年内", "date", date(2026, 12, 31))]),
    ("上半年启动，下半年见效", [("上半年", "date", date(2026, 6, 30)),
                              ("下半年", "date", date(2026, 12, 31))]),
    ("第三季度完成", [("第三季度", "date", date(2026, 9, 30))]),
    ("2019年第一季度完成", [("2019年第一季度", "date", date(2019, 3, 31))]),
    ("9月15日前报送", [("9月15日前", "date", date(2026, 9, 15))]),
    ("实施期限至2021年12月31日。", [("至2021年12月31日", "date", date(2021, 12, 31))]),
    ("每季度通报一次", [("每季度", "periodic", None)]),
    ("每年6月底前报送", [("每年6月底前", "periodic", None)]),
    ("长期坚持，持续推进改革", [("长期坚持", "ongoing", None), ("持续推进", "ongoing", None)]),
    ("5年内重点引进", [("5年内", "within", None)]),
    ("2014年前建成", [("2014年前", "unread", None)]),  # by its start or its end: not said
    ("２０１９年６月底前", [("２０１９年６月底前", "date", date(2019, 6, 30))]),
    ("今年底前完成", [("今年底前", "date", date(2026, 12, 31))]),
    ("本年度内完成", [("本年度内", "date", date(2026, 12, 31))]),
    ("明年6月底前出台", [("明年6月底前", "date", date(2027, 6, 30))]),
    ("次年上半年见效", [("次年上半年", "date", date(2027, 6, 30))]),
])
def test_commitments_in_text(text, found):
    got = find_deadlines(text, 2026)
    assert [(f.text, f.kind, f.due) for f in got] == found
    assert all(text[f.start:f.end] == f.text for f in got)


@pytest.mark.parametrize("text", [
    "办好2022年冬奥会和冬残奥会",  # a year in a name
    "依据国发〔2019〕3号文件",  # a citation
    "落实《条例》（2018年修订）",  # a citation's year
    "继续按不高于2017年征收标准征收",  # a year that is no deadline (高于, not 于)
    "发布2019年度报告",
    "到2022年冬奥会举办",
    "2021年5月1日起执行新标准",  # a start, not a deadline
    "加强协调，提高质量，前提是前期工作",
    "持续提升创新能力",  # 持续 as an adverb
    "编制明年度预算",  # a bare 明年 says no more than the year
    "相当年轻的队伍",
])
def test_no_deadline_invented(text):
    assert find_deadlines(text, 2026) == ()


def test_relative_forms_without_a_year_are_unread_but_listed():
    got = find_deadlines("年底前完成", None)
    assert [(f.text, f.kind, f.due) for f in got] == [("年底前", "unread", None)]
    assert find_deadlines("到2020年完成", None)[0].due == date(2020, 12, 31)


def test_main_deadline_is_the_latest_date_else_the_most_date_like_kind():
    assert main_deadline(find_deadlines("到2020年完成甲，2019年6月底前完成乙，每年报告", 2018)).text \
        == "到2020年"
    assert main_deadline(find_deadlines("长期坚持，每年报告", 2018)).text == "每年"
    assert main_deadline(find_deadlines("长期坚持", 2018)).kind == "ongoing"
    assert main_deadline(()) is None


def test_periodic_cell_is_never_late():
    got = read_deadline("每年", 2026)
    assert got.kind == "periodic" and not got.late(date(2099, 1, 1))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="2019年6月底前到至—每季度上半年内长期坚持持续推进5第三一十日起于高冬奥修订，。甲", max_size=40))
def test_any_text_is_read_and_every_deadline_is_text_of_it(text):
    for f in find_deadlines(text, 2020):
        assert text[f.start:f.end] == f.text and f.text


def test_task_gets_its_deadlines_and_a_completion_date():
    plan = parse_text("关于印发测试方案的通知\n国办发〔2024〕3号\n\n一、任务\n"
                      "（一）做好甲。6月底前出台办法，到2026年全面推开。（财政部负责）\n"
                      "（二）做好乙。办好2022年冬奥会。（科技部负责）\n"
                      "（三）做好丙。年底前完成。（商务部负责，完成时限：2025年3月底前）\n", "p.txt")
    first, second, third = plan.tasks
    assert first.deadline == "到2026年"
    assert [(d.text, d.date) for d in first.deadlines] == [("6月底前", "2024-06-30"),
                                                           ("到2026年", "2026-12-31")]
    assert first.as_json()["deadlines"][0] == {"text": "6月底前", "span": [4, 8],
                                               "kind": "date", "date": "2024-06-30"}
    assert second.deadline is None and second.deadlines == ()
    assert third.deadline == "2025年3月底前"  # a printed 完成时限 wins
    assert [d.text for d in third.deadlines] == ["年底前"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["2019年", "6月", "底", "前", "到", "至", "—", "每年", "年底",
                                 "上半年", "第三季度", "5年内", "长期坚持", "冬奥会", "起", "15日",
                                 "，"]) | st.text(max_size=3), max_size=12).map("".join))
def test_pieces_of_commitments_in_any_order_never_break_the_reader(text):
    for f in find_deadlines(text, 2020):
        assert text[f.start:f.end] == f.text
        assert f.kind in {"date", "periodic", "ongoing", "within", "unread"}
        assert (f.due is not None) == (f.kind == "date")


def _whole(text: str, year):
    """The commitments the grammar reads in the whole text at once (no windows)."""
    from matrix.parse.deadline import _read, _scanner
    from matrix.parse.lalr import Tree

    out = []
    for node in _scanner().parse(text).children:
        if isinstance(node, Tree) and node.data != "start_from":
            start, end = node.children[0].start_pos, node.children[-1].end_pos
            out.append((text[start:end], start, end) + _read(node.data, node.children, year))
    return out


_PIECES = ["2019年", "6月", "底", "前", "到", "至", "—", "～", "每年", "每", "年底", "上半年",
           "下半年", "第三季度", "季度", "第", "一", "5年内", "年内", "内", "末", "年", "度", "长期坚持",
           "持续推进", "冬奥会", "修订", "版", "起", "15日", "日", "，", "高于", "于", "截至", "力争到",
           "以前", "之前", "2019", "2020", "2019年至", "2021年5月1日", "十二月", "明年", "今年",
           "本年度", "加强统筹协调推进各项工作落实", "甲乙丙丁戊己庚"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_reading_windows_finds_what_reading_the_whole_text_finds(text):
    # the grammar reads any text (no parse error: the safety net in find_deadlines_in is
    # never needed), and reading only the windows round the marks changes nothing
    assert [tuple(f) for f in find_deadlines(text, 2020)] == _whole(text, 2020)

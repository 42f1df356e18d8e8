"""完成时限 → a date (matrix.round.deadline): every form the 逾期 sheet relies on, and what is not read."""

from __future__ import annotations

from datetime import date

import pytest

from matrix.round.deadline import plan_year, read_deadline
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

"""Read a task's 完成时限 (as the trailer printed it) into a date, for 逾期 in a 汇总.

One pure function, :func:`read_deadline`, and :func:`plan_year`, the year that relative forms
(6月底前, 年底前) count in. What it reads, with the plan's year 2025::

    | 完成时限              | kind    | due        |
    | --------------------- | ------- | ---------- |
    | 2025年底前完成        | date    | 2025-12-31 |
    | 2024年6月 / 2024年6月底前 | date | 2024-06-30 |
    | 2024年6月15日前       | date    | 2024-06-15 |
    | 6月底前 / 六月底前    | date    | 2025-06-30 |
    | 年底前 / 年内         | date    | 2025-12-31 |
    | 2025年上半年 / 第三季度 | date  | 2025-06-30 / 2025-09-30 |
    | 2023—2025年          | date    | 2025-12-31 (the end of the range) |
    | 长期坚持 / 持续推进   | ongoing | never late |
    | 2025年前 / 适时       | unread  | listed, never guessed |

A date found wins over an ongoing word ("2025年底前完成并持续推进" is due 2025-12-31). A
relative form in a plan whose year is unknown is ``unread`` with the reason. The phrases are
short and closed (a date and a few words), so a table of patterns reads them; the trailer
grammar is what finds them in a plan.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Deadline", "plan_year", "read_deadline"]

_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
       "十": 10, "十一": 11, "十二": 12}
_MONTH = r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_ONGOING = ("长期坚持", "持续推进", "长期推进", "持续实施", "长期实施", "常态化", "长期")

# (pattern, how the groups become (year or None, month, day or None)); first match wins.
# A year of None means "the plan's year". Ranges (2023—2025年) keep their last year.
_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d{4})年" + _MONTH + r"月(\d{1,2})日"), "ymd"),
    (re.compile(r"(\d{4})年" + _MONTH + r"月"), "ym"),
    (re.compile(r"(\d{4})年(?:上半年|年中)"), "y-half"),
    (re.compile(r"(\d{4})年(?:第)?([一二三四1-4])季度"), "y-quarter"),
    (re.compile(r"(\d{4})年(?:年底|年末|底|末|内|全年|下半年)"), "y"),
    (re.compile(r"(?:到|至|截至)(\d{4})年"), "y"),
    (re.compile(r"\d{4}\s*[—–\-－~～至到]\s*(\d{4})年"), "y"),
    (re.compile(r"(\d{4})年$"), "y"),
    (re.compile(_MONTH + r"月(\d{1,2})日"), "md"),
    (re.compile(_MONTH + r"月(?:底|末|份|中旬|下旬|上旬)?(?:前|以前|之前)"), "m"),
    (re.compile(_MONTH + r"月(?:底|末)"), "m"),
    (re.compile(r"(?:今年|本年度?|当年)?(?:上半年|年中)"), "half"),
    (re.compile(r"第?([一二三四1-4])季度"), "quarter"),
    (re.compile(r"(?:今年|本年度?|当年)?(?:年底|年末|年内|下半年)"), "end"),
]


@dataclass(frozen=True, slots=True)
class Deadline:
    """What a 完成时限 says: ``kind`` is ``date`` (due on ``due``), ``ongoing`` (长期坚持: never
    late), ``none`` (no 完成时限) or ``unread`` (a form not read, with ``reason``)."""

    text: str
    kind: str
    due: date | None = None
    reason: str | None = None

    def late(self, as_of: date) -> bool:
        """True when the deadline has passed as of ``as_of`` (the due day itself is not late)."""
        return self.kind == "date" and self.due is not None and self.due < as_of


def _month(text: str) -> int:
    return int(text) if text.isdigit() else _CN[text]


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def read_deadline(text: str | None, year: int | None) -> Deadline:
    """Read one 完成时限; ``year`` is the plan's (for 6月底前, 年底前), ``None`` when unknown."""
    if text is None or not text.strip():
        return Deadline(text or "", "none")
    clean = re.sub(r"\s+", "", text.translate(_DIGITS))
    for pattern, form in _FORMS:
        m = pattern.search(clean)
        if m is None:
            continue
        groups = m.groups()
        explicit = form.startswith("y")
        y = int(groups[0]) if explicit else year
        if y is None:
            return Deadline(text, "unread", reason="计划年份不明，无法确定相对时限的年份")
        rest = groups[1:] if explicit else groups
        try:
            if form in ("ymd", "md"):
                due = date(y, _month(rest[0]), int(rest[1]))
            elif form in ("ym", "m"):
                due = _end_of_month(y, _month(rest[0]))
            elif form in ("y-half", "half"):
                due = date(y, 6, 30)
            elif form in ("y-quarter", "quarter"):
                due = _end_of_month(y, _QUARTER[rest[0]])
            else:
                due = date(y, 12, 31)
        except (ValueError, KeyError):
            return Deadline(text, "unread", reason="日期不存在")
        return Deadline(text, "date", due)
    if any(word in clean for word in _ONGOING):
        return Deadline(text, "ongoing")
    return Deadline(text, "unread", reason="无法识别的完成时限")


_DOC_YEAR = re.compile(r"[〔\[［(（](\d{4})[〕\]］)）]")


def plan_year(plan) -> int | None:
    """The year relative deadlines count in: the 文号's (国发〔2024〕3号), else the first
    year in a document title (…行动方案（2022-2025年） → 2022), else ``None``."""
    for document in plan.documents:
        m = _DOC_YEAR.search(document.doc_number or "")
        if m:
            return int(m.group(1))
    for document in plan.documents:
        m = re.search(r"((?:19|20)\d{2})", document.title or "")
        if m:
            return int(m.group(1))
    return None

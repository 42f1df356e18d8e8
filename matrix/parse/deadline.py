"""When a task is due: the dated commitments of its text, and its 完成时限 read into a date.

Two readers over one vocabulary:

* :func:`find_deadlines` reads every dated commitment of a task's text with its span, through
  the grammar ``grammar/deadline.lark`` (2019年6月底前, 到2020年, 2023—2025年, 年底前, 上半年,
  第三季度, 每年, 长期坚持, 5年内 …), in the plan's year; :func:`main_deadline` picks the one a
  task is due by (the latest dated one, else the first of the other kinds). A year in a name
  (2022年冬奥会) or a citation (国发〔2019〕3号, 2018年修订) is never read as a deadline.
* :func:`read_deadline` reads one 完成时限 (a cell, or the text :func:`main_deadline` chose) for
  逾期 in a 汇总, and :func:`plan_year`, the year relative forms (6月底前, 年底前) count in.

What :func:`read_deadline` reads, with the plan's year 2025::

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
    | 每年 / 每季度         | periodic | never late (a recurring duty) |
    | 2025年前 / 适时       | unread  | listed, never guessed |

A date found wins over an ongoing word ("2025年底前完成并持续推进" is due 2025-12-31). A
relative form in a plan whose year is unknown is ``unread`` with the reason. The phrases are
short and closed (a date and a few words), so a table of patterns reads them; a 完成时限 none
of them reads is read by the grammar (每年 is ``periodic``).
"""

from __future__ import annotations

import dataclasses

import bisect
import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date
from collections.abc import Sequence
from typing import Any, NamedTuple

from .lalr import Parser, Token, Tree

from ..records import TaskDeadline
from ..text.patterns import LazyPattern, lazy

__all__ = ["Deadline", "Found", "document_year", "find_deadlines", "find_deadlines_in",
           "main_deadline", "plan_year", "read_deadline", "with_deadlines", "tasks_with_deadlines"]

_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
       "十": 10, "十一": 11, "十二": 12}
_MONTH = r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_ONGOING = ("长期坚持", "持续推进", "长期推进", "持续实施", "长期实施", "常态化", "长期")

# (pattern, how the groups become (year or None, month, day or None)); first match wins.
# A year of None means "the plan's year". Ranges (2023—2025年) keep their last year.
_FORMS: list[tuple[LazyPattern, str]] = [
    (lazy(r"(\d{4})年" + _MONTH + r"月(\d{1,2})日"), "ymd"),
    (lazy(r"(\d{4})年" + _MONTH + r"月"), "ym"),
    (lazy(r"(\d{4})年(?:上半年|年中)"), "y-half"),
    (lazy(r"(\d{4})年(?:第)?([一二三四1-4])季度"), "y-quarter"),
    (lazy(r"(\d{4})年(?:年底|年末|底|末|内|全年|下半年)"), "y"),
    (lazy(r"(?:到|至|截至)(\d{4})年"), "y"),
    (lazy(r"\d{4}\s*[—–\-－~～至到]\s*(\d{4})年"), "y"),
    (lazy(r"(\d{4})年$"), "y"),
    (lazy(_MONTH + r"月(\d{1,2})日"), "md"),
    (lazy(_MONTH + r"月(?:底|末|份|中旬|下旬|上旬)?(?:前|以前|之前)"), "m"),
    (lazy(_MONTH + r"月(?:底|末)"), "m"),
    (lazy(r"(?:今年|本年度?|当年)?(?:上半年|年中)"), "half"),
    (lazy(r"第?([一二三四1-4])季度"), "quarter"),
    (lazy(r"(?:今年|本年度?|当年)?(?:年底|年末|年内|下半年)"), "end"),
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
    found = find_deadlines(clean, year)
    if found and all(f.kind == "periodic" for f in found):
        return Deadline(text, "periodic")
    if any(f.kind == "within" for f in found):
        return Deadline(text, "unread", reason="期限的起算时间不明")
    return Deadline(text, "unread", reason="无法识别的完成时限")


_DOC_YEAR = lazy(r"[〔\[［(（](\d{4})[〕\]］)）]")


def plan_year(plan) -> int | None:
    """The year relative deadlines count in: the 文号's (国发〔2024〕3号), else the first
    year in a document title (…行动方案（2022-2025年） → 2022), else ``None``."""
    for document in plan.documents:
        m = _DOC_YEAR.search(document.doc_number or "")
        if m:
            return int(m.group(1))
    for document in plan.documents:
        year = document_year(None, document.title)
        if year is not None:
            return year
    return None


def document_year(doc_number: str | None, title: str | None) -> int | None:
    """One document's year, as :func:`plan_year` finds it."""
    m = _DOC_YEAR.search(doc_number or "")
    if m:
        return int(m.group(1))
    m = re.search(r"((?:19|20)\d{2})", title or "")
    return int(m.group(1)) if m else None


class Found(NamedTuple):
    """One commitment read from a task's text: ``text[start:end]`` of the task is ``text``.

    ``kind``: ``date`` (due on ``due``), ``periodic`` (每年, 每季度), ``ongoing`` (长期坚持,
    持续推进), ``within`` (5年内: from when is not said) or ``unread`` (a form read whose date is
    not given: 2025年前, or 年底前 in a plan whose year is unknown)."""

    text: str
    start: int
    end: int
    kind: str
    due: date | None = None


@functools.cache
def _scanner() -> Parser:
    from .parser import tables

    # lexer="basic": every terminal may appear anywhere; the lookaheads of BY and FROM keep
    # the parser from shifting into a form it cannot finish. Small: built on first use. The
    # spans come from the tokens (a form is tokens only), not from propagate_positions,
    # which doubles the time of a parse.
    return Parser(tables("deadline.lark"), lexer="basic")


_QUARTER_END = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}


# What every form of grammar/deadline.lark holds: only the text around these is parsed (a task's
# text is mostly without them; reading all of it char by char would slow a 10 MB plan by
# seconds). A window reaches far enough on both sides to hold any form round its mark.
_MARK = lazy(r"(?:19|20)\d\d|年[底末内]|年度[底末内]|[明次]年|[上下]半年|[一二三四1-4]季度|[\d一二三四五六七八九十]月"
                   r"|每(?:年|半年|季|月|周|旬)|长期(?:坚持|推进|实施|开展)|持续(?:推进|实施)")
_BEFORE_MARK, _AFTER_MARK = 8, 24
_FULL_WIDTH = lazy("[０-９]")


def _windows(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _MARK.finditer(text):
        start, end = max(0, m.start() - _BEFORE_MARK), min(len(text), m.end() + _AFTER_MARK)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def find_deadlines(text: str, year: int | None) -> tuple[Found, ...]:
    """Every commitment of ``text`` (a task's text) in order, relative forms in ``year``."""
    return find_deadlines_in([text], year)[0]


_GAP = "\x00"  # between two windows: an OTHER character, so no form spans two windows


def find_deadlines_in(texts: Sequence[str], year: int | None) -> list[tuple[Found, ...]]:
    """:func:`find_deadlines` of each of ``texts`` (a document's tasks), with one parse of all
    their windows: a parse costs a tenth of a millisecond before it reads anything."""
    pieces: list[str] = []
    where: list[tuple[int, int, int]] = []  # (offset in the joined text, text index, offset in it)
    at = 0
    for index, text in enumerate(texts):
        clean = text.translate(_DIGITS) if text and _FULL_WIDTH.search(text) else text or ""
        for first, last in _windows(clean):
            where.append((at, index, first))
            pieces.append(clean[first:last])
            at += last - first + 1
            pieces.append(_GAP)
    out: list[list[Found]] = [[] for _ in texts]
    if not pieces:
        return [()] * len(texts)
    starts = [w[0] for w in where]
    # The grammar reads any text (a property test says so); should a shape it was not built
    # for come, the token is skipped rather than the plan lost (on_error: go on).
    for node in _scanner().parse("".join(pieces), on_error=lambda error: True).children:
        if isinstance(node, Tree) and node.data != "start_from":
            tokens = [t for t in node.children if isinstance(t, Token)]
            begin, end = tokens[0].start_pos, tokens[-1].end_pos
            window, index, first = where[bisect.bisect_right(starts, begin) - 1]
            start, stop = first + begin - window, first + end - window
            kind, due = _read(node.data, node.children, year)
            out[index].append(Found(texts[index][start:stop], start, stop, kind, due))
    return [tuple(found) for found in out]


def _read(rule: str, tokens: list[Token], plan: int | None) -> tuple[str, date | None]:
    if rule in ("periodic", "ongoing", "within"):
        return str(rule), None
    types = {t.type: str(t) for t in tokens}
    years = [int(str(t)[:4]) for t in tokens if t.type in ("YEAR", "YEAR_LEAD")]
    y = years[-1] if years else plan
    if "NAMED_YEAR" in types and plan is not None and types["NAMED_YEAR"] in ("明年", "次年"):
        y = plan + 1
    if y is None:
        return "unread", None
    if "BEFORE" in types and years and not {"MONTH", "END", "YEAR_END"} & types.keys():
        return "unread", None  # 2025年前: by the start or the end of 2025 is not said
    try:
        if "MONTH" in types:
            month = _month(types["MONTH"][:-1])
            if "DAY" in types:
                return "date", date(y, month, int(types["DAY"][:-1]))
            return "date", _end_of_month(y, month)
        if "HALF" in types:
            return "date", date(y, 6, 30) if types["HALF"][0] == "上" else date(y, 12, 31)
        if "QUARTER" in types:
            return "date", _end_of_month(y, _QUARTER_END[types["QUARTER"].lstrip("第")[0]])
    except (ValueError, KeyError):
        return "unread", None  # 2月30日
    return "date", date(y, 12, 31)


_FALLBACK = ("unread", "within", "periodic", "ongoing")


def main_deadline(found: tuple[Found, ...]) -> Found | None:
    """The commitment a task is due by: its latest date, else the first found of the most
    date-like kind (unread 2025年前, within 5年内, periodic 每年, ongoing 长期坚持)."""
    dated = [f for f in found if f.kind == "date"]
    if dated:
        return max(reversed(dated), key=lambda f: f.due)
    for kind in _FALLBACK:
        for f in found:
            if f.kind == kind:
                return f
    return None


def with_deadlines(task, year: int | None, found: tuple[Found, ...] | None = None):
    """``task`` with the commitments of its text (``deadlines``; ``found`` when already read)
    and, where no 完成时限 was printed for it, the one it is due by as its ``deadline``
    (relative forms in ``year``)."""
    if found is None:
        found = find_deadlines(task.text, year)
    if not found:
        return task
    deadlines = tuple(TaskDeadline(text=f.text, span=(f.start, f.end), kind=f.kind,
                                   date=f.due.isoformat() if f.due else None) for f in found)
    return dataclasses.replace(task, deadlines=deadlines,
                               deadline=task.deadline or main_deadline(found).text)


def tasks_with_deadlines(tasks: Sequence[Any], year: int | None) -> tuple[Any, ...]:
    """:func:`with_deadlines` of each of a document's ``tasks``, their texts read at once."""
    found = find_deadlines_in([t.text for t in tasks], year)
    return tuple(with_deadlines(t, year, f) for t, f in zip(tasks, found))

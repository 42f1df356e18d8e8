"""督办's signals over a round: the three-colour light of a task and of a department's share of
it, a return sent after the round's due date (迟报), and a task late round after round (连续逾期).

Pure functions of what :mod:`matrix.round.collect` gathers; nothing here reads files.

The light, as of a day, with ``warn_days`` = 7::

    | reported / 完成时限                   | light   | label  |
    | ------------------------------------ | ------- | ------ |
    | 已完成 (whatever the date)            | green   | 已完成 |
    | due before the day, not done         | red     | 逾期   |
    | due within 7 days (the day included) | yellow  | 临期   |
    | otherwise                            | neutral | its 完成状态, else 未启动 |

A 完成时限 that is not a date (长期坚持, 每年, unread) is never red or yellow.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["GREEN", "LIGHT_FILLS", "LIGHT_LABELS", "NEUTRAL", "RED", "YELLOW", "WARN_DAYS",
           "light", "light_label", "read_day", "return_lateness", "overdue_rounds"]

GREEN, YELLOW, RED, NEUTRAL = "green", "yellow", "red", "neutral"
LIGHT_LABELS = {GREEN: "已完成", YELLOW: "临期", RED: "逾期"}
LIGHT_FILLS = {GREEN: "C6EFCE", YELLOW: "FFEB9C", RED: "FFC7CE"}  # Excel's own good/neutral/bad
WARN_DAYS = 7
LATE_RETURN, NO_DATE = "迟报", "未填日期"

_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def light(done: bool, due: date | None, as_of: date, warn_days: int = WARN_DAYS) -> str:
    """The light of a task (or of one department's share of it) as of ``as_of``."""
    if done:
        return GREEN
    if due is None:
        return NEUTRAL
    if due < as_of:
        return RED
    if (due - as_of).days <= warn_days:
        return YELLOW
    return NEUTRAL


def light_label(colour: str, status: str = "") -> str:
    """The word a clerk reads for a light: 已完成 临期 逾期, else the status (未启动 when none)."""
    return LIGHT_LABELS.get(colour) or status.strip() or "未启动"


def read_day(text: str | None) -> date | None:
    """A day written in a form: 2026-12-23, 2026/12/23, 2026.12.23, 2026年12月23日."""
    m = _DAY.search(text or "")
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def return_lateness(written: str | None, due: str | None) -> tuple[str, int | None]:
    """Whether a return came late: (迟报, days late) when its 报送日期 is after ``due`` (the
    round's due date), (未填日期, None) when it gives no readable 报送日期, ("", None) else."""
    day = read_day(written)
    if day is None:
        return NO_DATE, None
    until = read_day(due)
    if until is not None and day > until:
        return LATE_RETURN, (day - until).days
    return "", None


def overdue_rounds(late: bool, task_id: str, previous_late: frozenset[str] | None,
                   previous_rounds: dict[str, int] | None) -> int:
    """How many rounds in a row a task has been 逾期, this one included (0 when not late now):
    the previous 汇总's count plus one when it was late there too."""
    if not late:
        return 0
    if previous_late is None or task_id not in previous_late:
        return 1
    return (previous_rounds or {}).get(task_id, 1) + 1

"""催办 and 通报: what goes back after a round is collected (``dutymatrix remind``).

From one :class:`~matrix.round.collect.Collection`, pure functions make

* :func:`notices` — one :class:`Notice` (催办通知) per department that is silent (未报送), sent
  its return late (迟报) or holds tasks 逾期 or 临期: the reasons, its tasks with 完成时限, days
  late and what it last reported, and the day its answer is due;
* :func:`bulletin` — the :class:`Bulletin` (督查通报 draft) of the round for the leaders: 总体情况,
  a table by department, the 逾期 and 临期 tasks (连续逾期 marked), the 存在问题 and 需协调
  items the departments wrote, and a 下步工作 paragraph for the office to complete.

:func:`remind_files` runs the round as ``dutymatrix remind`` does and writes them as .docx
(:mod:`matrix.round.official`) under one folder: ``催办通知/<单位>.docx`` and ``督查通报.docx``;
:func:`remind_archive` gives the same files as one zip in memory (for a page's download).

Example::

    result = remind_files(parse_file("plan.txt"), ["returns/"], "output/催办/",
                          as_of=date(2026, 12, 21), reply_by=date(2026, 12, 25))
    print(result.notices)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .lights import GREEN, LATE_RETURN, RED, WARN_DAYS, YELLOW, light_label

__all__ = ["Bulletin", "Issue", "Notice", "NoticeTask", "RemindResult", "bulletin", "notices",
           "remind_archive", "remind_files", "REPLY_DAYS"]

REPLY_DAYS = 5  # days after the as-of date a department has to answer a 催办, by default
NOTICE_FOLDER = "催办通知"
BULLETIN_FILE = "督查通报.docx"


@dataclass(frozen=True, slots=True)
class NoticeTask:
    """A task as a 催办通知 lists it."""

    label: str
    title: str
    deadline: str  # 完成时限 as printed ("" when none)
    due: str | None  # ISO date
    light: str  # green yellow red neutral
    state: str  # 逾期 / 临期 / 已完成 / the status reported / 未启动
    days: int | None  # days late (逾期) or days left (临期)
    last_status: str  # what the department last reported ("" when nothing)
    last_progress: str
    overdue_rounds: int = 0


@dataclass(frozen=True, slots=True)
class Notice:
    """One department's 催办通知."""

    department: str
    reasons: tuple[str, ...]  # 未报送 / 迟报3天 / 逾期任务2项 / 临期任务1项
    tasks: tuple[NoticeTask, ...]
    silent: bool
    days_late: int | None  # its return's days late (迟报)


@dataclass(frozen=True, slots=True)
class Issue:
    """A 存在问题 or 需协调 item a department wrote."""

    department: str
    label: str
    title: str
    status: str
    text: str


@dataclass(frozen=True)
class Bulletin:
    """The 督查通报 draft of a round."""

    plan_title: str | None
    round: str | None
    as_of: date
    due: str | None
    tasks: int
    done: int
    in_progress: int
    late: int
    due_soon: int
    departments: int
    reported: int
    silent: tuple[str, ...]
    late_returns: tuple[tuple[str, int | None], ...]  # (department, days late)
    rows: tuple[tuple[str, int, int, int, int, str], ...]  # 单位 任务 已完成 逾期 临期 报送情况
    late_tasks: tuple[tuple[NoticeTask, str], ...]  # (task, departments not done)
    soon_tasks: tuple[tuple[NoticeTask, str], ...]
    issues: tuple[Issue, ...]
    warn_days: int = WARN_DAYS


@dataclass(frozen=True)
class RemindResult:
    """What :func:`remind_files` wrote, and the collection it wrote from."""

    folder: Path
    notices: dict[str, Path]
    bulletin: Path
    collection: Any
    skipped: tuple[str, ...] = field(default=())  # files not replaced, one message each


def _task(line: Any, report: Any | None, as_of: date) -> NoticeTask:
    due = line.deadline.due if line.deadline.kind == "date" else None
    colour = report.light if report is not None else line.light
    status = report.status if report is not None else ""
    days = None
    if due is not None and colour == RED:
        days = (as_of - due).days
    elif due is not None and colour == YELLOW:
        days = (due - as_of).days
    return NoticeTask(line.label, line.title, line.deadline.text or "",
                      due.isoformat() if due else None, colour, light_label(colour, status),
                      days, status, report.progress if report is not None else "",
                      line.overdue_rounds)


def notices(result: Any) -> tuple[Notice, ...]:
    """One 催办通知 per department that is silent, late with its return, or holds 逾期 or 临期
    tasks, in the order of ``result.departments`` (busiest first)."""
    counts = {c.department: c for c in result.counts}
    missing = set(result.missing)
    out = []
    for department in result.departments:
        count = counts[department]
        silent = department in missing
        mine = [(line, r) for line in result.tasks for r in line.reports
                if r.department == department]
        red = [(line, r) for line, r in mine if r.light == RED]
        yellow = [(line, r) for line, r in mine if r.light == YELLOW]
        late_return = count.returned_late == LATE_RETURN
        if not (silent or late_return or red or yellow):
            continue
        reasons = []
        if silent:
            reasons.append("未报送")
        elif late_return:
            reasons.append(f"迟报{count.days_late}天" if count.days_late else "迟报")
        if red:
            reasons.append(f"逾期任务{len(red)}项")
        if yellow:
            reasons.append(f"临期任务{len(yellow)}项")
        # a silent department answers for every task; the others for those behind
        listed = [(line, r) for line, r in mine if silent or r.light in (RED, YELLOW)]
        out.append(Notice(department, tuple(reasons),
                          tuple(_task(line, r, result.as_of) for line, r in listed),
                          silent, count.days_late if late_return else None))
    return tuple(out)


def _behind(line: Any) -> str:
    return "、".join(r.department for r in line.reports if r.light != GREEN)


def bulletin(result: Any) -> Bulletin:
    """The 督查通报 draft of ``result``."""
    tasks = result.tasks
    taken = [r for r in result.received if r.outcome == "采用" and r.department in
             set(result.departments)]
    late_returns = tuple((r.department, r.days_late) for r in taken if r.late == LATE_RETURN)
    rows = []
    for c in result.counts:
        if c.department in result.missing:
            state = "未报送"
        elif c.returned_late == LATE_RETURN:
            state = f"迟报{c.days_late}天" if c.days_late else "迟报"
        elif c.returned_late:
            state = c.returned_late  # 未填日期
        else:
            state = "按时报送"
        rows.append((c.department, c.tasks, c.done, c.late, c.due_soon, state))
    issues = []
    for line in tasks:
        for r in line.reports:
            text = r.problems.strip()
            if text or r.status == "需协调":
                issues.append(Issue(r.department, line.label, line.title, r.status,
                                    text or "（标注需协调，未写明问题）"))
    done = sum(1 for t in tasks if t.done)
    late = sum(1 for t in tasks if t.late)
    return Bulletin(
        result.plan_title, result.round, result.as_of, result.due, len(tasks), done,
        len(tasks) - done - late, late, len(result.due_soon), len(result.departments),
        len(result.departments) - len(result.missing), tuple(result.missing), late_returns,
        tuple(rows),
        tuple((_task(t, None, result.as_of), _behind(t)) for t in result.late),
        tuple((_task(t, None, result.as_of), _behind(t)) for t in result.due_soon),
        tuple(issues), result.warn_days)


def remind_files(plan: Any, inputs: Iterable[str | os.PathLike[str]],
                 folder: str | os.PathLike[str], *, as_of: date | None = None,
                 round: str | None = None, year: int | None = None,
                 since: str | os.PathLike[str] | None = None, warn_days: int = WARN_DAYS,
                 reply_by: date | None = None, office: str = "督查室",
                 force: bool = False) -> RemindResult:
    """Collect the round (as ``collect_files``) and write its 催办通知 and 督查通报 under
    ``folder``. A file there that an office has edited is not replaced without ``force``
    (its message is in ``skipped``); nothing given as input is ever overwritten."""
    from .collect import collect_files, expand_returns
    from ..errors import MatrixOutputError
    from .official import write_bulletin, write_notice
    from ..safety.writes import check_target, make_folder, unique_file_name

    inputs = list(inputs)
    result = collect_files(plan, inputs, as_of=as_of, round=round, year=year, since=since,
                           warn_days=warn_days)
    reply_by = reply_by or result.as_of + timedelta(days=REPLY_DAYS)
    folder = Path(folder)
    sources = [Path(plan.source.path), *expand_returns(inputs)]
    make_folder(folder / NOTICE_FOLDER)
    written: dict[str, Path] = {}
    skipped: list[str] = []
    used: set[str] = set()
    for notice in notices(result):
        target = folder / NOTICE_FOLDER / unique_file_name(notice.department, ".docx", used)
        try:
            check_target(target, sources, force=force)
            written[notice.department] = write_notice(notice, result, reply_by, office, target)
        except MatrixOutputError as e:
            skipped.append(str(e))
    target = folder / BULLETIN_FILE
    try:
        check_target(target, sources, force=force)
        write_bulletin(bulletin(result), office, target)
    except MatrixOutputError as e:
        skipped.append(str(e))
    return RemindResult(folder, written, target, result, tuple(skipped))


def remind_archive(result: Any, *, reply_by: date | None = None,
                   office: str = "督查室") -> bytes:
    """The 催办通知 and the 督查通报 of a collected round as one .zip (the folder
    :func:`remind_files` writes: ``催办通知/<单位>.docx`` and ``督查通报.docx``), in memory."""
    import io
    import tempfile
    import zipfile

    from .official import write_bulletin, write_notice
    from ..safety.writes import unique_file_name

    reply_by = reply_by or result.as_of + timedelta(days=REPLY_DAYS)
    buffer = io.BytesIO()
    used: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="dutymatrix-remind-") as temp, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for notice in notices(result):
            name = unique_file_name(notice.department, ".docx", used)
            path = write_notice(notice, result, reply_by, office, Path(temp) / name)
            archive.write(path, f"{NOTICE_FOLDER}/{name}")
        path = write_bulletin(bulletin(result), office, Path(temp) / BULLETIN_FILE)
        archive.write(path, BULLETIN_FILE)
    return buffer.getvalue()

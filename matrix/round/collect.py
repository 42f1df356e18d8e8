"""汇总: gather the returns of a 下发 round against the plan and show who is behind.

:func:`collect` is a pure function from the plan, the returns as read
(:func:`matrix.workbook.returns.read_return`) and a date to a :class:`Collection`; nothing here
reads or writes files but :func:`read_returns` (which reads, one bad file never stopping the
rest) and :func:`collect_files` (the whole round in one call, as ``dutymatrix collect`` runs it).

How a return is taken:

* **Recognised by its stamp** (the plan's content fingerprint, department, round, task ids),
  whatever the file is called: a form dispatched from the text is taken against the workbook
  built from it. A stamp for another plan, a plan whose tasks changed since, or another round
  is refused with the reason. Without a
  stamp (a department copied the sheet into a new file) the rows are matched by task text and
  the department by 报送单位 or by which department's list the tasks are: ``matched_by`` says
  ``任务文字``.
* **Two returns from one department**: the one saved later (docProps ``modified``, else the
  file's time) is taken; the other is listed as 被替代. A stamped return whose 报送单位 names
  another department (商务部 filling in 财政部's form) is flagged 请核实 and never replaces a
  return of the stamped department that does not: it is taken only when it is the only one.
* **What a department wrote is kept**: 完成状态 and the three texts per task; the header block
  (报送单位 联系人 电话 报送日期); a task text changed in a locked column (``edits``, with the
  plan's text); a row of its own (``added``, 新增事项); any other cell (``other``). Text is
  kept as written: formulas as their text, never evaluated.
* **Late**: a task is 已完成 when every department on it reports 已完成; it is late when its
  完成时限 (:mod:`matrix.parse.deadline`, counted in the plan's year) is before ``as_of`` and it is
  not 已完成. A department is late on a task when the deadline has passed and it does not
  report 已完成. A 完成时限 that cannot be read is listed in ``unread_deadlines``, never
  guessed.
* **Leaders**: a return from a leader's form (``dispatch`` writes one per leader the plan names)
  is taken like a department's; its reports follow the departments' as 姓名（分管领导）. Leaders
  are not counted in 未报送 or 报送情况.
* **Rounds**: given the previous round's :class:`PreviousRound` (read from its 汇总), each report
  says how its status moved, and tasks newly late or newly done are marked; a task late then
  and still late is 连续逾期, with the number of rounds.
* **Lights and late returns** (:mod:`matrix.round.lights`): each task and each department's share of
  it is 已完成 (green), 临期 (yellow: due within ``warn_days``), 逾期 (red) or neutral; a return
  whose 报送日期 is after the round's due date (the stamps') is 迟报, one without a date 未填日期.

Example::

    result = collect_files(parse_file("plan.txt"), ["returns/"], output="汇总.xlsx",
                           as_of=date(2026, 12, 21))
    print([c.department for c in result.counts if c.late])
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from ..parse.deadline import plan_year, read_deadline
from .forms import department_lists, leader_lists, plan_fingerprint, task_index
from .lights import WARN_DAYS, light, overdue_rounds, return_lateness
from .records import (DONE, Added, Collection, DepartmentCount, Edit, PreviousRound, Received,
                      Report, TaskLine, Unreadable)
from ..errors import MatrixInputError
from ..records import ROLE_RANK, Plan
from ..i18n import _


class PreviousOfAnotherPlan(MatrixInputError):
    """The previous 汇总 (``--since``) was collected for another plan; ``path`` names it (the
    page words the refusal for a clerk, without the checksums)."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path

__all__ = ["Added", "Collection", "DepartmentCount", "Edit", "PreviousRound", "Received",
           "Report", "TaskLine", "Unreadable", "collect", "collect_files", "expand_returns",
           "read_returns"]

ACCEPTED, SUPERSEDED, REFUSED, UNREADABLE = "采用", "被替代", "拒收", "无法读取"
BY_STAMP, BY_TEXT = "标识", "任务文字"


# --------------------------------------------------------------------------- reading


def read_returns(paths: Iterable[str | os.PathLike[str]]) -> list[Any]:
    """Each file as a :class:`~matrix.workbook.returns.ReturnFile`, or as :class:`Unreadable`
    with the message that says why (nothing is raised: one bad file never stops the rest)."""
    from ..i18n import _, speaking
    from ..workbook.returns import read_return

    out: list[Any] = []
    for path in paths:
        try:
            # Chinese whatever the locale: the reason is recorded in the 汇总, as the reasons
            # for refusing a return are (为另一份计划填报 …)
            with speaking("zh"):
                out.append(read_return(path))
        except MatrixInputError as e:
            out.append(Unreadable(str(path), str(e)))
        except RecursionError:  # a shape no check foresaw: this file fails, the round goes on
            with speaking("zh"):
                out.append(Unreadable(str(path), _(
                    "{path}: too deeply nested to read (RecursionError)").format(path=path)))
    return out


# Spreadsheets a department may send back: .xlsx is read; the others get one line each saying
# so (an old .xls, WPS's .et, LibreOffice's .ods) rather than being passed over in silence.
RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods")


def expand_returns(inputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files named by ``inputs``: a file as given, a folder as its spreadsheets
    (:data:`RETURN_SUFFIXES`, sorted, recursively; hidden files, Excel's lock files ~$… and
    索引.xlsx left out)."""
    from ..safety.writes import INDEX_FILE

    files: list[Path] = []
    for item in map(Path, inputs):
        if item.is_dir():
            files.extend(sorted(
                p for p in item.rglob("*")
                if p.is_file() and p.suffix.lower() in RETURN_SUFFIXES and p.name != INDEX_FILE
                and not p.name.startswith((".", "~$"))))
        else:
            files.append(item)
    seen: set[Path] = set()
    unique = []
    for path in files:  # a file named and also inside a folder named: read once
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def collect_files(plan: Plan, inputs: Iterable[str | os.PathLike[str]], *,
                  output: str | os.PathLike[str] | None = None, as_of: date | None = None,
                  round: str | None = None, year: int | None = None,
                  since: str | os.PathLike[str] | None = None,
                  warn_days: int = WARN_DAYS, force: bool = False) -> Collection:
    """The whole round in one call: read the returns (files or folders), the previous 汇总
    (``since``), collect, and write the 汇总 workbook to ``output`` when given.

    ``output`` is checked before anything is read (``safety.writes.check_target``): one of
    the inputs (a return, the plan, the ``since`` 汇总) is always refused; a workbook
    dutymatrix did not write, one saved since, or one an office has open only with ``force``.
    """
    from ..safety.writes import check_target
    from ..workbook.summary import read_previous, write_summary

    files = expand_returns(inputs)
    if output is not None:
        sources = [Path(plan.source.path), *files, *([Path(since)] if since else [])]
        check_target(Path(output), sources, force=force)
    previous = read_previous(since) if since is not None else None
    returns = read_returns(files)
    result = collect(plan, returns, as_of=as_of or date.today(), round=round, year=year,
                     previous=previous, warn_days=warn_days)
    if output is not None:
        write_summary(result, output)
    return result


# --------------------------------------------------------------------------- collecting


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _saved(ret: Any) -> datetime:
    return ret.saved_at or datetime.min.replace(tzinfo=timezone.utc)


def collect(plan: Plan, returns: Sequence[Any], *, as_of: date, round: str | None = None,
            year: int | None = None, previous: PreviousRound | None = None,
            warn_days: int = WARN_DAYS) -> Collection:
    """Gather ``returns`` (``ReturnFile``, or ``Unreadable`` for a file that gave an error)
    against ``plan``.

    ``round`` is the round being collected; when ``None``, the round most stamped returns for
    this plan carry. ``year`` overrides :func:`~matrix.parse.deadline.plan_year` for relative
    deadlines; ``warn_days`` is how near a date makes a task 临期.
    """
    sha = plan_fingerprint(plan)
    same = {sha, plan.source.sha256}  # a form or 汇总 of an older version: the file's SHA-256
    if previous is not None and previous.plan_sha256 not in same:
        raise PreviousOfAnotherPlan(_("{path}: the previous 汇总 is for another plan "
                                      "(计划校验码 {previous}…, this plan's {current}…)").format(
                                          path=previous.path, previous=previous.plan_sha256[:12],
                                          current=sha[:12]), previous.path)
    year = year if year is not None else plan_year(plan)
    lists = department_lists([plan])
    expected = {item.department: dict(zip(item.ids, item.hits)) for item in lists}
    leaders = {leader_key(item.department): dict(zip(item.ids, item.hits))
               for item in leader_lists(plan)}
    tasks = task_index(plan)
    received: list[Received] = []
    readable = []
    for ret in returns:
        if isinstance(ret, Unreadable):
            received.append(Received(ret.path, UNREADABLE, reason=ret.message))
        else:
            readable.append(ret)
    if round is None:
        rounds = Counter(r.stamp.round for r in readable
                         if r.stamp is not None and r.stamp.plan_sha256 in same and r.stamp.round)
        round = rounds.most_common(1)[0][0] if rounds else None
    dues = Counter(r.stamp.due for r in readable if r.stamp is not None and r.stamp.due
                   and r.stamp.plan_sha256 in same and (round is None or r.stamp.round == round))
    due = dues.most_common(1)[0][0] if dues else None
    candidates, doubtful = _identify(readable, plan, same, round, expected, leaders, tasks,
                                     received)
    taken = _take(candidates, received, due, doubtful)
    reports, added, edits, other = _read_rows(taken, expected, leaders, tasks)
    lines, unread = _task_lines(tasks, expected, leaders, taken, reports, year, as_of, previous,
                                warn_days)
    counts = _counts(lists, taken, reports, lines, as_of, due)
    missing = tuple(item.department for item in lists if item.department not in taken)
    received.sort(key=lambda r: ({ACCEPTED: 0, SUPERSEDED: 1, REFUSED: 2, UNREADABLE: 3}
                                 [r.outcome], r.department or "", r.path))
    return Collection(plan.title, sha, round, as_of, year, tuple(lines),
                      tuple(item.department for item in lists), tuple(counts), missing,
                      tuple(received), tuple(added), tuple(edits), tuple(other),
                      tuple(unread), previous.path if previous is not None else None,
                      due, warn_days)


def _identify(readable: Sequence[Any], plan: Plan, same: set[str], round: str | None,
              expected: dict[str, dict[str, Any]], leaders: dict[str, dict[str, Any]],
              tasks: dict[str, Any], received: list[Received]
              ) -> tuple[dict[str, list[tuple[Any, str, str]]], set[int]]:
    """Which department (or leader) each readable return is, by its stamp or its tasks' text:
    department → [(return, matched by, note)], and the ids of the stamped returns whose 报送单位
    names another department; a refused return goes to ``received``."""
    # Which department each return is, or why it is refused.
    candidates: dict[str, list[tuple[Any, str, str]]] = {}  # department → (return, by, note)
    doubtful: set[int] = set()  # returns whose 报送单位 names another department than the stamp
    for ret in readable:
        base = _received(ret)
        stamp = ret.stamp
        if stamp is not None:
            if stamp.plan_sha256 not in same:
                received.append(Received(**base, outcome=REFUSED, department=stamp.department,
                                         round=stamp.round, matched_by=BY_STAMP,
                                         reason=_other_plan(stamp, plan, tasks)))
                continue
            if round is not None and stamp.round != round:
                received.append(Received(**base, outcome=REFUSED, department=stamp.department,
                                         round=stamp.round, matched_by=BY_STAMP,
                                         reason=f"为{stamp.round or '未标明'}轮次填报，"
                                                f"本次汇总为{round}"))
                continue
            if stamp.kind == "leader":
                key = leader_key(stamp.department)
                if key not in leaders:
                    received.append(Received(**base, outcome=REFUSED, department=key,
                                             round=stamp.round, matched_by=BY_STAMP,
                                             reason="该领导在本方案中没有分管任务"))
                    continue
                candidates.setdefault(key, []).append((ret, BY_STAMP, ""))
                continue
            if stamp.department not in expected:
                received.append(Received(**base, outcome=REFUSED, department=stamp.department,
                                         round=stamp.round, matched_by=BY_STAMP,
                                         reason="该单位在本方案中没有任务"))
                continue
            sender = _other_sender(ret, stamp.department, expected)
            if sender:
                doubtful.add(id(ret))
            candidates.setdefault(stamp.department, []).append((ret, BY_STAMP, sender and (
                f"报送单位填写为{sender}，与标识的单位{stamp.department}不符，请核实")))
            continue
        department, why = _guess_department(ret, expected, tasks)
        if department is None:
            received.append(Received(**base, outcome=REFUSED, matched_by=BY_TEXT,
                                     reason=f"{ret.stamp_note}，且{why}"))
            continue
        candidates.setdefault(department, []).append(
            (ret, BY_TEXT, f"{ret.stamp_note}，按任务文字匹配（{why}）"))
    return candidates, doubtful


def _take(candidates: dict[str, list[tuple[Any, str, str]]], received: list[Received],
          due: str | None, doubtful: set[int]) -> dict[str, tuple[Any, str]]:
    """Department → (the return taken, matched by): the one saved last; the others are listed
    in ``received`` as 被替代. A return dated after ``due`` is 迟报."""
    taken: dict[str, tuple[Any, str]] = {}
    for department, found in candidates.items():
        # A return whose 报送单位 names another department never replaces one that does not
        # (商务部 filling in 财政部's form): it is taken only when it is the only one, flagged.
        found.sort(key=lambda f: (id(f[0]) not in doubtful, _saved(f[0]), str(f[0].path)))
        *older, (latest, by, note) = found
        taken[department] = (latest, by)
        lateness, days = return_lateness(latest.header.get("报送日期"), due)
        received.append(Received(**_received(latest), outcome=ACCEPTED, department=department,
                                 round=latest.stamp.round if latest.stamp else None,
                                 matched_by=by, reason=note, late=lateness, days_late=days))
        for ret, old_by, old_note in older:
            if id(ret) in doubtful:
                received.append(Received(
                    **_received(ret), outcome=REFUSED, department=department,
                    round=ret.stamp.round if ret.stamp else None, matched_by=old_by,
                    reason=f"{old_note}；未采用，{department}另有报送：{Path(latest.path).name}"))
                continue
            received.append(Received(
                **_received(ret), outcome=SUPERSEDED, department=department,
                round=ret.stamp.round if ret.stamp else None, matched_by=old_by,
                reason=f"同一单位有较晚保存的报送：{Path(latest.path).name}"
                       + (f"；{old_note}" if old_note else "")))
    return taken


def _read_rows(taken: dict[str, tuple[Any, str]], expected: dict[str, dict[str, Any]],
               leaders: dict[str, dict[str, Any]], tasks: dict[str, Any]):
    """Each taken return's rows: (reports by (task id, department), 新增事项, edits of the
    plan's text, other cells)."""
    from ..workbook.returns import form_values

    # Each taken return's rows: reports, edits, 新增事项, other cells.
    reports: dict[tuple[str, str], Report] = {}
    added: list[Added] = []
    edits: list[Edit] = []
    other: list[tuple[str, str, str, str]] = []
    text_ids = {_squash(t.text): i for i, (t, _) in reversed(tasks.items()) if t.text}
    shared: dict[str, dict[str, str]] = {}  # per task: the columns every department's row shares
    for department, (ret, by) in taken.items():
        mine = expected.get(department) or leaders[department]
        name = Path(ret.path).name
        seen: set[str] = set()
        for row in ret.rows:
            task_id = row.task_id
            note = ""
            if task_id is not None and task_id not in mine:
                note = (f"任务标识 {task_id} 不属于本单位" if task_id in tasks
                        else f"任务标识 {task_id} 不在方案中")
                task_id = None
            if task_id is None and not note:
                guess = text_ids.get(_squash(row.task.get("任务内容", "")))
                if guess in mine:
                    task_id = guess
            if task_id is not None and task_id in seen:
                note, task_id = f"重复的任务行（{task_id}）", None
            if task_id is None:
                if row.task or row.values:
                    added.append(Added(department, name, row.row,
                                       {**row.task, **row.values}, note))
                continue
            seen.add(task_id)
            hit = mine[task_id]
            plan_values = form_values(hit, shared.setdefault(task_id, {}))
            refs = row.refs
            for head, text in row.task.items():
                if head == "序号":
                    continue
                expected_text = plan_values.get(head, "")
                if text != expected_text and _squash(text) != _squash(expected_text):
                    edits.append(Edit(department, name, task_id, head, plan_values.get(head, ""),
                                      text, refs.get(head, "")))
            for head, plan_text in plan_values.items():  # a locked cell emptied
                if plan_text and head not in row.task:
                    edits.append(Edit(department, name, task_id, head, plan_text, "",
                                      refs.get(head, "")))
            reports[(task_id, department)] = Report(
                department, hit.role, row.values.get("完成状态", "").strip(),
                row.values.get("进展情况", ""), row.values.get("存在问题", ""),
                row.values.get("下步计划", ""), name, row.row)
        other += [(department, name, ref, text) for ref, text in ret.other]
    return reports, added, edits, other


def _task_lines(tasks: dict[str, Any], expected: dict[str, dict[str, Any]],
                leaders: dict[str, dict[str, Any]], taken: dict[str, tuple[Any, str]],
                reports: dict[tuple[str, str], Report], year: int | None, as_of: date,
                previous: PreviousRound | None, warn_days: int
                ) -> tuple[list[TaskLine], list[tuple[str, str, str]]]:
    """One line per task (lead first; done, late, its light and the rounds it has been late)
    and the deadlines that could not be read."""
    # Task lines, lead first; done and late.
    lines: list[TaskLine] = []
    unread: list[tuple[str, str, str]] = []
    for task_id, (task, _title) in tasks.items():
        deadline = read_deadline(task.deadline, year)
        if deadline.kind == "unread":
            unread.append((task_id, deadline.text, deadline.reason or ""))
        holders = [(d, expected[d][task_id].role) for d in expected if task_id in expected[d]]
        order = {d: i for i, a in enumerate(task.assignments) for d in [a.department]}
        holders.sort(key=lambda h: (ROLE_RANK.get(h[1], 9) if h[1] else 9,
                                    order.get(h[0], 1 << 20)))
        # a leader's return (分管领导) follows the departments, when one came back
        holders += [(key, None) for key in leaders if task_id in leaders[key] and key in taken]
        line_reports = []
        due_on = deadline.due if deadline.kind == "date" else None
        for department, role in holders:
            report = reports.get((task_id, department)) or Report(department, role)
            if previous is not None:
                report = _with_change(report, previous.statuses.get((task_id, department)))
            report = replace(report, light=light(report.status == DONE, due_on, as_of, warn_days))
            line_reports.append(report)
        done = bool(line_reports) and all(r.status == DONE for r in line_reports)
        late = deadline.late(as_of) and not done
        rounds = overdue_rounds(late, task_id, previous.late if previous else None,
                                previous.overdue_rounds if previous else None)
        change: list[str] = []
        if previous is not None:
            if late and task_id not in previous.late:
                change.append("新近逾期")
            if rounds > 1:
                change.append(f"连续逾期{rounds}轮")
            if done and task_id not in previous.done:
                change.append("新近完成")
        lines.append(TaskLine(task_id, task.label, task.section, task.title, task.text,
                              deadline, tuple(line_reports), done, late, tuple(change),
                              light(done, due_on, as_of, warn_days), rounds))
    return lines, unread


def _counts(lists: Sequence[Any], taken: dict[str, tuple[Any, str]],
            reports: dict[tuple[str, str], Report], lines: Sequence[TaskLine],
            as_of: date, due: str | None) -> list[DepartmentCount]:
    """报送情况: per department, its tasks, what it returned, done, late, 临期, and whether its
    return came late (after ``due``)."""
    late_by = {t.task_id: t.deadline.late(as_of) for t in lines}
    lights = {(t.task_id, r.department): r.light for t in lines for r in t.reports}
    counts = []
    for item in lists:
        department = item.department
        ret = taken.get(department)
        mine_reports = [reports.get((i, department)) for i in item.ids]
        returned = sum(1 for r in mine_reports if r is not None and _has_content(r))
        done = sum(1 for r in mine_reports if r is not None and r.status == DONE)
        late = sum(1 for i, r in zip(item.ids, mine_reports)
                   if late_by[i] and (r is None or r.status != DONE))
        header = ret[0].header if ret else {}
        soon = sum(1 for i in item.ids if lights.get((i, department)) == "yellow")
        lateness, days = (return_lateness(header.get("报送日期"), due) if ret else ("", None))
        counts.append(DepartmentCount(department, len(item.ids), returned, done, late,
                                      Path(ret[0].path).name if ret else "",
                                      header.get("联系人", ""), header.get("电话", ""),
                                      header.get("报送日期", ""), soon, lateness, days))
    return counts


def _other_plan(stamp: Any, plan: Plan, tasks: dict[str, Any]) -> str:
    """Why a stamp is not this plan's: another plan, or this one with its tasks changed since
    the forms went out (the same title)."""
    if stamp.plan_title and stamp.plan_title == plan.title:
        gone = [i for i in stamp.task_ids if i not in tasks]
        what = (f"其中{len(gone)}项已不在方案中：{'、'.join(gone[:5])}{'等' if len(gone) > 5 else ''}"
                if gone else "任务的文字或分工有改动")
        return f"报送表下发后方案已修改（{what}），请按修改后的方案重新下发"
    return (f"为另一份方案填报（{stamp.plan_title or '无标题'}），"
            "与本次汇总所用的方案不是同一份文件")


def leader_key(name: str) -> str:
    """How a leader's return is named among the departments' (张三（分管领导）)."""
    return f"{name}（分管领导）"


def _has_content(report: Report) -> bool:
    return bool(report.status or report.progress or report.problems or report.next_steps)


def _with_change(report: Report, before: str | None) -> Report:
    now = report.status
    if not before:
        change = "首次报送" if now else ""
    elif before != now:
        change = f"{before or '未报'}→{now or '未报'}"
    else:
        change = ""
    return replace(report, change=change) if change else report


def _received(ret: Any) -> dict[str, Any]:
    return {"path": str(ret.path),
            "saved_at": ret.saved_at.isoformat(timespec="seconds") if ret.saved_at else None,
            "application": ret.application, "header": dict(ret.header)}


def _other_sender(ret: Any, department: str, expected: dict[str, dict[str, Any]]) -> str:
    """The department a stamped return's 报送单位 names when it is another than the stamp's
    (a department filling in another's form), else ``""``. Only a name that is a department
    (of the plan or of the registry) counts: 财政部（报送）, 财政部办公厅 or a person is no
    other department."""
    from ..departments import default_registry

    written = ret.header.get("报送单位", "").strip()
    if not written:
        return ""
    registry = default_registry()
    name = registry.canonical(written).name
    if name == department or registry.canonical(department).name == name:
        return ""
    if name in expected or registry.lookup(written) is not None:
        return name
    return ""


def _guess_department(ret: Any, expected: dict[str, dict[str, Any]],
                      tasks: dict[str, Any]) -> tuple[str | None, str]:
    """The department of a return without a stamp: by 报送单位, else by its tasks."""
    from ..departments import default_registry

    written = ret.header.get("报送单位", "").strip()
    if written:
        name = default_registry().canonical(written).name
        if name in expected:
            return name, f"报送单位：{written}"
    text_ids = {_squash(t.text): i for i, (t, _) in tasks.items() if t.text}
    ids = {row.task_id for row in ret.rows if row.task_id in tasks}
    ids |= {text_ids[k] for row in ret.rows
            if (k := _squash(row.task.get("任务内容", ""))) in text_ids}
    if not ids:
        return None, "未找到方案中的任务"
    fits = [d for d, mine in expected.items() if ids <= mine.keys()]
    exact = [d for d in fits if len(expected[d]) == len(ids)]
    if len(exact) == 1:
        return exact[0], f"任务与{exact[0]}的清单一致"
    if len(fits) == 1:
        return fits[0], f"任务均属{fits[0]}"
    return None, ("任务与多个单位的清单相符，无法确定报送单位" if fits
                  else "任务不属于同一单位的清单")

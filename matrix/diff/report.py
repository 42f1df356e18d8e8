"""What a diff reports in the terminal: :func:`render_summary` (rich), with the kind labels and
colours (:data:`KIND_LABELS`, :data:`KIND_STYLES`) and :func:`describe_departments`, which the
diff workbook uses too."""

from __future__ import annotations

from typing import Any

from .result import DeptChanges, PlanDiff, TaskRef
from .text import split_heading


KIND_STYLES = {"added": "green", "removed": "red", "split": "magenta", "merged": "magenta",
               "ambiguous": "bold yellow", "moved": "blue", "text_changed": "yellow",
               "renumbered": "cyan", "departments_changed": "bright_blue"}
KIND_LABELS = {"added": "新增", "removed": "删除", "split": "拆分", "merged": "合并",
               "ambiguous": "待定", "moved": "移动", "text_changed": "文字修改",
               "renumbered": "重新编号", "departments_changed": "部门变化"}


def describe_departments(ch: DeptChanges) -> str:
    """One line for a task's department changes: +财政部(负责) −广电总局(负责) 科技部 负责→牵头
    银保监会→金融监管总局."""
    parts = [f"+{d.department}({d.role.label}{'·统一规定' if d.inherited else ''})"
             for d in ch.gained]
    parts += [f"−{d.department}({d.role.label})" for d in ch.lost]
    parts += [f"{c.department} {c.old.label}→{c.new.label}" for c in ch.role_changed]
    parts += [f"{s.old}→{s.new}" for s in ch.succession]
    return " ".join(parts)


def _where(ref: TaskRef | None) -> str:
    if ref is None:
        return ""
    section = split_heading(ref.section)[0] if ref.section else ""
    return f"{section}{ref.label}"


def task_place(ref: TaskRef | None) -> str:
    """Where a task stands, as the summary table cites it: 二、（三）; "" for no task."""
    return _where(ref)


def render_summary(diff: PlanDiff, console: Any = None, *, all_renumbered: bool = False) -> None:
    """Print a counts line, a table of task changes coloured by kind and the per-department
    table. Colour only on a terminal: rich's ``Console`` drops it for a file or a pipe and
    honours ``NO_COLOR``; pass ``Console(file=io.StringIO())`` to capture the text.

    Tasks that were only renumbered (usually every task after an insertion) are listed on one
    line under the table rather than one row each, unless ``all_renumbered``.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..i18n import _, current, ngettext
    from ..text.safe import for_terminal

    def safe(value: str) -> Text:  # printable text from the plans, never read as rich markup
        return Text(for_terminal(value))

    console = console or Console()
    if diff.is_empty():
        if diff.department:
            console.print(safe(_("No differences for {department}.").format(
                department=diff.department)), highlight=False)
        else:
            console.print(safe(_("No differences.")), highlight=False)
        return
    zh = current() == "zh"
    line = Text(ngettext("{count} change: ", "{count} changes: ", len(diff.entries)).format(
        count=len(diff.entries)))
    for n, (kind, count) in enumerate(diff.counts().items()):
        if n:
            line.append(_(", "))
        word = KIND_LABELS[kind] if zh else kind.replace("_", " ")
        line.append(f"{count} {word}", style=KIND_STYLES[kind])
    console.print(line)

    table = Table(title="任务变化", expand=True)
    table.add_column("变化", no_wrap=True)
    table.add_column("原编号", no_wrap=True)
    table.add_column("新编号", no_wrap=True)
    # "fold": Chinese has no spaces to wrap at, and the default ellipsis cuts names in half.
    table.add_column("任务", ratio=2, overflow="fold")
    table.add_column("部门变化", ratio=2, overflow="fold")
    only_renumbered = []
    for e in diff.entries:
        if e.kinds == ("renumbered",) and not all_renumbered:
            only_renumbered.append(f"{e.old.label}→{e.new.label}")
            continue
        kinds = " ".join(KIND_LABELS[k] for k in e.kinds)
        title = (e.new or e.old).title if (e.new or e.old) else ""
        extra = describe_departments(e.departments)
        if e.kind == "ambiguous":
            extra = "候选: " + "; ".join(f"{_where(c.old)}→{_where(c.new)} ({c.score:.0f})"
                                         for c in e.candidates)
        table.add_row(Text(kinds, style=KIND_STYLES[e.kind]), safe(_where(e.old)),
                      safe(_where(e.new)), safe(title), safe(extra))
    if table.row_count:
        console.print(table)
    if only_renumbered:
        text = Text(f"仅重新编号 {len(only_renumbered)} 项: ", style=KIND_STYLES["renumbered"])
        text.append(for_terminal("、".join(only_renumbered)))
        console.print(text)

    if diff.departments:
        dept = Table(title="部门变化", expand=False)
        for name in ("部门", "新增任务", "减少任务", "新增牵头", "取消牵头", "角色变化", "职能承继"):
            dept.add_column(name, justify="left" if name == "部门" else "right",
                            overflow="fold", min_width=4 if name != "部门" else 8)
        for d in diff.departments:
            dept.add_row(safe(d.department), *(str(n) if n else "" for n in (
                d.tasks_gained, d.tasks_lost, d.lead_gained, d.lead_lost, d.role_changed,
                d.succession)))
        console.print(dept)
    for note in (diff.notes_zh or diff.notes) if zh else diff.notes:
        console.print(safe(_("note: {note}").format(note=note)), highlight=False)

"""Terminal output with rich: the readable views of records (the CLI's ``table`` format)."""

from __future__ import annotations

from ..records import Plan, Role
from ..text.safe import for_terminal

MARKS = {Role.lead: "★", Role.responsible: "●", Role.support: "○", Role.guide: "◇"}


def assignments_text(task) -> str:
    """牵头 first, then the others, each with its mark; inherited ones in brackets."""
    parts = []
    for a in task.assignments:
        name = f"{MARKS[a.role]}{a.department}"
        parts.append(f"[{name}]" if a.inherited else name)
    return "、".join(parts)


def print_plan(plan: Plan, console=None) -> None:
    """One table per document: number, section, title, departments with their marks."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..i18n import _, current

    def cell(value: str) -> Text:  # printable, and never read as rich markup
        return Text(for_terminal(value))

    console = console or Console()
    for doc in plan.documents:
        table = Table(title=cell(doc.title or plan.source.path), show_lines=False, expand=True)
        table.add_column("编号", no_wrap=True)
        table.add_column("任务", ratio=2)
        table.add_column("责任单位（★牵头 ●负责 ○参与 ◇指导 [ ]统一规定）", ratio=3)
        for task in doc.tasks:
            table.add_row(cell(task.label), cell(task.title), cell(assignments_text(task)))
        console.print(table)
        zh = current() == "zh"  # a warning's own text in the user's language
        for warning in doc.warnings:
            where = _("line {line}: ").format(line=warning.line) if warning.line else ""
            text = warning.message_zh if zh else warning.message
            console.print(Text(_("warning"), style="yellow") + cell(f" {where}{text}"),
                          highlight=False)


def print_collection(result, console=None) -> None:
    """The summary of a collected round: per department its tasks, reported, done, late, due
    soon (临期) and whether its return came late (迟报); then the files refused or unreadable,
    one line each."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    title = "报送情况" + (f"（{result.round}）" if result.round else "")
    table = Table(title=title, expand=False)
    for head in ("单位", "任务", "已报", "已完成", "逾期", "临期", "文件", "迟报"):
        table.add_column(head, justify="left" if head in ("单位", "文件", "迟报") else "right")
    for c in result.counts:
        style = "red" if c.late else "yellow" if c.due_soon else "dim" if not c.file else None
        late = f"{c.returned_late}{c.days_late}天" if c.days_late else c.returned_late
        table.add_row(c.department, str(c.tasks), str(c.returned), str(c.done), str(c.late),
                      str(c.due_soon), c.file or "未报送", late, style=style)
    console.print(table)
    taken = sum(1 for r in result.received if r.outcome == "采用")
    from ..i18n import _

    console.print(_("{departments} departments: {returned} returned, {missing} not; {late} of "
                    "{tasks} tasks late as of {day}").format(
                        departments=len(result.departments), returned=taken,
                        missing=len(result.missing), late=len(result.late),
                        tasks=len(result.tasks), day=result.as_of.isoformat()),
                  highlight=False, markup=False)

"""Terminal output with rich: the readable views of records (the CLI's ``table`` format)."""

from __future__ import annotations

from .records import Plan, Role
from .textsafe import for_terminal

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
        for warning in doc.warnings:
            where = f"line {warning.line}: " if warning.line else ""
            console.print(Text("warning", style="yellow") + cell(f" {where}{warning.message}"),
                          highlight=False)

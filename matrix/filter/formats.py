"""Task hits → rows, JSON, CSV and a terminal table (the output formats of ``dutymatrix filter``).

Pure functions of :class:`~matrix.filter.select.TaskHit` lists; workbooks are ``matrix.workbook``'s
business (this module never imports openpyxl). Every format carries the same facts: where the
task comes from, what it asks, the queried department's role (and whether a document-wide
rule, 统一规定, gives it) and the other departments on the task.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from .select import TaskHit
from ..records import task_json
from ..text.safe import for_terminal, strip_bidi

__all__ = ["ROW_KEYS", "guard", "hit_json", "hit_rows", "render_table", "role_text", "to_csv",
           "to_json"]

ROW_KEYS = ("source", "document", "number", "section", "title", "text", "department", "role",
            "inherited", "via", "departments", "deadline")
INHERITED_NOTE = "统一规定"  # the role comes from 以下均需…落实，不再列出
LEAD_BY_RULE_NOTE = "列第一位"  # lead only by 列第一位者为牵头单位
SEPARATOR = "、"  # between department names in one cell, as plans print them

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def role_text(hit: TaskHit) -> str:
    """The role as an office reads it: 负责, 负责（统一规定）, 负责（原银保监会）; "" without one."""
    if hit.role is None:
        return ""
    notes = []
    if hit.inherited:
        notes.append(INHERITED_NOTE)
    if hit.lead_by_rule:
        notes.append(LEAD_BY_RULE_NOTE)
    if hit.via:
        notes.append(f"原{hit.via}")
    return hit.role.label + (f"（{'；'.join(notes)}）" if notes else "")


def hit_rows(hits: Sequence[TaskHit]) -> list[dict[str, Any]]:
    """One flat dict per hit, keys :data:`ROW_KEYS` in that order.

    ``number`` is the task's label (（十） or （十）#2), ``role`` the Chinese word (牵头, 负责, 参与,
    指导; "" when no department or role was queried), ``inherited`` a bool, ``via`` the
    predecessor named on the task ("" when none), ``departments`` the other departments joined
    with 、; missing values are "".
    """
    return [
        {
            "source": hit.source,
            "document": hit.document or "",
            "number": hit.task.label,
            "section": hit.task.section or "",
            "title": hit.task.title,
            "text": hit.task.text,
            "department": hit.department or "",
            "role": hit.role.label if hit.role is not None else "",
            "inherited": hit.inherited,
            "via": hit.via or "",
            "departments": SEPARATOR.join(hit.others),
            "deadline": hit.task.deadline or "",
        }
        for hit in hits
    ]


def hit_json(hit: TaskHit) -> dict[str, Any]:
    """The task object of the ``parse`` JSON contract plus where it comes from and the role."""
    data = task_json(hit.task)
    data["label"] = hit.task.label
    data.update({
        "source": hit.source,
        "document": hit.document,
        "department": hit.department,
        "role": hit.role.value if hit.role is not None else None,
        "inherited": hit.inherited,
        "lead_by_rule": hit.lead_by_rule,
        "via": hit.via,
        "others": list(hit.others),
    })
    return data


def to_json(hits: Sequence[TaskHit]) -> str:
    """A JSON array of :func:`hit_json` objects, UTF-8 text (Chinese unescaped), newline-ended."""
    # A bidi control is never structural in JSON: dropping it from the text drops it from values.
    return strip_bidi(json.dumps([hit_json(h) for h in hits], ensure_ascii=False, indent=2)) + "\n"


def guard(text: str) -> str:
    """Text for a CSV cell: no bidi control, and prefixed with ' when a spreadsheet would run
    it as a formula."""
    text = strip_bidi(text)
    # Quote prefix, as OWASP recommends: the spreadsheet shows the text instead of running it.
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return guard("" if value is None else str(value))


def to_csv(hits: Sequence[TaskHit]) -> str:
    """CSV of :func:`hit_rows` with a header of :data:`ROW_KEYS`, starting with a BOM.

    Excel and WPS read a CSV without a byte-order mark in the local code page (GBK on a Chinese
    Windows), so the text starts with U+FEFF: the caller writes it encoded as UTF-8. Booleans
    are 是/否. A field starting with = + - @, tab or CR is prefixed with ' so that a spreadsheet
    never evaluates text from a plan as a formula. Rows end with CRLF (RFC 4180).
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(ROW_KEYS)
    for row in hit_rows(hits):
        writer.writerow([_cell(row[k]) for k in ROW_KEYS])
    return buffer.getvalue()


def render_table(hits: Sequence[TaskHit], console=None) -> None:
    """Print the hits as a rich table: 编号, 章节, 任务, 角色, 其他单位.

    A 来源 column is added when the hits come from several files, and a 单位 column when they
    belong to several queried departments. Rich measures CJK text by display width and wraps
    long titles; cells are ``Text`` objects, so brackets in a plan are never read as markup.
    Prints the table even when ``hits`` is empty; saying "no task" is the caller's choice.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    sources = list(dict.fromkeys(h.source for h in hits))
    documents = list(dict.fromkeys(h.document for h in hits))
    departments = list(dict.fromkeys(h.department for h in hits if h.department))
    title = for_terminal(documents[0]) if len(documents) == 1 and documents[0] else None
    table = Table(title=title, expand=True, show_lines=True)
    if len(sources) > 1:
        table.add_column("来源", ratio=1, overflow="fold")
    table.add_column("编号", no_wrap=True)
    # "fold": Chinese has no spaces to wrap at, and rich's default would cut the title short.
    table.add_column("章节", ratio=1, overflow="fold")
    table.add_column("任务", ratio=3, overflow="fold")
    if len(departments) > 1:
        table.add_column("单位", ratio=1, overflow="fold")
    table.add_column("角色", no_wrap=True)
    table.add_column("其他单位", ratio=2, overflow="fold")
    for hit in hits:
        cells = []
        if len(sources) > 1:
            cells.append(hit.source)
        cells += [hit.task.label, hit.task.section or "", hit.task.title]
        if len(departments) > 1:
            cells.append(hit.department or "")
        cells += [role_text(hit), SEPARATOR.join(hit.others)]
        # Printable text only: an ESC read from a workbook cell must not reach the terminal.
        table.add_row(*(Text(for_terminal(c)) for c in cells))
    console.print(table)

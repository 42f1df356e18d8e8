"""Pivot a plan's records into a responsibility matrix: tasks × departments → role.

Pure functions from :class:`~matrix.records.Plan` to new values; nothing here mutates its input,
and nothing here knows about spreadsheets (``workbook.plan`` turns a :class:`Matrix` into one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .records import ROLE_RANK, Assignment, Plan, Role, Task, task_rows


@dataclass(frozen=True, slots=True)
class Cell:
    """One department's strongest role on one task."""

    role: Role
    inherited: bool = False  # only a document-wide rule (以下均需…落实) gives the role
    lead_by_rule: bool = False  # lead only by 列第一位者为牵头单位


@dataclass(frozen=True, slots=True)
class Row:
    """One task and its cells; a department the task does not name has no key in ``cells``."""

    task: Task
    document: str | None  # title of the document the task comes from (None when untitled)
    document_index: int  # position of that document in ``Plan.documents``
    cells: dict[str, Cell]  # canonical department → cell, in the task's assignment order

    @property
    def total(self) -> int:
        """How many departments hold a role on this task."""
        return len(self.cells)


@dataclass(frozen=True, slots=True)
class Matrix:
    """Rows are tasks in plan order, columns are canonical departments.

    Plain dicts (they copy, pickle and ``dataclasses.asdict`` cleanly); treat them as read-only.
    """

    departments: tuple[str, ...]
    rows: tuple[Row, ...]
    counts: dict[str, dict[Role, int]]  # department → role → tasks, in column order

    def column_totals(self) -> dict[str, int]:
        """Department → how many tasks it holds any role on."""
        return {d: sum(by_role.values()) for d, by_role in self.counts.items()}


_ROLES = tuple(Role)


class DepartmentCount(NamedTuple):
    """One line of the per-department summary."""

    department: str
    lead: int
    responsible: int
    support: int
    guide: int
    total: int


def _rank(a: Assignment) -> tuple[int, bool, bool]:
    # The strongest role wins (models.ROLE_RANK, as Task.roles()); among equal roles an explicit
    # naming beats an inherited one, and a printed 牵头 beats a lead given only by position.
    return ROLE_RANK[a.role], a.inherited, a.lead_by_rule


def _cells(task: Task) -> dict[str, Cell]:
    best: dict[str, Assignment] = {}  # keeps each department at its first appearance
    for a in task.assignments:
        old = best.get(a.department)
        if old is None or _rank(a) < _rank(old):
            best[a.department] = a
    return {d: Cell(a.role, a.inherited, a.lead_by_rule) for d, a in best.items()}


def build_matrix(plan: Plan) -> Matrix:
    """Pivot ``plan`` into one row per task and one column per canonical department.

    Given tasks with these assignments::

        | task | assignments                                         |
        | ---- | --------------------------------------------------- |
        | （一） | 发展改革委 lead, 财政部 responsible                       |
        | （二） | 财政部 lead, 教育部 support, 财政部 support (again)        |
        | （三） | (none: the plan names no department for it)         |

    the matrix is::

        | task | 财政部 | 发展改革委 | 教育部 |
        | ---- | ----- | -------- | ----- |
        | （一） | 负责   | 牵头      |       |
        | （二） | 牵头   |          | 参与   |
        | （三） |       |          |       |

    Rows keep plan order (every task of every document; for a document with no task at all,
    its innermost unassigned clauses, with no assignment). Columns are ordered by how many
    tasks a department holds, most first, then by first appearance: 财政部 holds two tasks,
    发展改革委 and 教育部 one each and 发展改革委 is named first. A department named twice on one
    task keeps its strongest role (``models.ROLE_RANK``: 牵头 > 负责 > 指导 > 参与), so 财政部 is
    牵头 on （二）. Nothing fills a missing cell: ``row.cells`` simply has no key for a
    department the task does not name, and a task without assignments (（三）) is still a row.
    """
    rows: list[Row] = []
    held: dict[str, int] = {}  # insertion order is first appearance
    counts: dict[str, dict[Role, int]] = {}
    for index, document in enumerate(plan.documents):
        for task in task_rows(document):
            cells = _cells(task)
            rows.append(Row(task, document.title, index, cells))
            for department, cell in cells.items():
                held[department] = held.get(department, 0) + 1
                by_role = counts.get(department)
                if by_role is None:
                    by_role = counts[department] = dict.fromkeys(_ROLES, 0)
                by_role[cell.role] += 1
    first_seen = {d: i for i, d in enumerate(held)}
    departments = tuple(sorted(held, key=lambda d: (-held[d], first_seen[d])))
    return Matrix(
        departments=departments,
        rows=tuple(rows),
        counts={d: counts[d] for d in departments},
    )


def department_counts(matrix: Matrix) -> list[DepartmentCount]:
    """Roles held per department, sorted by total (desc), then 牵头 (desc), then name.

    For the matrix in :func:`build_matrix`'s docstring::

        | department | lead | responsible | support | guide | total |
        | ---------- | ---- | ----------- | ------- | ----- | ----- |
        | 财政部       | 1    | 1           | 0       | 0     | 2     |
        | 发展改革委     | 1    | 0           | 0       | 0     | 1     |
        | 教育部       | 0    | 0           | 1       | 0     | 1     |
    """
    out = []
    for department, by_role in matrix.counts.items():
        n = [by_role.get(r, 0) for r in (Role.lead, Role.responsible, Role.support, Role.guide)]
        out.append(DepartmentCount(department, *n, sum(n)))
    out.sort(key=lambda c: (-c.total, -c.lead, c.department))
    return out

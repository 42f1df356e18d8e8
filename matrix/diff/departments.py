"""Departments of a diff: each task's departments and roles compared (``dept_changes``), a
successor in the registry taken as one ``succession`` (``Successors``), and the per-department
summary of a whole diff (``summarise``). Pure functions over records, used by ``match``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ..records import ROLE_RANK, Role, Task
from .result import (NO_CHANGE, DeptChanges, DeptRole, DeptSummary, DiffEntry, RoleChange,
                     Succession)


def roles(task: Task) -> dict[str, tuple[Role, bool]]:
    """Canonical department → (strongest role, inherited) on this task."""
    out: dict[str, tuple[Role, bool]] = {}
    for a in task.assignments:
        old = out.get(a.department)
        if old is None or ROLE_RANK[a.role] < ROLE_RANK[old[0]]:
            out[a.department] = (a.role, a.inherited)
    return out


class Successors:
    """Successor chains from the registry, remembered per name."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        self.memo: dict[str, tuple[str, ...]] = {}

    def __call__(self, name: str) -> tuple[str, ...]:
        chain = self.memo.get(name)
        if chain is None:
            try:
                chain = tuple(d.name for d in self.registry.successor_chain(name))
            except Exception:  # a registry that does not know the name: no successor
                chain = ()
            self.memo[name] = chain
        return chain


def dept_changes(old: dict[str, tuple[Role, bool]] | None,
                  new: dict[str, tuple[Role, bool]] | None,
                  successors: Callable[[str], tuple[str, ...]]) -> DeptChanges:
    """Compare two tasks' departments (None for the missing side of an added/removed task)."""
    old, new = old or {}, new or {}
    if old.keys() == new.keys() and all(old[d][0] == new[d][0] for d in old):
        return NO_CHANGE
    lost = [d for d in old if d not in new]
    gained = [d for d in new if d not in old]
    role_changed = tuple(RoleChange(d, old[d][0], new[d][0])
                         for d in new if d in old and old[d][0] != new[d][0])
    succession: list[Succession] = []
    absorbed: set[str] = set()
    if lost and new:
        for d in list(lost):
            # Forward (银保监会 → 金融监管总局) or, comparing a newer plan to an older one, back.
            heir = next((s for s in successors(d) if s in new), None)
            if heir is None:
                heir = next((g for g in gained if g not in absorbed and d in successors(g)), None)
            if heir is not None:
                succession.append(Succession(d, heir, old[d][0], new[heir][0]))
                lost.remove(d)
                absorbed.add(heir)
    return DeptChanges(
        gained=tuple(DeptRole(d, *new[d]) for d in gained if d not in absorbed),
        lost=tuple(DeptRole(d, *old[d]) for d in lost),
        role_changed=role_changed,
        succession=tuple(succession))


def summarise(entries: Iterable[DiffEntry]) -> tuple[DeptSummary, ...]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        ch = e.departments
        for d in ch.gained:
            counts[d.department]["tasks_gained"] += 1
            counts[d.department]["lead_gained"] += d.role is Role.lead
        for d in ch.lost:
            counts[d.department]["tasks_lost"] += 1
            counts[d.department]["lead_lost"] += d.role is Role.lead
        for c in ch.role_changed:
            counts[c.department]["role_changed"] += 1
            counts[c.department]["lead_gained"] += c.new is Role.lead
            counts[c.department]["lead_lost"] += c.old is Role.lead
        for s in ch.succession:
            counts[s.old]["succession"] += 1
            counts[s.new]["succession"] += 1
    rows = [DeptSummary(name, **dict(c)) for name, c in counts.items()]
    rows.sort(key=lambda r: (-r.total, r.department))
    return tuple(rows)

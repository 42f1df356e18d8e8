"""Select tasks from plans: by department, role, section and text; split them per department.

Pure functions from :class:`~matrix.records.Plan` records to :class:`TaskHit` values; nothing here
mutates its input or knows about output formats (``formats.py`` turns hits into rows, JSON, CSV
and a terminal table).

How the filters combine::

    filter_tasks(plans, departments=["国家卫健委", "民政部"], roles=["responsible"],
                 section="二", match="老年")

keeps a task when (国家卫生健康委 **or** 民政部 holds it) **and** that department's role is
负责 **and** it lies under section 二、 **and** its title or text contains 老年.

Decisions worth knowing:

* **Names** go through the department registry, so every alias in either script works
  (国家卫健委, 國家衛生健康委, 国家卫生健康委员会 → 国家卫生健康委). A name the registry does not
  know is still accepted when a plan prints it (an unknown body kept as printed); otherwise it
  raises :class:`~matrix.errors.UnknownDepartmentError` with up to three suggestions.
* **Reorganisations**: a query for a body also matches the bodies it took over from, following
  the registry's successor chains (金融监管总局 matches 银保监会 and 银监会 in an old plan). Such a
  hit says so: ``hit.via`` is the name printed on the task. A body named directly on a task wins
  over its predecessors. A query for an old body (银保监会) matches only that body: its successor
  took on other duties as well, so its tasks are not the old body's.
* **Roles** are a department's strongest role on the task (牵头 > 负责 > 指导 > 参与, as in the
  matrix). An inherited assignment (以下均需地方各级人民政府落实) counts and is marked
  ``inherited``.
* **Sections**: a query that is only a number (二, 二、, 2, （三）) matches the number of the
  task's section heading or its （一） subheading — plain numbers (二、 2.) against plain ones,
  parenthesised against parenthesised, by value, so 2 finds 二、. Any other query is a
  substring of either heading, number included. A task that is itself a top-level clause is
  its own heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import UnknownDepartmentError
from ..records import ROLE_RANK, Assignment, Department, Plan, Role, Task
from ..parse.transform import number_value

__all__ = ["TaskHit", "department_index", "filter_tasks", "resolve_departments",
           "split_by_department"]

INDEX_KEYS = ("department", "lead", "responsible", "support", "guide", "total", "inherited")


@dataclass(frozen=True, slots=True)
class TaskHit:
    """One task selected for a query, with the queried department's part in it.

    ``department`` is the department the hit is about: the queried one (the strongest when
    several queried departments hold the task), or with no department query the strongest
    holder of a selected role; ``None`` when neither departments nor roles were asked for.
    ``matched`` lists every name on the task the query matched, ``others`` the rest, both as
    the task's canonical names in assignment order.
    """

    task: Task
    document: str | None  # title of the document holding the task (None when untitled)
    source: str  # path of the plan (or workbook) the task was read from
    department: str | None = None
    role: Role | None = None  # the strongest role among the matched departments
    inherited: bool = False  # the role comes only from a document-wide rule (统一规定)
    lead_by_rule: bool = False  # lead only by 列第一位者为牵头单位
    via: str | None = None  # predecessor named on the task when ``department`` is its successor
    matched: tuple[str, ...] = ()
    others: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Cell:
    """A department's strongest assignment on one task (internal)."""

    role: Role
    inherited: bool
    lead_by_rule: bool

    @property
    def rank(self) -> tuple[int, bool, bool]:
        # Strongest role first; among equal roles a printed naming beats an inherited one and
        # a printed 牵头 beats a lead given only by position (as pivot.py ranks cells).
        return ROLE_RANK[self.role], self.inherited, self.lead_by_rule


def _cells(task: Task, rename=None) -> dict[str, _Cell]:
    """Department → strongest assignment, in assignment order (``rename`` maps names first)."""
    grouped: dict[str, list[Assignment]] = {}
    for a in task.assignments:
        name = rename(a.department) if rename else a.department
        grouped.setdefault(name, []).append(a)
    out = {}
    for name, found in grouped.items():
        best = min(found, key=lambda a: (ROLE_RANK[a.role], a.inherited, a.lead_by_rule))
        out[name] = _Cell(best.role, best.inherited, best.lead_by_rule)
    return out


def _registry(registry):
    if registry is None:
        from ..departments import default_registry

        registry = default_registry()
    return registry


# ── departments ──────────────────────────────────────────────────────────────────────────────


def resolve_departments(names: Sequence[str], registry, *,
                        present: Iterable[str] = (),
                        local: dict[str, str] | None = None) -> list[Department]:
    """The department each query name spells, in query order, without repeats.

    Any spelling the registry knows works (alias, full name, traditional script). A name it
    does not know is accepted only when it is in ``present`` — the unknown names printed in the
    plans being searched, which the parser kept as printed — and comes back with
    ``known=False``. ``local`` maps the names a local plan printed (市发改委) to the column of its
    body (市发展改革委); a query found there means that body, before any national one. Anything
    else raises ``UnknownDepartmentError(name, registry.suggest(name))``:
    a typo must never look like a department with no tasks.
    """
    present = set(present)
    local = local or {}
    out: list[Department] = []
    for name in names:
        if name.strip() in local:
            dept = Department(name=local[name.strip()], known=True)
            if all(d.name != dept.name for d in out):
                out.append(dept)
            continue
        dept = registry.lookup(name)
        if dept is None:
            # canonical() cleans an unknown name exactly as the parser stored it.
            printed = registry.canonical(name).name
            if printed not in present:
                raise UnknownDepartmentError(name, registry.suggest(name))
            dept = Department(name=printed, known=False)
        if all(d.name != dept.name for d in out):
            out.append(dept)
    return out


class _Matcher:
    """Which queried department a task's department counts for (internal)."""

    def __init__(self, queried: Sequence[Department], registry) -> None:
        self.queried = [d.name for d in queried]
        self.registry = registry
        self._chains: dict[str, set[str]] = {}

    def successors(self, name: str) -> set[str]:
        """Canonical names of every body that took over from ``name``."""
        found = self._chains.get(name)
        if found is None:
            found = self._chains[name] = {d.name for d in self.registry.successor_chain(name)}
        return found

    def choices(self, cells: dict[str, _Cell]) -> list[tuple[str, str, _Cell]]:
        """(queried, name on task, cell) for every queried department present on the task."""
        out = []
        for q in self.queried:
            if q in cells:
                out.append((q, q, cells[q]))
                continue
            older = [d for d in cells if q in self.successors(d)]
            if older:
                best = min(older, key=lambda d: cells[d].rank)
                out.append((q, best, cells[best]))
        return out


# ── sections and text ────────────────────────────────────────────────────────────────────────

_HAN = "一二三四五六七八九十百千零〇两"
_HEADING_NUMBER = re.compile(rf"^(?:（[{_HAN}\d]+）|[{_HAN}]+、|\d+[.、]|[①-⑳])")
_QUERY_NUMBER = re.compile(rf"^(?:（[{_HAN}\d]+）|[{_HAN}]+、?|\d+[.、]?)$")


def _clean_query(text: str) -> str:
    """A query in the form of the records: normalised (width, traditional script), casefolded."""
    from ..text.normalise import normalise

    # normalise() rather than normalise_line(): only the former converts traditional script.
    return normalise(text).text.strip().casefold()


def _number_key(number: str) -> tuple[bool, int | None]:
    """(parenthesised?, value) of a printed number: （三） → (True, 3), 二、 → (False, 2)."""
    return number.startswith("（"), number_value(number)


def _headings(task: Task) -> list[str]:
    headings = [h for h in (task.section, task.subsection) if h]
    if task.section is None:  # a top-level clause is its own section
        headings.append(f"{task.number}{task.title}")
    return headings


def _section_test(query: str):
    """A predicate on tasks for ``--section``, as the module docstring describes."""
    query = _clean_query(query)
    if _QUERY_NUMBER.match(query):
        wanted = _number_key(query)

        def by_number(task: Task) -> bool:
            for heading in _headings(task):
                m = _HEADING_NUMBER.match(heading)
                if m and _number_key(m.group(0)) == wanted:
                    return True
            return False

        return by_number
    return lambda task: any(query in h.casefold() for h in _headings(task))


def _match_test(query: str):
    query = _clean_query(query)
    return lambda task: query in task.title.casefold() or query in task.text.casefold()


# ── filtering ────────────────────────────────────────────────────────────────────────────────


def _hit(task: Task, document: str | None, source: str, cells: dict[str, _Cell],
         chosen: list[tuple[str, str, _Cell]]) -> TaskHit:
    """Build a hit from the (department, name on task, cell) triples the query kept."""
    on_task_names = {on_task for _, on_task, _ in chosen}
    matched = tuple(d for d in cells if d in on_task_names)
    others = tuple(d for d in cells if d not in on_task_names)
    if not chosen:
        return TaskHit(task, document, source, others=others)
    # Strongest role; on a tie a direct naming beats a predecessor's.
    department, on_task, cell = min(chosen, key=lambda c: (c[2].rank, c[0] != c[1]))
    return TaskHit(task, document, source, department=department, role=cell.role,
                   inherited=cell.inherited, lead_by_rule=cell.lead_by_rule,
                   via=on_task if on_task != department else None,
                   matched=matched, others=others)


def _roles(roles: Iterable[Role | str]) -> set[Role]:
    out = set()
    for role in roles:
        try:
            out.add(Role(role))
        except ValueError:
            raise ValueError(f"unknown role {role!r}; expected one of "
                             f"{', '.join(r.value for r in Role)}") from None
    return out


def _local_names(plans: Sequence[Plan], queries: Sequence[str], registry) -> dict[str, str]:
    """Query → column for the queries that name a body of a local plan among ``plans``: as
    printed there, as its column, or any spelling of it in that government (市发展和改革委员会
    finds the column 市发展改革委)."""
    from ..departments import canonical
    from ..parse.localnames import LocalResolver

    out: dict[str, str] = {}
    for plan in plans:
        for document in plan.documents:
            where = document.jurisdiction
            if where is None or where.level == "central":
                continue
            columns = {a.department for t in document.tasks for a in t.assignments}
            printed = {a.as_printed: a.department for t in document.tasks for a in t.assignments}
            resolver = LocalResolver(registry, where, canonical)
            # a column is named as the plan prints it; any spelling of the same body (same
            # prefix and national function) finds it
            by_key = {resolver.key(c): c for c in sorted(columns, key=len)}
            by_key.pop(None, None)
            for query in queries:
                query = query.strip()
                if query in out:
                    continue
                column = printed.get(query) or (query if query in columns else None) or \
                    resolver.resolve(query).department.name
                if column not in columns:
                    column = by_key.get(resolver.key(query))
                if column in columns:
                    out[query] = column
    return out


def filter_tasks(plans: Sequence[Plan], departments: Sequence[str] = (),
                 roles: Sequence[Role | str] = (), section: str | None = None,
                 match: str | None = None, registry=None,
                 leaders: Sequence[str] = ()) -> list[TaskHit]:
    """Tasks of ``plans`` that pass every filter given, in plan and document order.

    ``departments`` (OR among them) are resolved with :func:`resolve_departments`, so an
    unknown name raises :class:`~matrix.errors.UnknownDepartmentError`; a known department
    that holds no task simply gives ``[]``. ``roles`` (``Role`` or its value, OR among them)
    apply to the queried departments, or to any department when none is queried. ``section``
    and ``match`` are described in the module docstring; empty strings are ignored. With no
    filter at all every task is a hit. ``registry`` defaults to
    :func:`matrix.departments.default_registry` and is loaded only for a department query.
    ``leaders`` (OR among them) keeps the tasks whose ``leaders`` (牵头负责领导 …) name one of
    them (a name within the printed one: 金力 finds 金力同志).
    """
    wanted_roles = _roles(roles)
    tests = []
    wanted_leaders = [q.strip() for q in leaders if q.strip()]
    if wanted_leaders:
        tests.append(lambda task: any(q in person for q in wanted_leaders
                                      for person in task.leaders))
    if section:
        tests.append(_section_test(section))
    if match:
        tests.append(_match_test(match))
    matcher = None
    if departments:
        registry = _registry(registry)
        present = {a.department for p in plans for t in p.tasks for a in t.assignments
                   if not a.known}
        local = _local_names(plans, departments, registry)
        matcher = _Matcher(resolve_departments(departments, registry, present=present,
                                               local=local), registry)

    hits: list[TaskHit] = []
    for plan in plans:
        for document in plan.documents:
            for task in document.tasks:
                if not all(test(task) for test in tests):
                    continue
                cells = _cells(task)
                if matcher is not None:
                    chosen = matcher.choices(cells)
                    if not chosen:
                        continue
                else:
                    chosen = [(d, d, c) for d, c in cells.items()] if wanted_roles else []
                if wanted_roles:
                    chosen = [c for c in chosen if c[2].role in wanted_roles]
                    if not chosen:
                        continue
                hits.append(_hit(task, document.title, plan.source.path, cells, chosen))
    return hits


# ── one list per department ──────────────────────────────────────────────────────────────────


def split_by_department(plans: Sequence[Plan], registry=None) -> dict[str, list[TaskHit]]:
    """Canonical department → its hits (its role, the other departments), for one list each.

    Every task appears under each department it names, inherited ones included (marked).
    Departments come in order of first appearance. Names are passed through
    ``registry.canonical`` (default registry when ``None``), so a name that an edited workbook
    spells differently still lands on its canonical key; predecessors are *not* merged into
    their successors here — the plan assigned the task to the old body — use
    :func:`filter_tasks` with the successor's name for that.
    """
    registry = _registry(registry)
    names: dict[str, str] = {}

    def rename(name: str) -> str:
        if name not in names:
            names[name] = registry.canonical(name).name
        return names[name]

    out: dict[str, list[TaskHit]] = {}
    for plan in plans:
        for document in plan.documents:
            where = document.jurisdiction
            # a local plan's columns are its own bodies as printed (统计局 there is the county's,
            # not 国家统计局): never renamed through the national data
            local = where is not None and where.level != "central"
            for task in document.tasks:
                cells = _cells(task, None if local else rename)
                for department, cell in cells.items():
                    hit = _hit(task, document.title, plan.source.path, cells,
                               [(department, department, cell)])
                    out.setdefault(department, []).append(hit)
    return out


def department_index(split: dict[str, list[TaskHit]]) -> list[dict]:
    """Per department: tasks by role, ``total`` and how many are ``inherited``.

    Keys are :data:`INDEX_KEYS`; ``lead + responsible + support + guide == total``. Sorted by
    total (desc), then lead (desc), then name, as ``pivot.department_counts``::

        | department | lead | responsible | support | guide | total | inherited |
        | ---------- | ---- | ----------- | ------- | ----- | ----- | --------- |
        | 市场监管总局    | 0    | 22          | 0       | 0     | 22    | 0         |
    """
    rows = []
    for department, hits in split.items():
        row = {"department": department, **{r.value: 0 for r in Role}}
        for hit in hits:
            if hit.role is not None:
                row[hit.role.value] += 1
        row["total"] = sum(row[r.value] for r in Role)
        row["inherited"] = sum(1 for hit in hits if hit.inherited)
        rows.append({k: row[k] for k in INDEX_KEYS})
    rows.sort(key=lambda r: (-r["total"], -r["lead"], r["department"]))
    return rows

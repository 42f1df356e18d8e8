"""build_matrix and department_counts on plans built by hand from matrix.records."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix.records import Assignment, Document, Plan, Role, Source, Task
from matrix.pivot import Cell, DepartmentCount, Matrix, build_matrix, department_counts

SOURCE = Source(path="plan.txt", sha256="0" * 64)


def a(department: str, role: Role = Role.responsible, **kw: bool) -> Assignment:
    return Assignment(department=department, as_printed=department, role=role, **kw)


def task(number: str, *assignments: Assignment, part: int = 1) -> Task:
    return Task(number=number, part=part, title=f"任务{number}", text=f"任务{number}。", line=1,
                assignments=assignments)


def plan(*tasks: Task, title: str | None = "实施方案") -> Plan:
    return Plan(source=SOURCE, documents=(Document(title=title, tasks=tasks),))


def test_docstring_example() -> None:
    m = build_matrix(plan(
        task("（一）", a("发展改革委", Role.lead), a("财政部")),
        task("（二）", a("财政部", Role.lead), a("教育部", Role.support),
             a("财政部", Role.support)),
        task("（三）"),
    ))
    assert m.departments == ("财政部", "发展改革委", "教育部")
    assert [{d: c.role for d, c in r.cells.items()} for r in m.rows] == [
        {"发展改革委": Role.lead, "财政部": Role.responsible},
        {"财政部": Role.lead, "教育部": Role.support},
        {},
    ]
    assert department_counts(m) == [DepartmentCount("财政部", 1, 1, 0, 0, 2),
                                    DepartmentCount("发展改革委", 1, 0, 0, 0, 1),
                                    DepartmentCount("教育部", 0, 0, 1, 0, 1)]


def test_columns_by_task_count_then_first_appearance() -> None:
    m = build_matrix(plan(
        task("1.", a("甲"), a("乙")),
        task("2.", a("丙"), a("乙")),
        task("3.", a("丁"), a("丙")),
        task("4.", a("戊")),
    ))
    # 乙 and 丙 hold two tasks (乙 seen first); 甲, 丁, 戊 one each, in order of appearance.
    assert m.departments == ("乙", "丙", "甲", "丁", "戊")


def test_a_department_named_twice_on_a_task_counts_once() -> None:
    m = build_matrix(plan(task("1.", a("甲", Role.support), a("甲", Role.lead)), task("2.", a("乙")),
                          task("3.", a("乙"))))
    assert m.departments == ("乙", "甲")
    assert m.counts["甲"] == {Role.lead: 1, Role.responsible: 0, Role.support: 0, Role.guide: 0}


@pytest.mark.parametrize(("roles", "expected"), [
    ((Role.support, Role.lead), Role.lead),
    ((Role.lead, Role.responsible), Role.lead),
    ((Role.support, Role.responsible), Role.responsible),
    ((Role.support, Role.guide), Role.guide),
    ((Role.guide, Role.responsible), Role.responsible),
])
def test_strongest_role_wins(roles: tuple[Role, Role], expected: Role) -> None:
    t = task("1.", *(a("甲", r) for r in roles))
    m = build_matrix(plan(t))
    assert m.rows[0].cells["甲"].role == expected == t.roles()["甲"]


def test_explicit_naming_beats_inherited_and_positional() -> None:
    m = build_matrix(plan(
        task("1.", a("甲", inherited=True), a("甲")),
        task("2.", a("乙", Role.lead, lead_by_rule=True), a("乙", Role.lead)),
        task("3.", a("丙", inherited=True)),
        task("4.", a("丁", Role.lead, lead_by_rule=True), a("丁", Role.support)),
    ))
    cells = [r.cells for r in m.rows]
    assert cells[0]["甲"] == Cell(Role.responsible)
    assert cells[1]["乙"] == Cell(Role.lead)
    assert cells[2]["丙"] == Cell(Role.responsible, inherited=True)
    assert cells[3]["丁"] == Cell(Role.lead, lead_by_rule=True)


def test_cells_keep_the_order_of_first_naming() -> None:
    m = build_matrix(plan(task("1.", a("乙", Role.support), a("甲", Role.lead), a("乙", Role.lead))))
    assert list(m.rows[0].cells) == ["乙", "甲"]


def test_rows_follow_documents_in_order() -> None:
    p = Plan(source=SOURCE, documents=(
        Document(title="甲方案", tasks=(task("1.", a("甲")), task("1.", a("乙"), part=2))),
        Document(title=None, tasks=(task("（一）"),)),
    ))
    m = build_matrix(p)
    assert [(r.task.label, r.document, r.document_index) for r in m.rows] == [
        ("1.", "甲方案", 0), ("1.#2", "甲方案", 0), ("（一）", None, 1)]


def test_counts_and_department_counts() -> None:
    m = build_matrix(plan(
        task("1.", a("甲", Role.lead), a("乙"), a("丙", Role.guide)),
        task("2.", a("乙", Role.lead), a("甲", Role.support)),
        task("3.", a("丁", Role.lead)),
        task("4.", a("丙", Role.support), a("乙", Role.support)),
    ))
    assert m.counts == {
        "乙": {Role.lead: 1, Role.responsible: 1, Role.support: 1, Role.guide: 0},
        "甲": {Role.lead: 1, Role.responsible: 0, Role.support: 1, Role.guide: 0},
        "丙": {Role.lead: 0, Role.responsible: 0, Role.support: 1, Role.guide: 1},
        "丁": {Role.lead: 1, Role.responsible: 0, Role.support: 0, Role.guide: 0},
    }
    assert list(m.counts) == list(m.departments)
    assert m.column_totals() == {"乙": 3, "甲": 2, "丙": 2, "丁": 1}
    assert [r.total for r in m.rows] == [3, 2, 1, 2]
    # total desc, then lead desc (甲 before 丙), then name
    assert department_counts(m) == [
        DepartmentCount("乙", 1, 1, 1, 0, 3),
        DepartmentCount("甲", 1, 0, 1, 0, 2),
        DepartmentCount("丙", 0, 0, 1, 1, 2),
        DepartmentCount("丁", 1, 0, 0, 0, 1),
    ]


def test_department_counts_ties_sort_by_name() -> None:
    m = build_matrix(plan(task("1.", a("b"), a("a"), a("c"))))
    assert [c.department for c in department_counts(m)] == ["a", "b", "c"]


def test_empty_plan() -> None:
    for p in (Plan(source=SOURCE), plan()):
        m = build_matrix(p)
        assert m == Matrix(departments=(), rows=(), counts={})
        assert department_counts(m) == []


def test_tasks_without_assignments_are_rows_without_cells() -> None:
    m = build_matrix(plan(task("一、"), task("二、")))
    assert m.departments == ()
    assert [r.task.number for r in m.rows] == ["一、", "二、"]
    assert all(r.cells == {} and r.total == 0 for r in m.rows)
    assert m.counts == {} and department_counts(m) == []


def test_matrix_is_frozen_and_plain() -> None:
    m = build_matrix(plan(task("1.", a("甲"))))
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.departments = ()  # type: ignore[misc]
    assert dataclasses.asdict(m)["counts"] == {"甲": {r: int(r is Role.responsible) for r in Role}}


names = st.sampled_from(["甲", "乙", "丙", "丁", "戊"])
assignments = st.builds(lambda d, r, i, p: a(d, r, inherited=i, lead_by_rule=p),
                        names, st.sampled_from(list(Role)), st.booleans(), st.booleans())


@given(st.lists(st.lists(assignments, max_size=6), max_size=8))
def test_matrix_agrees_with_task_roles(tables: list[list[Assignment]]) -> None:
    p = plan(*(task(f"{i}.", *t) for i, t in enumerate(tables, 1)))
    m = build_matrix(p)
    assert [{d: c.role for d, c in r.cells.items()} for r in m.rows] == [t.roles() for t in p.tasks]
    held = {d: sum(d in r.cells for r in m.rows) for d in m.departments}
    assert sorted(held) == sorted({x.department for t in tables for x in t})
    assert [held[d] for d in m.departments] == sorted(held.values(), reverse=True)
    assert sum(c.total for c in department_counts(m)) == sum(r.total for r in m.rows)

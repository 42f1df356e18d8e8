"""matrix/filter/ (select.py and formats.py): selecting tasks by department, role, section and text, and the
rows, JSON, CSV and table made from them (issue 3, library part)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from matrix.errors import UnknownDepartmentError
from matrix.filter.select import (INDEX_KEYS, TaskHit, department_index, filter_tasks,
                           resolve_departments, split_by_department)
from matrix.models import Role, Task
from matrix.load.pipeline import parse_file, parse_text
from matrix.filter.formats import ROW_KEYS, hit_rows, render_table, role_text, to_csv, to_json

from conftest import SEED_001

# A small plan with every role, two sections, a predecessor body, an unknown body and a deadline.
SMALL = """关于推进养老服务工作的实施方案
一、加强统筹
（一）完善养老服务体系。建立老年用品标准。（民政部牵头，财政部、国家卫生健康委配合）
（二）强化资金保障。加大财政投入。（财政部负责）
二、优化服务
（三）提升医养结合水平。开展医养结合培训。（国家卫生健康委会同民政部负责）
（四）加强金融支持。引导保险机构参与。（银保监会、交通运输部按职责分工负责，2024年底前完成）
（五）指导地方落实。（国务院办公厅指导，某某协调办负责）
"""

FIVE = ["（一）", "（二）", "（三）", "（十一）", "（十三）"]


@pytest.fixture(scope="module")
def seed():
    """Seed 001 parsed once for this module."""
    return parse_file(SEED_001)


@pytest.fixture(scope="module")
def small():
    """The SMALL plan parsed once for this module."""
    return parse_text(SMALL, "small.txt")


def labels(hits):
    """Task labels of a hit list, in order."""
    return [h.task.label for h in hits]


# ── departments ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", ["国家卫健委", "国家卫生健康委", "國家衛生健康委", "国家卫生健康委员会"])
def test_alias_and_script_give_the_same_five_tasks(seed, name):
    hits = filter_tasks([seed], departments=[name])
    assert labels(hits) == FIVE
    assert {h.department for h in hits} == {"国家卫生健康委"}
    assert all(h.role is Role.responsible and not h.inherited for h in hits)


def test_inherited_assignment_counts_and_is_marked(seed):
    hits = filter_tasks([seed], departments=["地方各级人民政府"])
    assert len(hits) == len(seed.tasks) == 22
    assert sum(h.inherited for h in hits) == 21
    assert [h.task.label for h in hits if not h.inherited] == ["（一）"]  # printed there
    assert role_text(hits[1]) == "负责（统一规定）"


def test_hit_knows_document_source_and_other_departments(seed):
    first = filter_tasks([seed], departments=["国家卫健委"])[0]
    assert first.source == str(SEED_001)
    assert first.document == seed.documents[0].title
    assert first.matched == ("国家卫生健康委",)
    assert "国家卫生健康委" not in first.others
    assert first.others[:2] == ("农业农村部", "国家粮食和储备局")
    assert "地方各级人民政府" in first.others


@pytest.mark.parametrize("name, suggestion", [
    ("国家卫建委", "国家卫生健康委"),
    ("市场监督总局", "市场监管总局"),
])
def test_unknown_name_raises_with_suggestions(seed, name, suggestion):
    with pytest.raises(UnknownDepartmentError, match="unknown department") as info:
        filter_tasks([seed], departments=[name])
    assert 1 <= len(info.value.suggestions) <= 3
    assert suggestion in info.value.suggestions
    assert "did you mean" in str(info.value)


def test_unknown_name_without_any_close_name():
    from matrix.departments import default_registry

    with pytest.raises(UnknownDepartmentError) as info:
        resolve_departments(["xyzzy"], default_registry())
    assert info.value.suggestions == []


@pytest.mark.parametrize("name", ["外交部", "国防部"])
def test_known_department_without_task_is_empty_not_an_error(seed, name):
    assert filter_tasks([seed], departments=[name]) == []


def test_unknown_name_printed_in_the_plan_is_accepted(small):
    hits = filter_tasks([small], departments=["某某协调办"])
    assert labels(hits) == ["（五）"]
    assert hits[0].role is Role.responsible


def test_resolve_deduplicates_in_query_order():
    from matrix.departments import default_registry

    found = resolve_departments(["民政部", "国家卫健委", "國家衛生健康委"], default_registry())
    assert [d.name for d in found] == ["民政部", "国家卫生健康委"]


@pytest.mark.parametrize("query, expected, via", [
    ("金融监管总局", ["（十二）", "（十九）"], "银保监会"),  # successor finds its predecessor
    ("银保监会", ["（十二）", "（十九）"], None),
])
def test_successor_query_matches_predecessor(seed, query, expected, via):
    hits = filter_tasks([seed], departments=[query])
    assert labels(hits) == expected
    assert all(h.via == via for h in hits)
    if via:
        assert role_text(hits[0]) == "负责（原银保监会）"
        assert hits[0].matched == ("银保监会",)


def test_predecessor_query_does_not_match_successor():
    plan = parse_text("一、总则\n（一）防范金融风险。（金融监管总局负责）\n（二）其他工作。（财政部负责）\n")
    assert filter_tasks([plan], departments=["银保监会"]) == []
    assert labels(filter_tasks([plan], departments=["金融监管总局"])) == ["（一）"]


# ── roles, sections, text; OR and AND ───────────────────────────────────────────────────────


@pytest.mark.parametrize("departments, roles, expected", [
    (["民政部"], [], ["（一）", "（三）"]),
    (["民政部"], ["lead"], ["（一）"]),
    (["民政部"], ["support"], ["（三）"]),
    (["民政部"], [Role.lead, Role.support], ["（一）", "（三）"]),
    (["国家卫健委"], ["lead"], ["（三）"]),
    (["财政部"], ["guide"], []),
    ([], ["lead"], ["（一）", "（三）"]),  # no department: the role of any department
    ([], ["guide"], ["（五）"]),
    ([], [], ["（一）", "（二）", "（三）", "（四）", "（五）"]),
])
def test_role_filter(small, departments, roles, expected):
    assert labels(filter_tasks([small], departments=departments, roles=roles)) == expected


def test_role_without_department_names_the_holder(small):
    hits = filter_tasks([small], roles=["lead"])
    assert [(h.department, h.role) for h in hits] == [("民政部", Role.lead),
                                                     ("国家卫生健康委", Role.lead)]
    assert hits[0].others == ("财政部", "国家卫生健康委")


def test_no_filter_hit_has_no_role(small):
    hit = filter_tasks([small])[0]
    assert hit.department is None and hit.role is None and hit.matched == ()
    assert hit.others == ("民政部", "财政部", "国家卫生健康委")
    assert role_text(hit) == ""


def test_unknown_role_is_a_value_error(small):
    with pytest.raises(ValueError, match="unknown role 'boss'"):
        filter_tasks([small], roles=["boss"])


@pytest.mark.parametrize("section, expected", [
    ("二", ["（三）", "（四）", "（五）"]),
    ("二、", ["（三）", "（四）", "（五）"]),
    ("2", ["（三）", "（四）", "（五）"]),
    ("一", ["（一）", "（二）"]),
    ("三", []),
    ("优化", ["（三）", "（四）", "（五）"]),  # part of the heading text
    ("二、优化服务", ["（三）", "（四）", "（五）"]),
    ("加強統籌", ["（一）", "（二）"]),  # traditional script
    ("", ["（一）", "（二）", "（三）", "（四）", "（五）"]),  # empty: no filter
])
def test_section_filter(small, section, expected):
    assert labels(filter_tasks([small], section=section)) == expected


@pytest.mark.parametrize("section, expected", [
    ("五", ["（十一）", "（十二）", "（十三）"]),
    ("五、", ["（十一）", "（十二）", "（十三）"]),
    ("服务品质", ["（十一）", "（十二）", "（十三）"]),
    ("（十一）", []),  # a parenthesised number is a subheading number; seed 001 has none
])
def test_section_filter_on_seed(seed, section, expected):
    assert labels(filter_tasks([seed], section=section)) == expected


def test_top_level_clause_is_its_own_section():
    plan = parse_text("一、加强领导。（民政部负责）\n二、强化保障。（财政部负责）\n")
    assert labels(filter_tasks([plan], section="二")) == ["二、"]
    assert labels(filter_tasks([plan], section="领导")) == ["一、"]


def test_parenthesised_number_matches_subsection():
    plan = parse_text("一、总体要求\n（一）加强组织。\n1.建立机制。（民政部负责）\n"
                      "（二）强化保障。\n1.加大投入。（财政部负责）\n")
    hits = filter_tasks([plan], section="（二）")
    assert [h.task.title for h in hits] == ["加大投入"]
    assert len(filter_tasks([plan], section="一")) == 2


@pytest.mark.parametrize("match, expected", [
    ("医养结合", ["（三）"]),  # in the title
    ("保险机构", ["（四）"]),  # in the text only
    ("醫養結合", ["（三）"]),  # traditional script
    ("老年", ["（一）"]),
    ("不存在的内容", []),
])
def test_match_filter(small, match, expected):
    assert labels(filter_tasks([small], match=match)) == expected


def test_match_filter_on_seed_with_half_width_query(seed):
    assert labels(filter_tasks([seed], match="IPv6")) == ["（八）"]
    assert labels(filter_tasks([seed], match="ipv6")) == ["（八）"]
    assert labels(filter_tasks([seed], match="(失智)")) == ["（十三）"]  # ( ) → （ ）


def test_departments_combine_with_or(small):
    hits = filter_tasks([small], departments=["财政部", "银保监会"])
    assert labels(hits) == ["（一）", "（二）", "（四）"]
    assert [h.department for h in hits] == ["财政部", "财政部", "银保监会"]


def test_or_keeps_the_strongest_role_and_all_matched(small):
    hit = filter_tasks([small], departments=["财政部", "民政部"])[0]
    assert (hit.task.label, hit.department, hit.role) == ("（一）", "民政部", Role.lead)
    assert hit.matched == ("民政部", "财政部")
    assert hit.others == ("国家卫生健康委",)


@pytest.mark.parametrize("kwargs, expected", [
    ({"departments": ["民政部"], "section": "二"}, ["（三）"]),
    ({"departments": ["民政部"], "roles": ["lead"], "section": "二"}, []),
    ({"departments": ["国家卫健委"], "match": "培训"}, ["（三）"]),
    ({"departments": ["国家卫健委"], "match": "标准"}, ["（一）"]),
    ({"departments": ["民政部", "财政部"], "roles": ["responsible"]}, ["（二）"]),
    ({"roles": ["responsible"], "section": "二", "match": "金融"}, ["（四）"]),
])
def test_filters_combine_with_and(small, kwargs, expected):
    assert labels(filter_tasks([small], **kwargs)) == expected


def test_several_plans_keep_order_and_source(seed, small):
    hits = filter_tasks([small, seed], departments=["国家卫健委"])
    assert [h.source for h in hits] == ["small.txt"] * 2 + [str(SEED_001)] * 5
    assert labels(hits) == ["（一）", "（三）", *FIVE]


def test_records_are_not_mutated(small):
    before = small.model_dump()
    filter_tasks([small], departments=["民政部"], roles=["lead"])
    split_by_department([small])
    assert small.model_dump() == before


# ── one list per department ─────────────────────────────────────────────────────────────────


def test_split_lists_every_task_under_each_of_its_departments(seed):
    split = split_by_department([seed])
    for task in seed.tasks:
        for department in task.roles():
            assert task in [h.task for h in split[department]]
    assert sum(len(hits) for hits in split.values()) == sum(len(t.roles()) for t in seed.tasks)
    assert labels(split["国家卫生健康委"]) == FIVE
    assert labels(split["地方各级人民政府"]) == labels(filter_tasks([seed], ["地方各级人民政府"]))


def test_split_hit_has_role_and_other_departments(small):
    split = split_by_department([small])
    assert list(split) == ["民政部", "财政部", "国家卫生健康委", "银保监会", "交通运输部",
                           "国务院办公厅", "某某协调办"]
    hit = split["财政部"][0]
    assert (hit.department, hit.role, hit.others) == ("财政部", Role.support,
                                                      ("民政部", "国家卫生健康委"))


def test_department_index_counts_add_up(seed, small):
    for plan in (seed, small):
        split = split_by_department([plan])
        index = department_index(split)
        assert [tuple(row) for row in index] == [INDEX_KEYS] * len(index)
        assert {row["department"] for row in index} == set(split)
        for row in index:
            assert row["lead"] + row["responsible"] + row["support"] + row["guide"] == row["total"]
            assert row["total"] == len(split[row["department"]])
        totals = [(row["total"], row["lead"]) for row in index]
        assert totals == sorted(totals, key=lambda t: (-t[0], -t[1]))


def test_department_index_small(small):
    index = {row["department"]: row for row in department_index(split_by_department([small]))}
    assert index["民政部"] == {"department": "民政部", "lead": 1, "responsible": 0, "support": 1,
                            "guide": 0, "total": 2, "inherited": 0}
    assert index["国务院办公厅"]["guide"] == 1


def test_department_index_inherited(seed):
    index = {row["department"]: row for row in department_index(split_by_department([seed]))}
    assert index["地方各级人民政府"]["total"] == 22
    assert index["地方各级人民政府"]["inherited"] == 21


# ── rows, JSON, CSV, table ──────────────────────────────────────────────────────────────────


def test_hit_rows_keys_and_values(small):
    rows = hit_rows(filter_tasks([small], departments=["银保监会"]))
    assert len(rows) == 1
    assert tuple(rows[0]) == ROW_KEYS
    assert rows[0]["number"] == "（四）"
    assert rows[0]["section"] == "二、优化服务"
    assert rows[0]["role"] == "负责"
    assert rows[0]["inherited"] is False
    assert rows[0]["departments"] == "交通运输部"
    assert rows[0]["deadline"] == "2024年底前完成"
    assert rows[0]["source"] == "small.txt"


def test_json_keeps_the_parse_contract_plus_source_and_role(seed):
    hits = filter_tasks([seed], departments=["地方各级人民政府"])
    data = json.loads(to_json(hits))
    contract = seed.to_json()["documents"][0]["tasks"]
    assert len(data) == 22
    for obj, task_json in zip(data, contract):
        assert {k: obj[k] for k in task_json} == task_json
        assert obj["source"] == str(SEED_001)
        assert obj["role"] == "responsible"
    assert [obj["inherited"] for obj in data] == [False] + [True] * 21
    assert "国家卫生健康委" in data[0]["others"]


def test_csv_has_bom_header_and_parses(small):
    text = to_csv(filter_tasks([small], departments=["国家卫健委"]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert tuple(rows[0]) == ROW_KEYS
    assert len(rows) == 3
    record = dict(zip(rows[0], rows[1]))
    assert record["role"] == "参与" and record["inherited"] == "否"
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")


def _hit(**fields) -> TaskHit:
    task = Task(number="（一）", title=fields.pop("title", "标题"), text=fields.pop("text", "正文"),
                line=1, section=fields.pop("section", None))
    return TaskHit(task=task, document=None, source="x.txt", **fields)


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)",
                                   "\tcmd", "\r=1"])
def test_csv_protects_against_formula_injection(value):
    text = to_csv([_hit(title=value, text=value, section=value, role=Role.lead)])
    rows = list(csv.reader(io.StringIO(text[1:])))
    record = dict(zip(rows[0], rows[1]))
    for key in ("title", "text", "section"):
        assert record[key] == "'" + value
    assert record["role"] == "牵头"


def test_csv_leaves_harmless_fields_alone():
    text = to_csv([_hit(title="a=b", text="2024年", role=Role.guide)])
    record = dict(zip(*csv.reader(io.StringIO(text[1:]))))
    assert (record["title"], record["text"], record["role"]) == ("a=b", "2024年", "指导")


def test_csv_of_no_hits_is_header_only():
    assert to_csv([]) == "\ufeff" + ",".join(ROW_KEYS) + "\r\n"


@pytest.mark.parametrize("fields, expected", [
    ({"role": Role.responsible}, "负责"),
    ({"role": Role.responsible, "inherited": True}, "负责（统一规定）"),
    ({"role": Role.lead, "lead_by_rule": True}, "牵头（列第一位）"),
    ({"role": Role.support, "via": "银保监会"}, "参与（原银保监会）"),
    ({"role": Role.responsible, "inherited": True, "via": "银保监会"}, "负责（统一规定；原银保监会）"),
    ({}, ""),
])
def test_role_text(fields, expected):
    assert role_text(_hit(**fields)) == expected


def _render(hits, width=100) -> str:
    console = Console(record=True, width=width, color_system=None)
    render_table(hits, console)
    return console.export_text()


def test_table_columns_and_inherited_mark(seed):
    out = _render(filter_tasks([seed], departments=["地方各级人民政府"]))
    for header in ("编号", "章节", "任务", "角色", "其他单位"):
        assert header in out
    assert "负责（统一规定）" in out
    assert "来源" not in out


def test_table_wraps_long_titles_and_never_reads_markup():
    title = "[bold]加强" + "质量" * 40 + "[/bold]"
    out = _render([_hit(title=title, role=Role.lead)], width=80)
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80  # display width, CJK counted double
    assert "[bold]" in out  # shown as text, not swallowed as markup
    assert sum("质量" in line for line in lines) > 1  # the long title wrapped


def test_table_adds_source_and_department_columns_when_mixed(seed, small):
    out = _render(filter_tasks([small, seed], departments=["国家卫健委", "民政部"]), width=140)
    assert "来源" in out and "单位" in out


# ── properties ──────────────────────────────────────────────────────────────────────────────

_DEPTS = ["民政部", "财政部", "国家卫健委", "银保监会", "国务院办公厅", "金融监管总局"]
_ROLES = [r.value for r in Role]


# The fixture is module-scoped and never changed, so reusing it across examples is safe.
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_DEPTS), max_size=3),
       st.lists(st.sampled_from(_DEPTS), max_size=3),
       st.lists(st.sampled_from(_ROLES), max_size=2),
       st.sampled_from([None, "一", "二", "服务"]), st.sampled_from([None, "结合", "保障", "。"]))
def test_or_is_union_and_and_is_intersection(small, a, b, roles, section, match):
    def keys(**kw):
        return {h.task.label for h in filter_tasks([small], roles=roles, **kw)}

    if a and b:
        assert keys(departments=a + b) == keys(departments=a) | keys(departments=b)
    both = keys(departments=a, section=section, match=match)
    assert both == (keys(departments=a) & keys(departments=a, section=section)
                    & keys(departments=a, match=match))

"""The acceptance checks of the core pipeline on the bundled seeds (issue 2)."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
import opencc

from matrix.workbook import write_workbook
from matrix.load.pipeline import parse_text
from matrix.pivot import build_matrix
from matrix.parse.transform import number_value
from tests.conftest import SEED_001

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_seed_001_tasks(plan_001):
    doc, = plan_001.documents
    assert [number_value(t.number) for t in doc.tasks] == list(range(1, 23))
    assert all(t.part == 1 for t in doc.tasks)
    assert doc.title == "进一步提高产品、工程和服务质量行动方案（2022-2025年）"


def test_seed_001_departments(plan_001):
    tasks = plan_001.tasks
    printed = [a for t in tasks for a in t.assignments if not a.inherited]
    inherited = [a for t in tasks for a in t.assignments if a.inherited]
    assert len(printed) == 133  # 132 pairs + 地方各级人民政府 printed in （一）'s own trailer
    assert len(inherited) == 21 and {a.department for a in inherited} == {"地方各级人民政府"}
    assert all("地方各级人民政府" in t.roles() for t in tasks)
    assert all(a.known for t in tasks for a in t.assignments)
    matrix = build_matrix(plan_001)
    assert len(matrix.departments) == 40
    assert sum(len(row.cells) for row in matrix.rows) == 154
    assert plan_001.documents[0].rules == ("以下均需地方各级人民政府落实，不再列出",)


def test_seed_001_has_no_pinyin_or_traditional_in_output(plan_001, tmp_path):
    text = json.dumps(plan_001.to_json(), ensure_ascii=False)
    assert not re.search(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", text)
    converter = opencc.OpenCC("t2s")
    han = "".join(HAN.findall(text))
    assert converter.convert(han) == han
    path = write_workbook(plan_001, tmp_path / "001.xlsx")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str) and ws.title != "说明":
                    assert converter.convert(value) == value, value


def test_simplified_rendition_gives_identical_records(plan_001):
    simplified = opencc.OpenCC("t2s").convert(SEED_001.read_text(encoding="utf-8"))
    plan = parse_text(simplified, str(SEED_001))
    assert plan.documents == plan_001.documents


def test_workbook_marks_read_back_equal_records(plan_001, tmp_path):
    path = write_workbook(plan_001, tmp_path / "001.xlsx")
    ws = openpyxl.load_workbook(path)["矩阵"]
    rows = list(ws.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    header = rows[header_index]
    marks = {"★": "lead", "●": "responsible", "○": "support", "◇": "guide"}
    got = {}
    for row in rows[header_index + 1:]:
        if not isinstance(row[0], int):
            continue
        for name, value in zip(header, row):
            if isinstance(value, str) and value and value[0] in marks and name in build_matrix(plan_001).departments:
                got[(row[0], name)] = marks[value[0]]
    want = {(i, d): r.value for i, t in enumerate(plan_001.tasks, 1) for d, r in t.roles().items()}
    assert got == want
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)


def test_seed_003_clauses_are_unassigned_and_nothing_is_invented(plan_003):
    first = plan_003.documents[0]
    assert first.title == "质量强国建设纲要"
    assert first.tasks == ()
    clauses = [c for c in first.unassigned if c.number.startswith("（")]
    assert [number_value(c.number) for c in clauses] == list(range(1, 33))
    assert all(not d.tasks for d in plan_003.documents)
    assert not any(a for d in plan_003.documents for t in d.tasks for a in t.assignments)
    assert len(plan_003.documents) >= 2
    assert any(w.kind == "no-departments" for w in first.warnings)


def test_seed_003_workbook_lists_leaf_clauses(plan_003):
    matrix = build_matrix(plan_003)
    titles = [row.task.title for row in matrix.rows if row.document_index == 0]
    assert "增强质量发展创新动能" in titles and "开展督察评估" in titles
    assert "推动经济质量效益型发展" not in titles  # a heading with clauses under it is no row
    assert matrix.departments == ()


def test_make_equals_the_validating_constructor():
    from matrix.models import Assignment, Clause, Role, Task

    fields = dict(number="（一）", title="甲", text="甲。", line=3,
                  assignments=(Assignment(department="财政部", as_printed="财政部", role=Role.lead),))
    made, built = Task.make(**fields), Task(**fields)
    assert made == built and hash(made) == hash(built)
    assert made.as_json() == built.model_dump(mode="json")
    assert Clause.make(number="一、", title="总则", line=1) == Clause(number="一、", title="总则", line=1)
    with pytest.raises(TypeError):
        Task.make(numbr="（一）")
    with pytest.raises(Exception):
        made.title = "乙"  # frozen


@pytest.mark.parametrize("name", ["001_5afa0209a0ae242f.txt", "003_b00b7e78f4f7e31f.txt"])
def test_json_round_trip(name):
    import json as json_module

    from matrix.models import Plan
    from matrix.load.pipeline import parse_file
    from tests.conftest import SEEDS

    plan = parse_file(SEEDS / name)
    again = Plan.from_json(json_module.loads(json_module.dumps(plan.to_json(), ensure_ascii=False)))
    assert again == plan

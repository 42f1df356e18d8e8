"""The four real State Council documents against the hand-checked annotations in corpus/gold.

The gold files are copies of ../shared/corpus/gold/*.json; departments there are as printed,
so they are compared with ``Assignment.as_printed``.
"""

from __future__ import annotations

import json

import pytest

from matrix.pipeline import parse_file
from tests.conftest import CORPUS

GOLD = sorted((CORPUS / "gold").glob("*.json"))


def load(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    plan = parse_file(CORPUS / gold["document"])
    assert len(plan.documents) == 1
    return gold, plan.documents[0]


@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.stem)
def test_tasks_match_gold(gold_path):
    gold, doc = load(gold_path)
    got = [{
        "number": t.label, "section": t.section, "title": t.title, "trailer": t.trailer,
        "text": t.text,
        "assignments": [(a.as_printed, a.role.value, a.lead_by_rule, a.inherited) for a in t.assignments],
    } for t in doc.tasks]
    want = [{
        "number": g["number"], "section": g["section"], "title": g["title"], "trailer": g["trailer"],
        "text": g["text"].strip(),
        "assignments": [(a["department"], a["role"], a.get("lead_by_rule", False), a.get("inherited", False))
                        for a in g["assignments"]],
    } for g in gold["tasks"]]
    assert got == want


@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.stem)
def test_document_fields_match_gold(gold_path):
    gold, doc = load(gold_path)
    assert doc.title == gold["title"]
    assert doc.doc_number == gold["文号"]
    assert list(doc.rules) == gold["rules"]
    assert [(c.number, c.section, c.title, c.contains_tasks) for c in doc.unassigned] == [
        (c["number"], c["section"], c["title"], c["contains_tasks"]) for c in gold["unassigned_clauses"]]


@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.stem)
def test_scopes_match_gold(gold_path):
    gold, doc = load(gold_path)
    assert [t.scope for t in doc.tasks] == [g.get("scope") for g in gold["tasks"]]

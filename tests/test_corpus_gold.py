"""The four real State Council documents against the hand-checked annotations in corpus/gold.

The gold files are copies of ../shared/corpus/gold/*.json; departments there are as printed,
so they are compared with ``Assignment.as_printed``.
"""

from __future__ import annotations

import json

import pytest

from matrix.load.pipeline import parse_file
from tests.conftest import CORPUS, ROOT

GOLD = sorted((CORPUS / "gold").glob("*.json"))


def load(gold_path, folder=CORPUS):
    """The reference annotation and the one document its plan (in ``folder``) gives."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    plan = parse_file(folder / gold["document"])
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


# ---------------------------------------------------------------------------------------------
# Local-government plans: the eleven excerpts of ../shared/corpus/local/ (copies in
# corpus/local/) against their reference annotations. The reference gives departments as
# printed with a distributed list prefix written out; it is compared through the document's
# own reading of names (``matrix.parse.jurisdiction.LocalResolver``): the same body must come out.

LOCAL = CORPUS / "local"
LOCAL_GOLD = sorted((LOCAL / "gold").glob("*.json"))
LOCAL_INDEX = {e["file"]: e for e in json.loads((LOCAL / "index.json").read_text("utf-8"))["files"]}


def _norm(text: str) -> str:
    """A reference text as the parser sees it (script, widths, glosses, blank lines)."""
    from matrix.text.normalise import normalise

    return normalise(text).text.strip()


def match_tasks(gold: dict, doc) -> tuple[dict, int]:
    """Reference task index → my task with the same trailer (in order); how many of mine are
    not in the reference."""
    want = [_norm(g["trailer"]) for g in gold["tasks"]]
    mine: dict = {}
    extra = 0
    for t in doc.tasks:
        key = _norm(t.trailer or "")
        free = [i for i, w in enumerate(want) if w == key and i not in mine]
        if free:
            mine[free[0]] = t
        else:
            extra += 1
    return mine, extra


def local_scores(gold: dict, doc, registry=None) -> dict:
    """Per-document measures: tasks found, pair precision/recall/F1, role accuracy, leaders.

    A task is matched to the reference task with the same trailer; a pair is (task, body, role),
    the body compared by identity in the document's jurisdiction.
    """
    from matrix.departments import canonical, default_registry
    from matrix.parse.localnames import LocalResolver

    resolver = LocalResolver(registry or default_registry(), doc.jurisdiction, canonical)
    # the spellings the plan prints of one body share one column (as the document does)
    # (a bare name of the reference, 商务厅, and the document's 省商务厅 are one body's spellings)
    resolver.unify([*(_norm(a["department"]) for g in gold["tasks"] for a in g["assignments"]),
                    *(a.department for t in doc.tasks for a in t.assignments)])
    mine, extra = match_tasks(gold, doc)
    want_pairs, got_pairs, role_hits, role_total, leaders_ok = set(), set(), 0, 0, True
    printed_ok = True
    for i, g in enumerate(gold["tasks"]):
        want = {}
        for a in g["assignments"]:
            body = resolver.resolve(_norm(a["department"])).department.name
            want[body] = (a["role"], a.get("lead_by_rule", False), a.get("inherited", False))
            want_pairs.add((i, body, a["role"]))
        t = mine.get(i)
        if t is None:
            continue
        if list(t.leaders) != g.get("leaders", []):
            leaders_ok = False
        for a in t.assignments:
            got_pairs.add((i, a.department, a.role.value))
            if a.department in want:
                role_total += 1
                role_hits += want[a.department] == (a.role.value, a.lead_by_rule, a.inherited)
        # as printed, or with the list prefix written out (flag prefix_distributed)
        printed = {_norm(a["department"]) for a in g["assignments"]}
        printed |= {_norm(a["department"])[1:] for a in g["assignments"]
                    if a.get("prefix_distributed")}
        printed_ok &= all(a.as_printed in printed for a in t.assignments)
    got_pairs |= {(-1 - k, "extra", "extra") for k in range(extra)}
    hit = len(want_pairs & got_pairs)
    precision = hit / len(got_pairs) if got_pairs else 1.0
    recall = hit / len(want_pairs) if want_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"found": len(mine), "tasks": len(gold["tasks"]), "extra": extra, "f1": f1,
            "roles": role_hits / role_total if role_total else 1.0, "leaders": leaders_ok,
            "printed": printed_ok}


@pytest.mark.parametrize("gold_path", LOCAL_GOLD, ids=lambda p: p.stem)
def test_local_plan_matches_gold(gold_path):
    gold, doc = load(gold_path, LOCAL)
    scores = local_scores(gold, doc)
    assert scores == {"found": len(gold["tasks"]), "tasks": len(gold["tasks"]), "extra": 0,
                      "f1": 1.0, "roles": 1.0, "leaders": True, "printed": True}


@pytest.mark.parametrize("gold_path", LOCAL_GOLD, ids=lambda p: p.stem)
def test_local_plan_rules_and_jurisdiction(gold_path):
    gold, doc = load(gold_path, LOCAL)
    assert [r.rstrip("。") for r in doc.rules] == [_norm(r).rstrip("。") for r in gold.get("rules", [])]
    entry = LOCAL_INDEX[gold["document"]]
    assert doc.jurisdiction.level == entry["level"]
    government = entry["government"].split("(")[0]
    # 01 is an excerpt that never names its city (咸阳): the level comes from its bodies
    assert doc.jurisdiction.name == (None if gold["document"] == "01_xianyang.txt" else government)


@pytest.mark.parametrize("gold_path", LOCAL_GOLD, ids=lambda p: p.stem)
def test_local_titles_match_gold(gold_path):
    gold, doc = load(gold_path, LOCAL)
    mine, _ = match_tasks(gold, doc)
    for i, g in enumerate(gold["tasks"]):
        if "number_garbled" in g:  # the page's mojibake ate the number: not a clause of its own
            continue
        t = mine[i]
        assert (t.label, t.title) == (_norm(g["number"]), _norm(g["title"]))


@pytest.mark.parametrize("path", sorted(LOCAL.glob("*.txt"))
                         + sorted((ROOT / "tests" / "fixtures" / "local").glob("*.txt")),
                         ids=lambda p: p.stem)
def test_no_local_body_becomes_a_national_one(path):
    from matrix.departments import default_registry

    (doc,) = parse_file(path).documents
    registry = default_registry()
    for t in doc.tasks:
        for a in t.assignments:
            national = registry.lookup(a.department)
            if national is not None and a.counterpart is not None:
                # a bare name the plan prints (统计局): its own body, kept as printed, with the
                # national body as its counterpart — never the national body itself
                assert a.department == a.as_printed or a.as_printed in a.department
                continue
            if national is not None and not national.generic:
                # only a name national by form may stay national
                assert a.as_printed == a.department or a.as_printed in registry.aliases(a.department)
                assert a.as_printed.startswith(("国家", "国务院", "中国", "中央")) or \
                    a.as_printed.endswith(("部", "总局", "总署")), (a.as_printed, a.department)


# Test plans of our own in the forms of issue 12 that the eleven excerpts do not show (a
# provincial plan with national-by-form names and bare names, a city plan with line-trailer blocks,
# 部门分工, 分别牵头, a heading trailer and a rule in the notice, a county plan with half-width
# colons and indentation), annotated by hand in the same format.

OWN = ROOT / "tests" / "fixtures" / "local"
OWN_GOLD = sorted((OWN / "gold").glob("*.json"))


@pytest.mark.parametrize("gold_path", OWN_GOLD, ids=lambda p: p.stem)
def test_own_local_plans_match_gold(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    plan = parse_file(OWN / gold["document"])
    doc = plan.documents[0]
    assert (doc.jurisdiction.level, doc.jurisdiction.name) == (gold["level"], gold["government"])
    assert list(doc.rules) == gold["rules"]
    assert local_scores(gold, doc) == {
        "found": len(gold["tasks"]), "tasks": len(gold["tasks"]), "extra": 0, "f1": 1.0,
        "roles": 1.0, "leaders": True, "printed": True}


# ---------------------------------------------------------------------------------------------
# The second local set (issue 23): 17 texts from 14 governments, copies of ../shared/corpus/local2
# in corpus/local2/ with their reference annotations (layouts in corpus/local2/README.md). Tasks
# are aligned by their opening words (table rows and unnumbered paragraphs have no trailer of
# the reference's form); a pair is (task, body), the body compared by identity in the document's
# jurisdiction. The bars of the issue are assertions: every file F1 ≥ 0.95, all pairs ≥ 0.98.

LOCAL2 = CORPUS / "local2"
LOCAL2_GOLD = sorted((LOCAL2 / "gold").glob("*.json"))
LOCAL2_INDEX = {e["file"]: e for e in json.loads((LOCAL2 / "index.json").read_text("utf-8"))["files"]}
_KEY_DROP = None


def _key(text: str) -> str:
    """The opening words of a task: script, punctuation, digits and spaces left out."""
    import re

    global _KEY_DROP
    if _KEY_DROP is None:
        _KEY_DROP = re.compile(r"[\W\d_a-zA-Z]+")
    return _KEY_DROP.sub("", _norm(text or ""))[:8]


def local2_scores(gold: dict, plan, level: str) -> dict:
    """Pair counts (tp, fp, fn), F1 and role hits of one plan against its reference."""
    import re

    from matrix.departments import canonical, default_registry
    from matrix.parse.localnames import LocalResolver
    from matrix.records import Jurisdiction

    tasks = [t for d in plan.documents for t in d.tasks]
    # the last task, when the excerpt cuts it inside its trailer, is not in the reference
    cut = {re.sub(r"\D", "", m.group(1)) for note in gold.get("notes", [])
           for m in re.finditer(r"(\d+)\.? is cut|Row (\d+)'s \S+ cell is cut", note) if m.group(1)}
    cut |= {m.group(1) for note in gold.get("notes", [])
            for m in re.finditer(r"Row (\d+)'s \S+ cell is cut", note)}
    if tasks and re.sub(r"\D", "", tasks[-1].number) in cut:
        tasks = tasks[:-1]
    where = plan.documents[0].jurisdiction or Jurisdiction(level=level, name=None)
    resolver = LocalResolver(default_registry(), where, canonical)
    resolver.unify([_norm(a["department"]) for g in gold["tasks"] for a in g["assignments"]]
                   + [a.as_printed for t in tasks for a in t.assignments])
    mine_keys = [_key(t.text or t.title) for t in tasks]
    used: set[int] = set()
    tp = fp = fn = roles = 0
    pos = 0
    for g in gold["tasks"]:
        want = {}
        for a in g["assignments"]:
            printed = _norm(a["department"])
            want[resolver.resolve(printed).department.name] = (a["role"], printed)
        gk = _key(g.get("first_sentence") or g["title"])
        found = next((i for i in list(range(pos, len(tasks))) + list(range(pos))
                      if i not in used and len(gk) >= 2
                      and (mine_keys[i].startswith(gk) or gk.startswith(mine_keys[i] or "\0"))), None)
        if found is None:
            fn += len(want)
            continue
        used.add(found)
        pos = found + 1
        got = {a.department: a for a in tasks[found].assignments}
        for body, (role, printed) in want.items():
            a = got.pop(body, None) or next(
                (got.pop(k) for k, v in list(got.items()) if v.as_printed == printed), None)
            if a is None:
                fn += 1
            else:
                tp += 1
                roles += a.role.value == role
        fp += len(got)
    fp += sum(len(t.assignments) for i, t in enumerate(tasks) if i not in used)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "roles": roles}


@pytest.mark.parametrize("gold_path", LOCAL2_GOLD, ids=lambda p: p.stem)
def test_second_local_set_per_file(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    plan = parse_file(LOCAL2 / gold["document"])
    scores = local2_scores(gold, plan, LOCAL2_INDEX[gold["document"]]["level"])
    assert scores["f1"] >= 0.95, scores
    assert scores["roles"] >= scores["tp"] - 1, scores  # roles right on the pairs found


def test_second_local_set_micro_and_mean():
    tp = fp = fn = 0
    f1s = []
    for gold_path in LOCAL2_GOLD:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        s = local2_scores(gold, parse_file(LOCAL2 / gold["document"]),
                          LOCAL2_INDEX[gold["document"]]["level"])
        tp, fp, fn = tp + s["tp"], fp + s["fp"], fn + s["fn"]
        f1s.append(s["f1"])
    p, r = tp / (tp + fp), tp / (tp + fn)
    assert 2 * p * r / (p + r) >= 0.98
    assert sum(f1s) / len(f1s) >= 0.95


@pytest.mark.parametrize("gold_path", LOCAL2_GOLD, ids=lambda p: p.stem)
def test_second_local_set_jurisdiction_and_leaders(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    entry = LOCAL2_INDEX[gold["document"]]
    plan = parse_file(LOCAL2 / gold["document"])
    government = entry["government"].split(" ")[0]
    levels = {d.jurisdiction.level if d.jurisdiction else None for d in plan.documents if d.tasks}
    if government not in (LOCAL2 / gold["document"]).read_text("utf-8"):
        levels -= {None}  # a page that never names its government (霍山县's zone list)
    if entry["level"] == "county" and government.endswith("市"):
        levels = {"county" if lv == "city" else lv for lv in levels}  # 桐乡市: a county-level city
    assert levels <= {entry["level"]}
    leaders = {tuple(g.get("leaders", [])) for g in gold["tasks"]} - {()}
    mine = {tuple(t.leaders) for d in plan.documents for t in d.tasks} - {()}
    # a padded two-character name (钱 宇) is one person: its padding is layout
    assert mine == {tuple(p.replace(" ", "") for p in people) for people in leaders}

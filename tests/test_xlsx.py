"""The plan workbook written by our own package writer (matrix/workbook/xlsx.py, issue 27) is,
part by part and byte for byte, what openpyxl writes for the same plan (``plan._write_with_openpyxl``,
the reference): over the seeds, the corpus (State Council and local plans) and plans made by
hypothesis. Two things are blanked before comparing: the time ``docProps/core.xml`` says the
file was modified (now, in both) and the application ``docProps/app.xml`` names (openpyxl, or
dutymatrix). The zip holds the parts in openpyxl's order and the same signature comment."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix.errors import NoClausesError
from matrix.load.pipeline import parse_file
from matrix.records import Assignment, Document, ParseWarning, Plan, Role, Source, Task
from matrix.workbook import plan as plan_book
from matrix.workbook import read_workbook, write_workbook, xlsx
from matrix.workbook.chart import LoadChart
from tests.conftest import ROOT
from tests.test_golden import DOCUMENTS

WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def _parts(data: bytes) -> tuple[list[str], dict[str, bytes], bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
        names, comment = [i.filename for i in z.infolist()], z.comment
    parts["docProps/core.xml"] = re.sub(rb"<dcterms:modified .*?</dcterms:modified>", b"",
                                        parts["docProps/core.xml"])
    parts["docProps/app.xml"] = re.sub(rb"<Application>.*?</Application>", b"",
                                       parts["docProps/app.xml"])
    return names, parts, comment


def _both(plan: Plan, **kw) -> tuple[tuple, tuple]:
    ours, theirs = io.BytesIO(), io.BytesIO()
    write_workbook(plan, ours, generated_at=WHEN, **kw)
    plan_book._write_with_openpyxl(plan, theirs, generated_at=WHEN, **kw)
    return _parts(ours.getvalue()), _parts(theirs.getvalue())


def _same(plan: Plan, **kw) -> None:
    (names, parts, comment), (their_names, their_parts, their_comment) = _both(plan, **kw)
    assert names == their_names
    for name in their_names:
        assert parts[name] == their_parts[name], name
    assert comment == their_comment and comment.startswith(b"dutymatrix 1 ")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name[:28])
def test_every_part_is_what_openpyxl_writes(path):
    try:
        plan = parse_file(path)
    except NoClausesError:
        pytest.skip("no clauses: no workbook")
    _same(plan)


def test_the_application_is_named_and_the_modified_time_is_now():
    out = io.BytesIO()
    before = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    write_workbook(parse_file(DOCUMENTS[1]), out, generated_at=WHEN)
    with zipfile.ZipFile(out) as z:
        assert f"<Application>{xlsx.APPLICATION}</Application>".encode() in z.read(
            "docProps/app.xml")
        core = z.read("docProps/core.xml").decode()
    assert "<dcterms:created" in core and "2024-05-01T01:30:00Z" in core
    modified = re.search(r"<dcterms:modified[^>]*>([^<]*)Z<", core).group(1)
    assert datetime.fromisoformat(modified) >= before


# ── plans made by hand and by hypothesis: what the documents above never hold ─────────────

SOURCE = Source(path="plan.txt", sha256="ab" * 32)
# text a cell or a page header must carry as it is: markup, quotes, a leading formula sign,
# CR, tabs, characters beyond the BMP, bidi controls and characters XML cannot carry
TEXT = st.lists(st.sampled_from([*"任务部门&<>\"'=+-@ \t\r\n a1（）；、。", "\U0001F600", "\u202e",
                                 "\x07", "&&", "\ufffe", "＆"]), max_size=12).map("".join)


def _task(number: int, departments: list[tuple[str, Role, bool]], title: str = "任务",
          **kw) -> Task:
    return Task(number=f"（{number}）", title=title or "任务", text=f"{title}。", line=number,
                assignments=tuple(Assignment(department=d, as_printed=d, role=r, inherited=i)
                                  for d, r, i in departments), **kw)


def _plan(*documents: Document) -> Plan:
    return Plan(source=SOURCE, documents=documents)


@pytest.mark.parametrize("count", [0, 1, 20, 21, 25, 26, 60, 61, 70])
def test_any_number_of_departments(count):
    # A3 beyond 20, pages side by side with the task columns repeated beyond 60, the chart's
    # 25 busiest
    names = [f"第{i}部门" for i in range(count)]
    tasks = [_task(i + 1, [(d, Role(("lead", "responsible", "support", "guide")[j % 4]), j % 3 == 0)
                           for j, d in enumerate(names[i::3])]) for i in range(3)]
    _same(_plan(Document(title="某方案", tasks=tuple(tasks))))


def test_no_document_no_task_several_documents_and_warnings():
    _same(_plan())
    _same(_plan(Document(title=None)))
    warning = ParseWarning(line=3, kind="no-trailer", message="no trailer")
    _same(_plan(Document(title="甲", doc_number="国发〔2018〕1号",
                         tasks=(_task(1, [("财政部", Role.lead, False)]),), warnings=(warning,)),
                Document(title=None, tasks=(_task(2, [("教育部", Role.support, True)],
                                                  leaders=("张三",), deadline="2025年底前"),))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles=st.lists(TEXT, min_size=1, max_size=3), path=TEXT, extra=TEXT,
       tasks=st.lists(st.tuples(TEXT, st.lists(st.tuples(st.sampled_from(
           ["财政部", "教育部", "X&<Y>", "=A1", "部门\U0001F600", "省\u202e厅"]),
           st.sampled_from(list(Role)), st.booleans()), max_size=4)), max_size=4))
def test_any_plan(titles, path, extra, tasks):
    # the same odd text in every other place a plan puts text: sections, leaders, deadlines,
    # rules, 文号, warnings
    warning = ParseWarning(line=2, kind="unknown-department", message=extra or "m",
                           params=(("name", extra),))
    documents = tuple(
        Document(title=title or None, doc_number=extra or None, rules=(extra,) if extra else (),
                 warnings=(warning,) if extra else (),
                 tasks=tuple(_task(i, list(dict((d, (d, r, inh)) for d, r, inh in assignments)
                                           .values()), title=t, section=extra or None,
                                   subsection=t or None, leaders=(extra,) if extra else (),
                                   deadline=extra or None)
                             for i, (t, assignments) in enumerate(tasks, 1)))
        for title in titles)
    plan = Plan(source=Source(path=path or "x.txt", sha256="cd" * 32), documents=documents)
    _same(plan)


def test_text_over_a_cells_limit():
    long = "长" * 40_000
    _same(_plan(Document(title=long, tasks=(_task(1, [("财政部", Role.lead, False)],
                                                  title=long),))))


# ── the pieces ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("departments", [*range(1, 30), 60, 300])
def test_the_chart_part_is_what_openpyxl_writes(departments):
    from openpyxl.xml.functions import tostring

    for sheet in ("部门统计", "a'b&<c>"):
        chart = LoadChart(sheet, departments)
        assert chart.xml() == tostring(chart.openpyxl()._write()).decode()
    assert ("（前 25 个部门）" in LoadChart("部门统计", departments).xml()) is (departments > 25)


@pytest.mark.parametrize("heat", [True, False])
def test_the_legend_is_what_openpyxl_writes(heat):
    from openpyxl.xml.functions import tostring

    legend = plan_book._legend(heat)
    assert legend.xml() == tostring(legend.openpyxl().to_tree(), encoding="unicode")
    assert str(legend) == str(legend.openpyxl())


def test_a_workbook_of_ours_reads_back_and_is_signed(tmp_path):
    plan = parse_file(DOCUMENTS[1])
    out = write_workbook(plan, tmp_path / "plan.xlsx", generated_at=WHEN)
    contents = read_workbook(out)
    assert [t.label for t in contents.tasks] == [t.label for t in plan.tasks]
    assert [[(a.department, a.role) for a in t.assignments] for t in contents.tasks] == [
        [(a.department, a.role) for a in t.assignments] for t in plan.tasks]
    with zipfile.ZipFile(out) as z:
        from matrix.workbook.hidden import is_signed

        assert is_signed(z.comment, z.infolist())
        assert z.testzip() is None


def test_writing_a_plan_workbook_imports_no_openpyxl_nor_lxml():
    probe = ("import io, sys\nfrom matrix.load.pipeline import parse_file\n"
             "from matrix.workbook import write_workbook\n"
             f"write_workbook(parse_file({str(DOCUMENTS[1])!r}), io.BytesIO())\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'lxml', "
             "'et_xmlfile', 'PIL', 'numpy'}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.strip().splitlines()[-1] == "[]"

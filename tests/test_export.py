"""`dutymatrix export` and `matrix.export.tidy`: the tidy table, its writers, the README's recipes."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from matrix.cli.commands import cli
from matrix.export.tidy import COLUMNS, NAMES, export_rows, plan_rows, write_rows
from tests.conftest import CORPUS, NEWS, ROOT, SEED_001, SEED_003, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")
PLANS = sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.html"))
NEWS_NAMES = {p.name for p in NEWS}
DOCUMENTS = [p for p in PLANS if p.name not in NEWS_NAMES]

# The contract: names and types in this order. Changing this list is changing the contract.
PINNED = [
    ("source_path", "string"), ("source_sha256", "string"), ("jurisdiction_level", "string"),
    ("jurisdiction_name", "string"), ("document", "int64"), ("document_title", "string"),
    ("doc_number", "string"), ("task_no", "int64"), ("task", "string"), ("line", "int64"),
    ("section", "string"), ("subsection", "string"), ("title", "string"), ("deadline", "string"),
    ("leaders", "list<string>"), ("department", "string"), ("as_printed", "string"),
    ("role", "string"), ("inherited", "bool"), ("lead_by_rule", "bool"), ("known", "bool"),
    ("counterpart", "string"),
]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def export(tmp_path, name, *inputs):
    out = tmp_path / name
    result = run("export", *inputs, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """seeds/ and tests/corpus/ exported once in each format."""
    folder = tmp_path_factory.mktemp("export")
    return {fmt: export(folder, f"tasks.{fmt}", SEEDS, CORPUS) for fmt in ("csv", "jsonl")}


# ── the contract ─────────────────────────────────────────────────────────────────────────────


def test_columns_and_types_are_pinned():
    assert [(c.name, c.type) for c in COLUMNS] == PINNED


def test_readme_documents_every_column_in_order():
    table = re.findall(r"^\| `(\w+)` \| ([\w<>]+) \| (.+) \|$", README, re.M)
    assert [(name, kind) for name, kind, _ in table] == PINNED
    assert [meaning for _, _, meaning in table] == [c.meaning for c in COLUMNS]


def test_parquet_schema_has_the_pinned_types(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    out = export(tmp_path, "t.parquet", SEED_001)
    schema = pq.read_schema(out)
    kinds = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(),
             "list<string>": pa.list_(pa.string())}
    assert [(f.name, f.type) for f in schema] == [(n, kinds[t]) for n, t in PINNED]


def test_export_rows_is_public_plain_and_picklable():
    import pickle

    import matrix

    assert matrix.export_rows is export_rows
    assert pickle.loads(pickle.dumps(export_rows)) is export_rows
    rows = export_rows(str(SEED_001))
    assert pickle.loads(pickle.dumps(rows)) == rows == json.loads(json.dumps(rows))


# ── rows equal the records, one for one ──────────────────────────────────────────────────────


def rows_from_json(data: dict) -> list[dict]:
    """The export rows as the README describes them, computed from `parse --format json`."""
    out = []
    for d_no, doc in enumerate(data["documents"], 1):
        where = doc.get("jurisdiction") or {}
        head = {"source_path": data["source"]["path"], "source_sha256": data["source"]["sha256"],
                "jurisdiction_level": where.get("level"), "jurisdiction_name": where.get("name"),
                "document": d_no, "document_title": doc["title"], "doc_number": doc["doc_number"]}
        tasks = doc["tasks"] or [
            {"label": c["number"], "line": c["line"], "section": c["section"],
             "subsection": None, "title": c["title"], "deadline": None, "leaders": [],
             "assignments": []}
            for c in doc["unassigned"] if c["subclauses"] == 0]
        empty_task = dict.fromkeys(["task_no", "task", "line", "section", "subsection", "title",
                                    "deadline"])
        none = dict.fromkeys(["department", "as_printed", "role", "inherited", "lead_by_rule",
                              "known", "counterpart"])
        if not tasks:
            out.append({**head, **empty_task, "leaders": [], **none})
        for t_no, t in enumerate(tasks, 1):
            row = {**head, "task_no": t_no, "task": t["label"], "line": t["line"],
                   "section": t["section"], "subsection": t["subsection"], "title": t["title"],
                   "deadline": t["deadline"], "leaders": list(t.get("leaders", []))}
            if not t["assignments"]:
                out.append({**row, **none})
            for a in t["assignments"]:
                out.append({**row, "department": a["department"], "as_printed": a["as_printed"],
                            "role": a["role"], "inherited": a["inherited"],
                            "lead_by_rule": a["lead_by_rule"], "known": a["known"],
                            "counterpart": a.get("counterpart")})
    return out


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_rows_equal_the_json_records(path):
    result = run("parse", path, "--format", "json")
    assert result.exit_code == 0, result.output
    expected = rows_from_json(json.loads(result.stdout))
    rows = export_rows(path)
    assert rows == expected
    assert all(list(r) == list(NAMES) for r in rows)
    # nothing dropped: every task and every assignment of the records is there
    data = json.loads(result.stdout)
    assert sum(max(1, len(t["assignments"])) for d in data["documents"] for t in d["tasks"]) \
        <= len(rows)


def test_seed_003_names_no_department_and_still_gives_its_clauses():
    rows = export_rows(SEED_003)
    assert rows and all(r["department"] is None and r["role"] is None for r in rows)
    for document in {r["document"] for r in rows}:  # one row per clause: task_no counts them
        numbers = [r["task_no"] for r in rows if r["document"] == document]
        assert numbers == list(range(1, len(numbers) + 1))


def test_a_task_without_department_and_a_document_without_task_are_rows():
    from matrix.records import Assignment, Document, Plan, Role, Source, Task

    task = Task.make(number="（一）", title="甲", text="甲。", line=3, leaders=("张三",))
    held = Task.make(number="（二）", title="乙", text="乙。", line=4, assignments=(
        Assignment.make(department="财政部", as_printed="财政部", role=Role.lead),
        Assignment.make(department="省财政厅", as_printed="省财政厅", role=Role.support,
                        counterpart="财政部")))
    plan = Plan.make(source=Source.make(path="p.txt", sha256="0" * 64), documents=(
        Document.make(title="一", tasks=(task, held)), Document.make(title="二")))
    rows = plan_rows(plan)
    assert [(r["document"], r["task_no"], r["department"], r["role"]) for r in rows] == [
        (1, 1, None, None), (1, 2, "财政部", "lead"), (1, 2, "省财政厅", "support"),
        (2, None, None, None)]
    assert rows[0]["leaders"] == ["张三"] and rows[2]["counterpart"] == "财政部"


# ── formats ──────────────────────────────────────────────────────────────────────────────────


def test_csv_has_a_bom_and_the_same_rows_as_jsonl(exported):
    raw = exported["csv"].read_bytes()
    assert raw.startswith("\ufeffsource_path,".encode())
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    rows = jsonl(exported["jsonl"])
    assert len(table) == len(rows) > 700

    def text(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return "、".join(value) if isinstance(value, list) else str(value)

    assert table == [{k: text(v) for k, v in r.items()} for r in rows]


def test_csv_guards_formula_cells_as_the_filter_csv_does(tmp_path):
    from matrix.records import Assignment, Document, Plan, Role, Source, Task

    task = Task.make(number="（一）", title="=HYPERLINK(\"x\")", text="t", line=1,
                     assignments=(Assignment.make(department="@SUM(A1)", as_printed="-1+1",
                                                  role=Role.lead, known=False),))
    plan = Plan.make(source=Source.make(path="+p.txt", sha256="0" * 64),
                     documents=(Document.make(tasks=(task,)),))
    out = tmp_path / "t.csv"
    write_rows([plan_rows(plan)], out, "csv")
    row = next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert row["title"] == "'=HYPERLINK(\"x\")"
    assert (row["department"], row["as_printed"], row["source_path"]) == (
        "'@SUM(A1)", "'-1+1", "'+p.txt")
    assert row["known"] == "false"


def test_parquet_read_by_duckdb_equals_the_csv(tmp_path, exported):
    duckdb = pytest.importorskip("duckdb")
    out = export(tmp_path, "tasks.parquet", SEEDS, CORPUS)
    db = duckdb.connect()
    types = {"string": "VARCHAR", "int64": "BIGINT", "bool": "BOOLEAN", "list<string>": "VARCHAR"}
    columns = ", ".join(f"'{c.name}': '{types[c.type]}'" for c in COLUMNS)
    from_csv = db.execute(f"SELECT * FROM read_csv(?, header = true, columns = {{{columns}}})",
                          [str(exported["csv"])]).fetchall()
    select = ", ".join("array_to_string(leaders, '、') AS leaders" if c.name == "leaders"
                       else c.name for c in COLUMNS)
    from_parquet = db.execute(f"SELECT {select} FROM read_parquet(?)", [str(out)]).fetchall()
    # CSV has no null string apart from the empty one; Parquet's empty leader lists are ''.
    from_parquet = [tuple(None if v == "" else v for v in row) for row in from_parquet]
    assert len(from_parquet) > 700
    assert from_parquet == from_csv


def test_parquet_in_several_row_groups_reads_back_as_written(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from matrix.export import tidy as module

    monkeypatch.setattr(module, "_ROW_GROUP", 100)
    batches = [export_rows(SEED_001), [], export_rows(SEED_003), export_rows(SEED_001)]
    out = tmp_path / "t.parquet"
    assert write_rows(batches, out, "parquet") == sum(map(len, batches))
    assert pq.ParquetFile(out).num_row_groups == 2  # 154 rows, then 82 + 154
    assert pq.read_table(out).to_pylist() == [r for b in batches for r in b]


# ── the command ──────────────────────────────────────────────────────────────────────────────


def test_folder_export_skips_news_reports_a_failure_and_keeps_the_rest(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(SEED_001, folder / "a.txt")
    shutil.copy(NEWS[0], folder / "b.txt")
    (folder / "c.docx").write_bytes(b"not a zip")
    shutil.copy(SEED_003, folder / "d.txt")
    out = tmp_path / "t.jsonl"
    result = run("export", folder, "-o", out)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "c.docx" in errors[0]
    assert f"skipped {folder / 'b.txt'}" in result.stderr
    assert "2 exported, 1 skipped, 1 failed" in result.stderr
    rows = jsonl(out)
    assert {r["source_path"] for r in rows} == {str(folder / "a.txt"), str(folder / "d.txt")}
    assert rows == export_rows(folder / "a.txt") + export_rows(folder / "d.txt")


def test_pooled_export_gives_the_rows_in_file_order(tmp_path):
    from matrix.batch.jobs import POOL_THRESHOLD

    folder = tmp_path / "plans"
    folder.mkdir()
    for i in range(POOL_THRESHOLD + 2):
        shutil.copy([SEED_001, SEED_003, NEWS[1]][i % 3], folder / f"p{i:02d}.txt")
    out = export(tmp_path, "t.jsonl", folder)
    expected = [r for p in sorted(folder.iterdir()) if p.name not in {"p02.txt", "p05.txt",
                                                                     "p08.txt"}
                for r in export_rows(p)]
    assert jsonl(out) == expected


def test_a_workbook_named_as_input_gives_its_tasks_with_the_office_edits(tmp_path):
    import openpyxl

    book = tmp_path / "s1.xlsx"
    assert run("build", SEED_001, "-o", book).exit_code == 0
    key = ("task", "title", "department", "role", "inherited")
    assert [tuple(r[k] for k in key) for r in export_rows(book)] == \
        [tuple(r[k] for k in key) for r in export_rows(SEED_001)]
    # a mark removed in Excel: the office's edit counts
    wb = openpyxl.load_workbook(book)
    ws = wb["矩阵"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "序号")
    columns = {c.value: c.column for c in header}
    rows = {ws.cell(r, columns["编号"]).value: r for r in range(header[0].row + 1, ws.max_row + 1)}
    ws.cell(rows["（十一）"], columns["国家卫生健康委"]).value = None
    wb.save(book)
    held = {(r["task"], r["department"]) for r in export_rows(book)}
    assert ("（十一）", "国家卫生健康委") not in held and ("（十三）", "国家卫生健康委") in held
    assert len(export_rows(book)) == len(export_rows(SEED_001)) - 1


def crashing_export(source):
    """``export_one``, but a file named bad*.txt kills the worker process outright."""
    import os

    from matrix.export.tidy import export_one

    if Path(source).name.startswith("bad"):
        os._exit(3)
    return export_one(source)


def test_a_worker_that_dies_fails_only_its_file(tmp_path):
    from matrix.batch.jobs import POOL_THRESHOLD, run_many
    from matrix.export.tidy import died

    sources = []
    for i in range(POOL_THRESHOLD + 2):
        sources.append(tmp_path / ("bad.txt" if i == 4 else f"g{i}.txt"))
        shutil.copy(SEED_003, sources[-1])
    outcomes = list(run_many(crashing_export, [(s,) for s in sources], died=died, workers=2))
    assert [o.source for o in outcomes] == [str(s) for s in sources]
    assert [o.status for o in outcomes] == ["exported"] * 4 + ["failed"] + ["exported"] * 5
    assert "bad.txt" in outcomes[4].message and "died" in outcomes[4].message
    assert outcomes[5].rows == export_rows(sources[5])


def test_bidi_controls_never_reach_a_row(tmp_path):
    name = tmp_path / "plan\u202egpj.txt"
    shutil.copy(SEED_001, name)
    out = tmp_path / "t.csv"
    assert run("export", name, "-o", out).exit_code == 0
    assert "\u202e" not in out.read_text(encoding="utf-8-sig")
    assert all("\u202e" not in str(v) for r in export_rows(name) for v in r.values())


def test_nothing_exported_writes_nothing(tmp_path):
    out = tmp_path / "t.csv"
    result = run("export", NEWS[0], "-o", out)
    assert result.exit_code == 1
    assert "Error:" in result.stderr and "no file gave any task" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_format_from_the_name_or_a_usage_error(tmp_path):
    result = run("export", SEED_001, "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 2 and "--format" in result.output
    out = tmp_path / "t.txt"
    assert run("export", SEED_001, "-o", out, "--format", "jsonl").exit_code == 0
    assert jsonl(out) == export_rows(SEED_001)


def test_never_replaces_an_input(tmp_path):
    source = tmp_path / "plan.csv"
    shutil.copy(SEED_001, tmp_path / "plan.txt")
    before = (tmp_path / "plan.txt").read_bytes()
    result = run("export", tmp_path / "plan.txt", "-o", tmp_path / "plan.txt", "--format", "csv",
                 "--force")
    assert result.exit_code == 1 and "would overwrite the input" in result.output
    assert (tmp_path / "plan.txt").read_bytes() == before and not source.exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_replaces_its_own_output_but_not_another_file_without_force(tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    out = export(tmp_path, f"t.{fmt}", SEED_003)
    export(tmp_path, f"t.{fmt}", SEED_001)  # ours: replaced
    assert str(SEED_001) in out.read_bytes().decode("utf-8", "replace") or fmt == "parquet"
    theirs = tmp_path / f"theirs.{fmt}"
    theirs.write_bytes(b"a,b\n1,2\n")
    result = run("export", SEED_001, "-o", theirs)
    assert result.exit_code == 1 and "--force" in result.output
    assert theirs.read_bytes() == b"a,b\n1,2\n"
    assert run("export", SEED_001, "-o", theirs, "--force").exit_code == 0
    assert theirs.read_bytes() != b"a,b\n1,2\n"


def test_parquet_without_pyarrow_is_a_clear_error(tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    result = run("export", SEED_001, "-o", tmp_path / "t.parquet")
    assert result.exit_code == 1 and "dutymatrix[parquet]" in result.output
    assert list(tmp_path.iterdir()) == []


# ── the README's recipes, run ───────────────────────────────────────────────────────────────


def readme_block(marker: str, language: str) -> str:
    found = re.search(rf"<!-- {re.escape(marker)} -->\n```{language}\n(.*?)```", README, re.S)
    assert found, f"README has no block marked {marker}"
    return found.group(1)


def test_the_readme_dask_recipe_gives_the_rows_of_export(exported):
    pytest.importorskip("dask.bag")
    from matrix.load.sources import expand

    paths = [str(p) for p in expand([SEEDS, CORPUS], workbooks=False)]
    namespace = {"paths": paths}
    exec(compile(readme_block("recipe: dask", "python"), "README.md", "exec"), namespace)
    assert namespace["table"] == jsonl(exported["jsonl"])


def test_the_readme_sql_answers_from_the_records(tmp_path, exported, monkeypatch):
    duckdb = pytest.importorskip("duckdb")
    from matrix.load.pipeline import parse_file
    from matrix.records import Role, task_rows
    from matrix.load.sources import expand

    export(tmp_path, "tasks.parquet", SEEDS, CORPUS)
    monkeypatch.chdir(tmp_path)
    db = duckdb.connect()
    leads = db.sql(readme_block("export-sql: leads", "sql")).fetchall()
    pairs = db.sql(readme_block("export-sql: pairs", "sql")).fetchall()

    led, shared = Counter(), Counter()
    for path in expand([SEEDS, CORPUS], workbooks=False):
        if path.name in NEWS_NAMES:
            continue
        for document in parse_file(path).documents:
            for task in task_rows(document):
                led.update({a.department for a in task.assignments if a.role is Role.lead})
                named = sorted({a.department for a in task.assignments if not a.inherited})
                shared.update((x, y) for i, x in enumerate(named) for y in named[i + 1:])
    top = lambda counts: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]  # noqa: E731
    assert leads == [(name, n) for name, n in top(led)]
    assert pairs == [(x, y, n) for (x, y), n in top(shared)]
    assert leads[0] == ("农业农村部", 24) and pairs[0] == ("农业农村部", "工业和信息化部", 29)

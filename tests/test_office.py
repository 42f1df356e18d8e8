"""Every workbook dutymatrix writes, opened by a real spreadsheet application (issue 8).

LibreOffice converts each workbook — build (seeds 001 and 003, a corpus document), the lists
and index of ``filter --split-by-dept``, and the diff workbook — to PDF and to CSV (every
sheet, one file each), and the CSV read back must say what the records say: the marks of
矩阵 are the roles of each task and department. Skipped, with the reason, where ``soffice`` is
not installed (``.ci/run`` installs it with apt-get when it can).

LibreOffice is slow to start, so all workbooks go through one ``soffice`` call per format,
with a profile of their own (``-env:UserInstallation``) so that runs never collide with each
other or with a LibreOffice the user has open.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, SEED_001, SEED_003

from matrix.cli.commands import cli
from matrix.diff import KIND_LABELS, PlanDiff, diff_plans
from matrix.workbook import MARKS, write_diff_workbook, write_workbook
from matrix.filter.select import department_index, split_by_department
from matrix.models import Plan
from matrix.load.pipeline import parse_file, parse_text
from matrix.pivot import build_matrix, department_counts

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (no soffice on PATH): "
    "apt-get install libreoffice-calc, as .ci/run does")

# LibreOffice's CSV filter: comma, double quote, UTF-8, from row 1, values as stored (not as
# shown), and the last token -1: every sheet to a file of its own, <name>-<sheet>.csv (7.2+).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
NONGJI = CORPUS / "guofa_2018_42_nongye_jixiehua.txt"
LISTS = ("国家卫生健康委", "地方各级人民政府")


@dataclass
class Office:
    """The workbooks written for this session and what LibreOffice made of them."""

    books: dict[str, Path]
    plans: dict[str, Plan]
    diff: PlanDiff
    pdf: Path
    csv: Path
    log: str

    def sheet(self, book: str, sheet: str) -> list[list[str]]:
        """One sheet of a workbook as LibreOffice exported it."""
        path = self.csv / f"{self.books[book].stem}-{sheet}.csv"
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.reader(f))


def convert(files: list[Path], target: str, out: Path, profile: Path) -> str:
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(out), *map(str, files)],
        capture_output=True, text=True, timeout=240)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "Error" not in log, log
    return log


def edited(text: str) -> str:
    """Seed 001 (normalised: simplified, no glosses) revised: 财政部 dropped from （十九）,
    （二十二） dropped, and 金融监管总局 named where 银保监会 was."""
    from matrix.text.normalise import normalise

    text = normalise(text).text
    assert "（财政部、人民银行、" in text and "（二十二）" in text
    text = text.replace("（财政部、人民银行、", "（人民银行、", 1)
    text = re.sub(r"^（二十二）.*$", "", text, count=1, flags=re.M)
    return text.replace("银保监会", "金融监管总局")


@pytest.fixture(scope="session")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    root = tmp_path_factory.mktemp("office")
    books_dir = root / "books"
    books_dir.mkdir()
    plans = {name: parse_file(path) for name, path in
             (("seed001", SEED_001), ("seed003", SEED_003), ("nongji", NONGJI))}
    books = {name: write_workbook(plan, books_dir / f"{name}.xlsx")
             for name, plan in plans.items()}
    result = CliRunner().invoke(cli, ["filter", str(SEED_001), "--split-by-dept", "-o",
                                      str(root / "lists")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in (*LISTS, "索引"):
        books[name] = Path(shutil.copy(root / "lists" / f"{name}.xlsx", books_dir))
    new = parse_text(edited(SEED_001.read_text(encoding="utf-8")), "001-revised.txt")
    diff = diff_plans(plans["seed001"], new)
    plans["revised"] = new
    books["diff"] = write_diff_workbook(diff, plans["seed001"], new, books_dir / "diff.xlsx")

    profile = root / "profile"
    pdf, csv_dir = root / "pdf", root / "csv"
    files = list(books.values())
    log = convert(files, "pdf", pdf, profile) + convert(files, CSV_FILTER, csv_dir, profile)
    return Office(books, plans, diff, pdf, csv_dir, log)


def header(rows: list[list[str]], *names: str) -> int:
    return next(i for i, r in enumerate(rows) if all(n in r for n in names))


# ----------------------------------------------------------------------------- PDF


@pytest.mark.parametrize("book", ["seed001", "seed003", "nongji", *LISTS, "索引", "diff"])
def test_every_workbook_converts_to_pdf(office: Office, book: str) -> None:
    data = (office.pdf / f"{office.books[book].stem}.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_matrix_prints_40_departments_on_one_page_width(office: Office) -> None:
    pdf = office.pdf / "seed001.pdf"
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    plan = office.plans["seed001"]
    assert plan.title in first  # the title row, and the page header
    assert "第 1 页，共" in first  # the footer
    # stacked vertical names come out one character a line: the last department's first
    # character and the 合计 column are on the first page, as is the last task
    matrix = build_matrix(plan)
    assert "合计" in first and matrix.rows[-1].task.title in first
    assert len(matrix.departments) == 40


# ----------------------------------------------------------------------------- CSV = records


@pytest.mark.parametrize("book", ["seed001", "seed003", "nongji"])
def test_matrix_marks_equal_the_records(office: Office, book: str) -> None:
    rows = office.sheet(book, "矩阵")
    head = header(rows, "序号", "编号", "任务")
    names = rows[head]
    matrix = build_matrix(office.plans[book])
    first = names.index("任务") + 1
    assert names[first:first + len(matrix.departments)] == list(matrix.departments)
    assert names[first + len(matrix.departments)] == "合计"
    body = rows[head + 1:head + 1 + len(matrix.rows)]
    assert rows[head + 1 + len(matrix.rows)][0] == "合计"
    for i, (cells, row) in enumerate(zip(body, matrix.rows), 1):
        assert (cells[0], cells[names.index("编号")], cells[names.index("任务")]) == (
            str(i), row.task.label, row.task.title)
        marks = {d: cells[first + j] for j, d in enumerate(matrix.departments)
                 if cells[first + j]}
        assert marks == {d: MARKS[c.role] for d, c in row.cells.items()}, row.task.label


@pytest.mark.parametrize("book", ["seed001", "nongji"])
def test_list_and_count_sheets_equal_the_records(office: Office, book: str) -> None:
    matrix = build_matrix(office.plans[book])
    listing = office.sheet(book, "分工表")
    head = header(listing, "序号", "编号", "重点任务")
    names = listing[head]
    body = [r for r in listing[head + 1:] if any(r)]
    assert [(r[names.index("编号")], r[names.index("重点任务")]) for r in body] == [
        (row.task.label, row.task.title) for row in matrix.rows]
    counts = office.sheet(book, "部门统计")
    assert counts[0][:6] == ["部门", "牵头", "负责", "参与", "指导", "合计"]
    assert [r[:6] for r in counts[1:] if r[0]] == [
        [c.department, *map(str, c[1:])] for c in department_counts(matrix)]
    notes = {r[0]: r[1] for r in office.sheet(book, "说明") if len(r) > 1}
    assert notes["源文件"] == Path(office.plans[book].source.path).name  # never the folder


def test_department_lists_and_index_equal_the_split(office: Office) -> None:
    split = split_by_department([office.plans["seed001"]])
    for name in LISTS:
        rows = office.sheet(name, "任务清单")
        assert rows[0][0] == f"{name}任务清单"
        names = rows[1]
        got = [(r[names.index("编号")], r[names.index("重点任务")]) for r in rows[2:] if any(r)]
        assert got == [(hit.task.label, hit.task.title) for hit in split[name]]
    index = office.sheet("索引", "部门索引")
    want = department_index(split)
    got = [r for r in index[2:] if any(r)]
    assert [(r[1], r[6]) for r in got] == [(w["department"], str(w["total"])) for w in want]


def test_diff_workbook_equals_the_diff(office: Office) -> None:
    diff = office.diff
    assert {e.kind for e in diff.entries} == {"removed", "departments_changed"}
    changes = office.sheet("diff", "任务变化")
    head = header(changes, "序号", "变化", "原编号")
    body = [r for r in changes[head + 1:] if any(r)]
    assert [r[1] for r in body] == ["、".join(KIND_LABELS[k] for k in e.kinds)
                                    for e in diff.entries]
    matrix = office.sheet("diff", "矩阵对比")
    head = header(matrix, "序号", "变化", "任务")
    names = matrix[head]
    new = build_matrix(office.plans["revised"])
    rows = {int(r[0]): r for r in matrix[head + 1:] if r[0].isdigit()}
    assert len(rows) == len(new.rows)
    for i, row in enumerate(new.rows, 1):
        for department, cell in row.cells.items():
            assert rows[i][names.index(department)] == MARKS[cell.role]
    removed = [r for r in matrix[head + 1:] if r[1] == "删除"]
    assert len(removed) == sum(e.kind == "removed" for e in diff.entries)
    for name in ("概要", "部门变化"):
        assert office.sheet("diff", name)


def test_conversion_log_names_every_sheet(office: Office) -> None:
    # LibreOffice says which sheet went to which file: all four of the build workbook.
    for sheet in ("矩阵", "分工表", "部门统计", "说明"):
        assert f"Writing sheet {sheet}" in office.log or (
            office.csv / f"seed001-{sheet}.csv").is_file()

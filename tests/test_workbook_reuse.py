"""What a process writing many workbooks through openpyxl (``book``) builds once and reuses
(issue 27): the stylesheet and the registered styles. A reused part must be byte for byte what
openpyxl builds for that workbook, and a workbook whose styles differ must get its own.

The plan workbook is written by ``xlsx`` now (tests/test_xlsx.py); its openpyxl path
(``plan._write_with_openpyxl``, the reference) still goes through ``book`` and these caches, and
is what is written here."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import CORPUS, SEED_001

from matrix.load.pipeline import parse_file
from matrix.workbook import book, package, plan as plan_book, write_task_list

write_workbook = plan_book._write_with_openpyxl  # the plan workbook through openpyxl

WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))

pytestmark = pytest.mark.skipif(not book._FAST_ROWS, reason="only with the openpyxl it is built for")


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _built_afresh(monkeypatch, path: Path, plan) -> dict[str, bytes]:
    """The workbook written with nothing reused: a new stylesheet and new styles."""
    with monkeypatch.context() as m:
        m.setattr(package, "_STYLESHEETS", {})
        m.setattr(book, "_REPLAYS", {})
        write_workbook(plan, path, generated_at=WHEN)
    return _parts(path)


@pytest.mark.parametrize("source", [SEED_001, *sorted(CORPUS.glob("*.txt"))[:2],
                                    *sorted((CORPUS / "local").glob("*.txt"))[:2]],
                         ids=lambda p: p.stem[:24])
def test_a_reused_stylesheet_is_what_openpyxl_builds(tmp_path, monkeypatch, source):
    plan = parse_file(source)
    write_workbook(plan, tmp_path / "first.xlsx", generated_at=WHEN)  # fills the caches
    reused = write_workbook(plan, tmp_path / "second.xlsx", generated_at=WHEN)
    assert _parts(reused) == _built_afresh(monkeypatch, tmp_path / "fresh.xlsx", plan)


def test_the_second_workbook_builds_no_stylesheet(tmp_path, monkeypatch):
    import openpyxl.styles.stylesheet as stylesheet

    plan = parse_file(SEED_001)
    write_workbook(plan, tmp_path / "first.xlsx", generated_at=WHEN)
    built = []
    real = stylesheet.Stylesheet.to_tree
    monkeypatch.setattr(stylesheet.Stylesheet, "to_tree",
                        lambda self, *a, **k: built.append("styles") or real(self, *a, **k))
    write_workbook(plan, tmp_path / "second.xlsx", generated_at=WHEN)
    assert built == []


def test_a_workbook_with_other_styles_gets_its_own_stylesheet(tmp_path):
    from matrix.filter.select import filter_tasks

    plan = parse_file(SEED_001)
    write_workbook(plan, tmp_path / "plan.xlsx", generated_at=WHEN)
    hits = filter_tasks([plan], departments=["国家卫健委"])
    listed = write_task_list(hits, tmp_path / "list.xlsx", title="任务清单")
    with zipfile.ZipFile(tmp_path / "plan.xlsx") as a, zipfile.ZipFile(listed) as b:
        assert a.read("xl/styles.xml") != b.read("xl/styles.xml")
    # and a workbook that is not ours is left to openpyxl alone
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(tmp_path / "theirs.xlsx")
    assert len(package._STYLESHEETS) <= package._STYLESHEETS_KEPT
    assert not getattr(wb, "_dutymatrix_book", False)


def test_sheets_go_into_the_package_without_a_temporary_file_each(tmp_path, monkeypatch):
    import openpyxl.worksheet._writer as sheet_writer

    made = []
    real = sheet_writer.create_temporary_file
    monkeypatch.setattr(sheet_writer, "create_temporary_file",
                        lambda *a, **k: made.append(1) or real(*a, **k))
    out = write_workbook(parse_file(SEED_001), tmp_path / "plan.xlsx", generated_at=WHEN)
    assert made == []
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert [i.filename for i in z.infolist()][:4] == [
            "docProps/app.xml", "docProps/core.xml", "xl/theme/theme1.xml",
            "xl/worksheets/sheet1.xml"]


def test_the_second_workbook_replays_its_styles_and_a_stray_style_stops_the_replay(tmp_path,
                                                                                 monkeypatch):
    plan = parse_file(SEED_001)
    write_workbook(plan, tmp_path / "first.xlsx", generated_at=WHEN)
    registered = []
    real = book.Style.__init__
    monkeypatch.setattr(book.Style, "__init__",
                        lambda self, look, ws: registered.append(look) or real(self, look, ws))
    write_workbook(plan, tmp_path / "second.xlsx", generated_at=WHEN)
    assert registered == []
    # a Book whose tables something else changed registers the ordinary way, and right
    fresh = book.Book(["a"])
    fresh.style("text")
    cell = book.WriteOnlyCell(fresh.sheets["a"].ws)
    cell.font = book.make_font(size=30)  # a font no look has
    fresh.style("head")
    assert registered and registered[-1] is book.LOOKS["head"]
    assert fresh.wb._fonts.index(book.LOOKS["head"].font) >= 0

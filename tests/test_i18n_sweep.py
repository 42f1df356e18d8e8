"""The code that landed beside issue 19 speaks the users' language too: the readers (PDF, OFD,
office files, scans, workbooks), export, dispatch, collect and serve print Chinese for a
Chinese locale; the return forms and the 汇总 hold no English sentence whatever the locale; the
web page shows Chinese messages even when the server's terminal speaks English."""

from __future__ import annotations

import ast
import re
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from matrix import i18n
from matrix.cli.commands import cli
from matrix.round.collect import collect_files
from matrix.round.dispatch import dispatch
from matrix.load.pipeline import parse_text

from conftest import SEED_001
from test_collect import DEADLINE_PLAN, ROUND, fill
from test_messages import english_in

ROOT = Path(__file__).resolve().parent.parent
ZH = {"LANG": "zh_CN.UTF-8"}
EN = {"LANG": "C"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def run(args, env):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.mark.parametrize("data, chinese, english", [
    (b"%PDF-1.7\n...", "该 PDF 已损坏，无法读取", "the PDF is damaged"),
    (b"PK\x03\x04" + b"junk" * 10, None, None),  # the .ofd below: a damaged zip
], ids=["pdf", "ofd"])
def test_a_damaged_file_in_both_languages(tmp_path, data, chinese, english):
    path = tmp_path / ("bad.pdf" if data.startswith(b"%PDF") else "bad.ofd")
    path.write_bytes(data)
    zh = run(["parse", path, "--format", "json"], ZH)
    en = run(["parse", path, "--format", "json"], EN)
    assert zh.exit_code == en.exit_code == 1
    assert zh.output.startswith("错误：") and en.output.startswith("Error: ")
    # the reading library's own words in brackets (PDFium: Data format error) stay as they are
    said = re.sub(r"（[^）]*）", "", zh.output.replace(str(path), ""))
    if chinese:
        assert chinese in said and english in en.output
    assert HAN.search(said) and not re.search(r"[A-Za-z]{3,} [a-z]{2,} [a-z]{2,}", said), said


def test_every_reader_message_has_chinese():
    with i18n.speaking("zh"):
        for message in ("{path}: the PDF is damaged and cannot be read ({error}): get the file "
                        "again or save it again from the program that made it",
                        "{path}: the OFD file has no pages",
                        "{path}: no text found in the image",
                        "{path}: cannot read the workbook: {error}",
                        "{path}: not {what} (damaged zip: {error})"):
            assert HAN.search(i18n._(message)), message


def test_export_to_an_unknown_format_in_chinese(tmp_path):
    zh = run(["export", SEED_001, "-o", tmp_path / "tasks.xyz"], ZH)
    assert zh.exit_code == 2 and "无法从文件名 tasks.xyz 判断导出格式" in zh.output, zh.output
    en = run(["export", SEED_001, "-o", tmp_path / "tasks.xyz"], EN)
    assert "cannot tell the format from tasks.xyz" in en.output


def test_export_progress_and_summary_in_chinese(tmp_path):
    zh = run(["export", SEED_001, "-o", tmp_path / "tasks.csv"], ZH)
    assert zh.exit_code == 0, zh.output
    assert "已写入" in zh.output and "行，csv 格式" in zh.output
    assert "wrote" not in zh.output and "rows" not in zh.output


def test_dispatch_in_chinese(tmp_path):
    zh = run(["dispatch", SEED_001, "-o", tmp_path / "下发", "--round", ROUND], ZH)
    assert zh.exit_code == 0, zh.output
    assert "写入报送表" in zh.output and "return forms" not in zh.output


@pytest.fixture()
def round_with_trouble(tmp_path):
    """A plan dispatched; one good return, one for another plan, one damaged, one old .xls."""
    plan = parse_text(DEADLINE_PLAN, "plan.txt")
    forms = dispatch(plan, tmp_path / "out", round=ROUND).files
    other = parse_text(DEADLINE_PLAN.replace("加强统筹", "加强协调"), "other.txt")
    returns = tmp_path / "returns"
    returns.mkdir()
    fill(forms["国家发展改革委"], returns / "ok.xlsx")
    fill(dispatch(other, tmp_path / "other", round=ROUND).files["财政部"],
         returns / "other-plan.xlsx")
    data = (returns / "ok.xlsx").read_bytes()
    (returns / "broken.xlsx").write_bytes(data[: len(data) // 2])
    (returns / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    plan_file = tmp_path / "plan.txt"
    plan_file.write_text(DEADLINE_PLAN, encoding="utf-8")
    return plan, forms, returns, plan_file


def test_return_forms_hold_no_english_sentence(round_with_trouble, tmp_path):
    plan, forms, returns, _plan_file = round_with_trouble
    for form in forms.values():
        assert english_in(form) == [], form
    assert english_in(tmp_path / "out" / "索引.xlsx") == []


def test_summary_holds_no_english_sentence_whatever_the_locale(round_with_trouble, tmp_path):
    plan, forms, returns, _plan_file = round_with_trouble
    out = tmp_path / "汇总.xlsx"
    got = collect_files(plan, [returns], output=out, as_of=date(2025, 7, 1))  # LANG=C here
    outcomes = {Path(r.path).name: r.outcome for r in got.received}
    assert outcomes["broken.xlsx"] == outcomes["old.xls"] == "无法读取"
    assert outcomes["other-plan.xlsx"] == "拒收"
    # the program that saved a return (收文登记's 保存软件) is named as it names itself
    found = [f for f in english_in(out) if "Openpyxl" not in f and "Microsoft Excel" not in f]
    assert found == []
    assert english_in(out), "the test would see an English sentence"


def test_collect_in_chinese(round_with_trouble, tmp_path):
    plan, forms, returns, plan_file = round_with_trouble
    out = tmp_path / "汇总.xlsx"
    zh = run(["collect", plan_file, returns, "-o", out, "--as-of", "2025-07-01"], ZH)
    assert zh.exit_code == 1, zh.output  # a file could not be read; the 汇总 is still written
    # other-plan.xlsx was dispatched from this plan with a task reworded: a plan changed since
    assert "拒收" in zh.output and "方案已修改" in zh.output
    assert "共 3 个单位" in zh.output and "已写入" in zh.output
    assert "departments:" not in zh.output and "wrote" not in zh.output
    en = run(["collect", plan_file, returns, "--as-of", "2025-07-01"], EN)
    assert "3 departments:" in en.output
    # the previous 汇总 of another plan
    other = tmp_path / "other.txt"
    other.write_text(DEADLINE_PLAN.replace("加强统筹", "加强协调"), encoding="utf-8")
    zh = run(["collect", other, returns, "--since", out, "--as-of", "2025-07-01"], ZH)
    assert "上一轮汇总属于另一份计划" in zh.output and "another plan" not in zh.output
    bad = run(["collect", plan_file, returns, "--as-of", "tomorrow"], ZH)
    assert bad.exit_code == 2 and "不是日期" in bad.output


def test_speaking_is_for_this_thread_only():
    seen = {}

    def other_thread():
        seen["other"] = i18n._("{path}: the PDF has no pages")

    with i18n.speaking("zh"):
        here = i18n._("{path}: the PDF has no pages")
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    assert here == "{path}：该 PDF 没有页面"
    assert seen["other"] == "{path}: the PDF has no pages"  # LANG=C for the process
    assert i18n._("{path}: the PDF has no pages") == "{path}: the PDF has no pages"


def test_no_function_hides_the_translation_function():
    """``for _ in …`` or ``(x, _) = …`` in a function that also calls ``_()`` makes ``_`` a
    local name there: the message fails with UnboundLocalError instead of being shown."""
    wrong = []
    for path in sorted((ROOT / "matrix").rglob("*.py")):
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assigned = called = False
            stack = list(fn.body)
            while stack:
                node = stack.pop()
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                     ast.ClassDef)):
                    continue
                if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                    called |= any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                                  and n.func.id == "_" for n in ast.walk(node))
                    continue  # a comprehension's names are its own
                if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx,
                                                                               ast.Store):
                    assigned = True
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and node.func.id == "_":
                    called = True
                stack.extend(ast.iter_child_nodes(node))
            if assigned and called:
                wrong.append(f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name}")
    assert not wrong, wrong

"""The terminal's language (issue 19): gettext catalogs, complete and compiled; Chinese for a
Chinese locale or --lang zh, English otherwise; every command's --help in both."""

from __future__ import annotations

import gettext
import io
import json
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from matrix import i18n
from matrix.cli.commands import cli

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "matrix" / "locale" / "zh_CN" / "LC_MESSAGES" / "dutymatrix.po"
MO = PO.with_suffix(".mo")
HAN = re.compile(r"[\u4e00-\u9fff]")


def catalog():
    with open(PO, "rb") as f:
        return read_po(f)


def placeholders(text: str) -> set[tuple[str, str | None, str]]:
    """``{name!r:>3}`` fields and ``%(name)s`` of a message: what formatting fills in."""
    fields = {(name, conversion, spec or "")
              for _, name, spec, conversion in string.Formatter().parse(text) if name is not None}
    return fields | {(m, "%", "") for m in re.findall(r"%\((\w+)\)", text)}


def extracted() -> dict[str | tuple[str, str], list[str]]:
    """Every message in the code now, as ``python -m matrix.i18n update`` extracts it."""
    method_map = [("**.py", "matrix.i18n:extract")]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "Nn_": (1, 2)}
    out: dict = {}
    for filename, lineno, message, _, _ in extract_from_dir(
            str(ROOT / "matrix"), method_map, keywords=keywords):
        key = message if isinstance(message, str) else tuple(message)
        out.setdefault(key, []).append(f"matrix/{filename}:{lineno}")
    return out


def test_every_message_in_the_code_has_a_chinese_translation():
    translated = {m.id: m for m in catalog() if m.id}
    missing = [f"{where[0]}: {key!r}" for key, where in extracted().items()
               if key not in translated or not _has_string(translated[key])]
    assert not missing, ("messages without a translation (run `python -m matrix.i18n update`, "
                         "translate, `python -m matrix.i18n compile`):\n" + "\n".join(missing))


def _has_string(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(s.strip() for s in strings)


def test_placeholders_are_the_same_in_both_languages():
    wrong = []
    for m in catalog():
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            # Chinese has one form: it is the plural's (what a count of many fills in).
            expected = placeholders(m.id[1])
            strings = m.string
        else:
            expected, strings = placeholders(m.id), (m.string,)
        for s in strings:
            if s and placeholders(s) != expected:
                wrong.append(f"{m.id!r}: {sorted(expected)} ≠ {sorted(placeholders(s))}")
    assert not wrong, "\n".join(wrong)


def test_translations_are_chinese():
    # a message copied untranslated would pass the checks above
    english = [m.id for m in catalog() if m.id and isinstance(m.string, str)
               and m.string and not HAN.search(m.string)
               and m.id not in ("{value!r} is not a valid {number_type}.",)]
    assert english == [] or all(not re.search(r"[a-z]{3,} [a-z]{3,}", s) for s in english)


def test_compiled_catalog_is_up_to_date_with_the_po():
    # The .mo is committed (an editable install reads it from the checkout); it must say what
    # the .po says. Fix: `python -m matrix.i18n compile`.
    buffer = io.BytesIO()
    write_mo(buffer, catalog())
    fresh = gettext.GNUTranslations(io.BytesIO(buffer.getvalue()))
    with open(MO, "rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert shipped._catalog == fresh._catalog, "run `python -m matrix.i18n compile`"


def test_click_messages_we_translate_are_clicks():
    click_dir = Path(click.__file__).parent
    keywords = {"_": None, "ngettext": (1, 2)}
    theirs = {m if isinstance(m, str) else tuple(m)
              for _, _, m, _, _ in extract_from_dir(str(click_dir), keywords=keywords)}
    ours = {m if isinstance(m, str) else tuple(m) for m in i18n.CLICK_MESSAGES}
    assert ours - theirs == set(), "click changed these messages: update CLICK_MESSAGES"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _all_commands():
    return [[]] + [[name] for name in sorted(cli.commands)]


def test_every_help_text_is_in_the_catalog():
    # click's help texts are found by matrix.i18n.extract; this checks the objects click shows
    import inspect

    translated = {m.id for m in catalog() if m.id and _has_string(m)}
    texts = []
    for path in _all_commands():
        command = cli if not path else cli.commands[path[0]]
        texts.append(command.help)
        texts += [p.help for p in command.params if getattr(p, "help", None)]
    missing = [t for t in texts if t and inspect.cleandoc(t) not in translated]
    assert not missing, missing


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "dutymatrix")
def test_help_in_both_languages(command):
    runner = CliRunner()
    zh = runner.invoke(cli, [*command, "--help"], env={"LANG": "zh_CN.UTF-8"})
    en = runner.invoke(cli, [*command, "--help"], env={"LANG": "C"})
    assert zh.exit_code == 0 and en.exit_code == 0
    assert zh.output.startswith("用法：") and "显示本帮助并退出。" in zh.output
    assert en.output.startswith("Usage:") and "Show this message and exit." in en.output
    # the command's own text, not only click's words
    import inspect

    target = cli if not command else cli.commands[command[0]]
    english = inspect.cleandoc(target.help).split("\n\n")[0]
    chinese = gettext.translation(i18n.DOMAIN, i18n.LOCALEDIR,
                                  languages=["zh_CN"]).gettext(inspect.cleandoc(target.help))
    assert squash(english) in squash(en.output)
    assert squash(chinese.split("\n\n")[0]) in squash(zh.output)
    assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}",
                         zh.output.split("示例：")[0]), zh.output


@pytest.mark.parametrize("args, env, chinese", [
    (["build", "missing.txt"], {"LANG": "zh_CN.UTF-8"}, True),
    (["build", "missing.txt"], {"LANG": "C"}, False),
    (["build", "--bogus"], {"LANG": "zh_CN.UTF-8"}, True),
    (["build", "--bogus"], {"LANG": "C"}, False),
    (["--lang", "zh", "build", "--bogus"], {"LANG": "C"}, True),
    (["--lang=en", "build", "--bogus"], {"LANG": "zh_CN.UTF-8"}, False),
    (["build", "--bogus"], {"LC_ALL": "zh_TW.UTF-8", "LANG": "C"}, True),
    (["build", "--bogus"], {"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}, True),
])
def test_the_terminal_speaks_the_users_language(args, env, chinese, tmp_path):
    # a real process, as a user starts it: the locale is the environment's
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    environment.update(env, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "matrix", *args], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 2
    if chinese:
        assert "用法：" in result.stderr and "错误：" in result.stderr, result.stderr
        assert "不存在" in result.stderr or "没有选项" in result.stderr
    else:
        assert "Usage:" in result.stderr and "Error:" in result.stderr, result.stderr
        assert "does not exist" in result.stderr or "No such option" in result.stderr
        assert not HAN.search(result.stderr)


def test_our_errors_warnings_and_summaries_in_chinese(tmp_path):
    runner = CliRunner()
    news = ROOT / "seeds" / "000_f6a61dca5885da8e.txt"
    result = runner.invoke(cli, ["build", str(news), "-o", str(tmp_path / "n.xlsx")],
                           env={"LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 1
    assert "错误：" in result.output and "没有找到编号条款" in result.output
    plan = ROOT / "tests" / "fixtures" / "warnings_plan.txt"
    result = runner.invoke(cli, ["build", str(plan), "-o", str(tmp_path / "w.xlsx"), "--strict"],
                           env={"LANG": "zh_CN.UTF-8"})
    assert "使用 --strict 时有 6 条警告" in result.output
    assert "部门“省科技厅”不在部门名录中，按原文保留" in result.output
    result = runner.invoke(cli, ["build", str(plan), "-o", str(tmp_path / "w.xlsx")],
                           env={"LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 0 and "已生成" in result.output and "3 项任务" in result.output
    result = runner.invoke(cli, ["build", str(plan), "-o", str(tmp_path / "w.xlsx")],
                           env={"LANG": "C"})
    assert "built" in result.output and "3 tasks" in result.output


def test_batch_summary_in_chinese(tmp_path):
    from matrix.batch.jobs import Outcome, summary

    outcomes = [Outcome("a", "a.xlsx", "built", tasks=1, documents=1),
                Outcome("b", "b.xlsx", "skipped", "no numbered clause found")]
    os.environ["LANGUAGE"] = "zh_CN"  # undone by the english_locale fixture
    assert summary(outcomes).startswith("生成 1 个，跳过 1 个，失败 0 个（跳过：1 × ")
    assert outcomes[0].line() == "已生成 a.xlsx（1 项任务，1 份文件）"


def test_lang_from_args():
    assert i18n.lang_from_args(["--lang", "zh", "build"]) == "zh"
    assert i18n.lang_from_args(["--lang=en"]) == "en"
    assert i18n.lang_from_args(["build", "--", "--lang", "zh"]) is None
    assert i18n.lang_from_args(["--lang", "fr"]) is None


def test_help_imports_neither_babel_nor_pathlib_for_the_language():
    probe = ("import json, sys\nfrom matrix.cli.commands import main\nsys.argv = ['dutymatrix', '--help']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "LANG": "zh_CN.UTF-8"})
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert "用法：" in result.stdout
    assert not {m for m in modules if m.split(".")[0] == "babel"}
    assert "gettext" in modules  # the standard library's, as it should be


def test_catalog_is_in_the_package():
    # hatch packs every file under matrix/ (packages = ["matrix"]); the .mo must be there and
    # not ignored by git, or the wheel and a clean clone would lack it
    assert MO.is_file()
    try:
        ignored = subprocess.run(["git", "check-ignore", "-q", str(MO)], cwd=ROOT,
                                 capture_output=True)
    except FileNotFoundError:
        pytest.skip("git not installed")
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.returncode == 1, ".mo is git-ignored"
    assert Path(i18n.LOCALEDIR) == MO.parent.parent.parent


def test_a_batch_on_every_core_reports_in_chinese(tmp_path):
    # the workers (forked from a server started earlier, perhaps in English) take the caller's
    # locale with each job, so their reasons are in the caller's language too
    news = (ROOT / "seeds" / "000_f6a61dca5885da8e.txt").read_bytes()
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(9):  # over the pool threshold
        (folder / f"n{n}.txt").write_bytes(news)
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out")],
                           env={"LANG": "C"})
    assert "no numbered clause found" in result.output
    result = runner.invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out")],
                           env={"LANG": "zh_CN.UTF-8"})
    assert result.output.count("没有找到编号条款") >= 9, result.output
    assert "生成 0 个，跳过 9 个，失败 0 个" in result.output

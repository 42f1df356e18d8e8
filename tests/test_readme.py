"""The README's promises: its two set-up commands, CI running them, every command documented."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from matrix.cli.commands import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block and README.index(block.group(0)) < README.index("## Use")
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_setup_commands():
    first, second = setup_commands()
    assert "pip install" in first and "matrix build" in first
    assert "pip install" in second and "pytest" in second


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in setup_commands():
        assert command in ci


@pytest.mark.parametrize("command", cli.list_commands(None))
def test_every_command_is_in_the_readme(command):
    assert f"dutymatrix {command}" in README


@pytest.mark.parametrize("command", cli.list_commands(None))
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


ZH_README = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def test_chinese_readme_is_linked_right_after_the_setup_commands():
    block = re.search(r"```bash\n.*?```\n", README, re.S)
    after = README[block.end():].lstrip("\n").split("\n", 1)[0]
    assert "(README.zh-CN.md)" in after


def test_chinese_readme_has_the_same_setup_commands():
    block = re.search(r"```bash\n(.*?)```", ZH_README, re.S)
    assert [line for line in block.group(1).splitlines() if line.strip()] == setup_commands()


def test_chinese_readme_commands_are_the_readmes():
    # every command line it shows is one the English README shows (and tests), as written
    lines = [line.strip() for block in re.findall(r"```bash\n(.*?)```", ZH_README, re.S)
             for line in block.splitlines() if line.strip()]
    assert len(lines) > 4
    english = {line.strip() for block in re.findall(r"```bash\n(.*?)```", README, re.S)
               for line in block.splitlines()}
    assert [line for line in lines if line not in english] == []
    # commands named in its text exist and are in the README (those still being built —
    # serve, dispatch, collect — are checked once the command exists)
    for name in set(re.findall(r"`dutymatrix (\w+)", ZH_README)):
        if name in cli.list_commands(None):
            assert f"dutymatrix {name}" in README


def test_chinese_readme_shares_the_screenshots():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", ZH_README)
    assert images and set(images) <= set(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README))
    assert all((ROOT / image).is_file() for image in images)


def test_chinese_readme_explains_every_sheet_and_warning():
    from matrix.workbook import DIFF_SHEET_NAMES, SHEET_NAMES
    from matrix.messages import MESSAGES

    for sheet in (*SHEET_NAMES, *DIFF_SHEET_NAMES):
        assert sheet in ZH_README
    parse_kinds = [k for k in MESSAGES if not k.startswith(("workbook-", "diff-"))]
    for kind in parse_kinds:
        assert MESSAGES[kind].title in ZH_README, kind

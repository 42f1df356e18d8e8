"""Hostile input, round three (issue 24): each defect reproduced small, then fixed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from matrix.cli import cli
from tests.conftest import ROOT, SEED_001


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def no_traceback(result):
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


# ── 1. no executable cache in the shared temporary folder ────────────────────────────────

@pytest.mark.parametrize("name", ["plan.lark", "trailer.lark"])
def test_building_a_parser_reads_and_writes_nothing_in_the_temp_folder(tmp_path, monkeypatch,
                                                                      name):
    """lark's ``cache=True`` pickles its tables to ``$TMP/.lark_cache_*`` and unpickles that
    file at every start, whoever planted it."""
    from matrix import parser

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    opened = []
    real_open = open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    parser.build_parser(name)
    assert list(tmp_path.iterdir()) == []
    assert not [f for f in opened if ".lark_cache" in f]


def test_no_lark_parser_in_the_package_is_built_with_cache():
    for source in (ROOT / "matrix").rglob("*.py"):
        assert "cache=True" not in source.read_text(encoding="utf-8"), source

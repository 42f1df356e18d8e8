"""Shared fixtures: paths of the bundled seeds and corpus copies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time (derandomize) so that a red run can be reproduced.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = Path(__file__).resolve().parent / "corpus"
SEED_001 = SEEDS / "001_5afa0209a0ae242f.txt"
SEED_003 = SEEDS / "003_b00b7e78f4f7e31f.txt"
NEWS = [SEEDS / "000_f6a61dca5885da8e.txt", SEEDS / "002_93c3112e6567fd1e.txt",
        SEEDS / "004_db8fe32c73ad2d3b.txt"]


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """Every test starts in an English locale, whatever the developer's: messages are compared
    in English unless a test asks for Chinese (``LANG=zh_CN.UTF-8``, ``--lang zh``). Undone
    after the test, with whatever ``--lang`` set meanwhile (``LANGUAGE``)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def pytest_addoption(parser):
    """``--update-golden`` rewrites tests/expected/ from the current output."""
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files in tests/expected/")


@pytest.fixture(scope="session")
def plan_001():
    """Seed 001 parsed once for the whole session."""
    from matrix.load.pipeline import parse_file

    return parse_file(SEED_001)


@pytest.fixture(scope="session")
def plan_003():
    """Seed 003 parsed once for the whole session."""
    from matrix.load.pipeline import parse_file

    return parse_file(SEED_003)

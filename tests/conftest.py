"""Shared fixtures: paths of the bundled seeds and corpus copies."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Where PYTHONDONTWRITEBYTECODE is set (this sandbox sets it), every run would compile the package
# and rewrite the assertions of every test module from source again — ~6 s of CPU a run, in each
# xdist worker and again in every command-line subprocess. The suite keeps its bytecode (in the
# ignored __pycache__ folders); nothing it checks depends on it.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# CI runs the same examples every time (derandomize) so that a red run can be reproduced.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)  # new examples each run
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = Path(__file__).resolve().parent / "corpus"
SEED_001 = SEEDS / "001_5afa0209a0ae242f.txt"
SEED_003 = SEEDS / "003_b00b7e78f4f7e31f.txt"
NEWS = [SEEDS / "000_f6a61dca5885da8e.txt", SEEDS / "002_93c3112e6567fd1e.txt",
        SEEDS / "004_db8fe32c73ad2d3b.txt"]


IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def missing_tool(why: str, *, module: bool = False) -> None:
    """A real tool a test needs is missing (LibreOffice, poppler, Chromium, the OCR engine …):
    a skip on a developer's machine, a FAILURE in CI (``CI=true``), where .ci/run installs every
    tool and a failed install must not pass as a run of skips. ``module`` for a module-level
    check (skips or fails the whole module)."""
    if IN_CI:
        pytest.fail(f"CI=true and a real tool is missing: {why}", pytrace=False)
    pytest.skip(why, allow_module_level=module)


def need(tool: str | None, why: str, *, module: bool = False) -> None:
    """``missing_tool(why)`` when ``tool`` (a path, found or not) is None or absent."""
    if tool is None or not os.path.exists(tool):
        missing_tool(why, module=module)


def need_module(name: str, why: str, *, module: bool = False) -> None:
    """``missing_tool(why)`` when the Python module ``name`` cannot be imported."""
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        missing_tool(why, module=module)


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """The user's cache folder (platformdirs: ``$XDG_CACHE_HOME/dutymatrix``, by default
    ``~/.cache/dutymatrix``) is a temporary one for the whole run: tests never write into the
    developer's cache, nor read what an earlier run or version left there. Subprocesses inherit
    the variable."""
    folder = tmp_path_factory.mktemp("cache")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """Every test starts in an English locale, whatever the developer's: messages are compared
    in English unless a test asks for Chinese (``LANG=zh_CN.UTF-8``, ``--lang zh``). Undone
    after the test, with whatever ``--lang`` set meanwhile (``LANGUAGE``)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


# Tests that run a real tool (LibreOffice, OCR, poppler) through these fixtures are slow.
SLOW_FIXTURES = frozenset({"soffice", "printed", "saved", "scanned", "office"})


def pytest_collection_modifyitems(config, items):
    """Mark ``slow`` every test that uses a fixture of :data:`SLOW_FIXTURES`, so that
    ``pytest -m "not slow"`` leaves out what needs LibreOffice or OCR."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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

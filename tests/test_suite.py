"""The suite's own guards (issue 22): a missing real tool fails in CI and is a skip elsewhere;
the ``slow`` marker is registered (``pytest -m "not slow"``)."""

from __future__ import annotations

import importlib

import pytest

import tests.conftest as conftest


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception),
                                             ("", pytest.skip.Exception)])
def test_a_missing_tool_fails_in_ci_and_skips_elsewhere(monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    module = importlib.reload(conftest)
    try:
        with pytest.raises(outcome):
            module.need(None, "soffice is not installed")
        with pytest.raises(outcome):
            module.need("/nonexistent/soffice", "soffice is not installed")
        with pytest.raises(outcome):
            module.need_module("no_such_module_dutymatrix", "not installed")
        module.need(conftest.ROOT.as_posix(), "a path that exists")  # no skip, no failure
    finally:
        monkeypatch.undo()
        importlib.reload(conftest)


def test_the_slow_marker_is_registered(pytestconfig):
    assert any(m.startswith("slow:") for m in pytestconfig.getini("markers"))


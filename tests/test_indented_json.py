"""``indented_json`` writes what ``json.dumps(…, ensure_ascii=False, indent=2)`` writes
(matrix/export/downloads.py, issue 27), and the records' ``as_json`` is unchanged."""

from __future__ import annotations

import enum
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.export.downloads import indented_json, plan_json
from tests.conftest import ROOT

_scalars = (st.none() | st.booleans() | st.integers() | st.floats()
            | st.text(st.characters(codec="utf-8") | st.sampled_from("\"\\\n\t\x00\u2028国")))
_keys = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
_values = st.recursive(_scalars, lambda inner: st.lists(inner) | st.tuples(inner, inner)
                       | st.dictionaries(_keys, inner), max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(_values)
def test_any_json_value_is_written_as_json_writes_it(value):
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


class _Kind(enum.IntEnum):
    one = 1


@pytest.mark.parametrize("value", [{"a": _Kind.one}, {_Kind.one: 1}, [1, {2}], {(1, 2): 3},
                                   {"x": [{}, [], ()]}, float("nan"), -float("inf")])
def test_what_it_does_not_write_itself_json_writes_or_refuses(value):
    try:
        expected = json.dumps(value, ensure_ascii=False, indent=2)
    except TypeError:
        with pytest.raises(TypeError):
            indented_json(value)
        return
    assert indented_json(value) == expected


def test_a_circular_value_is_refused_as_json_refuses_it():
    value: list = []
    value.append(value)
    with pytest.raises(ValueError, match="Circular"):
        indented_json(value)


@pytest.mark.parametrize("seed", sorted(p.name for p in (ROOT / "seeds").glob("*.txt")))
def test_every_seeds_parse_json_is_jsons(seed):
    from matrix.errors import NoClausesError
    from matrix.load.pipeline import parse_file

    try:
        plan = parse_file(ROOT / "seeds" / seed)
    except NoClausesError:
        pytest.skip("a news article: no plan")
    data = plan.to_json()
    assert plan_json(plan) == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    # as_json field by field, as dataclasses.fields gives them
    import dataclasses

    task = plan.tasks[0] if plan.tasks else plan.documents[0].unassigned[0]
    assert list(task.as_json()) == [f.name for f in dataclasses.fields(task)]

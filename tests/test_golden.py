"""Golden files: every document in seeds/ and tests/corpus/ against tests/expected/*.json.

The expected file is the ``parse --format json`` output (the stable contract), with the source
path made relative. After an intended change, regenerate with
``python -m pytest tests/test_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matrix.errors import NoClausesError
from matrix.load.pipeline import parse_file
from tests.conftest import CORPUS, ROOT, SEEDS

EXPECTED = Path(__file__).resolve().parent / "expected"
DOCUMENTS = (sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))
             + sorted((CORPUS / "local").glob("*.txt")) + sorted((CORPUS / "local2").glob("*.txt")))


def render(path: Path) -> dict:
    try:
        data = parse_file(path).to_json()
    except NoClausesError as e:
        return {"error": "no-clauses", "message": e.message}
    data["source"]["path"] = path.relative_to(ROOT).as_posix()
    return data


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_golden(path, request):
    expected_file = EXPECTED / f"{path.name}.json"
    if path.parent.name in ("local", "local2"):
        expected_file = EXPECTED / path.parent.name / f"{path.name}.json"
    got = render(path)
    if request.config.getoption("--update-golden"):
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        expected_file.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert expected_file.exists(), f"no golden file for {path.name}: run with --update-golden"
    assert got == json.loads(expected_file.read_text(encoding="utf-8"))


def test_every_golden_file_has_a_document():
    names = {p.name for p in DOCUMENTS}
    for expected in EXPECTED.glob("*.json"):
        assert expected.name.removesuffix(".json") in names, f"stale golden file {expected.name}"

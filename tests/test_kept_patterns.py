"""Regular expressions compiled once per user and Python (matrix/text/compiled.py, issue 27):
the second run takes the compiled form from the private cache, matches exactly as ``re`` does,
and a cache file it cannot trust is never used."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_001 = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"

PATTERNS = [(r"[㐀-䶿一-鿿豈-﫿“”（）]+", 0), (r"(?P<year>(?:19|20)\d\d)年(?P<month>\d{1,2})?月?", 0),
            (r"^（[一二三四五六七八九十]+）", re.M), (r"dept|部", re.I),
            (r"(?<=[。；])[^，；。]{1,16}?(?:牵头|负责)", 0)]
TEXTS = ["国家发展改革委牵头。财政部负责；2025年12月底前", "（一）加强统筹\n（二）完善机制", "DEPT 部",
         "“引号”（括号）", ""]

# Compiles PATTERNS through matrix.text.compiled; prints, per pattern, whether re's compiler ran
# and every match; the cache is written at exit.
_PROBE = """
import json, re, sys
import re._compiler as compiler
ran = []
real = compiler._code
compiler._code = lambda *a: ran.append(1) or real(*a)
from matrix.text import compiled
compiled._load()  # the cache folder's own imports compile patterns of theirs
ran.clear()
out = []
for pattern, flags in json.loads(sys.argv[1]):
    before = len(ran)
    p = compiled.compile(pattern, flags)
    compiled_here = len(ran) > before
    q = re.compile(pattern, flags)
    assert (p.pattern, p.flags, p.groups, p.groupindex) == (q.pattern, q.flags, q.groups, q.groupindex)
    out.append([compiled_here, [[m.span(), m.groupdict()] for t in json.loads(sys.argv[2])
                                    for m in p.finditer(t)]])
print(json.dumps(out))
"""


def _run(cache: Path) -> list:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(PATTERNS),
                          json.dumps(TEXTS, ensure_ascii=False)],
                         capture_output=True, text=True, env=env, timeout=120, check=True)
    return json.loads(out.stdout)


def _expected() -> list:
    return [[[list(m.span()), m.groupdict()] for t in TEXTS for m in re.compile(p, f).finditer(t)]
            for p, f in PATTERNS]


def _file(cache: Path) -> Path:
    files = list((cache / "dutymatrix" / "regex").glob("patterns-*.json"))
    assert len(files) == 1
    return files[0]


def test_the_second_run_compiles_nothing_and_matches_as_re_does(tmp_path):
    first = _run(tmp_path)
    assert [compiled for compiled, _ in first] == [True] * len(PATTERNS)
    path = _file(tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    second = _run(tmp_path)
    assert [compiled for compiled, _ in second] == [False] * len(PATTERNS)
    assert [matches for _, matches in second] == [matches for _, matches in first] == _expected()


@pytest.mark.parametrize("spoil", ["others-can-write", "not-json", "another-python", "bad-code",
                                   "wrong-types", "a-line-short", "a-line-not-json"])
def test_a_kept_pattern_that_cannot_be_trusted_is_compiled_anew(tmp_path, spoil):
    _run(tmp_path)
    path = _file(tmp_path)
    head, *lines = path.read_text(encoding="utf-8").split("\n")
    data, entries = json.loads(head), [json.loads(line) for line in lines]
    assert len(entries) == len(data["keys"]) >= len(PATTERNS)
    if spoil == "others-can-write":
        os.chmod(path, 0o666)
    elif spoil == "not-json":
        path.write_bytes(b"\x80\x04\x95 a pickle, say")
    else:
        if spoil == "another-python":
            data["runtime"] = "2.7.18|20000101|4|1114111|little"
        for entry in entries:
            if spoil == "bad-code":  # code _sre refuses (a jump past the end)
                entry[1] = "////////////////"
            elif spoil == "wrong-types":
                entry[1] = [1, 2, 3]
        lines = list(map(json.dumps, entries))
        if spoil == "a-line-short":  # the keys and the lines no longer pair
            lines.pop()
        elif spoil == "a-line-not-json":
            lines = ["{not json" for _ in lines]
        path.write_text("\n".join([json.dumps(data), *lines]), encoding="utf-8")
    again = _run(tmp_path)
    assert [compiled for compiled, _ in again] == [True] * len(PATTERNS)
    assert _run(tmp_path) == [[False, m] for _, m in again]  # and written afresh
    assert [matches for _, matches in again] == _expected()


def test_a_parse_the_second_time_compiles_no_han_class(tmp_path):
    # the text's own patterns (lazy), the plan lexer, the trailer and deadline scanners: what
    # the compiler still compiles in the second run is only plain, cheap patterns of modules
    # that compile at import
    probe = ("import json, re._parser as parser\n"
             "parsed, real = [], parser.parse\n"
             "parser.parse = lambda text, *a, **k: parsed.append(text) or real(text, *a, **k)\n"
             "from matrix.load.pipeline import parse_file\n"
             f"assert parse_file({str(SEED_001)!r}).tasks\n"
             "print(json.dumps([t for t in parsed if isinstance(t, str)], ensure_ascii=False))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             env=env, timeout=120, check=True).stdout
    compiled_again = json.loads(out.strip().splitlines()[-1])
    han = re.compile(r"[\u4e00-\u9fff]")
    assert not [p for p in compiled_again if han.search(p)], compiled_again


def test_a_batch_worker_keeps_what_it_compiled_after_each_chunk(monkeypatch):
    # a pool worker ends by os._exit: no exit handler writes its patterns, the chunk's end does
    from matrix.batch import jobs
    from matrix.text import compiled

    saved = []
    monkeypatch.setattr(compiled, "save", lambda: saved.append(1))
    assert jobs._in_worker_many(lambda args: args * 2, [1, 2, 3]) == [2, 4, 6]
    assert saved == [1]

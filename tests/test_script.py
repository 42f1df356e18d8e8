"""Traditional → simplified only where something can change (matrix/text/script.py, issue 27):
the same text as OpenCC's whenever it is skipped, OpenCC not even imported for a plan in
simplified characters, and the tables current for the installed OpenCC."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.text import script, traditional
from tests.conftest import ROOT


def test_the_tables_were_made_from_the_installed_dictionaries():
    assert script.installed_dictionaries() == traditional.DICTIONARIES, (
        "OpenCC changed: python -m matrix.text.script path/to/TSPhrases.txt")


def test_every_character_opencc_changes_on_its_own_is_in_the_table():
    assert script.changed_characters() == set(traditional.CHARACTERS)


def test_each_listed_phrase_changes_and_is_converted():
    assert len(traditional.PHRASES) > 50
    assert set(script.witnesses(list(traditional.PHRASES))) == set(traditional.PHRASE_CHARACTERS)
    for phrase in traditional.PHRASES:
        converted = script.converter().convert(phrase)
        assert converted != phrase
        assert not script._unchanged(f"各部门{phrase}。")  # found: OpenCC converts it
        assert script.to_simplified(f"各部门{phrase}。") == f"各部门{converted}。"


@pytest.mark.parametrize("text, expected", [
    ("反覆研究", "反复研究"), ("沈思", "沉思"), ("不瞭解情况", "不了解情况"),  # phrases only
    ("國家發展改革委", "国家发展改革委"), ("全覆盖", "全覆盖"), ("发展改革委", "发展改革委"),
    ("\uf900", "岂"),  # a CJK compatibility ideograph (豈), normalised and converted by t2s
])
def test_to_simplified(text, expected):
    assert script.to_simplified(text) == expected == script.converter().convert(text)
    assert script._unchanged(text) is (text == expected)  # OpenCC left unloaded for these


def _texts() -> list[str]:
    files = [*ROOT.glob("seeds/*.txt"), *ROOT.glob("tests/corpus/*.txt")]
    texts = [f.read_text(encoding="utf-8") for f in files]
    return texts + [line for text in texts for line in text.splitlines()]


def test_every_seed_and_corpus_text_and_line_as_opencc_converts_it():
    texts = _texts()
    assert len(texts) > 1000
    convert = script.converter().convert
    assert [t for t in texts if script._unchanged(t) and convert(t) != t] == []
    assert sum(map(script._unchanged, texts)) > len(texts) / 2  # most need no OpenCC
    by_character = [(t, script.by_character(t)) for t in texts]
    assert [t for t, c in by_character if c is not None and c != convert(t)] == []
    changed = [t for t, c in by_character if c is not None and c != t]
    assert len(changed) > 100  # seed 001 and its lines, in traditional characters


def test_the_characters_become_what_opencc_makes_of_each_on_its_own():
    to, longer = script.targets(sorted(traditional.CHARACTERS))
    assert (to, longer) == (traditional.TARGETS, traditional.LONGER_TARGETS)
    keys = traditional.PHRASE_KEYS.split("|")
    assert len(keys) > 400 and set(traditional.PHRASES) <= set(keys)
    # a key of TSPhrases in the text: OpenCC converts it (乾隆 stays, 乾 alone becomes 干)
    assert script.by_character("乾隆年間") is None
    assert script.to_simplified("乾隆年間") == script.converter().convert("乾隆年間") == "乾隆年间"
    assert script.by_character("乾燥") == script.converter().convert("乾燥")
    assert script.by_character("\uf900豈") is None  # normalised first: OpenCC


def test_a_plan_in_traditional_characters_needs_no_opencc():
    seed = (ROOT / "seeds" / "001_5afa0209a0ae242f.txt").read_text(encoding="utf-8")
    converted = script.by_character(seed)
    assert converted is not None and converted != seed
    assert converted == script.converter().convert(seed)


_ALPHABET = ["国", "發", "覆", "反", "沈", "思", "瞭", "解", "一", "目", "然", "\uf900", "a", "。",
             "全", "盖", "藉", "口", "坏", "土", "乾", "隆", "著", "名", "干", "后", "後", "燥",
             "發展", "改革", "委員會", "麵", "髮", "裡", "裏", "闆", "\n"]
# every key of TSPhrases, cut into its characters and pieces: the texts where a phrase nearly
# or just occurs
_PIECES = sorted({piece for key in traditional.PHRASE_KEYS.split("|")
                  for piece in (key, key[:1], key[1:], key[:-1])})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET) | st.sampled_from(_PIECES), max_size=12))
def test_any_text_as_opencc_converts_it(chars):
    text = "".join(chars)
    assert script.to_simplified(text) == script.converter().convert(text)
    if script._unchanged(text):
        assert script.converter().convert(text) == text
    converted = script.by_character(text)
    assert converted is None or converted == script.converter().convert(text)


def test_once_opencc_is_loaded_it_converts_every_text(monkeypatch):
    # its conversion costs no more than asking (a warm worker, the page)
    script.converter()
    monkeypatch.setattr(script, "_unchanged", lambda text: 1 / 0)
    assert script.to_simplified("发展改革委、國家發展改革委") == "发展改革委、国家发展改革委"


def test_other_dictionaries_mean_every_text_goes_through_opencc(monkeypatch):
    monkeypatch.setattr(script, "installed_dictionaries", lambda: {"t2s.json": 1})
    script._tables.cache_clear()
    try:
        assert script._unchanged("发展改革委") is False  # asks OpenCC
    finally:
        monkeypatch.undo()
        script._tables.cache_clear()
    assert script._unchanged("发展改革委") is True


_PROBE = """
import json, sys
from matrix.load.pipeline import parse_file
plan = parse_file(sys.argv[1])
rows = [t.title for d in plan.documents for t in (*d.tasks, *d.unassigned)]
print(json.dumps(["opencc" in sys.modules, rows], ensure_ascii=False))
"""


_WITH_A_PHRASE = "关于某项工作的实施方案\n一、重点任务\n（一）反覆研究，國家發展改革委負責。\n"


@pytest.mark.parametrize("name, loads", [("tests/corpus/guofa_2018_38_zimaoqu_gaige.txt", False),
                                         ("seeds/003_b00b7e78f4f7e31f.txt", False),
                                         ("seeds/001_5afa0209a0ae242f.txt", False),  # by character
                                         ("phrase.txt", True)])
def test_opencc_is_loaded_only_for_a_plan_with_something_to_convert(name, loads, tmp_path):
    path = ROOT / name
    if name == "phrase.txt":  # 反覆 is a key of TSPhrases: OpenCC converts the text
        path = tmp_path / name
        path.write_text(_WITH_A_PHRASE, encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    loaded, rows = json.loads(out.splitlines()[-1])
    assert loaded is loads
    assert len(rows) > (0 if loads else 10)
    assert all(script.to_simplified(r) == r for r in rows)


def test_a_process_that_asked_enough_loads_opencc():
    # a long-lived process (the page) asks about a few plans, then converts as it always did
    code = ("import sys\nfrom matrix.text import script\n"
            "text = '全面覆盖，发展改革委' * 2000\n"
            "for n in range(script.CHECK_BUDGET // len(text) + 2):\n"
            "    loaded = 'opencc' in sys.modules\n"
            "    assert script.to_simplified(text) == text\n"
            "print(n > 2, 'opencc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    assert out.split() == ["True", "True"]

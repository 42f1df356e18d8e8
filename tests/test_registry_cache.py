"""The departments registry's built tables kept between runs (matrix/data/registry_cache.py,
issue 27): read back the second time, equal to a registry built from the files, never read
when the file cannot be trusted or was made from other files or by other code."""

from __future__ import annotations

import json
import os

import pytest

from matrix import departments
from matrix.data import registry_cache
from matrix.departments import Registry, packaged_data

USER = """
[[department]]
name = "市大数据局"
aliases = ["大数据局", "市大數據局"]
category = "地方部门"

[[department]]
name = "省政务服务中心"
jurisdiction = "广东省"
aliases = ["政务服务中心"]
"""


def _tables(registry: Registry) -> tuple:
    """Everything a registry answers from, in comparable form."""
    return (registry._index, {k: sorted(v) for k, v in registry._spellings.items()},
            registry._parent, registry._local, list(registry._by_name.items()),
            registry._scoped, registry.sources)


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "dutymatrix" / "departments"


def _refuse_building(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the registry was built again from its files")

    monkeypatch.setattr(Registry, "_merge", staticmethod(refuse))
    monkeypatch.setattr(Registry, "_build", refuse)


def test_the_built_tables_are_read_back_the_second_time(cache, monkeypatch, tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text(USER, encoding="utf-8")
    built = Registry([packaged_data(), user])
    files = list(cache.glob("registry-*.json"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    _refuse_building(monkeypatch)
    kept = Registry([packaged_data(), user])
    assert kept.digest == built.digest
    assert _tables(kept) == _tables(built)
    for name in ("国家发改委", "市大數據局", "大数据局", "國家發展改革委", "某某办公室", "银监会"):
        assert kept.canonical(name) == built.canonical(name)
        assert kept.aliases(name) == built.aliases(name)
        assert kept.successor_chain(name) == built.successor_chain(name)
        assert kept.parent(name) == built.parent(name)
    assert kept.lookup_scoped("政务服务中心", "广东省") == built.lookup_scoped("政务服务中心", "广东省")
    assert kept.suggest("发改委") == built.suggest("发改委")


def test_other_files_or_other_code_make_other_tables(cache, monkeypatch, tmp_path):
    plain = Registry([packaged_data()])
    user = tmp_path / "mine.toml"
    user.write_text(USER, encoding="utf-8")
    extended = Registry([packaged_data(), user])
    assert extended.digest != plain.digest and "市大数据局" in extended
    user.write_text(USER.replace("市大数据局", "市数据资源局"), encoding="utf-8")
    edited = Registry([packaged_data(), user])
    assert edited.digest != extended.digest
    assert "市数据资源局" in edited and "市大数据局" not in edited
    # a new version of the code that builds the tables names them otherwise
    from matrix.safety import cache as safety_cache

    real = safety_cache.own_source
    monkeypatch.setattr(safety_cache, "own_source", lambda *files: real(*files) + b"# changed")
    assert Registry([packaged_data()]).digest != plain.digest
    monkeypatch.setattr(safety_cache, "own_source", lambda *files: b"")  # unreadable: no cache
    assert Registry([packaged_data()]).digest is None


def _spoil(path, how):
    data = json.loads(path.read_text(encoding="utf-8"))
    if how == "others-can-write":
        os.chmod(path, 0o666)
        return
    if how == "not-json":
        path.write_bytes(b"\x80\x04\x95 a pickle, say")
        return
    if how == "another-key":
        data["key"] = "0" * 64
    elif how == "spelling-of-nobody":
        data["index"]["某某局"] = "某某局"
    elif how == "successor-of-nobody":
        data["by_name"][0][3] = "不存在的部门"
    elif how == "wrong-type":
        data["by_name"][0][5] = "yes"
    elif how == "scoped-out-of-range":
        next(iter(data["scoped"].values()))["index"]["政务服务中心"] = 99
    elif how == "missing-table":
        del data["spellings"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("how", ["others-can-write", "not-json", "another-key",
                                 "spelling-of-nobody", "successor-of-nobody", "wrong-type",
                                 "scoped-out-of-range", "missing-table"])
def test_tables_that_cannot_be_trusted_are_built_again(cache, tmp_path, how):
    user = tmp_path / "mine.toml"
    user.write_text(USER, encoding="utf-8")
    built = Registry([packaged_data(), user])
    (path,) = cache.glob("registry-*.json")
    _spoil(path, how)
    assert registry_cache._load(built.digest) is None
    calls = []
    real = Registry._build

    def counting(self, entries):
        calls.append(1)
        real(self, entries)

    try:
        Registry._build = counting
        again = Registry([packaged_data(), user])
    finally:
        Registry._build = real
    assert calls == [1]
    assert _tables(again) == _tables(built)


def test_a_bad_file_still_fails_and_keeps_no_tables(cache, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[department]]\nname = "甲局"\nsuccessor = "乙局"\n', encoding="utf-8")
    for _ in range(2):  # and again: nothing kept answers for it
        with pytest.raises(departments.MatrixInputError, match="names no department"):
            Registry([packaged_data(), bad])
    assert not [f for f in cache.glob("registry-*.json")
                if json.loads(f.read_text(encoding="utf-8"))["index"].get("甲局")]


def test_the_packaged_data_is_the_resource_importlib_gives():
    from importlib import resources

    assert packaged_data() == resources.files("matrix") / "data" / "departments.toml"
    assert packaged_data().read_bytes() == (
        resources.files("matrix") / "data" / "departments.toml").read_bytes()


# ── the local names' function index (matrix/parse/jurisdiction.py), kept the same way ─────────

def test_the_function_index_is_read_back_and_checked(cache, monkeypatch):
    from matrix.parse import jurisdiction

    registry = Registry([packaged_data()])
    jurisdiction._index_for.cache_clear()
    built = jurisdiction._index_for(registry)
    (path,) = cache.glob("functions-*.json")
    jurisdiction._index_for.cache_clear()

    def refuse(*args, **kwargs):
        raise AssertionError("the function index was built again")

    with monkeypatch.context() as m:
        m.setattr(jurisdiction.FunctionIndex, "__init__", refuse)
        kept = jurisdiction._index_for(registry)
    assert (kept.exact, kept.stems) == (built.exact, built.stems)
    assert kept.function("发改局") == built.function("发改局") == "国家发展改革委"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["stems"]["发改"] = "不存在的部门"  # names no department: not read
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    jurisdiction._index_for.cache_clear()
    again = jurisdiction._index_for(registry)
    assert again.stems == built.stems
    jurisdiction._index_for.cache_clear()

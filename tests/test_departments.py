"""Tests for matrix.departments: the canonical data and the lookup over it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
import tomllib

import pytest

from matrix import departments
from matrix.departments import Registry, canonical, default_registry, packaged_data
from matrix.errors import MatrixInputError

# Names printed in real State Council documents (the corpus and its neighbours).
PRINTED = """
农业农村部 国家粮食和储备局 粮食和储备局 国家林草局 国家卫生健康委 卫生健康委 市场监管总局 海关总署
工业和信息化部 供销合作总社 国家知识产权局 知识产权局 民政部 国家药监局 药监局 体育总局 文化和旅游部
住房和城乡建设部 住房城乡建设部 财政部 科技部 国家国防科工局 国家发展改革委 发展改革委 中科院
中央网信办 网信办 商务部 交通运输部 人民银行 银保监会 证监会 国家邮政局 邮政局 国家医保局 国家能源局
国务院国资委 国资委 全国工商联 广电总局 教育部 全国总工会 共青团中央 人力资源社会保障部 税务总局
国家统计局 统计局 公安部 中央宣传部 地方各级人民政府 国际发展合作署 各省级人民政府 自然资源部 民航局
北京冬奥组委 应急部 标准委 海洋局 空管委办公室 版权局 司法部 外交部 水利部 生态环境部 国务院扶贫办
国务院办公厅 有关部门 铁路局 中国铁路总公司 外汇局 中医药局 金融监管总局 国家卫健委 國家衛生健康委
国家卫生健康委员会 国家市场监督管理总局
""".split()


@pytest.fixture(scope="module")
def registry() -> Registry:
    """The packaged data alone, whatever the environment says."""
    return Registry([packaged_data()])


@pytest.fixture
def clean_default(monkeypatch):
    """Reset the cached default registry around a test that changes the environment."""
    monkeypatch.delenv(departments.ENV_VAR, raising=False)
    default_registry.cache_clear()
    yield monkeypatch
    default_registry.cache_clear()


@pytest.mark.parametrize("printed", PRINTED)
def test_printed_names_resolve(registry, printed):
    dept = registry.canonical(printed)
    assert dept.known, printed
    assert registry.lookup(printed) == dept


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("国家市场监督管理总局", "市场监管总局"),
        ("國家市場監督管理總局", "市场监管总局"),
        ("市场监管总局", "市场监管总局"),
        ("国家市场监管总局", "市场监管总局"),
        ("住房和城乡建设部", "住房城乡建设部"),
        ("住房城乡建设部", "住房城乡建设部"),
        ("住建部", "住房城乡建设部"),
        ("发展改革委", "国家发展改革委"),
        ("国家发改委", "国家发展改革委"),
        ("国家发展和改革委员会", "国家发展改革委"),
        ("中华人民共和国国家发展和改革委员会", "国家发展改革委"),
        ("中华人民共和国商务部", "商务部"),
        ("卫生健康委", "国家卫生健康委"),
        ("国家卫健委", "国家卫生健康委"),
        ("國家衛生健康委", "国家卫生健康委"),
        ("国家卫生健康委员会", "国家卫生健康委"),
        ("人民银行", "人民银行"),
        ("中国人民银行", "人民银行"),
        ("证监会", "中国证监会"),
        ("民航局", "中国民航局"),
        ("中科院", "中国科学院"),
        ("应急部", "应急管理部"),
        ("退役军人部", "退役军人事务部"),
        ("国资委", "国务院国资委"),
        ("粮食和储备局", "国家粮食和储备局"),
        ("国家粮食和物资储备局", "国家粮食和储备局"),
        ("供销合作总社", "供销合作总社"),
        ("中华全国供销合作总社", "供销合作总社"),
        ("网信办", "中央网信办"),
        ("国家网信办", "中央网信办"),
        ("国家互联网信息办公室", "中央网信办"),
        ("国务院台办", "中央台办"),
        ("标准委", "国家标准委"),
        ("版权局", "国家版权局"),
        ("海洋局", "国家海洋局"),
        ("工信部", "工业和信息化部"),
        ("人社部", "人力资源社会保障部"),
        ("人力资源和社会保障部", "人力资源社会保障部"),
        ("团中央", "共青团中央"),
        ("中国国家铁路集团有限公司", "国铁集团"),
        # light cleanup: whitespace, full width, trailing 等…
        (" 市场监管总局 ", "市场监管总局"),
        ("市\u3000场监管总局", "市场监管总局"),
        ("国 家 发 展 改 革 委", "国家发展改革委"),
        ("人民银行等部门", "人民银行"),
        ("财政部等", "财政部"),
        ("农业农村部等有关部门", "农业农村部"),
        ("各省(自治区、直辖市)人民政府", "各省级人民政府"),
        ("各省（自治区、直辖市）人民政府", "各省级人民政府"),
    ],
)
def test_canonical(registry, printed, expected):
    assert registry.canonical(printed).name == expected


def test_canonical_record(registry):
    dept = registry.canonical("国家市场监督管理总局")
    assert dept.name == "市场监管总局"
    assert dept.full_name == "国家市场监督管理总局"
    assert dept.category == "直属机构"
    assert dept.known and not dept.generic and dept.successor is None


@pytest.mark.parametrize(
    ("printed", "kept"),
    [
        ("某某工作专班", "某某工作专班"),
        (" 某某工作专班 ", "某某工作专班"),
        ("某某工作专班等", "某某工作专班"),
        ("國家衛鍵委", "国家卫键委"),  # traditional in, simplified out, never fuzzy-matched
        ("国家卫键委", "国家卫键委"),
    ],
)
def test_unknown_name_kept_as_printed(registry, printed, kept):
    dept = registry.canonical(printed)
    assert dept.name == kept
    assert dept.known is False
    assert dept.full_name is None and dept.category is None
    assert registry.lookup(printed) is None
    assert registry.aliases(printed) == set()
    assert printed not in registry


def test_module_level_canonical(clean_default):
    assert canonical("国家市场监督管理总局").name == "市场监管总局"
    assert canonical("不存在的部门").known is False


@pytest.mark.parametrize(
    ("printed", "chain"),
    [
        ("银保监会", ["金融监管总局"]),
        ("银监会", ["银保监会", "金融监管总局"]),
        ("中国保监会", ["银保监会", "金融监管总局"]),
        ("质检总局", ["市场监管总局"]),
        ("工商总局", ["市场监管总局"]),
        ("食品药品监管总局", ["市场监管总局"]),
        ("国家卫生计生委", ["国家卫生健康委"]),
        ("卫生部", ["国家卫生计生委", "国家卫生健康委"]),
        ("环境保护部", ["生态环境部"]),
        ("国家环保总局", ["环境保护部", "生态环境部"]),
        ("国土资源部", ["自然资源部"]),
        ("农业部", ["农业农村部"]),
        ("文化部", ["文化和旅游部"]),
        ("国家旅游局", ["文化和旅游部"]),
        ("国务院扶贫办", ["国家乡村振兴局", "农业农村部"]),
        ("国家乡村振兴局", ["农业农村部"]),
        ("安全监管总局", ["应急管理部"]),
        ("新闻出版广电总局", ["广电总局"]),
        ("国家粮食局", ["国家粮食和储备局"]),
        ("海洋局", ["自然资源部"]),
        ("国家测绘地信局", ["自然资源部"]),
        ("国务院三峡办", ["水利部"]),
        ("国务院南水北调办", ["水利部"]),
        ("中国铁路总公司", ["国铁集团"]),
        ("国家煤矿安监局", ["国家矿山安监局"]),
        ("国务院港澳办", ["中央港澳办"]),
        ("科技部", []),  # 2023 reorganisation, not a rename
        ("金融监管总局", []),
        ("不存在的部门", []),
    ],
)
def test_successor_chain(registry, printed, chain):
    assert [d.name for d in registry.successor_chain(printed)] == chain
    current = registry.current(printed)
    assert current.name == (chain[-1] if chain else registry.canonical(printed).name)
    assert current.successor is None


def test_successor_fields(registry):
    dept = registry.canonical("银保监会")
    assert (dept.successor, dept.successor_since) == ("金融监管总局", "2023")


def test_suggest(registry):
    assert "国家卫生健康委" in registry.suggest("国家卫键委")
    assert "国家卫生健康委" in registry.suggest("國家衛鍵委")
    assert registry.suggest("国家发展改革委员", limit=1) == ["国家发展改革委"]
    suggestions = registry.suggest("市场监督总局", limit=3)
    assert suggestions[0] == "市场监管总局"
    assert len(suggestions) == len(set(suggestions)) <= 3
    assert registry.suggest("完全无关的文字内容") == []


def test_aliases_names_all(registry):
    spellings = registry.aliases("住建部")
    assert {"住房城乡建设部", "住房和城乡建设部", "住建部", "中华人民共和国住房和城乡建设部"} <= spellings
    assert registry.aliases("网信办") >= {"中央网信办", "国家网信办", "国家互联网信息办公室"}
    names = registry.names()
    assert len(names) == len(set(names)) == len(registry) == len(registry.all())
    assert [d.name for d in registry.all()] == names
    for name in names:
        assert registry.canonical(name).name == name


def test_parent(registry):
    assert registry.parent("药监局").name == "市场监管总局"
    assert registry.parent("国家能源局").name == "国家发展改革委"
    assert registry.parent("版权局").name == "中央宣传部"
    assert registry.parent("财政部") is None
    assert registry.parent("不存在的部门") is None


# ── the packaged data itself ──────────────────────────────────────────────────────────────

CATEGORIES = {
    "办公厅", "组成部门", "直属特设机构", "直属机构", "办事机构", "直属事业单位", "部委管理的国家局",
    "部委管理的事业单位", "对外保留牌子", "党中央部门", "党中央直属事业单位", "其他中央国家机关",
    "军队", "群团组织", "合作经济组织", "中央企业", "中央金融企业", "议事协调机构",
    "地方人民政府", "其他", "泛指",
}


@pytest.fixture(scope="module")
def raw_data() -> list[dict]:
    return tomllib.loads(packaged_data().read_text("utf-8"))["department"]


def test_packaged_file_is_found():
    assert packaged_data().is_file()


def test_no_alias_collision_in_packaged_data(raw_data):
    owner: dict[str, str] = {}
    for table in raw_data:
        spellings = {table["name"], table.get("full_name", table["name"]),
                     *table.get("aliases", [])}
        for spelling in spellings:
            key = departments._clean(spelling)
            assert owner.setdefault(key, table["name"]) == table["name"], (
                f"{spelling!r} claimed by {owner[key]!r} and {table['name']!r}")


def test_packaged_data_is_consistent(raw_data):
    names = [t["name"] for t in raw_data]
    assert len(names) == len(set(names))
    for table in raw_data:
        assert table["category"] in CATEGORIES, table["name"]
        assert table.get("generic", False) == (table["category"] == "泛指"), table["name"]
        for key in ("successor", "parent"):
            if key in table:
                assert table[key] in names, (table["name"], key)
        assert ("successor" in table) == ("successor_since" in table), table["name"]
        if "successor_since" in table:
            assert re.fullmatch(r"\d{4}", table["successor_since"]), table["name"]
        if table["category"] != "泛指":
            assert table.get("full_name"), table["name"]
        # data is simplified Chinese: converting again changes nothing
        for spelling in (table["name"], table.get("full_name", ""), *table.get("aliases", [])):
            assert departments._simplified(spelling) == spelling, spelling


def test_state_council_bodies_2026(registry):
    by_category: dict[str, set[str]] = {}
    for dept in registry.all():
        if dept.successor is None:
            by_category.setdefault(dept.category, set()).add(dept.name)
    assert len(by_category["组成部门"]) == 26
    assert by_category["直属特设机构"] == {"国务院国资委"}
    assert len(by_category["直属机构"]) == 14
    assert by_category["办事机构"] == {"国务院研究室"}
    assert len(by_category["直属事业单位"]) == 7
    assert len(by_category["部委管理的国家局"]) == 17


GENERIC = [
    "地方各级人民政府", "各级人民政府", "县级以上地方人民政府", "各省级人民政府", "省级人民政府",
    "各有关省级人民政府", "各地区", "各有关部门", "有关部门", "各有关部门和单位", "国务院各部门",
    "国务院有关部门", "试点城市政府", "有关省级人民政府", "有关部门和单位", "各有关单位", "有关单位",
]


@pytest.mark.parametrize("printed", GENERIC)
def test_generic_groups(registry, printed):
    dept = registry.canonical(printed)
    assert dept.known and dept.generic
    assert dept.category == "泛指"
    assert dept.name == printed


def test_generic_groups_stay_distinct(registry):
    names = [registry.canonical(g).name for g in GENERIC]
    assert len(set(names)) == len(GENERIC)


def test_specific_bodies_are_not_generic(registry):
    assert not registry.canonical("财政部").generic
    assert not registry.canonical("北京市人民政府").generic


# ── user files ────────────────────────────────────────────────────────────────────────────

USER_TOML = """
[[department]]
name = "市场监管总局"
aliases = ["市监总局"]

[[department]]
name = "某某工作专班"
full_name = "国务院某某工作专班"
category = "议事协调机构"
aliases = ["某某专班"]
"""


def test_user_file_adds_alias(tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text(USER_TOML, encoding="utf-8")
    reg = Registry([packaged_data(), user])
    assert reg.canonical("市监总局").name == "市场监管总局"
    assert reg.canonical("国家市场监督管理总局").name == "市场监管总局"  # old spellings kept
    assert reg.canonical("市场监管总局").full_name == "国家市场监督管理总局"  # fields kept
    assert reg.canonical("某某专班").name == "某某工作专班"
    assert reg.canonical("某某专班").category == "议事协调机构"
    assert len(reg) == len(Registry([packaged_data()])) + 1


def test_user_file_via_environment(tmp_path, clean_default):
    user = tmp_path / "mine.toml"
    user.write_text(USER_TOML, encoding="utf-8")
    assert canonical("市监总局").known is False
    clean_default.setenv(departments.ENV_VAR, f"{tmp_path / 'missing-is-not-read-yet'}")
    default_registry.cache_clear()
    with pytest.raises(MatrixInputError, match="missing-is-not-read-yet"):
        canonical("市监总局")
    other = tmp_path / "other.toml"
    other.write_text('[[department]]\nname = "财政部"\naliases = ["财部"]\n', encoding="utf-8")
    clean_default.setenv(departments.ENV_VAR, os.pathsep.join([str(user), str(other)]))
    default_registry.cache_clear()
    assert canonical("市监总局").name == "市场监管总局"
    assert canonical("财部").name == "财政部"


def test_user_file_overrides_field(tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text('[[department]]\nname = "北京冬奥组委"\nsuccessor = "体育总局"\n'
                    'successor_since = "2022"\n', encoding="utf-8")
    reg = Registry([packaged_data(), user])
    assert [d.name for d in reg.successor_chain("北京冬奥组委")] == ["体育总局"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[department]]\nname = "甲"\naliases = ["乙"\n',
         r"bad\.toml:end of file: invalid TOML"),
        ('[[department]]\nname = "甲"\nname = "乙"\n', r"bad\.toml:3:\d+: invalid TOML"),
        ('[[department]]\nname = "甲"\ncolour = "红"\n',
         r"bad\.toml: department '甲': unknown key 'colour'"),
        ('[[department]]\nname = "甲"\nsuccessor = "乙"\nsuccessor_since = "2020"\n',
         r"bad\.toml: department '甲': successor '乙' names no department"),
        ('[[department]]\nname = "甲"\nsuccessor = "证监会"\n',
         r"successor '证监会' names no department \(use the canonical name '中国证监会'\)"),
        ('[[department]]\nname = "甲"\nparent = "乙"\n', r"bad\.toml: department '甲': parent '乙'"),
        ('[[department]]\nname = "甲"\naliases = ["药监局"]\n',
         r"bad\.toml: department '甲': '药监局' already names '国家药监局'"),
        ('[[department]]\nname = "甲"\naliases = ["丙"]\n'
         '[[department]]\nname = "乙"\naliases = ["丙"]\n',
         r"bad\.toml: department '乙': '丙' already names '甲'"),
        ('[[department]]\nname = "甲"\n[[department]]\nname = "甲"\n',
         r"bad\.toml: department '甲': listed twice"),
        ('[[department]]\nname = "甲"\nsuccessor = "乙"\nsuccessor_since = "1"\n'
         '[[department]]\nname = "乙"\nsuccessor = "甲"\nsuccessor_since = "2"\n',
         r"successor cycle"),
        ('[[department]]\nfull_name = "甲"\n',
         r"bad\.toml: \[\[department\]\] #1: missing 'name'"),
        ('[[department]]\nname = "甲"\naliases = "乙"\n', r"'aliases' must be a list of strings"),
        ('[[department]]\nname = "甲"\ngeneric = "yes"\n', r"'generic' must be true or false"),
        ('[[departments]]\nname = "甲"\n', r"bad\.toml: unknown top-level key 'departments'"),
    ],
)
def test_broken_user_file(tmp_path, text, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(MatrixInputError, match=message):
        Registry([packaged_data(), bad])


def test_broken_toml_position(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[department]]\nname = "甲"\naliases = [乙]\n', encoding="utf-8")
    with pytest.raises(MatrixInputError, match=re.escape(f"{bad}:3:12: invalid TOML")):
        Registry([bad])


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(MatrixInputError, match="nope.toml: cannot read"):
        Registry([tmp_path / "nope.toml"])
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[[department]]\nname = "甲"\n'.encode("gbk"))
    with pytest.raises(MatrixInputError, match="gbk.toml: departments file is not UTF-8"):
        Registry([gbk])


# ── speed and start-up ────────────────────────────────────────────────────────────────────


def test_canonical_is_fast(registry):
    names = (PRINTED + ["某某工作专班", "人民银行等部门", " 财政部 "]) * 200
    names = names[:10_000]
    for name in names:  # warm-up: opencc dictionaries, memo
        registry.canonical(name)
    start = time.perf_counter()
    for name in names:
        registry.canonical(name)
    assert time.perf_counter() - start < 0.1


def test_heavy_imports_are_lazy():
    code = ("import sys, matrix.departments; "
            "print('rapidfuzz' in sys.modules, 'opencc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_tests_never_touch_the_user_cache(private_cache):
    """conftest points the user cache at a temporary folder: the departments cache lands there,
    never in ~/.cache/dutymatrix."""
    import platformdirs

    from matrix.departments import _cache_folder

    assert Path(platformdirs.user_cache_dir("dutymatrix", appauthor=False)).is_relative_to(
        private_cache)
    folder = _cache_folder(create=True)
    assert folder is None or folder.is_relative_to(private_cache)

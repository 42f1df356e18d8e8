"""Local-government plans (issue 12): layouts, people, jurisdiction, names of local bodies."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.departments import Registry, canonical, default_registry, packaged_data
from matrix.errors import MatrixInputError
from matrix.parse.jurisdiction import detect_jurisdiction, distribute_prefix, parse_jurisdiction
from matrix.parse.localnames import LocalResolver
from matrix.load.pipeline import parse_text
from matrix.records import Jurisdiction
from matrix.parse.trailer import read_trailer

CITY = Jurisdiction(level="city", name="滁州市")
PROVINCE = Jurisdiction(level="province", name="广东省")


def parse(text: str, **kw):
    return parse_text(text, "t.txt", **kw)


def rows(text: str, **kw):
    doc = parse(text, **kw).documents[0]
    return [(t.label, [(a.as_printed, a.department, a.role.value) for a in t.assignments],
             list(t.leaders)) for t in doc.tasks]


# ── layouts ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("open_, close", [("（", "）"), ("(", ")"), ("〔", "〕"), ("[", "]"),
                                          ("【", "】"), ("［", "］")])
@pytest.mark.parametrize("sep", ["；", ";", "，", " "])
def test_bracketed_fields_in_every_bracket_and_separator(open_, close, sep):
    text = f"一、甲\n1.乙。{open_}牵头单位：市发改委{sep}配合单位：市财政局、住建局{close}\n"
    assert rows(text) == [("1.", [("市发改委", "市发改委", "lead"),
                                  ("市财政局", "市财政局", "support"),
                                  ("住建局", "市住建局", "support")], [])]


@pytest.mark.parametrize("label,role", [("牵头部门", "lead"), ("责任部门", "responsible"),
                                        ("配合部门", "support"), ("协同单位", "support"),
                                        ("参与单位", "support"), ("责任单位", "responsible")])
def test_field_labels(label, role):
    assert read_trailer(f"{label}：市发改委").duties[0].role.value == role


@pytest.mark.parametrize("gap", ["\n", "\n\n", "\n   \n  "])
@pytest.mark.parametrize("colon", ["：", ":"])
def test_line_trailers_with_blank_lines_indentation_and_either_colon(gap, colon):
    text = (f"一、甲\n1.地区生产总值增长6%。{gap}  牵头单位{colon}市发改局{gap}"
            f"  责任单位{colon}市统计局、财政局，各县（市、区）政府{gap}2.乙。\n")
    got = rows(text)
    assert got == [("1.", [("市发改局", "市发改局", "lead"),
                           ("市统计局", "市统计局", "responsible"),
                           ("财政局", "市财政局", "responsible"),
                           ("各县（市、区）政府", "各县（市、区）政府", "responsible")], [])]


def test_three_line_block_with_a_leader_and_a_deadline():
    text = ("一、甲\n1.财政收入增长8%。\n牵头负责领导：金力。\n牵头责任单位：市财政局。\n"
            "协同责任单位：市税务局、滁州海关等，各县、市、区政府。\n完成时限：2024年12月底\n")
    doc = parse(text).documents[0]
    (task,) = doc.tasks
    assert task.leaders == ("金力",)
    assert task.deadline == "2024年12月底"
    assert [(a.department, a.role.value, a.counterpart) for a in task.assignments] == [
        ("市财政局", "lead", "财政部"), ("市税务局", "support", "税务总局"),
        ("滁州海关", "support", "海关总署"), ("各县、市、区政府", "support", None)]


@pytest.mark.parametrize("label", ["牵头市领导", "分管省领导", "责任领导", "牵头负责领导",
                                   "分管区领导", "联系县领导"])
def test_people_are_leaders_never_departments(label):
    text = f"一、甲\n1.乙。\n{label}：张三、李四\n牵头单位：市商务局\n"
    (task,) = parse(text).documents[0].tasks
    assert task.leaders == ("张三", "李四")
    assert [a.as_printed for a in task.assignments] == ["市商务局"]


def test_a_block_of_people_only_is_no_task():
    assert parse("一、甲\n1.乙。\n牵头负责领导：姚志。\n牵头责任\n").documents[0].tasks == ()


def test_division_line_separately_lead_and_a_heading_trailer():
    text = ("一、扩大投资（市发改委牵头）\n（一）甲。\n部门分工：市商务局牵头，市发展和改革委员会配合\n"
            "（二）乙。（市住建局、市城管局分别牵头，市级各有关部门结合实际落实）\n")
    got = rows(text)
    # one body, two spellings: one column titled with the plan's fuller spelling
    assert got[0] == ("一、", [("市发改委", "市发展和改革委员会", "lead")], [])
    assert got[1] == ("（一）", [("市商务局", "市商务局", "lead"),
                                ("市发展和改革委员会", "市发展和改革委员会", "support")], [])
    assert got[2][1] == [("市住建局", "市住建局", "lead"), ("市城管局", "市城管局", "lead"),
                         ("市级各有关部门", "市级各有关部门", "responsible")]


@pytest.mark.parametrize("rule", ["排在首位的为牵头单位", "列第一位的为牵头单位，下同",
                                  "列第一位者为工作牵头单位或汇总单位，下同",
                                  "排名第一的单位为牵头单位", "第一个单位为牵头单位"])
def test_lead_rules_in_local_wording_in_the_notice(rule):
    text = f"各有关单位：\n各项任务中{rule}。\n一、甲\n1.乙。（责任单位：市统计局、市财政局）\n"
    doc = parse(text).documents[0]
    assert [(a.department, a.role.value, a.lead_by_rule) for a in doc.tasks[0].assignments] == [
        ("市统计局", "lead", True), ("市财政局", "responsible", False)]


def test_body_named_for_every_task_from_the_rule_on():
    text = ("一、甲\n（一）乙。〔责任单位：省商务厅按职责分工负责。具体任务均涉及相关市（州）人民政府，"
            "不再做分工，下同。〕\n（二）丙。（责任单位：省市场监管局）\n")
    doc = parse(text).documents[0]
    got = [[(a.department, a.inherited) for a in t.assignments] for t in doc.tasks]
    assert got == [[("省商务厅", False), ("相关市（州）人民政府", False)],
                   [("省市场监管局", False), ("相关市（州）人民政府", True)]]


@pytest.mark.parametrize("rule", [
    "以下政策措施均需各县区人民政府、园区管委会落实，不再单独列出",
    "以下各项措施均由各县区人民政府、园区管委会负责落实，不再一一列出"])
def test_a_rule_after_the_bodies_of_a_field_holds_for_the_later_tasks(rule):
    # 淮安 2022: 〔责任单位：X、Y等有关部门，Z。以下政策措施均需Z落实，不再单独列出〕 — the rule's
    # words are never read as bodies (以下政策措施均需各县区人民政府, 不再单独列出)
    text = ("一、甲\n1.乙。（责任单位：市工信局、市财政局等有关部门，各县区人民政府、园区管委会。"
            f"{rule}）\n2.丙。（责任单位：市工信局、市财政局）\n")
    doc = parse(text).documents[0]
    got = [[(a.department, a.inherited) for a in t.assignments] for t in doc.tasks]
    assert got == [[("市工信局", False), ("市财政局", False), ("各县区人民政府", False),
                    ("园区管委会", False)],
                   [("市工信局", False), ("市财政局", False), ("各县区人民政府", True),
                    ("园区管委会", True)]]
    assert doc.rules == (rule,)


def test_bodies_that_take_part_are_support():
    # 金乡 2021: 责任单位：X牵头，Y、Z等有关部门参加，各镇街落实
    info = read_trailer("责任单位：县扶贫开发办牵头，县教育和体育局、县民政局等有关部门参加，各镇街落实")
    assert info.unread is None
    assert [(d.name, d.role.value) for d in info.duties] == [
        ("县扶贫开发办", "lead"), ("县教育和体育局", "support"), ("县民政局", "support"),
        ("各镇街", "responsible")]
    assert [(d.name, d.role.value) for d in read_trailer("市财政局参加").duties] == [
        ("市财政局", "support")]


@pytest.mark.parametrize("trailer,want", [
    ("责任股室：综合股、财务股", [("综合股", "responsible"), ("财务股", "responsible")]),  # a county's 股
    ("承办单位：市财政局", [("市财政局", "responsible")]),
    ("实施单位：市财政局；配合单位：市税务局", [("市财政局", "responsible"), ("市税务局", "support")]),
])
def test_every_unit_label_is_a_field(trailer, want):
    info = read_trailer(trailer)
    assert info.unread is None
    assert [(d.name, d.role.value) for d in info.duties] == want


@pytest.mark.parametrize("rule", ["第一个为牵头单位", "首个单位为牵头单位，下同", "排名第一的为牵头单位，下同"])
def test_lead_rule_wordings_in_a_field(rule):
    text = f"一、甲\n1.乙。（责任单位：市统计局、市财政局（{rule}））\n2.丙。（责任单位：市商务局、市财政局）\n"
    doc = parse(text).documents[0]
    assert [(a.department, a.role.value) for a in doc.tasks[0].assignments] == [
        ("市统计局", "lead"), ("市财政局", "responsible")]
    # from the rule on (as 列第一位的为牵头单位 is read, with or without 下同)
    assert [(a.department, a.role.value) for a in doc.tasks[1].assignments] == [
        ("市商务局", "lead"), ("市财政局", "responsible")]


# ── names ───────────────────────────────────────────────────────────────────────────────────


def test_prefix_never_runs_over_a_zones_or_a_party_committees_body():
    # 石景山 2019: 协办单位：区委编办、区民政局（区委社会工委）、园区党工委、各街道党工委
    assert distribute_prefix(["区委编办", "区民政局（区委社会工委）", "园区党工委", "各街道党工委"]) == [
        "区委编办", "区民政局（区委社会工委）", "园区党工委", "各街道党工委"]
    assert distribute_prefix(["市发改委", "开发区管委会办公室"]) == ["市发改委", "开发区管委会办公室"]


def test_prefix_distributes_and_stops():
    assert distribute_prefix(["省工业和信息化厅", "科技厅", "政务和数据局"]) == [
        "省工业和信息化厅", "省科技厅", "省政务和数据局"]
    assert distribute_prefix(["市发改局", "工信局", "各县市区政府", "农业农村局"]) == [
        "市发改局", "市工信局", "各县市区政府", "农业农村局"]
    assert distribute_prefix(["省发展改革委", "广东海事局", "商务厅"]) == [
        "省发展改革委", "广东海事局", "商务厅"]
    assert distribute_prefix(["市场监管局", "财政局"]) == ["市场监管局", "财政局"]
    assert distribute_prefix(["市市场监管局", "财政局"]) == ["市市场监管局", "市财政局"]


def test_comma_starts_a_new_group():
    info = read_trailer("市行政审批局、住建局，司法局按职责分工负责")
    assert [(d.name, d.full) for d in info.duties] == [
        ("市行政审批局", None), ("住建局", "市住建局"), ("司法局", None)]


def test_one_column_per_body():
    resolver = LocalResolver(default_registry(), CITY, canonical)
    spellings = ("市发改局", "市发展改革委", "市发展和改革委员会", "发展改革委", "滁州市发改委")
    # alone, each is named as printed (prefix written out), never rebuilt from the function;
    # a bare name takes no prefix the plan does not print
    assert [resolver.resolve(n).department.name for n in spellings] == [
        "市发改局", "市发展改革委", "市发展和改革委员会", "发展改革委", "市发改委"]
    assert {resolver.key(n) for n in spellings} == {("市", "国家发展改革委")}
    resolver.unify(spellings)  # printed in one plan: one column, the fullest spelling
    assert {resolver.resolve(n).department.name for n in spellings[1:]} == {"市发展和改革委员会"}
    # a 局 is not spelt inside 委员会: kept apart rather than guessed one body
    assert resolver.resolve("市发改局").department.name == "市发改局"
    resolver.unify(["市国税局", "市地税局"])  # 2012: two bodies, never merged
    assert [resolver.resolve(n).department.name for n in ("市国税局", "市地税局")] == [
        "市国税局", "市地税局"]
    resolver.unify(["市人社局", "市人力资源和社会保障局"])
    assert resolver.resolve("市人社局").department == resolver.resolve("市人力资源和社会保障局").department
    province = LocalResolver(default_registry(), PROVINCE, canonical)
    province.unify(["省卫健委", "省卫生健康委"])
    assert province.resolve("省卫健委").department == province.resolve("省卫生健康委").department
    resolved = province.resolve("省工业和信息化厅")
    assert (resolved.department.name, resolved.counterpart) == ("省工业和信息化厅", "工业和信息化部")


@pytest.mark.parametrize("name,kept", [
    ("国家统计局", "国家统计局"), ("海关总署广东分署", "海关总署广东分署"),
    ("人民银行广东省分行", "人民银行广东省分行"), ("广东金融监管局", "广东金融监管局"),
    ("中国证监会广东监管局", "中国证监会广东监管局")])
def test_national_by_form_keeps_its_central_identity(name, kept):
    resolved = LocalResolver(default_registry(), PROVINCE, canonical).resolve(name)
    assert resolved.department.name == kept
    assert resolved.department.known


@pytest.mark.parametrize("bare,counterpart", [
    ("统计局", "国家统计局"), ("能源局", "国家能源局"), ("医保局", "国家医保局"), ("林业局", "国家林业局"),
    ("密码管理局", "国家密码管理局"), ("发展改革委", "国家发展改革委"), ("卫生健康委", "国家卫生健康委"),
    ("生态环境局", "生态环境部"), ("税务局", "税务总局")])
def test_bare_names_are_kept_as_printed_with_their_counterpart(bare, counterpart):
    """A bare name in a local plan is the plan's column as printed (never 省统计局, a name the plan
    does not print), local and not the national body: its function is its counterpart, and the
    same body printed with the prefix in the same plan shares one column (the fuller spelling)."""
    resolver = LocalResolver(default_registry(), PROVINCE, canonical)
    resolved = resolver.resolve(bare)
    assert resolved.department.name == bare
    assert resolved.department.category in ("地方部门", "中央驻地方机构")
    assert default_registry().lookup(counterpart) is not None
    assert default_registry().canonical(resolved.counterpart).name == \
        default_registry().canonical(counterpart).name
    resolver.unify([bare, "省" + bare])
    assert resolver.resolve(bare).department.name == "省" + bare


def test_a_national_name_in_a_local_plan_is_warned():
    doc = parse("一、甲\n1.乙。（省财政厅、工业和信息化部负责）\n").documents[0]
    assert any(w.kind == "national-in-local" and "工业和信息化部" in w.message
               and "省工业和信息化厅" in w.message for w in doc.warnings)


def test_generic_groups_are_one_column_each_and_marked():
    resolver = LocalResolver(default_registry(), CITY, canonical)
    for name in ("各县、市、区政府", "市级各有关部门", "省各有关单位", "各地级以上市人民政府",
                 "全区经济运行各专班", "区直各部门"):
        dept = resolver.resolve(name).department
        assert dept.generic and dept.name == name


def test_unknown_names_summarised_once_per_local_document():
    text = "一、甲\n1.乙。（市火星局负责）\n2.丙。（市火星局、市月亮办负责）\n"
    warnings = [w for w in parse(text).documents[0].warnings if w.kind == "unknown-department"]
    assert len(warnings) == 1
    assert warnings[0].message.startswith("2 names") and "市火星局、市月亮办" in warnings[0].message


# ── jurisdiction ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("opening,number,prefixes,want", [
    (["广东省人民政府办公厅"], "粤府办〔2023〕5号", {"省": 3}, ("province", "广东省")),
    (["鞍山市立山区人民政府文件"], "鞍立政发〔2023〕2号", {"区": 4}, ("district", "立山区")),
    (["发文单位黄石市人民政府办公室"], None, {"市": 2}, ("city", "黄石市")),
    ([], "粤府办〔2023〕5号", {}, ("province", "广东省")),
    (["国务院办公厅"], "国办发〔2018〕121号", {}, ("central", None)),
    (["经省政府同意，现印发给你们"], None, {"省": 1}, ("province", None)),
    # a party committee's office beside the government's: its 委办公室 is no place
    (["中共嵊泗县委办公室  嵊泗县人民政府办公室"], None, {"县": 2}, ("county", "嵊泗县")),
    (["中共嵊泗县委办公室嵊泗县人民政府办公室关于印发任务清单的通知"], None, {"县": 2}, ("county", "嵊泗县")),
])
def test_detect_jurisdiction(opening, number, prefixes, want):
    from collections import Counter

    found = detect_jurisdiction(opening, None, number, [], Counter(prefixes), 0)
    assert (found.level, found.name) == want


@pytest.mark.parametrize("opening,want", [
    # a quoted national document before the plan's own clauses: never 国务院市
    ("加快流通业发展实施意见\n根据《国务院关于深化流通体制改革加快流通产业发展的意见》（国发〔2012〕39号）"
     "等文件精神，结合实际，制定本意见。\n", None),
    # a quoted title is no government: never 关于进一步帮助市
    ("《关于进一步帮助市场主体纾困解难着力稳定经济增长的具体实施细则》\n为深入贯彻落实省政府"
     "《关于进一步帮助市场主体纾困解难着力稳定经济增长的若干政策措施》精神，制定如下实施细则。\n", None),
    # the plan's own title begins with its government
    ("杭州市推进“互联网+”行动实施意见\n为贯彻落实《国务院关于积极推进“互联网+”行动的指导意见》，"
     "结合实际，特制订以下实施意见。\n", "杭州市"),
])
def test_jurisdiction_name_never_from_a_quoted_title(opening, want):
    doc = parse(opening + "一、甲\n1.乙。（牵头单位：市商务局，配合单位：市发改委）\n").documents[-1]
    assert (doc.jurisdiction.level, doc.jurisdiction.name) == ("city", want)


@pytest.mark.parametrize("addressees,issuer,want", [
    # a county-level city addresses its towns: county level, its bodies still print 市
    ("各镇人民政府、街道办事处，市政府各部门，市直各单位：", "桐乡市人民政府办公室", ("county", "桐乡市")),
    ("各镇、乡人民政府，各街道办事处，市政府各部门：", "东阳市人民政府办公室", ("county", "东阳市")),
    # a prefecture city addresses its counties or districts
    ("各县（市、区）人民政府，市政府各部门：", "湖州市人民政府办公室", ("city", "湖州市")),
    ("各区人民政府，市政府各部门、各直属机构：", "广州市人民政府办公厅", ("city", "广州市")),
    # a prefecture city with neither counties nor districts addresses its towns too
    ("各镇人民政府（街道办事处），市府直属各单位：", "东莞市人民政府", ("city", "东莞市")),
])
def test_a_county_level_city_is_county_level_with_the_prefix_it_prints(addressees, issuer, want):
    text = (f"{issuer}关于印发工作方案的通知\n{addressees}\n现印发给你们。\n{issuer}\n工作方案\n"
            "一、甲\n1.乙。（牵头单位：市发改局，配合单位：市财政局、统计局）\n")
    doc = parse(text).documents[-1]
    assert (doc.jurisdiction.level, doc.jurisdiction.name) == want
    # the list prefix 市 runs over 统计局 either way: 市统计局, never 县统计局
    assert [a.department for a in doc.tasks[0].assignments] == ["市发改局", "市财政局", "市统计局"]
    resolver = LocalResolver(default_registry(), doc.jurisdiction, canonical)
    assert resolver.prefix == "市"
    resolver.unify(["统计局", "市统计局"])  # a bare spelling shares the 市 column
    assert resolver.resolve("统计局").department.name == "市统计局"


@pytest.mark.parametrize("fields,want", [
    # no addressee line: the towns its fields give a share make it a county-level city
    (("市财政局、统计局，各镇（街道）", "市农业农村局；责任单位：各镇人民政府、街道办事处"), "county"),
    # a prefecture city's plan names its counties or districts; one town alone tells nothing
    (("市财政局、统计局，各镇（街道）", "市农业农村局；责任单位：各县（市、区）人民政府"), "city"),
    (("市财政局、统计局，各镇（街道）", "市农业农村局"), "city"),
])
def test_a_county_level_city_without_an_addressee_line(fields, want):
    text = ("桐乡市2024年美丽城镇建设工作方案\n一、甲\n"
            f"1.乙。（牵头单位：市住建局，配合单位：{fields[0]}）\n2.丙。（牵头单位：{fields[1]}）\n")
    doc = parse(text).documents[-1]
    assert (doc.jurisdiction.level, doc.jurisdiction.name) == (want, "桐乡市")
    assert doc.tasks[0].assignments[2].department == "市统计局"  # 市, never 县, either way


def test_jurisdiction_override_and_json():
    text = "一、甲\n1.乙。（统计局负责）\n"
    plan = parse(text, jurisdiction="广东省")
    assert plan.to_json()["documents"][0]["jurisdiction"] == {"level": "province", "name": "广东省"}
    assignment = plan.tasks[0].assignments[0]
    assert (assignment.department, assignment.counterpart) == ("统计局", "国家统计局")
    central = parse(text, jurisdiction="central")
    assert central.tasks[0].assignments[0].department == "国家统计局"
    assert parse_jurisdiction("立山区人民政府") == Jurisdiction(level="district", name="立山区")
    with pytest.raises(ValueError):
        parse_jurisdiction("某某")


def test_state_council_document_is_central():
    from tests.conftest import CORPUS
    from matrix.load.pipeline import parse_file

    doc = parse_file(CORPUS / "guofa_2018_42_nongye_jixiehua.txt").documents[0]
    assert (doc.jurisdiction.level, doc.jurisdiction.name) == ("central", None)


# ── user data scoped to a jurisdiction ──────────────────────────────────────────────────────


def test_scoped_entry_may_reuse_a_national_spelling(tmp_path):
    user = tmp_path / "gd.toml"
    user.write_text('[[department]]\nname = "省政务服务中心"\njurisdiction = "广东省"\n'
                    'aliases = ["政务服务中心", "统计局"]\n', encoding="utf-8")
    registry = Registry([packaged_data(), user])
    assert registry.lookup("统计局").name == "国家统计局"  # the national data is untouched
    resolver = LocalResolver(registry, PROVINCE, canonical)
    assert resolver.resolve("政务服务中心").department.name == "省政务服务中心"
    assert resolver.resolve("政务服务中心").department.known
    assert resolver.resolve("统计局").department.name == "省政务服务中心"  # the user said so
    other = LocalResolver(registry, Jurisdiction(level="province", name="江苏省"), canonical)
    assert not other.resolve("政务服务中心").department.known


def test_unscoped_entry_still_conflicts(tmp_path):
    user = tmp_path / "bad.toml"
    user.write_text('[[department]]\nname = "省政务和数据局"\naliases = ["统计局"]\n', encoding="utf-8")
    with pytest.raises(MatrixInputError, match="统计局"):
        Registry([packaged_data(), user])


def test_scoped_entries_conflict_within_their_jurisdiction(tmp_path):
    user = tmp_path / "bad.toml"
    user.write_text('[[department]]\nname = "甲"\njurisdiction = "广东省"\naliases = ["丙"]\n'
                    '[[department]]\nname = "乙"\njurisdiction = "广东省"\naliases = ["丙"]\n',
                    encoding="utf-8")
    with pytest.raises(MatrixInputError, match="广东省"):
        Registry([packaged_data(), user])


# ── property: no local body becomes a national one ──────────────────────────────────────────

# National by form: the State Council's 部 and 署 (the local ones are 厅 and 局), 总局, 总署, 总会,
# and the heads 国家, 国务院, 中国, 中央, 中共, 中华, 全国.
_NATIONAL_FORM = ("国家", "国务院", "中国", "中央", "中共", "中华", "全国")


def _spellings_without_national_form() -> list[str]:
    from matrix.parse.localnames import _province_short_names

    registry = default_registry()
    places = _province_short_names(registry)
    out = []
    for dept in registry.all():
        if dept.generic or dept.category in ("地方人民政府", "泛指", "中央企业", "中央金融企业",
                                             "军队"):
            continue  # groups, governments, companies and the army are not departments
        for spelling in registry.aliases(dept.name):
            if spelling[:2] in places or spelling[:3] in places:
                continue  # a place of its own (北京冬奥组委): what it says, not a bare name
            if not spelling.startswith(_NATIONAL_FORM) and not spelling.endswith(
                    ("部", "总局", "总署", "署", "总会", "团中央")) and spelling != "人民银行":
                out.append(spelling)
    return sorted(set(out))


SPELLINGS = _spellings_without_national_form()


@settings(max_examples=500)
@given(st.sampled_from(SPELLINGS), st.sampled_from(["", "省", "市", "县", "区"]),
       st.sampled_from([PROVINCE, CITY, Jurisdiction(level="district", name="立山区"),
                        Jurisdiction(level="county", name="金乡县")]))
def test_no_printed_name_without_a_national_form_maps_to_a_national_body(spelling, prefix, where):
    registry = default_registry()
    resolved = LocalResolver(registry, where, canonical).resolve(prefix + spelling)
    national = registry.lookup(resolved.department.name)
    if prefix:
        assert national is None or national.generic, (prefix + spelling, resolved.department.name)
    else:
        # a bare name is kept as printed (统计局 is a national spelling too), but it is the
        # government's own body or a national body's local office, never the national body
        assert national is None or national.generic or (
            resolved.department.category in ("地方部门", "中央驻地方机构")
            and resolved.counterpart is not None), (spelling, resolved.department)


def test_the_property_sees_the_names_of_the_issue():
    assert {"统计局", "能源局", "医保局", "林业局", "密码管理局", "发展改革委", "卫生健康委"} <= set(SPELLINGS)


def test_build_prints_the_summary(tmp_path):
    from click.testing import CliRunner

    from matrix.cli.commands import cli

    plan = tmp_path / "p.txt"
    plan.write_text("一、甲\n1.乙。（市火星局、工业和信息化部负责）\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(plan), "-o", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 0, result.output
    assert "1 name not in the department data, kept as printed: 市火星局" in result.output
    assert "工业和信息化部" in result.output


def test_filter_by_leader_and_local_name(tmp_path):
    from click.testing import CliRunner

    from matrix.cli.commands import cli

    plan = tmp_path / "p.txt"
    plan.write_text("一、甲\n1.乙。\n牵头市领导：金力\n牵头单位：市发改局\n2.丙。\n牵头市领导：姚志\n"
                    "牵头单位：市财政局\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["filter", str(plan), "--leader", "金力", "-f", "json"])
    assert out.exit_code == 0, out.output
    assert [h["number"] for h in json.loads(out.output)] == ["1."]
    out = CliRunner().invoke(cli, ["filter", str(plan), "--dept", "市发展和改革委员会", "-f", "json"])
    assert out.exit_code == 0, out.output
    assert [h["number"] for h in json.loads(out.output)] == ["1."]
    bad = CliRunner().invoke(cli, ["parse", str(plan), "--jurisdiction", "某某"])
    assert bad.exit_code == 2


def test_workbook_has_a_leader_column_and_the_jurisdiction(tmp_path):
    import openpyxl

    from matrix.load.pipeline import parse_file
    from matrix.workbook import write_workbook
    from tests.conftest import CORPUS

    plan = parse_file(CORPUS / "local" / "06_chuzhou.txt")
    path = write_workbook(plan, tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    rows = list(wb["分工表"].iter_rows(values_only=True))
    heads = list(rows[1])
    assert heads.index("牵头领导") == heads.index("牵头单位") - 1
    assert rows[2][heads.index("牵头领导")] == "金力"
    assert rows[2][heads.index("牵头单位")] == "市发展改革委"
    notes = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r and r[0]}
    assert notes["制发政府"] == "滁州市（市级）"
    # a plan without people keeps the old layout
    central = write_workbook(parse_file(CORPUS / "guofa_2018_42_nongye_jixiehua.txt"),
                             tmp_path / "c.xlsx")
    heads = list(list(openpyxl.load_workbook(central)["分工表"].iter_rows(values_only=True))[1])
    assert "牵头领导" not in heads


def test_lead_marked_in_place_deadline_field_and_main_label():
    info = read_trailer("责任单位：市发改委（牵头）、市财政局、住建局；完成时限：2024年12月底")
    assert [(d.name, d.role.value, d.full) for d in info.duties] == [
        ("市发改委", "lead", None), ("市财政局", "responsible", None),
        ("住建局", "responsible", "市住建局")]
    assert info.deadline == "2024年12月底"
    info = read_trailer("主责单位：市发改委；协办单位：市财政局")
    assert [(d.name, d.role.value) for d in info.duties] == [("市发改委", "lead"),
                                                            ("市财政局", "support")]


def test_inherit_rule_in_the_notice():
    doc = parse("各单位：\n以下任务均由各县（市、区）政府负责落实，不再列出。\n一、甲\n"
                "1.乙。（市发改委负责）\n").documents[0]
    assert doc.rules == ("以下任务均由各县（市、区）政府负责落实，不再列出",)
    assert [(a.department, a.inherited) for a in doc.tasks[0].assignments] == [
        ("市发改委", False), ("各县（市、区）政府", True)]


def test_a_rule_in_the_notices_numbered_requirements_holds_for_the_attached_plan():
    text = ("各区、县（市）人民政府：\n一、各级各部门要强化责任。\n"
            "二、责任分解中，列第一位的责任单位为牵头单位或汇总单位。\n杭州市人民政府办公厅\n"
            "2020年政府工作报告重点工作责任分解\n一、全力稳企业\n1.落实减税降费政策。\n"
            "责任单位：市经信局、市财政局\n")
    plan = parse(text)
    attached = plan.documents[-1]
    assert attached.rules == ("列第一位的责任单位为牵头单位或汇总单位",)
    assert [(a.as_printed, a.role.value, a.lead_by_rule)
            for a in attached.tasks[0].assignments] == [("市经信局", "lead", True),
                                                        ("市财政局", "responsible", False)]


@pytest.mark.parametrize("name,column,counterpart", [
    ("团省委", "团省委", None), ("湖北银保监局", "湖北银保监局", "银保监会"),
    ("国家统计局湖北调查总队", "国家统计局湖北调查总队", "国家统计局"),
    ("武汉海关", "武汉海关", "海关总署"), ("省经信厅", "省经信厅", "工业和信息化部"),
    ("省退役军人厅", "省退役军人厅", "退役军人事务部"), ("省委宣传部", "省委宣传部", None)])
def test_provincial_names(name, column, counterpart):
    resolver = LocalResolver(default_registry(), Jurisdiction(level="province", name="湖北省"),
                             canonical)
    resolved = resolver.resolve(name)
    assert (resolved.department.name, resolved.counterpart) == (column, counterpart)


def test_fields_after_the_clause_on_its_own_line():
    doc = parse("一、甲\n（一）加强市场体系建设。推进建设。牵头单位：省发展改革委；责任单位：省市场监管局\n"
                "（二）乙。明确责任单位：不是一个标签后的名单。\n").documents[0]
    (task,) = doc.tasks
    assert (task.label, task.text, task.trailer) == (
        "（一）", "加强市场体系建设。推进建设。", "牵头单位：省发展改革委；责任单位：省市场监管局")
    assert [(a.department, a.role.value) for a in task.assignments] == [
        ("省发展改革委", "lead"), ("省市场监管局", "responsible")]


def test_a_duty_table_with_a_leader_column():
    from matrix.load.pipeline import parse_bytes

    page = ("<html><body><p>滁州市人民政府关于2024年重点工作责任分解的通知</p><table>"
            "<tr><td>序号</td><td>重点工作</td><td>牵头市领导</td><td>牵头单位</td><td>责任单位</td>"
            "<td>完成时限</td></tr><tr><td>1</td><td>地区生产总值增长8%以上</td><td>金力、姚志</td>"
            "<td>市发改委</td><td>市经信局、市统计局</td><td>12月底</td></tr></table></body></html>")
    (task,) = parse_bytes(page.encode(), "t.html").tasks
    assert task.leaders == ("金力", "姚志")
    assert task.deadline == "12月底"
    assert [(a.department, a.role.value) for a in task.assignments] == [
        ("市发改委", "lead"), ("市经信局", "responsible"), ("市统计局", "responsible")]


def test_a_role_word_after_a_field_and_main_and_other_labels():
    info = read_trailer("责任单位：市数据局牵头，市发改委、市市场监管局配合")
    assert [(d.name, d.role.value) for d in info.duties] == [
        ("市数据局", "lead"), ("市发改委", "support"), ("市市场监管局", "support")]
    (task,) = parse("一、甲\n（一）乙。\n主要责任单位：市市场监管局\n其他责任单位：市公安局、宁波证监局\n",
                    jurisdiction="宁波市").documents[0].tasks
    assert [(a.department, a.counterpart) for a in task.assignments] == [
        ("市市场监管局", "市场监管总局"), ("市公安局", "公安部"), ("宁波证监局", "中国证监会")]


def test_a_plan_of_bare_names_that_speaks_of_itself_is_local():
    doc = parse("县人民政府办公室：\n为加快发展，结合我县实际，制定本方案。\n一、甲\n"
                "1.乙。（发改局牵头，财政局、统计局配合）\n").documents[0]
    assert doc.jurisdiction.level == "county"
    # the county's own bodies, named as the plan prints them (no 县 it never prints)
    assert [(a.department, a.counterpart) for a in doc.tasks[0].assignments] == [
        ("发改局", "国家发展改革委"), ("财政局", "财政部"), ("统计局", "国家统计局")]


@pytest.mark.parametrize("group", ["各区、县级市", "各区、县级市政府", "各有关区、县级市", "各县（市、区）人民政府",
                                   "各街办（新区）", "各县（市）、区人民政府", "各项目牵头单位"])
def test_a_group_whose_name_holds_a_dun_or_brackets_is_one_group(group):
    info = read_trailer(f"牵头单位：市教育局，配合单位：市民政局、市残联，{group}")
    assert info.unread is None
    assert [(d.name, d.role.value) for d in info.duties] == [
        ("市教育局", "lead"), ("市民政局", "support"), ("市残联", "support"), (group, "support")]


# ── bare names as printed, and every look-up of them ─────────────────────────────────────────

_BARE_PLAN = ("苏州市吴江区人民政府\n区政府2024年重点工作目标任务分解落实方案\n"
              "一、主要预期目标\n"
              "1.地区生产总值增长5%以上。（责任单位：★区发改委、统计局）\n"
              "2.主要污染物排放总量削减完成上级下达任务。（责任单位：★生态环境局）\n"
              "3.工业投资增长10%以上。（责任单位：★区工信局、统计局）\n")


def test_a_bare_name_in_a_district_plan_keeps_its_printed_name():
    doc = parse(_BARE_PLAN).documents[0]
    assert doc.jurisdiction == Jurisdiction(level="district", name="吴江区")
    got = [[(a.department, a.role.value, a.counterpart) for a in t.assignments] for t in doc.tasks]
    assert got == [
        [("区发改委", "lead", "国家发展改革委"), ("区统计局", "responsible", "国家统计局")],
        # 生态环境局 is printed with no prefix and no list before it: never 区生态环境局
        [("生态环境局", "lead", "生态环境部")],
        [("区工信局", "lead", "工业和信息化部"), ("区统计局", "responsible", "国家统计局")]]


def test_a_bare_national_name_in_a_local_plan_is_not_given_the_prefix():
    doc = parse("浙江省人民政府办公厅关于印发方案的通知\n一、甲\n"
                "1.乙。（省财政厅、银保监会负责）\n2.丙。（税务局、省地方金融监管局负责）\n").documents[0]
    names = [a.department for t in doc.tasks for a in t.assignments]
    assert "省银保监会" not in names and "省税务局" not in names
    assert names == ["省财政厅", "省银保监会"[1:], "税务局", "省地方金融监管局"]
    # no successor put into a local plan's name (银保监会 stays, never 金融监管总局)
    assert doc.tasks[0].assignments[1].counterpart == "银保监会"


def test_bare_and_prefixed_spellings_of_one_body_share_the_fuller_column():
    doc = parse("苏州市吴江区人民政府\n方案\n一、甲\n1.乙。（生态环境局负责）\n"
                "2.丙。（区生态环境局、区财政局负责）\n").documents[0]
    assert [a.department for t in doc.tasks for a in t.assignments] == [
        "区生态环境局", "区生态环境局", "区财政局"]


_NATIONAL_SPELLING_PLAN = ("苏州市吴江区人民政府\n方案\n一、甲\n1.乙。（责任单位：★区发改委、财政局）\n"
                           "2.丙。（责任单位：★统计局）\n")


def test_look_ups_of_a_bare_local_column_find_it_never_the_national_body():
    from matrix.filter.select import filter_tasks, split_by_department

    plan = parse(_NATIONAL_SPELLING_PLAN)
    assert [a.department for t in plan.tasks for a in t.assignments] == ["区发改委", "区财政局", "统计局"]
    split = split_by_department([plan])
    assert list(split) == ["区发改委", "区财政局", "统计局"]  # never 国家统计局
    # by the printed name and by the prefixed spelling of the same body
    assert [h.task.number for h in filter_tasks([plan], departments=["统计局"])] == ["2."]
    assert [h.task.number for h in filter_tasks([plan], departments=["区统计局"])] == ["2."]


def test_diff_of_local_plans_finds_a_bare_column_by_its_printed_name():
    from matrix.diff.match import diff_plans, filter_diff

    old = parse(_NATIONAL_SPELLING_PLAN)
    new = parse(_NATIONAL_SPELLING_PLAN.replace("★区发改委、财政局", "★区发改委、财政局；统计局"))
    only = filter_diff(diff_plans(old, new), "统计局")  # the local column, not 国家统计局
    assert [e.new.label for e in only.entries] == ["1."]
    assert "统计局" in only.entries[0].new.departments


# ── the plan's own title, never the document it follows ─────────────────────────────────────


@pytest.mark.parametrize("paragraphs,want", [
    (["加快西宁市流通业发展实施意见",
      "根据《国务院关于深化流通体制改革加快流通产业发展的意见》（国发〔2012〕39号）、省政府《关于印发"
      "青海省加快流通业发展政策措施的通知》等文件精神，结合实际，现制定我市加快流通业发展实施意见。"],
     "加快西宁市流通业发展实施意见"),
    # an excerpt without its own title: none, never the decision it follows
    (["为深入贯彻科学发展观，根据《中共广州市委、广州市人民政府关于全面推进新型城市化发展的决定》，"
      "就推进我市民主法治建设提出以下实施意见。"], None),
    # a notice that issues the plan: the quoted plan is the title
    (["各区人民政府：", "现将《2023年区政府工作报告重点工作分工方案》印发给你们，请认真贯彻落实。"],
     "2023年区政府工作报告重点工作分工方案"),
    # a title that quotes what it carries out, wrapped over two lines
    (["石景山区贯彻落实《关于加强新时代", "街道工作的意见》的任务分解方案", "为贯彻落实北京市街道工作会议精神"],
     "石景山区贯彻落实《关于加强新时代街道工作的意见》的任务分解方案"),
])
def test_the_title_is_the_plans_own(paragraphs, want):
    from matrix.parse.documents import find_title

    assert find_title(paragraphs)[0] == want


@pytest.mark.parametrize("listed,want", [
    ("省法院、检察院", ["省法院", "省检察院"]),  # the court's and the procuratorate's pair
    ("省农业农村厅、商务厅、供销社", ["省农业农村厅", "省商务厅", "省供销社"]),  # the government's cooperative
    ("省科技厅、之江实验室", ["省科技厅", "之江实验室"]),  # never a laboratory
    ("省科技厅、检察院", ["省科技厅", "检察院"]),  # a procuratorate alone is left as printed
])
def test_a_list_prefix_runs_over_a_cooperative_and_a_court_pair(listed, want):
    from matrix.parse.jurisdiction import distribute_prefix

    assert distribute_prefix(listed.split("、")) == want

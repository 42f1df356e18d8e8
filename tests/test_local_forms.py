"""Layouts local governments publish (issue 23): tables pasted as text, one-line pages,
numbering variants, rules inside field lines, every unit label, and no name lost silently."""

from __future__ import annotations

import pytest

from matrix.load.pipeline import parse_text


def parse(text: str, **kw):
    return parse_text(text, "t.txt", **kw)


def pairs(doc):
    return [(t.title, [(a.department, a.role.value) for a in t.assignments], list(t.leaders),
             t.deadline) for t in doc.tasks]


# ── tables pasted as text ───────────────────────────────────────────────────────────────────


def test_a_progress_table_one_cell_per_paragraph():
    text = ("某市人民政府2020年重点工作进展情况表\n\n序号\n\n内容与要求\n\n进展情况\n\n责任单位\n\n"
            "1\n\n持续推进重大项目攻坚\n\n1-2月，投资下降。\n\n3月，开工10个。\n\n市发改委、市财政局\n\n"
            "2\n\n确保地区生产总值增长7%左右\n\n1-2月，增长3%。\n\n市发改委\n")
    (doc,) = parse(text).documents
    # 持续推进 is the kind of commitment the task text states (issue 25): its 完成时限
    assert pairs(doc) == [
        ("持续推进重大项目攻坚", [("市发改委", "responsible"), ("市财政局", "responsible")], [],
         "持续推进"),
        ("确保地区生产总值增长7%左右", [("市发改委", "responsible")], [], None)]
    # the progress, over two paragraphs, is not the task
    assert "投资下降" not in doc.tasks[0].text and "开工" not in doc.tasks[0].text


@pytest.mark.parametrize("rule", [" |", "|", " ｜"])
def test_a_table_with_every_cell_followed_by_a_rule_and_a_leader_column(rule):
    rows = ["序号", "重点工作", "责任领导", "责任单位", "完成时限",
            "1", "优化重点项目直通车工作机制", "叶林", "招商工作部、安商工作部", "全年",
            "2", "盘活存量土地400亩", "马振明", "改革办", "2025年底前"]
    text = "某县开发区2025年重点工作及责任清单\n" + "\n".join(c + rule for c in rows) + "\n"
    (doc,) = parse(text, jurisdiction="霍山县").documents
    got = pairs(doc)
    assert [g[1] for g in got] == [[("招商工作部", "responsible"), ("安商工作部", "responsible")],
                                   [("改革办", "responsible")]]
    assert [g[2] for g in got] == [["叶林"], ["马振明"]]  # persons are leaders, never bodies
    assert [g[3] for g in got] == ["全年", "2025年底前"]


def test_a_target_table_with_a_year_in_its_header():
    text = ("附件1\n\n2022年区政府工作报告经济社会发展预期目标任务分解表\n\n序号\n\n2022年预期目标\n\n"
            "责任单位\n\n1\n\n地区生产总值增长5.5%左右\n\n区发展改革委\n\n2\n\n工业增加值增长7%左右\n\n"
            "区经济信息委\n")
    (doc,) = parse(text).documents
    assert [(t.title, [a.department for a in t.assignments]) for t in doc.tasks] == [
        ("地区生产总值增长5.5%左右", ["区发展改革委"]), ("工业增加值增长7%左右", ["区经济信息委"])]


# ── a page saved as one line; numbering variants ─────────────────────────────────────────────


def test_a_page_saved_as_one_line():
    text = ("关于支持招商引资的十条意见。为落实市委、市政府的部署，促进招商引资实效，结合本市实际，现提出以下意见。"
            "1.对来本市创新创业的高层次团队，经认定，在人才计划补助的基础上，再给予100万元用于科学研究，"
            "最高给予5000万元资助。责任单位：市委组织部、市科技局。2.对实际投资2亿元以上的招商项目，"
            "给予自主认定四类人才指标1名，每增加5000万元增加1名指标。责任单位：市发改委、市财政局。"
            "3.对新引进的总部企业给予奖励，增长5.5%的部分另行奖励。责任单位：市商务局。")
    (doc,) = parse(text).documents
    assert [(t.label, [a.department for a in t.assignments]) for t in doc.tasks] == [
        ("1.", ["市委组织部", "市科技局"]), ("2.", ["市发改委", "市财政局"]), ("3.", ["市商务局"])]
    assert {t.line for t in doc.tasks} == {1}  # every task points into the one line


def test_a_one_line_page_with_sections_and_spaces():
    text = ("河南省人民政府 关于明确重点工作责任单位的通知 豫政〔2023〕5号 现将重点工作任务予以分解并明确责任单位，"
            "各责任单位要尽快制定具体落实方案，明确时间节点、责任领导、主要措施，确保重点工作如期推进，"
            "确保年度重点工作任务圆满完成。 一、加快提振市场信心 （一）全面促进消费增长。 "
            "1.把恢复和扩大消费摆在优先位置。（省商务厅、财政厅按职责分工负责） "
            "2.落实好提振市场信心措施。（省发展改革委牵头，省商务厅、财政厅按职责分工负责）")
    (doc,) = parse(text).documents
    assert (doc.jurisdiction.level, doc.jurisdiction.name) == ("province", "河南省")
    assert [[(a.department, a.role.value) for a in t.assignments] for t in doc.tasks] == [
        [("省商务厅", "responsible"), ("省财政厅", "responsible")],
        [("省发展改革委", "lead"), ("省商务厅", "responsible"), ("省财政厅", "responsible")]]


def test_a_one_line_page_whose_headings_end_without_punctuation():
    # a whole plan saved as one line: its title and headings end in a word (…工作要点一、…引擎
    # （一）…高地1.…), the items are numbered on through the sections and one is left out
    text = ("数字广东建设2025年工作要点一、加快培育数字化发展引擎（一）打造数字技术创新高地"
            "1.实施关键核心技术攻关。优化平台建设，加快重大项目投产达产。（省科技厅、工业和信息化厅按职责分工负责）"
            "2.推进产业协同创新。持续完善以制造业创新中心为核心节点的制造业协同创新体系。（省工业和信息化厅牵头）"
            "二、大力推动数字经济高质量发展（一）提升数字产业发展能级"
            "3.发展新一代电子信息产业。到2025年完成1、2号线改造，新增3、4个园区。（省工业和信息化厅牵头）"
            "（二）加快产业数字化转型6.推进工业数字化。出台省制造业数字化转型行动方案。（省工业和信息化厅牵头）"
            "（三）强化创新示范建设。8.打造数字经济创新示范。开展试验区建设。（省政务和数据局牵头）")
    (doc,) = parse(text).documents
    assert [(t.label, t.section, [a.department for a in t.assignments]) for t in doc.tasks] == [
        ("1.", "一、加快培育数字化发展引擎", ["省科技厅", "省工业和信息化厅"]),
        ("2.", "一、加快培育数字化发展引擎", ["省工业和信息化厅"]),
        ("3.", "二、大力推动数字经济高质量发展", ["省工业和信息化厅"]),
        ("6.", "二、大力推动数字经济高质量发展", ["省工业和信息化厅"]),
        # a heading that ends with 。: the item after it may leave a number out too
        ("8.", "二、大力推动数字经济高质量发展", ["省政务和数据局"])]
    assert "1、2号线" in doc.tasks[2].text and "3、4个园区" in doc.tasks[2].text  # inline, not clauses
    assert any(w.kind == "numbering" for w in doc.warnings)  # 3 → 6 is told


def test_inline_enumerations_of_a_text_with_lines_stay_inline():
    from matrix.text.runon import split_run_on

    line = "要求：" + "（1）加强监测，做好统计工作；" * 20 + "（2）落实责任。"
    text = f"一、甲\n（一）乙\n1.{line}（市统计局负责）\n2.丙。（市财政局负责）\n"
    assert split_run_on(text) is None


@pytest.mark.parametrize("sep", ["﹒", "．", "、", ".", "．"])
def test_item_numbering_variants(sep):
    text = f"一、甲\n1{sep}乙。（市财政局负责）\n2{sep}丙。（市统计局负责）\n"
    (doc,) = parse(text).documents
    dot = "、" if sep == "、" else "."
    assert [(t.label, [a.department for a in t.assignments]) for t in doc.tasks] == [
        (f"1{dot}", ["市财政局"]), (f"2{dot}", ["市统计局"])]


def test_bare_numbers_and_the_small_full_stop_in_a_number_cell():
    text = "某市重点工作分解表\n序号\n重点任务\n责任单位\n1﹒\n推进甲项工作\n市财政局\n2﹒\n推进乙项工作\n市统计局\n"
    (doc,) = parse(text).documents
    assert [[a.department for a in t.assignments] for t in doc.tasks] == [["市财政局"], ["市统计局"]]


def test_unnumbered_paragraph_tasks_under_a_heading_line():
    text = ("山东省人民政府办公厅关于落实重点工作部门分工的意见\n一、保持经济持续健康发展\n"
            "（一）推动经济稳定健康发展，必须发挥消费、投资、出口拉动作用。\n"
            "认真贯彻落实积极的财政政策。发挥消费的基础作用。（省发展改革委、省财政厅等负责）\n"
            "发挥投资的关键作用。（省发展改革委、省交通运输厅等负责）\n")
    (doc,) = parse(text).documents
    assert [(t.text.split("。")[0], [a.department for a in t.assignments]) for t in doc.tasks] == [
        ("认真贯彻落实积极的财政政策", ["省发展改革委", "省财政厅"]),
        ("发挥投资的关键作用", ["省发展改革委", "省交通运输厅"])]


# ── a rule inside a field line ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize("rule", ["除标注为“牵头”单位外，列第一位的为牵头或汇总单位，下同",
                                  "除标注“分别牵头”外，列第一位为牵头或汇总单位，下同",
                                  "第一责任单位为牵头单位，下同"])
@pytest.mark.parametrize("open_, close", [("（", "）"), ("(", ")")])
def test_a_rule_inside_a_field_line_holds_from_there_on(rule, open_, close):
    text = ("一、甲\n1.乙。\n责任单位：市财政局\n"
            f"2.丙。\n责任单位：市发改委、市经信局、市财政局{open_}{rule}{close}\n"
            "3.丁。\n责任单位：市统计局、市商务局\n")
    (doc,) = parse(text).documents
    assert [[(a.as_printed, a.role.value, a.lead_by_rule) for a in t.assignments] for t in doc.tasks] == [
        [("市财政局", "responsible", False)],
        [("市发改委", "lead", True), ("市经信局", "responsible", False), ("市财政局", "responsible", False)],
        [("市统计局", "lead", True), ("市商务局", "responsible", False)]]
    assert [w for w in doc.warnings if w.kind == "unread-trailer"] == []


def test_names_after_a_marked_lead_in_a_field_take_the_label():
    text = ("一、甲\n1.乙。\n责任单位：省政府办公厅、省财政厅牵头，省商务厅、省文化广电和旅游厅"
            "（除标注为“牵头”单位外，列第一位的为牵头或汇总单位，下同）\n2.丙。\n责任单位：省财政厅、省发展改革委\n")
    (doc,) = parse(text).documents
    assert [[(a.as_printed, a.role.value) for a in t.assignments] for t in doc.tasks] == [
        [("省政府办公厅", "lead"), ("省财政厅", "lead"), ("省商务厅", "responsible"),
         ("省文化广电和旅游厅", "responsible")],
        [("省财政厅", "lead"), ("省发展改革委", "responsible")]]


def test_names_without_a_word_or_a_field_are_warned_never_guessed():
    (doc,) = parse("一、甲\n1.乙。（市财政局牵头，市统计局）\n").documents
    assert [a.as_printed for a in doc.tasks[0].assignments] == ["市财政局"]
    assert any(w.kind == "unread-trailer" and "市统计局" in w.message and w.line == 2
               for w in doc.warnings)


# ── sentence trailers; jurisdiction from the issuer only ─────────────────────────────────────


def test_a_sentence_trailer_without_brackets_at_the_end_of_a_clause_and_on_its_own_line():
    text = ("某市人民政府关于分解重点工作的通知\n一、主要目标\n生产总值增长13%。\n"
            "由市人民政府各相关部门，各县（市）、区人民政府负责落实。\n二、为民办好实事\n"
            "（一）继续实施种粮直补，确保补贴总金额高于上年。由市财政局、农业局，各县（市）、区人民政府负责落实。\n")
    (doc,) = parse(text).documents
    assert [(t.label, [(a.department, a.role.value) for a in t.assignments]) for t in doc.tasks] == [
        ("一、", [("市人民政府各相关部门", "responsible"), ("各县（市）、区人民政府", "responsible")]),
        ("（一）", [("市财政局", "responsible"), ("市农业局", "responsible"),
                   ("各县（市）、区人民政府", "responsible")])]
    assert doc.tasks[1].text.endswith("高于上年。")


@pytest.mark.parametrize("phrase", ["赵建才市长代表市政府所作的政府工作报告已经审议通过",
                                    "遇到问题及时报告，以便区政府适时协调处理"])
def test_a_government_named_in_a_sentence_is_not_the_issuer(phrase):
    text = (f"各县（市）区人民政府，各有关单位：\n{phrase}，为确保各项任务落到实处，现予以分解，请各单位认真抓好落实。\n"
            "一、甲\n1.乙。（市财政局、市统计局负责）\n")
    (doc,) = parse(text).documents
    assert doc.jurisdiction.level == "city"
    assert doc.jurisdiction.name is None


def test_the_issuer_of_a_news_repost_and_the_innermost_government():
    (doc,) = parse("近日，浙江省人民政府办公厅印发重点工作责任分解的通知，公布省长、副省长牵头的重点工作和民生实事。\n"
                   "一、甲\n1.乙。\n责任单位：省财政厅\n").documents
    assert (doc.jurisdiction.level, doc.jurisdiction.name) == ("province", "浙江省")
    (doc,) = parse("苏州市吴江区人民政府\n区政府重点工作分解方案\n一、甲\n1.乙。（区财政局负责）\n").documents
    assert (doc.jurisdiction.level, doc.jurisdiction.name) == ("district", "吴江区")


def test_a_table_with_rule_lines_between_cells_and_merged_cells_left_out():
    cells = ["序号", "项目", "重点工作目标任务", "牵头领导", "责任单位",
             "一、2024年全区经济社会发展主要预期目标", "|||", "1", "主要预期目标", "1.地区生产总值增长5%以上。",
             "钱 宇", "★区发改委、统计局", "2.一般公共预算收入同口径增长6%以上。", "★区财政局、税务局", "||",
             "3.规上工业总产值增长5%左右。", "", "★区工信局、统计局", "|",
             "4.主要污染物排放总量削减完成上级下达任务。", "王 嵘\n方 勇", "★生态环境局"]
    text = "区政府2024年重点工作目标任务分解落实方案\n" + "\n|\n".join(cells) + "\n|\n"
    (doc,) = parse(text, jurisdiction="吴江区").documents
    assert [(t.label, [(a.as_printed, a.role.value) for a in t.assignments], list(t.leaders))
            for t in doc.tasks] == [
        ("1.", [("区发改委", "lead"), ("统计局", "responsible")], ["钱宇"]),  # padding dropped
        ("2.", [("区财政局", "lead"), ("税务局", "responsible")], []),
        ("3.", [("区工信局", "lead"), ("统计局", "responsible")], []),
        ("4.", [("生态环境局", "lead")], ["王嵘", "方勇"])]
    assert doc.tasks[0].section == "一、2024年全区经济社会发展主要预期目标"


# ── nothing dropped silently ─────────────────────────────────────────────────────────────────

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

BODIES = ["市发改委", "市财政局", "住建局", "市委组织部", "市人力资源和社会保障局", "区教育局", "吴江海关",
          "市农业农村局", "统计局", "省文化和旅游厅", "市公安局交警支队", "市工商联"]
GROUPS = ["各区、县级市", "各区、县级市政府", "各县（市、区）人民政府", "各街办（新区）", "市级各有关部门",
          "各有关区、县级市", "各县（市）、区人民政府"]
names_st = st.lists(st.sampled_from(BODIES + GROUPS), min_size=1, max_size=4, unique=True)


@st.composite
def fields(draw):
    """A responsibility text of one clause: labelled fields or role words, any separator."""
    lead, other = draw(names_st), draw(names_st)
    other = [n for n in other if n not in lead] or [draw(st.sampled_from(BODIES))]
    other = [n for n in other if n not in lead]
    form = draw(st.sampled_from(["label", "verb", "line", "you"]))
    sep = draw(st.sampled_from(["；", "，", " "]))
    join = "、".join
    if form == "label":
        label = draw(st.sampled_from(["牵头单位", "牵头责任单位", "责任单位", "主要协作单位"]))
        second = draw(st.sampled_from(["配合单位", "协同单位", "协作单位", "参与单位", "责任单位"]))
        inner = f"{label}：{join(lead)}" + (f"{sep}{second}：{join(other)}" if other else "")
        return lead + other, f"1.乙。（{inner}）\n", 3
    if form == "verb":
        inner = f"{join(lead)}牵头" + (f"，{join(other)}配合" if other else "")
        return lead + other, f"1.乙。（{inner}）\n", 3
    if form == "you":
        return lead, f"1.乙。由{join(lead)}负责落实。\n", 3
    label = draw(st.sampled_from(["牵头单位", "责任单位", "配合单位", "协同单位", "责任街镇", "协作单位"]))
    return lead, f"1.乙。\n{label}：{join(lead)}\n", 4


def _accounted(name: str, doc, line: int) -> bool:
    printed = {a.as_printed for t in doc.tasks for a in t.assignments}
    return name in printed or any(name in w.message and w.line == line for w in doc.warnings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields())
def test_every_name_in_a_field_is_an_assignment_or_a_warning_with_its_line(case):
    names, clause, line = case
    (doc,) = parse("某市人民政府关于分解重点工作的通知\n一、甲\n" + clause).documents
    for name in names:
        assert _accounted(name, doc, line), (name, clause, [
            (a.as_printed, a.role.value) for t in doc.tasks for a in t.assignments], doc.warnings)


# ── a miss is never silent ───────────────────────────────────────────────────────────────────


def test_a_line_that_looks_like_a_field_but_gives_no_assignment_is_warned():
    text = ("某市人民政府关于分解重点工作的通知\n一、甲\n1.乙。市财政局、市统计局负责。\n2.丙。\n牵头单位 市发改委\n"
            "3.丁。（牵头单位：市商务局）\n")
    (doc,) = parse(text).documents
    warned = {(w.line, w.kind) for w in doc.warnings}
    assert {(3, "field-unread"), (5, "field-unread")} <= warned
    assert not any(w.line == 6 for w in doc.warnings)
    assert any("市财政局、市统计局负责" in w.message for w in doc.warnings)


def test_unread_trailers_are_never_cut_short():
    clauses = "".join(f"{i}.任务{i}。（牵头单位：市财政局，配合单位：各区、县级市政府；：：）\n" for i in range(1, 80))
    (doc,) = parse("某市人民政府关于分解重点工作的通知\n一、甲\n" + clauses).documents
    assert len(doc.tasks) == 79
    lines = {w.line for w in doc.warnings if w.kind == "unread-trailer"}
    assert lines == set(range(3, 82))  # every line named: a clerk checks each


# ── names as the plan prints them ────────────────────────────────────────────────────────────


def test_a_party_prefix_never_runs_onto_government_bodies_nor_onto_laboratories():
    text = ("浙江省人民政府办公厅关于分解重点工作的通知\n一、甲\n1.乙。（省委宣传部、文化和旅游厅、广电局、体育局负责）\n"
            "2.丙。（省科技厅、之江实验室、莫干山地信实验室负责）\n3.丁。（市委组织部、市民政局负责）\n"
            "4.戊。（省经信厅、省政务和数据局负责）\n")
    (doc,) = parse(text).documents
    assert [[a.department for a in t.assignments] for t in doc.tasks] == [
        ["省委宣传部", "省文化和旅游厅", "省广电局", "省体育局"],
        ["省科技厅", "之江实验室", "莫干山地信实验室"],
        ["市委组织部", "市民政局"],
        ["省经信厅", "省政务和数据局"]]  # never 省工业和信息化厅 nor 省数据局


def test_an_old_plan_keeps_its_bodies_no_successor_no_merger():
    text = ("广州市人民政府关于印发2012年工作方案的通知\n一、甲\n"
            "1.乙。（牵头单位：市社工委，配合单位：市纪委、市应急办、市人口计生局、市国税局、市地税局、市安监局）\n")
    (doc,) = parse(text).documents
    assert [a.department for a in doc.tasks[0].assignments] == [
        "市社工委", "市纪委", "市应急办", "市人口计生局", "市国税局", "市地税局", "市安监局"]


def test_a_body_in_both_the_lead_and_the_support_field_is_one_assignment_with_the_stronger_role():
    (doc,) = parse("某市人民政府关于分解重点工作的通知\n一、甲\n"
                   "1.乙。（牵头单位：市发改委；配合单位：市财政局、市发改委、各区、县级市）\n").documents
    assert [(a.department, a.role.value) for a in doc.tasks[0].assignments] == [
        ("市发改委", "lead"), ("市财政局", "support"), ("各区、县级市", "support")]


def test_two_spellings_of_one_body_share_the_fuller_column_and_the_counterpart_stays():
    (doc,) = parse("某市人民政府关于分解重点工作的通知\n一、甲\n1.乙。（市发改委牵头，市财政局配合）\n"
                   "2.丙。（市发展和改革委员会、市人社局负责）\n3.丁。（市人力资源和社会保障局负责）\n").documents
    got = [[(a.as_printed, a.department, a.counterpart) for a in t.assignments] for t in doc.tasks]
    assert got[0][0] == ("市发改委", "市发展和改革委员会", "国家发展改革委")
    assert got[1] == [("市发展和改革委员会", "市发展和改革委员会", "国家发展改革委"),
                      ("市人社局", "市人力资源和社会保障局", "人力资源社会保障部")]


_FOLD_PINYIN = None


def _printed_whole(name: str, text: str) -> bool:
    """Is ``name`` printed in ``text`` as a whole name (not only inside a longer one)?"""
    before_ok = set("、，,：:（(；;。 由和与及\n[〔【★*") | {""}
    after_ok = set("、，,。；;）)：:\n*★]〕】(（及和与") | {""}
    words = ("牵头", "负责", "配合", "按职责", "等", "参与", "指导", "会同", "为牵头", "分别", "落实",
             "协同", "共同", "结合")
    start = 0
    while (i := text.find(name, start)) >= 0:
        before = text[i - 1] if i > 0 else ""
        rest = text[i + len(name):]
        if (before in before_ok or before in "省市县区州镇乡") and (rest[:1] in after_ok
                                                              or rest.startswith(words)):
            return True
        start = i + 1
    return False


LOCAL_TEXTS = sorted((ROOT_TESTS := __import__("tests.conftest", fromlist=["CORPUS"]).CORPUS)
                     .glob("local*/*.txt"))


@pytest.mark.parametrize("path", LOCAL_TEXTS, ids=lambda p: p.stem)
def test_every_column_is_a_name_the_plan_prints(path):
    """0 department names the plan does not print (after writing out a distributed prefix)."""
    import re

    from matrix.text.normalise import normalise
    from matrix.load.pipeline import parse_file

    text = normalise(path.read_text("utf-8")).text
    text = re.sub(r"[ \t|]*\n[ \t|\n]*", "\n", text.replace("（", "(").replace("）", ")"))
    text = re.sub(r"[ \t|]+", "", text)
    plan = parse_file(path)
    invented = []
    for doc in plan.documents:
        for t in doc.tasks:
            for a in t.assignments:
                name = a.department.replace("（", "(").replace("）", ")")
                bare = re.sub(r"^(?:省|市|县|区|州|镇|乡)", "", name)
                if not (_printed_whole(name, text) or (bare != name and _printed_whole(bare, text))):
                    invented.append(name)
    assert invented == []


# ── lead marks and their legend ──────────────────────────────────────────────────────────────


@pytest.mark.parametrize("cell", ["★区发改委、统计局", "区发改委*、统计局", "＊区发改委、统计局"])
def test_a_star_before_or_after_a_name_marks_the_lead(cell):
    (doc,) = parse(f"某区人民政府重点工作分解\n一、甲\n1.乙。（责任单位：{cell}）\n", jurisdiction="吴江区").documents
    assert [(a.as_printed, a.role.value) for a in doc.tasks[0].assignments] == [
        ("区发改委", "lead"), ("统计局", "responsible")]


def test_a_legend_in_a_table_header_gives_the_unmarked_names_their_role():
    text = ("某市重点工作分解表\n序号\n重点任务\n责任单位（加*号为牵头部门，其余为参与部门）\n"
            "1\n推进甲项工作\n市财政局*、市统计局\n2\n推进乙项工作\n市商务局\n")
    (doc,) = parse(text).documents
    assert [[(a.as_printed, a.role.value) for a in t.assignments] for t in doc.tasks] == [
        [("市财政局", "lead"), ("市统计局", "support")], [("市商务局", "responsible")]]
    assert "加*号为牵头部门，其余为参与部门" in doc.rules


def test_a_legend_in_the_notice_holds_for_the_trailers():
    text = ("某市人民政府关于分解重点工作的通知\n各单位：标★的为牵头单位，其余为配合单位。\n一、甲\n"
            "1.乙。（★市财政局、市统计局负责）\n2.丙。（市商务局、市统计局负责）\n")
    (doc,) = parse(text).documents
    assert [[(a.as_printed, a.role.value) for a in t.assignments] for t in doc.tasks] == [
        [("市财政局", "lead"), ("市统计局", "support")],
        [("市商务局", "responsible"), ("市统计局", "responsible")]]


_LABEL = __import__("re").compile(r"(?:主要|其他)?(?:牵头|责任|配合|协同|协作|参与|协办|主办)(?:负责|责任)?"
                                  r"(?:单位|部门|街镇|科室)[：:]([^；。\n（）]{2,})")


@pytest.mark.parametrize("path", LOCAL_TEXTS + sorted(
    (LOCAL_TEXTS[0].parents[2] / "fixtures" / "local").glob("*.txt")), ids=lambda p: p.stem)
def test_every_field_of_a_corpus_document_is_read_or_warned(path):
    """Over every local corpus document: the names after each unit label are in a task's
    trailer (read) or a warning names that line — nothing dropped silently."""
    from matrix.text.normalise import normalise
    from matrix.load.pipeline import parse_file

    import re

    plan = parse_file(path)
    printed = "\n".join(a.as_printed for d in plan.documents for t in d.tasks for a in t.assignments)
    warned = {w.line for d in plan.documents for w in d.warnings}
    norm = normalise(path.read_text("utf-8"))
    missed = []
    for i, line in enumerate(norm.text.split("\n"), 1):
        for m in _LABEL.finditer(line):
            for name in re.split(r"[、，,]", m.group(1)):
                name = name.rsplit("：", 1)[-1].strip("★* 〕】］]〔【[")
                name = re.sub(r"(?:等.*|分别|按职责分工|牵头|负责|配合|参与|落实)+$", "", name)
                if len(name) >= 2 and name not in printed and norm.original_line(i) not in warned:
                    missed.append((norm.original_line(i), name))
    assert missed == []


def test_a_table_with_each_row_on_one_line_and_rules_between_cells():
    text = ("某县2023年重点工作责任分解表\n序号 | 重点工作 | 牵头单位 | 配合单位 | 完成时限\n"
            "1 | 推进甲项工作 | 县发改局 | 县财政局、县统计局 | 2023年底前\n"
            "2 | 推进乙项工作 | 县商务局 | 各乡镇（街道） | 全年\n")
    (doc,) = parse(text).documents
    assert [[(a.as_printed, a.role.value) for a in t.assignments] for t in doc.tasks] == [
        [("县发改局", "lead"), ("县财政局", "support"), ("县统计局", "support")],
        [("县商务局", "lead"), ("各乡镇（街道）", "support")]]
    assert [t.deadline for t in doc.tasks] == ["2023年底前", "全年"]


def test_a_cell_per_line_table_whose_header_cells_wrap():
    text = ("某县重点工作责任分解表\n序号\n重点\n工作\n牵头\n单位\n配合\n单位\n完成\n时限\n"
            "1\n推进甲项工作\n县发改局\n县财政局、县统计局\n2023年底前\n"
            "2\n推进乙项工作\n县商务局\n各乡镇（街道）\n全年\n")
    (doc,) = parse(text).documents
    assert [[(a.as_printed, a.role.value) for a in t.assignments] for t in doc.tasks] == [
        [("县发改局", "lead"), ("县财政局", "support"), ("县统计局", "support")],
        [("县商务局", "lead"), ("各乡镇（街道）", "support")]]
    assert [t.deadline for t in doc.tasks] == ["2023年底前", "全年"]


def test_text_after_a_rule_separated_table_is_kept():
    cells = ["序号", "重点工作目标任务", "牵头领导", "责任单位", "1", "1.地区生产总值增长5%以上。", "钱 宇",
             "★区发改委、统计局"]
    text = ("区政府重点工作目标任务分解落实方案\n" + "\n|\n".join(cells) + "\n|\n"
            "附件说明\n各单位要按照分工抓好落实。\n二、其他工作\n（一）抓好安全生产。（区应急管理局负责）\n")
    (doc,) = parse(text, jurisdiction="吴江区").documents
    assert [(t.label, [a.as_printed for a in t.assignments]) for t in doc.tasks] == [
        ("1.", ["区发改委", "统计局"]), ("（一）", ["区应急管理局"])]


# ── tables pasted as text: more of their shapes (fresh county and district lists) ──────────────


def _rows(doc):
    return [(t.label, t.title, [(a.as_printed, a.role.value) for a in t.assignments], list(t.leaders))
            for t in doc.tasks]


def test_a_whole_header_cell_is_never_joined_to_the_next_wrapped_one():
    # 工作任务 / 责任 / 领导: 工作任务 is whole, 责任领导 wraps; the last row's task wraps too
    text = ("某某区2024年重点工作任务清单\n序号\n重点\n工作\n工作任务\n责任\n领导\n牵头单位\n配合单位\n完成\n时限\n"
            "1\n项目建设\n推进城东片区改造。\n张三\n区住建局\n区财政局、区自然资源局\n2024年12月底\n"
            "2\n营商环境\n深化“一网通办”改革，\n实现高频事项全程网办。\n李四\n区政务服务中心\n区大数据局\n2024年6月底\n")
    (doc,) = parse(text).documents
    assert _rows(doc) == [
        ("1.", "项目建设", [("区住建局", "lead"), ("区财政局", "support"), ("区自然资源局", "support")], ["张三"]),
        ("2.", "营商环境", [("区政务服务中心", "lead"), ("区大数据局", "support")], ["李四"])]
    assert doc.tasks[1].text.endswith("实现高频事项全程网办")
    assert [t.deadline for t in doc.tasks] == ["2024年12月底", "2024年6月底"]


def test_a_table_of_projects_is_a_duty_table():
    text = ("某某县2024年民生实事任务分解表\n"
            "序号 | 实事项目 | 责任单位（加★为牵头单位） | 责任领导 | 完成时限 |\n"
            "1 | 新建幼儿园3所 | ★县教育局、县住建局 | 王五 | 2024年8月 |\n"
            "2 | 改造农村公路50公里 | 县交通运输局★、各乡镇 | 赵六 | 2024年11月 |\n")
    (doc,) = parse(text).documents
    assert [r[2:] for r in _rows(doc)] == [
        ([("县教育局", "lead"), ("县住建局", "responsible")], ["王五"]),
        ([("县交通运输局", "lead"), ("各乡镇", "responsible")], ["赵六"])]


def test_a_group_column_before_the_number_and_cells_merged_over_rows():
    # 嵊泗 2021: 考核项目 (merged over its group) / 序号 / 考核指标 (merged over rows) / 考核内容 /
    # 单位 (of measure) / 年度目标 / 责任部门 (one body a line) / 评分部门 (the city's, who scores)
    cells = ["考核项目", "序号", "考核指标", "考核内容", "单位", "年度目标", "责任部门", "评分部门",
             "农业高质高效",
             "1", "确保粮食有效供给", "农林牧渔业增加值增幅", "%", "≥2%", "县海洋与渔业局", "县农业农村局",
             "市农业农村局",
             "2", "粮食安全责任制", "-", "良好以上", "县经济和信息化局", "市商务局",
             "3", "建设美丽牧场", "0", "县农业农村局", "市农业农村局",  # no 考核指标, no 单位
             "4", "劳动生产率", "万元/人", "全市统筹", "县海洋与渔业局", "县农业农村局", "市农业农村局",
             "乡村宜居宜业",
             "5", "改善人居环境", "农村生活垃圾分类覆盖率", "%", "100", "县综合执法局", "市综合执法局"]
    text = "某某县2021年乡村振兴任务清单\n\n" + "\n\n".join(cells) + "\n"
    (doc,) = parse(text).documents
    got = [(t.label, t.section, [(a.as_printed, a.role.value) for a in t.assignments])
           for t in doc.tasks]
    assert got == [
        ("1.", "一、农业高质高效", [("县海洋与渔业局", "responsible"), ("县农业农村局", "responsible")]),
        ("2.", "一、农业高质高效", [("县经济和信息化局", "responsible")]),
        ("3.", "一、农业高质高效", [("县农业农村局", "responsible")]),
        # a merged 考核指标 and a 责任部门 of two lines: as many cells as columns, yet not one a column
        ("4.", "一、农业高质高效", [("县海洋与渔业局", "responsible"), ("县农业农村局", "responsible")]),
        ("5.", "二、乡村宜居宜业", [("县综合执法局", "responsible")])]
    # the body that scores a county's list is never one of its columns
    assert not any(a.as_printed.startswith("市") for t in doc.tasks for a in t.assignments)
    assert [t.title for t in doc.tasks[1:4]] == ["粮食安全责任制", "建设美丽牧场", "劳动生产率"]


# ── whole provincial plans pasted as text: section rows, a detail column, a number left out ──


_PROVINCE_ROWS = [
    ("一、推动芯片全链发展", None),
    ("1", ["聚力推动“GPU浙江造”。", "设立TPU、AI芯片等方向。", "省发展改革委", "省经信厅、省科技厅", "2026年12月"]),
    ("2", ["设立省重大科技专项支持GPU芯片研发攻关。", "省科技厅", "省经信厅", "持续推进"]),  # merged 重点任务
    ("二、强化算力设施保障", None),
    ("4", ["有序推进算力布局。", "加快国家“芯火”平台等中试平台建设。", "省经信厅、省科技厅按职责分工负责",
           "省发展改革委", "持续推进"]),  # number 3 left out; a lead cell with its role
    ("5", ["鼓励企业牵头制定数据标准。", "省市场监管局（省知识产权局）", "无", "2026年12月"]),
]
_PROVINCE_WANT = [
    ("1.", "一、推动芯片全链发展", [("省发展改革委", "lead"), ("省经信厅", "support"), ("省科技厅", "support")]),
    ("2.", "一、推动芯片全链发展", [("省科技厅", "lead"), ("省经信厅", "support")]),
    ("4.", "二、强化算力设施保障", [("省经信厅", "lead"), ("省科技厅", "lead"), ("省发展改革委", "support")]),
    ("5.", "二、强化算力设施保障", [("省市场监管局（省知识产权局）", "lead")]),
]


def _province_got(doc):
    return [(t.label, t.section, [(a.as_printed, a.role.value) for a in t.assignments])
            for t in doc.tasks]


@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_cell_per_line_table_with_section_rows_a_detail_column_and_a_number_left_out(gap):
    # 重点任务 / 具体举措 (a detail of the task), a section's row merged across the table
    # (二、…) between rows, 重点任务 merged over the rows of its group, 序号 3 left out, a lead
    # cell ending in its role, a body with its other name in brackets, 配合单位 无
    cells = ["序号", "重点任务", "具体举措", "牵头单位", "配合单位", "完成时限"]
    for first, rest in _PROVINCE_ROWS:
        cells += [first, *(rest or [])]
    text = "浙江省人工智能重点任务分工清单\n" + gap.join(cells) + "\n"
    (doc,) = parse(text).documents
    assert _province_got(doc) == _PROVINCE_WANT
    assert any(w.kind == "numbering" for w in doc.warnings)  # 2 → 4 is told


def test_a_table_with_a_row_a_line_and_section_rows_between_them():
    lines = ["序号 | 重点任务 | 具体举措 | 牵头单位 | 配合单位 | 完成时限"]
    for first, rest in _PROVINCE_ROWS:
        if rest is None:
            lines.append(first)
        else:
            if len(rest) == 4:
                rest = ["", *rest]
            lines.append(" | ".join([first, *rest]))
    (doc,) = parse("浙江省人工智能重点任务分工清单\n" + "\n".join(lines) + "\n").documents
    assert _province_got(doc) == _PROVINCE_WANT


# ── a heading over one unnumbered paragraph ──────────────────────────────────────────────────


def test_a_heading_over_one_unnumbered_paragraph_is_its_title_not_its_text():
    text = ("某县2024年安全生产工作方案\n一、抓发展\n推进甲项工作，确保完成。（责任单位：县发改局）\n"
            "推进乙项工作。（责任单位：县财政局）\n二、保安全\n开展安全生产大检查，消除隐患。（责任单位：县应急管理局、县公安局）\n"
            "（一）强基础\n夯实基层基础。（责任单位：县民政局）\n")
    (doc,) = parse(text).documents
    got = [(t.label, t.title, t.text) for t in doc.tasks]
    assert got[2:] == [("二、", "保安全", "开展安全生产大检查，消除隐患。"),
                       ("（一）", "强基础", "夯实基层基础。")]


def test_a_clause_wrapped_over_lines_keeps_its_first_line():
    # a sentence on the number's line (ends with ，) is the text wrapped, never a heading; a
    # trailer on a line of its own is the whole section's (its heading stays its text)
    text = ("某县2024年工作方案\n一、推进甲项工作，\n确保年底前完成。（责任单位：县发改局）\n"
            "二、主要目标\n生产总值增长6%。\n由县发改局、县统计局负责落实。\n")
    (doc,) = parse(text).documents
    assert doc.tasks[0].text.startswith("推进甲项工作")
    assert doc.tasks[1].text.startswith("主要目标")


# ── a plan-level lead on a line of its own under a title ─────────────────────────────────────

_NOTICE = "某县人民政府办公室关于印发耕地保护工作方案的通知\n各乡镇人民政府，县直各单位：\n"
_LIST = ("某县耕地保护专项整治工作任务清单\n（县自然资源局牵头）\n"
         "1.开展耕地保护宣传。（责任单位：各乡镇、县农业农村局）\n2.严格查处违法占地。（责任单位：县综合执法局）\n"
         "3.建立巡查机制。\n")


@pytest.mark.parametrize("between", [
    "现将方案印发给你们。\n附件\n",
    # numbered requirements in the notice before the attachment: the lead line is the
    # attachment's, never the trailer of the notice's last clause
    "现将方案印发给你们，并提出以下要求：\n一、加强领导。各单位要高度重视。\n二、强化督查。县政府督查室定期督查。\n附件2\n",
])
def test_a_lead_line_under_an_attachment_title_leads_every_task_of_it(between):
    (doc,) = parse(_NOTICE + between + _LIST).documents
    got = {t.label: sorted((a.as_printed, a.role.value, a.inherited) for a in t.assignments)
           for t in doc.tasks}
    assert got == {
        "1.": [("县农业农村局", "responsible", False), ("县自然资源局", "lead", True),
               ("各乡镇", "responsible", False)],
        "2.": [("县综合执法局", "responsible", False), ("县自然资源局", "lead", True)],
        "3.": [("县自然资源局", "lead", True)]}  # a clause without its own trailer is the lead's
    assert "（县自然资源局牵头）" in doc.rules
    assert not any(t.label == "二、" for t in doc.tasks)


def test_a_trailer_on_a_clause_own_next_line_stays_the_clause():
    text = "某县工作方案\n1.开展耕地保护宣传，\n加大执法力度\n（县自然资源局牵头）\n2.严格查处违法占地。（县综合执法局负责）\n"
    (doc,) = parse(text).documents
    assert [(t.label, [a.as_printed for a in t.assignments]) for t in doc.tasks] == [
        ("1.", ["县自然资源局"]), ("2.", ["县综合执法局"])]


def test_a_table_pasted_as_text_whose_header_is_repeated_at_a_page_break():
    header = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
    rows = [["1", "推进甲项工作。", "省发展改革委", "省财政厅", "2026年12月"],
            ["2", "推进乙项工作。", "省经信厅", "无", "持续推进"],
            ["3", "推进丙项工作。", "省科技厅", "省教育厅", "2026年6月"]]
    want = [("1.", [("省发展改革委", "lead"), ("省财政厅", "support")]),
            ("2.", [("省经信厅", "lead")]),
            ("3.", [("省科技厅", "lead"), ("省教育厅", "support")])]
    cells = [*header, *rows[0], *rows[1], *header, *rows[2]]
    (doc,) = parse("某省重点任务分工表\n" + "\n\n".join(cells) + "\n").documents
    assert [(t.label, [(a.as_printed, a.role.value) for a in t.assignments]) for t in doc.tasks] == want
    lines = [" | ".join(r) for r in (header, rows[0], rows[1], header, rows[2])]
    (doc,) = parse("某省重点任务分工表\n" + "\n".join(lines) + "\n").documents
    assert [(t.label, [(a.as_printed, a.role.value) for a in t.assignments]) for t in doc.tasks] == want


def test_a_line_that_leads_in_to_paragraph_tasks_is_no_task_text():
    text = ("某县2024年重点工作方案\n一、抓发展\n今年要重点做好以下工作：\n推进甲项工作，确保完成。（责任单位：县发改局）\n"
            "推进乙项工作。\n（责任单位：县财政局、县商务局）\n二、保民生\n（一）办好实事\n"
            "新建幼儿园3所。（主要协作单位：县住建局；牵头单位：县教育局）\n改造农村公路50公里。（责任单位：县交通运输局，各乡镇）\n")
    (doc,) = parse(text).documents
    assert [(t.title, t.text, [(a.as_printed, a.role.value) for a in t.assignments]) for t in doc.tasks] == [
        ("抓发展", "推进甲项工作，确保完成。", [("县发改局", "responsible")]),
        ("抓发展", "推进乙项工作。", [("县财政局", "responsible"), ("县商务局", "responsible")]),
        ("办好实事", "新建幼儿园3所。", [("县住建局", "support"), ("县教育局", "lead")]),
        ("办好实事", "改造农村公路50公里。", [("县交通运输局", "responsible"), ("各乡镇", "responsible")])]


def test_a_cell_per_line_table_whose_sections_number_their_rows_from_one():
    cells = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限", "一、稳增长",
             "1", "推进甲项工作。", "县发改局", "县财政局", "2024年底", "2", "推进乙项工作。", "县商务局", "无", "持续推进",
             "二、惠民生",
             "1", "推进丙项工作。", "县教育局", "县住建局", "2024年8月", "2", "推进丁项工作。", "县民政局", "各乡镇", "全年"]
    (doc,) = parse("某县重点工作任务清单\n" + "\n".join(cells) + "\n").documents
    assert [(t.label, t.section, [a.as_printed for a in t.assignments]) for t in doc.tasks] == [
        ("1.", "一、稳增长", ["县发改局", "县财政局"]), ("2.", "一、稳增长", ["县商务局"]),
        ("1.", "二、惠民生", ["县教育局", "县住建局"]), ("2.", "二、惠民生", ["县民政局", "各乡镇"])]


def test_rows_of_a_table_left_unread_are_warned_not_lost():
    # the 序号 jumps (2 → 15: an excerpt, a table cut): the rows after it are not read, and
    # their unit cells are each a warning with its line, never silently gone
    cells = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限",
             "1", "推进甲项工作。", "县发改局", "县财政局", "2024年底", "2", "推进乙项工作。", "县商务局", "无", "持续推进",
             "15", "推进丙项工作。", "县教育局", "县住建局、县财政局", "2024年8月"]
    text = "某县重点工作任务清单\n" + "\n".join(cells) + "\n某县人民政府办公室\n2024年3月1日\n"
    (doc,) = parse(text).documents
    assert [t.label for t in doc.tasks] == ["1.", "2."]
    unread = [w.line for w in doc.warnings if w.kind == "field-unread"]
    assert unread == [19, 20]  # 县教育局 and 县住建局、县财政局; never the issuer's signature


def test_a_row_a_line_table_whose_task_cell_wraps_onto_the_next_line():
    text = ("某县重点工作任务清单\n序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限\n"
            "1 | 推进甲项工作。 | 县发改局 | 县财政局 | 2024年底\n"
            "2 | 推进乙项工作，深化“一网通办”改革，\n实现高频事项全程网办。 | 县政务服务中心 | 县大数据局 | 2024年6月\n"
            "3 | 推进丙项工作。 | 县教育局 | 县住建局 | 全年\n")
    (doc,) = parse(text).documents
    assert [(t.label, [a.as_printed for a in t.assignments]) for t in doc.tasks] == [
        ("1.", ["县发改局", "县财政局"]), ("2.", ["县政务服务中心", "县大数据局"]),
        ("3.", ["县教育局", "县住建局"])]
    assert doc.tasks[1].text.endswith("实现高频事项全程网办")


def test_a_table_pasted_with_tabs_between_its_cells():
    # a Word or spreadsheet table pasted into a text editor: a row a line, cells between tabs,
    # an empty cell two tabs, a cell wrapped onto the next line
    text = ("某县重点工作任务清单\n序号\t重点任务\t牵头单位\t配合单位\t完成时限\n"
            "1\t推进甲项工作。\t县发改局\t县财政局\t2024年底\n"
            "2\t推进乙项工作。\t县商务局\t\t全年\n"
            "3\t推进丙项工作，深化改革，\n实现全程网办。\t县政务服务中心\t县大数据局\t2024年6月\n")
    (doc,) = parse(text).documents
    assert [(t.label, [(a.as_printed, a.role.value) for a in t.assignments], t.deadline)
            for t in doc.tasks] == [
        ("1.", [("县发改局", "lead"), ("县财政局", "support")], "2024年底"),
        ("2.", [("县商务局", "lead")], "全年"),
        ("3.", [("县政务服务中心", "lead"), ("县大数据局", "support")], "2024年6月")]

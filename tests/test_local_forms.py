"""Layouts local governments publish (issue 23): tables pasted as text, one-line pages,
numbering variants, rules inside field lines, every unit label, and no name lost silently."""

from __future__ import annotations

import pytest

from matrix.pipeline import parse_text


def parse(text: str, **kw):
    return parse_text(text, "t.txt", lean=True, **kw)


def pairs(doc):
    return [(t.title, [(a.department, a.role.value) for a in t.assignments], list(t.leaders),
             t.deadline) for t in doc.tasks]


# ── tables pasted as text ───────────────────────────────────────────────────────────────────


def test_a_progress_table_one_cell_per_paragraph():
    text = ("某市人民政府2020年重点工作进展情况表\n\n序号\n\n内容与要求\n\n进展情况\n\n责任单位\n\n"
            "1\n\n持续推进重大项目攻坚\n\n1-2月，投资下降。\n\n3月，开工10个。\n\n市发改委、市财政局\n\n"
            "2\n\n确保地区生产总值增长7%左右\n\n1-2月，增长3%。\n\n市发改委\n")
    (doc,) = parse(text).documents
    assert pairs(doc) == [
        ("持续推进重大项目攻坚", [("市发改委", "responsible"), ("市财政局", "responsible")], [], None),
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

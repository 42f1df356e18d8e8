"""Duty tables (任务分工表) → plan text: rows of cell texts in, numbered clauses with their
trailers out (``division_lines``). Text in, text out: the readers of .docx, HTML, PDF tables and
分工表 workbooks (``matrix.read``) give it the cells, ``celltable`` the tables of a plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .patterns import lazy

_HEAD = {
    "number": lazy(r"^(?:序号|编号|序|排序|No\.?)$", re.IGNORECASE),
    "category": lazy(r"^(?:任务)?(?:类别|分类|类型)$|^(?:重点)?领域$|^方面$|^板块$|^所属领域$|^项目$"
                     r"|^考核(?:项目|类别)$"),
    "lead": lazy(r"^(?:牵头|主办|主责)(?:单位|部门)?$"),
    "support": lazy(r"^(?:主要)?(?:配合|参与|协办|协助|协同|协作)(?:单位|部门)$"),
    "guide": lazy(r"^指导(?:单位|部门)$"),
    # people (牵头市领导, 责任领导): they go to the task's leaders, never to a department
    "leader": lazy(r"^(?:(?:牵头|分管|责任|联系|包保|主抓)(?:负责)?(?:[省市县区]|省级|市级|县级|区级)?"
                   r"|[省市县区])领导(?:同志)?$"),
    "responsible": lazy(r"^(?:责任|负责|承办|实施|落实)(?:单位|部门|主体|街镇|镇街|乡镇|科室|处室)$"),
    "scope": lazy(r"^(?:推广|适用|实施)(?:范围|区域|地区)$"),
    "deadline": lazy(r"^(?:完成)?(?:时限|时间|期限)$|^时间(?:节点|安排|要求)$|^进度安排$|^完成时间节点$"),
    # a column that is neither task nor unit nor person (备注, the 评分部门 that scores
    # a county's list): read past, never a department of the plan
    "note": lazy(r"^备注$|^说明$"),
    "scorer": lazy(r"^(?:评分|考核|评价|评估)(?:部门|单位)$"),  # who scores, never a duty
    "measure": lazy(r"^(?:计量)?单位$"),  # of measure (万亩, %): read past as a note
    # a progress report's column (进展情况): not the plan's text, never a task or a unit
    "progress": lazy(r"^(?:工作|目前|当前|截至目前)?(?:进展|进度|推进|完成|落实)(?:情况|成效)$|^工作进展$"),
    "task": lazy(r"任务|工作内容|工作事项|主要内容|具体内容|政策措施|具体措施|改革举措|^措施$|^举措$|事项$|^内容$"
                 r"|^(?:实事|民生实事|重点|建设|工作)项目$|^项目(?:名称|内容)$|^建设内容$|^工作要点$"
                 r"|^考核(?:内容|指标)$"
                 r"|^内容(?:与|和|及)要求$|^(?:重点|主要|年度)?工作$|^(?:\d{4}年)?(?:主要|预期|年度)?目标$"),
}
_DETAIL = lazy(r"措施|内容|举措|要求|目标|成果|标志|事项|任务")
_FIELD_LABEL = {"lead": "牵头单位", "responsible": "责任单位", "support": "配合单位",
                "guide": "指导单位"}
_PEOPLE_SPLIT = lazy(r"[、，,；;/／\n]+")
_NAME_SPLIT = lazy(r"[、，,；;/／\s\u3000]+")
_EMPTY = lazy(r"^[\s\u3000—–\-－/／无]*$")
_NUMBERED = lazy(r"^(?:[一二三四五六七八九十百千零〇两]+、|[（(][一二三四五六七八九十百千零〇两]+[）)]|"
                 r"\d{1,3}[.．、](?!\d)|[（(]\d{1,3}[）)]|[①-⑳])")
_END_PUNCT = "。；！？：，、.;!?:"
_LEAD_MARK = lazy(r"[（(]牵头[）)]$|牵头$")
_STAR_MARK = lazy(r"^[★☆*＊]+|[★☆*＊]+$")


_BLANKS = lazy(r"[\s\u3000\xa0]+")
_HEADER_NOTE = lazy(r"[（(][^（）()]*[）)]$")


def _compact(text: str) -> str:
    return _BLANKS.sub("", text)


def _kind(header: str) -> str | None:
    # 责任单位（加*号为牵头部门，其余为参与部门）: a note on the header is not its label
    label = _HEADER_NOTE.sub("", _compact(header)).rstrip("：:")
    if not label:
        return None
    for kind, pattern in _HEAD.items():
        if pattern.search(label):
            return kind
    return None


def _header(rows: Sequence[Sequence[str]]) -> tuple[int, list[str | None]] | None:
    """(index of the last header row, kind of each column) of a duty table, or None."""
    for h in range(min(3, len(rows))):
        kinds = [_kind(c) for c in rows[h]]
        if "task" not in kinds or not {"lead", "responsible", "support", "guide"} & set(kinds):
            continue
        # A second header row under a merged one (责任单位 over 牵头单位 | 配合单位).
        if h + 1 < len(rows):
            below = [_kind(c) for c in rows[h + 1]]
            if any(k in _FIELD_LABEL for k in below) and all(
                    b is not None or rows[h + 1][i] == rows[h][i] or not _compact(rows[h + 1][i])
                    for i, b in enumerate(below) if i < len(rows[h])):
                kinds = [b if b is not None else (kinds[i] if i < len(kinds) else None)
                         for i, b in enumerate(below)]
                h += 1
        # Only the first task-like column is the task; later ones are details of it.
        seen_task = False
        for i, k in enumerate(kinds):
            if k == "task":
                if seen_task:
                    kinds[i] = "detail"
                seen_task = True
            elif k is None and seen_task and _DETAIL.search(_compact(rows[h][i])):
                kinds[i] = "detail"
        return h, kinds
    return None


_HAN = "零一二三四五六七八九"
_HAN_NUMERALS = set("零一二三四五六七八九十百千〇两")


def chinese_number(n: int) -> str:
    """12 → 十二, 30 → 三十, 105 → 一百零五, 1010 → 一千零一十 (as plans number their sections);
    from 10,000 on, the digits (一〇〇〇〇), which the grammar reads as well."""
    if n >= 10_000:
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if n >= 1000:
        rest = n % 1000
        tail = "" if not rest else (("零" if rest < 100 else "")
                                    + ("一" + chinese_number(rest) if 10 <= rest < 20
                                       else chinese_number(rest)))
        return _HAN[n // 1000] + "千" + tail
    if n < 10:
        return _HAN[n]
    if n < 20:
        return "十" + (_HAN[n % 10] if n % 10 else "")
    if n < 100:
        return _HAN[n // 10] + "十" + (_HAN[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if not rest else ("零" + _HAN[rest] if rest < 10 else
                                ("一" + chinese_number(rest) if rest < 20 else chinese_number(rest)))
    return _HAN[n // 100] + "百" + tail


def _names(cell: str) -> tuple[list[str], list[str]]:
    """(names, names marked 牵头) of one unit cell."""
    names, leads = [], []
    for name in _NAME_SPLIT.split(cell.strip()):
        if not name or _EMPTY.match(name):
            continue
        if _STAR_MARK.search(name):
            names.append("★" + _STAR_MARK.sub("", name))  # kept in its column: a legend may
            # say what the unmarked names are (加*号为牵头部门，其余为参与部门)
        elif _LEAD_MARK.search(name):
            leads.append(_LEAD_MARK.sub("", name))
        else:
            names.append(name)
    return names, leads


_CJK_SPACE = lazy(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])[ \xa0]+"
                  r"|[ \xa0]+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])")


def _sentences(text: str) -> str:
    """Paragraphs of one cell as one line: a paragraph without end punctuation gets a 。;
    spaces next to hanzi (a line break in a web page's source) go."""
    parts = [_CJK_SPACE.sub("", p).strip() for p in text.split("\n") if p.strip()]
    out = ""
    for i, part in enumerate(parts):
        out += part
        if i + 1 < len(parts) and not part.endswith(tuple(_END_PUNCT)):
            out += "。"
    return out


def _legend_lines(header: Sequence[str], h: int) -> list[tuple[int, str]]:
    """A legend in a header cell (责任单位（加*号为牵头部门，其余为参与部门）) as a line 注：…。,
    which the trailer rules read."""
    out: list[tuple[int, str]] = []
    for cell in header:
        note = re.search(r"[（(]([^（）()]*[★☆*＊][^（）()]*)[）)]$", _compact(cell))
        if note:
            out.append((h, f"注：{note.group(1)}。"))
    return out


def division_lines(rows: Sequence[Sequence[str]]) -> list[tuple[int, str]] | None:
    """Plan text of a duty table: ``(row index, line)`` pairs; ``None`` if it is not one.

    ``rows`` are the cell texts aligned on the column grid (a merged cell repeated in every
    column and row it covers). A duty table has a header row (among its first three) with a task
    column (重点任务, 工作任务, 任务 …) and at least one column of units (牵头单位, 责任单位,
    配合单位, 参与单位 …). Each data row becomes::

        <number><task>。<details>（牵头单位：A；责任单位：B、C；配合单位：D；<deadline>）

    where the number is the row's 序号 (``3.``; ``（三）`` when printed in hanzi), or its running
    count when it has none; a task cell that starts with its own number keeps it. Names in a
    unit cell are split on 、，；/ and white space and joined with 、; a name marked "（牵头）"
    moves to 牵头单位.
    A 推广范围 / 适用范围 cell goes in the trailer as ``适用范围：…``: the task's scope.
    A 完成时限 cell is put in the trailer as printed: the trailer grammar reads it as the task's
    deadline (2025年底前, 长期坚持, 年内完成 …) or reports it as unread. A category column (类别,
    领域), a row merged across the table or a row with one short cell and no units starts a
    section ``一、<category>`` (its own number kept when it has one).
    """
    found = _header(rows)
    if found is None:
        return None
    h, kinds = found
    out = _legend_lines(rows[h], h)
    count = section_count = 0
    category = None
    for index in range(h + 1, len(rows)):
        row = list(rows[index]) + [""] * (len(kinds) - len(rows[index]))
        texts = [c.strip() for c in row]
        filled = [t for t in texts if t and not _EMPTY.match(t)]
        if not filled:
            continue
        heading = _row_heading(kinds, texts, filled)
        if heading is not None:
            if len(heading) <= 60 and not heading.startswith(("注", "备注")):
                section_count += 1
                heading = _numbered(heading, section_count)
            out.append((index, heading))
            continue
        fields: dict[str, list[str]] = {}
        task = number = deadline = scope = ""
        details: list[str] = []
        for kind, text in zip(kinds, texts):
            if not text or _EMPTY.match(text):
                continue
            if kind == "task" and not task:
                task = _sentences(text)
            elif kind == "detail":
                details.append(_sentences(text))
            elif kind == "number":
                number = _compact(text).rstrip(".．、")
            elif kind == "deadline":
                deadline = "，".join(p.strip() for p in text.split("\n") if p.strip())
            elif kind == "leader":
                listed = fields.setdefault("leader", [])
                listed.extend(n for n in _people(text) if n not in listed)
            elif kind == "scope":  # the trailer grammar's 适用范围：Y (no ，；。 inside Y)
                scope = re.sub(r"[，；。,;\s\u3000]+", "、", text.strip()).strip("、")
            elif kind == "category":
                if text != category:
                    category = text
                    section_count += 1
                    out.append((index, _numbered(text.replace("\n", ""), section_count)))
            elif kind in _FIELD_LABEL:
                names, leads = _names(text)
                for role, found in ((kind, names), ("lead", leads)):
                    listed = fields.setdefault(role, [])
                    listed.extend(n for n in found if n not in listed)
        task = task or (details.pop(0) if details else "")  # a task cell merged over rows above
        if not task:
            continue
        count += 1
        out.append((index, _clause(task, number or "", count, details, fields, scope, deadline)))
    return out


def _row_heading(kinds: list, texts: list[str], filled: list[str]) -> str | None:
    """The heading of the rows below when this row is one: a row merged across the table, or a
    lone cell with no unit (never a number alone)."""
    units = any(k in _FIELD_LABEL and t and not _EMPTY.match(t) for k, t in zip(kinds, texts))
    lone = {k for k, t in zip(kinds, texts) if t and not _EMPTY.match(t)}
    spanning = len(filled) > 1 and len(set(filled)) == 1
    alone = len(filled) == 1 and not units and lone <= {"task", "category", "detail", "progress",
                                                        None}
    if (spanning or alone) and re.search(r"[^\d\W]", filled[0]):
        return filled[0].replace("\n", "")
    return None


def _numbered(heading: str, count: int) -> str:
    """A section's heading with its number: its own, or ``count`` in hanzi (``三、``)."""
    return heading if _NUMBERED.match(heading) else f"{chinese_number(count)}、{heading}"


def _people(text: str) -> list[str]:
    """The persons of a 责任领导 cell: one per line or listed with 、; a space inside a name is
    the table's padding of a two-character name (钱 宇), never a separator."""
    people = [n.strip() for n in _PEOPLE_SPLIT.split(text) if n.strip()]
    if any(" " in p and not re.fullmatch(r"\S[ \u3000]+\S", p) for p in people):
        people = [n for n in _NAME_SPLIT.split(text) if n]
    return [re.sub(r"[ \u3000]+", "", p) for p in people]


def _clause(task: str, number: str, count: int, details: list[str],
            fields: dict[str, list[str]], scope: str, deadline: str) -> str:
    """One row as a numbered clause: its number (the row's 序号, in hanzi when printed so, else
    its running ``count``), the task and its details, and the trailer of units, scope and
    deadline."""
    if not _NUMBERED.match(task):
        if number.isdigit():
            label = f"{number}."
        elif number and all(ch in _HAN_NUMERALS for ch in number):
            label = f"（{number}）"
        else:
            label = f"{count}."
        task = label + task
    for detail in details:
        task += ("" if task.endswith(tuple(_END_PUNCT)) else "。") + detail
    parts = [f"{_FIELD_LABEL[k]}：{'、'.join(fields[k])}"
             for k in ("lead", "responsible", "support", "guide") if fields.get(k)]
    if parts and fields.get("leader"):
        parts.insert(0, f"牵头领导：{'、'.join(fields['leader'])}")
    if scope:
        parts.append(f"适用范围：{scope}")
    if deadline:
        parts.append(deadline)
    if parts:
        task = task.rstrip("。") + "（" + "；".join(parts) + "）"
    return task

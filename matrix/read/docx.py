"""Word .docx → plain text of the plan, one paragraph per line (python-docx).

``docx_to_text(data, path)`` returns the text and, for each of its lines, the number of the body
block (paragraph or table row, counted from 1) it came from. What it guarantees:

1. Body paragraphs and tables in document order; headers, footers, footnotes and comments are
   not body text and are left out. A manual line break inside a paragraph starts a new line.
2. Automatic numbering is written out: a paragraph that Word numbers itself (directly or
   through its style, e.g. ``List Number``) gets the number Word shows (``一、``, ``（一）``, ``1.``,
   ``①`` …, from the list's ``numFmt`` and ``lvlText``), so that the clause structure survives.
3. A table of duties (任务分工表) becomes plan text (``division_lines``): each row a numbered
   clause ending in a trailer the trailer grammar reads, e.g.
   ``1.推进农机装备创新（牵头单位：工业和信息化部；配合单位：农业农村部；2020年底前完成）``.
4. Any other table gives the text of each of its cells, one per line, merged cells once.

``division_lines`` is shared with ``html`` for duty tables in web pages.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from ..errors import MatrixInputError
from ..i18n import _
from .plain import RawText

# ---------------------------------------------------------------------------------------------
# Duty tables (任务分工表), shared by .docx and HTML

_HEAD = {
    "number": re.compile(r"^(?:序号|编号|序|排序|No\.?)$", re.IGNORECASE),
    "category": re.compile(r"^(?:任务)?(?:类别|分类|类型)$|^(?:重点)?领域$|^方面$|^板块$|^所属领域$|^项目$"),
    "lead": re.compile(r"^(?:牵头|主办|主责)(?:单位|部门)?$"),
    "support": re.compile(r"^(?:主要)?(?:配合|参与|协办|协助|协同|协作)(?:单位|部门)$"),
    "guide": re.compile(r"^指导(?:单位|部门)$"),
    # people (牵头市领导, 责任领导): they go to the task's leaders, never to a department
    "leader": re.compile(r"^(?:(?:牵头|分管|责任|联系|包保|主抓)(?:负责)?(?:[省市县区]|省级|市级|县级|区级)?"
                         r"|[省市县区])领导(?:同志)?$"),
    "responsible": re.compile(r"^(?:责任|负责|承办|实施|落实)(?:单位|部门|主体|街镇|镇街|乡镇|科室|处室)$"),
    "scope": re.compile(r"^(?:推广|适用|实施)(?:范围|区域|地区)$"),
    "deadline": re.compile(r"^(?:完成)?(?:时限|时间|期限)$|^时间(?:节点|安排|要求)$|^进度安排$|^完成时间节点$"),
    # a progress report's column (进展情况): not the plan's text, never a task or a unit
    "progress": re.compile(r"^(?:工作|目前|当前|截至目前)?(?:进展|进度|推进|完成|落实)(?:情况|成效)$|^工作进展$"),
    "task": re.compile(r"任务|工作内容|工作事项|主要内容|具体内容|政策措施|具体措施|改革举措|^措施$|^举措$|事项$|^内容$"
                       r"|^内容(?:与|和|及)要求$|^(?:重点|主要|年度)?工作$|^(?:\d{4}年)?(?:主要|预期|年度)?目标$"),
}
_DETAIL = re.compile(r"措施|内容|举措|要求|目标|成果|标志|事项|任务")
_FIELD_LABEL = {"lead": "牵头单位", "responsible": "责任单位", "support": "配合单位",
                "guide": "指导单位"}
_PEOPLE_SPLIT = re.compile(r"[、，,；;/／\n]+")
_NAME_SPLIT = re.compile(r"[、，,；;/／\s\u3000]+")
_EMPTY = re.compile(r"^[\s\u3000—–\-－/／无]*$")
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十百千零〇两]+、|[（(][一二三四五六七八九十百千零〇两]+[）)]|"
                       r"\d{1,3}[.．、](?!\d)|[（(]\d{1,3}[）)]|[①-⑳])")
_END_PUNCT = "。；！？：，、.;!?:"
_LEAD_MARK = re.compile(r"[（(]牵头[）)]$|牵头$")
_STAR_MARK = re.compile(r"^[★☆*＊]+|[★☆*＊]+$")


def _compact(text: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", text)


def _kind(header: str) -> str | None:
    # 责任单位（加*号为牵头部门，其余为参与部门）: a note on the header is not its label
    label = re.sub(r"[（(][^（）()]*[）)]$", "", _compact(header)).rstrip("：:")
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


_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])[ \xa0]+"
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
    out: list[tuple[int, str]] = []
    for cell in rows[h]:  # a legend in a header (责任单位（加*号为牵头部门，其余为参与部门）)
        note = re.search(r"[（(]([^（）()]*[★☆*＊][^（）()]*)[）)]$", _compact(cell))
        if note:
            out.append((h, f"注：{note.group(1)}。"))
    count = section_count = 0
    category = None
    for index in range(h + 1, len(rows)):
        row = list(rows[index]) + [""] * (len(kinds) - len(rows[index]))
        texts = [c.strip() for c in row]
        filled = [t for t in texts if t and not _EMPTY.match(t)]
        if not filled:
            continue
        units = any(k in _FIELD_LABEL and t and not _EMPTY.match(t) for k, t in zip(kinds, texts))
        lone = {k for k, t in zip(kinds, texts) if t and not _EMPTY.match(t)}
        spanning = len(filled) > 1 and len(set(filled)) == 1
        alone = len(filled) == 1 and not units and lone <= {"task", "category", "detail", "progress", None}
        if (spanning or alone) and re.search(r"[^\d\W]", filled[0]):
            # A row merged across the table, or a lone cell: a heading of the rows below.
            heading = filled[0].replace("\n", "")
            if len(heading) <= 60 and not heading.startswith(("注", "备注")):
                section_count += 1
                heading = heading if _NUMBERED.match(heading) else \
                    f"{chinese_number(section_count)}、{heading}"
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
                # persons one per line or listed with 、; a space inside a name is the table's
                # padding of a two-character name (钱 宇), never a separator
                people = [n.strip() for n in _PEOPLE_SPLIT.split(text) if n.strip()]
                if any(" " in p and not re.fullmatch(r"\S[ \u3000]+\S", p) for p in people):
                    people = [n for n in _NAME_SPLIT.split(text) if n]
                people = [re.sub(r"[ \u3000]+", "", p) for p in people]
                listed = fields.setdefault("leader", [])
                listed.extend(n for n in people if n not in listed)
            elif kind == "scope":  # the trailer grammar's 适用范围：Y (no ，；。 inside Y)
                scope = re.sub(r"[，；。,;\s\u3000]+", "、", text.strip()).strip("、")
            elif kind == "category":
                if text != category:
                    category = text
                    section_count += 1
                    heading = text.replace("\n", "")
                    out.append((index, heading if _NUMBERED.match(heading)
                                else f"{chinese_number(section_count)}、{heading}"))
            elif kind in _FIELD_LABEL:
                names, leads = _names(text)
                for role, found in ((kind, names), ("lead", leads)):
                    listed = fields.setdefault(role, [])
                    listed.extend(n for n in found if n not in listed)
        if not task:
            continue
        count += 1
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
        out.append((index, task))
    return out


# ---------------------------------------------------------------------------------------------
# .docx

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(el, tag: str) -> str | None:
    child = el.find(f"{_W}{tag}") if el is not None else None
    return child.get(f"{_W}val") if child is not None else None


class _Numbering:
    """Writes out Word's automatic numbering (numbering.xml), as Word displays it.

    Counters are kept per list (abstract numbering); a level restarts when a shallower level of
    the same list moves on. Formats: decimal, Chinese counting, enclosed circles, letters,
    Roman numerals; a bullet gives no number.
    """

    def __init__(self, document) -> None:
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.levels: dict[tuple[str, int], tuple[int, str, str]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.used: set[str] = set()
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        if root is not None:
            for absnum in root.findall(f"{_W}abstractNum"):
                aid = absnum.get(f"{_W}abstractNumId")
                for lvl in absnum.findall(f"{_W}lvl"):
                    ilvl = _int(lvl.get(f"{_W}ilvl"), 0)
                    start = _int(_val(lvl, "start"), 1)
                    self.levels[(aid, ilvl)] = (start, _val(lvl, "numFmt") or "decimal",
                                                _val(lvl, "lvlText") or "")
            for num in root.findall(f"{_W}num"):
                overrides = {}
                for ov in num.findall(f"{_W}lvlOverride"):
                    start = _val(ov, "startOverride")
                    if start is not None:
                        overrides[_int(ov.get(f"{_W}ilvl"), 0)] = _int(start, 1)
                self.nums[num.get(f"{_W}numId")] = (_val(num, "abstractNumId"), overrides)
        try:
            for style in document.styles.element.findall(f"{_W}style"):
                ppr = style.find(f"{_W}pPr")
                numpr = ppr.find(f"{_W}numPr") if ppr is not None else None
                based = _val(style, "basedOn")
                self.styles[style.get(f"{_W}styleId")] = (
                    _val(numpr, "numId"), _val(numpr, "ilvl"), based)
        except (KeyError, AttributeError):
            pass

    def _style_num(self, style_id: str | None) -> tuple[str | None, str | None]:
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            num_id, ilvl, based = self.styles.get(style_id, (None, None, None))
            if num_id is not None:
                return num_id, ilvl
            style_id = based
        return None, None

    def number(self, p) -> str:
        """The number Word shows before paragraph element ``p`` ('' when it has none)."""
        ppr = p.find(f"{_W}pPr")
        numpr = ppr.find(f"{_W}numPr") if ppr is not None else None
        num_id, ilvl = _val(numpr, "numId"), _val(numpr, "ilvl")
        if num_id is None:
            style_num, style_lvl = self._style_num(_val(ppr, "pStyle") if ppr is not None else None)
            num_id = style_num
            ilvl = ilvl if ilvl is not None else style_lvl
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return ""
        aid, overrides = self.nums[num_id]
        level = _int(ilvl, 0)
        if (aid, level) not in self.levels:
            return ""
        counters = self.counters.setdefault(aid, {})
        if num_id not in self.used:  # a list that restarts numbering (startOverride) starts here
            self.used.add(num_id)
            for lvl_no in overrides:
                counters.pop(lvl_no, None)
        start, fmt, text = self.levels[(aid, level)]
        counters[level] = counters[level] + 1 if level in counters else overrides.get(level, start)
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        if fmt in ("bullet", "none"):
            return ""

        def repl(m: re.Match[str]) -> str:
            """%k → the counter of level k in that level's format."""
            k = int(m.group(1)) - 1
            k_start, k_fmt, _ = self.levels.get((aid, k), (1, "decimal", ""))
            return _format(counters.get(k, k_start), k_fmt)

        return re.sub(r"%(\d)", repl, text)


def _int(value: str | None, default: int) -> int:
    """An integer attribute of numbering.xml; a damaged one counts as its default."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _format(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "ideographTraditional", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting"):
        return chinese_number(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(ord("①") + n - 1)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


# A real table has a few dozen columns; a span beyond this is damage (or an attack: python-docx
# repeats the cell once per column it spans, so gridSpan="1000000" in a 2 KB file takes minutes).
MAX_GRID_SPAN = 512
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DamagedTable(ValueError):
    """A table python-docx cannot lay out; ``str()`` says where and why."""


def _grid(tbl, paragraph) -> tuple[list[list[str]], list[tuple[int, str]]]:
    """(grid-aligned cell texts, (row, text) of each distinct cell in order) of a ``w:tbl``.

    A merged cell is repeated in every grid position it covers, down and across: the grid
    keeps the repeats (a 牵头单位 merged over three rows leads all three), the list of cells
    gives each once. Read from the XML in one pass, row by row: a ``vMerge`` continuation
    takes the cell above it in the same column (python-docx's ``row.cells`` looks each one up
    recursively, which took quadratic time and overflowed the stack on a column merged down
    a thousand rows). ``paragraph(p)`` is the text of one ``w:p``. Raises ``DamagedTable`` for
    a span out of range or a table over ``MAX_TABLE_CELLS`` grid positions.
    """
    from ..safety.limits import MAX_TABLE_CELLS

    grid: list[list[str]] = []
    cells: list[tuple[int, str]] = []
    above: dict[int, str] = {}  # grid column → text of the cell there in the row above
    total = 0
    for i, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        row: list[str] = [""] * _grid_skip(tr, "gridBefore", i)
        here: dict[int, str] = {}
        for tc in _row_cells(tr):
            span, merge = _cell_props(tc, i)
            column = len(row)
            if merge == "continue" and column in above:
                text = above[column]
            else:
                text = "\n".join(paragraph(p) for p in tc.iterchildren(f"{_W}p"))
                cells.append((i, text))
            row.extend([text] * span)
            for c in range(column, column + span):
                here[c] = text
        row.extend([""] * _grid_skip(tr, "gridAfter", i))
        total += len(row)
        if total > MAX_TABLE_CELLS:
            raise DamagedTable(_("more than {count:,} cells (MAX_TABLE_CELLS)").format(
                count=MAX_TABLE_CELLS))
        above = here
        grid.append(row)
    return grid, cells


def _row_cells(tr):
    """The ``w:tc`` of a row, including those inside content controls (``w:sdt``)."""
    for child in tr.iterchildren(f"{_W}tc", f"{_W}sdt"):
        if child.tag == f"{_W}tc":
            yield child
        else:
            yield from child.iterfind(f"{_W}sdtContent/{_W}tc")


def _cell_props(tc, row: int) -> tuple[int, str | None]:
    """(columns spanned, ``restart``/``continue``/None) of a ``w:tc``."""
    pr = tc.find(f"{_W}tcPr")
    if pr is None:
        return 1, None
    span = 1
    for element in pr.iterfind(f"{_W}gridSpan"):
        value = element.get(f"{_W}val", "")
        if not value.isdigit() or not 1 <= int(value) <= MAX_GRID_SPAN:
            raise DamagedTable(_("row {number}: a cell spans {value!r} columns").format(
                number=row + 1, value=value))
        span = int(value)
    merge = None
    element = pr.find(f"{_W}vMerge")
    if element is not None:
        merge = "restart" if element.get(f"{_W}val") == "restart" else "continue"
    return span, merge


def _grid_skip(tr, name: str, row: int) -> int:
    """``gridBefore`` / ``gridAfter`` of a row: grid columns left empty."""
    element = tr.find(f"{_W}trPr/{_W}{name}")
    if element is None:
        return 0
    value = element.get(f"{_W}val", "0")
    if not value.isdigit() or int(value) > MAX_GRID_SPAN:
        raise DamagedTable(_("row {number}: {name} {value!r}").format(
            number=row + 1, name=name, value=value))
    return int(value)


# A table holding a table holding a table …: deeper than this, inner tables are left out.
MAX_TABLE_NESTING = 16


def _blocks(container, depth: int = 0):
    """The ``w:p`` and ``w:tbl`` of a body or cell, in order; a layout table of one cell (a
    frame around the content, often around an 附件 duty table) gives the blocks inside it."""
    for child in container.iterchildren(f"{_W}p", f"{_W}tbl", f"{_W}sdt"):
        if child.tag == f"{_W}sdt":  # a content control: its content is body content
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content, depth)
            continue
        if child.tag == f"{_W}tbl":
            yield from _blocks_of_table(child, depth)
            continue
        yield child


def _blocks_of_table(tbl, depth: int):
    """A table as a block, or, for a one-cell layout table, the blocks inside it; tables nested
    in the cells of a real table come after it, as tables of their own (nothing beyond
    ``MAX_TABLE_NESTING``)."""
    if depth >= MAX_TABLE_NESTING:
        return
    only = _only_cell(tbl)
    if only is not None:
        yield from _blocks(only, depth + 1)
        return
    yield tbl
    for tc in tbl.iterfind(f"{_W}tr/{_W}tc"):
        for inner in tc.iterchildren(f"{_W}tbl"):
            yield from _blocks_of_table(inner, depth + 1)


def _only_cell(tbl):
    """The one ``w:tc`` of a one-cell table that holds a table, else None."""
    cells = tbl.findall(f"{_W}tr/{_W}tc")
    if len(cells) == 1 and cells[0].find(f"{_W}tbl") is not None:
        return cells[0]
    return None


# Inline wrappers whose runs Word shows as part of the paragraph: a tracked insertion, a moved
# passage's new place, a content control, a smart tag, custom XML, a simple field, a hyperlink,
# bidi overrides. A deletion (w:del, w:moveFrom) is not shown and is left out, as are what
# never prints (properties, field instructions) and drawings (their text boxes are their own).
_INLINE = frozenset(f"{_W}{name}" for name in (
    "r", "hyperlink", "ins", "moveTo", "sdt", "sdtContent", "smartTag", "customXml",
    "fldSimple", "dir", "bdo"))


def paragraph_text(p) -> str:
    """The text of a ``w:p`` as Word shows it: python-docx's ``Paragraph.text`` reads only the
    paragraph's direct runs and hyperlinks, so that "（财政部、[商务部、]…负责）" with 商务部 in a
    tracked insertion, a content control or a smart tag lost 商务部 without a warning."""
    out: list[str] = []
    stack = [iter(p)]
    while stack:  # iterative: a deep nesting of wrappers never exhausts the stack
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag == _R:
            out.append(_run_text(child))
        elif tag in _INLINE:
            stack.append(iter(child))
    return "".join(out)


def _run_text(r) -> str:
    """A ``w:r``'s text as python-docx reads it (w:t, tabs, line breaks, no-break hyphens)."""
    out = []
    for e in r:
        tag = e.tag
        if tag == _T:
            out.append(e.text or "")
        elif tag in (_TAB, _PTAB):
            out.append("\t")
        elif tag == _CR or (tag == _BR and e.get(f"{_W}type", "textWrapping") == "textWrapping"):
            out.append("\n")
        elif tag == _NOBREAK:
            out.append("-")
    return "".join(out)


_R, _T, _TAB, _PTAB, _CR, _BR, _NOBREAK = (f"{_W}{n}" for n in (
    "r", "t", "tab", "ptab", "cr", "br", "noBreakHyphen"))


def docx_to_text(data: bytes, path: str = "<input>") -> tuple[str, tuple[int, ...]]:
    """(text, body block number of each line) of a .docx, as the module docstring promises."""
    import zipfile

    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        # python-docx names the stream it was given: "<_io.BytesIO object at 0x…>".
        detail = re.sub(r"'?<_io\.BytesIO object at 0x[0-9a-f]+>'?", "it", str(e))
        raise MatrixInputError(_("{path}: not a readable Word .docx ({error})").format(
            path=path, error=detail)) from None
    except Exception as e:  # lxml.etree.XMLSyntaxError and friends from a damaged file
        raise MatrixInputError(_("{path}: not a readable Word .docx ({error})").format(
            path=path, error=f"{type(e).__name__}: {e}")) from None
    numbering = _Numbering(document)
    lines: list[tuple[str, int]] = []
    block = 0

    paragraph = paragraph_text

    for item in _blocks(document.element.body):
        block += 1
        if item.tag == f"{_W}p":
            text = numbering.number(item) + paragraph(item)
            for piece in text.split("\n"):
                lines.append((piece, block))
        else:
            try:
                grid, cells = _grid(item, paragraph)
            except DamagedTable as e:
                raise MatrixInputError(_("{path}: a damaged table in block {block}: {error}")
                                       .format(path=path, block=block, error=e)) from None
            division = division_lines(grid)
            if division is not None:
                lines.extend((text, block + i) for i, text in division)
            else:
                for i, text in cells:
                    lines.extend((piece, block + i) for piece in text.split("\n"))
            block += max(len(grid) - 1, 0)
    while lines and not lines[-1][0].strip():
        lines.pop()
    if not lines:
        return "", ()
    return "\n".join(t for t, _ in lines) + "\n", tuple(b for _, b in lines)


def read_docx(data: bytes, path: str, encoding: str | None = None) -> RawText:
    """The reader of .docx files (see the package); ``encoding`` does not apply."""
    text, lines = docx_to_text(data, path)
    return RawText(text, None, "docx", lines)

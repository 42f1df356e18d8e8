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

``division_lines`` (``matrix.text.dutytable``) is shared with ``html``, ``pdftable`` and ``sheet``.
"""

from __future__ import annotations

import io
import re

from ..errors import MatrixInputError
from ..i18n import _
from ..text.dutytable import chinese_number, division_lines  # noqa: F401 (shared with html)
from .plain import RawText

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

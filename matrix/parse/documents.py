"""Units → documents: where one document of a plan ends and the next begins (a notice and the
plan it sends out, several plans in one file), and each document's title and 文号 from its
opening lines (``标题：``/``发文字号：`` fields, 《…》, a line ending in 方案, 意见 …).

Pure functions over the units of ``plan.lark`` (``units.Unit``); ``transform`` calls them before
it builds each document's records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lalr import Token

from ..text.patterns import lazy
from .units import Unit, number_value

_TITLE_WORDS = ("意见", "方案", "通知", "纲要", "规划", "计划", "办法", "决定", "指南", "措施",
                "要点", "细则", "规定", "条例", "清单", "分工")
_QUOTED = lazy(r"《([^《》]{4,80})》")
# a quote in the clause that names what a plan follows (根据《…》, 贯彻落实《…》精神)
_BASIS = lazy(r"(?:根据|按照|依据|依照|贯彻|落实|对照|参照|遵照)[^。，；！？：]*$")
_LABEL_TITLE = lazy(r"^标\s*题[：:]\s*(.*)$")
_LABEL_NUMBER = lazy(r"^发文字号[：:]\s*(.*)$")
_DOC_NUMBER = lazy(r"^[^\s，。]{1,12}〔\d{4}〕\d+号$")


def _paragraphs(tokens: Sequence[Token]) -> list[str]:
    lines, cur = [], []
    for tok in tokens:
        if tok.type == "NL":
            lines.append("".join(cur).strip())
            cur = []
        else:
            cur.append(tok)
    if cur:
        lines.append("".join(cur).strip())
    return [line for line in lines if line]


_TRAILING_PAREN = lazy(r"（[^（）]*）$")


def _strip_trailing_paren(title: str) -> str:
    return _TRAILING_PAREN.sub("", title).strip()


def find_title(paragraphs: Sequence[str]) -> tuple[str | None, str | None]:
    """(title, 文号) of a document from its unnumbered opening lines.

    In order: a metadata label (标题：… / 发文字号：…); a 《…》 name that ends like a plan title;
    a short line that does; nothing.
    """
    title = number = None
    for i, para in enumerate(paragraphs):
        for pattern, slot in ((_LABEL_TITLE, "title"), (_LABEL_NUMBER, "number")):
            m = pattern.match(para)
            if m:
                value = m.group(1).strip() or (paragraphs[i + 1] if i + 1 < len(paragraphs) else "")
                if slot == "title" and title is None:
                    title = value or None
                elif slot == "number" and number is None:
                    number = value or None
        if number is None and _DOC_NUMBER.match(para):
            number = para
    if title is None:
        for para in paragraphs:
            for m in _QUOTED.finditer(para):
                quoted = m.group(1)
                if _BASIS.search(para, 0, m.start()):
                    if len(para) <= 60 and para.endswith(_TITLE_WORDS) and m.end() < len(para):
                        title = para  # 贯彻落实《…》的任务分解方案: the quote is inside the title
                        break
                    continue  # 根据《国务院关于…》精神: the document it follows, not its own title
                if _strip_trailing_paren(quoted).endswith(_TITLE_WORDS):
                    title = quoted.strip()
                    break
            if title:
                break
    if title is None:
        for i, para in enumerate(paragraphs):
            if len(para) <= 60 and para.endswith(_TITLE_WORDS):
                title = para
                if i and "》" in para and "《" not in para.split("》")[0] and \
                        "《" in paragraphs[i - 1] and len(paragraphs[i - 1]) <= 40:
                    title = paragraphs[i - 1] + para  # 贯彻落实《关于… / …意见》的任务分解方案
                break
    return title, number


def _tail_paragraphs(unit: Unit) -> list[str]:
    """Unnumbered paragraphs at the end of the last unit: where a following document's title is."""
    last = list(unit.walk())[-1]
    tokens = last.body
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].type in ("TRAILER", "LINE_TRAILER", "SENTENCE_TRAILER"):
            tokens = tokens[i + 1:]
            break
    else:
        # Skip the unit's own first line (its title) before looking.
        first_nl = next((i for i, t in enumerate(tokens) if t.type == "NL"), len(tokens))
        tokens = tokens[first_nl + 1:]
    return _paragraphs(tokens)


def stands_as_title(paragraphs: Sequence[str]) -> bool:
    """True when one of ``paragraphs`` is a title standing on its own line: a metadata label
    (标题：), a 文号, or a short line that ends like a plan title (…方案, 《…条例》), not a
    sentence that cites one (依照《…条例》的规定：)."""
    for para in paragraphs:
        if _LABEL_TITLE.match(para) or _DOC_NUMBER.match(para):
            return True
        bare = _strip_trailing_paren(para.strip().strip("《》"))
        if len(para) <= 60 and bare.endswith(_TITLE_WORDS) and not _QUOTED.search(
                para.strip()[1:-1] if para.strip().startswith("《") else para):
            return True
        if len(para) <= 60 and para.startswith(("关于", "印发")) and _QUOTED.search(para):
            return True
    return False


def split_documents(units: Sequence[Unit]) -> list[tuple[list[str], list[Unit]]]:
    """Group top-level units into documents: a new one starts where the numbering restarts
    under a new title.

    A restart without a title standing before it (``stands_as_title``) stays in the same
    document: a law's articles hold one （一） list after another, and a regulation one of them
    cites is no new document.

    Returns (opening paragraphs, units) per document. Opening paragraphs of the first document
    are the preamble; of later ones, the paragraphs trailing the previous document.
    """
    preamble, tops = units[0], list(units[1:])
    docs: list[tuple[list[str], list[Unit]]] = [(_paragraphs(preamble.body), [])]
    last_value: dict[int, int] = {}
    for unit in tops:
        value = number_value(unit.number) or 0
        prev = last_value.get(unit.level)
        shallower = [lvl for lvl in last_value if lvl < unit.level]
        if docs[-1][1] and prev is not None and value <= prev and not shallower:
            tail = _tail_paragraphs(docs[-1][1][-1])
            if stands_as_title(tail):
                docs.append((tail, []))
                last_value = {}
        last_value[unit.level] = value
        docs[-1][1].append(unit)
    return docs

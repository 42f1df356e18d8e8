"""Parse trees → units: ``UnitBuilder`` (the handlers of ``plan.lark``'s rules) makes one ``Unit`` per
numbered section, clause, item … of ``plan.lark``, with its body tokens and its children.
The pipeline runs it inside the parse (``plan_reader``); ``tree_to_units`` runs it over a parse
tree. ``number_value`` reads a printed number (（十二）, 3., 二十、) as an integer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from .lalr import Parser, Token, Tree

LEVELS = {"section": 0, "clause": 1, "item": 2, "subitem": 3, "point": 4}
_HAN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
               "七": 7, "八": 8, "九": 9}


def number_value(number: str) -> int | None:
    """Numeric value of a printed number: （十二） → 12, 三十、 → 30, 7. → 7, ③ → 3."""
    core = number.strip("（）、.() ")
    if not core:
        return None
    if len(core) == 1 and "①" <= core <= "⑳":
        return ord(core) - ord("①") + 1
    if core.isascii() and core.isdigit():
        return int(core)
    if len(core) > 1 and all(ch in "〇零一二三四五六七八九" for ch in core):  # 一〇〇〇〇
        return int("".join(str("〇一二三四五六七八九".index(ch)) if ch != "零" else "0"
                           for ch in core))
    total, current = 0, 0
    for ch in core:
        if ch in _HAN_DIGITS:
            current = _HAN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "千":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return total + current


# ---------------------------------------------------------------------------------------------
# Tree → units


@dataclass
class Unit:
    """A numbered unit of the document with its body and children (internal, not a record)."""

    kind: str  # section | clause | item | subitem | point | preamble
    number: str
    line: int  # normalised line
    body: list[Token]
    children: list[Unit] = field(default_factory=list)

    @property
    def level(self) -> int:
        """0 for 一、 sections, 1 for （一） clauses, and so on."""
        return LEVELS.get(self.kind, -1)

    def first_line(self) -> str:
        """The text on the number's own line, trailers included."""
        out = []
        for tok in self.body:
            if tok.type == "NL":
                break
            out.append(tok)
        return "".join(out).strip()

    def title(self) -> str:
        """First sentence up to the first 。 outside parentheses; trailers never count."""
        title = self.__dict__.get("_title")  # computed once: every child asks for its parent's
        if title is None:
            title = self.__dict__["_title"] = self._first_sentence()
        return title

    def _first_sentence(self) -> str:
        out = []
        for tok in self.body:
            if tok.type in ("NL", "TRAILER", "LINE_TRAILER", "SENTENCE_TRAILER"):
                break
            if tok.type in ("TEXT", "STRAY") and "。" in tok:
                out.append(tok.split("。", 1)[0])
                break
            out.append(tok)
        return "".join(out).strip().rstrip("：:；，").strip()

    def heading(self) -> str:
        """Number and title, as a section column shows it: 二、推动民生消费质量升级."""
        return f"{self.number}{self.title()}"

    def walk(self) -> Iterable[Unit]:
        """This unit and every descendant, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


class UnitBuilder:
    """``plan.lark`` tree → a preamble ``Unit`` followed by the top-level units."""

    def _make(self, kind: str, children: list) -> Unit:
        number = children[0]
        body = list(getattr(number, "pieces", ()))  # what follows the number on its line
        body += _body(children[1:])
        return Unit(kind, str(number), number.line, body,
                    [c for c in children[1:] if isinstance(c, Unit)])

    def section(self, children: list) -> Unit:
        """一、 heading."""
        return self._make("section", children)

    def clause(self, children: list) -> Unit:
        """（一） clause."""
        return self._make("clause", children)

    def item(self, children: list) -> Unit:
        """1. item."""
        return self._make("item", children)

    def subitem(self, children: list) -> Unit:
        """（1） item."""
        return self._make("subitem", children)

    def point(self, children: list) -> Unit:
        """① point."""
        return self._make("point", children)

    def start(self, children: list) -> list[Unit]:
        """Unnumbered lines first (the preamble), then the units."""
        units = [c for c in children if isinstance(c, Unit)]
        return [Unit("preamble", "", 1, _body(children)), *units]


def _body(children: list) -> list[Token]:
    """The body tokens among ``children``, a line's pieces unpacked (``parser.LineLexer``)."""
    body: list[Token] = []
    for c in children:
        if isinstance(c, str):  # a token (Lark's too, in a tree of its parser)
            pieces = getattr(c, "pieces", None)
            if pieces is None:
                body.append(c)
            else:
                body.extend(pieces)
    return body


@functools.cache
def plan_reader() -> Parser:
    """The ``plan.lark`` parser as the pipeline uses it: :class:`~matrix.parse.parser.LineLexer`
    feeds it a line at a time and :class:`UnitBuilder` runs during the parse, so ``parse`` gives
    the units directly (no tree is built)."""
    from .parser import LineLexer, tables

    plan = tables("plan.lark")
    return Parser(plan, lexer=LineLexer(plan), handlers=UnitBuilder())


def tree_to_units(tree: Tree) -> list[Unit]:
    """Run ``UnitBuilder`` over a ``plan.lark`` tree (ours or Lark's), from the leaves up."""
    builder = UnitBuilder()

    def visit(node):
        if isinstance(node, str):
            return node
        children = [visit(child) for child in node.children]
        method = getattr(builder, node.data, None)
        return method(children) if method is not None else Tree(node.data, children)
    return visit(tree)

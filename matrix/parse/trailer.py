"""Inside a trailer: ``trailer.lark``'s tree → ``TrailerInfo``.

A trailer is the text that names who does a task — "（国家发展改革委牵头，财政部、人民银行按职责
分工负责）", "〔责任单位：省发展改革委、商务厅〕", a line "牵头单位：区发改局" — and the
document-wide rules it may state (列第一位者为牵头单位，下同; 以下均需…落实，不再列出; 适用范围均为…).
``read_trailer`` reads one trailer's inner text with the grammar and says what it could not read,
never guessing; ``matrix.parse.transform`` applies what it says to the tasks of a document.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from .lalr import Parser, Token, UnexpectedInput

from ..records import Role
from ..text.patterns import lazy

@dataclass(frozen=True)
class PrintedDuty:
    """One department named in a trailer, with the role the trailer gives it.

    ``full`` is the name with a list prefix written out (市发改局、住建局 → 市住建局; see
    ``matrix.parse.jurisdiction.distribute_prefix``); the document's jurisdiction decides whether it is used.
    """

    name: str
    role: Role
    explicit_lead: bool = False
    full: str | None = None
    starred: bool = False  # marked by ★ or * (a legend may say what the unmarked ones are)


@dataclass(frozen=True)
class TrailerInfo:
    """What one trailer says."""

    duties: tuple[PrintedDuty, ...] = ()
    lead_rule: str | None = None
    inherit_rule: str | None = None
    inherit_bodies: tuple[str, ...] = ()
    inherit_here: bool = False  # 具体任务均涉及X，不再做分工，下同: X is named for this task too
    scope: str | None = None
    scope_rule: str | None = None
    scope_default: str | None = None
    deadline: str | None = None
    leaders: tuple[str, ...] = ()  # 牵头负责领导：<person>: people, never departments
    unread: str | None = None  # the part of the trailer the grammar could not read


_VERB_ROLE = {"LEAD": Role.lead, "RESP": Role.responsible, "SUPPORT": Role.support,
              "GUIDE": Role.guide}
_FIELD_ROLE = {"负责": Role.responsible, "责任": Role.responsible, "牵头": Role.lead,
               "主办": Role.lead, "配合": Role.support, "参与": Role.support,
               "协办": Role.support, "指导": Role.guide, "协同": Role.support,
               "协助": Role.support, "协作": Role.support, "主责": Role.lead,
               "承办": Role.responsible, "实施": Role.responsible}
_INHERIT = lazy(r"(?:以下(?:[^，；。、均都需由]{1,8}?)?(?:均|都)?(?:需|由)(.+?)(?:负责)?落实"
                      r"|(?:均|都)涉及(.+?)，?不再)")
_SCOPE_DEFAULT = lazy(r"适用范围均为(.+)$")
_LIST_DUN = lazy(r"、(?![^（]*）)")  # a 、 between names, not inside 各县（市、区）
_SEPARATORS = lazy(r"[，；。]")
_SPACED = lazy(r" *([，；。：、（）]) *")
# A comma before a label ends the field before it (负责部门：X，适用范围：Y): the grammar reads a
# comma inside a field as joining names (责任单位：X，各县（市、区）政府).
_COMMA_BEFORE_LABEL = lazy(r"，(?=[^，；。（）]*：)")
# A role phrase printed inside a group's name: 各县（市、区）结合实际落实.
_ROLE_TAIL = lazy(r"(?:要|应)?(?:结合实际|结合自身实际|按照要求|切实)$")


# (as printed, with the list prefix written out, marked 牵头 in place: 市发改委（牵头）; True for
# the mark, "★" for a star)
Names = list[tuple[str, str, bool | str]]


def _duties(groups: Iterable[Names], role: Role, explicit_lead: bool) -> list[PrintedDuty]:
    return [PrintedDuty(n, Role.lead, True, full if full != n else None, starred=marked == "★")
            if marked else PrintedDuty(n, role, explicit_lead, full if full != n else None)
            for g in groups for n, full, marked in g]


class TrailerReader:
    """``trailer.lark``'s rules → ``TrailerInfo``: each method is the value of the rule of its
    name, called with the rule's children as arguments (``inline``) while the trailer parses."""

    def names(self, *depts: Token) -> Names:
        """X、Y、Z等 → [X, Y, Z], each with the list's prefix written out where it distributes."""
        from .jurisdiction import distribute_prefix

        marked: dict[int, bool | str] = {i - 1: True for i, d in enumerate(depts)
                                         if d.type == "LEAD_MARK"}
        # a star marks the name it stands before, or after when no name follows it there
        for i, d in enumerate(depts):
            if d.type == "STAR":
                after = (i + 1 < len(depts) and depts[i + 1].type in ("DEPT", "GROUP")
                         and depts[i + 1].start_pos == d.end_pos)  # ★X, not X*、Y
                marked[i + 1 if after else i - 1] = "★"
        kept = [(i, d) for i, d in enumerate(depts) if d.type not in ("LEAD_MARK", "STAR")]
        printed = [_ROLE_TAIL.sub("", str(d)) or str(d) for _, d in kept]
        return [(n, full, marked.get(i, False))
                for (i, _), n, full in zip(kept, printed, distribute_prefix(printed))]

    def bodies(self, *groups: Names) -> Names:
        """Name lists joined by ， 及 等和 (a prefix never crosses them)."""
        return [n for g in groups for n in g]

    def verb(self, tok: Token) -> Token:
        """The role word."""
        return tok

    def person(self, tok: Token) -> str:
        """A person named as responsible."""
        return str(tok)

    def leader(self, label: Token, *people: str) -> dict:
        """牵头负责领导：张三、李四."""
        return {"leaders": list(people)}

    def duty(self, bodies: Names, verb: Token) -> dict:
        """X、Y负责 / X牵头 / X指导 / X参与 / X、Y分别牵头."""
        role = _VERB_ROLE[verb.type]
        return {"duties": _duties([bodies], role, role is Role.lead)}

    def cooperate(self, leads: Names, partners: Names, verb: Token | None = None) -> dict:
        """X会同Y负责: X leads, Y supports."""
        return {"duties": _duties([leads], Role.lead, True)
                + _duties([partners], Role.support, False)}

    def field(self, label: Token, *groups) -> dict:
        """负责部门：X、Y / 牵头单位：X / 责任单位：X，Y按职责分工负责 (the label gives the role)."""
        role = _FIELD_ROLE.get(str(label).removeprefix("主要").removeprefix("其他")[:2],
                               Role.responsible)
        verb = next((g for g in groups if isinstance(g, Token)), None)
        if verb is not None and verb.type != "RESP":
            role = _VERB_ROLE[verb.type]  # 责任单位：X牵头 — the word after the names decides
        groups = [g for g in groups if isinstance(g, list)]
        label_role = _FIELD_ROLE.get(str(label).removeprefix("主要").removeprefix("其他")[:2],
                                     Role.responsible)
        return {"duties": _duties(groups, role, role is Role.lead), "label_role": label_role}

    def more(self, names: Names) -> dict:
        """Names after a field with no word of their own (责任单位：X牵头，Z、W → Z、W)."""
        return {"more": names}

    def scope(self, tok: Token) -> dict:
        """适用范围：Y."""
        return {"scope": str(tok).split("：", 1)[1]}

    def deadline(self, tok: Token) -> dict:
        """年内持续推进 / 2025年底前完成 / 完成时限：2024年12月底."""
        text = str(tok)
        return {"deadline": text.split("：", 1)[1] if tok.type == "DEADLINE_FIELD" else text}

    def rule(self, tok: Token) -> dict:
        """A document-wide rule stated inside the trailer."""
        text = str(tok)
        if tok.type == "LEAD_RULE":
            return {"lead_rule": text}
        if tok.type == "INHERIT_RULE":
            m = _INHERIT.search(text)
            who = [w for w in (_LIST_DUN.split(m.group(1) or m.group(2)) if m else []) if w]
            return {"inherit_rule": text, "inherit_bodies": tuple(who),
                    "inherit_here": not text.startswith("以下")}
        m = _SCOPE_DEFAULT.search(text)
        return {"scope_rule": text, "scope_default": m.group(1) if m else None}

    def start(self, *clauses: dict) -> TrailerInfo:
        """Merge the clauses of one trailer."""
        merged: dict = {"duties": [], "leaders": []}
        label_role: Role | None = None
        unread: list[str] = []
        for c in clauses:
            if "more" in c:
                if label_role is None:  # no field before them: whose names, in what role?
                    unread.append("、".join(n for n, _, _ in c["more"]))
                else:
                    merged["duties"].extend(_duties([c["more"]], label_role, label_role is Role.lead))
                continue
            label_role = c.pop("label_role", label_role) if "label_role" in c else label_role
            for key, value in c.items():
                if key in ("duties", "leaders"):
                    merged[key].extend(value)
                elif merged.get(key) is None:
                    merged[key] = value
        merged["duties"] = tuple(merged["duties"])
        merged["leaders"] = tuple(dict.fromkeys(merged["leaders"]))
        if unread:
            merged["unread"] = "，".join(unread)
        return TrailerInfo(**merged)


@functools.lru_cache(maxsize=4096)
def read_trailer(inner: str) -> TrailerInfo:
    """Read the inner text of a trailer; what the grammar cannot read is returned as ``unread``.

    When the whole text does not parse, the longest prefix that ends before a separator and
    parses is used, and the rest is reported: never guessed at. The result depends on the text
    alone and is frozen, so it is cached: plans repeat their trailers ("体育总局负责").
    """
    parser = trailer_reader()
    inner = _COMMA_BEFORE_LABEL.sub("；", _SPACED.sub(r"\1", inner.strip()))
    try:
        return parser.parse(inner)
    except UnexpectedInput:
        pass
    cuts = [m.start() for m in _SEPARATORS.finditer(inner)]
    for cut in reversed(cuts):
        try:
            info = parser.parse(inner[:cut])
        except UnexpectedInput:
            continue
        # what follows is read on its own (责任单位：Y，6月底前完成: the grammar takes a comma
        # in a field as joining names, so the deadline after it is read here)
        rest = read_trailer(inner[cut + 1:]) if inner[cut + 1:] else TrailerInfo()
        merged = {**info.__dict__}
        for key, value in rest.__dict__.items():
            if key in ("duties", "leaders"):
                merged[key] = merged[key] + value
            elif merged.get(key) is None:
                merged[key] = value
        if rest.unread == inner[cut + 1:]:
            merged["unread"] = rest.unread
        return TrailerInfo(**merged)
    return TrailerInfo(unread=inner)




@functools.cache
def trailer_reader() -> Parser:
    """``trailer.lark``'s parser with :class:`TrailerReader` giving each rule's value: a
    trailer's text in, its ``TrailerInfo`` out (``parser.trailer_parser`` gives the tree)."""
    from .parser import tables

    return Parser(tables("trailer.lark"), lexer="contextual", handlers=TrailerReader(),
                  inline=True)

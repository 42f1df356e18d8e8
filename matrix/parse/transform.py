"""Parse trees → records.

Two steps, both pure:

* ``UnitBuilder`` (``matrix.parse.units``, a Lark ``Transformer``) makes ``Unit`` values from
  ``plan.lark``: one per
  numbered section, clause, item …, with its body tokens and its children. The pipeline runs it
  inside the parse (``parser.plan_reader``); ``tree_to_units`` runs it over a parse tree.
* ``build_documents`` walks the units in order, splits them into documents where the numbering
  restarts, cuts each unit's body into tasks at its trailers, reads each trailer with
  ``trailer.lark`` (``matrix.parse.trailer``), applies the document-wide rules (列第一位者为牵头单位，下同;
  以下均需…落实，不再列出; 以下除标注…外，适用范围均为…) and canonicalises department names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .lalr import Token
from ..text import compiled

from .deadline import document_year, tasks_with_deadlines
from ..messages import warning
from ..records import (Assignment, Clause, Department, Document, Jurisdiction, ParseWarning, Role,
                       Task)
from .documents import find_title, split_documents, stands_as_title  # noqa: F401
from .trailer import TrailerInfo, read_trailer
from ..text.patterns import lazy
from .segments import (attachment_lead, before_attachment, first_paragraph, heading_over_one_paragraph,
                       heading_over_paragraphs, lines_before, own_line, segments_of, title_line)
from .units import LEVELS, Unit, UnitBuilder, number_value, plan_reader, tree_to_units  # noqa: F401

MAX_WARNINGS_PER_KIND = 50
# Warnings that say a body named in a trailer was not read (at most one per trailer): each one is
# a department a clerk would otherwise never learn of, so every line is given (issue 23).
_NEVER_CUT = frozenset({"unread-trailer", "field-unread"})


# ---------------------------------------------------------------------------------------------
# Units → documents


Canonical = Callable[[str], Department]
LineMap = Callable[[int], int]

@dataclass
class _RuleState:
    lead_rule: bool = False
    star_rest: Role | None = None  # 加*号为牵头部门，其余为参与部门: the unmarked names' role
    inherit: tuple[str, ...] = ()
    scope_default: str | None = None
    # a plan-level lead on a line of its own under the plan's (or an attachment's) title
    # (县耕地保护任务清单 / （县自然资源局牵头）): its bodies take part in every later task
    plan: tuple = ()


class _DocumentBuilder:
    """Cuts the units of one document into tasks and applies its rules (internal)."""

    def __init__(self, canonical: Canonical, line_of: LineMap, resolver=None) -> None:
        self.canonical, self.line_of = canonical, line_of
        self.resolver = resolver  # matrix.parse.jurisdiction.LocalResolver for a local document, else None
        self.state = _RuleState()
        self.tasks: list[Task] = []
        self.unassigned: list[Clause] = []
        self.rules: list[str] = []
        self.warnings: list[ParseWarning] = []
        self.per_kind: dict[str, int] = {}
        self.made: dict[tuple, Assignment] = {}
        self.by_trailer: dict[tuple, tuple[TrailerInfo, tuple[Assignment, ...], tuple[str, ...]]] = {}
        self.unknown: dict[str, int] = {}  # local documents: unknown name → first line
        self.national: dict[str, tuple[int, str]] = {}  # national name printed in a local plan
        self.field_lines: set[int] = set()  # lines warned as field-like but not read

    def warn(self, line: int | None, kind: str, column: int | None = None, **params) -> None:
        """Record a warning of ``kind`` (its text in both languages: ``matrix.messages``)."""
        # A broken file can raise a warning per character; a reader needs the first few.
        seen = self.per_kind.get(kind, 0)
        self.per_kind[kind] = seen + 1
        if seen < MAX_WARNINGS_PER_KIND or kind in _NEVER_CUT:
            self.warnings.append(warning(ParseWarning, kind, line, column, **params))

    def finish_warnings(self) -> None:
        """Add one line per kind that was cut short, and the local document's summaries."""
        for kind, count in self.per_kind.items():
            if count > MAX_WARNINGS_PER_KIND and kind not in _NEVER_CUT:
                self.warnings.append(warning(ParseWarning, kind,
                                             more=count - MAX_WARNINGS_PER_KIND))
        if self.unknown:
            names = list(self.unknown)
            self.warnings.append(warning(ParseWarning, "unknown-department",
                                         min(self.unknown.values()), form="summary",
                                         count=len(names), names="、".join(names)))
        for name, (line, local) in self.national.items():
            self.warnings.append(warning(ParseWarning, "national-in-local", line,
                                         name=name, local=local))

    # -- assignments --------------------------------------------------------------------------
    def _assignment(self, name: str, role: Role, unknown: list[str], inherited: bool = False,
                    lead_by_rule: bool = False, full: str | None = None) -> Assignment:
        key = (name, role, inherited, lead_by_rule, full)
        made = self.made.get(key)
        if made is None:
            # Records are frozen, so one Assignment serves every task that prints the same
            # name with the same role: a long plan repeats a few dozen departments.
            counterpart = None
            if self.resolver is not None:
                resolved = self.resolver.resolve(full or name)
                dept, counterpart = resolved.department, resolved.counterpart
                if resolved.national_warning:
                    from .localnames import local_label
                    self.national.setdefault(dept.name, (0, local_label(
                        self.resolver.prefix, dept.name, self.resolver.jurisdiction.level)))
            else:
                dept = self.canonical(name)
            made = self.made[key] = Assignment(
                department=dept.name, as_printed=name, role=role, known=dept.known,
                inherited=inherited, lead_by_rule=lead_by_rule, counterpart=counterpart,
                generic=dept.generic)
        if not made.known:
            unknown.append(name)
        return made

    def _assignments(self, info: TrailerInfo, line: int) -> tuple[Assignment, ...]:
        # The same trailer under the same rules gives the same assignments (a long plan repeats
        # its trailers): made once; only the warnings, which carry the line, are given again.
        key = (id(info), self.state.lead_rule, self.state.inherit, self.state.plan)
        known = self.by_trailer.get(key)
        if known is None or known[0] is not info:
            unknown: list[str] = []
            known = self.by_trailer[key] = (info, self._make_assignments(info, unknown),
                                            tuple(dict.fromkeys(unknown)))  # each name once
        for a in known[1]:
            if a.department in self.national and self.national[a.department][0] == 0:
                self.national[a.department] = (line, self.national[a.department][1])
        for name in known[2]:
            if self.resolver is not None:  # local plans: one summary per document
                self.unknown.setdefault(name, line)
                continue
            self.warn(line, "unknown-department", name=name)
        return known[1]

    def _make_assignments(self, info: TrailerInfo, unknown: list[str]) -> tuple[Assignment, ...]:
        rest = self.state.star_rest if any(d.starred for d in info.duties) else None
        out = [self._assignment(d.name, rest if rest and not d.starred and d.role is Role.responsible
                                else d.role, unknown, full=d.full) for d in info.duties]
        if self.state.lead_rule and out and not any(d.explicit_lead for d in info.duties):
            first = next((i for i, a in enumerate(out) if a.role is Role.responsible), None)
            if first is not None:
                out[first] = self._assignment(out[first].as_printed, Role.lead, unknown,
                                              lead_by_rule=True, full=info.duties[first].full)
        present = {a.department for a in out}
        here = info.inherit_bodies if info.inherit_here else ()
        for name in here:
            a = self._assignment(name, Role.responsible, unknown)
            if a.department not in present:
                out.append(a)
                present.add(a.department)
        for name in self.state.inherit:
            a = self._assignment(name, Role.responsible, unknown, inherited=True)
            if a.department not in present:
                out.append(a)
                present.add(a.department)
        out.extend(self._plan_assignments(present, unknown))
        return _strongest_once(out)

    def _plan_assignments(self, present: set[str], unknown: list[str]) -> list[Assignment]:
        """The bodies of the plan-level lead line in force (inherited), those not named yet."""
        out = []
        for duty in self.state.plan:
            a = self._assignment(duty.name, duty.role, unknown, inherited=True, full=duty.full)
            if a.department not in present:
                out.append(a)
                present.add(a.department)
        return out

    def plan_lead(self, tok: Token, inner: str) -> bool:
        """A trailer on a line of its own under a plan's title (（县自然资源局牵头） under
        某县耕地保护专项整治工作任务清单): from now on its bodies take part in every task. True
        when it named any."""
        info = read_trailer(inner)
        if not info.duties:
            return False
        self.state.plan = tuple(info.duties)
        rule = f"（{inner}）"
        if rule not in self.rules:
            self.rules.append(rule)
        return True

    # -- units --------------------------------------------------------------------------------
    def add_unit(self, unit: Unit, section: Unit | None, parent: Unit | None) -> bool:
        """Add the tasks of ``unit`` and its children; True when any task came out."""
        line = self.line_of(unit.line)
        title = unit.title()
        section_text = section.heading() if section is not None and section is not unit else None
        subsection = (parent.heading() if parent is not None and parent is not section
                      else None)
        made = self._cut_tasks(unit, line, title, section_text, subsection)
        if not made and not unit.children and self.state.plan:
            made = self._plan_task(unit, line, title, section_text, subsection)
        child_made = False
        for child in unit.children:
            child_section = section if section is not None else unit
            child_made |= self.add_unit(child, child_section, unit if unit is not section
                                        and unit.level >= 1 else parent)
        if not made:
            text = _clean_text("".join(unit.body))
            self.unassigned.append(Clause(number=unit.number, section=section_text, title=title,
                                          line=line, contains_tasks=child_made, text=text,
                                          subclauses=len(unit.children)))
        return made or child_made

    def _cut_tasks(self, unit: Unit, line: int, title: str, section: str | None,
                   subsection: str | None) -> bool:
        part = 0
        text: list[str] = []
        segments = list(segments_of(unit.body))
        heading_line = self.resolver is not None and (
            heading_over_paragraphs(segments) or heading_over_one_paragraph(unit, segments))
        first_task = first_paragraph(segments) if heading_line else 0
        for index, (tok, trailer) in enumerate(segments):
            if trailer is not None and self.resolver is not None and attachment_lead(
                    segments, index) and self.plan_lead(tok, trailer[0]):
                # an attachment's title and its lead line after this unit's text: the plan
                # that follows, never this unit's trailer
                text = before_attachment(text)
                continue
            if index < first_task:
                # a local plan's heading line over unnumbered paragraph tasks (（一）推动…。 then
                # paragraphs each ending （X等负责）), and the lines that lead in to them
                # (今年要重点做好以下工作：): the first task is its paragraph
                if tok.type == "DOC_RULE":
                    self.apply_rule_line(tok)
                continue
            if trailer is None:
                kind = tok.type
                if kind in ("TEXT", "PAREN") and ("*" in tok or "★" in tok):
                    self.star_legend(tok)
                if self.resolver is not None and kind == "TEXT":
                    self._field_like(tok, unit.number)
                if kind == "STRAY":
                    self.warn(self.line_of(tok.line), "unbalanced-parenthesis",
                              column=tok.column, char=tok[0], number=unit.number)
                elif kind == "DOC_RULE":
                    self.apply_rule_line(tok)
                text.append(tok)  # a token is its text (NL is "\n"); join copies it once
                continue
            part += 1
            inner, shown, deadline = trailer
            tok_line = self.line_of(tok.line)
            info = read_trailer(inner)
            if info.unread:
                self.warn(tok_line, "unread-trailer", column=tok.column, part=info.unread,
                          number=unit.number)
            for rule in (info.lead_rule, info.inherit_rule, info.scope_rule):
                if rule and rule not in self.rules:
                    self.rules.append(rule)
            if info.lead_rule:
                self.state.lead_rule = True
            assignments = self._assignments(info, tok_line)
            if info.inherit_rule:
                self.state.inherit = info.inherit_bodies
            if info.scope_default:
                self.state.scope_default = info.scope_default
            if not assignments:
                self.warn(tok_line, "no-department", number=unit.number)
            self.tasks.append(Task(
                number=unit.number, part=part, section=section, subsection=subsection,
                title=title, text=_clean_text("".join(text)), trailer=shown,
                line=line if part == 1 else tok_line, assignments=assignments,
                deadline=info.deadline or deadline, scope=info.scope or self.state.scope_default,
                leaders=info.leaders,
            ))
            text = []
        return part > 0

    def _plan_task(self, unit: Unit, line: int, title: str, section: str | None,
                   subsection: str | None) -> bool:
        """A clause without a trailer of its own under a plan-level lead line: a task of the
        lead's bodies (inherited)."""
        text = _clean_text("".join(tok for tok in unit.body if tok.type != "DOC_RULE"))
        if not text:
            return False
        unknown: list[str] = []
        assignments = tuple(self._plan_assignments(set(), unknown))
        for name in dict.fromkeys(unknown):
            self.unknown.setdefault(name, line)
        self.tasks.append(Task(
            number=unit.number, part=1, section=section, subsection=subsection, title=title,
            text=text, trailer="", line=line, assignments=assignments, deadline=None,
            scope=self.state.scope_default, leaders=()))
        return True

    def _field_like(self, tok: Token, number: str) -> None:
        """A local plan's text that looks like a responsibility field (a unit label with its
        colon, or a list of bodies and 牵头/负责/配合 ending a sentence) but was not read as a
        trailer: a warning with its line, never a silent miss."""
        m = _FIELD_LIKE.search(tok) or _DUTY_LIKE.search(tok) or _NAMES_ONLY.match(tok)
        if m is None:
            return
        line = self.line_of(tok.line)
        if line in self.field_lines:
            return
        self.field_lines.add(line)
        self.warn(line, "field-unread", column=tok.column + m.start(), number=number,
                  text=m.group(0)[:40])

    def star_legend(self, tok: Token) -> None:
        """加*号为牵头部门，其余为参与部门 (before a table, or in its header): from now on the
        names a star does not mark, in a list where one is marked, take the legend's role."""
        m = _STAR_LEGEND.search(tok)
        if m is not None:
            self.state.star_rest = Role.responsible if m.group(1) == "责任" else Role.support
            rule = m.group(0)
            if rule not in self.rules:
                self.rules.append(rule)

    def apply_rule_line(self, tok: Token) -> None:
        """A document-wide rule stated in running text (排在首位的为牵头单位): from now on."""
        for info in _rules_in(str(tok)):
            for rule in (info.lead_rule, info.inherit_rule):
                if rule and rule not in self.rules:
                    self.rules.append(rule)
            if info.lead_rule:
                self.state.lead_rule = True
            if info.inherit_rule:
                self.state.inherit = info.inherit_bodies

    def check_numbering(self, units: Sequence[Unit]) -> None:
        """Warn where numbers of one level skip or repeat (restarting at 1 is fine)."""
        last: dict[str, tuple[int, str]] = {}
        for unit in (u for top in units for u in top.walk()):
            value = number_value(unit.number)
            if value is None:
                continue
            prev = last.get(unit.kind)
            if prev is not None and value not in (prev[0] + 1, 1):
                self.warn(self.line_of(unit.line), "numbering", old=prev[1], new=unit.number)
            last[unit.kind] = (value, unit.number)


# What looks like a responsibility field in a local plan's running text (item 8 of issue 23):
# a unit label with its colon, or bodies listed with 、 and a role word ending the sentence.
_FIELD_LIKE = lazy(r"(?:主要|其他)?(?:牵头|责任|配合|协同|协作|参与|协办|主办|主责)(?:负责|责任)?"
                         r"(?:单位|部门|街镇|镇街|科室|处室)(?:[：:]|(?<=^..单位|^..部门)[ \u3000]+(?=\S))[^。；\n]*")
_BODY = r"[^\s。；，、：（）]{1,20}?(?:局|委|办|厅|政府|管委会|办公室|中心)"
_DUTY_LIKE = lazy(rf"(?:^|(?<=[。；]))(?:由)?{_BODY}(?:、{_BODY})+(?:等(?:部门|单位)?)?"
                        r"(?:牵头|负责|配合|参与)(?:落实|实施)?[。；]?$")
# A line of bodies' names only (县教育局, 县住建局、县财政局): a table's unit cell left over where
# its row was not read (never a signature: 湖州市人民政府办公室, nor a heading: 加快建设服务型政府)
_CELL_BODY = r"(?![^、，,]*(?:政府|办公室))[^\s。；，、：（）]{1,15}?(?:局|委|厅|办)"
_NAMES_ONLY = lazy(rf"^[★☆*＊]?{_CELL_BODY}(?:（[^（）]{{1,12}}）)?(?:[、，,][★☆*＊]?{_CELL_BODY}(?:（[^（）]{{1,12}}）)?)*\s*$")
_STAR_LEGEND = lazy(r"(?:加|标|带|有|标注|注)?[★☆*＊]号?(?:的|者)?(?:单位|部门)?(?:为|是)牵头(?:单位|部门)"
                          r"[^。\n]{0,4}?其余(?:的)?(?:单位|部门)?(?:为|是)?(参与|配合|协办|协助|协作|责任)(?:单位|部门)")
@functools.cache
def _rule_patterns() -> tuple[re.Pattern, re.Pattern]:
    """LEAD_RULE and INHERIT_RULE of ``trailer.lark``: one definition of the rule wordings."""
    from .parser import terminal_pattern

    return tuple(compiled.compile(terminal_pattern("trailer.lark", name))
                 for name in ("LEAD_RULE", "INHERIT_RULE"))


def _rules_in(line: str) -> list[TrailerInfo]:
    """The document-wide rules a running-text line states, each read by ``trailer.lark``."""
    found = []
    for pattern in _rule_patterns():
        for m in pattern.finditer(line):
            info = read_trailer(m.group(0))
            if info.lead_rule or info.inherit_rule:
                found.append(info)
    return found


_STRENGTH = {role: i for i, role in enumerate(Role)}


def _strongest_once(assignments: list[Assignment]) -> tuple[Assignment, ...]:
    """One assignment per body (a group is never merged): a body named in both the 牵头 and the
    配合 field keeps the stronger role, in the place it was first named."""
    first: dict[str, int] = {}
    out: list[Assignment] = []
    for a in assignments:
        i = first.get(a.department)
        if i is None or a.generic:
            first.setdefault(a.department, len(out))
            out.append(a)
        elif _STRENGTH[a.role] < _STRENGTH[out[i].role]:
            out[i] = a
    return tuple(out)


def _printed_names(tops: Sequence[Unit]) -> list[str]:
    """Every name the trailers of a document print (list prefix written out), in order."""
    out: list[str] = []
    for top in tops:
        for unit in top.walk():
            for tok, trailer in segments_of(unit.body):
                if trailer is not None:
                    info = read_trailer(trailer[0])
                    out.extend(d.full or d.name for d in info.duties)
                    out.extend(info.inherit_bodies)
    return out


def _clean_text(text: str) -> str:
    return "\n".join(p.strip() for p in text.split("\n") if p.strip())


def build_documents(units: Sequence[Unit], canonical: Canonical, line_of: LineMap,
                    jurisdiction=None, registry=None) -> list[Document]:
    """Units (preamble first) → documents with tasks, unassigned clauses, rules and warnings.

    ``jurisdiction`` (a ``records.Jurisdiction``) overrides the one each document is found to
    have (``matrix.parse.jurisdiction.detect_jurisdiction``); in a local document names are read by
    ``matrix.parse.jurisdiction.LocalResolver`` over ``registry`` (default: the packaged data and the
    user's files).
    """
    documents = []
    preamble = units[0] if units else None
    carried: tuple[_RuleState, list[str]] | None = None  # a notice's rules, for its attachment
    for index, (opening, tops) in enumerate(split_documents(units)):
        if not tops:
            continue
        title, number = find_title(opening)
        found = jurisdiction or _jurisdiction(opening, title, number, tops, canonical)
        resolver = None
        if found is not None and found.level != "central":
            from .localnames import LocalResolver

            if registry is None:
                from ..departments import default_registry
                registry = default_registry()
            resolver = LocalResolver(registry, found, canonical)
            resolver.unify(_printed_names(tops))
        builder = _DocumentBuilder(canonical, line_of, resolver)
        if carried is not None:
            builder.state, builder.rules = carried[0], list(carried[1])
            carried = None
        if index == 0 and preamble is not None:
            for tok in preamble.body:
                if tok.type == "DOC_RULE":
                    builder.apply_rule_line(tok)
                elif tok.type in ("TEXT", "PAREN") and ("*" in tok or "★" in tok):
                    builder.star_legend(tok)
            if resolver is not None:
                segments = list(segments_of(preamble.body))
                for k, (tok, trailer) in enumerate(segments):
                    # the plan's lead on a line of its own under its title, before the first
                    # number: it applies to the plan's tasks
                    if trailer is not None and own_line(segments, k) and title_line(
                            (lines_before(segments, k) or [""])[0]):
                        builder.plan_lead(tok, trailer[0])
        outer = min(u.level for u in tops)
        for unit in tops:
            builder.add_unit(unit, unit if unit.level == outer and unit.children else None, None)
        builder.check_numbering(tops)
        if builder.tasks:
            for clause in builder.unassigned:
                if not clause.contains_tasks:
                    builder.warn(clause.line, "no-trailer", number=clause.number,
                                 title=clause.title)
        else:
            builder.warn(line_of(tops[0].line), "no-departments")
        builder.finish_warnings()
        if not builder.tasks and (builder.state.lead_rule or builder.state.inherit):
            # 一、…二、责任分解中，列第一位的责任单位为牵头单位…: a notice's numbered requirements
            # state the rule of the plan attached after it
            carried = (builder.state, builder.rules)
        order = {id(c): i for i, c in enumerate(builder.unassigned)}
        unassigned = sorted(builder.unassigned, key=lambda c: (c.line, order[id(c)]))
        tasks = tasks_with_deadlines(builder.tasks, document_year(number, title))
        documents.append(Document(
            title=title, doc_number=number, line=line_of(tops[0].line), tasks=tasks,
            unassigned=tuple(unassigned), rules=tuple(builder.rules),
            warnings=tuple(sorted(builder.warnings, key=lambda w: w.line or 1 << 30)),
            jurisdiction=None if found is None else Jurisdiction(
                level=found.level, name=found.name),
        ))
    return documents


def _jurisdiction(opening: Sequence[str], title: str | None, number: str | None,
                  tops: Sequence[Unit], canonical: Canonical):
    """Whose plan the document is: ``matrix.parse.jurisdiction.detect_jurisdiction`` over its opening
    lines and the names its trailers print."""
    from collections import Counter

    from .jurisdiction import detect_jurisdiction, is_local_form, own_prefix

    prefixes: Counter = Counter()
    duties = 0
    self_refs: Counter = Counter(m for p in opening for m in _SELF_REF.findall(p))
    national = 0
    lines: list[str] = []
    groups: list[str] = []  # who is given a share beyond the bodies (各镇（街道）, 各县（市、区）)
    for top in tops:
        for unit in top.walk():
            for tok, trailer in segments_of(unit.body):
                if trailer is None:
                    if tok.type == "TEXT" and ("《" in tok or "政府" in tok or "实际" in tok):
                        lines.append(tok)
                    if tok.type == "TEXT" and ("镇" in tok or "县" in tok or "区" in tok):
                        groups.append(tok)
                    if tok.type == "TEXT" and ("我" in tok or "全" in tok or "本" in tok):
                        self_refs.update(_SELF_REF.findall(tok))
                    continue
                groups.append(trailer[0])
                for duty in read_trailer(trailer[0]).duties:
                    duties += 1
                    prefix = own_prefix(duty.name)
                    if prefix is not None:
                        prefixes[prefix[0]] += 1
                    elif canonical(duty.name).known:
                        national += 1
                    elif is_local_form(duty.name):
                        self_refs["*"] += 1  # 财政局, 发改局: a local government's word for it
    # how the text speaks of itself counts only in a plan that names bodies (not in a bulletin)
    return detect_jurisdiction(opening, title, number, lines, prefixes, national,
                               self_refs if duties else None, groups)


_SELF_REF = lazy(r"(?:我|全|本)([省市县区])(?![场级委直属长])")  # 结合我市实际, 全区



"""Compare two versions of a plan: which tasks changed, and who gained or lost which task.

``diff_plans(old, new)`` is a pure function from two :class:`~matrix.models.Plan` records to a
:class:`PlanDiff`; the formatters (:func:`render_summary` here, :meth:`PlanDiff.to_json`, the
workbook in ``excel.py``) only read a ``PlanDiff`` and never compare anything themselves, as in
python-hcl2's ``query/diff.py``.

Tasks of all documents are flattened in order and matched in passes; each matched pair records
the pass that matched it in ``matched_by``:

=========== ==================================================================================
manual      a pair a person decided (``matches={"（三）": "（四）"}``; a key may be
            ``"section/label"`` when a label alone names several tasks)
text        identical text (as ``normalise`` left it, whitespace dropped); duplicates pair in order
title       identical title, unique among the tasks still unmatched on both sides
number      same label in the same (aligned) section, *unless* the texts are unrelated (ratio
            below ``NUMBER_FLOOR``) or another unmatched task is clearly more similar: this is
            what keeps a renumbered plan from being matched by number to the wrong clause
similar     ``rapidfuzz`` ratio of the texts, scored with ``process.cdist`` first within each
            aligned section, then across the plan (within sections only when more than
            ``MAX_GLOBAL_PAIRS`` pairs are left; ``PlanDiff.notes`` then says so): a pair is
            taken when each is the other's best,
            the score reaches ``SIMILAR_THRESHOLD`` and leads the runner-up on both sides by
            ``SIMILAR_MARGIN``; when the best is not clearly ahead, the tasks are reported as one
            ``ambiguous`` entry listing every candidate pair, never guessed
contained   what is left: a new task whose text is mostly contained in an old task's (longest
            common subsequence, confirmed by ``partial_ratio``) is a part ``split`` off that old
            task; an old task contained in a new one was ``merged`` into it. A single part of an
            otherwise unmatched task is simply that task, shortened (or lengthened)
=========== ==================================================================================

Whatever is still unmatched is ``added`` or ``removed``.

Kinds of change (an entry's ``kinds`` lists all that apply, ``kind`` is the first of them in
``KIND_ORDER``): ``added``, ``removed``, ``split``, ``merged``, ``ambiguous``, ``moved`` (the
section or subsection differs, after aligning sections by heading, then title, then number),
``text_changed`` (with a word-level diff), ``renumbered`` (the label differs) and
``departments_changed`` (in ``kinds`` whenever the departments differ; the main ``kind`` only
when nothing else changed). A matched pair that changed in nothing is not an entry.
Documents are aligned by title, then position, before their sections are.

Renumbering is counted per task: every matched task whose label differs is one entry with
``renumbered`` among its kinds, including the tasks that only shifted because a clause before
them was removed or inserted. A task is never reported as removed and added because its number
changed.

Departments are compared on each task's strongest role per canonical department
(:meth:`~matrix.models.Task.roles`), so an alias is no change (the parser canonicalised it) and
inherited assignments count like printed ones (their flag is kept). A department replaced by its
successor in the registry (银保监会 → 金融监管总局) is one ``succession``, never lost + gained.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Any

from .errors import MatrixError
from .i18n import N_, _
from .messages import render
from .records import ROLE_RANK, Plan, Role, Source, Task, task_rows

__all__ = [
    "KIND_LABELS", "KIND_ORDER", "KIND_STYLES", "PASSES", "Candidate", "DeptChanges", "DeptRole",
    "DeptSummary", "DiffEntry", "MatchError", "PlanDiff", "RoleChange", "Succession", "TaskRef",
    "describe_departments", "diff_plans", "filter_diff", "render_summary", "text_diff",
]

KIND_ORDER = ("added", "removed", "split", "merged", "ambiguous", "moved", "text_changed",
              "renumbered", "departments_changed")
PASSES = ("manual", "text", "title", "number", "similar", "contained")

SIMILAR_THRESHOLD = 70.0  # fuzz.ratio of the texts; unrelated clauses of one plan score < 50
SIMILAR_MARGIN = 8.0  # the best must lead the runner-up by this much, on both sides
NUMBER_FLOOR = 50.0  # a same-number pair below this is a new clause in an old place
CONTAINED_THRESHOLD = 85.0  # LCS(part, whole) / len(part), in percent
PARTIAL_THRESHOLD = 80.0  # fuzz.partial_ratio confirming a containment
MIN_PART_LENGTH = 8  # shorter texts ("加强组织领导。") are contained in too many others
MAX_GLOBAL_PAIRS = 4_000_000  # cross-section similarity above this would take seconds: skip it
MAX_GLOBAL_CONTAIN_PAIRS = 250_000
CHUNK_ROWS = 256  # rows of one cdist call: memory stays at CHUNK_ROWS × columns scores

_CUTOFF = min(NUMBER_FLOOR, SIMILAR_THRESHOLD - SIMILAR_MARGIN)
_SPACE = re.compile(r"\s+")
_HEADING_NUMBER = re.compile(
    r"^\s*(?:第[^章节条部分\s]{1,6}[章节条部分]|[一二三四五六七八九十百零〇两]+[、.．]"
    r"|[（(][^）)]{1,6}[）)]|\d+[.、．]|[①-⑳])\s*")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.%][A-Za-z0-9]+)*%?|\s+|.", re.S)


class MatchError(MatrixError, ValueError):
    """A manual match that names no task, several tasks, or a task already matched."""


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class TaskRef:
    """Where a task stands in its plan: enough to cite it and to find it again."""

    label: str  # （十） or （十）#2
    section: str | None
    subsection: str | None
    title: str
    document: int  # index in Plan.documents
    index: int  # row in plan order: index in Plan.tasks (see ``_flatten`` for plans with none)
    line: int
    departments: tuple[str, ...] = ()  # canonical names holding any role, in trailer order

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"label": self.label, "section": self.section, "subsection": self.subsection,
                "title": self.title, "document": self.document, "index": self.index,
                "line": self.line, "departments": list(self.departments)}


@dataclass(frozen=True, slots=True)
class DeptRole:
    """A department gained or lost, with its role on the task."""

    department: str
    role: Role
    inherited: bool = False  # the role comes from a document-wide rule (以下均需…落实)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"department": self.department, "role": self.role.value,
                "inherited": self.inherited}


@dataclass(frozen=True, slots=True)
class RoleChange:
    """A department that kept the task with another role (财政部 responsible → lead)."""

    department: str
    old: Role
    new: Role

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"department": self.department, "old": self.old.value, "new": self.new.value}


@dataclass(frozen=True, slots=True)
class Succession:
    """A department replaced by the body that took over its duties (银保监会 → 金融监管总局)."""

    old: str
    new: str
    old_role: Role
    new_role: Role

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"old": self.old, "new": self.new, "old_role": self.old_role.value,
                "new_role": self.new_role.value}


@dataclass(frozen=True, slots=True)
class DeptChanges:
    """What changed in the departments of one task (or pair of tasks)."""

    gained: tuple[DeptRole, ...] = ()
    lost: tuple[DeptRole, ...] = ()
    role_changed: tuple[RoleChange, ...] = ()
    succession: tuple[Succession, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.gained or self.lost or self.role_changed or self.succession)

    def names(self) -> set[str]:
        """Every department this change concerns (both sides of a succession)."""
        out = {d.department for d in self.gained} | {d.department for d in self.lost}
        out |= {c.department for c in self.role_changed}
        for s in self.succession:
            out |= {s.old, s.new}
        return out

    def only(self, department: str) -> DeptChanges:
        """The part of this change that concerns one department."""
        return DeptChanges(
            gained=tuple(d for d in self.gained if d.department == department),
            lost=tuple(d for d in self.lost if d.department == department),
            role_changed=tuple(c for c in self.role_changed if c.department == department),
            succession=tuple(s for s in self.succession if department in (s.old, s.new)))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value with the stable keys gained, lost, role_changed, succession."""
        return {"gained": [d.to_json() for d in self.gained],
                "lost": [d.to_json() for d in self.lost],
                "role_changed": [c.to_json() for c in self.role_changed],
                "succession": [s.to_json() for s in self.succession]}


NO_CHANGE = DeptChanges()


@dataclass(frozen=True, slots=True)
class Candidate:
    """One of the pairs an ``ambiguous`` entry could not choose between."""

    old: TaskRef
    new: TaskRef
    score: float

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"old": self.old.to_json(), "new": self.new.to_json(),
                "score": round(self.score, 1)}


Segment = tuple[str, str, str]  # (op, old text, new text); op: equal, replace, delete, insert


@dataclass(frozen=True, slots=True)
class DiffEntry:
    """One change: a task added, removed, rewritten, renumbered, moved, split, merged …

    ``old`` and ``new`` are None for an added and a removed task respectively. For ``split``
    ``old`` is the whole and ``new`` one part (one entry per part); for ``merged`` ``old`` is one
    part and ``new`` the whole. For ``ambiguous``, ``old``/``new`` is the best-scoring pair and
    ``candidates`` lists every pair that scored within the margin of it.
    """

    kinds: tuple[str, ...]
    old: TaskRef | None
    new: TaskRef | None
    matched_by: str | None = None
    text_diff: tuple[Segment, ...] | None = None
    departments: DeptChanges = NO_CHANGE
    candidates: tuple[Candidate, ...] = ()
    score: float | None = None  # similarity of the pair (similar, number, contained passes)

    @property
    def kind(self) -> str:
        """The main kind: the first of ``kinds`` in ``KIND_ORDER``."""
        return self.kinds[0]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value; keys: kind, kinds, old, new, matched_by, score, text_diff,
        departments, candidates."""
        return {
            "kind": self.kind,
            "kinds": list(self.kinds),
            "old": self.old.to_json() if self.old else None,
            "new": self.new.to_json() if self.new else None,
            "matched_by": self.matched_by,
            "score": None if self.score is None else round(self.score, 1),
            "text_diff": None if self.text_diff is None else [list(s) for s in self.text_diff],
            "departments": self.departments.to_json(),
            "candidates": [c.to_json() for c in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class DeptSummary:
    """One department's line of the summary: the table a department head reads first."""

    department: str
    tasks_gained: int = 0  # tasks it now holds and did not (added tasks included)
    tasks_lost: int = 0
    lead_gained: int = 0  # gained as lead, or changed to lead
    lead_lost: int = 0
    role_changed: int = 0
    succession: int = 0  # successions it is either side of

    @property
    def total(self) -> int:
        """Number of changes, the sort key of the summary."""
        return self.tasks_gained + self.tasks_lost + self.role_changed + self.succession

    def to_json(self) -> dict[str, Any]:
        """Plain JSON value."""
        return {"department": self.department, "tasks_gained": self.tasks_gained,
                "tasks_lost": self.tasks_lost, "lead_gained": self.lead_gained,
                "lead_lost": self.lead_lost, "role_changed": self.role_changed,
                "succession": self.succession, "total": self.total}


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """The changes from one plan to another.

    ``pairs`` lists every matched pair, changed or not, as (old index, new index, pass), indexes
    into ``Plan.tasks``; ``notes`` says where matching was limited (very large remainders).
    """

    entries: tuple[DiffEntry, ...]
    departments: tuple[DeptSummary, ...]
    old_source: Source | None = None
    new_source: Source | None = None
    pairs: tuple[tuple[int, int, str], ...] = ()
    notes: tuple[str, ...] = ()  # English, for machines
    department: str | None = None  # set by filter_diff
    notes_zh: tuple[str, ...] = ()  # the same notes in Chinese, for the workbook

    def is_empty(self) -> bool:
        """True when nothing changed (diff(1) exit status 0)."""
        return not self.entries

    def counts(self) -> dict[str, int]:
        """Entries per main kind, in ``KIND_ORDER``, kinds with no entry left out."""
        out = dict.fromkeys(KIND_ORDER, 0)
        for e in self.entries:
            out[e.kind] += 1
        return {k: n for k, n in out.items() if n}

    def to_json(self) -> dict[str, Any]:
        """Stable JSON: old_source, new_source, department, counts, tasks, departments, notes."""
        return {
            "old_source": _source_json(self.old_source),
            "new_source": _source_json(self.new_source),
            "department": self.department,
            "counts": self.counts(),
            "tasks": [e.to_json() for e in self.entries],
            "departments": [d.to_json() for d in self.departments],
            "notes": list(self.notes),
            "notes_zh": list(self.notes_zh),
        }


def _source_json(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"path": source.path, "sha256": source.sha256, "format": source.format}


# ---------------------------------------------------------------------------------------------
# Text helpers


def _norm(text: str) -> str:
    """Text as compared: as the normaliser left it (script, width and punctuation already
    folded by ``normalise``), without whitespace."""
    if " " in text or "\n" in text or "\t" in text or "\u3000" in text:
        return _SPACE.sub("", text)
    return text


def _norm_label(text: str) -> str:
    """A label or heading as a person may type it: width folded (NFKC), no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def _split_heading(heading: str | None) -> tuple[str, str]:
    """ "三、增强产业基础质量竞争力" → ("三、", "增强产业基础质量竞争力")."""
    if not heading:
        return "", ""
    m = _HEADING_NUMBER.match(heading)
    if not m:
        return "", _norm_label(heading)
    return _norm_label(m.group(0)), _norm_label(heading[m.end():])


def _tokens(text: str) -> list[str]:
    """Words for a Chinese text: a run of Latin letters and digits (IPv6, 2025, 60%) is one
    token, every other character (a Han character, a punctuation mark) is one."""
    return _TOKEN.findall(text)


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by bisection on slices (compared in C, not char by char)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


def text_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Word-level diff of two texts as (op, old, new) segments; joining the old parts gives
    ``old`` and joining the new parts gives ``new``.

    ``difflib.SequenceMatcher`` runs over tokens (see ``_tokens``), after the common prefix and
    suffix are set aside (edits are local, and this keeps long clauses fast); a lone equal token
    between two changes is folded into them, so that 加强→强化 reads as one replacement rather
    than three pieces around the shared 强.
    """
    start = _common_prefix(old, new)
    while start and _word_char(old[start - 1]):  # never cut a word: 2025 → 2027 is one token
        start -= 1
    end = _common_suffix(old, new, min(len(old), len(new)) - start)
    while end and _word_char(old[len(old) - end]):
        end -= 1
    mid_a = _tokens(old[start:len(old) - end])
    mid_b = _tokens(new[start:len(new) - end])
    raw: list[list[Any]] = []
    if start:
        raw.append(["equal", [old[:start]], [new[:start]]])
    matcher = SequenceMatcher(None, mid_a, mid_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        raw.append([op, mid_a[i1:i2], mid_b[j1:j2]])
    if end:
        raw.append(["equal", [old[len(old) - end:]], [new[len(new) - end:]]])
    # Fold a one-token equal between two changes into one replacement.
    merged: list[list[Any]] = []
    for i, (op, x, y) in enumerate(raw):
        lonely = (op == "equal" and len(x) == 1 and 0 < i < len(raw) - 1
                  and merged and merged[-1][0] != "equal" and raw[i + 1][0] != "equal")
        if lonely or (op != "equal" and merged and merged[-1][0] != "equal"):
            prev = merged[-1]
            prev[0] = "replace"
            prev[1] = prev[1] + x
            prev[2] = prev[2] + y
        elif op == "equal" and merged and merged[-1][0] == "equal":
            merged[-1][1] += x
            merged[-1][2] += y
        else:
            merged.append([op, list(x), list(y)])
    out = []
    for op, x, y in merged:
        if op == "replace" and not x:
            op = "insert"
        elif op == "replace" and not y:
            op = "delete"
        out.append((op, "".join(x), "".join(y)))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Sections


def _align(old_keys: Iterable[tuple[Any, str | None]],
           new_keys: Iterable[tuple[Any, str | None]]) -> dict[tuple, tuple]:
    """Map old (group, heading) keys to new ones: same heading, then same heading title
    without its number (a section renumbered because one was inserted), then same number (a
    section retitled), each unique on both sides within the group."""
    olds = list(dict.fromkeys(old_keys))
    news = list(dict.fromkeys(new_keys))
    out: dict[tuple, tuple] = {}
    new_set = set(news)
    for key in olds:
        if key in new_set:
            out[key] = key
    for part in (1, 0):  # 1: title, 0: number
        taken = set(out.values())
        left_old = [k for k in olds if k not in out and k[1]]
        left_new = [k for k in news if k not in taken and k[1]]

        def index(keys: list[tuple]) -> dict[tuple, list[tuple]]:
            by: dict[tuple, list[tuple]] = defaultdict(list)
            for k in keys:
                piece = _split_heading(k[1])[part]
                if piece:
                    by[(k[0], piece)].append(k)
            return by

        by_old, by_new = index(left_old), index(left_new)
        for piece, ks in by_old.items():
            ns = by_new.get(piece)
            if len(ks) == 1 and ns is not None and len(ns) == 1:
                out[ks[0]] = ns[0]
    return out


def _align_documents(old: Plan, new: Plan) -> dict[int, int]:
    """Old document index → new: same title (unique on both sides), else same position."""
    old_titles = Counter(d.title for d in old.documents)
    new_titles = Counter(d.title for d in new.documents)
    new_index = {d.title: k for k, d in enumerate(new.documents)}
    out = {k: new_index[d.title] for k, d in enumerate(old.documents)
           if d.title and old_titles[d.title] == 1 and new_titles[d.title] == 1}
    taken = set(out.values())
    for k in range(min(len(old.documents), len(new.documents))):
        if k not in out and k not in taken:
            out[k] = k
            taken.add(k)
    return out


class _Places:
    """Sections and subsections of the two plans, aligned; gives every task a place and a block.

    A task's *place* is its (section, subsection) expressed in the new plan's terms; ``moved``
    means the places differ. Its *block* is its section alone: similarity is scored within a
    block first.
    """

    def __init__(self, old: Sequence[tuple[int, Task]], new: Sequence[tuple[int, Task]],
                 documents: Mapping[int, int]) -> None:
        old_doc = [documents.get(d, ("old", d)) for d, _ in old]
        sec = _align(((d, t.section) for d, (_, t) in zip(old_doc, old)),
                     ((d, t.section) for d, t in new))
        self.old_block = [sec.get((d, t.section), ("old", d, t.section))
                          for d, (_, t) in zip(old_doc, old)]
        self.new_block = [(d, t.section) for d, t in new]
        sub = _align(((b, t.subsection) for b, (_, t) in zip(self.old_block, old)),
                     ((b, t.subsection) for b, (_, t) in zip(self.new_block, new)))
        self.old_place = [sub.get((b, t.subsection), ("old", b, t.subsection))
                          for b, (_, t) in zip(self.old_block, old)]
        self.new_place = [(b, t.subsection) for b, (_, t) in zip(self.new_block, new)]


# ---------------------------------------------------------------------------------------------
# Departments


def _roles(task: Task) -> dict[str, tuple[Role, bool]]:
    """Canonical department → (strongest role, inherited) on this task."""
    out: dict[str, tuple[Role, bool]] = {}
    for a in task.assignments:
        old = out.get(a.department)
        if old is None or ROLE_RANK[a.role] < ROLE_RANK[old[0]]:
            out[a.department] = (a.role, a.inherited)
    return out


class _Successors:
    """Successor chains from the registry, remembered per name."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        self.memo: dict[str, tuple[str, ...]] = {}

    def __call__(self, name: str) -> tuple[str, ...]:
        chain = self.memo.get(name)
        if chain is None:
            try:
                chain = tuple(d.name for d in self.registry.successor_chain(name))
            except Exception:  # a registry that does not know the name: no successor
                chain = ()
            self.memo[name] = chain
        return chain


def _dept_changes(old: dict[str, tuple[Role, bool]] | None,
                  new: dict[str, tuple[Role, bool]] | None,
                  successors: Callable[[str], tuple[str, ...]]) -> DeptChanges:
    """Compare two tasks' departments (None for the missing side of an added/removed task)."""
    old, new = old or {}, new or {}
    if old.keys() == new.keys() and all(old[d][0] == new[d][0] for d in old):
        return NO_CHANGE
    lost = [d for d in old if d not in new]
    gained = [d for d in new if d not in old]
    role_changed = tuple(RoleChange(d, old[d][0], new[d][0])
                         for d in new if d in old and old[d][0] != new[d][0])
    succession: list[Succession] = []
    absorbed: set[str] = set()
    if lost and new:
        for d in list(lost):
            # Forward (银保监会 → 金融监管总局) or, comparing a newer plan to an older one, back.
            heir = next((s for s in successors(d) if s in new), None)
            if heir is None:
                heir = next((g for g in gained if g not in absorbed and d in successors(g)), None)
            if heir is not None:
                succession.append(Succession(d, heir, old[d][0], new[heir][0]))
                lost.remove(d)
                absorbed.add(heir)
    return DeptChanges(
        gained=tuple(DeptRole(d, *new[d]) for d in gained if d not in absorbed),
        lost=tuple(DeptRole(d, *old[d]) for d in lost),
        role_changed=role_changed,
        succession=tuple(succession))


def _summarise(entries: Iterable[DiffEntry]) -> tuple[DeptSummary, ...]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        ch = e.departments
        for d in ch.gained:
            counts[d.department]["tasks_gained"] += 1
            counts[d.department]["lead_gained"] += d.role is Role.lead
        for d in ch.lost:
            counts[d.department]["tasks_lost"] += 1
            counts[d.department]["lead_lost"] += d.role is Role.lead
        for c in ch.role_changed:
            counts[c.department]["role_changed"] += 1
            counts[c.department]["lead_gained"] += c.new is Role.lead
            counts[c.department]["lead_lost"] += c.old is Role.lead
        for s in ch.succession:
            counts[s.old]["succession"] += 1
            counts[s.new]["succession"] += 1
    rows = [DeptSummary(name, **dict(c)) for name, c in counts.items()]
    rows.sort(key=lambda r: (-r.total, r.department))
    return tuple(rows)


# ---------------------------------------------------------------------------------------------
# Matching


def _flatten(plan: Plan) -> list[tuple[int, Task]]:
    """(document index, task) in plan order: the rows of ``pivot.build_matrix``.

    That is ``Plan.tasks``, except that a document naming no department at all (seed 003) is
    compared on its innermost clauses, as the workbook lists them for an office to fill in.
    """
    out = []
    for d, doc in enumerate(plan.documents):
        tasks = task_rows(doc)
        out.extend((d, t) for t in tasks)
    return out


def _ref(flat: Sequence[tuple[int, Task]], index: int) -> TaskRef:
    doc, t = flat[index]
    return TaskRef(label=t.label, section=t.section, subsection=t.subsection, title=t.title,
                   document=doc, index=index, line=t.line,
                   departments=tuple(dict.fromkeys(a.department for a in t.assignments)))


def _resolve(key: str, flat: Sequence[tuple[int, Task]], side: str) -> int:
    """Index of the one task a manual-match key names: "（三）", "（十）#2" or "section/label"."""
    section, _sep, label = key.rpartition("/")
    want = _norm_label(label)
    hits = [i for i, (_, t) in enumerate(flat) if _norm_label(t.label) == want]
    if section:
        # "二、推动民生消费质量升级", "推动民生消费质量升级" and "二、" all name the section.
        num, title = _split_heading(section)
        whole = _norm_label(section)

        def names(heading: str | None) -> bool:
            if not heading:
                return False
            h_num, h_title = _split_heading(heading)
            return (_norm_label(heading) == whole or (bool(title) and h_title == title)
                    or (not title and h_num == num))

        hits = [i for i in hits if names(flat[i][1].section) or names(flat[i][1].subsection)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise MatchError(_("match {key!r}: no task with that label in the {side} plan").format(
            key=key, side=_(side)))
    no_section = _("(no section)")
    where = "; ".join(f"{flat[i][1].section or no_section}/{flat[i][1].label}" for i in hits)
    raise MatchError(_("match {key!r}: {count} tasks in the {side} plan have that label "
                       "({where}); write it as section/label").format(
                           key=key, count=len(hits), side=_(side), where=where))


def _fold(texts: Sequence[str], frequent_in: Sequence[str]) -> list[str]:
    """The texts with every character folded onto one of 255 Latin-1 characters.

    rapidfuzz compares strings of code points below 256 with lookup tables, several times faster
    than Han text, whose characters it must hash. Folding maps different characters onto the
    same one, so the longest common subsequence of two folded texts is never shorter than that
    of the texts: a folded score is an upper bound of the true one, and only the pairs whose
    bound reaches a cutoff need an exact score. The 200 most frequent characters of
    ``frequent_in`` keep a code of their own, which keeps the bound tight. Done for all texts at
    once with numpy (a ``str.translate`` table costs more than the scoring it saves).
    """
    import numpy as np

    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    if not codes.size:
        return ["" for _ in texts]
    table = (201 + np.arange(int(codes.max()) + 1, dtype=np.uint32) % 55).astype(np.uint8)
    sample = np.frombuffer("".join(frequent_in).encode("utf-32-le"), dtype=np.uint32)
    if sample.size:
        chars, counts = np.unique(sample, return_counts=True)
        top = chars[np.argsort(-counts, kind="stable")[:200]]
        top = top[top < table.size]
        table[top] = np.arange(1, top.size + 1, dtype=np.uint8)
    folded = table[codes].tobytes().decode("latin-1")
    out, at = [], 0
    for text in texts:
        out.append(folded[at:at + len(text)])
        at += len(text)
    return out


def _scores(rows: Sequence[int], cols: Sequence[int], row_texts: Sequence[str],
            col_texts: Sequence[str], row_folded: Sequence[str], col_folded: Sequence[str],
            scorer: Any, cutoff: float, per_row_length: bool = False
            ) -> dict[tuple[int, int], float]:
    """{(row, col): score} for the pairs of rows × cols whose score reaches ``cutoff``.

    ``process.cdist`` scores the folded texts (an upper bound, see ``_fold``) in chunks of
    CHUNK_ROWS rows, so memory stays at CHUNK_ROWS × len(cols) scores whatever the remainder;
    the few pairs whose bound reaches the cutoff are then scored exactly. With
    ``per_row_length`` the score is divided by the row text's length (in percent).
    """
    import numpy as np
    from rapidfuzz import process

    out: dict[tuple[int, int], float] = {}
    if not rows or not cols:
        return out
    choices = [col_folded[j] for j in cols]
    workers = -1 if len(rows) * len(cols) > 20_000 else 1
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start:start + CHUNK_ROWS]
        queries = [row_folded[i] for i in chunk]
        matrix = process.cdist(queries, choices, scorer=scorer, dtype=np.float32,
                               workers=workers,
                               score_cutoff=None if per_row_length else cutoff - 0.5)
        if per_row_length:
            lengths = np.array([max(1, len(q)) for q in queries], dtype=np.float32)
            matrix = matrix * (100.0 / lengths)[:, None]
        r, c = np.nonzero(matrix >= cutoff - 0.5)
        for a, b in zip(r.tolist(), c.tolist()):
            i, j = chunk[a], cols[b]
            score = scorer(row_texts[i], col_texts[j])
            if per_row_length:
                score = 100.0 * score / max(1, len(row_texts[i]))
            if score >= cutoff:
                out[(i, j)] = score
    return out


def _top2(cands: Mapping[int, float], exclude: int | None = None) -> tuple[int | None, float,
                                                                           float]:
    """(best key, best score, runner-up score) of a {key: score} map."""
    best, first, second = None, 0.0, 0.0
    for k, s in cands.items():
        if k == exclude:
            continue
        if s > first:
            best, first, second = k, s, first
        elif s > second:
            second = s
    return best, first, second


class _Matcher:
    """State of one comparison: what is matched, by which pass, and what is left."""

    def __init__(self, old: Plan, new: Plan, successors: Callable[[str], tuple[str, ...]]) -> None:
        self.old, self.new = _flatten(old), _flatten(new)
        self.successors = successors
        self.old_text = [_norm(t.text) for _, t in self.old]
        self.new_text = [_norm(t.text) for _, t in self.new]
        self.places = _Places(self.old, self.new, _align_documents(old, new))
        self.pair_of_old: dict[int, int] = {}
        self.pair_of_new: dict[int, int] = {}
        self.how: dict[int, tuple[str, float | None]] = {}  # old index → (pass, score)
        self.consumed_old: set[int] = set()  # taken by an ambiguous/split/merged entry
        self.consumed_new: set[int] = set()
        self.entries: list[DiffEntry] = []
        self.positions: list[tuple[int | None, int | None]] = []  # (old, new) index per entry
        self.notes: list[tuple[str, dict[str, Any]]] = []  # (kind, params): matrix.messages
        # Folded texts (see ``_fold``), set once the exact passes are done.
        self.old_folded: list[str] = []
        self.new_folded: list[str] = []

    # bookkeeping -------------------------------------------------------------------------

    def pair(self, i: int, j: int, how: str, score: float | None = None) -> None:
        self.pair_of_old[i], self.pair_of_new[j] = j, i
        self.how[i] = (how, score)

    def free_old(self) -> list[int]:
        return [i for i in range(len(self.old))
                if i not in self.pair_of_old and i not in self.consumed_old]

    def free_new(self) -> list[int]:
        return [j for j in range(len(self.new))
                if j not in self.pair_of_new and j not in self.consumed_new]

    # exact passes ---------------------------------------------------------------------------

    def manual(self, matches: Mapping[str, str]) -> None:
        for okey, nkey in matches.items():
            i, j = _resolve(okey, self.old, N_("old")), _resolve(nkey, self.new, N_("new"))
            if i in self.pair_of_old or j in self.pair_of_new:
                raise MatchError(_("match {old!r}={new!r}: a task is already matched").format(
                    old=okey, new=nkey))
            self.pair(i, j, "manual")

    def by_key(self, how: str, old_key: Callable[[int], Any], new_key: Callable[[int], Any],
               unique: bool) -> None:
        """Pair free tasks with equal keys: in order, or only when unique on both sides."""
        by_new: dict[Any, list[int]] = defaultdict(list)
        for j in self.free_new():
            by_new[new_key(j)].append(j)
        by_old: dict[Any, list[int]] = defaultdict(list)
        for i in self.free_old():
            by_old[old_key(i)].append(i)
        for key, olds in by_old.items():
            news = by_new.get(key)
            if not news or (unique and (len(olds) > 1 or len(news) > 1)):
                continue
            for i, j in zip(olds, news):
                self.pair(i, j, how)

    # similarity -----------------------------------------------------------------------------

    def block_scores(self, rows: list[int], cols: list[int]) -> dict[tuple[int, int], float]:
        from rapidfuzz import fuzz

        by_block: dict[Any, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for i in rows:
            by_block[self.places.old_block[i]][0].append(i)
        for j in cols:
            by_block[self.places.new_block[j]][1].append(j)
        out: dict[tuple[int, int], float] = {}
        for r, c in by_block.values():
            out.update(_scores(r, c, self.old_text, self.new_text, self.old_folded,
                               self.new_folded, fuzz.ratio, _CUTOFF))
        return out

    def number(self, scores: Mapping[tuple[int, int], float]) -> None:
        """Same label in the same place, unless unrelated or another task is clearly closer."""
        rows, cols = _by_side(scores)
        old_key = [(p, t.label) for p, (_, t) in zip(self.places.old_place, self.old)]
        new_key = [(p, t.label) for p, (_, t) in zip(self.places.new_place, self.new)]
        by_new: dict[Any, list[int]] = defaultdict(list)
        for j in self.free_new():
            by_new[new_key[j]].append(j)
        for i in self.free_old():
            news = by_new.get(old_key[i])
            if not news:
                continue
            j = news.pop(0)
            s = scores.get((i, j), 0.0)
            if s < NUMBER_FLOOR:
                continue
            rival_new = _top2(rows.get(i, {}), exclude=j)[1]
            rival_old = _top2(cols.get(j, {}), exclude=i)[1]
            if max(rival_new, rival_old) >= s + SIMILAR_MARGIN:
                continue
            self.pair(i, j, "number", s)

    def similar(self, scores: dict[tuple[int, int], float], final: bool) -> None:
        """Take mutual clear bests until none is left; if ``final``, report the rest of the
        above-threshold candidates as ambiguous."""
        live = {k: s for k, s in scores.items()
                if k[0] not in self.pair_of_old and k[1] not in self.pair_of_new
                and k[0] not in self.consumed_old and k[1] not in self.consumed_new}
        while True:
            rows, cols = _by_side(live)
            taken = []
            for i, cands in rows.items():
                j, best, second = _top2(cands)
                if j is None or best < SIMILAR_THRESHOLD or best - second < SIMILAR_MARGIN:
                    continue
                i2, _, col_second = _top2(cols[j])
                if i2 == i and best - col_second >= SIMILAR_MARGIN:
                    taken.append((i, j, best))
            if not taken:
                break
            for i, j, s in taken:
                self.pair(i, j, "similar", s)
            done_old = {i for i, _, _ in taken}
            done_new = {j for _, j, _ in taken}
            live = {k: s for k, s in live.items() if k[0] not in done_old and k[1] not in done_new}
        if final:
            self.ambiguous(live)

    def ambiguous(self, live: dict[tuple[int, int], float]) -> None:
        """Each free task whose best candidate reaches the threshold but is not clearly ahead
        becomes one entry with every pair within the margin of its best."""
        rows, cols = _by_side(live)
        order = sorted(live.items(), key=lambda kv: -kv[1])
        for (i, j), s in order:
            if s < SIMILAR_THRESHOLD or i in self.consumed_old or j in self.consumed_new:
                continue
            group = {(i, j)}
            group |= {(i, j2) for j2, s2 in rows[i].items() if s2 > s - SIMILAR_MARGIN}
            group |= {(i2, j) for i2, s2 in cols[j].items() if s2 > s - SIMILAR_MARGIN}
            group = {(a, b) for a, b in group
                     if a not in self.consumed_old and b not in self.consumed_new}
            cands = tuple(Candidate(_ref(self.old, a), _ref(self.new, b), live[(a, b)])
                          for a, b in sorted(group, key=lambda k: (-live[k], k)))
            for a, b in group:
                self.consumed_old.add(a)
                self.consumed_new.add(b)
            self.add(DiffEntry(kinds=("ambiguous",), old=_ref(self.old, i), new=_ref(self.new, j),
                               matched_by="similar", candidates=cands, score=s),
                     old_index=i, new_index=j)

    # split / merge ----------------------------------------------------------------------------

    def containment(self, parts: list[int], part_block: Sequence[Any],
                    wholes_by_block: Mapping[Any, list[int]], part_texts: Sequence[str],
                    whole_texts: Sequence[str], part_folded: Sequence[str],
                    whole_folded: Sequence[str]) -> dict[int, tuple[int, float]]:
        """For each part, the whole that holds most of it: {part: (whole, score)}.

        Looked for across the whole plan when that is cheap, else within the part's section.
        """
        from rapidfuzz import fuzz
        from rapidfuzz.distance import LCSseq

        parts = [p for p in parts if len(part_texts[p]) >= MIN_PART_LENGTH]
        if not parts:
            return {}
        if len(parts) * len(whole_texts) <= MAX_GLOBAL_CONTAIN_PAIRS:
            groups = [(parts, list(range(len(whole_texts))))]
        else:
            by: dict[Any, list[int]] = defaultdict(list)
            for p in parts:
                by[part_block[p]].append(p)
            groups = [(ps, wholes_by_block.get(b, [])) for b, ps in by.items()]
        found: dict[int, tuple[int, float]] = {}
        for ps, ws in groups:
            # cdist scores the LCS length; over the part's length it says how much is in there.
            contained = _scores(ps, ws, part_texts, whole_texts, part_folded, whole_folded,
                                LCSseq.similarity, CONTAINED_THRESHOLD, per_row_length=True)
            for (p, w), score in sorted(contained.items()):
                if len(whole_texts[w]) < len(part_texts[p]):
                    continue
                if score <= found.get(p, (None, -1.0))[1]:
                    continue
                if fuzz.partial_ratio(part_texts[p], whole_texts[w]) >= PARTIAL_THRESHOLD:
                    found[p] = (w, score)
        return found

    def split_and_merge(self) -> None:
        places = self.places
        old_by_block: dict[Any, list[int]] = defaultdict(list)
        for i, b in enumerate(places.old_block):
            old_by_block[b].append(i)
        new_by_block: dict[Any, list[int]] = defaultdict(list)
        for j, b in enumerate(places.new_block):
            new_by_block[b].append(j)

        # Split: a free new task mostly contained in an old one.
        found = self.containment(self.free_new(), places.new_block, old_by_block,
                                 self.new_text, self.old_text, self.new_folded, self.old_folded)
        by_whole: dict[int, list[int]] = defaultdict(list)
        for j, (i, _) in found.items():
            by_whole[i].append(j)
        for i, js in sorted(by_whole.items()):
            if i in self.consumed_old:
                continue
            if i not in self.pair_of_old and len(js) == 1:
                self.pair(i, js[0], "contained", found[js[0]][1])
                continue
            if i not in self.pair_of_old:
                self.consumed_old.add(i)
            for j in sorted(js):
                self.consumed_new.add(j)
                self.add_pair_entry("split", i, j, found[j][1])

        # Merge: a free old task mostly contained in a new one.
        found = self.containment(self.free_old(), places.old_block, new_by_block,
                                 self.old_text, self.new_text, self.old_folded, self.new_folded)
        by_whole = defaultdict(list)
        for i, (j, _) in found.items():
            if j not in self.consumed_new:
                by_whole[j].append(i)
        for j, is_ in sorted(by_whole.items()):
            if j not in self.pair_of_new and len(is_) == 1:
                self.pair(is_[0], j, "contained", found[is_[0]][1])
                continue
            if j not in self.pair_of_new:
                self.consumed_new.add(j)
            for i in sorted(is_):
                self.consumed_old.add(i)
                self.add_pair_entry("merged", i, j, found[i][1])

    # entries ----------------------------------------------------------------------------------

    def add(self, entry: DiffEntry, old_index: int | None, new_index: int | None) -> None:
        self.entries.append(entry)
        self.positions.append((old_index, new_index))

    def add_pair_entry(self, kind: str, i: int, j: int, score: float | None) -> None:
        ch = _dept_changes(self.old_roles(i), self.new_roles(j), self.successors)
        kinds = (kind, "departments_changed") if ch else (kind,)
        self.add(DiffEntry(kinds=kinds, old=_ref(self.old, i), new=_ref(self.new, j),
                           matched_by="contained", departments=ch, score=score), i, j)

    def old_roles(self, i: int) -> dict[str, tuple[Role, bool]]:
        return _roles(self.old[i][1])

    def new_roles(self, j: int) -> dict[str, tuple[Role, bool]]:
        return _roles(self.new[j][1])

    def pair_entries(self) -> None:
        """An entry for every matched pair that changed."""
        places = self.places
        for i, j in self.pair_of_old.items():
            (_, o), (_, n) = self.old[i], self.new[j]
            kinds = []
            if places.old_place[i] != places.new_place[j]:
                kinds.append("moved")
            text_changed = self.old_text[i] != self.new_text[j]
            if text_changed:
                kinds.append("text_changed")
            if o.label != n.label:
                kinds.append("renumbered")
            ch = _dept_changes(self.old_roles(i), self.new_roles(j), self.successors)
            if ch:
                kinds.append("departments_changed")
            if not kinds:
                continue
            how, score = self.how[i]
            self.add(DiffEntry(kinds=tuple(kinds), old=_ref(self.old, i), new=_ref(self.new, j),
                               matched_by=how,
                               text_diff=text_diff(o.text, n.text) if text_changed else None,
                               departments=ch, score=score), i, j)

    def sorted_entries(self) -> tuple[DiffEntry, ...]:
        """Entries in the new plan's order; a removed task right after the new task that
        follows the old task before it."""
        anchor, last = [], -1.0
        for i in range(len(self.old)):
            j = self.pair_of_old.get(i)
            if j is not None:
                last = float(j)
            anchor.append(last)
        keyed = []
        for n, (entry, (i, j)) in enumerate(zip(self.entries, self.positions)):
            if j is not None:
                key = (float(j), 0, i if i is not None else -1, n)
            else:
                key = (anchor[i] + 0.5, 1, i, n)
            keyed.append((key, entry))
        keyed.sort(key=lambda kv: kv[0])
        return tuple(e for _, e in keyed)


def _by_side(scores: Mapping[tuple[int, int], float]) -> tuple[dict[int, dict[int, float]],
                                                               dict[int, dict[int, float]]]:
    rows: dict[int, dict[int, float]] = defaultdict(dict)
    cols: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), s in scores.items():
        rows[i][j] = s
        cols[j][i] = s
    return rows, cols


# ---------------------------------------------------------------------------------------------
# Public API


def diff_plans(old: Plan, new: Plan, *, matches: Mapping[str, str] | None = None,
               registry: Any = None) -> PlanDiff:
    """Compare two plans' tasks and departments (see the module docstring for the passes).

    ``matches`` maps old task labels to new ones ("（三）": "（四）", or "section/label") and
    overrides the automatic matching; ``registry`` (default: ``departments.default_registry()``)
    gives the successor chains that make 银保监会 → 金融监管总局 a succession.
    Raises :class:`MatchError` for a manual match that names no task or several.

    Example::

        >>> d = diff_plans(parse_file("draft.txt"), parse_file("final.txt"))
        >>> d.counts()
        {'removed': 1, 'text_changed': 2, 'renumbered': 9}
    """
    if registry is None:
        from .departments import default_registry

        registry = default_registry()
    # A diff allocates many small acyclic objects; the cyclic collector would then walk both
    # plans' records again and again (a third of the time on 10,000 tasks) and find nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _diff(old, new, matches, registry)
    finally:
        if enabled:
            gc.enable()


def _diff(old: Plan, new: Plan, matches: Mapping[str, str] | None, registry: Any) -> PlanDiff:
    m = _Matcher(old, new, _Successors(registry))

    if matches:
        m.manual(matches)
    m.by_key("text", m.old_text.__getitem__, m.new_text.__getitem__, unique=False)
    m.by_key("title", lambda i: _norm(m.old[i][1].title), lambda j: _norm(m.new[j][1].title),
             unique=True)

    rows, cols = m.free_old(), m.free_new()
    sample = [m.old_text[i] for i in rows] + [m.new_text[j] for j in cols]
    folded = _fold(m.old_text + m.new_text, sample)
    m.old_folded, m.new_folded = folded[:len(m.old_text)], folded[len(m.old_text):]
    local = m.block_scores(rows, cols)
    m.number(local)
    m.similar(local, final=False)

    rows, cols = m.free_old(), m.free_new()
    if rows and cols:
        if len(rows) * len(cols) <= MAX_GLOBAL_PAIRS:
            from rapidfuzz import fuzz

            scores = _scores(rows, cols, m.old_text, m.new_text, m.old_folded, m.new_folded,
                             fuzz.ratio, _CUTOFF)
        else:
            scores = {k: s for k, s in local.items()
                      if k[0] not in m.pair_of_old and k[1] not in m.pair_of_new}
            m.notes.append(("diff-section-only", {"old": len(rows), "new": len(cols)}))
        m.similar(scores, final=True)

    m.split_and_merge()
    m.pair_entries()
    for i in m.free_old():
        m.add(DiffEntry(kinds=("removed",), old=_ref(m.old, i), new=None,
                        departments=_dept_changes(m.old_roles(i), None, m.successors)), i, None)
    for j in m.free_new():
        m.add(DiffEntry(kinds=("added",), old=None, new=_ref(m.new, j),
                        departments=_dept_changes(None, m.new_roles(j), m.successors)), None, j)

    entries = m.sorted_entries()
    pairs = tuple(sorted((i, j, m.how[i][0]) for i, j in m.pair_of_old.items()))
    return PlanDiff(entries=entries, departments=_summarise(entries), old_source=old.source,
                    new_source=new.source, pairs=pairs,
                    notes=tuple(render(kind, params, "en") for kind, params in m.notes),
                    notes_zh=tuple(render(kind, params, "zh") for kind, params in m.notes))


def filter_diff(diff: PlanDiff, department: str, *, registry: Any = None) -> PlanDiff:
    """Only what changed for one department (``dutymatrix diff --dept 财政部``).

    Keeps the entries where the department gained, lost, changed role or took part in a
    succession, with only its own department changes, and the entries of tasks it holds on
    either side that changed otherwise (reworded, renumbered, moved, split, merged, ambiguous).
    The name is canonicalised with ``registry`` (default: the packaged one), so an alias works.
    """
    if registry is None:
        from .departments import default_registry

        registry = default_registry()
    try:
        name = registry.canonical(department).name
    except Exception:  # a registry that cannot read the name: use it as typed
        name = department
    kept = []
    for e in diff.entries:
        mine = e.departments.only(name)
        holds = any(ref is not None and name in ref.departments for ref in (e.old, e.new))
        holds |= any(name in c.old.departments or name in c.new.departments
                     for c in e.candidates)
        other = [k for k in e.kinds if k != "departments_changed"]
        if not mine and not (holds and other):
            continue
        kinds = tuple(other) + (("departments_changed",) if mine and e.kind not in
                                ("added", "removed") else ())
        kept.append(replace(e, kinds=kinds or ("departments_changed",), departments=mine))
    return replace(diff, entries=tuple(kept), departments=_summarise(kept), department=name)


# ---------------------------------------------------------------------------------------------
# Formatting


KIND_STYLES = {"added": "green", "removed": "red", "split": "magenta", "merged": "magenta",
               "ambiguous": "bold yellow", "moved": "blue", "text_changed": "yellow",
               "renumbered": "cyan", "departments_changed": "bright_blue"}
KIND_LABELS = {"added": "新增", "removed": "删除", "split": "拆分", "merged": "合并",
               "ambiguous": "待定", "moved": "移动", "text_changed": "文字修改",
               "renumbered": "重新编号", "departments_changed": "部门变化"}


def describe_departments(ch: DeptChanges) -> str:
    """One line for a task's department changes: +财政部(负责) −广电总局(负责) 科技部 负责→牵头
    银保监会→金融监管总局."""
    parts = [f"+{d.department}({d.role.label}{'·统一规定' if d.inherited else ''})"
             for d in ch.gained]
    parts += [f"−{d.department}({d.role.label})" for d in ch.lost]
    parts += [f"{c.department} {c.old.label}→{c.new.label}" for c in ch.role_changed]
    parts += [f"{s.old}→{s.new}" for s in ch.succession]
    return " ".join(parts)


def _where(ref: TaskRef | None) -> str:
    if ref is None:
        return ""
    section = _split_heading(ref.section)[0] if ref.section else ""
    return f"{section}{ref.label}"


def render_summary(diff: PlanDiff, console: Any = None, *, all_renumbered: bool = False) -> None:
    """Print a counts line, a table of task changes coloured by kind and the per-department
    table. Colour only on a terminal: rich's ``Console`` drops it for a file or a pipe and
    honours ``NO_COLOR``; pass ``Console(file=io.StringIO())`` to capture the text.

    Tasks that were only renumbered (usually every task after an insertion) are listed on one
    line under the table rather than one row each, unless ``all_renumbered``.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .i18n import _, ngettext, requested

    console = console or Console()
    if diff.is_empty():
        if diff.department:
            console.print(_("No differences for {department}.").format(
                department=diff.department), highlight=False)
        else:
            console.print(_("No differences."), highlight=False)
        return
    zh = requested() == "zh"
    line = Text(ngettext("{count} change: ", "{count} changes: ", len(diff.entries)).format(
        count=len(diff.entries)))
    for n, (kind, count) in enumerate(diff.counts().items()):
        if n:
            line.append(_(", "))
        word = KIND_LABELS[kind] if zh else kind.replace("_", " ")
        line.append(f"{count} {word}", style=KIND_STYLES[kind])
    console.print(line)

    table = Table(title="任务变化", expand=True)
    table.add_column("变化", no_wrap=True)
    table.add_column("原编号", no_wrap=True)
    table.add_column("新编号", no_wrap=True)
    # "fold": Chinese has no spaces to wrap at, and the default ellipsis cuts names in half.
    table.add_column("任务", ratio=2, overflow="fold")
    table.add_column("部门变化", ratio=2, overflow="fold")
    only_renumbered = []
    for e in diff.entries:
        if e.kinds == ("renumbered",) and not all_renumbered:
            only_renumbered.append(f"{e.old.label}→{e.new.label}")
            continue
        kinds = " ".join(KIND_LABELS[k] for k in e.kinds)
        title = (e.new or e.old).title if (e.new or e.old) else ""
        extra = describe_departments(e.departments)
        if e.kind == "ambiguous":
            extra = "候选: " + "; ".join(f"{_where(c.old)}→{_where(c.new)} ({c.score:.0f})"
                                         for c in e.candidates)
        table.add_row(Text(kinds, style=KIND_STYLES[e.kind]), _where(e.old), _where(e.new),
                      title, extra)
    if table.row_count:
        console.print(table)
    if only_renumbered:
        text = Text(f"仅重新编号 {len(only_renumbered)} 项: ", style=KIND_STYLES["renumbered"])
        text.append("、".join(only_renumbered))
        console.print(text)

    if diff.departments:
        dept = Table(title="部门变化", expand=False)
        for name in ("部门", "新增任务", "减少任务", "新增牵头", "取消牵头", "角色变化", "职能承继"):
            dept.add_column(name, justify="left" if name == "部门" else "right",
                            overflow="fold", min_width=4 if name != "部门" else 8)
        for d in diff.departments:
            dept.add_row(d.department, *(str(n) if n else "" for n in (
                d.tasks_gained, d.tasks_lost, d.lead_gained, d.lead_lost, d.role_changed,
                d.succession)))
        console.print(dept)
    for note in (diff.notes_zh or diff.notes) if zh else diff.notes:
        console.print(_("note: {note}").format(note=note), highlight=False)

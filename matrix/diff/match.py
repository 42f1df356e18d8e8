"""Compare two versions of a plan: which tasks changed, and who gained or lost which task.

The matcher. ``diff_plans(old, new)`` is a pure function from two :class:`~matrix.records.Plan`
records to a :class:`~matrix.diff.result.PlanDiff`; the formatters (``report``,
:meth:`PlanDiff.to_json`, the workbook in :mod:`matrix.workbook.diff`) only read a ``PlanDiff``
and never compare anything themselves, as in python-hcl2's ``query/diff.py``.

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
(:meth:`~matrix.records.Task.roles`), so an alias is no change (the parser canonicalised it) and
inherited assignments count like printed ones (their flag is kept). A department replaced by its
successor in the registry (银保监会 → 金融监管总局) is one ``succession``, never lost + gained.
"""

from __future__ import annotations

import gc
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import MatrixError, MatrixInputError
from ..i18n import N_, _
from ..messages import render
from ..records import Plan, Role, Task, task_rows
from .departments import Successors as _Successors, dept_changes as _dept_changes
from .departments import roles as _roles, summarise as _summarise
from .result import Candidate, DiffEntry, PlanDiff, TaskRef
from .text import norm_label, norm_text, split_heading, text_diff
from .similarity import CHUNK_ROWS, fold as _fold, scores as _scores, top2 as _top2  # noqa: F401
from .align import Places as _Places, align_documents as _align_documents


SIMILAR_THRESHOLD = 70.0  # fuzz.ratio of the texts; unrelated clauses of one plan score < 50
SIMILAR_MARGIN = 8.0  # the best must lead the runner-up by this much, on both sides
NUMBER_FLOOR = 50.0  # a same-number pair below this is a new clause in an old place
CONTAINED_THRESHOLD = 85.0  # LCS(part, whole) / len(part), in percent
PARTIAL_THRESHOLD = 80.0  # fuzz.partial_ratio confirming a containment
MIN_PART_LENGTH = 8  # shorter texts ("加强组织领导。") are contained in too many others
MAX_GLOBAL_PAIRS = 4_000_000  # cross-section similarity above this would take seconds: skip it
MAX_GLOBAL_CONTAIN_PAIRS = 250_000

_CUTOFF = min(NUMBER_FLOOR, SIMILAR_THRESHOLD - SIMILAR_MARGIN)


class MatchError(MatrixError, ValueError):
    """A manual match that names no task, several tasks, or a task already matched."""


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
    want = norm_label(label)
    hits = [i for i, (_, t) in enumerate(flat) if norm_label(t.label) == want]
    if section:
        # "二、推动民生消费质量升级", "推动民生消费质量升级" and "二、" all name the section.
        num, title = split_heading(section)
        whole = norm_label(section)

        def names(heading: str | None) -> bool:
            if not heading:
                return False
            h_num, h_title = split_heading(heading)
            return (norm_label(heading) == whole or (bool(title) and h_title == title)
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


class _Matcher:
    """State of one comparison: what is matched, by which pass, and what is left."""

    def __init__(self, old: Plan, new: Plan, successors: Callable[[str], tuple[str, ...]]) -> None:
        self.old, self.new = _flatten(old), _flatten(new)
        self.successors = successors
        self.old_text = [norm_text(t.text) for _, t in self.old]
        self.new_text = [norm_text(t.text) for _, t in self.new]
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
        self.absorb(found, "split", self.consumed_old, self.pair_of_old, self.consumed_new,
                    lambda whole, part: (whole, part))
        # Merge: a free old task mostly contained in a new one.
        found = self.containment(self.free_old(), places.old_block, new_by_block,
                                 self.old_text, self.new_text, self.old_folded, self.new_folded)
        self.absorb(found, "merged", self.consumed_new, self.pair_of_new, self.consumed_old,
                    lambda whole, part: (part, whole))

    def absorb(self, found: dict[int, tuple[int, float]], kind: str, whole_consumed: set[int],
               whole_paired: dict[int, int], part_consumed: set[int],
               old_new: Callable[[int, int], tuple[int, int]]) -> None:
        """Record the parts ``found`` inside a whole (part → (whole, score)): a whole with one
        free part is a plain pair; otherwise each part is a ``kind`` entry (split or merged).
        ``old_new`` turns (whole, part) into (old index, new index)."""
        by_whole: dict[int, list[int]] = defaultdict(list)
        for part, (whole, _) in found.items():
            if whole not in whole_consumed:
                by_whole[whole].append(part)
        for whole, parts in sorted(by_whole.items()):
            if whole not in whole_paired and len(parts) == 1:
                self.pair(*old_new(whole, parts[0]), "contained", found[parts[0]][1])
                continue
            if whole not in whole_paired:
                whole_consumed.add(whole)
            for part in sorted(parts):
                part_consumed.add(part)
                self.add_pair_entry(kind, *old_new(whole, part), found[part][1])

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


def read_matches(pairs: Iterable[str] = (), files: Iterable[str | os.PathLike[str]] = ()
                 ) -> dict[str, str]:
    """The ``matches`` of :func:`diff_plans` from what a person wrote: ``OLD=NEW`` strings (the
    ``--match`` option) and files of ``OLD=NEW`` lines (``--matches``; ``#`` starts a comment).

    Raises :class:`~matrix.errors.MatrixInputError` for a file that cannot be read and
    :class:`MatchError` for a line that is not ``OLD=NEW``, naming where it is.
    """
    lines = [(f"--match {p}", p) for p in pairs]
    from ..safety.limits import MAX_MATCHES_BYTES, read_bounded

    for path in files:
        # Bounded: a --matches /dev/zero must not read for ever (MatrixInputError naming it).
        data = read_bounded(path, MAX_MATCHES_BYTES, N_("matches file"))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise MatrixInputError(_("{path}: cannot read matches: not UTF-8 (byte {offset})")
                                   .format(path=path, offset=e.start)) from None
        lines += [(f"{path}:{n}", line) for n, line in enumerate(text.splitlines(), 1)]
    matches: dict[str, str] = {}
    for where, line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        old, sep, new = line.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise MatchError(_("{where}: expected OLD=NEW, e.g. （三）=（四）, got {line!r}")
                             .format(where=where, line=line))
        matches[old.strip()] = new.strip()
    return matches


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
        from ..departments import default_registry

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
    m.by_key("title", lambda i: norm_text(m.old[i][1].title),
             lambda j: norm_text(m.new[j][1].title), unique=True)

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
        from ..departments import default_registry

        registry = default_registry()
    typed = department.strip()
    present = {n for e in diff.entries for ref in (e.old, e.new) if ref is not None
               for n in ref.departments}
    try:
        # a name a plan prints as a column is that column (a local plan's 统计局 is its own
        # body, not 国家统计局); any other spelling is canonicalised
        name = typed if typed in present else registry.canonical(department).name
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

"""The two plans side by side before their tasks are matched: documents aligned by title or
position (``align_documents``), sections and subsections by heading, title or number
(``align``), and every task's place and block in the new plan's terms (``Places``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..records import Plan, Task
from .text import split_heading


def align(old_keys: Iterable[tuple[Any, str | None]],
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
                piece = split_heading(k[1])[part]
                if piece:
                    by[(k[0], piece)].append(k)
            return by

        by_old, by_new = index(left_old), index(left_new)
        for piece, ks in by_old.items():
            ns = by_new.get(piece)
            if len(ks) == 1 and ns is not None and len(ns) == 1:
                out[ks[0]] = ns[0]
    return out


def align_documents(old: Plan, new: Plan) -> dict[int, int]:
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


class Places:
    """Sections and subsections of the two plans, aligned; gives every task a place and a block.

    A task's *place* is its (section, subsection) expressed in the new plan's terms; ``moved``
    means the places differ. Its *block* is its section alone: similarity is scored within a
    block first.
    """

    def __init__(self, old: Sequence[tuple[int, Task]], new: Sequence[tuple[int, Task]],
                 documents: Mapping[int, int]) -> None:
        old_doc = [documents.get(d, ("old", d)) for d, _ in old]
        sec = align(((d, t.section) for d, (_, t) in zip(old_doc, old)),
                     ((d, t.section) for d, t in new))
        self.old_block = [sec.get((d, t.section), ("old", d, t.section))
                          for d, (_, t) in zip(old_doc, old)]
        self.new_block = [(d, t.section) for d, t in new]
        sub = align(((b, t.subsection) for b, (_, t) in zip(self.old_block, old)),
                     ((b, t.subsection) for b, (_, t) in zip(self.new_block, new)))
        self.old_place = [sub.get((b, t.subsection), ("old", b, t.subsection))
                          for b, (_, t) in zip(self.old_block, old)]
        self.new_place = [(b, t.subsection) for b, (_, t) in zip(self.new_block, new)]

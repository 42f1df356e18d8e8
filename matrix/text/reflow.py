"""Undo the hard line breaks of text copied out of a PDF, keeping a map to the original lines.

``reflow(text)`` runs before ``normalise``. It looks at each line through
``normalise.normalise_line`` (so that ``(1)``, full-width digits and padding do not matter) but
returns the user's own characters, joined. What it guarantees:

1. **Hard-wrapped text is detected, not assumed.** A text is hard-wrapped when most of its
   lines are "full" (within 85% of the common line width, measured both in characters and in
   display columns, hanzi counting two) and most full lines stop in mid-sentence. Ordinary
   documents (one paragraph per line, as the corpus ``.txt`` files and the seeds) are not, and
   only rule 4 applies to them: the tests check that their records do not change.
2. **Joining, in hard-wrapped text.** A full line that does not end a sentence (``。！？``, or
   ``）`` closing a trailer; ``；`` and ``：`` end clauses, not paragraphs, and a first sentence cut
   there would lose the rest of the clause's title) is joined to the next line, unless the next line starts a
   numbered unit (``一、 （一） 1. （1） ①``, ``第一章``), a bullet (``——``, ``●``) or — where
   lines are not indented as a rule — is indented. Where the text marks paragraph starts (some
   lines, not most, are indented; or blank lines stand between paragraphs), a full line that
   ends a sentence is joined too when the next line follows it directly and is not marked. A short line (a title, a heading such as
   ``一、总体要求``, a metadata line, the last line of a paragraph) is never joined to the next.
   A full line is also joined to a next line that starts with closing punctuation, or with a
   parenthesised group (a trailer that followed the sentence end at the wrap).
3. **Page furniture, in hard-wrapped text.** Stand-alone page numbers (``- 12 -``, ``—12—``,
   ``12``, ``第 3 页``, ``第3页 共10页``, ``3/10``) and running headers or footers (a short line
   that recurs at least three times, digits aside, and is neither numbered nor a sentence) are
   dropped, with the blank lines around them, so that a clause split over a page break is one
   clause again.
4. **Split trailers, always.** A line that leaves a parenthesis open near its end is joined to
   the following lines up to the one that closes it, if one does within three lines (never
   across a blank or a numbered line): "（农业农村部、" + "工业和信息化部负责）" is one trailer again.
5. ``Reflowed.lines[i]`` is the 1-based line, in the text given, of the first line that output
   line ``i + 1`` was made from; dropped lines appear in no output line.
6. Nothing else changes: untouched lines are returned as they were, and text that needs no
   reflow comes back identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from .normalise import clean_lines, has_entity_or_surrogate, normalise_line
from .patterns import lazy

_NUMBERED = lazy(r"^(?:[一二三四五六七八九十百千零〇两]+、|（[一二三四五六七八九十百千零〇两]+）|"
                       r"\d{1,3}[.、](?!\d)|（\d{1,3}）|[①-⑳]|第[一二三四五六七八九十百零〇两\d]+[章节条部分篇])")
_BULLET = lazy(r"^(?:——|[●•■◆▪►★※□▲◇○]|-\s)")
_PAGE_NUMBER = lazy(
    r"^(?:[-－—–‒―~～\s]*\d{1,4}[-－—–‒―~～\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|"
    r"\d{1,4}\s*/\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|"
    r"共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)$", re.IGNORECASE)
_SENTENCE_END = "。！？"  # ； and ： end clauses, not paragraphs: a wrap after them is joined
_CLOSING = "。，、；：！？）”』」》】〕"
_TRAILER_WORD = lazy(r"负责|牵头|参与|配合|指导|会同|责任|协办|单位|部门")
_INDENT = lazy(r"^(?:[ \t\u3000\xa0]{2,}|\u3000)")
_PAREN = lazy("[（）]")
_FULL = 0.85
_MAX_PAREN_JOINS = 3
_MAX_TRAILER = 120  # characters from an unclosed （ to the line end that can still be a trailer


@dataclass(frozen=True)
class Reflowed:
    """Text after reflowing, the original line of each of its lines, and what was done."""

    text: str
    lines: tuple[int, ...]
    hard_wrapped: bool = False
    dropped: tuple[int, ...] = ()  # original lines dropped as page numbers or running headers
    # normalise_line of each line, when the text came back as it was given and holds no entity
    # or lone surrogate (normalise then has only the script conversion to do)
    cleaned: tuple[str, ...] | None = None

    def original_line(self, line: int) -> int:
        """Map a 1-based line of the reflowed text to the line of the text given."""
        if line < 1 or not self.lines:
            return line
        return self.lines[min(line, len(self.lines)) - 1]


# East Asian Wide and Fullwidth characters (Unicode 14.0.0 EastAsianWidth W and F of
# every assigned code point, generated from unicodedata): each takes two columns. One regular
# expression instead of a Python loop over unicodedata.east_asian_width, which cost more than the
# rest of reflow together.
_WIDE = lazy("["
    "\u1100-\u115f\u231a-\u231b\u2329-\u232a\u23e9-\u23ec\u23f0\u23f3\u25fd-\u25fe"
    "\u2614-\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa-\u26ab\u26bd-\u26be\u26c4-\u26c5"
    "\u26ce\u26d4\u26ea\u26f2-\u26f3\u26f5\u26fa\u26fd\u2705\u270a-\u270b\u2728\u274c"
    "\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b-\u2b1c\u2b50\u2b55"
    "\u2e80-\u303e\u3041-\u3247\u3250-\u4dbf\u4e00-\ua4c6\ua960-\ua97c\uac00-\ud7a3"
    "\uf900-\ufad9\ufe10-\ufe19\ufe30-\ufe6b\uff01-\uff60\uffe0-\uffe6"
    "\U00016fe0-\U0001b2fb\U0001f004\U0001f0cf\U0001f18e\U0001f191-\U0001f19a"
    "\U0001f200-\U0001f320\U0001f32d-\U0001f335\U0001f337-\U0001f37c\U0001f37e-\U0001f393"
    "\U0001f3a0-\U0001f3ca\U0001f3cf-\U0001f3d3\U0001f3e0-\U0001f3f0\U0001f3f4"
    "\U0001f3f8-\U0001f43e\U0001f440\U0001f442-\U0001f4fc\U0001f4ff-\U0001f53d"
    "\U0001f54b-\U0001f54e\U0001f550-\U0001f567\U0001f57a\U0001f595-\U0001f596\U0001f5a4"
    "\U0001f5fb-\U0001f64f\U0001f680-\U0001f6c5\U0001f6cc\U0001f6d0-\U0001f6d2"
    "\U0001f6d5-\U0001f6df\U0001f6eb-\U0001f6ec\U0001f6f4-\U0001f6fc\U0001f7e0-\U0001f7f0"
    "\U0001f90c-\U0001f93a\U0001f93c-\U0001f945\U0001f947-\U0001f9ff\U0001fa70-\U0001faf6"
    "\U00020000-\U0003134a"
    "]+")


def _width(s: str) -> int:
    return len(s) + sum(map(len, _WIDE.findall(s)))


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))] if ordered else 0


class _Line(NamedTuple):
    """One line as reflow sees it: the user's text, its normalised form and its extent.

    A named tuple: reflow makes one per line of the text, and a tuple is made several times
    faster than a frozen dataclass."""

    raw: str
    norm: str
    chars: int  # characters as printed, the indentation included
    columns: int  # display columns (hanzi two) as printed, the indentation included

    @classmethod
    def of(cls, raw: str, norm: str | None = None, wide: int | None = None) -> _Line:
        """Measure one line of the user's text (``norm``: its ``normalise_line``, and ``wide``:
        how many wide characters it holds, if known)."""
        if norm is None:
            norm = normalise_line(raw)
        if not norm:
            return cls(raw, norm, 0, 0)
        # Measured as printed (glosses, half-width punctuation and indentation take room on the
        # page), without trailing padding.
        printed = raw.replace("\f", "").replace("\t", "    ").rstrip(" \xa0\u3000\v")
        if wide is None:
            return cls(raw, norm, len(printed), _width(printed))
        # The padding stripped from the end may hold ideographic spaces, which are wide.
        padding = raw[len(raw.rstrip(_PADDING)):]
        return cls(raw, norm, len(printed), len(printed) + wide - padding.count("\u3000"))


_PADDING = " \xa0\u3000\v\t\f"


def _wide_counts(raws: list[str]) -> list[int]:
    """How many wide characters each line holds: one regular-expression pass over the text
    (rather than one call per line) removes them, and each line is shorter by that many."""
    narrow = _WIDE.sub("", "\n".join(raws)).split("\n")
    return [len(raw) - len(rest) for raw, rest in zip(raws, narrow)]


@dataclass(frozen=True)
class _Shape:
    """Line widths of a text: what counts as a full line."""

    chars: int
    columns: int

    def full(self, line: _Line) -> bool:
        """Whether ``line`` runs (nearly) to the wrap width: the text goes on after it."""
        return bool(line.norm) and (line.chars >= _FULL * self.chars
                                    or line.columns >= _FULL * self.columns)


def _shape(lines: list[_Line]) -> _Shape:
    nonblank = [line for line in lines if line.norm]
    return _Shape(_percentile([line.chars for line in nonblank], 0.9),
                  _percentile([line.columns for line in nonblank], 0.9))


def _closes_trailer(s: str) -> bool:
    """Whether the ） that ends ``s`` closes a trailer or follows a sentence end."""
    depth = 0
    for i in range(len(s) - 1, -1, -1):
        ch = s[i]
        if ch == "）":
            depth += 1
        elif ch == "（":
            depth -= 1
            if depth == 0:
                group = s[i:]
                before = s[i - 1] if i else ""
                return bool(_TRAILER_WORD.search(group)) or before in _SENTENCE_END or not before
    return False


def ends_sentence(s: str) -> bool:
    """Whether a (normalised) line may end a paragraph: 。！？ or a ） closing a trailer."""
    s = s.rstrip("”’」』")
    if not s:
        return False
    if s[-1] in _SENTENCE_END:
        return True
    return s[-1] == "）" and _closes_trailer(s)


def starts_unit(s: str) -> bool:
    """Whether a (normalised) line starts a numbered unit or a bullet."""
    return bool(_NUMBERED.match(s) or _BULLET.match(s))


def _open_tail(s: str) -> bool:
    """Whether ``s`` leaves a parenthesis open near its end (a trailer cut by a line break)."""
    depth, start = 0, None
    for m in _PAREN.finditer(s):  # the parentheses only: a C-speed scan between them
        if m.group() == "（":
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
    return depth > 0 and start is not None and len(s) - start <= _MAX_TRAILER


def _closes_soon(lines: list[_Line], j: int, most: int) -> bool:
    """Whether a ） that closes an earlier （ comes within ``most`` lines from ``j``, before a
    blank or numbered line (a pair such as "（表1）" on those lines does not count)."""
    depth = 0
    for k in range(j, min(j + most, len(lines))):
        s = lines[k].norm
        if not s or (k > j and starts_unit(s)):
            return False
        for m in _PAREN.finditer(s):
            if m.group() == "（":
                depth += 1
            elif depth == 0:
                return True
            else:
                depth -= 1
    return False


def looks_hard_wrapped(lines: list[str]) -> bool:
    """Whether the lines of a text look hard-wrapped at a fixed width (rule 1)."""
    return _hard_wrapped([_Line.of(line) for line in lines])


def _hard_wrapped(lines: list[_Line]) -> bool:
    nonblank = [line for line in lines if line.norm]
    if len(nonblank) < 6:
        return False
    shape = _shape(nonblank)
    if shape.chars < 12:
        return False
    full = [line for line in nonblank if shape.full(line)]
    open_ended = [line for line in full if not ends_sentence(line.norm)]
    return len(full) >= 0.4 * len(nonblank) and len(open_ended) >= 0.5 * len(full)


def _key(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _furniture(lines: list[_Line], shape: _Shape) -> list[int]:
    """Indexes of page numbers and running headers/footers (rule 3)."""
    pages = {i for i, line in enumerate(lines) if line.norm and _PAGE_NUMBER.match(line.norm)}
    seen: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        s = line.norm
        if (not s or i in pages or shape.full(line) or len(s) > 40 or starts_unit(s)
                or ends_sentence(s) or _TRAILER_WORD.search(s) or re.search(r"[（）()]", s)
                or s[0] in _CLOSING or len(re.findall(r"\w", s)) < 2):
            continue
        seen.setdefault(_key(s), []).append(i)
        digits = re.sub(r"\d+", "#", _key(s))
        if digits != _key(s):
            seen.setdefault("#" + digits, []).append(i)
    nonblank = [i for i, line in enumerate(lines) if line.norm]
    position = {i: k for k, i in enumerate(nonblank)}

    def near_page_break(i: int) -> bool:
        """Whether line ``i`` is within two lines of a page number or a form feed."""
        k = position[i]
        around = nonblank[max(0, k - 2):k + 3]
        return any(j in pages or "\f" in lines[j].raw for j in around)

    drop = set(pages)
    for key, where in seen.items():
        if len(where) < 3:
            continue
        gaps = [position[b] - position[a] for a, b in zip(where, where[1:])]
        if key.startswith("#"):  # varies in its digits (a page number in it): only at breaks
            drop.update(i for i in where if near_page_break(i))
        elif min(gaps) >= 8 or all(near_page_break(i) for i in where):
            drop.update(where)
    return sorted(drop)


def _join(parts: list[str], right: str) -> None:
    """Append ``right`` to the line whose pieces are ``parts``: no space between them (Chinese
    has none), unless the left piece ended in white space between two Latin words.

    The line is kept as a list of pieces, joined once at the end: a paragraph of many wrapped
    lines is then built in linear time, not copied again for every line.
    """
    spaced = parts[-1][-1:] in (" ", "\t")
    while parts:  # the left piece without its trailing white space
        stripped = parts[-1].rstrip(" \t\f\v\xa0")
        if stripped:
            parts[-1] = stripped
            break
        parts.pop()
    left_end = parts[-1][-1:] if parts else ""
    right = right.lstrip(" \t\f\v\xa0\u3000")
    if spaced and left_end.isascii() and left_end.isalnum() and right[:1].isascii() \
            and right[:1].isalnum():
        right = " " + right
    parts.append(right)


class _Parens:
    """Parenthesis depth of a growing line, fed piece by piece: what ``_open_tail`` says of the
    whole line, without rescanning it for every piece. Pieces are scanned only when asked
    about: most lines never are."""

    def __init__(self, s: str) -> None:
        self._depth, self.start, self.length = 0, None, 0
        self._pending = [s]

    def feed(self, s: str) -> None:
        """Take the next piece of the line into account."""
        self._pending.append(s)

    def _settle(self) -> None:
        for s in self._pending:
            for m in _PAREN.finditer(s):
                if m.group() == "（":
                    if self._depth == 0:
                        self.start = self.length + m.start()
                    self._depth += 1
                elif self._depth:
                    self._depth -= 1
            self.length += len(s)
        self._pending.clear()

    @property
    def depth(self) -> int:
        """Parentheses left open by the line so far."""
        self._settle()
        return self._depth

    def open_tail(self) -> bool:
        """``_open_tail`` of the line so far."""
        depth = self.depth
        return depth > 0 and self.start is not None and self.length - self.start <= _MAX_TRAILER


def _kept(lines: list[_Line], shape: Any, hard: bool) -> tuple[list[bool], list[int]]:
    """Which lines stay (page furniture of a hard-wrapped text and the blank lines around it go)
    and the indexes of the furniture dropped."""
    n = len(lines)
    keep = [True] * n
    dropped = _furniture(lines, shape) if hard else []
    for i in dropped:
        keep[i] = False
        # The blank lines around a page break are not paragraph breaks.
        for step in (-1, 1):
            j = i + step
            while 0 <= j < n and not lines[j].norm:
                keep[j] = False
                j += step
    return keep, dropped


def _paragraph_marks(lines: list[_Line], keep: list[bool], hard: bool):
    """How the text marks its paragraphs: whether blank lines are breaks, which lines are
    indented, and whether an indent or a blank line starts a paragraph."""
    kept = [i for i in range(len(lines)) if keep[i] and lines[i].norm]
    blank_between = sum(1 for a, b in zip(kept, kept[1:]) if any(keep[k] for k in range(a + 1, b)))
    blanks_are_breaks = blank_between * 2 <= len(kept)
    indented = [bool(_INDENT.match(line.raw)) for line in lines]
    indent_marks_paragraph = hard and sum(indented[i] for i in kept) * 2 < len(kept)
    blanks_mark_paragraphs = hard and blanks_are_breaks and blank_between * 8 >= len(kept)
    indents_mark_paragraphs = (indent_marks_paragraph
                               and sum(indented[i] for i in kept) * 20 >= len(kept))
    return (blanks_are_breaks, indented, indent_marks_paragraph, blanks_mark_paragraphs,
            indents_mark_paragraphs)


def reflow(text: str, *, hard_wrapped: bool | None = None) -> Reflowed:
    """Reflow ``text`` as the module docstring promises.

    ``hard_wrapped`` forces the decision of rule 1: ``True`` reflows every text, ``False`` only
    repairs split trailers (rule 4), ``None`` (the default) detects.
    """
    raws = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [_Line.of(raw, norm, wide)
             for raw, norm, wide in zip(raws, clean_lines(raws), _wide_counts(raws))]
    hard = _hard_wrapped(lines) if hard_wrapped is None else hard_wrapped
    shape = _shape(lines)
    n = len(lines)
    keep, dropped = _kept(lines, shape, hard)
    (blanks_are_breaks, indented, indent_marks_paragraph, blanks_mark_paragraphs,
     indents_mark_paragraphs) = _paragraph_marks(lines, keep, hard)

    out: list[str] = []
    origin: list[int] = []
    i = 0
    while i < n:
        if not keep[i]:
            i += 1
            continue
        current, parens = [lines[i].raw], _Parens(lines[i].norm)
        origin.append(i + 1)
        last = i  # the last original line in ``current``
        paren_joins = 0
        while lines[i].norm:
            j = last + 1
            while j < n and (not keep[j] or (not lines[j].norm and hard and not blanks_are_breaks)):
                j += 1
            if j >= n or not lines[j].norm:
                break
            nxt = lines[j].norm
            if starts_unit(nxt):
                break
            join = False
            if (paren_joins < _MAX_PAREN_JOINS
                    and (_open_tail(lines[last].norm) or (paren_joins and parens.depth))
                    and _closes_soon(lines, j, _MAX_PAREN_JOINS - paren_joins)):
                join = True
                paren_joins += 1
            elif hard and shape.full(lines[last]):
                if nxt[0] in _CLOSING or parens.open_tail():
                    join = True
                elif indent_marks_paragraph and indented[j]:
                    join = False
                elif not ends_sentence(lines[last].norm):
                    join = True
                elif (indents_mark_paragraphs or blanks_mark_paragraphs) and j == last + 1:
                    # The text marks where paragraphs start (an indent, or a blank line before
                    # them): a sentence that ends at the wrap goes on in the same paragraph.
                    join = True
                elif nxt.startswith("（") and _TRAILER_WORD.search(nxt.split("）", 1)[0]):
                    join = True
            if not join:
                break
            _join(current, lines[j].raw)
            parens.feed(nxt)
            last = j
        out.append("".join(current))
        i = last + 1
    cleaned = None
    if len(out) == n and not dropped and not has_entity_or_surrogate(text):
        cleaned = tuple(line.norm for line in lines)
    return Reflowed("\n".join(out), tuple(origin), hard, tuple(i + 1 for i in dropped), cleaned)

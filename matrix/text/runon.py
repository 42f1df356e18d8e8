"""A page saved as one line: its numbered clauses put back on lines of their own.

A web page copied or saved without its paragraph breaks arrives as one long line (or a few)::

    …现提出以下意见。1.对来莆田…资助。责任单位：市委组织部、市科技局。2.对实际投资…

``split_run_on(text)`` cuts such a line before each clause number that follows a sentence end
(。；！？ or a closing parenthesis) or a space — ``一、`` ``（一）`` ``1.`` ``1、`` ``（1）`` — when the
numbers of one style run in sequence along the line (1, 2, 3 … or 一, 二, 三 …; a number that
breaks its sequence, as "。3、4个" would, is text). A whole plan saved so has headings that end in a
word (…工作要点一、…发展引擎（一）…创新高地1.实施…): a number right after a word is a clause's
where the text since the last cut is heading-short and the number is followed by words; items
numbered on through the sections continue their run under a new heading, and after a trailer
or a heading a run may leave a few numbers out (30. … 34.: the plan's numbering warning tells). Only lines of at least ``MIN_LENGTH``
characters that hold two clause numbers or more are looked at, and only in a text with fewer
than three lines that start with a clause number (a text that has its lines keeps them: a number
inside one of its lines is an inline enumeration): ordinary documents come back unchanged. Returns None when nothing was cut; else the new text and, for each of its lines, the
1-based line of ``text`` it came from.
"""

from __future__ import annotations

from .patterns import lazy

MIN_LENGTH = 200
_HAN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
# after a sentence end or after white space (no run of spaces is matched: a line of spaces
# would be tried from each of them)
_BEFORE = r"(?:(?<=[。；！？）)”])|(?<=\s))"
_NUMBERS = (r"(?:"
            r"(?P<sec>[一二三四五六七八九十]{1,3})、"
            r"|[（(](?P<cla>[一二三四五六七八九十]{1,3})[）)]"
            r"|(?P<item>\d{1,3})[.．、﹒](?!\d)"
            r"|[（(](?P<sub>\d{1,3})[）)])")
_NUMBER = lazy(_BEFORE + _NUMBERS)
# A number right after a heading's last word (…数字化发展引擎（一）打造…高地1.实施…): the
# headings of a page saved as one line end without punctuation. Such a number is a clause's
# only where the text since the last cut is heading-short and holds no sentence end, and the
# number is followed by words, never by a figure (到2025年完成1、2号线).
_AFTER_WORD = lazy(r"(?<=[\u4e00-\u9fffA-Za-z0-9”》])(?<![\d.．])" + _NUMBERS + r"(?=[\u4e00-\u9fff“《])")
_MAX_HEADING = 40
_SKIP = 5  # how far a run may jump after a trailer or a heading (30. … 34.)
_SENTENCE_END = lazy(r"[。；！？]")


# A text with this many lines that start with a clause number keeps its lines as they are.
_STRUCTURED = 3
_LINE_NUMBER = lazy(r"^[ \u3000\xa0\t]*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]"
                    r"|\d{1,3}[.．、﹒](?!\d)|[（(]\d{1,3}[）)])")


def _han_value(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_HAN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_HAN_DIGITS.get(ones, 0) if ones else 0)
    return _HAN_DIGITS.get(text, 0)


def _cuts(line: str) -> list[int]:
    """Where ``line`` is cut: before each clause number that continues its style's sequence."""
    last: dict[str, int] = {}
    carried: dict[str, int] = {}  # a deeper style's last number before a new run above it: plans
    # number their items on through the sections (（一）…8. （二）9.)
    cuts: list[int] = []
    last_style = None  # the style of the last number cut before
    strict = [(m, True) for m in _NUMBER.finditer(line)]
    loose = [(m, False) for m in _AFTER_WORD.finditer(line)]
    for m, after_end in sorted(strict + loose, key=lambda found: found[0].start()):
        style = m.lastgroup
        raw = m.group(style)
        value = int(raw) if raw.isdigit() else _han_value(raw)
        before = last.get(style, carried.get(style))
        since = line[cuts[-1] if cuts else 0:m.start()]
        if not after_end and (len(since) > _MAX_HEADING or _SENTENCE_END.search(since)):
            continue
        # a number or two left out (30. … 34.) is told from an inline enumeration (。3、4个)
        # only after a trailer's closing parenthesis or a heading
        under_heading = last_style in ("sec", "cla") and style in ("item", "sub") and len(
            since) <= _MAX_HEADING
        skip = _SKIP if not after_end or under_heading or line[m.start() - 1:m.start()] in "）)" \
            else 1
        if value == 1 or (before is not None and before < value <= before + skip):
            last[style] = value
            last_style = style
            if value == 1:  # a new run: the deeper styles start again under it
                for deeper in ("cla", "item", "sub")[("sec", "cla", "item", "sub").index(style):]:
                    if deeper != style and deeper in last:
                        carried[deeper] = last.pop(deeper)
            start = m.start()
            while start < len(line) and line[start] in " \u3000\xa0":
                start += 1
            if start > 0:
                cuts.append(start)
    return cuts


def split_run_on(text: str) -> tuple[str, tuple[int, ...]] | None:
    """The text with each run-on line cut before its clause numbers (see the module docstring)."""
    lines = text.split("\n")
    if sum(1 for line in lines if _LINE_NUMBER.match(line)) >= _STRUCTURED:
        return None  # the text has its lines: a number inside one is an inline enumeration
    out: list[str] = []
    origin: list[int] = []
    changed = False
    for number, line in enumerate(lines, 1):
        cuts = _cuts(line) if len(line) >= MIN_LENGTH else []
        if len(cuts) < 2:
            out.append(line)
            origin.append(number)
            continue
        changed = True
        for start, end in zip([0, *cuts], [*cuts, len(line)]):
            piece = line[start:end].rstrip(" \u3000\xa0")
            if piece:
                out.append(piece)
                origin.append(number)
    if not changed:
        return None
    return "\n".join(out), tuple(origin)

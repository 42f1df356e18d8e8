"""Where a plan's text stands among the segments of a unit's body (internal to ``transform``).

* ``segments_of``: a unit's tokens with each trailer read out (a bracketed trailer, a sentence
  trailer, a block of field lines with its 完成时限);
* a local plan's heading line over unnumbered paragraph tasks (``heading_over_paragraphs``,
  ``heading_over_one_paragraph``): the heading is the tasks' title, never their text;
* an attachment's title with a lead line under it (附件2 / 某县…任务清单 / （县自然资源局牵头）:
  ``attachment_lead``), the plan's lead for the tasks after it, never the trailer of the unit
  before the attachment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .lalr import Token

from ..text.patterns import lazy
from .units import Unit

_ATTACHMENT = lazy(r"^附\s*件\s*[\d一二三四五六七八九十]*\s*[:：]?")
_MAX_TITLE = 60


def own_line(segments, i: int) -> bool:
    """Is ``segments[i]`` alone on its line?"""
    before = segments[i - 1][0] if i > 0 else None
    after = segments[i + 1][0] if i + 1 < len(segments) else None
    return (before is None or before.type == "NL") and (
        after is None or after.type == "NL" or (after.type == "TEXT" and not after.strip("。 ")))


def lines_before(segments, i: int) -> list[str]:
    """The text of the lines before ``segments[i]`` back to the previous trailer, last first."""
    lines, current = [], []
    for tok, trailer in reversed(segments[:i]):
        if trailer is not None:
            break
        if tok.type == "NL":
            if current:
                lines.append("".join(reversed(current)).strip())
            current = []
        else:
            current.append(str(tok))
    if current:
        lines.append("".join(reversed(current)).strip())
    return [line for line in lines if line]


def title_line(line: str) -> bool:
    return 0 < len(line) <= _MAX_TITLE and not line.endswith(("。", "；", "，", "：", ":", "、"))


def attachment_lead(segments, i: int) -> bool:
    """Is the trailer ``segments[i]`` a lead line under an attachment's title (附件2 / 某县…任务
    清单 / （县自然资源局牵头）), alone on its line?"""
    if not own_line(segments, i):
        return False
    lines = lines_before(segments, i)
    if len(lines) < 2 or not title_line(lines[0]):
        return False
    return any(_ATTACHMENT.match(line) for line in lines[1:3])


def before_attachment(text: list) -> list:
    """``text`` (the unit's tokens so far) up to the line that opens an attachment."""
    joined = "".join(text)
    lines = joined.split("\n")
    for k, line in enumerate(lines):
        if _ATTACHMENT.match(line.strip()):
            return ["\n".join(lines[:k])]
    return text


def first_paragraph(segments) -> int:
    """Where the first paragraph task under a heading line starts: after the heading's own line
    and the lines that lead in to the paragraphs (今年要重点做好以下工作：), each a line of its own
    ending with a colon."""
    i = next((k for k, (tok, _) in enumerate(segments) if tok.type == "NL"), len(segments)) + 1
    while i < len(segments):
        end = next((k for k in range(i, len(segments)) if segments[k][0].type == "NL"), None)
        if end is None or any(trailer is not None for _, trailer in segments[i:end]):
            break
        line = "".join(str(tok) for tok, _ in segments[i:end]).strip()
        if not line.endswith(("：", ":")):
            break
        i = end + 1
    return i


_HEADING_KINDS = ("section", "clause")  # 一、 and （一）: the numbers a local plan heads with
_MAX_HEADING = 30


def heading_over_one_paragraph(unit: Unit, segments) -> bool:
    """Does a local plan's heading (三、保安全, （二）强基础) stand on a line of its own over one
    unnumbered paragraph that ends with the trailer (开展安全生产大检查…。（责任单位：…）)? The
    heading is the task's title, never its text. A numbered clause whose own line is a
    sentence (ends with 。；，) or long is its text wrapped over lines, never a heading."""
    if unit.kind not in _HEADING_KINDS:
        return False
    trailers = [i for i, (_, trailer) in enumerate(segments) if trailer is not None]
    if len(trailers) != 1:
        return False
    first_nl = next((i for i, (tok, trailer) in enumerate(segments)
                     if trailer is None and tok.type == "NL"), None)
    if first_nl is None or first_nl > trailers[0] or first_nl == 0:
        return False
    if any(tok.type not in ("TEXT", "NL") for tok, _ in segments[:first_nl]):
        return False
    head = "".join(tok for tok, _ in segments[:first_nl]).strip()
    if not head or len(head) > _MAX_HEADING or head.endswith(("。", "；", "，", "、", "：", ";", ",")):
        return False
    # the paragraph under it ends with its trailer on its own line (nothing but a line break
    # or 。 after it): a trailer on a line of its own after the text is the whole section's
    # (由…负责落实。 under 一、…主要目标), whose heading stays its text
    i = trailers[0]
    paragraph = [tok for tok, _ in segments[first_nl + 1:i]]
    if not any(tok.type == "TEXT" and tok.strip() for tok in paragraph) or any(
            tok.type == "NL" for tok in paragraph):
        return False
    after = segments[i + 1][0] if i + 1 < len(segments) else None
    return after is None or after.type == "NL" or (
        after.type == "TEXT" and not after.strip("。；， "))


def heading_over_paragraphs(segments) -> bool:
    """Does a unit open with a line of its own (no trailer on it) over two or more paragraphs
    that each end with a trailer?"""
    trailers = [i for i, (_, trailer) in enumerate(segments) if trailer is not None]
    if len(trailers) < 2:
        return False
    first_nl = next((i for i, (tok, trailer) in enumerate(segments)
                     if trailer is None and tok.type == "NL"), None)
    if first_nl is None or first_nl > trailers[0]:
        return False
    # every trailer ends its paragraph (a line break or the end follows it)
    for i in trailers:
        after = segments[i + 1][0] if i + 1 < len(segments) else None
        if after is not None and after.type != "NL" and not (
                after.type == "TEXT" and not after.strip("。；， ")):
            return False
    return True


_LINE_END = lazy(r"[。；，\s]+$")


def segments_of(body: Sequence[Token]) -> Iterable[tuple[Token, tuple[str, str, str | None] | None]]:
    """The body's tokens, with each trailer as ``(token, (inner, shown, deadline))``.

    A bracketed TRAILER is one segment (inner = its text without the brackets). Consecutive
    LINE_TRAILER lines (blank lines between them are gone after normalising) are one trailer:
    read as their lines joined by ；, shown as the lines; a LINE_EXTRA line after them
    (完成时限：…) gives the deadline.
    """
    i, n = 0, len(body)
    while i < n:
        tok = body[i]
        if tok.type == "TRAILER":
            yield tok, (tok[1:-1], tok[1:-1], None)
            i += 1
            continue
        if tok.type == "SENTENCE_TRAILER":  # 。由X、Y负责落实。: the 。 before it ends the text
            if tok.startswith("。"):
                stop = str.__new__(Token, "。")
                stop.type, stop.value = "TEXT", "。"
                yield stop, None
                tok = _token_tail(tok)
            yield tok, (str(tok).rstrip("。"), str(tok), None)
            i += 1
            continue
        if tok.type != "LINE_TRAILER":
            yield tok, None
            i += 1
            continue
        if tok.startswith("。"):  # on the clause's own line: the 。 ends the clause's text
            stop = str.__new__(Token, "。")
            stop.type, stop.value = "TEXT", "。"
            yield stop, None
            tok = _token_tail(tok)
        lines, deadline, j = [str(tok)], None, i + 1
        while j < n:
            nxt = body[j]
            if nxt.type == "NL":
                j += 1
            elif nxt.type == "LINE_TRAILER" and deadline is None:
                lines.append(str(nxt))
                j += 1
            elif nxt.type == "LINE_EXTRA":
                deadline = deadline or str(nxt).split("：", 1)[1].strip() or None
                lines.append(str(nxt))
                j += 1
            else:
                break
        read = "；".join(_LINE_END.sub("", line) for line in lines if not _is_extra(line))
        if not any(_names_bodies(line) for line in lines):
            # only people (牵头负责领导：…): no responsibility to read; running text
            for t in body[i:j]:
                yield t, None
            i = j
            continue
        yield tok, (read, "\n".join(lines), deadline)
        # the line breaks the block swallowed are given back as one, so the text stays lines
        newline = next((t for t in body[i:j] if t.type == "NL"), None)
        if newline is not None:
            yield newline, None
        i = j


def _token_tail(tok: Token) -> Token:
    """A LINE_TRAILER token without its leading 。 (same type and line)."""
    tail = str.__new__(Token, tok[1:])
    tail.type, tail.value, tail.line = tok.type, tok[1:], tok.line
    tail.column = tok.column + 1 if tok.column is not None else None
    tail.start_pos = tok.start_pos + 1 if tok.start_pos is not None else None
    return tail


def _names_bodies(line: str) -> bool:
    """A line-trailer line that names bodies, not only people (牵头负责领导：…)."""
    head = line.split("：", 1)[0]
    return not _is_extra(line) and not head.endswith(("领导", "领导同志"))


def _is_extra(line: str) -> bool:
    return line.startswith(("完成时限", "完成时间", "时间节点", "时限要求"))

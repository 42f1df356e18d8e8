"""Texts as the matcher compares them (:func:`norm_text`, :func:`norm_label`,
:func:`split_heading`) and the word-level diff of a changed text (:func:`text_diff`)."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Any


Segment = tuple[str, str, str]  # (op, old text, new text); op: equal, replace, delete, insert
_SPACE = re.compile(r"\s+")
_HEADING_NUMBER = re.compile(
    r"^\s*(?:第[^章节条部分\s]{1,6}[章节条部分]|[一二三四五六七八九十百零〇两]+[、.．]"
    r"|[（(][^）)]{1,6}[）)]|\d+[.、．]|[①-⑳])\s*")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.%][A-Za-z0-9]+)*%?|\s+|.", re.S)


def norm_text(text: str) -> str:
    """Text as compared: as the normaliser left it (script, width and punctuation already
    folded by ``normalise``), without whitespace."""
    if " " in text or "\n" in text or "\t" in text or "\u3000" in text:
        return _SPACE.sub("", text)
    return text


def norm_label(text: str) -> str:
    """A label or heading as a person may type it: width folded (NFKC), no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def split_heading(heading: str | None) -> tuple[str, str]:
    """ "三、增强产业基础质量竞争力" → ("三、", "增强产业基础质量竞争力")."""
    if not heading:
        return "", ""
    m = _HEADING_NUMBER.match(heading)
    if not m:
        return "", norm_label(heading)
    return norm_label(m.group(0)), norm_label(heading[m.end():])


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

"""How alike two clause texts are, for ``match``: every pair of a block scored at once with
RapidFuzz (``scores``, texts folded onto Latin-1 by ``fold`` so that its fast path applies), and
the best two candidates of one side (``top2``). Pure functions of the texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

CHUNK_ROWS = 256  # rows of one cdist call: memory stays at CHUNK_ROWS × columns scores


def fold(texts: Sequence[str], frequent_in: Sequence[str]) -> list[str]:
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


def scores(rows: Sequence[int], cols: Sequence[int], row_texts: Sequence[str],
            col_texts: Sequence[str], row_folded: Sequence[str], col_folded: Sequence[str],
            scorer: Any, cutoff: float, per_row_length: bool = False
            ) -> dict[tuple[int, int], float]:
    """{(row, col): score} for the pairs of rows × cols whose score reaches ``cutoff``.

    ``process.cdist`` scores the folded texts (an upper bound, see ``fold``) in chunks of
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


def top2(cands: Mapping[int, float], exclude: int | None = None) -> tuple[int | None, float,
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

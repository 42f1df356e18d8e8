"""Generated inputs for the benchmarks: big plans made from the real seed and corpus texts.

Clauses are repeated and renumbered, so the text is realistic (the same trailer forms, the
same sentence lengths) but as long as asked for.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "seeds" / "001_5afa0209a0ae242f.txt",
           *sorted((ROOT / "tests" / "corpus").glob("*.txt"))]

_CLAUSE = re.compile(r"^\s*[（(][一二三四五六七八九十百]+[）)]", re.M)
_SECTION = re.compile(r"^\s*[一二三四五六七八九十百]+、", re.M)
_DIGITS = "零一二三四五六七八九"


def han(n: int) -> str:
    """Chinese numeral for 1 … 9999 (十二, 二十, 一百零五)."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
            out += ("" if (value == 10 and digit == 1 and not out) else _DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def clauses() -> list[str]:
    """Every numbered clause with a trailer from the sources, number stripped, one line each."""
    out = []
    for path in SOURCES:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            m = _CLAUSE.match(line)
            if m and ("负责" in line or "牵头" in line or "負責" in line):
                out.append(line[m.end():])
    return out


def plan_text(tasks: int, per_section: int = 20) -> str:
    """A plan of about ``tasks`` tasks: sections of ``per_section`` clauses, numbering restarting
    at （一） in each section (as many real plans do)."""
    pool = clauses()
    lines = ["关于印发《基准测试行动方案》的通知", "一、总体要求", "（一）指导思想。坚持稳中求进。"]
    section = 1
    n = 0
    while n < tasks:
        section += 1
        lines.append(f"{han(section)}、重点任务第{section}部分")
        for k in range(1, per_section + 1):
            if n >= tasks:
                break
            lines.append(f"（{han(k)}）{pool[n % len(pool)]}")
            n += 1
    return "\n".join(lines) + "\n"


def plan_of_size(megabytes: float) -> str:
    """A plan of about ``megabytes`` MB of UTF-8."""
    sample = plan_text(200)
    per_task = len(sample.encode("utf-8")) / 200
    return plan_text(int(megabytes * 1_000_000 / per_task))

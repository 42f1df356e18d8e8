"""dutymatrix benchmark suite: every figure of the speed issue, measured and checked.

Not part of the tests (timings depend on the machine). Run from the repository root::

    python bench/bench.py            # everything (a few minutes)
    python bench/bench.py --quick    # fewer runs and smaller batches

Start-up (``--help``, ``parse``, ``build``) is the fastest of interleaved rounds as a ratio to
``python -c pass`` timed in the same rounds (``bench/startup.py``, which also runs alone and
against another checkout); the load average is printed with the table. For the rest it
generates its inputs (plans of 22, 1,000 and 10,000 tasks made by repeating and renumbering
the seed and corpus documents; folders of 100 and 1,000 plan files), and prints: median wall time
over several runs, peak memory (resident set of the measured process; for a batch, the
proportional set size of all its processes together, sampled), throughput, the target and
PASS/FAIL on this machine. Commands are timed
as whole processes, as a user runs them.

The targets were set on a machine where ``python -c pass`` took ~7 ms and ``import click``
~25 ms. The script times both here first and prints how much slower this machine is, and a last
column with each figure scaled by that factor: an estimate of the figure on the reference
machine, for telling a slow machine from slow code. It is not a measurement; PASS/FAIL is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.plans import plan_of_size, plan_text  # noqa: E402

SEED = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"
CORPUS = sorted((ROOT / "tests" / "corpus").glob("*.txt"))


# Python caches compiled modules (__pycache__) unless PYTHONDONTWRITEBYTECODE is set, as it is
# on some CI and sandbox machines; a user's machine caches them, so the measured processes do
# (the warm-up run writes the cache). Without it every run recompiles every module it imports.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Row:
    """One line of the table."""

    name: str
    value: float
    unit: str
    target: str
    ok: bool | None
    memory_mb: float | None = None
    note: str = ""
    limit: float | None = None  # the target's number, when the measure scales with CPU speed

    def at_reference(self, slower: float) -> float | None:
        """The value on a machine ``slower`` times faster than this one (an estimate)."""
        if self.limit is None:
            return None
        return self.value * slower if self.unit.endswith("/s") else self.value / slower

    def passes(self, value: float) -> bool:
        """Whether ``value`` meets the target."""
        assert self.limit is not None
        return value >= self.limit if self.unit.endswith("/s") else value < self.limit


# What the issue measured on its machine ("a bare python -c pass is ~7 ms; importing click
# alone ~25 ms"). The same two commands here say how much slower this machine is, so that a
# reader can tell a slow machine from slow code; the PASS/FAIL column is always this machine's.
REFERENCE_MS = {"python -c pass": 7.0, "python -c 'import click'": 25.0}


def calibrate(runs: int) -> tuple[float, list[str]]:
    """How many times slower than the issue's machine this one is, and the lines saying so."""
    commands = {"python -c pass": [sys.executable, "-c", "pass"],
                "python -c 'import click'": [sys.executable, "-c", "import click"]}
    ratios, lines = [], []
    for name, args in commands.items():
        t, _ = median_process(args, runs)
        ratios.append(t * 1000 / REFERENCE_MS[name])
        lines.append(f"{name}: {t * 1000:.0f} ms here, ~{REFERENCE_MS[name]:.0f} ms where the "
                     "targets were set")
    return statistics.median(ratios), lines


def _tree_rss_mb(root: int) -> float:
    """Memory (MB) of ``root`` and all its descendants now: their proportional set sizes, so
    that pages the workers share with the server they were forked from count once (Linux
    /proc; resident sizes where smaps_rollup is missing; 0 elsewhere)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid], rss[pid] = int(fields[1]), int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in rss:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += _pss(pid, rss[pid])
    return total / 2**20


def _pss(pid: int, rss: int) -> int:
    """Proportional set size of ``pid`` in bytes, or ``rss`` when the kernel does not say."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss


class _TreeWatch:
    """Samples the memory of a process tree every 20 ms: the peak of all its processes
    together (a batch's workers are not the measured process's waited-for children when they
    come from a fork server, so ``ru_maxrss`` of children misses them)."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid, self.peak, self.done = pid, 0.0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, _tree_rss_mb(self.pid))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak


def run_process(args: list[str], cwd: Path = ROOT, tree: bool = False) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB: the process and the children it waited for; with
    ``tree``, also sampled over the whole process tree, whichever is larger)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=ENV)
    watch = _TreeWatch(proc.pid) if tree else None
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    sampled = watch.stop() if watch is not None else 0.0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{args} exited {proc.returncode}: {err[-500:]}")
    return elapsed, max(usage.ru_maxrss / 1024, sampled)


def median_process(args: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and the largest peak RSS of ``runs`` runs (after one warm-up)."""
    run_process(args)
    results = [run_process(args) for _ in range(runs)]
    return statistics.median(t for t, _ in results), max(m for _, m in results)


def dutymatrix(*args: str) -> list[str]:
    """The console script beside this interpreter, else ``python -m matrix`` (not the first
    ``dutymatrix`` on PATH: a pyenv shim there would be timed too)."""
    from bench.startup import dutymatrix as command

    return command(*args)


def in_process(code: str, runs: int) -> tuple[float, float]:
    """Median seconds of ``code`` run in a fresh interpreter (after its set-up), and peak RSS."""
    probe = f"""
import resource, statistics, sys, time
sys.path.insert(0, {str(ROOT)!r})
{code}
times = []
for _ in range({runs}):
    start = time.perf_counter(); work(); times.append(time.perf_counter() - start)
print(statistics.median(times), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, check=True, env=ENV).stdout.split()
    return float(out[0]), float(out[1])


def bench_startup(runs: int, tmp: Path, no_site: bool = False) -> list[Row]:
    """--help, parse, build of seed 001 as whole processes: the fastest of interleaved rounds
    as a ratio to the fastest ``python -c pass`` of the same rounds (bench/startup.py), the
    figure issue 27 sets its targets in."""
    from bench.startup import TARGETS, measure

    results, _, _ = measure(runs, tmp / "001.xlsx", no_site)
    bare = results[0].best
    rows = []
    for r in results[1:]:
        limit = TARGETS[r.name]
        ratio = r.best / bare
        rows.append(Row(r.name, ratio, "×", f"<= {limit:.0f}× python", ratio <= limit,
                        note=f"fastest {r.best * 1000:.0f} ms / {bare * 1000:.0f} ms"))
    return rows


def bench_throughput(runs: int, tmp: Path) -> list[Row]:
    """normalise + parse + records on plans of 22, 1,000, 10,000 tasks and 10 MB."""
    rows = []
    for label, text in (("22 tasks", plan_text(22)), ("1,000 tasks", plan_text(1000)),
                        ("10,000 tasks", plan_text(10_000)), ("10 MB", plan_of_size(10))):
        path = tmp / f"plan-{len(text)}.txt"
        path.write_text(text, encoding="utf-8")
        mb = len(text.encode("utf-8")) / 1e6
        code = (f"from matrix.load.pipeline import parse_file\n"
                f"def work(): parse_file({str(path)!r})\nwork()")
        t, m = in_process(code, runs)
        check = label == "10 MB"
        rows.append(Row(f"parse {label} ({mb:.2f} MB)", mb / t, "MB/s",
                        ">= 20 MB/s" if check else "", (mb / t >= 20) if check else None, m,
                        f"{t:.3f} s", limit=20 if check else None))
    return rows


def bench_long_lines(tmp: Path) -> list[Row]:
    """Hostile shapes: a 1 MB single line must not hang the parser (issue 6)."""
    shapes = {
        "plain text": "（一）" + "甲乙丙丁" * 250_000,
        "many parentheses": "（一）" + "（甲）" * 333_333,
        "unclosed parentheses": "（一）" + "（甲" * 500_000,
        "trailer words, no closing": "（一）。" + "（市场监管总局负责、" * 100_000,
    }
    rows = []
    for label, line in shapes.items():
        path = tmp / f"line-{len(rows)}.txt"
        path.write_text(line + "\n", encoding="utf-8")
        code = (f"from matrix.load.pipeline import parse_file\n"
                f"def work(): parse_file({str(path)!r})")
        t, m = in_process(code, 1)
        rows.append(Row(f"1 MB single line: {label}", t, "s", "finishes", True, m))
    return rows


def bench_workbook(runs: int, tmp: Path) -> list[Row]:
    """A 10,000 × 200 workbook written; then read back."""
    out = tmp / "big.xlsx"
    setup = f"""
import random
from matrix.records import Assignment, Document, Plan, Role, Source, Task
from matrix.workbook import write_workbook
rng = random.Random(7)
depts = [f"部门{{i:03d}}委员会" for i in range(200)]
tasks = [Task(number=f"（{{i}}）", section=f"第{{i // 100}}部分", title=f"推进第{{i}}项重点工作",
              text="加快推进农机装备创新，研发适合国情、农民需要、先进适用的各类农机。" * 4,
              line=i + 1, deadline="2025年底前",
              assignments=tuple(Assignment(department=d, as_printed=d, role=rng.choice(list(Role)))
                                for d in rng.sample(depts, 5)))
         for i in range(10_000)]
plan = Plan(source=Source(path="big.txt", sha256="0" * 64), documents=(Document(title="大计划", tasks=tuple(tasks)),))
def work(): write_workbook(plan, {str(out)!r})
"""
    t, m = in_process(setup, runs)
    rows = [Row("write workbook 10,000 tasks × 200 depts", t, "s", "< 3 s, < 300 MB",
                t < 3 and m < 300, m, limit=3)]
    # what a batch worker pays per plan for the workbook (issue 27): seed 001, warm
    small = (f"from matrix.load.pipeline import parse_file\n"
             f"from matrix.workbook import write_workbook\n"
             f"plan = parse_file({str(SEED)!r})\n"
             f"def work(): write_workbook(plan, {str(tmp / 'small.xlsx')!r})\n"
             f"for _ in range(5): work()")
    t, m = in_process(small, 50)
    rows.append(Row("write seed 001's workbook, warm (median)", t * 1000, "ms", "", None, m))
    try:
        code = (f"from matrix.workbook import read_workbook\n"
                f"def work(): read_workbook({str(out)!r})\nwork()")
        t, m = in_process(code, runs)
        rows.append(Row("read workbook 10,000 tasks back", t, "s", "", None, m))
    except subprocess.CalledProcessError as e:
        rows.append(Row("read workbook 10,000 tasks back", float("nan"), "s", "", None,
                        note=e.stderr.strip().splitlines()[-1][:60] if e.stderr else "failed"))
    return rows


def bench_diff() -> list[Row]:
    """The diff benchmark of bench/bench_diff.py, in its own process."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_diff.py")], cwd=ROOT,
                         capture_output=True, text=True).stdout.strip().splitlines()
    last = out[-1] if out else ""
    value = float(last.split(": ")[1].split(" s")[0]) if ": " in last else float("nan")
    return [Row("diff 10,000 tasks, 20% changed", value, "s", "< 2 s", value < 2, limit=2)]


def bench_batch(sizes: Sequence[int], small: int, tmp: Path) -> list[Row]:
    """``build DIR`` over folders of plan files (issue 27: 100 and 1,000): documents/s, and
    memory of the largest against a small batch."""
    sources = CORPUS + [SEED]

    def folder(n: int) -> Path:
        path = tmp / f"batch-{n}"
        path.mkdir()
        for i in range(n):
            shutil.copy(sources[i % len(sources)], path / f"plan{i:05d}.txt")
        return path

    rows, m_big = [], 0.0
    for files in sizes:
        out = tmp / f"out-{files}"
        load = os.getloadavg()[0]
        t, m_big = run_process(dutymatrix("build", str(folder(files)), "-o", str(out),
                                          "--quiet"), tree=True)
        built = len(list(out.glob("*.xlsx"))) if out.is_dir() else 0
        if built != files:  # a fast failure is not a fast build
            raise RuntimeError(f"batch built {built} of {files} workbooks in {out}")
        rate = files / t
        rows.append(Row(f"build folder of {files:,} plans", rate, "docs/s", ">= 60 docs/s",
                        rate >= 60, m_big, f"{t:.1f} s, load {load:.1f}", limit=60))
    _, m_small = run_process(dutymatrix("build", str(folder(small)), "-o",
                                        str(tmp / "out-small"), "--quiet"), tree=True)
    rows.append(Row(f"peak memory {sizes[-1]:,} vs {small} plans", m_big / m_small, "×",
                    "<= 1.5×", m_big / m_small <= 1.5, m_big, f"{m_small:.0f} MB for {small}"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller batch")
    parser.add_argument("--only", choices=["startup", "throughput", "lines", "workbook", "diff",
                                           "batch"], help="run one group of measures")
    parser.add_argument("--no-site", action="store_true",
                        help="start-up measured with python -S (see bench/startup.py): "
                             "without the .pth hooks of this machine's site-packages")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    sizes = (100,) if args.quick else (100, 1000)
    slower, calibration = calibrate(runs * 2)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        groups = {
            "startup": lambda: bench_startup(runs * 2, tmp, args.no_site),
            "throughput": lambda: bench_throughput(max(1, runs // 2), tmp),
            "lines": lambda: bench_long_lines(tmp),
            "workbook": lambda: bench_workbook(max(1, runs // 2), tmp),
            "diff": bench_diff,
            "batch": lambda: bench_batch(sizes, 10, tmp),
        }
        rows = [row for name, group in groups.items() if args.only in (None, name)
                for row in group()]
    print(f"dutymatrix benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          "load average " + " ".join(f"{x:.2f}" for x in load_before) + " before, "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " after")
    for line in calibration:
        print(f"  {line}")
    print(f"  → this machine runs these {slower:.1f}× slower; the last column divides each time "
          "(multiplies each rate) by that: an estimate, not a measurement")
    print(f"| {'measure':44s} | {'median':>10s} | {'peak RSS':>9s} | {'target':16s} | result | "
          f"{'at ref. speed':>17s} |")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 11}|{'-' * 18}|--------|{'-' * 19}|")
    for r in rows:
        value = _show(r.value, r.unit)
        memory = f"{r.memory_mb:.0f} MB" if r.memory_mb else ""
        verdict = "" if r.ok is None else ("PASS" if r.ok else "FAIL")
        note = f" ({r.note})" if r.note else ""
        ref = r.at_reference(slower)
        scaled = "" if ref is None else f"{_show(ref, r.unit)} {'pass' if r.passes(ref) else 'fail'}"
        print(f"| {r.name + note:44s} | {value:>10s} | {memory:>9s} | {r.target:16s} | "
              f"{verdict:6s} | {scaled:>17s} |")
    return 0 if all(r.ok is not False for r in rows) else 1


def _show(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.1f}×"
    return f"{value:.1f} ms" if unit == "ms" else f"{value:.2f} {unit}"


if __name__ == "__main__":
    sys.exit(main())

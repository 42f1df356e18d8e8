"""Start-up of dutymatrix as ratios to a bare ``python -c pass`` timed in the same run.

On a shared or noisy machine an absolute time says more about the neighbours than about the
code; a ratio to the bare interpreter, each command's fastest run of interleaved rounds (every
round runs every command once, in turn, so that a burst of load falls on all of them alike),
is the figure that survives. Run from the repository root::

    python bench/startup.py              # 15 rounds
    python bench/startup.py --rounds 40
    python bench/startup.py --python /work/venv-speed/bin/python   # another interpreter or venv

A plain virtual environment (``python -m venv``, no system site-packages, dutymatrix installed
in it) is the honest place to measure: a system interpreter's site-packages may hold ``.pth``
start-up hooks (a sandbox's certificate hook costs ~40 ms) that make ``python -c pass`` slow
and every ratio to it flattering, while ``--no-site`` (``python -S``) errs the other way.

It prints the machine's load average before and after (``os.getloadavg``), the fastest and the
median time of each command, and the fastest time's ratio to the fastest ``python -c pass``,
against the targets of issue 27. The commands run through the installed ``dutymatrix`` script
beside the measured interpreter (this one, or ``--python``: as a user runs it; a pyenv or similar shim in front of it would time the
shim), else ``python -m matrix``; the bytecode cache is written by a warm-up run first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "001_5afa0209a0ae242f.txt"

# Python caches compiled modules unless PYTHONDONTWRITEBYTECODE is set (some sandboxes do); a
# user's machine caches them, so the measured processes do.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

# Issue 27's targets: the fastest run's ratio to the fastest ``python -c pass``.
TARGETS = {"dutymatrix --help": 4.0, "parse seed 001 --format json": 8.0,
           "build seed 001": 15.0}


# The interpreter measured: this one unless ``--python`` names another (a venv's ``bin/python``;
# kept as given, not resolved: a venv's python is a link to the base interpreter).
PYTHON = sys.executable


def dutymatrix(*args: str, python: list[str] | None = None) -> list[str]:
    """The ``dutymatrix`` script installed beside the measured interpreter, else
    ``python -m matrix``; run by ``python`` (e.g. ``[python, "-S"]``) when given."""
    script = Path(PYTHON).with_name("dutymatrix")
    if script.is_file() and os.access(script, os.X_OK):
        return [*(python or []), str(script), *args]
    return [*(python or [PYTHON]), "-m", "matrix", *args]


def commands(out: Path, no_site: bool = False) -> dict[str, list[str]]:
    """The measured commands, the bare interpreter first; with ``no_site``, every one started
    with ``python -S`` (``no_site_env`` puts the site directories back on the path)."""
    python = [PYTHON, "-S"] if no_site else None
    return {
        "python -c pass": [*(python or [PYTHON]), "-c", "pass"],
        "dutymatrix --help": dutymatrix("--help", python=python),
        "parse seed 001 --format json": dutymatrix("parse", str(SEED), "--format", "json",
                                                   python=python),
        "build seed 001": dutymatrix("build", str(SEED), "-o", str(out), python=python),
    }


def no_site_env() -> dict[str, str]:
    """ENV with the measured interpreter's whole ``sys.path`` on PYTHONPATH: for ``python -S``, which
    then finds the same packages without running the ``.pth`` start-up hooks of site-packages.
    Some machines' hooks import much (a sandbox's certificate hook imports certifi,
    importlib.resources and pathlib: ~90 ms), which makes ``python -c pass`` slow and every
    ratio to it look better than it is on a plain installation."""
    path = sys.path
    if PYTHON != sys.executable:
        path = subprocess.run([PYTHON, "-c", "import os, sys; print(os.pathsep.join(sys.path))"],
                              capture_output=True, text=True, check=True, env=ENV
                              ).stdout.strip().split(os.pathsep)
    return {**ENV, "PYTHONPATH": os.pathsep.join(p for p in path if p)}


def wall(args: list[str], env: dict[str, str] = ENV) -> float:
    """Wall time (s) of one run; a failing command is an error, not a fast figure."""
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1) or b"Traceback" in proc.stderr:
        raise RuntimeError(f"{args} exited {proc.returncode}: {proc.stderr[-500:]!r}")
    return elapsed


@dataclass
class Result:
    """One command's times over all rounds."""

    name: str
    times: list[float]

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def measure(rounds: int, out: Path, no_site: bool = False, against: Path | None = None
            ) -> tuple[list[Result], tuple[float, ...], tuple[float, ...]]:
    """Interleaved rounds of every command; the load average before and after. With
    ``against`` (another checkout of dutymatrix), its commands run in the same rounds."""
    env = no_site_env() if no_site else ENV
    cmds = [(name, args, env) for name, args in commands(out, no_site).items()]
    if against is not None:
        other = {**env, "PYTHONPATH": os.pathsep.join(
            [str(against), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                             if p and Path(p).resolve() != ROOT)])}
        cmds += [(f"{name} [{against.name}]", args, other)
                 for name, args in list(commands(out.with_name("other.xlsx"), no_site).items())[1:]]
    for _, args, e in cmds:  # warm-up: bytecode caches, the OS's file cache
        wall(args, e)
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {name: [] for name, _, _ in cmds}
    for i in range(rounds):
        order = cmds if i % 2 == 0 else cmds[::-1]  # no command always follows the same one
        for name, args, e in order:
            times[name].append(wall(args, e))
    return [Result(n, t) for n, t in times.items()], load_before, os.getloadavg()


def _version() -> str:
    if PYTHON == sys.executable:
        return sys.version.split()[0]
    return subprocess.run([PYTHON, "-c", "import sys; print(sys.version.split()[0])"],
                          capture_output=True, text=True, env=ENV).stdout.strip()


def report(results: list[Result], before: tuple[float, ...], after: tuple[float, ...],
           rounds: int, no_site: bool = False) -> tuple[list[str], bool]:
    """The table, and whether every target was met."""
    bare = results[0].best
    how = "python -S (no .pth hooks)" if no_site else "as installed"
    lines = [f"start-up {how}, {rounds} interleaved rounds, {os.cpu_count()} cores, "
             f"{PYTHON} (Python {_version()})",
             "load average before: " + " ".join(f"{x:.2f}" for x in before)
             + "; after: " + " ".join(f"{x:.2f}" for x in after),
             f"| {'command':44s} | {'fastest':>8s} | {'median':>8s} | {'ratio':>6s} | target | result |",
             f"|{'-' * 46}|{'-' * 10}|{'-' * 10}|{'-' * 8}|--------|--------|"]
    ok = True
    for r in results:
        ratio = r.best / bare
        target = TARGETS.get(r.name.split(" [")[0])
        verdict = "" if target is None else ("PASS" if ratio <= target else "FAIL")
        ok = ok and verdict != "FAIL"
        lines.append(f"| {r.name:44s} | {r.best * 1000:6.0f}ms | {r.median * 1000:6.0f}ms | "
                     f"{ratio:5.1f}× | {'' if target is None else f'≤ {target:.0f}×':6s} | "
                     f"{verdict:6s} |")
    return lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (15)")
    parser.add_argument("--no-site", action="store_true",
                        help="start every command (and the bare interpreter) with python -S, "
                             "the site directories on PYTHONPATH: without the .pth hooks")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="another checkout of dutymatrix (e.g. `git worktree add` of an "
                             "older commit) whose commands run in the same rounds")
    parser.add_argument("--python", metavar="PATH",
                        help="the interpreter to measure, with dutymatrix installed for it "
                             "(e.g. a plain venv's bin/python); default: this one")
    args = parser.parse_args()
    if args.python:
        global PYTHON
        PYTHON = args.python
    with tempfile.TemporaryDirectory() as tmp:
        results, before, after = measure(args.rounds, Path(tmp) / "001.xlsx", args.no_site,
                                         args.against)
    lines, ok = report(results, before, after, args.rounds, args.no_site)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of ``dutymatrix export`` over 1,000 plans, and of the same map on dask.

Not a test (timings depend on the machine): run it by hand from the repository root::

    python bench/bench_export.py             # 1,000 plans
    python bench/bench_export.py --files 200

The folder holds copies of seed 001 and the corpus documents (.txt), as ``bench.py``'s batch
does. Measured, each as a whole process (start-up included) with the peak memory of its whole
process tree (proportional set sizes, sampled every 20 ms, as ``bench.py`` does):

* ``dutymatrix export DIR -o tasks.parquet`` and ``-o tasks.csv``: documents/s, peak memory;
* the process pool alone (``batch.run_many(export.export_one, …)``, rows collected, nothing
  written) on 2 workers;
* the README's ``dask.bag`` recipe on a ``dask.distributed`` ``LocalCluster`` of 2 worker
  processes (one thread each): rows collected in the client (``bag.compute()``), only
  counted (``bag.count()``: the parse alone, nothing sent back), and written as JSON lines by
  the workers (``to_textfiles``, the README's archive recipe); and on
  dask's own local process scheduler (``scheduler="processes"``, 2 workers, rows collected),
  which needs no ``distributed``.

Each process also prints the time of the map alone (after imports, cluster start-up and
file listing), shown in the last column. The measures run in ``--runs`` interleaved rounds
(2 by default) and the fastest wall time is shown, with the largest peak memory: the
machine this was written on is shared, and its load moves figures by a factor of two. ``python -c pass`` is timed in the same run, to say
how slow this machine is at the time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench import ENV, _TreeWatch, median_process  # noqa: E402

SOURCES = [ROOT / "seeds" / "001_5afa0209a0ae242f.txt",
           *sorted((ROOT / "tests" / "corpus").glob("*.txt"))]

# Each script prints "<rows> <seconds of the map alone>" on its last line.
POOL = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from matrix.batch.jobs import run_many
from matrix.export.tidy import died, export_one
from matrix.load.sources import expand
paths = expand([Path({folder!r})], workbooks=False)
start = time.perf_counter()
rows = [r for o in run_many(export_one, [(p,) for p in paths], died=died, workers=2)
        for r in o.rows]
print(len(rows), time.perf_counter() - start)
"""

DASK = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from matrix.load.sources import expand
paths = [str(p) for p in expand([Path({folder!r})], workbooks=False)]
{setup}
{recipe}
start = time.perf_counter()
{action}
print(rows, time.perf_counter() - start)
{teardown}
"""

COLLECT = "rows = len(bag.compute({compute}))"
# The README's archive recipe: JSON lines written by the workers, nothing sent to the client.
WRITE = """import json
bag.map(json.dumps, ensure_ascii=False).to_textfiles({out!r} + "/*.jsonl")
rows = sum(len(f.read_text().splitlines()) for f in Path({out!r}).glob("*.jsonl"))"""

DISTRIBUTED_SETUP = """
from dask.distributed import Client, LocalCluster
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=None)
client = Client(cluster)
"""


def readme_recipe() -> str:
    """The README's dask.bag block (the one tests/test_export.py runs), without its compute."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- recipe: dask -->\n```python\n(.*?)```", text, re.S).group(1)
    return "\n".join(line for line in block.splitlines() if not line.startswith("table ="))


def measure(args: list[str]) -> tuple[float, float, str]:
    """Wall time, peak memory (MB) of the process tree, and the last line it printed."""
    env = {**ENV, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    watch = _TreeWatch(proc.pid)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    peak = watch.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:4]} exited {proc.returncode}: {err.decode()[-800:]}")
    lines = out.decode().strip().splitlines()
    return elapsed, peak, lines[-1] if lines else ""


def commands(folder: Path, tmp: Path) -> list[tuple[str, list[str]]]:
    """(name, command) of every measure."""
    python = sys.executable
    # this checkout's code (python -m matrix with PYTHONPATH), whatever is installed
    out = [(f"dutymatrix export → {fmt}",
            [python, "-m", "matrix", "export", str(folder), "-o", str(tmp / f"tasks.{fmt}"),
             "--quiet", "--force"]) for fmt in ("parquet", "csv")]
    out.append(("process pool, 2 workers (rows only)",
                [python, "-c", POOL.format(root=str(ROOT), folder=str(folder))]))
    recipe = readme_recipe()
    close = "client.close(); cluster.close()"
    for name, setup, action, teardown in (
            ("dask.distributed, 2 workers, rows to client", DISTRIBUTED_SETUP,
             COLLECT.format(compute=""), close),
            ("dask.distributed, 2 workers, rows only counted", DISTRIBUTED_SETUP,
             "rows = bag.count().compute()", close),
            ("dask.distributed, 2 workers, JSONL on workers", DISTRIBUTED_SETUP,
             WRITE.format(out=str(tmp / "jsonl")), close),
            ("dask.bag scheduler='processes', 2 workers", "",
             COLLECT.format(compute="scheduler='processes', num_workers=2"), "")):
        out.append((name, [python, "-c", DASK.format(
            root=str(ROOT), folder=str(folder), setup=setup, recipe=recipe, action=action,
            teardown=teardown)]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2,
                        help="rounds of every measure, interleaved; the fastest is shown")
    options = parser.parse_args()
    n = options.files
    with tempfile.TemporaryDirectory(prefix="dutymatrix-bench-export-") as tmp:
        folder = Path(tmp) / "plans"
        folder.mkdir()
        for i in range(n):
            shutil.copy(SOURCES[i % len(SOURCES)], folder / f"plan{i:05d}.txt")
        load_before = os.getloadavg()[0]
        pass_time, _ = median_process([sys.executable, "-c", "pass"], 5)
        measures = commands(folder, Path(tmp))
        best: dict[str, tuple[float, float, str]] = {}
        for _ in range(options.runs):  # rounds interleaved: a busy minute hits every measure
            for name, args in measures:
                shutil.rmtree(Path(tmp) / "jsonl", ignore_errors=True)
                t, mem, last = measure(args)
                old = best.get(name)
                best[name] = (min(t, old[0]), max(mem, old[1]), last if t < old[0] else old[2]) \
                    if old else (t, mem, last)
        import duckdb

        rows_expected = duckdb.sql(f"SELECT count(*) FROM '{Path(tmp) / 'tasks.parquet'}'"
                                   ).fetchall()[0][0]
    print(f"dutymatrix export benchmark — {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}, {n:,} plans, {rows_expected:,} rows, fastest of "
          f"{options.runs} runs")
    print(f"  python -c pass: {pass_time * 1000:.0f} ms in this run; load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other processes on the "
          "machine)")
    print(f"| {'measure':<46} | {'wall':>8} | {'docs/s':>7} | {'peak mem':>8} | "
          f"{'map alone':>10} |")
    print(f"|{'-' * 48}|{'-' * 10}|{'-' * 9}|{'-' * 10}|{'-' * 12}|")
    for name, (t, mem, last) in best.items():
        alone = ""
        if last:
            rows, seconds = last.split()
            if int(rows) != rows_expected:  # a fast failure is not a fast run
                raise RuntimeError(f"{name}: {rows} rows, expected {rows_expected}")
            alone = f"{float(seconds):.1f} s"
        print(f"| {name:<46} | {t:>6.1f} s | {n / t:>7.1f} | {mem:>5.0f} MB | {alone:>10} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

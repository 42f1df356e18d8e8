"""Benchmark of ``collect``: 100 department returns of 50 tasks each gathered into a 汇总.

Not a test (timings depend on the machine): run it by hand and read the table::

    python bench/bench_collect.py            # about a minute (filling 100 returns is most of it)

The plan is generated: 50 clauses, each naming the same 100 real departments (the first
牵头), so that each of the 100 return forms ``dispatch`` writes holds 50 tasks — 5,000 reports
in all. Every return is filled by openpyxl as a department would (a status and three texts
per task, the header block), then saved under a name that says nothing. Timed, each the median
of 3 runs:

* ``collect_files`` (the library call: read 100 returns through the zip checks, match, write
  the 汇总 workbook);
* ``dutymatrix collect PLAN RETURNS -o 汇总.xlsx --format json`` as a whole process (start-up,
  parsing the plan, the same work, JSON out);
* ``python -c pass`` in the same run, for the machine's speed.

Target: < 5 s for 100 returns × 50 tasks.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matrix.round.collect import collect_files  # noqa: E402
from matrix.departments import default_registry  # noqa: E402
from matrix.round.dispatch import Stamp, dispatch  # noqa: E402
from matrix.load.pipeline import parse_file  # noqa: E402

DEPARTMENTS = 100
TASKS = 50
TARGET_SECONDS = 5.0
RUNS = 3
STATUSES = ("已完成", "推进中", "未启动", "滞后", "需协调")


def plan_text(names: list[str]) -> str:
    trailer = f"{names[0]}牵头，{'、'.join(names[1:])}按职责分工负责"
    lines = ["关于印发基准测试行动方案的通知", "国办发〔2025〕1号", "", "一、重点任务"]
    for i in range(1, TASKS + 1):
        lines.append(f"{i}. 推进第{i}项重点工作。完善第{i}项制度安排，加强督促检查。"
                     f"（{trailer}，2025年{(i % 12) + 1}月底前完成）")
    return "\n".join(lines) + "\n"


def fill(form: Path, target: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(form)
    ws = wb["报送表"]
    department = Stamp.from_text(wb["填报标识"]["A1"].value).department
    ws["C3"], ws["G3"], ws["I3"], ws["K3"] = department, "张三", "010-12345678", "2026-12-18"
    for row in range(5, ws.max_row + 1):
        if ws.cell(row, 14).value:
            ws.cell(row, 10).value = STATUSES[row % 5]
            ws.cell(row, 11).value = f"{department}第{row - 4}项：已完成阶段性工作，召开专题会议三次。"
            ws.cell(row, 12).value = "资金到位较慢。"
            ws.cell(row, 13).value = "下月完成验收。"
    wb.save(target)


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    names = [d.name for d in default_registry().all()
             if d.known and not d.generic and not d.successor][:DEPARTMENTS]
    assert len(names) == DEPARTMENTS, len(names)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plan_path = root / "plan.txt"
        plan_path.write_text(plan_text(names), encoding="utf-8")
        plan = parse_file(plan_path)
        assert len(plan.tasks) == TASKS, len(plan.tasks)
        forms = dispatch(plan, root / "下发", round="基准").files
        assert len(forms) == DEPARTMENTS, len(forms)
        returns = root / "returns"
        returns.mkdir()
        print(f"filling {len(forms)} returns …", file=sys.stderr)
        for i, form in enumerate(forms.values()):
            fill(form, returns / f"r{i:03d}.xlsx")
        out = root / "汇总.xlsx"

        def library() -> None:
            result = collect_files(plan, [returns], output=out, as_of=date(2025, 7, 1))
            assert sum(1 for r in result.received if r.outcome == "采用") == DEPARTMENTS
            assert sum(len(t.reports) for t in result.tasks) == DEPARTMENTS * TASKS

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "matrix", "collect", str(plan_path), str(returns),
                   "-o", str(out), "--as-of", "2025-07-01", "--format", "json"]

        def process() -> None:
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)

        def bare() -> None:
            subprocess.run([sys.executable, "-c", "pass"], check=True)

        t_pass = timed(bare, 5)
        t_lib = timed(library, RUNS)
        t_cli = timed(process, RUNS)
        size = out.stat().st_size
    print(f"dutymatrix collect benchmark — {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}")
    print(f"  python -c pass: {t_pass * 1000:.0f} ms")
    print("| measure                                            | median  | target | result |")
    print("|----------------------------------------------------|---------|--------|--------|")
    for label, t in ((f"collect_files: {DEPARTMENTS} returns × {TASKS} tasks → 汇总", t_lib),
                     ("dutymatrix collect (whole process), same input", t_cli)):
        print(f"| {label:<50} | {t:5.2f} s | < {TARGET_SECONDS:.0f} s  | "
              f"{'PASS' if t < TARGET_SECONDS else 'FAIL':<6} |")
    print(f"  汇总 workbook: {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()

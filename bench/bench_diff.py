"""Benchmark of ``diff_plans``: two generated plans of 10,000 tasks each, 20% of them changed.

Not a test (timings depend on the machine): run it by hand and read the last line::

    python bench/bench_diff.py
    # → diff 10k tasks, 20% changes: 0.74 s (target < 2 s) PASS

The plans reuse real text: the sentences of the tasks of seed 001 and of the corpus documents,
recombined into 10,000 distinct clauses of 3–5 sentences in 400 sections, each with 2–6 real
department names. The new plan then changes 2,000 of them: 400 removed, 400 inserted, 500
reworded (a title or a sentence), 400 with other departments, 150 moved to another section, 75
split in two and 75 pairs merged; every section is then renumbered, so that most tasks after an
insertion or a removal are renumbered as well. The time is the median of 5 runs of
``diff_plans``; peak memory is measured by ``tracemalloc`` in a separate run.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matrix.diff import diff_plans  # noqa: E402
from matrix.models import Assignment, Document, Plan, Role, Source, Task  # noqa: E402
from matrix.load.pipeline import parse_file  # noqa: E402

from bench.plans import han  # noqa: E402

TASKS = 10_000
PER_SECTION = 25
TARGET_SECONDS = 2.0
RUNS = 5


def corpus() -> tuple[list[str], list[str], list[str]]:
    """Sentences, section titles and department names of the real documents."""
    sentences, sections, departments = [], [], []
    files = [ROOT / "seeds" / "001_5afa0209a0ae242f.txt",
             *sorted((ROOT / "tests" / "corpus").glob("*.txt"))]
    for path in files:
        plan = parse_file(path)
        for t in plan.tasks:
            sentences += [s + "。" for s in t.text.split("。") if len(s) > 6]
            if t.section:
                sections.append(t.section.split("、", 1)[-1])
            departments += [a.department for a in t.assignments if not a.inherited]
    return (sorted(set(sentences)), sorted(set(sections)) or ["重点任务"],
            sorted(set(departments)))


class Generator:
    """Random clauses and departments drawn from the real documents."""

    def __init__(self, seed: int = 20240501) -> None:
        self.rng = random.Random(seed)
        self.sentences, self.sections, self.departments = corpus()
        self.seen: set[str] = set()

    def text(self) -> str:
        while True:
            text = "".join(self.rng.sample(self.sentences, self.rng.randint(3, 5)))
            if text not in self.seen:
                self.seen.add(text)
                return text

    def duties(self) -> list[tuple[str, Role]]:
        names = self.rng.sample(self.departments, self.rng.randint(2, 6))
        first = Role.lead if self.rng.random() < 0.3 else Role.responsible
        return [(names[0], first)] + [(n, Role.responsible) for n in names[1:]]

    def reword(self, text: str) -> str:
        sentences = [s + "。" for s in text.split("。") if s]
        k = self.rng.randrange(len(sentences))
        if self.rng.random() < 0.5:  # reword a few words of one sentence (the title, often)
            s = sentences[k]
            at = self.rng.randrange(max(1, len(s) - 4))
            sentences[k] = s[:at] + self.rng.choice(["进一步", "全面", "着力", "加快"]) + s[at + 2:]
        else:  # add a sentence
            sentences.insert(k, self.rng.choice(self.sentences))
        return "".join(sentences)


def build(sections: list[tuple[str, list[tuple[str, list[tuple[str, Role]]]]]],
          path: str) -> Plan:
    """Records for [(section title, [(text, duties)])], numbered afresh in every section."""
    tasks, line = [], 0
    for s, (title, clauses) in enumerate(sections, 1):
        heading = f"{han(s)}、{title}"
        for n, (text, duties) in enumerate(clauses, 1):
            line += 1
            tasks.append(Task(
                number=f"（{han(n)}）", section=heading, title=text.split("。")[0], text=text,
                line=line, assignments=tuple(Assignment(department=d, as_printed=d, role=r)
                                             for d, r in duties)))
    return Plan(source=Source(path=path, sha256="0" * 64),
                documents=(Document(tasks=tuple(tasks)),))


def plans(gen: Generator) -> tuple[Plan, Plan]:
    rng = gen.rng
    old = [(f"{rng.choice(gen.sections)}（{s + 1}）",
            [(gen.text(), gen.duties()) for _ in range(PER_SECTION)])
           for s in range(TASKS // PER_SECTION)]
    new = [(title, list(clauses)) for title, clauses in old]
    slots = [(s, k) for s in range(len(new)) for k in range(PER_SECTION)]
    picked = rng.sample(slots, 2_000)
    plan = {"remove": 400, "insert": 400, "reword": 500, "departments": 400, "move": 150,
            "split": 75, "merge": 75}
    actions = [a for a, n in plan.items() for _ in range(n)]
    removed = set()
    # Apply the edits back to front within a section, so that indexes stay valid.
    for (s, k), action in sorted(zip(picked, actions), key=lambda x: (x[0][0], -x[0][1])):
        clauses = new[s][1]
        text, duties = clauses[k]
        if action == "remove":
            del clauses[k]
            removed.add((s, k))
        elif action == "insert":
            clauses.insert(k, (gen.text(), gen.duties()))
        elif action == "reword":
            clauses[k] = (gen.reword(text), duties)
        elif action == "departments":
            clauses[k] = (text, gen.duties())
        elif action == "move":
            del clauses[k]
            target = new[(s + rng.randint(1, 5)) % len(new)][1]
            target.insert(rng.randrange(len(target) + 1), (text, duties))
        elif action == "split":
            sentences = [x + "。" for x in text.split("。") if x]
            cut = len(sentences) // 2
            clauses[k:k + 1] = [("".join(sentences[:cut]), duties),
                                ("".join(sentences[cut:]), duties)]
        elif action == "merge" and k + 1 < len(clauses):
            clauses[k:k + 2] = [(text + clauses[k + 1][0], duties)]
    return build(old, "old.txt"), build(new, "new.txt")


def main() -> int:
    gen = Generator()
    old, new = plans(gen)
    diff_plans(old, new)  # warm up: imports, registry, numpy
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        diff = diff_plans(old, new)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    diff_plans(old, new)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    median = statistics.median(times)
    kinds = Counter(e.kind for e in diff.entries)
    passes = Counter(how for _, _, how in diff.pairs)
    print(f"old {len(old.tasks)} tasks, new {len(new.tasks)} tasks")
    print("entries:", dict(sorted(kinds.items())))
    print("pairs by pass:", dict(sorted(passes.items())))
    print(f"runs: {', '.join(f'{t:.2f}' for t in times)} s; peak memory {peak / 2**20:.1f} MiB")
    ok = median < TARGET_SECONDS
    print(f"diff 10k tasks, 20% changes: {median:.2f} s (target < {TARGET_SECONDS:.0f} s) "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

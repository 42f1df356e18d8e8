"""Build many workbooks: one pure job per file, run on every core.

``build_one(source, target)`` reads, parses and writes one plan and returns an ``Outcome``
(built, skipped or failed, with the reason) instead of raising, so that one bad file never
stops a batch. ``build_many`` runs the jobs in a process pool when there are enough of them to
pay for it, and yields the outcomes in the order of the jobs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

# Below this many files a pool costs more (forking, importing) than it saves.
POOL_THRESHOLD = 8
# Each worker is replaced after this many files, so that whatever a file leaves behind
# (caches, fragmentation) cannot grow with the size of the batch.
TASKS_PER_WORKER = 250


def plan_jobs(sources: Sequence[Path], output: Path | None, many: bool,
              default_folder: str | Path = "output") -> list[tuple[Path, Path]]:
    """The ``(source, workbook)`` jobs of ``build_many``, named as ``dutymatrix build`` names
    them: ``output`` itself for a single input when it ends in ``.xlsx``; otherwise
    ``<stem>.xlsx`` in ``output`` (a folder) or ``default_folder``, ``stdin.xlsx`` for ``-``,
    and ``<name>.xlsx`` for a second file of the same stem (a.txt and a.md: keep both)."""
    used: set[Path] = set()
    return [(source, _output_for(source, output, many, used, default_folder))
            for source in sources]


def _output_for(source: Path, output: Path | None, many: bool, used: set[Path],
                default_folder: str | Path) -> Path:
    if output is not None and not many and output.suffix.lower() == ".xlsx":
        return output
    folder = output if output is not None else Path(default_folder)
    target = folder / f"{'stdin' if str(source) == '-' else source.stem}.xlsx"
    if target in used:  # a.txt and a.md in one folder: keep both
        target = folder / f"{source.name}.xlsx"
    used.add(target)
    return target


@dataclass(frozen=True)
class Outcome:
    """What became of one file."""

    source: str
    target: str
    status: str  # built | skipped | failed
    message: str = ""
    tasks: int = 0
    documents: int = 0

    def line(self) -> str:
        """One line for the user."""
        from .i18n import _, ngettext

        if self.status == "built":
            return _("built {path} ({tasks}, {documents})").format(
                path=self.target,
                tasks=ngettext("{count} task", "{count} tasks", self.tasks).format(
                    count=self.tasks),
                documents=ngettext("{count} document", "{count} documents",
                                   self.documents).format(count=self.documents))
        if self.status == "skipped":
            return _("skipped {path}: {reason}").format(path=self.source, reason=self.message)
        return _("Error: {message}").format(message=self.message)


def check_strict(plan) -> None:
    """--strict: a plan with warnings is an error that lists the first ten."""
    from .errors import MatrixError
    from .i18n import _, ngettext, requested

    warnings = [w for d in plan.documents for w in d.warnings]
    if warnings:
        zh = requested() == "zh"  # the warning's own text in the user's language
        lines = [f"{plan.source.path}:{w.line or '?'}: {w.kind}: "
                 f"{w.message_zh if zh else w.message}" for w in warnings[:10]]
        more = ("\n" + _("… and {count} more").format(count=len(warnings) - 10)
                if len(warnings) > 10 else "")
        head = ngettext("{count} warning with --strict:", "{count} warnings with --strict:",
                        len(warnings)).format(count=len(warnings))
        raise MatrixError(head + "\n" + "\n".join(lines) + more)


def build_one(source: Path, target: Path, *, force: bool = False, strict: bool = False,
              record_path: bool = False) -> Outcome:
    """Read ``source``, write its workbook to ``target``; every failure becomes an Outcome.
    ``record_path`` records the source's full path in the workbook (not only its name)."""
    from .errors import MatrixError, NoClausesError
    from .workbook import write_workbook
    from .i18n import _
    from .output import replaceable
    from .pipeline import parse_file

    try:
        if str(source) != "-" and source.resolve() == target.resolve():
            raise MatrixError(_("{path}: the output would overwrite the input").format(
                path=source))
        plan = parse_file(source, lean=True)  # pydantic is not needed to write a workbook
        if strict:
            check_strict(plan)
        ok, why = replaceable(target)
        if not ok and not force:
            raise MatrixError(_("{path}: not replaced: {reason} (use --force to replace it)")
                              .format(path=target, reason=why))
        target.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(plan, target, record_path=record_path)
    except NoClausesError as e:
        return Outcome(str(source), str(target), "skipped", e.message)
    except MatrixError as e:
        return Outcome(str(source), str(target), "failed", str(e))
    except OSError as e:
        return Outcome(str(source), str(target), "failed", f"{target}: {e.strerror or e}")
    return Outcome(str(source), str(target), "built", tasks=len(plan.tasks),
                   documents=len(plan.documents))


def _job(args: tuple[Path, Path, bool, bool, bool, dict[str, str]]) -> Outcome:
    source, target, force, strict, record_path, settings = args
    _adopt(settings)
    return build_one(source, target, force=force, strict=strict, record_path=record_path)


# The locale variables gettext reads: a worker's messages are in the caller's language.
_LOCALE = frozenset(("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"))


def _settings() -> dict[str, str]:
    """The ``DUTYMATRIX_*`` environment variables (input limit, department data) and the
    locale variables now."""
    return {k: v for k, v in os.environ.items() if k.startswith("DUTYMATRIX_") or k in _LOCALE}


def _adopt(settings: dict[str, str]) -> None:
    """Take the caller's ``DUTYMATRIX_*`` settings: a worker forked from a server started by an
    earlier batch has the environment of that time, not the caller's now."""
    current = _settings()
    if current == settings:
        return
    for key in current.keys() - settings.keys():
        del os.environ[key]
    os.environ.update(settings)
    from .departments import ENV_VAR, default_registry

    if current.get(ENV_VAR) != settings.get(ENV_VAR):
        default_registry.cache_clear()


def build_many(jobs: Sequence[tuple[Path, Path]], *, force: bool = False, strict: bool = False,
               workers: int | None = None, record_path: bool = False) -> Iterator[Outcome]:
    """Outcomes of every (source, target) job, in job order; on every core when worth it."""
    settings = _settings()
    args = [(s, t, force, strict, record_path, settings) for s, t in jobs]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(args) < POOL_THRESHOLD or any(str(s) == "-" for s, _ in jobs):
        yield from map(_job, args)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(16, len(args) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context(multiprocessing),
                             max_tasks_per_child=TASKS_PER_WORKER) as pool:
        try:
            yield from pool.map(_job, args, chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _context(multiprocessing):
    """A fork server that has imported the parser and the workbook writer, where there is one.

    Each worker is then forked from it ready to work, instead of importing everything again
    (spawn, the default with ``max_tasks_per_child``; plain fork is not allowed with it): that
    import was most of a small batch's time, and was paid again every ``TASKS_PER_WORKER``.
    The fork server is the process's own (multiprocessing keeps one), started by the first
    batch and kept until the process ends; its workers take each job's ``DUTYMATRIX_*``
    settings from the job (``_adopt``), not from the server's environment.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["matrix.warm"])
    return context


def summary(outcomes: Iterable[Outcome]) -> str:
    """"12 built, 3 skipped, 1 failed" and, for skips and failures, the reasons counted."""
    counts = {"built": 0, "skipped": 0, "failed": 0}
    reasons: dict[tuple[str, str], int] = {}
    for o in outcomes:
        counts[o.status] += 1
        if o.status != "built":
            # The reason without the file name and position, short: "no numbered clause found".
            text = o.message.splitlines()[0] if o.message else ""
            if o.status == "failed" and text.startswith(o.source):
                text = text[len(o.source):].lstrip(":：0123456789 ")
            reason = text.split(" (", 1)[0].split("：", 1)[0][:60]
            reasons[(o.status, reason)] = reasons.get((o.status, reason), 0) + 1
    from .i18n import _

    line = _("{built} built, {skipped} skipped, {failed} failed").format(**counts)
    words = {"skipped": _("skipped"), "failed": _("failed")}
    if reasons:
        line += _(" ({reasons})").format(reasons=_("; ").join(
            _("{status}: {count} × {reason}").format(status=words[status], count=n,
                                                     reason=reason)
            for (status, reason), n in reasons.items()))
    return line

"""Build many workbooks: one pure job per file, run on every core.

``build_one(source, target)`` reads, parses and writes one plan and returns an ``Outcome``
(built, skipped or failed, with the reason) instead of raising, so that one bad file never
stops a batch: not an error in the file, not a RecursionError or MemoryError in a library.
``build_many`` runs the jobs in a process pool when there are enough of them to pay for it,
and yields the outcomes in the order of the jobs; a worker that dies (a crash in a C
extension, the kernel's OOM killer) fails its file only: the jobs it took down with it are run
again, one worker each, so that the file that kills a worker is found and the others build.
``run_many`` is that pool for any such per-file job (``export`` runs its job on it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    if output is not None and not many and (
            output.suffix.lower() == ".xlsx" or str(output) == "-"
            or (output.exists() and not output.is_dir())):  # /dev/stdout, a FIFO, a file
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
    notes: tuple[str, ...] = ()  # warnings a reader must see (unknown names, national names)

    def line(self) -> str:
        """One line for the user (and, for a built file, its warnings below it)."""
        from ..i18n import _, ngettext

        if self.status == "built":
            head = _("built {path} ({tasks}, {documents})").format(
                path=self.target,
                tasks=ngettext("{count} task", "{count} tasks", self.tasks).format(
                    count=self.tasks),
                documents=ngettext("{count} document", "{count} documents",
                                   self.documents).format(count=self.documents))
            return "\n".join([head, *(_("  warning: {note}").format(note=n) for n in self.notes)])
        if self.status == "skipped":
            return _("skipped {path}: {reason}").format(path=self.source, reason=self.message)
        return _("Error: {message}").format(message=self.message)


def _where(warning) -> str:
    """``12``, or ``page 3, line 12`` in a paged source (PDF, scan, OFD)."""
    if getattr(warning, "page", None) is not None:
        return f" page {warning.page}, line {warning.line}"
    return str(warning.line or "?")


def check_strict(plan) -> None:
    """--strict: a plan with warnings is an error that lists the first ten."""
    from ..errors import MatrixError
    from ..i18n import _, current, ngettext

    warnings = [w for d in plan.documents for w in d.warnings]
    if warnings:
        zh = current() == "zh"  # the warning's own text in the user's language
        lines = [f"{plan.source.path}:{_where(w)}: {w.kind}: "
                 f"{w.message_zh if zh else w.message}" for w in warnings[:10]]
        more = ("\n" + _("… and {count} more").format(count=len(warnings) - 10)
                if len(warnings) > 10 else "")
        head = ngettext("{count} warning with --strict:", "{count} warnings with --strict:",
                        len(warnings)).format(count=len(warnings))
        raise MatrixError(head + "\n" + "\n".join(lines) + more)


def warning_notes(plan) -> tuple[str, ...]:
    """What ``build`` prints under a built file: per document, the names not in the data (once,
    with their count) and every national name printed where a local body is likely meant, in
    the user's language."""
    from ..i18n import ngettext, requested

    zh = requested() == "zh"
    notes = []
    for document in plan.documents:
        unknown = list(dict.fromkeys(a.as_printed for t in document.tasks for a in t.assignments
                                     if not a.known))
        if unknown:
            shown = "、".join(unknown[:20]) + (" …" if len(unknown) > 20 else "")
            notes.append(ngettext(
                "{path}: {count} name not in the department data, kept as printed: {names}",
                "{path}: {count} names not in the department data, kept as printed: {names}",
                len(unknown)).format(path=plan.source.path, count=len(unknown), names=shown))
        for w in document.warnings:
            if w.kind == "national-in-local":
                text = w.message_zh if zh else w.message
                notes.append(f"{plan.source.path}:{w.line or '?'}: {text}")
    return tuple(notes)


def build_one(source: Path, target: Path, *, force: bool = False, strict: bool = False,
              record_path: bool = False, jurisdiction: str | None = None) -> Outcome:
    """Read ``source``, write its workbook to ``target``; every failure becomes an Outcome.
    ``record_path`` records the source's full path in the workbook (not only its name);
    ``jurisdiction`` names the government whose plan it is (otherwise found in the text)."""
    from ..errors import MatrixError, NoClausesError
    from ..safety.writes import make_folder, replaceable
    from ..workbook import write_workbook
    from ..i18n import _
    from ..load.pipeline import parse_file
    from ..pivot import build_matrix

    try:
        if str(source) != "-" and source.resolve() == target.resolve():
            raise MatrixError(_("{path}: the output would overwrite the input").format(
                path=source))
        plan = parse_file(source, jurisdiction=jurisdiction)
        if strict:
            check_strict(plan)
        ok, why = replaceable(target)
        if not ok and not force:
            raise MatrixError(_("{path}: not replaced: {reason} (use --force to replace it)")
                              .format(path=target, reason=why))
        make_folder(target.parent)
        # read → parse → pivot → write: the matrix is its own stage, before the writer
        write_workbook(plan, target, matrix=build_matrix(plan), record_path=record_path)
    except NoClausesError as e:
        return Outcome(str(source), str(target), "skipped", e.message)
    except MatrixError as e:
        return Outcome(str(source), str(target), "failed", str(e))
    except OSError as e:
        return Outcome(str(source), str(target), "failed",
                       _("{path}: {error}").format(path=target, error=e.strerror or e))
    except RecursionError:
        return Outcome(str(source), str(target), "failed",
                       _("{path}: too deeply nested to read (RecursionError)").format(
                           path=source))
    except MemoryError:
        return Outcome(str(source), str(target), "failed",
                       _("{path}: out of memory reading it").format(path=source))
    except Exception as e:  # a bug or a library's surprise: this file fails, the batch goes on
        return Outcome(str(source), str(target), "failed",
                       _("{path}: internal error: {kind}: {error}").format(
                           path=source, kind=type(e).__name__, error=e))
    return Outcome(str(source), str(target), "built", tasks=len(plan.tasks),
                   documents=len(plan.documents), notes=warning_notes(plan))


def _job(args: tuple[Path, Path, bool, bool, bool, dict[str, str], str | None]) -> Outcome:
    source, target, force, strict, record_path, settings, jurisdiction = args
    _adopt(settings)
    return build_one(source, target, force=force, strict=strict, record_path=record_path,
                     jurisdiction=jurisdiction)


# The locale variables gettext reads: a worker's messages are in the caller's language.
_LOCALE = frozenset(("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"))


_SIGNALS_SET = False


def _clean_up_on_signals() -> None:
    """In a pool worker, SIGTERM and SIGHUP (a whole process group stopped) end the job by an
    exception, as in the main process, so that its temporary file is removed."""
    global _SIGNALS_SET
    if _SIGNALS_SET:
        return
    _SIGNALS_SET = True
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        from ..safety.signals import install_signal_cleanup

        install_signal_cleanup()


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
    from ..departments import ENV_VAR, default_registry

    if current.get(ENV_VAR) != settings.get(ENV_VAR):
        default_registry.cache_clear()


def build_many(jobs: Sequence[tuple[Path, Path]], *, force: bool = False, strict: bool = False,
               workers: int | None = None, job: Callable[[tuple], Outcome] | None = None,
               record_path: bool = False,
               jurisdiction: str | None = None) -> Iterator[Outcome]:
    """Outcomes of every (source, target) job, in job order; on every core when worth it.

    ``job`` replaces the function run for each file (tests use it to kill a worker)."""
    job = job or _job
    settings = _settings()
    args = [(s, t, force, strict, record_path, settings, jurisdiction) for s, t in jobs]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(args) < POOL_THRESHOLD or any(str(s) == "-" for s, _ in jobs):
        yield from map(job, args)
        return
    yield from _pooled(args, workers, job)


def run_many(function: Callable[..., Any], jobs: Sequence[tuple], *,
             died: Callable[[tuple], Any], workers: int | None = None) -> Iterator[Any]:
    """``function(*job)`` for every job, in job order: in the pool of ``build_many`` (the fork
    server, chunks, a dead worker failing its file only) when there are enough jobs to pay for
    it, else here. ``function`` must be picklable (a module-level function or a
    ``functools.partial`` of one) and must not raise: it returns what became of its job;
    ``died(job)`` is what became of a job whose worker died. A job whose first item is ``-``
    (standard input) keeps the whole batch in this process."""
    settings = _settings()
    args = [(function, tuple(job), settings) for job in jobs]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(args) < POOL_THRESHOLD or any(str(job[0]) == "-" for job in jobs):
        yield from map(_call, args)
        return
    yield from _pooled(args, workers, _call, lambda one: died(one[1]))


def _call(args: tuple[Callable[..., Any], tuple, dict[str, str]]) -> Any:
    function, arguments, settings = args
    _adopt(settings)
    return function(*arguments)


def _died(args: tuple) -> Outcome:
    """The Outcome of a build job whose worker died."""
    source, target = args[0], args[1]
    from ..i18n import _

    return Outcome(str(source), str(target), "failed", _(
        "{path}: the worker reading it died (a crash, a signal or out of memory); the other "
        "files are not affected").format(path=source))


def _pooled(args: list, workers: int, job: Callable[[tuple], Any],
            died: Callable[[tuple], Any] = _died) -> Iterator[Any]:
    """``job`` of every ``args`` in a process pool, in order; a dead worker fails one file.

    Jobs go to the workers in chunks (fewer round trips). When a worker dies, the pool is
    gone: the chunks it had not finished run again one job per worker of its own, so that the
    file that kills a worker is found and fails alone."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = _context(multiprocessing)
    chunks = _chunks(args, workers)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               max_tasks_per_child=TASKS_PER_WORKER)
    futures = [pool.submit(_in_worker_many, job, chunk) for chunk in chunks]
    try:
        for i, future in enumerate(futures):
            try:
                yield from future.result()
                continue
            except BrokenProcessPool:
                pass
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
            # The chunks that may have been running (one per worker, and one queued) run job
            # by job, each in a worker of its own; the rest in a new pool, as before.
            suspects = range(i, min(len(chunks), i + workers + 1))
            for k in suspects:
                done = futures[k]
                if k > i and done.done() and not done.cancelled() and not done.exception():
                    yield from done.result()
                    continue
                for one in chunks[k]:
                    yield _alone(job, one, context, died)
            rest = [one for chunk in chunks[suspects.stop:] for one in chunk]
            if rest:
                yield from _pooled(rest, workers, job, died)
            break
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if pool is not None:
        pool.shutdown(wait=True)


def _chunks(args: list, workers: int) -> list[list]:
    """``args`` cut into chunks of decreasing size: a quarter of what is left per worker, at
    most 16, at least 1. Large chunks first (fewer round trips), single jobs last, so that the
    workers finish together instead of one waiting for the other's last chunk of 16."""
    chunks, i = [], 0
    while i < len(args):
        size = max(1, min(16, (len(args) - i) // (workers * 4)))
        chunks.append(args[i:i + size])
        i += size
    return chunks


def _alone(job: Callable[[tuple], Any], args: tuple, context,
           died: Callable[[tuple], Any] = _died) -> Any:
    """``job(args)`` in a worker of its own; ``died(args)`` (a failed Outcome) when that worker
    dies."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(_in_worker, job, args).result()
        except BrokenProcessPool:
            return died(args)


def _in_worker_many(job: Callable[[tuple], Outcome], chunk: list) -> list[Outcome]:
    outcomes = [_in_worker(job, args) for args in chunk]
    # A worker ends by os._exit, without the exit handler that keeps the regular expressions
    # it compiled (matrix.text.compiled): those its server had not are kept now (none, mostly).
    from ..text import compiled

    compiled.save()
    return outcomes


def _in_worker(job: Callable[[tuple], Outcome], args: tuple) -> Outcome:
    """``job(args)`` in a pool worker. A SIGTERM or SIGHUP there ends the job by SystemExit
    (``output.install_signal_cleanup``: its temporary file is removed on the way out); the
    worker then exits as a stopped process does, and the pool fails that file alone."""
    _clean_up_on_signals()
    try:
        return job(args)
    except SystemExit as e:
        os._exit(e.code if isinstance(e.code, int) else 1)


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
    context.set_forkserver_preload(["matrix.batch.warm"])
    return context


def summary(outcomes: Iterable[Outcome], done: str = "built") -> str:
    """"12 built, 3 skipped, 1 failed" and, for skips and failures, the reasons counted
    (``done``: the status of a file that succeeded, ``exported`` for ``export``)."""
    counts = {done: 0, "skipped": 0, "failed": 0}
    reasons: dict[tuple[str, str], int] = {}
    for o in outcomes:
        counts[o.status] += 1
        if o.status != done:
            # The reason without the file name and position, short: "no numbered clause found".
            text = o.message.splitlines()[0] if o.message else ""
            if o.status == "failed" and text.startswith(o.source):
                text = text[len(o.source):].lstrip(":：0123456789 ")
            reason = text.split(" (", 1)[0].split("：", 1)[0][:60]
            reasons[(o.status, reason)] = reasons.get((o.status, reason), 0) + 1
    from ..i18n import _

    if done == "exported":
        line = _("{done} exported, {skipped} skipped, {failed} failed")
    else:
        line = _("{done} built, {skipped} skipped, {failed} failed")
    line = line.format(done=counts[done], skipped=counts["skipped"], failed=counts["failed"])
    words = {"skipped": _("skipped"), "failed": _("failed")}
    if reasons:
        line += _(" ({reasons})").format(reasons=_("; ").join(
            _("{status}: {count} × {reason}").format(status=words[status], count=n,
                                                     reason=reason)
            for (status, reason), n in reasons.items()))
    return line

"""The ``dutymatrix`` console entry point: the command line (``commands.main``), with the help
pages it printed kept, so that asking for one again does not start click, and a quick exit
after a command that succeeded (:func:`leave`).

A help page (``dutymatrix --help``, ``dutymatrix parse -h``, with or without ``--lang zh|en``)
is the same text every time for the same program, click, language and terminal width; making
it means importing click and every command's options (~4× a bare ``python -c pass``, most of it
click's own import). The first time, click makes and prints it and this module keeps a copy in
the user's private cache folder (``matrix.safety.cache``: mode 0700, a file trusted only when it
is the user's and nobody else can write it); the next time the copy is printed if, and only
if, everything that shapes the page is as it was: the exact arguments, the language variables
(``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), the terminal width click would use, the
output's encoding, Python's version, and the size and modification time of every file the page
comes from (the command-line modules, the message catalogs, click's own modules). Anything
else — any other arguments, a file that cannot be read or trusted, an unknown encoding — runs
click as always. ``DUTYMATRIX_NO_HELP_CACHE=1`` turns the copies off.
"""

from __future__ import annotations

import os
import sys

_HELP = ("-h", "--help")
_LANGUAGE = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # matrix.i18n reads these
_MAX_BYTES = 256 * 1024
_FORMAT = "1"


# The cyclic garbage collector's generation-0 threshold in the command line's process. At
# Python's default (700 container objects) it ran ~30 times while a ``parse`` imported its modules
# and read a plan, each time walking what the imports had made (~12 ms in all, for ~200 objects
# freed: modules, classes and records are not garbage); at 50,000 it does not run at all there,
# and a long run (``serve``, a large batch) still collects its cycles every 50,000 objects.
GC_THRESHOLD = (50_000, 20, 100)


def main() -> None:
    """Run the command line; a help page asked for again is printed from its kept copy."""
    import gc

    gc.set_threshold(*GC_THRESHOLD)
    args = sys.argv[1:]
    key = help_key(args)
    if key is not None:
        page = _kept(key)
        if page is not None:
            sys.stdout.write(page)
            sys.stdout.flush()
            sys.exit(0)
    from .commands import main as run

    try:
        if key is None:
            run()
        else:
            _run_and_keep(run, key)
    except SystemExit as end:
        if end.code in (0, None):
            leave()
        raise
    leave()


def leave() -> None:
    """End a command that succeeded without unwinding the interpreter.

    Python's own exit, after the exit handlers, clears every module and collects every object
    one by one: ~14 ms after a ``parse`` (a tenth of it), for memory the system takes back at
    once. Here the exit handlers run (``atexit``: the kept regular expressions are written,
    temporary folders removed), the standard streams are flushed, and the process ends with
    ``os._exit(0)``. Where that could lose anything — another thread running, a child process
    alive, a stream that cannot be flushed (a closed pipe) — it returns, and Python exits as
    always. ``DUTYMATRIX_FULL_EXIT=1`` always exits as always."""
    if os.environ.get("DUTYMATRIX_FULL_EXIT") or not quick_exit_allowed():
        return
    import atexit

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # Python's exit reports it as it always has
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        os._exit(120)  # what Python's exit does when it cannot flush the standard streams
    os._exit(0)


def quick_exit_allowed() -> bool:
    """Only this thread runs and no child process is alive."""
    import threading

    if threading.active_count() != 1:
        return False
    multiprocessing = sys.modules.get("multiprocessing")
    return multiprocessing is None or not multiprocessing.active_children()


def help_key(args: list[str]) -> str | None:
    """What a help page for ``args`` depends on, as one line; None when ``args`` are not a
    plain request for help (``[--lang L] [COMMAND] --help``) or the copies are off."""
    if os.environ.get("DUTYMATRIX_NO_HELP_CACHE") or not args or args[-1] not in _HELP:
        return None
    rest = args[:-1]
    if rest[:1] == ["--lang"]:
        if len(rest) < 2 or rest[1] not in ("zh", "en"):
            return None
        rest = rest[2:]
    if len(rest) > 1 or (rest and not rest[0].isalpha()):
        return None
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("_", "-")
    if encoding not in ("utf-8", "utf8"):
        return None  # click may write through another writer there
    sources = _sources()
    if sources is None:
        return None
    parts = [_FORMAT, repr(args), repr([os.environ.get(n) for n in _LANGUAGE]),
             str(_columns()), sys.version.split()[0], sources]
    return "\t".join(parts)


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` reports it (click wraps to it)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _sources() -> str | None:
    """Size and modification time of every file a help page is made from, or None when one
    cannot be found."""
    here = os.path.dirname(os.path.abspath(__file__))
    package = os.path.dirname(here)
    click = _package_folder("click")
    if click is None:
        return None
    folders = [here, click]
    files: list[str] = []
    locale = os.path.join(package, "locale")
    folders.append(package)  # the version, the messages the options' help may name
    for folder in folders:
        try:
            files += [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".py")]
        except OSError:
            return None
    try:
        for language in os.listdir(locale):
            messages = os.path.join(locale, language, "LC_MESSAGES")
            files += [os.path.join(messages, n) for n in os.listdir(messages)
                      if n.endswith(".mo")]
    except OSError:
        pass  # no catalogs: English only
    stamps = []
    for path in sorted(files):
        try:
            info = os.stat(path)
        except OSError:
            return None
        stamps.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(stamps)


def _package_folder(name: str) -> str | None:
    """The folder of package ``name`` that ``import name`` would load (Python's own path
    finder, without importing it), None when it is not a package of one folder."""
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec(name)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    return locations[0] if len(locations) == 1 else None


def _path(key: str, create: bool = False) -> str | None:
    import zlib

    from ..safety.cache import private_folder

    folder = private_folder("help", create)
    if folder is None:
        return None
    return os.path.join(folder, f"help-{zlib.crc32(key.encode('utf-8')):08x}-{len(key)}.txt")


def _kept(key: str) -> str | None:
    """The kept page for ``key``: the file's first line must be the key itself."""
    from ..safety.cache import read_private

    path = _path(key)
    data = read_private(path, _MAX_BYTES) if path is not None else None
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head, sep, page = text.partition("\n")
    return page if sep and head == key else None


class _Tee:
    """The standard output, with a copy of what is written to it."""

    def __init__(self, stream) -> None:
        self.stream, self.parts = stream, []

    def write(self, text: str) -> int:
        written = self.stream.write(text)  # click tries ``write(b"")``: refused, not copied
        self.parts.append(text)
        return written

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def _run_and_keep(run, key: str) -> None:
    """Run the command line; keep what it printed when it ended with 0 (a help page)."""
    tee = sys.stdout = _Tee(sys.stdout)
    code = 1
    try:
        run()
        code = 0
    except SystemExit as end:
        code = end.code
        raise
    finally:
        sys.stdout = tee.stream
        if code in (0, None) and tee.parts:
            _keep(key, "".join(tee.parts))


def _keep(key: str, page: str) -> None:
    from ..safety.cache import write_private

    try:
        path = _path(key, create=True)
        if path is not None:
            write_private(path, f"{key}\n{page}")
    except OSError:
        pass  # not kept: made again next time

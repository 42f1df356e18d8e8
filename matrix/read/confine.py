"""Reading an untrusted file in a worker process that can be limited and killed.

PDFium, the OCR engine, image decoders and LibreOffice are native code: a file of a few
kilobytes can make them ask for gigabytes (a PDF page of drawing blocks that each draw the next
ten times: 8 GB, then the process aborts) or run for hours, and nothing in Python can stop them
from inside. So :func:`confined` reads such a file in a child process (``fork``: nothing to
import again) that

* may map at most :data:`~matrix.safety.limits.READ_MEMORY` bytes of address space more than it
  started with (``RLIMIT_AS``; ``READ_MEMORY_OCR`` once OCR runs, ``READ_MEMORY_OFFICE`` for
  LibreOffice and what it starts): past it an allocation fails and the child ends, never the
  command or the server;
* is killed after :data:`~matrix.safety.limits.READ_SECONDS` seconds;
* is killed with its whole process group (LibreOffice included) when the caller gives up: the
  web page's client has gone (:data:`cancel`), or the server stops (:func:`stop_all`, within a
  fraction of a second, whatever runs).

Each of these ends in a ``MatrixInputError`` naming the file and the budget. The result comes
back through a pipe, pickled by the child this process forked (never read from anywhere else).
Where there is no ``fork`` (Windows) the file is read in this process.
"""

from __future__ import annotations

import contextvars
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from ..errors import MatrixError, MatrixInputError
from ..i18n import _

# Set (a threading.Event) by a caller that may give up on the read, e.g. a web request whose
# client has gone: the worker is killed as soon as it is set.
cancel: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "dutymatrix_read_cancel", default=None)

_children: set[int] = set()
_lock = threading.Lock()
_stops = [0]  # how many times stop_all was called: a wait begun before a stop ends
_POLL = 0.1  # seconds between looks at the clock, the cancel event and the server


def stop_all() -> None:
    """Stop every worker running now (each is killed by the thread waiting for it within
    ``_POLL`` seconds): the server is stopping. Reads started later are not affected (the
    process may go on: a test, a library caller)."""
    with _lock:
        _stops[0] += 1


def running() -> int:
    """How many workers are running."""
    with _lock:
        return len(_children)


def _kill(pid: int) -> None:
    """End the worker and its group: SIGTERM first (the worker then kills a LibreOffice it
    runs, in a session of its own), SIGKILL after a second."""
    deadline = time.monotonic() + 1.0
    for number in (signal.SIGTERM, signal.SIGKILL):
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, number)
            except OSError:
                pass
        while time.monotonic() < deadline:
            try:
                done, _status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return
            if done:
                return
            time.sleep(0.02)


def confined(read: Callable[..., Any], *args: Any, path: str, office: bool = False) -> Any:
    """``read(*args)`` in a limited worker process (module docstring); its result, or the
    ``MatrixError`` it raised, or a ``MatrixInputError`` naming ``path`` and the budget.
    ``office``: the read runs LibreOffice, whose budget is ``READ_MEMORY_OFFICE``."""
    from ..safety import limits

    if not hasattr(os, "fork"):
        return read(*args)
    seconds = limits.READ_SECONDS
    if office:
        memory = (limits.READ_MEMORY_OFFICE, limits.READ_MEMORY_OFFICE)
    else:
        memory = (limits.READ_MEMORY, max(limits.READ_MEMORY, limits.READ_MEMORY_OCR))
    receive, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(receive)
        _work(send, read, args, memory)
    os.close(send)
    with _lock:
        _children.add(pid)
    try:
        data, why = _wait(pid, receive, seconds)
    finally:
        os.close(receive)
        with _lock:
            _children.discard(pid)
    if why == "time":
        raise MatrixInputError(_(
            "{path}: reading it took longer than {seconds:g} s (READ_SECONDS): refused; a plan "
            "is read in seconds").format(path=path, seconds=seconds))
    if why in ("cancelled", "stopping"):
        raise MatrixInputError(_("{path}: reading it was stopped").format(path=path))
    try:
        kind, value = pickle.loads(data) if data else ("died", None)
    except Exception:
        kind, value = "died", None
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "message":
        raise MatrixInputError(value)
    if office:
        raise MatrixInputError(_(
            "{path}: converting it through LibreOffice needed more than {memory} MB of memory "
            "(READ_MEMORY_OFFICE), or LibreOffice crashed: refused").format(
                path=path, memory=memory[0] >> 20))
    raise MatrixInputError(_(
        "{path}: reading it needed more than {memory} MB of memory (READ_MEMORY, "
        "READ_MEMORY_OCR with OCR), or the reader crashed: refused").format(
            path=path, memory=memory[0] >> 20))


def allow_ocr_memory() -> None:
    """In a worker, raise the memory budget to ``READ_MEMORY_OCR`` (its hard limit): OCR's
    engine and models need more than reading a text layer."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY and soft != hard:
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def _address_space() -> int:
    """Bytes of address space this process has mapped now (``/proc/self/statm``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            pages = int(f.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _work(send: int, read: Callable[..., Any], args: tuple, memory: tuple[int, int]) -> None:
    """The worker: limits, read, send the outcome, end without running the parent's exit
    handlers or flushing its buffers."""
    code = 0
    try:
        import resource

        os.setpgid(0, 0)  # its own group: killed with everything it starts (LibreOffice)
        import faulthandler

        faulthandler.disable()  # native code aborting past the budget is the expected end
        def leave(signum, frame):
            raise SystemExit(128 + signum)  # through the readers' clean-up (LibreOffice)

        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, leave)
        # The budget is what the read may add to the address space the worker starts with (a
        # fork of a command, a server or a test run that has already mapped its libraries).
        used = _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (used + memory[0], used + memory[1]))  # soft:
        # text; hard: with OCR
        try:
            outcome: tuple[str, Any] = ("ok", read(*args))
        except MatrixError as e:
            outcome = ("error", e)
        except MemoryError:
            outcome = ("died", None)
        except RecursionError:
            outcome = ("message", _("{path}: too deeply nested to read (RecursionError)").format(
                path=args[1] if len(args) > 1 else "<input>"))
        except SystemExit:
            raise
        except BaseException as e:  # a library's surprise: one message, never a traceback
            outcome = ("message", _("{path}: internal error: {kind}: {error}").format(
                path=args[1] if len(args) > 1 else "<input>", kind=type(e).__name__, error=e))
        try:
            data = pickle.dumps(outcome)
        except Exception:
            data = pickle.dumps(("message", str(outcome[1])))
        view = memoryview(data)
        while view:
            view = view[os.write(send, view):]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _wait(pid: int, receive: int, seconds: float) -> tuple[bytes, str]:
    """What the worker sent, and why it ended: ``done``, ``time``, ``cancelled`` or
    ``stopping`` (the last three after killing it)."""
    chunks: list[bytes] = []
    stops = _stops[0]
    deadline = time.monotonic() + seconds
    event = cancel.get()
    why = "done"
    while True:
        if _stops[0] != stops:
            why = "stopping"
        elif event is not None and event.is_set():
            why = "cancelled"
        elif time.monotonic() > deadline:
            why = "time"
        if why != "done":
            _kill(pid)
            break
        ready, _w, _x = select.select([receive], [], [], _POLL)
        if ready:
            chunk = os.read(receive, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # reaped by _kill
        pass
    return b"".join(chunks), why

"""SIGTERM and SIGHUP end a run as Ctrl-C does, so that a write in progress cleans up.

Kept apart from ``matrix.safety.writes`` (which needs zipfile and pathlib) because the command line
installs it before every command, ``--help`` included, and ``--help`` must start fast.
"""

from __future__ import annotations

import signal


def install_signal_cleanup() -> None:
    """Make SIGTERM and SIGHUP end the process as Ctrl-C does: by an exception, so that a
    write in progress removes its temporary file (``replace_atomically``). Exit 128 + signal."""
    def stop(signum, frame):
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                signal.signal(number, stop)
            except (ValueError, OSError):  # not the main thread, or not allowed here
                pass

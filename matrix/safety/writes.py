"""Writing files so that nothing the user had is lost or half-overwritten.

Every output goes to a temporary file in the target's folder and is moved into place with
``os.replace`` only when complete: a crash, Ctrl-C, SIGTERM or SIGHUP mid-write leaves the
previous file intact and no temporary file behind. An existing workbook is replaced only when
dutymatrix wrote it, nobody has saved it since and no office application holds it open (its
lock file, ``replaceable``), or when the user says ``--force``; an output that is one of the
inputs is always refused (``check_target``).

A set of outputs (each department's list, the 下发 forms) goes to a folder or, for the web
page, into a zip archive being written (``place_target``: each file a member, nothing on disk).

What is not a regular file is never replaced: ``-`` is standard output, a FIFO or a character
device (``/dev/stdout``, a terminal) is written as a stream, a symbolic link is followed (its
target is replaced, the link stays), anything else (a block device, a socket) is refused.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import MatrixOutputError
from ..i18n import _

# Bytes in one file name (Linux, macOS, Windows' 255 UTF-16 units hold at least as much):
# output and temporary names are kept within it.
NAME_MAX = 255
# The random part of a temporary name (mkstemp) and the dot in front of it.
_TEMP_EXTRA = 1 + 8 + 1


def is_stdout(path: str | os.PathLike[str]) -> bool:
    """``-`` as an output: standard output."""
    return os.fspath(path) == "-"


def is_stream_link(path: str | os.PathLike[str]) -> bool:
    """A link to one of this process's open files (``/dev/stdout``, ``/dev/fd/N``, links into
    ``/proc``): written through as a stream, never replaced, whatever the file is."""
    try:
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    text = os.path.abspath(path)
    return (text in ("/dev/stdout", "/dev/stderr") or text.startswith(("/dev/fd/", "/proc/"))
            or os.readlink(path).startswith("/proc/"))


def fit_name(stem: str, suffix: str = "", limit: int = NAME_MAX) -> str:
    """``stem + suffix`` cut (at a character boundary, in UTF-8 bytes) to at most ``limit``."""
    room = limit - len(suffix.encode("utf-8", "surrogateescape"))
    data = stem.encode("utf-8", "surrogateescape")  # a name of undecodable bytes (Linux)
    if len(data) > room:
        stem = data[:max(room, 0)].decode("utf-8", "ignore")
    return stem + suffix


INDEX_FILE = "索引.xlsx"  # the index of a --split-by-dept folder


def safe_file_name(name: str, suffix: str = "") -> str:
    """``name`` (a department's, say) as one file name: no separator, no control or invisible
    character, not hidden, within NAME_MAX bytes with ``suffix``; never empty, never ``..``."""
    from ..text.safe import strip_invisible

    cleaned = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 or c == "\x7f" else c
                      for c in strip_invisible(name)).strip(". ") or "_"
    if _windows_device(cleaned):  # CON.xlsx cannot be extracted or opened on Windows
        stem, dot, rest = cleaned.partition(".")
        cleaned = f"{stem.rstrip(' ')}_{dot}{rest}"  # CON_.xlsx, NUL_.x.xlsx
    return fit_name(cleaned, suffix)


# Names Windows keeps for devices, whatever the extension or case (CON.xlsx, nul.txt, COM¹).
_DEVICES = frozenset({"con", "prn", "aux", "nul", "conin$", "conout$",
                      *(f"{p}{n}" for p in ("com", "lpt") for n in "123456789¹²³")})


def _windows_device(name: str) -> bool:
    import unicodedata

    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.casefold() in _DEVICES or \
        unicodedata.normalize("NFKC", stem).casefold() in _DEVICES


def unique_file_name(name: str, suffix: str, used: set[str]) -> str:
    """``safe_file_name`` not yet in ``used`` (compared ignoring case, as Windows and macOS
    compare names), added to it: a|b, a_b and a*b give a_b, a_b_2, a_b_3."""
    candidate = safe_file_name(name, suffix)
    base = candidate[: len(candidate) - len(suffix)]
    number = 1
    while candidate.casefold() in used:
        number += 1
        candidate = fit_name(base, f"_{number}{suffix}")
    used.add(candidate.casefold())
    return candidate


def replace_atomically(path: str | os.PathLike[str], write: Callable[[Path], None], *,
                       suffix: str = ".tmp", hint: str = "") -> Path:
    """Call ``write(temp)`` on a temporary file next to ``path``, then move it into place.

    On any failure the temporary file is removed and an existing ``path`` is left as it was.
    The new file gets the old file's mode, else what a plain ``open()`` would give (mkstemp
    creates 0600). Raises ``MatrixOutputError`` naming the path for a missing or unwritable
    folder or a file that cannot be replaced; ``hint`` is added to that message (but for a
    full disk, which says so). ``-``, a FIFO and a character device are written as streams,
    a symbolic link's target is replaced, other special files are refused (module docstring).
    """
    if is_stdout(path):
        return _write_stream(Path("-"), write, suffix)
    path = Path(path)
    try:
        mode = path.lstat().st_mode
    except OSError:
        mode = None
    if mode is not None and stat.S_ISLNK(mode):
        if is_stream_link(path):  # /dev/stdout, /dev/fd/3: whatever the shell opened
            return _write_stream(path, write, suffix)
        real = Path(os.path.realpath(path))
        try:
            os.stat(path)
        except OSError:
            if real.is_symlink():
                raise MatrixOutputError(_("{path}: is a symbolic link that loops").format(
                    path=path)) from None
            raise MatrixOutputError(
                _("{path}: is a symbolic link to {real}, which does not exist").format(
                    path=path, real=real)) from None
        replace_atomically(real, write, suffix=suffix, hint=hint)  # the link stays a link
        return path
    if mode is not None and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        return _write_stream(path, write, suffix)
    if mode is not None and stat.S_ISDIR(mode):
        raise MatrixOutputError(_("{path}: is a folder, not a file").format(
            path=path))
    if mode is not None and not stat.S_ISREG(mode):
        raise MatrixOutputError(_("{path}: is a special file (not a regular file): not replaced").format(
            path=path))
    folder = path.parent
    if not folder.is_dir():
        if folder.exists():
            raise MatrixOutputError(_("{path}: {folder} is a file, not a folder").format(
                path=path, folder=folder))
        raise MatrixOutputError(_("{path}: the output folder {folder} does not exist").format(
            path=path, folder=folder))
    try:
        # Next to the target, so that os.replace is a rename on one disk; the name within
        # NAME_MAX however long the target's name is.
        prefix = "." + fit_name(path.stem, "", NAME_MAX - _TEMP_EXTRA - len(suffix.encode()))
        fd, name = tempfile.mkstemp(dir=folder, prefix=prefix + ".", suffix=suffix)
    except OSError as e:
        raise MatrixOutputError(_("{path}: cannot write in {folder}: {reason}").format(
            path=path, folder=folder, reason=_reason(e))) from None
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        os.chmod(temp, _file_mode(path))
        os.replace(temp, path)
    except BaseException as e:
        temp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            message = _("{path}: cannot write: {reason}").format(path=path, reason=_reason(e))
            message += "" if _full(e) else hint
            _release(e)
            raise MatrixOutputError(message) from None
        raise
    return path


def _full(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def _reason(error: OSError) -> str:
    if _full(error):
        from ..i18n import _

        return _("the disk is full (the previous file, if any, is left as it was)")
    return error.strerror or str(error)


def _release(error: BaseException) -> None:
    """Free what the failed writer left open (a half-written ``ZipFile``) now, quietly.

    Its ``__del__`` would try to finish the file and, on a full disk, print "Exception ignored
    in ZipFile.__del__ … OSError" at some later moment. The file is deleted already.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        traceback.clear_frames(error.__traceback__)
        import gc

        gc.collect()
    finally:
        sys.unraisablehook = hook


def _write_stream(path: Path, write: Callable[[Path], None], suffix: str) -> Path:
    """Write to standard output (``-``), a FIFO or a device: built whole in a private
    temporary folder first, then copied, so that a failure writes nothing."""
    with tempfile.TemporaryDirectory(prefix="dutymatrix-") as folder:
        temp = Path(folder) / f"out{suffix}"
        try:
            write(temp)
            with open(temp, "rb") as source:
                if is_stdout(path):
                    target = sys.stdout.buffer
                    sys.stdout.flush()
                    shutil.copyfileobj(source, target)
                    target.flush()
                else:
                    with os.fdopen(_open_stream(path), "wb") as target:
                        shutil.copyfileobj(source, target)
        except OSError as e:
            _release(e)
            raise MatrixOutputError(_("{path}: cannot write: {reason}").format(
                path=path, reason=_reason(e))) from None
    return path


# How long to wait for a program to open a FIFO for reading before saying nobody does.
FIFO_WAIT_SECONDS = 5.0


def _open_stream(path: Path) -> int:
    """A descriptor writing to the FIFO or device ``path``: no O_CREAT (it must still be
    there; never a new file), and for a FIFO no wait for ever when nobody reads it."""
    import fcntl
    import time

    deadline = time.monotonic() + FIFO_WAIT_SECONDS
    try:  # a regular file behind /dev/stdout (a shell's > redirect) is written from its start
        truncate = os.O_TRUNC if stat.S_ISREG(os.stat(path).st_mode) else 0
    except OSError:
        truncate = 0
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | truncate)
            break
        except OSError as e:
            if e.errno != errno.ENXIO:  # ENXIO: a FIFO with no reader (yet)
                raise
            if time.monotonic() > deadline:
                raise MatrixOutputError(_("{path}: a FIFO that no program reads: nothing written").format(
                    path=path))
            time.sleep(0.05)
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    return fd


def make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents); a message naming it when that is impossible."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise MatrixOutputError(_("{folder}: is a file, not a folder").format(
            folder=folder)) from None
    except NotADirectoryError:
        raise MatrixOutputError(_("{folder}: a part of this path is a file, not a folder").format(
            folder=folder)) from None
    except OSError as e:
        raise MatrixOutputError(_("{folder}: cannot create the folder: {reason}").format(
            folder=folder, reason=_reason(e))) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_target(target: Path, inputs: Iterable[Path], *, force: bool = False,
                 workbook: bool = True) -> None:
    """Raise ``MatrixOutputError`` unless ``target`` may be written.

    An output that is one of ``inputs`` is always refused, ``--force`` or not. Without
    ``force``, an existing office file (a zip: a workbook, a .docx) must be ``replaceable``,
    and no file is replaced while an office application's lock file says it is open. A text
    output (CSV, JSON: ``workbook=False``) replaces an existing text file.
    """
    if is_stdout(target):
        return
    for source in inputs:
        if not is_stdout(source) and _same_file(source, target):
            raise MatrixOutputError(_("{target}: the output would overwrite the input {source}").format(
                target=target, source=source))
    if force or not os.path.lexists(target) or is_stream_link(target):
        return
    if workbook or _is_zip(target):
        ok, why = replaceable(target)
    else:
        ok, why = _unlocked(target)
    if not ok:
        raise MatrixOutputError(_("{target}: not replaced: {why} (use --force to replace it)").format(
            target=target, why=why))


def _is_zip(path: Path) -> bool:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def lock_files(path: Path) -> list[Path]:
    """The lock files of office applications that have ``path`` open.

    Excel and WPS write ``~$name`` (Excel drops the first two characters of a long name:
    ``~$me.xlsx`` for ``name.xlsx``), LibreOffice ``.~lock.name#``.
    """
    name = path.name
    candidates = [f"~${name}", f"~${name[2:]}" if len(name) > 2 else None, f".~lock.{name}#"]
    return [path.parent / c for c in candidates if c and os.path.lexists(path.parent / c)]


def _unlocked(path: Path) -> tuple[bool, str]:
    locks = lock_files(path)
    if locks:
        from ..i18n import _

        return False, _("it is open in an office application (lock file {name})").format(
            name=locks[0].name)
    return True, ""


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; errors name the path."""
    return replace_atomically(path, lambda temp: temp.write_bytes(data))


def _file_mode(path: Path) -> int:
    """Mode for the new file: the old file's, else what a plain open() would give."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux ≥ 4.7 reports it without the race of setting it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_CREATOR = re.compile(rb"<dc:creator[^>]{0,200}>([^<]{0,200})</dc:creator>")
_MODIFIER = re.compile(rb"<cp:lastModifiedBy[^>]{0,200}>([^<]{0,200})</cp:lastModifiedBy>")


def replaceable(path: Path) -> tuple[bool, str]:
    """May ``path`` be replaced without ``--force``? And if not, why not.

    Only a workbook that dutymatrix wrote and nobody has saved since (Excel and WPS record the
    user in ``lastModifiedBy``): a workbook an office has edited by hand is never lost to a
    rebuild. Nor is one an office application has open (``lock_files``). What is not a
    regular file (a FIFO, a device) is written as a stream, never read here.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) or is_stream_link(path):
            return True, ""
    except OSError:
        return True, ""
    ok, why = _unlocked(Path(path))
    if not ok:
        return ok, why
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > 1 << 20:
                return False, _("it is not a workbook dutymatrix wrote")
            core = archive.read(info)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False, _("it is not a workbook dutymatrix wrote")
    creator = _CREATOR.search(core)
    if not creator or not creator.group(1).startswith(b"dutymatrix"):
        return False, _("it is not a workbook dutymatrix wrote")
    modifier = _MODIFIER.search(core)
    if modifier and modifier.group(1).strip() and not modifier.group(1).startswith(b"dutymatrix"):
        who = modifier.group(1).decode("utf-8", "replace")
        return False, _("it was saved by {who} after dutymatrix wrote it").format(who=who)
    return True, ""


@contextmanager
def place_target(place: str | os.PathLike[str] | zipfile.ZipFile, name: str, *,
                 inputs: Iterable[str | os.PathLike[str]] = (),
                 force: bool = False) -> Iterator[Path | IO[bytes]]:
    """Where the file ``name`` (``sub/file.xlsx`` for a subfolder) of a set of outputs goes:
    in the folder ``place`` a ``Path`` (its folder made, ``check_target`` passed), or, when
    ``place`` is a ``zipfile.ZipFile`` open for writing, a stream that becomes the member
    ``name``. A writer given either writes its file whole (``workbook.book.save_atomically``)."""
    if isinstance(place, zipfile.ZipFile):
        with place.open(name, "w") as stream:
            yield stream
        return
    target = Path(place) / name
    make_folder(target.parent)
    check_target(target, [Path(p) for p in inputs], force=force)
    yield target

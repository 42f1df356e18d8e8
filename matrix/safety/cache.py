"""The user's private cache folder, and reading a file there only when it can be trusted.

dutymatrix keeps what is slow to make and the same every run (the parsed departments file, the
parse tables of a grammar, compiled regular expressions) as JSON in a folder of the user's cache
folder (``platformdirs``), of mode 0700 and owned by the user; a file there is read only when it
is a regular file of the user's, writable by nobody else and not too large. Whatever the file
says is data (JSON builds no objects) and is checked by its reader; anything else, or any
failure, only means the thing is made again.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cache_folder(kind: str, create: bool = False) -> Path | None:
    """The folder ``kind`` of the user's cache folder for dutymatrix, when it is safe to use
    (made, mode 0700, when ``create``)."""
    root = user_cache_dir()
    if root is None:
        return None
    folder = Path(root) / kind
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    import stat

    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return None
    if info.st_mode & 0o077:
        if not create:
            return None
        try:
            os.chmod(folder, 0o700)
        except OSError:
            return None
    return folder


def user_cache_dir() -> str | None:
    """``platformdirs.user_cache_dir("dutymatrix", appauthor=False)``, None without platformdirs.

    On Linux, where ``XDG_CACHE_HOME`` is an absolute path, or is unset and ``HOME`` is one,
    every version of platformdirs answers ``$XDG_CACHE_HOME/dutymatrix`` or
    ``$HOME/.cache/dutymatrix``: said here without importing it (~4 ms of every start). Any
    other case (another system, a relative or blank variable, Android) asks platformdirs."""
    if sys.platform == "linux" and not hasattr(sys, "getandroidapilevel") and not (
            "ANDROID_DATA" in os.environ or "ANDROID_ROOT" in os.environ):
        xdg, home = os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME", "")
        if os.path.isabs(xdg):
            return os.path.join(xdg, "dutymatrix")
        if not xdg and os.path.isabs(home):
            return os.path.join(os.path.expanduser("~/.cache"), "dutymatrix")
    try:
        import platformdirs
    except ImportError:  # the cache only saves time
        return None
    return platformdirs.user_cache_dir("dutymatrix", appauthor=False)


def read_private(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of ``path`` when it is a regular file (not a link) of the user's that nobody
    else can write, of at most ``max_bytes``; else None."""
    import stat

    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NOFOLLOW)) as f:
            info = os.fstat(f.fileno())
            if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid()
                    or info.st_mode & 0o022 or info.st_size > max_bytes):
                return None
            return f.read()
    except OSError:
        return None


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (in a cache folder) whole or not at all, mode 0600; raises
    OSError."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def fingerprint(*parts: bytes) -> str:
    """The SHA-256 of ``parts`` taken together (each prefixed by its length, so that no two
    different lists of parts give the same text): the name of what is made from them."""
    from .digest import sha256

    digest = sha256(size=sum(map(len, parts)))
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def own_source(*files: str) -> bytes:
    """The bytes of our own source ``files`` (paths), for a fingerprint: a cache made by the
    code of another version is never read. Empty when one cannot be read (a zipped install):
    the caller then keeps no cache."""
    try:
        return b"".join(_read(f) for f in files)
    except OSError:
        return b""


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def load_json(kind: str, name: str, max_bytes: int):
    """The JSON value of file ``name`` of the cache folder ``kind`` when it can be trusted
    (``read_private``), else None. The caller checks its shape."""
    import json

    folder = cache_folder(kind)
    data = None if folder is None else read_private(folder / name, max_bytes)
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def store_json(kind: str, name: str, value) -> None:
    """Keep ``value`` as JSON in file ``name`` of the cache folder ``kind``; a cache that cannot
    be written only costs time, so nothing is raised."""
    import json

    folder = cache_folder(kind, create=True)
    if folder is None:
        return
    try:
        write_private(folder / name, json.dumps(value, ensure_ascii=False))
    except (OSError, TypeError, ValueError):
        pass

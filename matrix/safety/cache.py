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

TYPE_CHECKING = False  # typing's own constant, without importing typing (matrix.cli.launch)
if TYPE_CHECKING:
    from pathlib import Path


def user_cache_dir() -> str | None:
    """The user's cache folder for dutymatrix: ``platformdirs.user_cache_dir("dutymatrix")``.

    On Linux it is worked out here as the XDG Base Directory rules (and platformdirs) have it —
    ``$XDG_CACHE_HOME`` when it is an absolute path, else ``$HOME/.cache`` — without importing
    platformdirs (its import is a third of a ``python -c pass``, paid by every command);
    elsewhere, or when ``HOME`` is not an absolute path, platformdirs says. None without it."""
    if sys.platform == "linux" and not os.environ.get("ANDROID_DATA"):
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        if os.path.isabs(xdg):
            return os.path.join(xdg, "dutymatrix")
        home = os.environ.get("HOME", "")
        if os.path.isabs(home):
            return os.path.join(home, ".cache", "dutymatrix")
    try:
        import platformdirs
    except ImportError:  # the cache only saves time
        return None
    try:
        return platformdirs.user_cache_dir("dutymatrix", appauthor=False)
    except RuntimeError:  # no home folder
        return None


def private_folder(kind: str, create: bool = False) -> str | None:
    """The folder ``kind`` of the user's cache folder for dutymatrix (a path as text), when it
    is safe to use: a folder of the user's that nobody else can enter (made, mode 0700, when
    ``create``)."""
    root = user_cache_dir()
    if root is None:
        return None
    folder = os.path.join(root, kind)
    try:
        if create:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
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


def cache_folder(kind: str, create: bool = False) -> Path | None:
    """:func:`private_folder` as a ``Path``."""
    folder = private_folder(kind, create)
    if folder is None:
        return None
    from pathlib import Path

    return Path(folder)


def read_private(path: str | Path, max_bytes: int) -> bytes | None:
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


def write_private(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` (in a cache folder) whole or not at all, mode 0600; raises
    OSError."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")  # mode 0600
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

    folder = private_folder(kind)
    data = None if folder is None else read_private(os.path.join(folder, name), max_bytes)
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

    folder = private_folder(kind, create=True)
    if folder is None:
        return
    try:
        write_private(os.path.join(folder, name), json.dumps(value, ensure_ascii=False))
    except (OSError, TypeError, ValueError):
        pass

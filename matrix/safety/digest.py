"""SHA-256 of bytes, without loading OpenSSL for a small input.

``hashlib`` loads OpenSSL's library (``_hashlib``, ~4 ms of a start); Python's own SHA-256
(``_sha256``, ``_sha2`` from 3.12) loads in a fraction of that but hashes ~6× slower. What
start-up hashes is small (a plan of tens of kilobytes, the departments file, the cache keys):
below :data:`SMALL` bytes Python's own is used when it is there and OpenSSL is not loaded yet
(a warm process that has it hashes with it), above it OpenSSL's. Both give the same digest.
"""

from __future__ import annotations

import sys

SMALL = 1 << 20  # ~6 ms at most with Python's own SHA-256; OpenSSL's is loaded above


def _builtin():
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.11
        except ImportError:
            return None
    return sha256


def sha256(data: bytes = b"", size: int | None = None):
    """A SHA-256 hash object of ``data`` (``update`` and ``hexdigest`` as ``hashlib``'s);
    ``size``: how many bytes it will hash in all, when more are to come."""
    new = None
    if "_hashlib" not in sys.modules and (len(data) if size is None else size) < SMALL:
        new = _builtin()  # OpenSSL not loaded yet: Python's own for a small input
    if new is None:
        import hashlib

        new = hashlib.sha256
    return new(data)


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 digest of ``data``."""
    return sha256(data).hexdigest()

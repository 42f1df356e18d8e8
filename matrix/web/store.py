"""What the page remembers between requests: parsed plans and comparisons, in memory only.

An upload is parsed from the request's bytes and only its records are kept, under a random
token (``secrets.token_urlsafe``: unguessable, never derived from anything the request said),
so that the matrix, the downloads and the comparison can be shown by later requests. At most
``MAX_ENTRIES`` are kept, and at most ``limits.MAX_STORE_BYTES`` of the inputs they were read
from (a plan's records take ~15 times its file; the least recently used go first, the newest
always stays); nothing here is written to disk,
and everything is gone when the server stops. (While a request is read, Starlette's form parser
keeps a file part over 1 MB in an unnamed temporary file, which is gone when the request ends;
a workbook is read from a private temporary folder removed at once: ``sources.load_plan_bytes``.)
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 64


class Store:
    """A bounded, thread-safe token → value map (least recently used entries dropped)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int | None = None) -> None:
        from ..safety.limits import MAX_STORE_BYTES

        self.max_entries = max_entries
        self.max_bytes = MAX_STORE_BYTES if max_bytes is None else max_bytes
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, value: Any, size: int = 0) -> str:
        """Keep ``value`` (read from ``size`` bytes of input) and return its new token."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._items[token] = (value, size)
            self._bytes += size
            self._drop_oldest()
        return token

    def _drop_oldest(self) -> None:
        """Drop the least recently used entries while over a bound (the newest always stays);
        the caller holds the lock."""
        while len(self._items) > 1 and (len(self._items) > self.max_entries
                                        or self._bytes > self.max_bytes):
            _token, (_value, dropped) = self._items.popitem(last=False)
            self._bytes -= dropped

    def grow(self, token: str, size: int) -> bool:
        """Count ``size`` more bytes of input for the entry ``token`` (a batch the page's script
        sends in parts), dropping the least recently used others if the store is over its bound;
        False if ``token`` has gone."""
        with self._lock:
            item = self._items.get(token)
            if item is None:
                return False
            self._items[token] = (item[0], item[1] + size)
            self._items.move_to_end(token)
            self._bytes += size
            self._drop_oldest()
        return True

    def get(self, token: str) -> Any | None:
        """The value kept under ``token``, or ``None`` (unknown or dropped)."""
        with self._lock:
            item = self._items.get(token)
            if item is None:
                return None
            self._items.move_to_end(token)
            return item[0]

    def __len__(self) -> int:
        return len(self._items)

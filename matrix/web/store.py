"""What the page remembers between requests: parsed plans and comparisons, in memory only.

An upload is parsed from the request's bytes and only its records are kept, under a random
token (``secrets.token_urlsafe``: unguessable, never derived from anything the request said),
so that the matrix, the downloads and the comparison can be shown by later requests. At most
``MAX_ENTRIES`` are kept (the least recently used go first); nothing here is written to disk,
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

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, value: Any) -> str:
        """Keep ``value`` and return its new token."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._items[token] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> Any | None:
        """The value kept under ``token``, or ``None`` (unknown or dropped)."""
        with self._lock:
            value = self._items.get(token)
            if value is not None:
                self._items.move_to_end(token)
            return value

    def __len__(self) -> int:
        return len(self._items)

"""Rendered page fragments kept by the key of what they were drawn from, so a repeat view skips the work.

The key (see `snapshots.RatingsHead.key`) is read from the database on every request, so a fragment
is reused only while the framework version, its rating inputs and the as-of date are the ones it was
rendered for: a save in any worker changes the key. Each worker keeps its own (a bounded LRU): nothing in
it is state another worker needs, only work it may skip.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import TypeVar

from flask import current_app
from markupsafe import Markup

_EXTENSION = "tracker_fragments"
V = TypeVar("V")


class FragmentCache:
    """A bounded, thread-safe LRU of rendered HTML (or of a small value drawn with it, such as the dashboard's
    tiles with the targets below the line); at most `size` entries (tens of kilobytes each)."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Markup | None:
        return self.get_value(key, Markup)

    def get_value(self, key: Hashable, kind: type[V]) -> V | None:
        """The entry kept under `key` if it is a `kind`."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found if isinstance(found, kind) else None

    def put(self, key: Hashable, html: object) -> None:
        with self._lock:
            self._items[key] = html
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def fragments() -> FragmentCache:
    """The app's cache (each app its own: tests make many apps on different databases in one process)."""
    cache: FragmentCache = current_app.extensions[_EXTENSION]
    return cache


def install(extensions: dict[str, object], size: int) -> None:
    extensions[_EXTENSION] = FragmentCache(size)

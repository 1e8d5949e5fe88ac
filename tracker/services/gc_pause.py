"""Pause Python's cycle collector while a bounded computation allocates many short-lived objects.

Rating a framework builds hundreds of thousands of small objects (rows, items, assessments); each burst of
allocations makes the collector walk every object alive, so at national scale it took ~40% of a rating
(measured in BENCHMARKS.md). Reference counting still frees what the computation drops; the collector
runs again when the last paused block in the process ends. Counted, so nested and concurrent blocks (the
threads of one worker) re-enable it only once all of them are done.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cycle collections inside the block; the collector's earlier state is restored after the last."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()

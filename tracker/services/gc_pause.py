"""Pause Python's cycle collector while a bounded computation allocates many short-lived objects.

Rating a framework builds hundreds of thousands of small objects (rows, items, assessments); each burst of
allocations makes the collector walk every object alive, so at national scale it took ~40% of a rating
(measured in BENCHMARKS.md). Reference counting still frees what the computation drops; the collector
runs again when the last paused block in the process ends. Counted, so nested and concurrent blocks (the
threads of one worker) re-enable it only once all of them are done; if overlapping blocks keep it paused
longer than `LONGEST_PAUSE_SECONDS`, a block that ends collects the young objects itself, so the cyclic
garbage of other threads cannot pile up under a steady load. When the last block ends, what it kept is
moved to the oldest generation unwalked (`_promote_survivors`: another ~10% of a national rating).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

LONGEST_PAUSE_SECONDS = 2.0

_lock = threading.Lock()
_paused = 0
_was_enabled = False
_since = 0.0  # when the collector last ran or was paused


def _promote_survivors() -> None:
    """Move what the pause allocated into the oldest generation without walking it.

    Resuming would otherwise walk every object the rating keeps, at once (~0.05 s a national framework);
    freezing then unfreezing moves all tracked objects to the oldest generation in constant time, where the
    next full collection (which runs as usual) finds any cycles among them.
    """
    gc.freeze()
    gc.unfreeze()


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cycle collections inside the block; the collector's earlier state is restored after the last."""
    global _paused, _was_enabled, _since
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            _since = time.monotonic()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        collect_now = False
        with _lock:
            _paused -= 1
            if _paused == 0:
                if _was_enabled:
                    _promote_survivors()
                    gc.enable()
            elif _was_enabled and time.monotonic() - _since > LONGEST_PAUSE_SECONDS:
                _since = time.monotonic()
                collect_now = True
        if collect_now:  # others still paused it: collect the young generations on their behalf
            gc.collect(1)

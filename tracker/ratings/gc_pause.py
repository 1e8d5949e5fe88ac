"""Pause Python's cycle collector while one process does one big job (a CLI command, a report worker's job).

Rating a whole framework builds hundreds of thousands of small objects; each burst of allocations makes
the collector walk every object alive. Paused, 10 frameworks of the 100k benchmark instance rate in 1.04 s
instead of 1.50 s (best of 5, BENCHMARKS.md). Never used on the request path: the collector is
process-wide, and a threaded server's other requests would run without it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cycle collections inside the block; then what it kept goes to the oldest generation unwalked.

    Freezing then unfreezing moves every tracked object there in constant time (resuming would otherwise
    walk all the job keeps at once); the next full collection, which runs as usual, finds any cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()

"""The cycle collector pause used while rating: nested and concurrent blocks restore it once, at the end."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from tracker.services.gc_pause import gc_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_nested_blocks_re_enable_the_collector_only_after_the_outer_one() -> None:
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_still_restores_the_collector() -> None:
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("rating failed")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_blocks_in_threads_keep_it_paused_until_the_last_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def worker() -> None:
        with gc_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    with gc_paused():
        thread.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the other thread's block is still running
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_long_overlapping_pause_still_collects_when_a_block_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks that keep overlapping must not keep the collector off for ever: the one that ends collects."""
    import tracker.services.gc_pause as gc_pause

    collected: list[int] = []
    monkeypatch.setattr(gc_pause.gc, "collect", lambda generation=2: collected.append(generation) or 0)
    monkeypatch.setattr(gc_pause, "LONGEST_PAUSE_SECONDS", 0.0)
    with gc_paused():
        with gc_paused():
            pass
        assert collected == [1]  # the inner block ended while the outer one still paused it
        assert not gc.isenabled()
    assert gc.isenabled() and collected == [1]  # the last block re-enables instead


def test_a_short_overlap_does_not_collect(monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.services.gc_pause as gc_pause

    collected: list[int] = []
    monkeypatch.setattr(gc_pause.gc, "collect", lambda generation=2: collected.append(generation) or 0)
    with gc_paused(), gc_paused():
        pass
    assert collected == []


def test_what_a_pause_kept_goes_to_the_oldest_generation_unwalked() -> None:
    """Resuming must not walk everything the rating keeps at once: it is moved to the oldest generation."""
    with gc_paused():
        kept = [[n] for n in range(5_000)]
    assert gc.get_freeze_count() == 0  # nothing is left frozen
    oldest = gc.get_objects(generation=2)
    assert any(o is kept[0] for o in oldest) and any(o is kept[-1] for o in oldest)

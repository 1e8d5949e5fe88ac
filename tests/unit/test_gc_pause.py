"""The cycle collector pause of the CLI and the worker: nested blocks restore it once, at the end."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tracker.ratings.gc_pause import gc_paused


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


def test_what_a_pause_kept_goes_to_the_oldest_generation_unwalked() -> None:
    """Resuming must not walk everything the rating keeps at once: it is moved to the oldest generation."""
    with gc_paused():
        kept = [[n] for n in range(5_000)]
    assert gc.get_freeze_count() == 0  # nothing is left frozen
    oldest = gc.get_objects(generation=2)
    assert any(o is kept[0] for o in oldest) and any(o is kept[-1] for o in oldest)

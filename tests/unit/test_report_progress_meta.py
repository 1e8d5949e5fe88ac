"""The worker's progress writer: the job's meta at most twice a second, always the call that says all laid out."""

from __future__ import annotations

from typing import Any

from tracker.reports.jobs import PROGRESS, MetaProgress, RenderProgress, progress_of


class FakeJob:
    """An RQ job as the writer sees it: a meta dictionary and a save that copies what Redis would hold."""

    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}
        self.saved: list[dict[str, Any]] = []

    def save_meta(self) -> None:
        self.saved.append(dict(self.meta[PROGRESS]))


class Clock:
    """Seconds that the test sets, so the throttle is tested without waiting."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_writes_at_most_every_half_second_and_always_the_last_call() -> None:
    job, clock = FakeJob(), Clock()
    write = MetaProgress(job, clock=clock)
    for at, done, expected in [
        (0.0, 1, None),  # the first call is written
        (0.1, 2, None),
        (0.4, 3, 40),
        (0.5, 4, 40),  # half a second after the first write
        (0.6, 5, 40),
        (0.9, 39, 40),
        (0.95, 40, 40),  # every page laid out: written although the last write was 0.45 s ago
    ]:
        clock.now = 100.0 + at
        write(done, expected)
    assert job.saved == [
        {"done": 1, "expected": None},
        {"done": 4, "expected": 40},
        {"done": 40, "expected": 40},
    ]
    assert progress_of(job) == RenderProgress(40, 40) and progress_of(job).laid_out  # type: ignore[union-attr]


def test_a_job_without_progress_or_with_an_unreadable_one_has_none() -> None:
    job = FakeJob()
    assert progress_of(None) is None  # the job is gone
    assert progress_of(job) is None  # queued: nothing written yet
    for stored in ["23 of 57", {"done": "23", "expected": 57}, {"done": True, "expected": None}]:
        job.meta[PROGRESS] = stored
        assert progress_of(job) is None, stored
    job.meta[PROGRESS] = {"done": 23, "expected": None}
    assert progress_of(job) == RenderProgress(23, None)


def test_only_every_page_laid_out_is_all_laid_out() -> None:
    assert RenderProgress(57, 57).laid_out
    assert not RenderProgress(23, 57).laid_out
    assert not RenderProgress(23, None).laid_out
    assert not RenderProgress(0, 0).laid_out

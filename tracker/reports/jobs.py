"""PDF rendering as RQ jobs when Redis is configured: web workers enqueue, `tracker worker` renders."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from flask import Flask

JOB_PREFIX = "report-"
PROGRESS = "progress"  # the job meta key: {"done": pages laid out, "expected": pages expected or None}
WRITE_EVERY = 0.5  # seconds between progress writes to Redis; the last (all laid out) is always written


def queue(app: Flask) -> Any | None:
    """The report queue, or None when no Redis is configured (then rendering stays in process)."""
    url = app.config.get("REDIS_URL") or ""
    if not url:
        return None
    from redis import Redis
    from rq import Queue

    return Queue(app.config["REPORT_QUEUE"], connection=Redis.from_url(url))


def job_id(slug: str, as_of: date, fingerprint: str) -> str:
    """One job per (framework, as-of date, data): requests for the same PDF share it."""
    return f"{JOB_PREFIX}{slug}-{as_of.isoformat()}-{fingerprint[:32]}"


@dataclass(frozen=True)
class RenderProgress:
    """Pages laid out of the pages expected (None: no estimate yet), as the worker last wrote them."""

    done: int
    expected: int | None

    @property
    def laid_out(self) -> bool:
        """Every page laid out (the renderer's estimate never equals the pages done): the join is left."""
        return self.expected is not None and 0 < self.done == self.expected


class _MetaJob(Protocol):
    meta: dict[str, Any]

    def save_meta(self) -> None: ...


class MetaProgress:
    """The render's progress into its RQ job's meta, where the pending page on any server reads it: at most
    one write per WRITE_EVERY seconds, and always the call that says every page is laid out."""

    def __init__(
        self, job: _MetaJob, every: float = WRITE_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.job = job
        self.every = every
        self.clock = clock
        self.written_at: float | None = None

    def __call__(self, done: int, expected: int | None) -> None:
        now = self.clock()
        recent = self.written_at is not None and now - self.written_at < self.every
        if recent and not RenderProgress(done, expected).laid_out:
            return
        self.written_at = now
        self.job.meta[PROGRESS] = {"done": done, "expected": expected}
        self.job.save_meta()


def progress_of(job: Any | None) -> RenderProgress | None:
    """The progress in a fetched job's meta; None when the job is gone or no page is counted yet."""
    stored = None if job is None else job.meta.get(PROGRESS)
    if not isinstance(stored, dict):
        return None
    done, expected = stored.get("done"), stored.get("expected")
    if type(done) is not int or not (expected is None or type(expected) is int):
        return None
    return RenderProgress(done, expected)


def render_job(slug: str, as_of: str) -> str:
    """In a worker: build the report from the database (configured as for the web app) and cache the PDF."""
    from rq import get_current_job

    from tracker import create_app
    from tracker.extensions import db
    from tracker.ratings import ratings_for
    from tracker.ratings.gc_pause import gc_paused
    from tracker.reports.inputs import report_model_for
    from tracker.reports.render import pdf_key, report_cache, report_pdf

    job = get_current_job()
    app = create_app()
    try:
        with app.app_context():
            with gc_paused():  # the worker's job: the report's columns decode into many small objects
                rated = ratings_for(db.session, slug, date.fromisoformat(as_of), for_report=True)
                if rated is None:
                    raise LookupError(f"no framework has the id '{slug}'")
                model = report_model_for(db.session, rated, datetime.now(UTC))
            report_pdf(model, on_progress=None if job is None else MetaProgress(job))
            return report_cache().where(pdf_key(model))
    finally:
        app.extensions["tracker_db"][0].dispose()

"""PDF rendering as RQ jobs when Redis is configured: web workers enqueue, `tracker worker` renders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Flask

JOB_PREFIX = "report-"


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


def render_job(slug: str, as_of: str) -> str:
    """In a worker: build the report from the database (configured as for the web app) and cache the PDF."""
    from tracker import create_app
    from tracker.extensions import db
    from tracker.ratings import ratings_for
    from tracker.ratings.gc_pause import gc_paused
    from tracker.reports.inputs import report_model_for
    from tracker.reports.render import pdf_key, report_cache, report_pdf

    app = create_app()
    try:
        with app.app_context():
            with gc_paused():  # the worker's job: the report's columns decode into many small objects
                rated = ratings_for(db.session, slug, date.fromisoformat(as_of), for_report=True)
                if rated is None:
                    raise LookupError(f"no framework has the id '{slug}'")
                model = report_model_for(db.session, rated, datetime.now(UTC))
            report_pdf(model)
            return report_cache().where(pdf_key(model))
    finally:
        app.extensions["tracker_db"][0].dispose()

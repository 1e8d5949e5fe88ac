"""PDF rendering as RQ jobs when Redis is configured: web workers enqueue, `tracker worker` renders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
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
    from tracker.reports import model as report_model
    from tracker.reports.pdf import render_pdf
    from tracker.reports.render import PdfCache, render_html, stored_fingerprint
    from tracker.resources import static_dir
    from tracker.services import rating_snapshots
    from tracker.services import surveys as survey_service
    from tracker.services.report_inputs import report_inputs

    app = create_app()
    try:
        with app.app_context(), app.test_request_context():
            summary = rating_snapshots.summary(db.session, slug, date.fromisoformat(as_of), for_report=True)
            if summary is None:
                raise LookupError(f"no framework has the id '{slug}'")
            inputs = report_inputs(db.session, summary)
            cache = PdfCache(Path(app.instance_path) / "report-cache")
            path = cache.path(slug, summary.as_of.isoformat(), stored_fingerprint(inputs))
            if not path.is_file():
                blocks = survey_service.report_blocks(db.session, slug)
                html = render_html(report_model.build_stored(inputs, datetime.now(UTC), blocks), for_pdf=True)
                result = render_pdf(
                    html, static_dir(), cache.folder, float(app.config["REPORT_TIME_LIMIT_SECONDS"])
                )
                cache.put(path, result.pdf)
            return str(path)
    finally:
        app.extensions["tracker_db"][0].dispose()

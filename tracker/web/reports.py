"""The progress report: as a web page, and as a PDF made once per version of the data and kept."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, current_app, render_template, send_file
from flask.typing import ResponseReturnValue

from tracker.extensions import db
from tracker.reports import jobs
from tracker.reports import model as report_model
from tracker.reports.inputs import report_model_for
from tracker.reports.pdf import ReportFailed, ReportTimeout
from tracker.reports.render import model_fingerprint, pdf_key, render_html, report_cache, report_pdf
from tracker.web.as_of import ratings_or_abort

bp = Blueprint("reports", __name__)
log = logging.getLogger(__name__)


def _model(slug: str) -> report_model.ReportModel:
    rated = ratings_or_abort(slug, for_report=True)[0]
    return report_model_for(db.session, rated, datetime.now(UTC))


@bp.get("/f/<slug>/report")
def html(slug: str) -> ResponseReturnValue:
    model = _model(slug)
    cached_at = report_cache().made_at(pdf_key(model))
    queue = jobs.queue(current_app)
    if cached_at is None and queue is not None:
        # Make the PDF while the reader reads the page, so the download is usually ready when asked for.
        _enqueue(queue, slug, model.as_of, model_fingerprint(model))
    return render_html(model, for_pdf=False, cached_at=cached_at)


@bp.get("/f/<slug>/agenda")
def agenda(slug: str) -> ResponseReturnValue:
    """The data development agenda on its own page: the report's section, with links to each outcome."""
    model = _model(slug)
    return render_template("report/agenda.html", m=model)


@bp.get("/f/<slug>/report.pdf")
def pdf(slug: str) -> ResponseReturnValue:
    model = _model(slug)
    queue = jobs.queue(current_app)
    if queue is not None and report_cache().made_at(pdf_key(model)) is None:
        return _queued(queue, slug, model.as_of, model_fingerprint(model))
    try:
        pdf_bytes = report_pdf(model)
    except ReportTimeout as timeout:
        return _failed(503, "The report took too long", f"The PDF could not be made: {timeout}.")
    except ReportFailed as failed:
        return _failed(500, "The report could not be made", f"The PDF could not be made ({failed}).")
    return send_file(
        io.BytesIO(pdf_bytes),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{slug}-report-{model.as_of.isoformat()}.pdf",
        max_age=0,
    )


def _failed(code: int, title: str, message: str) -> ResponseReturnValue:
    advice = " Try again later, or ask an administrator to raise the time limit." if code == 503 else ""
    return render_template("error.html", code=code, title=title, message=message + advice), code


def _queued(queue: Any, slug: str, as_of: date, fingerprint: str) -> ResponseReturnValue:
    """Enqueue the render once; the page shows the worker's progress, and its script (or, without script, a
    refresh) asks again until the PDF is ready."""
    job_id = jobs.job_id(slug, as_of, fingerprint)
    job = queue.fetch_job(job_id)
    if job is not None and job.is_failed:
        job.delete()
        return _failed(
            500, "The report could not be made", "The PDF could not be made; the next request tries again."
        )
    if job is None:
        _enqueue(queue, slug, as_of, fingerprint)
    progress = jobs.progress_of(job)
    return render_template("report/pending.html", slug=slug, as_of=as_of, progress=progress), 202


def _enqueue(queue: Any, slug: str, as_of: date, fingerprint: str) -> None:
    """One job per (framework, as-of date, data): one queued, running or failed is left alone (the PDF
    route reports a failure and clears it, so a render that fails is not retried on every page view)."""
    job_id = jobs.job_id(slug, as_of, fingerprint)
    if queue.fetch_job(job_id) is not None:
        return
    limit = int(current_app.config["REPORT_TIME_LIMIT_SECONDS"])
    queue.enqueue_call(
        jobs.render_job,
        args=(slug, as_of.isoformat()),
        job_id=job_id,
        timeout=limit + 30,
        result_ttl=600,
        failure_ttl=600,
    )

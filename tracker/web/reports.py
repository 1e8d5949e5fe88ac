"""The progress report: as a web page, and as a PDF made once per version of the data and kept."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask.typing import ResponseReturnValue

from tracker.extensions import db
from tracker.reports import model as report_model
from tracker.reports.pdf import ReportFailed, ReportTimeout, render_pdf
from tracker.reports.render import PdfCache, data_fingerprint, render_html
from tracker.resources import static_dir
from tracker.services import ratings as rating_service
from tracker.services import surveys as survey_service
from tracker.services.ratings import FrameworkRatings

bp = Blueprint("reports", __name__)


def _rated(slug: str) -> FrameworkRatings:
    raw = request.args.get("as_of", "")
    as_of = rating_service.parse_as_of(raw)
    if raw and as_of is None:
        abort(400, description=f"'{raw[:20]}' is not a date as YYYY-MM-DD.")
    rated = rating_service.rate(db.session, slug, as_of)
    if rated is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return rated


def _cache() -> PdfCache:
    return PdfCache(Path(current_app.instance_path) / "report-cache")


@bp.get("/f/<slug>/report")
def html(slug: str) -> ResponseReturnValue:
    rated = _rated(slug)
    cache = _cache()
    cached_at = cache.made_at(cache.path(slug, rated.as_of.isoformat(), data_fingerprint(rated)))
    model = report_model.build(
        rated, datetime.now(UTC), survey_service.report_blocks(db.session, rated.framework.id)
    )
    return render_html(model, for_pdf=False, cached_at=cached_at)


@bp.get("/f/<slug>/report.pdf")
def pdf(slug: str) -> ResponseReturnValue:
    rated = _rated(slug)
    cache = _cache()
    path = cache.path(slug, rated.as_of.isoformat(), data_fingerprint(rated))
    if not path.is_file():
        html_text = render_html(
            report_model.build(
                rated, datetime.now(UTC), survey_service.report_blocks(db.session, rated.framework.id)
            ),
            for_pdf=True,
        )
        try:
            result = render_pdf(
                html_text, static_dir(), cache.folder, float(current_app.config["REPORT_TIME_LIMIT_SECONDS"])
            )
        except ReportTimeout as timeout:
            return render_template("error.html", code=503, title="The report took too long", message=(
                f"The PDF could not be made: {timeout}. Try again later, or ask an administrator to raise "
                "the time limit."
            )), 503  # fmt: skip
        except ReportFailed as failed:
            return render_template("error.html", code=500, title="The report could not be made",
                                   message=f"The PDF could not be made ({failed})."), 500  # fmt: skip
        cache.put(path, result.pdf)
    return send_file(
        io.BytesIO(path.read_bytes()),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{slug}-report-{rated.as_of.isoformat()}.pdf",
        max_age=0,
    )

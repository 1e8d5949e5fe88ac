"""A survey's national, regional and local reports (issue 21) as pages and PDFs, and the administrators'
"all reports" job. National and regional reports are for everyone signed in; a local report for whom
`can_view_org_report` allows (a refusal is a 403, audited)."""

from __future__ import annotations

import io
from typing import Any, NoReturn

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from tracker.domain.survey_level_results import Level
from tracker.extensions import db
from tracker.reports import jobs
from tracker.reports import survey_level_jobs as batch
from tracker.reports.pdf import ReportFailed, ReportTimeout
from tracker.reports.survey_level_batches import place_for
from tracker.reports.survey_level_csv import csv_name, level_csv
from tracker.reports.survey_level_inputs import Target, report_of, round_labels, target_of
from tracker.reports.survey_level_model import LevelReport
from tracker.reports.survey_level_render import PageLinks, file_slug, level_pdf, render_level_html
from tracker.services import survey_levels as levels_service
from tracker.services.attachments import attachment_header
from tracker.services.audit import record
from tracker.services.permissions import can_make_survey_reports, can_view_level_report, can_view_org_report
from tracker.services.surveys import SurveyNotFound
from tracker.web.guard import actor, principal, require

bp = Blueprint("survey_levels", __name__)
BASE = "/f/<slug>/surveys/<survey_id>"


def _target(slug: str, survey_id: str, level: Level, key: str = "") -> Target:
    require(can_view_level_report(principal()), "view survey report", "survey", survey_id)
    try:
        target = target_of(db.session, slug, survey_id, level, key)
    except SurveyNotFound as missing:
        abort(404, description=str(missing))
    if target.org is not None:
        require(can_view_org_report(principal(), target.org), "view local report", "survey_org", key)
    return target


def _nothing(level: Level, key: str, label: str | None) -> NoReturn:
    what = {"national": "", "region": f" for the region '{key[:100]}'", "org": ""}[level]
    which = f"round '{label[:40]}'" if label else "round"
    abort(404, description=f"This survey has no {which}{what} to report on.")


def _report(target: Target, level: Level, key: str = "") -> LevelReport:
    label = request.args.get("round") or None
    report = report_of(db.session, target, level, key, label)
    if report is None:
        _nothing(level, key, label)
    return report


def _csv(target: Target, level: Level, key: str) -> ResponseReturnValue:
    """The level's figures, one row per figure, as the page shows them (suppressed ones without values)."""
    label = request.args.get("round") or None
    definition = target.definition
    result = levels_service.level_for(db.session, target.framework_id, definition, level, key, label)
    if result is None:
        _nothing(level, key, label)
    name = f"{target.slug}-{definition.id}-{file_slug(result.round_label)}-{csv_name(level, key)}"
    return Response(
        level_csv(result, definition.min_group_size),
        mimetype="text/csv",
        headers={"Content-Disposition": attachment_header(name)},
    )


def _page(
    target: Target, level: Level, key: str, pdf_endpoint: str, csv_endpoint: str
) -> ResponseReturnValue:
    report = _report(target, level, key)
    values: dict[str, Any] = {
        "slug": target.slug,
        "survey_id": target.definition.id,
        "round": report.round_label,
    }
    if level == "region":
        values["region"] = key
    elif level == "org":
        values["org"] = key
    links = PageLinks(
        round_labels(db.session, target), url_for(pdf_endpoint, **values), url_for(csv_endpoint, **values)
    )
    return render_level_html(report, for_pdf=False, page=links)


def _pdf(target: Target, level: Level, key: str) -> ResponseReturnValue:
    report = _report(target, level, key)
    try:
        pdf = level_pdf(report)
    except ReportTimeout as timeout:
        message = f"The PDF could not be made: {timeout}. Try again later."
        return render_template("error.html", code=503, title="The report took too long", message=message), 503
    except ReportFailed as failed:
        message = f"The PDF could not be made ({failed})."
        return render_template(
            "error.html", code=500, title="The report could not be made", message=message
        ), 500
    name = f"{target.slug}-{target.definition.id}-{file_slug(report.round_label)}-{batch.file_name(report)}"
    return send_file(
        io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0
    )


@bp.get(f"{BASE}/national")
def national(slug: str, survey_id: str) -> ResponseReturnValue:
    target = _target(slug, survey_id, "national")
    return _page(target, "national", "", "survey_levels.national_pdf", "survey_levels.national_csv")


@bp.get(f"{BASE}/national.pdf")
def national_pdf(slug: str, survey_id: str) -> ResponseReturnValue:
    return _pdf(_target(slug, survey_id, "national"), "national", "")


@bp.get(f"{BASE}/national.csv")
def national_csv(slug: str, survey_id: str) -> ResponseReturnValue:
    return _csv(_target(slug, survey_id, "national"), "national", "")


@bp.get(f"{BASE}/regions/<region>")
def region(slug: str, survey_id: str, region: str) -> ResponseReturnValue:
    target = _target(slug, survey_id, "region")
    return _page(target, "region", region, "survey_levels.region_pdf", "survey_levels.region_csv")


@bp.get(f"{BASE}/regions/<region>.pdf")
def region_pdf(slug: str, survey_id: str, region: str) -> ResponseReturnValue:
    return _pdf(_target(slug, survey_id, "region"), "region", region)


@bp.get(f"{BASE}/regions/<region>.csv")
def region_csv(slug: str, survey_id: str, region: str) -> ResponseReturnValue:
    return _csv(_target(slug, survey_id, "region"), "region", region)


@bp.get(f"{BASE}/orgs/<org>")
def org(slug: str, survey_id: str, org: str) -> ResponseReturnValue:
    return _page(
        _target(slug, survey_id, "org", org), "org", org, "survey_levels.org_pdf", "survey_levels.org_csv"
    )


@bp.get(f"{BASE}/orgs/<org>.pdf")
def org_pdf(slug: str, survey_id: str, org: str) -> ResponseReturnValue:
    return _pdf(_target(slug, survey_id, "org", org), "org", org)


@bp.get(f"{BASE}/orgs/<org>.csv")
def org_csv(slug: str, survey_id: str, org: str) -> ResponseReturnValue:
    return _csv(_target(slug, survey_id, "org", org), "org", org)


class StartForm(FlaskForm):  # type: ignore[misc]
    """Only its CSRF token: the round comes from the page's query string."""


def _batch_target(slug: str, survey_id: str) -> Target:
    require(can_make_survey_reports(principal()), "make every survey report", "survey", survey_id)
    try:
        return target_of(db.session, slug, survey_id, "national")
    except SurveyNotFound as missing:
        abort(404, description=str(missing))


def _round(target: Target) -> str:
    labels = round_labels(db.session, target)
    if not labels:
        abort(404, description="This survey has no round to report on.")
    label = request.values.get("round") or labels[-1]
    if label not in labels:
        abort(404, description=f"This survey has no round '{label[:40]}'.")
    return label


@bp.get(f"{BASE}/reports")
def reports(slug: str, survey_id: str) -> ResponseReturnValue:
    """Every report of a round as PDFs: start it, watch it (its script updates it in place), download."""
    target = _batch_target(slug, survey_id)
    label = _round(target)
    status = place_for(current_app, slug, survey_id, label).read_status()
    return render_template(
        "surveys/level_reports.html",
        slug=slug,
        definition=target.definition,
        label=label,
        rounds=round_labels(db.session, target),
        status=status,
        round_slug=file_slug(label),
        form=StartForm(),
        queued=jobs.queue(current_app) is not None,
    )


@bp.post(f"{BASE}/reports")
def start(slug: str, survey_id: str) -> ResponseReturnValue:
    target = _batch_target(slug, survey_id)
    label = _round(target)
    if not StartForm().validate_on_submit():
        abort(400, description="The form has expired: open the page again and start once more.")
    status = batch.start_batch(slug, survey_id, label)
    record(
        db.session,
        actor(),
        "survey_reports.start",
        object_type="survey",
        object_id=survey_id,
        framework_id=target.framework_id,
        detail=f"round {label}: {'started' if status.state == 'queued' else 'already under way'}",
    )
    flash(f"Making every report of round {label} as PDFs.", "success")
    return redirect(url_for("survey_levels.reports", slug=slug, survey_id=survey_id, round=label))


@bp.get(f"{BASE}/reports/<round_slug>/<name>")
def download(slug: str, survey_id: str, round_slug: str, name: str) -> ResponseReturnValue:
    """One PDF of a finished (or running) set, by the name the status lists; nothing else is served."""
    target = _batch_target(slug, survey_id)
    label = next((r for r in round_labels(db.session, target) if file_slug(r) == round_slug), None)
    if label is None:
        abort(404, description="No such round.")
    place = place_for(current_app, slug, survey_id, label)
    status = place.read_status()
    data = place.read(name) if status is not None and name in status.files else None
    if data is None:
        abort(404, description=f"No report '{name[:80]}' has been made for round {label}.")
    return send_file(
        io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0
    )

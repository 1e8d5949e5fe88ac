"""Survey results: each round's section scores with bands, breakdowns, change, and a CSV download."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField

from tracker.db.models import SurveyRound
from tracker.domain import formats
from tracker.domain.evidence_input import parse_date
from tracker.domain.surveys import (
    BROADLY_UNCHANGED_POINTS,
    SectionResult,
    SurveyDefinition,
    describe_change,
    rounded_score,
)
from tracker.extensions import db
from tracker.reports import charts
from tracker.services import evidence as evidence_service
from tracker.services import survey_reports
from tracker.services import surveys as survey_service
from tracker.services.attachments import attachment_header
from tracker.services.evidence import Refused
from tracker.services.evidence_queries import neutralise
from tracker.services.imports import MAX_CSV_BYTES
from tracker.services.permissions import can_import_into, can_make_survey_reports, can_manage_survey_orgs
from tracker.web.form_parts import Required
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("surveys", __name__)


@dataclass(frozen=True)
class SurveyView:
    definition: SurveyDefinition
    rounds: list[SurveyRound]
    round: SurveyRound | None = None
    label: str = ""
    results: tuple[SectionResult, ...] = ()
    by: str | None = None
    distance: survey_service.DistanceView | None = None


def _results(slug: str, survey_id: str) -> SurveyView:
    try:
        framework_id, definition = survey_service.definition_of(db.session, slug, survey_id)
    except survey_service.SurveyNotFound as missing:
        abort(404, description=str(missing))
    available = survey_service.rounds(db.session, framework_id, survey_id)
    if not available:
        return SurveyView(definition, available)
    label = request.args.get("round") or available[-1].label
    if definition.organisations:  # figures only from the level reports, with their suppression across levels
        round_ = next((r for r in available if r.label == label), None)
        if round_ is None:
            abort(404, description=f"survey '{survey_id}' has no round '{label[:40]}'")
        return SurveyView(definition, available, round_, label)
    by = request.args.get("by") or None
    if by is not None and by not in definition.breakdowns:
        abort(400, description=f"'{by[:40]}' is not a breakdown of this survey.")
    try:
        _definition, round_, scored = survey_service.results(db.session, slug, survey_id, label, by)
    except survey_service.SurveyNotFound as missing:
        abort(404, description=str(missing))
    distance = survey_service.distance_since_previous(db.session, slug, survey_id, label)
    return SurveyView(definition, available, round_, label, scored, by, distance)


class RoundForm(FlaskForm):  # type: ignore[misc]
    label = StringField("Round", validators=[Required()])
    collected_on = StringField("Date the round closed", validators=[Required()])
    replace = BooleanField("Replace a round with this label imported before (its rows are kept)")
    file = FileField("CSV file", validators=[Required()])


def _page(
    slug: str,
    survey_id: str,
    form: RoundForm,
    problems: list[str] | None = None,
    status: int = 200,
    more_problems: int = 0,
) -> ResponseReturnValue:
    view = _results(slug, survey_id)
    ctx = evidence_service.framework_context(db.session, slug)
    levels = None
    if ctx is not None and view.definition.organisations and view.rounds:
        levels = survey_reports.report_list(db.session, ctx.framework.id, survey_id, principal())
    return render_template(
        "surveys/show.html",
        slug=slug,
        view=view,
        definition=view.definition,
        describe_change=describe_change,
        unchanged_under=BROADLY_UNCHANGED_POINTS,
        rounded_score=rounded_score,
        chart=(
            charts.distance_travelled(
                "distance",
                f"{view.distance.previous} to {view.label}",
                view.distance.chart_rows,
                100,
                value_text=formats.whole_number,  # as the score table shows them
            )
            if view.distance and view.distance.chart_rows
            else None
        ),
        form=form,
        problems=problems or [],
        more_problems=more_problems,
        can_upload=ctx is not None and can_import_into(principal(), ctx.partner_ids),
        levels=levels,
        can_make_reports=can_make_survey_reports(principal()),
        can_add_orgs=view.definition.organisations and can_manage_survey_orgs(principal()),
    ), status


@bp.get("/f/<slug>/surveys/<survey_id>")
def show(slug: str, survey_id: str) -> ResponseReturnValue:
    return _page(slug, survey_id, RoundForm())


@bp.post("/f/<slug>/surveys/<survey_id>")
def upload(slug: str, survey_id: str) -> ResponseReturnValue:
    """One round from a spreadsheet: every row checked first; any bad cell and nothing is stored."""
    ctx = evidence_service.framework_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    require(can_import_into(principal(), ctx.partner_ids), "import survey round", "survey", survey_id)
    form = RoundForm()
    if not form.validate_on_submit():
        return _page(slug, survey_id, form, status=400)
    closed = parse_date((form.collected_on.data or "").strip())
    upload_file = request.files.get("file")
    if closed is None:
        form.collected_on.errors = ["Date the round closed must be a date as YYYY-MM-DD"]
    if upload_file is None or not upload_file.filename:
        form.file.errors = ["Choose a CSV file to upload"]
    if closed is None or upload_file is None or not upload_file.filename:
        return _page(slug, survey_id, form, status=400)
    try:
        result = survey_service.import_round(
            db.session,
            actor(),
            principal(),
            ctx,
            survey_id,
            form.label.data or "",
            upload_file.stream.read(MAX_CSV_BYTES + 1),
            replace=bool(form.replace.data),
            collected_on=closed,
            source_name=upload_file.filename,
        )
    except survey_service.SurveyNotFound as missing:
        abort(404, description=str(missing))
    except Refused as refused:
        refuse("import survey round", "survey", survey_id, str(refused))
    if not result.ok:
        db.session.rollback()
        lines = [
            f"Row {row}, column {column}: {message}" if column else f"Row {row}: {message}"
            for row, column, message in result.problems
        ]
        return _page(slug, survey_id, form, lines, 400, result.more_problems)
    sent_back = (
        f" {result.sent_back} accepted evidence items changed and went back for review."
        if result.sent_back
        else ""
    )
    flash(f"Imported round {form.label.data}: {result.respondents} respondents.{sent_back}", "success")
    return redirect(url_for("surveys.show", slug=slug, survey_id=survey_id, round=form.label.data))


@bp.get("/f/<slug>/surveys/<survey_id>/results.csv")
def download(slug: str, survey_id: str) -> ResponseReturnValue:
    view = _results(slug, survey_id)
    if view.definition.organisations:
        abort(
            404,
            description="This survey's figures are in its national, regional and local reports, "
            "each with its own download.",
        )
    definition, label, scored, by = view.definition, view.label, view.results, view.by
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "group", "n", "score", "band", "agree_pct", "change", "note"])
    fewer = f"fewer than {definition.min_group_size} responses"
    for r in scored:
        shown = not (r.suppressed or r.score is None)
        writer.writerow(
            [
                neutralise(r.title),
                "",
                r.n,
                rounded_score(r.score) if shown and r.score is not None else "",
                r.band or "",
                f"{r.agree_pct:.0f}" if shown and r.agree_pct is not None else "",
                f"{r.change.value:+.1f}" if r.change else "",
                "" if shown else fewer,
            ]
        )
        for g in r.groups:
            visible = not (g.suppressed or g.score is None)
            writer.writerow(
                [
                    neutralise(r.title),
                    neutralise(g.group),
                    g.n,
                    rounded_score(g.score) if visible and g.score is not None else "",
                    g.band or "",
                    "",
                    "",
                    "" if visible else fewer,
                ]
            )
    name = f"{slug}-{survey_id}-{label or 'none'}{'-by-' + by if by else ''}.csv"
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": attachment_header(name)}
    )

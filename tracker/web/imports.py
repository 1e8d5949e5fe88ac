"""The CSV upload page (evidence or KPI values, all rows or none), a sample file for each import, and the page
that describes the files' columns."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField

from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services import import_formats, import_samples, imports
from tracker.services import surveys as survey_service
from tracker.services.attachments import attachment_header
from tracker.services.evidence import FrameworkContext, Refused
from tracker.services.permissions import can_import_into
from tracker.web.form_parts import choices
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("imports", __name__)


class ImportForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    kind = RadioField(
        "What the file holds",
        choices=choices([("evidence", "Evidence items"), ("kpi", "KPI values")]),
        default="evidence",
    )
    file = FileField("CSV file")


def _context(slug: str) -> FrameworkContext:
    """The framework the address names, or a 404 page."""
    ctx = evidence_service.framework_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return ctx


def _page(ctx: FrameworkContext, form: ImportForm, result: imports.ImportResult | None = None) -> str:
    problems = result.problems if result else []
    return render_template("imports/upload.html", ctx=ctx, form=form, result=result, problems=problems)


@bp.route("/f/<slug>/import", methods=["GET", "POST"])
def upload(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    p, who = principal(), actor()
    require(can_import_into(p, ctx.partner_ids), "import CSV", "framework", slug)
    form = ImportForm()
    if request.method == "GET":
        return _page(ctx, form)
    if not form.validate_on_submit():
        return _page(ctx, form), 400
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        form.file.errors = ["Choose a CSV file to upload"]
        return _page(ctx, form), 400
    raw = upload_file.stream.read(imports.MAX_CSV_BYTES + 1)
    scope = imports.ImportScope.of(ctx, p)
    # Checking a large file takes seconds and needs no database: end the transaction first, so SQLite's
    # write lock (taken up front by a POST) is not held while it runs. The writing transaction is short.
    db.session.rollback()
    try:
        if form.kind.data == "kpi":
            result = imports.write_kpi_values(db.session, who, p, imports.check_kpi_values(scope, p, raw))
        else:
            checked = imports.check_evidence(scope, p, raw, date.today())
            result = imports.write_evidence(db.session, who, p, checked)
    except Refused as refused:
        refuse("import CSV", "framework", slug, str(refused))
    if not result.ok:
        db.session.rollback()
        return _page(ctx, form, result), 400
    noun = "evidence items" if form.kind.data != "kpi" else "KPI values"
    flash(
        f"Imported {result.added:,} {noun}."
        + (f" {result.skipped:,} were already present." if result.skipped else ""),
        "success",
    )
    target = "evidence.index" if form.kind.data != "kpi" else "kpis.index"
    return redirect(url_for(target, slug=slug))


def _csv_download(text: str, name: str) -> Response:
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": attachment_header(name)})


def _own_partner(ctx: FrameworkContext) -> str:
    """A lead's partner (the only one a lead's rows may name); "" for other roles."""
    p = principal()
    return ctx.partner_slug(p.partner_id) if p.role == "lead" else ""


@bp.get("/f/<slug>/import/evidence-sample.csv")
def evidence_sample(slug: str) -> ResponseReturnValue:
    """Two example evidence rows for this framework, as drafts: a file that imports as it is."""
    ctx = _context(slug)
    text = import_samples.evidence_sample(ctx, _own_partner(ctx), date.today())
    return _csv_download(text, f"{slug}-evidence-sample.csv")


@bp.get("/f/<slug>/import/kpi-sample.csv")
def kpi_sample(slug: str) -> ResponseReturnValue:
    """An example KPI value for this framework: a file that imports as it is."""
    ctx = _context(slug)
    text = import_samples.kpi_sample(ctx, _own_partner(ctx), date.today())
    return _csv_download(text, f"{slug}-kpi-values-sample.csv")


@bp.get("/f/<slug>/surveys/<survey_id>/sample.csv")
def survey_sample(slug: str, survey_id: str) -> ResponseReturnValue:
    """A few example respondents with every column the survey needs."""
    try:
        framework_id, definition = survey_service.definition_of(db.session, slug, survey_id)
    except survey_service.SurveyNotFound as missing:
        abort(404, description=str(missing))
    orgs = survey_service.org_keys(db.session, framework_id, survey_id) if definition.organisations else ()
    sample = import_samples.survey_sample(definition, organisations=sorted(orgs))
    return _csv_download(sample, f"{slug}-{survey_id}-sample.csv")


@bp.get("/help/file-formats")
def formats() -> ResponseReturnValue:
    """What each importable file holds, column by column, and how every file is checked."""
    return render_template("imports/formats.html", formats=import_formats)

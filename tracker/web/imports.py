"""The CSV upload page: evidence or KPI values, all rows or none, the first bad rows listed with the count."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField

from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services import imports
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


def _page(ctx: FrameworkContext, form: ImportForm, result: imports.ImportResult | None = None) -> str:
    problems = result.problems if result else []
    return render_template("imports/upload.html", ctx=ctx, form=form, result=result, problems=problems)


@bp.route("/f/<slug>/import", methods=["GET", "POST"])
def upload(slug: str) -> ResponseReturnValue:
    ctx = evidence_service.framework_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
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

"""The CSV upload page: evidence or KPI values, all rows or none, every bad row listed."""

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
from tracker.services.permissions import can_import_into
from tracker.web.form_parts import choices
from tracker.web.guard import actor, principal, require

bp = Blueprint("imports", __name__)


class ImportForm(FlaskForm):  # type: ignore[misc]
    kind = RadioField(
        "What the file holds",
        choices=choices([("evidence", "Evidence items"), ("kpi", "KPI values")]),
        default="evidence",
    )
    file = FileField("CSV file")


@bp.route("/f/<slug>/import", methods=["GET", "POST"])
def upload(slug: str) -> ResponseReturnValue:
    ctx = evidence_service.framework_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    require(can_import_into(principal(), ctx.partner_ids), "import CSV", "framework", slug)
    form = ImportForm()
    problems: list[imports.RowProblem] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("imports/upload.html", ctx=ctx, form=form, problems=problems), 400
        upload_file = request.files.get("file")
        if upload_file is None or not upload_file.filename:
            form.file.errors = ["Choose a CSV file to upload"]
            return render_template("imports/upload.html", ctx=ctx, form=form, problems=problems), 400
        raw = upload_file.stream.read(imports.MAX_CSV_BYTES + 1)
        if form.kind.data == "kpi":
            result = imports.import_kpi_values(db.session, actor(), principal(), ctx, raw)
        else:
            result = imports.import_evidence(db.session, actor(), principal(), ctx, raw, date.today())
        if not result.ok:
            db.session.rollback()
            return render_template("imports/upload.html", ctx=ctx, form=form, problems=result.problems), 400
        noun = "evidence items" if form.kind.data != "kpi" else "KPI values"
        flash(
            f"Imported {result.added} {noun}."
            + (f" {result.skipped} were already present." if result.skipped else ""),
            "success",
        )
        target = "evidence.index" if form.kind.data != "kpi" else "kpis.index"
        return redirect(url_for(target, slug=slug))
    return render_template("imports/upload.html", ctx=ctx, form=form, problems=problems)

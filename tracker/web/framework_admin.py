"""Frameworks managed on the web, by administrators only: upload a file (its problems beside its lines, or a
preview of what loading it would do), load it on confirmation, and each framework's versions (history, diff
and download)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import Form, HiddenField, SelectField

from tracker.db.session import without_write_intent
from tracker.domain import framework as fw
from tracker.domain.rules import RATING_LABELS
from tracker.extensions import db
from tracker.services import framework_admin, framework_file_check, framework_history
from tracker.services.attachments import attachment_header
from tracker.services.frameworks import FrameworkRefused
from tracker.services.permissions import can_manage_frameworks
from tracker.web.form_parts import choices
from tracker.web.guard import actor, principal, require

bp = Blueprint("framework_admin", __name__)
UPLOAD_URL = "/frameworks/admin/upload"


def _file_limit() -> int:
    return framework_file_check.file_limit(int(current_app.config["UPLOAD_MAX_BYTES"]))


@bp.url_value_preprocessor
def _bound(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """A file, or the previewed text signed (JSON escapes and base64 can make it larger than the file), and a
    token at most: a larger body is refused before anything reads it."""
    if request.method == "POST":
        request.max_content_length = 3 * _file_limit() + 256 * 1024
        request.max_form_memory_size = 3 * _file_limit() + 256 * 1024


def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    limit = framework_file_check.size_words(_file_limit())
    message = (
        f"The file was too large to receive, so nothing was loaded: a framework file may be at most {limit}."
    )
    return render_template("error.html", code=413, title="The file was too large", message=message), 413


bp.register_error_handler(RequestEntityTooLarge, _too_large)


class UploadForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    file = FileField("Framework file (YAML)")


class ConfirmForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    """The previewed file, signed with the app's secret: what the confirmation loads, exactly."""

    sealed = HiddenField()


def _admin_only(action: str, slug: str = "") -> None:
    require(can_manage_frameworks(principal()), action, "framework", slug)


def _upload_page(
    form: UploadForm, checked: framework_file_check.Checked | None = None, status: int = 200
) -> ResponseReturnValue:
    limit = framework_file_check.size_words(_file_limit())
    return render_template("frameworks/upload.html", form=form, checked=checked, limit=limit), status


def _preview_page(
    framework: fw.Framework, text: str, name: str, notice: str = "", status: int = 200
) -> ResponseReturnValue:
    """What loading the file would do: the load run and rolled back under the request's write lock, then the
    ratings compared in a reading transaction (seconds for a national framework: no lock held meanwhile)."""
    try:
        shown = framework_admin.preview_load(db.session, actor(), framework, text, name)
    except FrameworkRefused as refused:
        form = UploadForm()
        form.file.errors = [f"{name}: {refused}"]
        return _upload_page(form, status=409 if notice else 400)
    db.session.rollback()
    ratings = None
    if not shown.unchanged:
        with without_write_intent():
            ratings = framework_admin.rating_changes(db.session, framework, date.today())
        db.session.rollback()
    sealed = framework_admin.seal(
        current_app.config["SECRET_KEY"], framework_admin.Sealed(text, name, shown.base)
    )
    form = ConfirmForm(formdata=None, sealed=sealed)  # not the posted token, on a preview made again
    page = render_template(
        "frameworks/preview.html",
        shown=shown,
        ratings=ratings,
        form=form,
        notice=notice,
        labels=RATING_LABELS,
    )
    return page, status


@bp.route(UPLOAD_URL, methods=["GET", "POST"])
def upload() -> ResponseReturnValue:
    """The upload form; a posted file is checked, then previewed (nothing is written either way)."""
    _admin_only("load a framework")
    form = UploadForm()
    if request.method == "GET":
        return _upload_page(form)
    if not form.validate_on_submit():
        return _upload_page(form, status=400)
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        form.file.errors = ["Choose a framework file (YAML) to upload"]
        return _upload_page(form, status=400)
    checked = framework_file_check.check_upload(
        storage.stream.read(_file_limit() + 1), storage.filename, _file_limit()
    )
    if checked.framework is None or checked.text is None:
        return _upload_page(form, checked, 400)
    return _preview_page(checked.framework, checked.text, checked.name)


@bp.post("/frameworks/admin/confirm")
def confirm() -> ResponseReturnValue:
    """Load the previewed file as it was previewed; if the framework changed meanwhile, nothing is loaded and
    the preview is made again against it."""
    _admin_only("load a framework")
    form = ConfirmForm()
    sealed = None
    if form.validate_on_submit():
        sealed = framework_admin.unseal(current_app.config["SECRET_KEY"], form.sealed.data or "")
    if sealed is None:
        upload_form = UploadForm()
        upload_form.file.errors = [
            "The preview could not be read, or is more than 8 hours old, so nothing was loaded: "
            "upload the file again"
        ]
        return _upload_page(upload_form, status=400)
    try:
        done = framework_admin.confirm(db.session, actor(), sealed)
    except FrameworkRefused as refused:
        upload_form = UploadForm()
        upload_form.file.errors = [f"{sealed.name}: {refused}"]
        return _upload_page(upload_form, status=409)
    if done.summary is None:
        db.session.rollback()
        moved = done.moved_to
        notice = (
            f"Nothing was loaded: {done.framework.title} changed after your preview"
            + (f" (version {moved.version} was loaded by {moved.loaded_by or 'someone'})" if moved else "")
            + ". This is what loading your file would do now; check it and confirm again."
        )
        return _preview_page(done.framework, sealed.text, sealed.name, notice, 409)
    summary = done.summary
    if summary.unchanged:
        flash(
            f"Version {summary.version} of {done.framework.title} is already loaded; nothing changed.",
            "success",
        )
    else:
        counts = ", ".join(
            f"{len(items):,} {label}"
            for label, items in (
                ("added", summary.added),
                ("changed", summary.changed),
                ("archived", summary.archived),
                ("restored", summary.restored),
            )
        )
        flash(f"Loaded version {summary.version} of {done.framework.title}: {counts}.", "success")
    return redirect(url_for("framework_admin.history", slug=summary.framework_id))


def _history(slug: str, action: str) -> framework_history.History:
    _admin_only(action, slug)
    found = framework_history.history(db.session, slug)
    if found is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return found


@bp.get("/f/<slug>/versions")
def history(slug: str) -> ResponseReturnValue:
    """Every kept version: who loaded it when, from which file, and what its load changed."""
    found = _history(slug, "view framework versions")
    return render_template("frameworks/versions.html", history=found)


@bp.get("/f/<slug>/versions/<int:number>.yaml")
def download(slug: str, number: int) -> ResponseReturnValue:
    """A version's file exactly as it was loaded."""
    _admin_only("download a framework version", slug)
    found = framework_history.version_file(db.session, slug, number)
    if found is None:
        abort(404, description=f"The framework '{slug}' has no version {number}.")
    return Response(
        found.data,
        content_type="text/yaml; charset=utf-8",
        headers={"Content-Disposition": attachment_header(found.filename)},
    )


class DiffForm(Form):  # type: ignore[misc]  # wtforms ships no type hints: Form is Any
    """The two versions to compare: a GET form (no CSRF token: it changes nothing), kept in the address."""

    from_version = SelectField("From version", choices=[], validate_choice=False, name="from")
    to_version = SelectField("To version", choices=[], validate_choice=False, name="to")


@bp.get("/f/<slug>/versions/diff")
def diff(slug: str) -> ResponseReturnValue:
    """What changed between two versions (by default the two newest), element by element and line by line."""
    found = _history(slug, "compare framework versions")
    numbers = found.numbers
    form = DiffForm(request.args)
    chosen: dict[str, int] = {}
    for field, default in (
        (form.from_version, numbers[max(0, len(numbers) - 2)]),
        (form.to_version, numbers[-1]),
    ):
        field.choices = choices((str(n), f"Version {n}") for n in reversed(numbers))
        raw = (field.data or "").strip()
        if not raw:
            field.data = str(default)
        elif not (raw.isascii() and raw.isdigit() and len(raw) < 10 and int(raw) in numbers):
            field.errors = [f"Choose a version of {found.title} from the list"]
            continue
        chosen[field.name] = int(field.data)
    result = None
    if len(chosen) == 2:
        result = framework_history.diff_versions(db.session, slug, chosen["from"], chosen["to"])
    page = render_template("frameworks/diff.html", history=found, form=form, result=result)
    return page, 200 if result is not None else 400

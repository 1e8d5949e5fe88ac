"""Evidence pages: list and filter, log, edit, review, download attachments, the review queue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from tracker.db.models import Evidence
from tracker.domain.evidence_input import (
    FIELD_NAMES,
    FINDING_LABELS,
    FLAG_NAMES,
    SHOWS_LABELS,
    SOURCE_TYPE_LABELS,
    STATUSES,
    EvidenceFields,
    is_whole_number,
    missing_for_review,
    parse_date,
    parse_evidence,
)
from tracker.extensions import db
from tracker.services import attachments, evidence_queries
from tracker.services import evidence as evidence_service
from tracker.services import frameworks as framework_service
from tracker.services.attachments import UploadRefused, attachment_header
from tracker.services.evidence import EditConflict, FrameworkContext, Incomplete, Refused, Upload
from tracker.services.permissions import can_create_evidence, can_edit_evidence, can_move, can_view_evidence
from tracker.storage import BlobCorrupt, BlobMissing
from tracker.storage.app import current_store
from tracker.web.evidence_forms import FLAG_LABELS, KPI_HINT, SHOWS_OPTIONS, EvidenceForm, ReviewForm
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("evidence", __name__)


def _context(slug: str) -> FrameworkContext:
    ctx = evidence_service.framework_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return ctx


def _visible_item(evidence_id: int) -> Evidence:
    evidence = evidence_queries.evidence_by_id(db.session, evidence_id)
    if evidence is None:
        abort(404, description="No evidence item has that number.")
    if not can_view_evidence(principal(), evidence):
        refuse("view evidence", "evidence", evidence_id)
    return evidence


FILTER_KEYS = ("theme", "element", "source_type", "status", "partner", "from", "to", "q")


def _filter_args() -> dict[str, str]:
    """The list's own query keys only, for its links (other keys such as `slug` would reach url_for)."""
    return {key: request.args[key][:200] for key in FILTER_KEYS if request.args.get(key)}


def _filters() -> evidence_queries.EvidenceFilters:
    args = request.args
    return evidence_queries.EvidenceFilters(
        theme=args.get("theme", "")[:64],
        element=args.get("element", "")[:64],
        source_type=args.get("source_type", "") if args.get("source_type") in SOURCE_TYPE_LABELS else "",
        status=args.get("status", "") if args.get("status") in STATUSES else "",
        partner=args.get("partner", "")[:64],
        date_from=parse_date(args.get("from", "")),
        date_to=parse_date(args.get("to", "")),
        text=args.get("q", "").strip()[:200],
    )


@bp.get("/f/<slug>/evidence")
def index(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    filters = _filters()
    page = evidence_queries.list_page(
        db.session, ctx.framework.id, principal(), filters, request.args.get("page", 1, type=int) or 1
    )
    return render_template(
        "evidence/list.html",
        ctx=ctx,
        page=page,
        filters=filters,
        filter_args=_filter_args(),
        source_types=SOURCE_TYPE_LABELS,
        statuses=STATUSES,
        findings=FINDING_LABELS,
        can_create=can_create_evidence(principal(), ctx.partner_ids),
    )


@bp.get("/f/<slug>/evidence.csv")
def download_csv(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    body = evidence_queries.as_csv(db.session, ctx.framework.id, principal(), _filters())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": attachment_header(f"{slug}-evidence.csv")},
    )


def _form(ctx: FrameworkContext, evidence: Evidence | None = None, *, stored: bool = False) -> EvidenceForm:
    """The form with this framework's choices; `stored` fills it from the saved item, not the request."""
    form = EvidenceForm(formdata=None) if stored else EvidenceForm()
    form.offer(ctx, date.today())
    if evidence is not None and stored:
        form.fill(
            evidence,
            evidence_service.link_slugs(db.session, evidence.id),
            ctx.partner_slug(evidence.partner_id),
        )
    return form


def _uploads() -> list[Upload]:
    return [
        Upload(f.filename or "", f.stream) for f in request.files.getlist("attachments") if f and f.filename
    ]


def _dropped_files(extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A form sent back keeps no chosen files (browsers cannot refill a file input): say so at the field,
    after the reason a file was refused, as one message."""
    names = [f.filename for f in request.files.getlist("attachments") if f and f.filename]
    if request.method != "POST" or not names:
        return extra
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    if len(names) == 1:
        note = f"Your file {shown} was not kept: choose it again."
    else:
        note = f"Your files ({shown}) were not kept: choose them again."
    said = [message.rstrip(".") + "." for field_id, message in extra if field_id == "attachments"]
    rest = [(field_id, message) for field_id, message in extra if field_id != "attachments"]
    return [*rest, ("attachments", " ".join([*said, note]))]


def _own_partner(ctx: FrameworkContext) -> str:
    """A lead's partner (id), whose evidence everything the lead logs is; "" for the other roles."""
    p = principal()
    return ctx.partner_slug(p.partner_id) if p.role == "lead" else ""


def _checked(ctx: FrameworkContext, form: EvidenceForm, *, draft: bool) -> EvidenceFields | None:
    """The form's values checked by the domain (a draft needs a title and a date only); problems go to the
    fields. A lead's form shows their partner in place of the partner field, so a post naming a partner
    that is not one of the framework's has its error shown there; a lead's evidence is always their own
    partner's whatever the post names (the service sees to it)."""
    fields, problems = parse_evidence(
        form.raw_values(), ctx.linkable, set(ctx.partners), date.today(), "draft" if draft else "submitted"
    )
    if fields is None:
        form.add_problems(problems)
    return fields


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _render_form(
    ctx: FrameworkContext,
    form: EvidenceForm,
    evidence: Evidence | None,
    status: int = 200,
    extra: list[tuple[str, str]] | None = None,
) -> ResponseReturnValue:
    own = _own_partner(ctx)
    return render_template(
        "evidence/form.html",
        ctx=ctx,
        form=form,
        evidence=evidence,
        themes=ctx.link_tree(),
        flag_groups=[("", list(FLAG_LABELS.items()))],
        shows_options=SHOWS_OPTIONS,
        kpi_hint=KPI_HINT,
        is_lead=principal().role == "lead",
        own_partner=ctx.partners[own].name if own in ctx.partners else "",
        extra_errors=_dropped_files(extra or []),
    ), status


@bp.route("/f/<slug>/evidence/new", methods=["GET", "POST"])
def create(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    require(can_create_evidence(principal(), ctx.partner_ids), "log evidence", "framework", slug)
    form = _form(ctx)
    if request.method == "GET":
        return _render_form(ctx, form, None)
    status = "submitted" if request.form.get("action") == "submit" else "draft"
    if not form.validate_on_submit():
        return _render_form(ctx, form, None, 400)
    fields = _checked(ctx, form, draft=status == "draft")
    if fields is None:
        return _render_form(ctx, form, None, 400)
    try:
        item = evidence_service.create(
            db.session,
            actor(),
            principal(),
            ctx,
            fields,
            status=status,
            uploads=_uploads(),
            upload_dir=_upload_dir(),
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
            blobs=current_store(),
        )
    except Refused as refused:
        refuse("log evidence", "framework", slug, str(refused))
    except UploadRefused as bad:
        db.session.rollback()
        return _render_form(ctx, form, None, bad.status, [("attachments", str(bad))])
    flash(
        "Evidence submitted for review." if status == "submitted" else "Evidence saved as a draft.", "success"
    )
    return redirect(url_for("evidence.show", evidence_id=item.id))


def _item_page(evidence: Evidence, form: ReviewForm, status: int = 200) -> ResponseReturnValue:
    """The item with its review form; a draft that lacks fields says which, instead of offering to submit."""
    framework = framework_service.framework_by_id(db.session, evidence.framework_id)
    row, files, history = evidence_queries.item_details(db.session, evidence)
    p = principal()
    missing = missing_for_review({**evidence_service.review_values(evidence), "links": row.links})
    if evidence.status not in {"draft", "returned"}:
        missing = []
    moves = [
        s
        for s in ("submitted", "draft", "accepted", "returned")
        if can_move(p, evidence, s) and not (s == "submitted" and missing)
    ]
    return render_template(
        "evidence/show.html",
        row=row,
        evidence=evidence,
        framework=framework,
        files=files,
        history=history,
        can_edit=can_edit_evidence(p, evidence),
        moves=moves,
        missing=missing,
        form=form,
        source_types=SOURCE_TYPE_LABELS,
        findings=FINDING_LABELS,
        shows_labels=SHOWS_LABELS,
        flag_names=FLAG_NAMES,
        field_names=FIELD_NAMES,
    ), status


@bp.get("/evidence/<int:evidence_id>")
def show(evidence_id: int) -> ResponseReturnValue:
    evidence = _visible_item(evidence_id)
    return _item_page(evidence, ReviewForm(row_version=str(evidence.row_version)))


@bp.route("/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
def edit(evidence_id: int) -> ResponseReturnValue:
    evidence = _visible_item(evidence_id)
    require(can_edit_evidence(principal(), evidence), "edit evidence", "evidence", evidence_id)
    framework = framework_service.framework_by_id(db.session, evidence.framework_id)
    assert framework is not None
    ctx = _context(framework.slug)
    if request.method == "GET":
        return _render_form(ctx, _form(ctx, evidence, stored=True), evidence)
    form = _form(ctx, evidence)
    submit = request.form.get("action") == "submit"
    if not form.validate_on_submit():
        return _render_form(ctx, form, evidence, 400)
    fields = _checked(ctx, form, draft=evidence.status in {"draft", "returned"} and not submit)
    if fields is None:
        return _render_form(ctx, form, evidence, 400)
    expected = int(form.row_version.data) if is_whole_number(form.row_version.data or "") else -1
    try:
        evidence_service.update(
            db.session,
            actor(),
            principal(),
            ctx,
            evidence,
            fields,
            expected_version=expected,
            submit=submit,
            uploads=_uploads(),
            upload_dir=_upload_dir(),
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
            blobs=current_store(),
        )
    except Refused as refused:
        refuse("edit evidence", "evidence", evidence_id, str(refused))
    except EditConflict as conflict:
        db.session.rollback()
        db.session.refresh(evidence)
        return _render_form(ctx, _form(ctx, evidence, stored=True), evidence, 409, [("", str(conflict))])
    except UploadRefused as bad:
        db.session.rollback()
        return _render_form(ctx, form, evidence, bad.status, [("attachments", str(bad))])
    flash("Your changes are saved.", "success")
    return redirect(url_for("evidence.show", evidence_id=evidence_id))


@bp.post("/evidence/<int:evidence_id>/status")
def change_status(evidence_id: int) -> ResponseReturnValue:
    evidence = _visible_item(evidence_id)
    to_status = request.form.get("to", "")
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400, description="The form was not valid; go back and try again.")
    if not can_move(principal(), evidence, to_status):
        refuse(f"move evidence to {to_status}", "evidence", evidence_id)
    expected = int(form.row_version.data) if is_whole_number(form.row_version.data or "") else None
    try:
        evidence_service.move(
            db.session,
            actor(),
            principal(),
            evidence,
            to_status,
            note=form.note.data or "",
            expected_version=expected,
        )
    except (EditConflict, Incomplete) as problem:
        db.session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("evidence.show", evidence_id=evidence_id)), 303
    except ValueError as problem:
        db.session.rollback()
        form.note.errors = [str(problem)]
        return _item_page(evidence, form, 400)
    messages = {
        "submitted": "Submitted for review.",
        "draft": "Withdrawn to draft.",
        "accepted": "Accepted: it now counts towards ratings.",
        "returned": "Returned to the partner with your note.",
    }
    flash(messages.get(to_status, "Saved."), "success")
    return redirect(url_for("evidence.show", evidence_id=evidence_id))


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int) -> ResponseReturnValue:
    attachment = evidence_queries.attachment_by_id(db.session, attachment_id)
    if attachment is None:
        abort(404)
    evidence = evidence_queries.evidence_by_id(db.session, attachment.evidence_id)
    if evidence is None or not can_view_evidence(principal(), evidence):
        refuse("download attachment", "attachment", attachment_id)
    try:
        chunks = attachments.open_attachment(current_store(), _upload_dir(), attachment)
    except BlobMissing:
        abort(404, description="The file is missing from storage.")
    except BlobCorrupt as corrupt:
        who, number, name = actor(), attachment.id, attachment.original_name
        db.session.rollback()  # read before: the rollback expires the loaded rows
        attachments.record_corrupt(db.engine, who, number, name, corrupt)
        message = (
            f"The stored file of {name} no longer matches the SHA-256 fingerprint recorded "
            "when it was uploaded, so none of it is served. This was written to the audit trail; an "
            "administrator can restore the file from a backup or export (docs/storage.md)."
        )
        title = "The stored file is damaged"
        return render_template("error.html", code=500, title=title, message=message), 500
    response = Response(stream_with_context(chunks), mimetype="application/octet-stream")
    response.content_length = attachment.size
    response.headers["Content-Disposition"] = attachment_header(attachment.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/review")
def queue() -> ResponseReturnValue:
    p = principal()
    rows = evidence_queries.review_queue(db.session, p)
    titles = framework_service.framework_titles(db.session)
    lists = [] if rows else framework_service.list_frameworks(db.session)  # the empty queue links to them
    return render_template("evidence/queue.html", rows=rows, frameworks=titles, role=p.role, lists=lists)

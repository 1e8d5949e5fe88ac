"""The event pages (issue 19): a framework's events, an event's figures, sessions and charts, and the forms
that create an event and load its files (through the events service: all or nothing, audited)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from tracker.db.session import without_write_intent
from tracker.domain.event_measures import SessionMeasures
from tracker.domain.events import FORMAT_LABELS
from tracker.domain.yaml_source import Problem
from tracker.events import manage, reading
from tracker.events.forms import EventForm, UploadForm, event_yaml, place_problems, problem_text
from tracker.events.reading import EventNotFound
from tracker.events.service import CheckedEvent, LoadOutcome, NamedFile, write_checked
from tracker.extensions import db
from tracker.reports.event_blocks import event_block, event_charts, share_text
from tracker.services.evidence import FrameworkContext, Refused, framework_context
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("events", __name__)

MAX_UPLOAD_BYTES = 16 * 1024 * 1024  # each of the sessions and feedback files sent through the page
SHOWN_PROBLEMS = 100  # per file; the rest are counted


@bp.url_value_preprocessor
def _bound(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Two files and a few fields at most, refused before anything reads the body."""
    if request.method == "POST":
        request.max_content_length = 2 * MAX_UPLOAD_BYTES + 64 * 1024
        request.max_form_memory_size = 1024 * 1024


# -- reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the sessions table the reader may sort by; numbers sort most first on the first click."""

    key: str
    label: str
    value: Callable[[SessionMeasures], Any]
    numeric: bool = False
    orders: tuple[str, str] = ("A to Z", "Z to A")  # how the caption says ascending and descending


def _columns(rating_questions: Sequence[tuple[str, str]]) -> list[Column]:
    most = ("fewest first", "most first")
    columns = [
        Column("title", "Session", lambda s: s.session.title.casefold()),
        Column("theme", "Theme", lambda s: s.session.theme.casefold() or None),
        Column("starts", "Start", lambda s: s.session.starts_at, orders=("earliest first", "latest first")),
        Column("format", "Format", lambda s: s.session.format or None),
        Column("capacity", "Capacity", lambda s: s.session.capacity, True, most),
        Column("signups", "Sign-ups", lambda s: s.session.signups, True, most),
        Column("attended", "Attended", lambda s: s.session.attended, True, most),
        Column("conversion", "Conversion", lambda s: s.conversion, True, ("lowest first", "highest first")),
    ]
    for index, (question, text) in enumerate(rating_questions):
        columns.append(
            Column(
                f"mean-{question}",
                text,
                lambda s, i=index: s.ratings[i].mean,  # type: ignore[misc]
                True,
                ("lowest first", "highest first"),
            )
        )
    return columns


@dataclass(frozen=True)
class SortedRows:
    rows: list[SessionMeasures]
    key: str
    descending: bool
    caption: str  # "sorted by attended, most first"


def _sorted(rows: Sequence[SessionMeasures], columns: Sequence[Column], sort: str) -> SortedRows:
    """The rows in the order `sort` asks ('attended', '-attended'); those without a value last either way;
    ties in the file's order. 400 for a column there is not."""
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    column = next((c for c in columns if c.key == key), None)
    if column is None:
        abort(400, description=f"The sessions cannot be sorted by '{sort[:40]}'.")
    given = [r for r in rows if column.value(r) is not None]
    missing = [r for r in rows if column.value(r) is None]
    ordered = sorted(given, key=column.value, reverse=descending) + missing
    caption = f"sorted by {column.label[:1].lower() + column.label[1:]}, {column.orders[descending]}"
    return SortedRows(ordered, key, descending, caption)


def _show_context(slug: str, event_id: str) -> reading.ShownEvent:
    try:
        return reading.show_event(db.session, event_id, slug)
    except EventNotFound as missing:
        abort(404, description=str(missing))


@bp.get("/f/<slug>/events")
def index(slug: str) -> ResponseReturnValue:
    if not reading.framework_exists(db.session, slug):
        abort(404, description=f"No framework has the id '{slug}'.")
    framework = framework_context(db.session, slug)
    assert framework is not None
    events = reading.list_events(db.session, slug)
    partners = manage.framework_partners(db.session, slug)
    may_create = manage.may_manage(principal(), {s: p.id for s, p in partners.items()}, ())
    return render_template(
        "events/index.html", framework=framework.framework, events=events, may_create=may_create
    )


@bp.get("/f/<slug>/events/<event_id>")
def show(slug: str, event_id: str) -> ResponseReturnValue:
    shown = _show_context(slug, event_id)
    m = shown.measures
    columns = _columns([(r.question, r.text) for r in m.ratings])
    order = _sorted(m.per_session, columns, request.args.get("sort", "starts"))
    partners = manage.framework_partners(db.session, slug)
    sessions = [s.session for s in m.per_session]
    block = event_block(shown)
    return render_template(
        "events/show.html",
        shown=shown,
        m=m,
        block=block,
        charts=event_charts("event", block),
        columns=columns,
        order=order,
        partners={s: p.name for s, p in partners.items()},
        may_manage=manage.may_manage(principal(), {s: p.id for s, p in partners.items()}, sessions),
        share_text=share_text,
        format_labels=FORMAT_LABELS,
    )


# -- creating an event --------------------------------------------------------------------------------


def _framework(slug: str) -> FrameworkContext:
    ctx = framework_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return ctx


def _link_choices(ctx: FrameworkContext) -> list[tuple[str, str]]:
    """The framework's current activities, then its outputs, in the framework's order."""
    linkable = [
        e for e in ctx.elements.values() if e.kind in ("activity", "output") and e.archived_at is None
    ]
    ordered = sorted(linkable, key=lambda e: (e.kind != "activity", e.position))
    return [(e.slug, f"{'Activity' if e.kind == 'activity' else 'Output'}: {e.text}") for e in ordered]


def _form_page(ctx: FrameworkContext, form: EventForm, general: Sequence[str] = ()) -> str:
    """The form; the error summary lists the questions' errors (a list of rows is no field of its own) and
    the problems of no field, after the fields' own."""
    extra: list[tuple[str, str]] = []
    for row, entry in enumerate(form.questions.entries, start=1):
        for field in entry.form:
            extra.extend((field.id, f"Question {row}, {field.label.text.lower()}: {e}") for e in field.errors)
    extra.extend(("", message) for message in general)
    return render_template("events/new.html", ctx=ctx, form=form, extra=extra)


@bp.route("/f/<slug>/new-event", methods=["GET", "POST"])
def create(slug: str) -> ResponseReturnValue:
    ctx = _framework(slug)
    p = principal()
    partners = {s: partner.id for s, partner in ctx.partners.items()}
    require(manage.may_manage(p, partners, ()), "create an event", "framework", slug)
    form = EventForm()
    form.links.choices = _link_choices(ctx)
    if request.method == "GET":
        return _form_page(ctx, form)
    if not form.validate_on_submit():
        return _form_page(ctx, form), 400
    text, rows, own = event_yaml(form, slug)
    db.session.rollback()
    try:
        with without_write_intent():
            checked = manage.check_new_event(db.session, p, slug, (form.event_id.data or "").strip(), text)
        db.session.rollback()
        outcome = write_checked(db.session, actor(), p, checked) if not own else None
    except Refused as refused:
        refuse("create an event", "framework", slug, str(refused))
    problems = outcome.problems if outcome is not None else checked.problems
    if own or problems:
        db.session.rollback()
        placed = place_problems(problems, rows)
        for field_id, messages in (*placed.fields.items(), *own.items()):
            _field(form, field_id).errors = [*_field(form, field_id).errors, *messages]
        return _form_page(ctx, form, placed.general), 400
    assert outcome is not None
    flash(f"Created the event '{form.title.data.strip()}'. Now load its sessions and feedback.", "success")
    return redirect(url_for("events.upload", slug=slug, event_id=outcome.event))


def _field(form: EventForm, field_id: str) -> Any:
    """A field of the form by its id ('questions-2-kind' is the third question's kind)."""
    if field_id.startswith("questions-") and field_id.count("-") == 2:
        _q, row, name = field_id.split("-")
        field = form.questions.entries[int(row)].form[name]
    else:
        field = form[field_id]
    if not isinstance(field.errors, list):  # a field never validated holds a tuple
        field.errors = list(field.errors)
    return field


# -- loading files --------------------------------------------------------------------------------------


def _named(storage: FileStorage | None) -> tuple[NamedFile | None, str | None]:
    """The uploaded file's name and bytes (None when none was chosen), or why it is refused."""
    if storage is None or not storage.filename:
        return None, None
    raw = storage.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        return None, f"The file is larger than {limit} MB: split it, or load it with `tracker event load`"
    return NamedFile(storage.filename, raw), None


@dataclass(frozen=True)
class FileProblems:
    shown: tuple[str, ...]
    total: int


def _by_file(
    problems: Sequence[Problem], files: dict[str, NamedFile | None]
) -> tuple[dict[str, FileProblems], list[str]]:
    """Each field's file's problems ('line L, column C: message', the first SHOWN_PROBLEMS), and the rest."""
    found: dict[str, list[str]] = {}
    general: list[str] = []
    for p in problems:
        field = next((f for f, named in files.items() if named is not None and named.name == p.file), None)
        if field is None:
            general.append(p.message)
        else:
            found.setdefault(field, []).append(problem_text(p))
    return {f: FileProblems(tuple(texts[:SHOWN_PROBLEMS]), len(texts)) for f, texts in found.items()}, general


def _upload_page(
    shown: reading.ShownEvent,
    form: UploadForm,
    problems: dict[str, FileProblems] | None = None,
    general: Sequence[str] = (),
) -> str:
    return render_template(
        "events/upload.html",
        shown=shown,
        form=form,
        problems=problems or {},
        general=general,
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
    )


@bp.route("/f/<slug>/events/<event_id>/files", methods=["GET", "POST"])
def upload(slug: str, event_id: str) -> ResponseReturnValue:
    shown = _show_context(slug, event_id)
    p = principal()
    partners = {s: partner.id for s, partner in manage.framework_partners(db.session, slug).items()}
    sessions = [s.session for s in shown.measures.per_session]
    require(manage.may_manage(p, partners, sessions), "load event files", "event", event_id)
    form = UploadForm()
    if request.method == "GET":
        return _upload_page(shown, form)
    if not form.validate_on_submit():
        return _upload_page(shown, form), 400
    sessions_file, sessions_error = _named(request.files.get("sessions"))
    feedback_file, feedback_error = _named(request.files.get("feedback"))
    if sessions_error or feedback_error or (sessions_file is None and feedback_file is None):
        if sessions_error:
            form.sessions.errors = [sessions_error]
        if feedback_error:
            form.feedback.errors = [feedback_error]
        if not (sessions_error or feedback_error):
            form.sessions.errors = ["Choose a sessions file, a feedback file, or both"]
        return _upload_page(shown, form), 400
    db.session.rollback()
    try:
        with without_write_intent():
            checked = manage.check_upload(db.session, p, slug, event_id, sessions_file, feedback_file)
        db.session.rollback()
        outcome = _write(checked)
    except Refused as refused:
        refuse("load event files", "event", event_id, str(refused))
    except EventNotFound as missing:
        abort(404, description=str(missing))
    if not outcome.ok:
        db.session.rollback()
        found, general = _by_file(outcome.problems, {"sessions": sessions_file, "feedback": feedback_file})
        return _upload_page(shown, form, found, general), 400
    loaded = [
        f"{outcome.sessions:,} sessions" if sessions_file else "",
        f"{outcome.answers:,} feedback answers" if feedback_file else "",
    ]
    flash(
        f"Loaded {' and '.join(x for x in loaded if x)} (load {outcome.number}; earlier loads are kept).",
        "success",
    )
    return redirect(url_for("events.show", slug=slug, event_id=event_id))


def _write(checked: CheckedEvent) -> LoadOutcome:
    if checked.problems:
        return LoadOutcome(checked.problems)
    return write_checked(db.session, actor(), principal(), checked)

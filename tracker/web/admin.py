"""Administration: users (add, disable, change role) and the whole audit trail, read only, with filters."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Form, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tracker.db.models import ROLES
from tracker.domain.evidence_input import parse_date
from tracker.extensions import db
from tracker.services import account_queries, accounts, audit_queries
from tracker.services.audit_words import ACTION_LABELS, OBJECT_LABELS
from tracker.services.permissions import can_manage_users, can_view_audit
from tracker.web.form_parts import Required, choices
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE = 50
MAX_PAGE = 1_000_000  # 50 million events: far past any real trail, and far below an offset overflow


class NewUserForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    email = EmailField("Email address", validators=[Required()])
    # No role is chosen beforehand: the placeholder fails, so no one becomes an admin by default.
    role = SelectField(
        "Role",
        choices=choices([("", "Choose a role"), *((r, r.capitalize()) for r in ROLES)]),
        default="",
        validators=[InputRequired("Choose a role")],
    )
    partner = SelectField("Partner (leads only)", choices=[], validate_choice=False)
    password = PasswordField("Password", validators=[Required()])


class EditUserForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    role = SelectField("Role", choices=choices((r, r.capitalize()) for r in ROLES))
    partner = SelectField("Partner (leads only)", choices=[], validate_choice=False)
    active = BooleanField("Account enabled")


def _partner_choices() -> list[SelectChoice]:
    return choices([("", "None"), *account_queries.partner_names(db.session)])


def _users_page(form: NewUserForm, status: int = 200) -> ResponseReturnValue:
    users = account_queries.users_by_email(db.session)
    partners = account_queries.partner_names_by_id(db.session)
    return render_template("admin/users.html", users=users, form=form, partners=partners), status


@bp.get("/users")
def users() -> ResponseReturnValue:
    require(can_manage_users(principal()), "manage users")
    form = NewUserForm()
    form.partner.choices = _partner_choices()
    return _users_page(form)


@bp.post("/users")
def add_user() -> ResponseReturnValue:
    require(can_manage_users(principal()), "add user")
    form = NewUserForm()
    form.partner.choices = _partner_choices()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    try:
        accounts.create_user(
            db.session,
            actor(),
            form.email.data or "",
            form.role.data,
            form.password.data or "",
            form.partner.data or None,
        )
    except accounts.AccountError as error:
        message = str(error)
        field = (
            form.password if "password" in message else form.partner if "partner" in message else form.email
        )
        field.errors = [message[0].upper() + message[1:]]
        return _users_page(form, 400)
    flash(f"Added {form.email.data}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> ResponseReturnValue:
    require(can_manage_users(principal()), "edit user", "user", user_id)
    user = account_queries.user_by_id(db.session, user_id)
    if user is None:
        abort(404)
    form = EditUserForm()
    form.partner.choices = _partner_choices()
    partner_slug = account_queries.partner_slug_of(db.session, user)
    if request.method == "GET":
        form.role.data, form.active.data, form.partner.data = user.role, user.active, partner_slug
        return render_template("admin/user.html", user=user, form=form)
    if not form.validate_on_submit():
        return render_template("admin/user.html", user=user, form=form), 400
    try:
        accounts.update_user(
            db.session,
            actor(),
            user,
            role=form.role.data,
            active=bool(form.active.data),
            partner_slug=form.partner.data or None,
        )
    except accounts.AccountError as error:
        if "your own" in str(error):
            refuse("change own account", "user", user_id, str(error))
        form.partner.errors = [str(error)[0].upper() + str(error)[1:]]
        return render_template("admin/user.html", user=user, form=form), 400
    flash(f"Saved {user.email}.", "success")
    return redirect(url_for("admin.users"))


class AuditFilterForm(Form):  # type: ignore[misc]  # wtforms ships no type hints: Form is Any
    """The trail's filters: a GET form (no CSRF token: it changes nothing), its values kept in the address."""

    who = SelectField("Who", choices=[], validate_choice=False)
    action = SelectField(
        "Action",
        choices=choices([("", "Any action"), *sorted(ACTION_LABELS.items(), key=lambda item: item[1])]),
        validate_choice=False,
    )
    object_type = SelectField(
        "Object",
        choices=choices([("", "Any object"), *sorted(OBJECT_LABELS.items(), key=lambda item: item[1])]),
        validate_choice=False,
        name="object",
    )
    date_from = StringField("From", name="from")
    date_to = StringField("To", name="to")


FILTER_NAMES = ("who", "action", "object", "from", "to")
DATE_HINT = "A date as YYYY-MM-DD, in UTC; both ends are included."


def _audit_filters(form: AuditFilterForm) -> audit_queries.AuditFilters | None:
    """The filters the form asks for, or None with each field's error set."""
    for select, what in ((form.who, "someone"), (form.action, "an action"), (form.object_type, "an object")):
        if (select.data or "") not in {choice.value for choice in select.choices}:
            select.errors = [f"Choose {what} from the list"]
    days: dict[str, date | None] = {}
    for field in (form.date_from, form.date_to):
        raw = (field.data or "").strip()
        days[field.name] = parse_date(raw) if raw else None
        if raw and days[field.name] is None:
            field.errors = [f"{field.label.text} must be a date as YYYY-MM-DD, for example 2023-03-31"]
    since, until = days["from"], days["to"]
    if since is not None and until is not None and until < since:
        form.date_to.errors = ["To must be the same as or after From"]
    if any(field.errors for field in form):
        return None
    return audit_queries.AuditFilters(
        who=form.who.data or "",
        action=form.action.data or "",
        object_type=form.object_type.data or "",
        date_from=since,
        date_to=until,
    )


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    require(can_view_audit(principal()), "view audit trail")
    page = _page_number(request.args.get("page", "1"))
    form = AuditFilterForm(request.args)
    form.who.choices = choices(
        [
            ("", "Anyone"),
            (audit_queries.WHO_COMMAND_LINE, "The command line"),
            *((str(user_id), email) for user_id, email in audit_queries.people(db.session)),
        ]
    )
    filters = _audit_filters(form)
    kept = {name: request.args[name][:100] for name in FILTER_NAMES if request.args.get(name)}
    if filters is None:
        return render_template(
            "admin/audit.html", form=form, result=None, kept=kept, date_hint=DATE_HINT
        ), 400
    result = audit_queries.audit_page(db.session, filters, page, AUDIT_PAGE)
    return render_template("admin/audit.html", form=form, result=result, kept=kept, date_hint=DATE_HINT)


def _page_number(raw: str) -> int:
    """A page number from the query string: a whole number from 1 to MAX_PAGE, or 400."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7 or not 1 <= int(raw) <= MAX_PAGE:
        abort(400, description=f"The page number must be a whole number from 1 to {MAX_PAGE:,}.")
    return int(raw)

"""API tokens for admins: the list, making one (its raw token shown once, on that response), revoking one.

The raw token is never put in the session cookie or a redirect: the response to the form that made it is the
only place it appears, and that response, as every page, is not stored (Cache-Control: no-store).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tracker.api import tokens
from tracker.domain.text_limits import API_TOKEN_NAME
from tracker.extensions import db
from tracker.services.permissions import can_manage_api_tokens
from tracker.web.form_parts import Limit, choices, limit_form_size
from tracker.web.guard import actor, principal, require

bp = Blueprint("api_tokens", __name__, url_prefix="/admin/api-tokens")
limit_form_size(bp)


class NewTokenForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    # No user is chosen beforehand: a token reads as its user, so the admin names one on purpose.
    user = SelectField(
        "User",
        choices=[],
        validate_choice=False,  # the service says why an address is refused (unknown, or disabled since)
        validators=[InputRequired("Choose the user the token reads as")],
    )
    name = StringField("Name", validators=[Limit(API_TOKEN_NAME)])


@dataclass(frozen=True)
class MadeToken:
    """A token just made, for the one response that shows it."""

    id: int
    name: str
    email: str
    raw: str


def _user_choices() -> list[SelectChoice]:
    users = tokens.eligible_users(db.session)
    return choices([("", "Choose a user"), *((email, f"{email} ({role})") for email, role in users)])


def _page(form: NewTokenForm, made: MadeToken | None = None, status: int = 200) -> ResponseReturnValue:
    listed = tokens.list_tokens(db.session)
    return render_template("admin/api_tokens.html", tokens=listed, form=form, made=made), status


def _new_form(formdata: bool = True) -> NewTokenForm:
    form = NewTokenForm() if formdata else NewTokenForm(formdata=None)
    form.user.choices = _user_choices()
    return form


@bp.get("")
def index() -> ResponseReturnValue:
    require(can_manage_api_tokens(principal()), "manage API tokens")
    return _page(_new_form(formdata=False))


@bp.post("")
def create() -> ResponseReturnValue:
    require(can_manage_api_tokens(principal()), "make API token")
    form = _new_form()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        token, raw = tokens.create_token(db.session, actor(), form.user.data or "", form.name.data or "")
    except tokens.TokenRefused as error:
        message = str(error)
        (form.name if error.field == "name" else form.user).errors = [message[0].upper() + message[1:]]
        return _page(form, status=400)
    made = MadeToken(token.id, token.name, (form.user.data or "").strip().lower(), raw)
    return _page(_new_form(formdata=False), made)


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke(token_id: int) -> ResponseReturnValue:
    """GET asks for confirmation (and changes nothing); POST revokes. One rule for both, so an id past what
    the column holds is 404 for either method."""
    require(can_manage_api_tokens(principal()), "revoke API token", "api_token", token_id)
    listing = tokens.token_listing(db.session, token_id)
    if listing is None:
        abort(404)
    if request.method == "GET":
        return render_template("admin/api_token_revoke.html", token=listing)
    if tokens.revoke_token(db.session, actor(), token_id):
        flash(f"Revoked “{listing.name}” of {listing.user_email}: it no longer works.", "success")
    else:
        flash(f"“{listing.name}” of {listing.user_email} was already revoked.", "success")
    return redirect(url_for("api_tokens.index"))

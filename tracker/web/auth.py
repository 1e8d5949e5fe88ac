"""Sign in and sign out; every other page needs a signed-in user."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from tracker.db.models import User
from tracker.domain.evidence_input import is_whole_number
from tracker.extensions import db, limiter, login_manager
from tracker.services import account_queries, accounts
from tracker.services.audit import record
from tracker.web.guard import actor

bp = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = {"auth.login", "health.healthz", "static"}
# Session keys: when the person signed in, and when they last made a request (seconds since the epoch).
SIGNED_IN_AT, SEEN_AT = "_signed_in_at", "_seen_at"
SEEN_GRANULARITY_SECONDS = 60  # the cookie is rewritten at most once a minute just to note activity


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    email = EmailField(
        "Email address", validators=[DataRequired("Enter your email address"), Length(max=320)]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=1024)])


@login_manager.user_loader  # type: ignore[untyped-decorator]  # flask_login ships no type hints
def load_user(user_id: str) -> User | None:
    """The cookie holds id:session_version; an old version or a disabled account is signed out."""
    ident, _, version = user_id.partition(":")
    if not is_whole_number(ident) or not is_whole_number(version):
        return None
    user = account_queries.user_by_id(db.session, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("frameworks.index")


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("frameworks.index"))
    form = LoginForm()
    error = ""
    if form.validate_on_submit():
        outcome = accounts.authenticate(
            db.session,
            form.email.data,
            form.password.data,
            request.remote_addr or "",
            accounts.LockPolicy.from_config(current_app.config),
        )
        if outcome.user is not None:
            session.clear()
            login_user(outcome.user)
            session[SIGNED_IN_AT] = session[SEEN_AT] = int(time.time())
            flash("You are signed in.", "success")
            return redirect(_safe_next(request.args.get("next")))
        # The failed attempt (and any lock) is committed with the page: it answers 200.
        error = outcome.message
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
@login_required  # type: ignore[untyped-decorator]  # flask_login ships no type hints
def logout() -> ResponseReturnValue:
    user = account_queries.user_by_id(db.session, current_user.id)
    if user is not None:
        accounts.end_sessions(user)
        record(db.session, actor(), "logout", object_type="user", object_id=user.id)
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.session_protection = "basic"

    @app.before_request
    def _require_sign_in() -> ResponseReturnValue | None:
        # The API answers with tokens of its own, never a session (tracker/api/core.py).
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.blueprint == "api":
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()  # type: ignore[no-any-return]  # flask_login ships no type hints
        return _end_stale_session()


def _end_stale_session() -> ResponseReturnValue | None:
    """End a session idle past SESSION_IDLE_MINUTES or older than PERMANENT_SESSION_LIFETIME, saying why."""
    now = int(time.time())
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    idle_minutes = int(current_app.config["SESSION_IDLE_MINUTES"])
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        reason = "Your session has ended. Sign in again."
    elif now - seen_at > idle_minutes * 60:
        reason = f"You were signed out because you had not used the tracker for {idle_minutes} minutes."
    elif now - signed_in_at > lifetime:
        hours = f"{lifetime / 3600:g} hour" + ("" if lifetime == 3600 else "s")
        reason = f"You were signed out because you signed in more than {hours} ago. Sign in again."
    else:
        if now - seen_at >= SEEN_GRANULARITY_SECONDS:
            session[SEEN_AT] = now
        return None
    logout_user()
    session.clear()
    flash(reason, "info")
    return redirect(url_for("auth.login", next=_local_path()))


def _local_path() -> str | None:
    """Where to come back to after signing in again: the page asked for, when it was a plain GET."""
    return request.full_path.rstrip("?") if request.method == "GET" else None

"""`tracker user disable|set-password|list`: the admin page's account actions from the command line, audited."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from tracker.db.models import AuditEvent, SignInLock, User
from tracker.extensions import db

from ..conftest import PASSWORD, sign_in
from ..digest import database_digest

NEW_PASSWORD = "plum orchard quietly 42"
pytestmark = pytest.mark.usefixtures("framework")


def account(app: Flask, email: str) -> User:
    with app.app_context():
        found = db.session.scalars(select(User).where(User.email == email)).one()
        db.session.expunge(found)
        return found


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


def signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def login(client: FlaskClient, email: str, password: str, addr: str = "127.0.0.1") -> int:
    response = client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": addr}
    )
    return response.status_code


def test_disable_ends_sessions_and_is_audited(app: Flask, runner: FlaskCliRunner, make_user: Any) -> None:
    email = make_user("lead")
    client = app.test_client()
    sign_in(client, email)
    result = runner.invoke(args=["user", "disable", email.upper()])
    assert result.exit_code == 0, result.output
    assert result.output == f"disabled {email}; its sessions ended\n"
    assert account(app, email).active is False
    assert not signed_in(client)
    assert login(app.test_client(), email, PASSWORD) == 200
    [event] = events(app, "user.update")
    assert event.actor == "command line" and event.role == "admin"
    assert event.before == {"email": email, "role": "lead", "partner": "tiny-council", "active": True}
    assert event.after == {"email": email, "role": "lead", "partner": "tiny-council", "active": False}
    # Again: nothing to do, nothing written.
    before = database_digest(app)
    result = runner.invoke(args=["user", "disable", email])
    assert result.exit_code == 0 and result.output == f"{email} is already disabled\n"
    assert database_digest(app) == before


def test_unknown_email_is_one_clear_line(app: Flask, runner: FlaskCliRunner, make_user: Any) -> None:
    make_user("board")
    before = database_digest(app)
    for args, stdin in (
        (["user", "disable", "nobody@example.org"], None),
        (["user", "set-password", "nobody@example.org", "--password-stdin"], NEW_PASSWORD + "\n"),
    ):
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code == 1, args
        assert "no user has the email address nobody@example.org" in result.output
        assert "Traceback" not in result.output
    assert database_digest(app) == before


def test_set_password_ends_sessions_and_lifts_lock_outs(
    app: Flask, runner: FlaskCliRunner, make_user: Any
) -> None:
    email = make_user("evaluator")
    client = app.test_client()
    sign_in(client, email)
    for _ in range(5):
        login(app.test_client(), email, "wrong password here", "203.0.113.9")
    assert login(app.test_client(), email, PASSWORD, "203.0.113.9") == 200, "locked out"
    result = runner.invoke(
        args=["user", "set-password", email, "--password-stdin"], input=NEW_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"password set for {email}; its sessions ended; 1 sign-in lock-out(s) lifted\n"
    assert NEW_PASSWORD not in result.output
    assert not signed_in(client)
    with app.app_context():
        assert db.session.scalars(select(SignInLock)).all() == []
    assert login(app.test_client(), email, PASSWORD, "203.0.113.9") == 200, "the old password is refused"
    fresh = app.test_client()
    assert login(fresh, email, NEW_PASSWORD, "203.0.113.9") == 302
    assert signed_in(fresh)
    [event] = events(app, "user.password")
    assert event.actor == "command line" and event.object_id == str(account(app, email).id)
    assert event.detail == "password set; sessions ended; 1 sign-in lock(s) lifted"
    assert NEW_PASSWORD not in repr((event.before, event.after, event.detail))


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 8 characters"), ("password123", "most commonly used passwords")],
)
def test_set_password_refuses_weak_ones(
    app: Flask, runner: FlaskCliRunner, make_user: Any, password: str, message: str
) -> None:
    email = make_user("board")
    client = app.test_client()
    sign_in(client, email)
    before = database_digest(app)
    result = runner.invoke(args=["user", "set-password", email, "--password-stdin"], input=password + "\n")
    assert result.exit_code == 1 and message in result.output
    assert database_digest(app) == before
    assert signed_in(client)


def test_set_password_needs_stdin_flag(app: Flask, runner: FlaskCliRunner, make_user: Any) -> None:
    email = make_user("board")
    result = runner.invoke(args=["user", "set-password", email], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 2 and "--password-stdin" in result.output


def test_list_shows_every_account(app: Flask, runner: FlaskCliRunner, make_user: Any) -> None:
    result = runner.invoke(args=["user", "list"])
    assert result.exit_code == 0 and "no users yet" in result.output
    lead = make_user("lead", email="lead@example.org")
    make_user("admin", email="admin@example.org")
    sign_in(app.test_client(), lead)
    runner.invoke(args=["user", "disable", "admin@example.org"])
    for _ in range(5):
        login(app.test_client(), lead, "wrong password here", "203.0.113.9")
    result = runner.invoke(args=["user", "list"])
    assert result.exit_code == 0, result.output
    header, *lines = [line.split("  ") for line in result.output.splitlines()]
    cells = [[cell.strip() for cell in line if cell.strip()] for line in [header, *lines]]
    assert cells[0] == ["EMAIL", "ROLE", "PARTNER", "STATUS", "LAST SIGN-IN (UTC)", "LOCKED OUT"]
    assert cells[1] == ["admin@example.org", "admin", "-", "disabled", "never", "-"]
    assert cells[2][:4] == ["lead@example.org", "lead", "tiny-council", "enabled"]
    assert cells[2][4] != "never" and cells[2][5] == "1 address(es)"

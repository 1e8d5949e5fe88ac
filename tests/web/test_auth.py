"""Sign in and out, throttling, sessions that really end, cookie flags, password rules, argon2id, safe `next`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from tracker.db.models import AuditEvent, SignInLock, User, utcnow
from tracker.extensions import db

from ..conftest import PASSWORD, count_rows, sign_in
from ..page import Page

SLUG = "tiny-partnership"
WRONG = "The email address or password is not right."
GOOD_PASSWORD = "plum orchard quietly 42"
pytestmark = pytest.mark.usefixtures("framework")  # leads need their partner loaded


def audit(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )
        db.session.expunge_all()
        return rows


def user(app: Flask, email: str) -> User:
    with app.app_context():
        found = db.session.scalars(select(User).where(User.email == email)).one()
        db.session.expunge(found)
        return found


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def refusal(response: Any) -> str:
    """The sign-in page's answer to a refused attempt: the one message of its error summary, on the email."""
    page = Page.of(response, 200)
    assert page.title_parts[0] == "Error: Sign in" and page.h1 == "Sign in"
    [(field, message)] = page.error_summary
    assert field == "email"
    return message


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_sign_in_and_out(app: Flask, make_user: Any) -> None:
    email = make_user("evaluator")
    client = app.test_client()
    assert not signed_in(client)
    response = client.post("/login", data={"email": email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(client)
    assert Page.of(client.get("/"), 200).text("li.nav-user") == f"Signed in as {email} (evaluator)"
    assert user(app, email).last_login_at is not None
    [success] = audit(app, "login.success")
    assert success.actor == email and success.role == "evaluator"

    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(client)
    assert [a.actor for a in audit(app, "logout")] == [email]
    # Logging out needs a POST (a link or an image cannot sign someone out).
    sign_in(client, email)
    assert client.get("/logout").status_code == 405
    assert signed_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("known", "not the password", id="wrong-password"),
        pytest.param("nobody@example.org", PASSWORD, id="unknown-account"),
    ],
)
def test_wrong_password_message(app: Flask, make_user: Any, email: str, password: str) -> None:
    known = make_user("board")
    client = app.test_client()
    response = client.post(
        "/login", data={"email": known if email == "known" else email, "password": password}
    )
    assert refusal(response).startswith(WRONG), "the same message whether or not the account exists"
    assert not signed_in(client)
    assert len(audit(app, "login.failure")) == 1


def test_empty_form_gives_field_messages(app: Flask) -> None:
    page = Page.of(app.test_client().post("/login", data={"email": "", "password": ""}), 200)
    assert page.error_summary == [("email", "Enter your email address"), ("password", "Enter your password")]
    page.assert_error_at("email", "Enter your email address")
    page.assert_error_at("password", "Enter your password")


def lock_of(app: Flask, email: str, client: str = "127.0.0.1") -> SignInLock | None:
    with app.app_context():
        found = db.session.scalars(
            select(SignInLock).join(User).where(User.email == email, SignInLock.client == client)
        ).first()
        db.session.expunge_all()
        return found


def test_lock_after_five_failures(app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    client = app.test_client()
    for _ in range(5):
        response = client.post("/login", data={"email": email, "password": "wrong password here"})
        assert refusal(response).startswith(WRONG)
    lock = lock_of(app, email)
    assert lock is not None and lock.locked_until is not None
    assert timedelta(minutes=4) < lock.locked_until - utcnow() <= timedelta(minutes=5)
    # Now even the right password is refused from this address, with the same answer as a wrong one.
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert refusal(response).startswith(WRONG)
    assert not signed_in(client)
    failures = audit(app, "login.failure")
    assert len(failures) == 6
    assert all(f.actor == email for f in failures)
    assert "locked out for 5 minutes" in failures[4].detail
    assert failures[5].detail.startswith("locked for 127.0.0.1 until")
    assert audit(app, "login.success") == []


def test_success_resets_the_count_and_the_lock_ends(app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    client = app.test_client()
    for _ in range(4):
        client.post("/login", data={"email": email, "password": "wrong password here"})
    sign_in(client, email)
    assert lock_of(app, email) is None, "a success forgets the failures from that address"
    client.post("/logout")
    for _ in range(4):
        client.post("/login", data={"email": email, "password": "wrong password here"})
    lock = lock_of(app, email)
    assert lock is not None and lock.locked_until is None, "four failures after a success do not lock"
    client.post("/login", data={"email": email, "password": "wrong password here"})
    lock = lock_of(app, email)
    assert lock is not None and lock.locked_until is not None
    with app.app_context():
        db.session.execute(update(SignInLock).values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    sign_in(client, email)
    assert lock_of(app, email) is None


def test_replayed_cookie_after_logout_is_refused(app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    client = app.test_client()
    sign_in(client, email)
    cookie = session_cookie(client)
    # The copied cookie works while the session is live...
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert signed_in(replay)
    client.post("/logout")
    # ...and not after the user signed out.
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get(f"/f/{SLUG}/evidence")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert replay.post("/admin/users", data={}).status_code == 302


def test_replayed_cookie_after_account_disabled_is_refused(app: Flask, as_role: Any, make_user: Any) -> None:
    email = make_user("lead")
    victim = app.test_client()
    sign_in(victim, email)
    cookie = session_cookie(victim)
    admin = as_role("admin")
    target = user(app, email)
    response = admin.post(f"/admin/users/{target.id}", data={"role": "lead", "partner": "tiny-council"})
    assert response.status_code == 302
    assert user(app, email).active is False
    assert not signed_in(victim)
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert not signed_in(replay)
    # And the account cannot sign in again.
    response = app.test_client().post("/login", data={"email": email, "password": PASSWORD})
    assert refusal(response).startswith("This account is disabled")
    # Enabling it again lets the person sign in anew, but the old cookie stays dead.
    assert (
        admin.post(
            f"/admin/users/{target.id}", data={"role": "lead", "partner": "tiny-council", "active": "y"}
        ).status_code
        == 302
    )
    sign_in(app.test_client(), email)
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert not signed_in(replay)


def test_role_change_ends_sessions(app: Flask, as_role: Any, make_user: Any) -> None:
    email = make_user("evaluator")
    client = app.test_client()
    sign_in(client, email)
    admin = as_role("admin")
    assert (
        admin.post(f"/admin/users/{user(app, email).id}", data={"role": "board", "active": "y"}).status_code
        == 302
    )
    assert not signed_in(client)


def test_admin_cannot_disable_themselves(app: Flask, as_role: Any) -> None:
    admin = as_role("admin")
    with admin.session_transaction() as session:
        admin_id = int(session["_user_id"].split(":")[0])
    response = admin.post(f"/admin/users/{admin_id}", data={"role": "admin"})
    assert response.status_code == 403
    with app.app_context():
        me = db.session.get(User, admin_id)
        assert me is not None and me.active
    assert signed_in(admin)


def test_cookie_flags(app: Flask, make_app: Any, make_user: Any) -> None:
    email = make_user("board")
    response = app.test_client().post("/login", data={"email": email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    secure = make_app(SESSION_COOKIE_SECURE=True)
    response = secure.test_client().post("/login", data={"email": email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


BAD_PASSWORDS = [
    pytest.param("x7#kQ2m", "at least 8 characters", id="7-characters"),
    pytest.param(("tangerine-" * 13)[:129], "at most 128 characters", id="129-characters"),
    pytest.param("password123", "most commonly used passwords", id="common"),
    pytest.param("Password", "most commonly used passwords", id="common-any-case"),
    pytest.param("qwertyuiop", "most commonly used passwords", id="common-keyboard"),
]
GOOD_PASSWORDS = [
    pytest.param("x7#kQ2mz", id="8-characters"),
    pytest.param(("tangerine-" * 13)[:128], id="128-characters"),
    pytest.param(GOOD_PASSWORD, id="passphrase"),
]


@pytest.mark.parametrize(("password", "message"), BAD_PASSWORDS)
def test_admin_page_refuses_weak_passwords(app: Flask, as_role: Any, password: str, message: str) -> None:
    admin = as_role("admin")
    users = count_rows(app, User)
    response = admin.post(
        "/admin/users",
        data={"email": "new.user@example.org", "role": "board", "partner": "", "password": password},
    )
    page = Page.of(response, 400)
    page.assert_error_at("password", message)
    assert list(page.field_errors()) == ["password"]
    assert page.value("email") == "new.user@example.org", "what was typed is kept"
    assert page.value("password") == "", "the password is never echoed back"
    assert password not in [field.get("value") for field in page.all("input")]
    assert count_rows(app, User) == users


@pytest.mark.parametrize("password", GOOD_PASSWORDS)
def test_admin_page_accepts_good_passwords(app: Flask, as_role: Any, password: str) -> None:
    admin = as_role("admin")
    response = admin.post(
        "/admin/users",
        data={
            "email": "New.User@Example.org",
            "role": "lead",
            "partner": "tiny-council",
            "password": password,
        },
    )
    assert response.status_code == 302
    created = user(app, "new.user@example.org")
    assert created.role == "lead" and created.partner_id is not None and created.active
    assert created.password_hash.startswith("$argon2id$") and password not in created.password_hash
    sign_in(app.test_client(), "new.user@example.org", password)
    [event] = audit(app, "user.create")[-1:]
    assert event.after is not None and "password" not in str(event.after).lower()


def test_admin_page_other_account_rules(app: Flask, as_role: Any, make_user: Any) -> None:
    admin = as_role("admin")
    taken = make_user("board")
    users = count_rows(app, User)
    for data, message in (
        ({"email": taken, "role": "board", "password": GOOD_PASSWORD}, "already exists"),
        ({"email": "not-an-email", "role": "board", "password": GOOD_PASSWORD}, "is not an email address"),
        ({"email": "lead@example.org", "role": "lead", "password": GOOD_PASSWORD}, "belongs to a partner"),
        (
            {"email": "b@example.org", "role": "board", "partner": "tiny-council", "password": GOOD_PASSWORD},
            "Only leads",
        ),
        ({"email": "x@example.org", "role": "superuser", "password": GOOD_PASSWORD}, "Not a valid choice"),
    ):
        page = Page.of(admin.post("/admin/users", data=data), 400)
        [(field, said)] = page.error_summary
        assert message in said and page.field_error(str(field)) == said, (data, page.error_summary)
    assert count_rows(app, User) == users


@pytest.mark.parametrize(("password", "message"), BAD_PASSWORDS)
def test_cli_refuses_weak_passwords(
    app: Flask, runner: FlaskCliRunner, framework: str, password: str, message: str
) -> None:
    result = runner.invoke(
        args=["user", "add", "cli.user@example.org", "--role", "board", "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert count_rows(app, User) == 0


@pytest.mark.parametrize("password", GOOD_PASSWORDS)
def test_cli_adds_a_user(app: Flask, runner: FlaskCliRunner, framework: str, password: str) -> None:
    result = runner.invoke(
        args=[
            "user",
            "add",
            "cli.lead@example.org",
            "--role",
            "lead",
            "--partner",
            "tiny-council",
            "--password-stdin",
        ],
        input=password + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "created lead cli.lead@example.org of partner tiny-council" in result.output
    assert password not in result.output
    sign_in(app.test_client(), "cli.lead@example.org", password)
    [event] = audit(app, "user.create")
    assert event.actor == "command line"


def test_cli_lead_needs_a_known_partner(app: Flask, runner: FlaskCliRunner, framework: str) -> None:
    for extra, message in (
        (["--partner", "nowhere"], "no partner has the id 'nowhere'"),
        ([], "belongs to a partner"),
    ):
        result = runner.invoke(
            args=["user", "add", "x@example.org", "--role", "lead", *extra, "--password-stdin"],
            input=GOOD_PASSWORD + "\n",
        )
        assert result.exit_code == 1 and message in result.output
    assert count_rows(app, User) == 0


@pytest.mark.production_hashing
def test_production_argon2id_parameters(app: Flask, make_user: Any, framework: str) -> None:
    email = make_user("evaluator")
    stored = user(app, email).password_hash
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    sign_in(app.test_client(), email)


@pytest.mark.production_hashing
def test_weaker_hashes_are_upgraded_at_sign_in(app: Flask, framework: str) -> None:
    from argon2 import PasswordHasher

    with app.app_context():
        weak = User(
            email="old@example.org",
            role="board",
            password_hash=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD),
        )
        db.session.add(weak)
        db.session.commit()
    sign_in(app.test_client(), "old@example.org")
    assert user(app, "old@example.org").password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/f/tiny-partnership/evidence?status=submitted", "/f/tiny-partnership/evidence?status=submitted"),
        ("/review", "/review"),
        ("https://evil.example/phish", "/"),
        ("http://localhost/review", "/"),
        ("//evil.example/phish", "/"),
        ("/\\evil.example/phish", None),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", None),
        ("review", "/"),
        ("", "/"),
    ],
)
def test_next_only_redirects_to_local_paths(
    app: Flask, make_user: Any, target: str, expected: str | None
) -> None:
    email = make_user("evaluator")
    response = app.test_client().post(
        "/login", query_string={"next": target}, data={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    if expected is not None:
        assert location == expected
    # Whatever the target, a browser must stay on this site.
    normalised = location.replace("\\", "/").replace("\t", "")
    parts = urlsplit(normalised)
    assert (
        not parts.scheme
        and not parts.netloc
        and normalised.startswith("/")
        and not normalised.startswith("//")
    )


def test_protected_page_sends_to_login_and_back(app: Flask, make_user: Any) -> None:
    email = make_user("evaluator")
    client = app.test_client()
    response = client.get("/review")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    response = client.post(login_url, data={"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/review"

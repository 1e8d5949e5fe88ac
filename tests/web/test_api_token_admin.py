"""The API tokens page (issue 22): an admin makes a token for an enabled user and sees it once, on that
response only; revokes one after a confirmation; every other role is refused and nothing is written; with CSRF
protection on, a post without the form's token is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.digest import audit_since, database_digest, last_audit_id, table_digests
from tests.page import Page
from tests.web.test_csrf import csrf_token, sign_in_with_token
from tracker.api import tokens
from tracker.extensions import db
from tracker.services import accounts
from tracker.services.audit import Actor

URL = "/admin/api-tokens"
WARNING = "Copy it now: it will not be shown again."
pytestmark = pytest.mark.usefixtures("framework")


def check(app: Flask, raw: str) -> tokens.TokenPrincipal | None:
    with app.app_context():
        return tokens.authenticate(db.session, raw)


def token_for(app: Flask, email: str, name: str = "") -> tuple[int, str]:
    with app.app_context(), db.unit_of_work() as session:
        token, raw = tokens.create_token(session, Actor("test", "admin"), email, name)
        return token.id, raw


def disable(app: Flask, email: str) -> None:
    with app.app_context(), db.unit_of_work() as session:
        accounts.disable_user(session, Actor("test", "admin"), accounts.find_user(session, email))


def make(client: FlaskClient, user: str, name: str = "") -> Any:
    return client.post(URL, data={"user": user, "name": name})


@pytest.fixture
def admin(as_role: Any) -> FlaskClient:
    client: FlaskClient = as_role("admin")
    client.get("/")  # the sign-in message is shown and gone
    return client


def test_the_page_offers_enabled_users_and_links_from_the_admin_navigation(
    app: Flask, admin: FlaskClient, make_user: Any
) -> None:
    board = make_user("board", email="board@example.org")
    make_user("lead", email="gone@example.org")
    disable(app, "gone@example.org")
    page = Page.of(admin.get(URL), 200)
    assert page.title_parts[0] == "API tokens" and page.h1 == "API tokens"
    assert page.headings(2) == ["Tokens", "Make a token"]
    assert "No tokens yet." in page.main
    options = [(o["value"], o.get_text()) for o in page.all("select#user > option")]
    assert options[0] == ("", "Choose a user")
    assert (board, f"{board} (board)") in options
    assert "gone@example.org" not in [value for value, _label in options], "a disabled user is offered"
    assert page.text("label[for=user]") == "User"
    assert page.text("label[for=name]") == "Name (optional)"
    assert "Up to 100 characters." in page.hint("name") and page.field("name")["maxlength"] == "100"
    assert page.form(URL).method == "post"
    nav = page.links('nav[aria-label="Main"] a')
    assert ("API tokens", URL) in nav
    names = [text for text, _href in nav]
    assert names.index("Users") < names.index("API tokens") < names.index("Audit trail")
    assert ("API (OpenAPI)", "/api/v1/openapi.json") in nav  # the API's document, for admins


def test_a_new_token_is_shown_once_and_works(app: Flask, admin: FlaskClient, make_user: Any) -> None:
    email = make_user("lead")
    response = make(admin, email, "Council dashboard")
    page = Page.of(response, 200)
    assert "no-store" in response.headers["Cache-Control"]
    raw = page.text("#new-token code#new-token-value")
    found = check(app, raw)
    assert found is not None and found.principal.email == email and found.token_name == "Council dashboard"
    assert page.text("#new-token-title") == f"New token “Council dashboard” for {email}"
    assert WARNING in page.text("#new-token")
    assert page.html.count(raw) == 1, "the token appears once on the page"
    assert "new-token" not in (response.headers.get("Set-Cookie") or "") and raw not in str(response.headers)
    [row] = page.rows("API tokens")
    assert row[:4] == ["Council dashboard", f"{raw[:12]}…", email, "lead"]
    assert row[5] in page.text(".nav-user"), "made by the signed-in admin"
    assert row[6:8] == ["Never", "Active"]
    # The form is fresh for another token, and nothing of this one is in it.
    assert page.value("user") == "" and page.value("name") == ""
    # Afterwards the list shows how the token begins, never the token.
    again = Page.of(admin.get(URL), 200)
    assert not again.has("#new-token") and raw not in again.html and raw[12:] not in again.html
    assert again.rows("API tokens")[0][1] == f"{raw[:12]}…"
    assert again.flashes == []


def test_the_list_says_who_made_it_when_it_was_used_and_its_state(
    app: Flask, admin: FlaskClient, make_user: Any
) -> None:
    lead, board = make_user("lead"), make_user("board")
    used_id, _raw = token_for(app, lead, "Used")
    revoked_id, _raw = token_for(app, lead, "Revoked")
    token_for(app, board, "Disabled user's")
    with app.app_context(), db.unit_of_work() as session:
        tokens.note_use(session, used_id, datetime(2026, 3, 4, 5, 6, tzinfo=UTC))
        tokens.revoke_token(session, Actor("test", "admin"), revoked_id)
    disable(app, board)
    page = Page.of(admin.get(URL), 200)
    rows = {row[0]: row for row in page.rows("API tokens")}
    assert rows["Used"][5:8] == ["test", "4 March 2026 at 05:06", "Active"]
    assert rows["Revoked"][7].startswith("Revoked ")
    assert rows["Disabled user's"][7] == "Not working: the user is disabled"
    revoke_links = page.hrefs("main table a")
    assert f"{URL}/{used_id}/revoke" in revoke_links and f"{URL}/{revoked_id}/revoke" not in revoke_links
    headers = page.all("table thead th")
    assert all(h.get("scope") == "col" for h in headers)
    assert all(th.get("scope") == "row" for th in page.all("table tbody th"))


@pytest.mark.parametrize(
    ("user", "name", "field", "message"),
    [
        ("", "", "user", "Choose the user the token reads as"),
        ("nobody@example.org", "", "user", "No user has the email address nobody@example.org"),
        ("gone@example.org", "", "user", "The account gone@example.org is disabled"),
        ("board@example.org", "x" * 101, "name", "The name is 101 characters long; the limit is 100"),
    ],
    ids=["none", "unknown", "disabled", "long-name"],
)
def test_a_refused_token_is_said_at_its_field_and_nothing_written(
    app: Flask, admin: FlaskClient, make_user: Any, user: str, name: str, field: str, message: str
) -> None:
    make_user("board", email="board@example.org")
    make_user("board", email="gone@example.org")
    disable(app, "gone@example.org")
    before = database_digest(app)
    page = Page.of(make(admin, user, name), 400)
    page.assert_error_at(field, message)
    assert not page.has("#new-token")
    assert database_digest(app) == before


def test_revoking_asks_first_then_the_token_stops_working(
    app: Flask, admin: FlaskClient, make_user: Any
) -> None:
    email = make_user("evaluator")
    token_id, raw = token_for(app, email, "Spreadsheet")
    before = database_digest(app)
    confirm = Page.of(admin.get(f"{URL}/{token_id}/revoke"), 200)
    assert database_digest(app) == before, "the confirmation page revoked something"
    assert confirm.h1 == "Revoke the token “Spreadsheet”?"
    form = confirm.form(f"{URL}/{token_id}/revoke")
    assert form.method == "post" and form.element.select_one("input[name=csrf_token]") is not None
    assert form.element.select_one("button").get_text() == "Revoke token"
    assert check(app, raw) is not None
    last = last_audit_id(app)
    response = admin.post(f"{URL}/{token_id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == URL
    assert check(app, raw) is None
    assert [(a, t) for a, t, _d in audit_since(app, last)] == [("api_token.revoke", "api_token")]
    page = Page.of(admin.get(URL), 200)
    assert page.flashes == [f"Revoked “Spreadsheet” of {email}: it no longer works."]
    assert page.rows("API tokens")[0][7].startswith("Revoked ")
    # Again: said, and nothing written; the confirmation page offers no button.
    before = database_digest(app)
    admin.post(f"{URL}/{token_id}/revoke")
    assert Page.of(admin.get(URL), 200).flashes == [f"“Spreadsheet” of {email} was already revoked."]
    assert database_digest(app) == before
    done = Page.of(admin.get(f"{URL}/{token_id}/revoke"), 200)
    assert done.forms() == [] and "This token was revoked on" in done.main


@pytest.mark.parametrize("token_id", ["999", "2147483648", "99999999999999999999"])
def test_an_unknown_token_is_404(app: Flask, admin: FlaskClient, make_user: Any, token_id: str) -> None:
    token_for(app, make_user("board"))
    before = database_digest(app)
    assert admin.get(f"{URL}/{token_id}/revoke").status_code == 404
    assert admin.post(f"{URL}/{token_id}/revoke").status_code == 404
    assert database_digest(app) == before


@pytest.mark.parametrize("role", ["lead", "evaluator", "board"])
def test_every_other_role_is_refused_and_nothing_written(
    app: Flask, as_role: Any, make_user: Any, role: str
) -> None:
    token_id, raw = token_for(app, make_user("board", email="holder@example.org"))
    client = as_role(role)
    page = Page.of(client.get("/"), 200)
    assert "API tokens" not in [text for text, _href in page.links('nav[aria-label="Main"] a')]
    for method, url, data in (
        ("GET", URL, None),
        ("POST", URL, {"user": "holder@example.org", "name": "Mine now"}),
        ("GET", f"{URL}/{token_id}/revoke", None),
        ("POST", f"{URL}/{token_id}/revoke", {}),
    ):
        before, last = table_digests(app), last_audit_id(app)
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)
        assert raw[12:] not in response.get_data(as_text=True)
        assert table_digests(app) == before, (method, url)
        assert [action for action, _t, _d in audit_since(app, last)] == ["refused"], (method, url)
    assert check(app, raw) is not None


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, make_user: Any) -> None:
    token_id, _raw = token_for(app, make_user("board"))
    client = app.test_client()
    before = database_digest(app)
    for method, url in (("GET", URL), ("POST", URL), ("POST", f"{URL}/{token_id}/revoke")):
        response = client.open(url, method=method, data={"user": "x@example.org"})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    assert database_digest(app) == before


def test_making_and_revoking_read_in_words_on_the_audit_trail(
    app: Flask, admin: FlaskClient, make_user: Any
) -> None:
    email = make_user("board")
    make(admin, email, "Portal")
    listing = Page.of(admin.get(URL), 200)
    [listed] = listing.rows("API tokens")
    [revoke_url] = listing.hrefs("main table a")
    admin.post(revoke_url)
    page = Page.of(admin.get("/admin/audit?object=api_token"), 200)
    text = page.main
    assert "Made an API token" in text and "Revoked an API token" in text
    assert "Token name: Portal" in text and f"Email: {email}" in text
    assert listed[1].removesuffix("…").removeprefix("trk_") in text


@pytest.fixture
def csrf_admin(make_app: Any, app: Flask, make_user: Any) -> tuple[Flask, FlaskClient]:
    """The test's database served by a second app with CSRF protection on, as in production."""
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    sign_in_with_token(client, make_user("admin"))
    return protected, client


def test_with_csrf_on_a_post_without_the_forms_token_is_refused(
    csrf_admin: tuple[Flask, FlaskClient], make_user: Any
) -> None:
    protected, client = csrf_admin
    email = make_user("board")
    token_id, raw = token_for(protected, email)
    for url, data in ((URL, {"user": email, "name": "No token"}), (f"{URL}/{token_id}/revoke", {})):
        before = database_digest(protected)
        page = Page.of(client.post(url, data=data), 400)
        assert page.text("main h1 + p") == "The CSRF token is missing.", url
        assert database_digest(protected) == before, url
    assert check(protected, raw) is not None
    # With the token each form carries, both work.
    made = Page.of(
        client.post(URL, data={"user": email, "csrf_token": csrf_token(client.get(URL), "main form")}), 200
    )
    assert check(protected, made.text("#new-token-value")) is not None
    confirm = client.get(f"{URL}/{token_id}/revoke")
    response = client.post(f"{URL}/{token_id}/revoke", data={"csrf_token": csrf_token(confirm, "main form")})
    assert response.status_code == 302 and check(protected, raw) is None

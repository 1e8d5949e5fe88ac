"""Nothing a signed-in person sees is kept by the browser; static files still cache; HTTPS-only cookies."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import InternalServerError

from tracker.db.models import Attachment
from tracker.extensions import db

from ..conftest import PASSWORD, sign_in
from ..page import Page

SLUG = "tiny-partnership"
pytestmark = pytest.mark.usefixtures("framework")


def assert_not_stored(response: Any, what: str) -> None:
    assert response.headers.get("Cache-Control") == "no-store", what
    assert response.headers.get("Pragma") == "no-cache", what


def test_pages_and_downloads_of_a_signed_in_user_are_not_stored(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    item = make_evidence(status="submitted")
    upload_dir = Path(app.config["UPLOAD_FOLDER"])
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / "0123456789abcdef0123456789abcdef").write_bytes(b"a,b\n1,2\n")
    with app.app_context(), db.unit_of_work() as session:
        attachment = Attachment(
            evidence_id=item, original_name="raw.csv", stored_name="0123456789abcdef0123456789abcdef",
            content_type="text/csv", size=8, sha256=hashlib.sha256(b"a,b\n1,2\n").hexdigest(),
        )  # fmt: skip
        session.add(attachment)
        session.flush()
        attachment_id = attachment.id
    admin = as_role("admin")
    for url, kind in (
        ("/", "text/html"),
        (f"/f/{SLUG}/evidence", "text/html"),
        (f"/evidence/{item}", "text/html"),
        ("/admin/users", "text/html"),
        ("/admin/audit", "text/html"),
        (f"/f/{SLUG}/evidence.csv", "text/csv"),
        (f"/attachments/{attachment_id}", "application/octet-stream"),
        ("/no/such/page", "text/html"),
    ):
        response = admin.get(url)
        assert response.status_code in {200, 404}, url
        assert response.mimetype == kind, url
        assert_not_stored(response, url)
        response.close()
    assert_not_stored(admin.post("/logout"), "sign-out")


@pytest.mark.slow
def test_the_pdf_report_is_not_stored(app: Flask, as_role: Any) -> None:
    response = as_role("board").get(f"/f/{SLUG}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_not_stored(response, "PDF")


def test_signed_out_pages_are_not_stored_but_static_files_cache(app: Flask) -> None:
    client = app.test_client()
    assert_not_stored(client.get("/login"), "sign-in page")
    assert_not_stored(client.get("/"), "redirect to sign-in")
    response = client.get("/static/app.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Pragma" not in response.headers
    assert response.headers.get("ETag") or response.headers.get("Last-Modified")


def test_cookie_secure_setting_from_the_environment(
    make_app: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = make_user("board")
    plain = make_app(migrated=False)
    assert (plain.config["SESSION_COOKIE_SECURE"], plain.config["REMEMBER_COOKIE_SECURE"]) == (False, False)
    monkeypatch.setenv("TRACKER_SESSION_COOKIE_SECURE", "1")
    secure = make_app(migrated=False)
    assert (secure.config["SESSION_COOKIE_SECURE"], secure.config["REMEMBER_COOKIE_SECURE"]) == (True, True)
    response = secure.test_client().post(
        "/login", data={"email": email, "password": PASSWORD}, base_url="https://localhost"
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Secure" in cookie and "HttpOnly" in cookie


def test_a_server_error_shows_the_error_page_and_nothing_else(app: Flask, make_user: Any) -> None:
    def broken() -> str:
        raise RuntimeError("secret detail from deep inside")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.config["TEST_EXPECTS_SERVER_ERROR"] = True
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not as in tests
    client = app.test_client()
    sign_in(client, make_user("evaluator"))
    response = client.get("/broken-for-test")
    assert response.status_code == 500
    page = Page.of(response)
    assert (
        page.title_parts == ["Internal Server Error", "Outcomes tracker"]
        and page.h1 == "Internal Server Error"
    )
    # Not in what the page says, nor anywhere in its source (a comment, an attribute).
    for leak in ("secret detail", "Traceback", "RuntimeError"):
        assert leak not in page.body and leak not in page.html
    assert_not_stored(response, "500")


def test_when_the_error_page_fails_a_plain_one_is_shown(
    app: Flask, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import web

    def broken() -> str:
        raise InternalServerError()

    def failing_page(_error: Any) -> Any:
        raise RuntimeError("the layout broke too")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.config["TEST_EXPECTS_SERVER_ERROR"] = True
    monkeypatch.setattr(web, "_error_page", failing_page)
    client: FlaskClient = app.test_client()
    sign_in(client, make_user("evaluator"))
    response = client.get("/broken-for-test")
    assert response.status_code == 500
    assert Page.of(response).h1 == "Something went wrong"

"""The first pages: the framework list, the read-only framework browser, and /healthz."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tracker.web import CSP

from ..conftest import sign_in
from ..digest import table_digests


@pytest.fixture
def client(app: Flask, make_user: Any) -> FlaskClient:
    """Pages need a signed-in user; a board member reads them."""
    signed_in = app.test_client()
    sign_in(signed_in, make_user("board"))
    return signed_in


def test_pages_need_sign_in(app: Flask) -> None:
    anonymous = app.test_client()
    for url in ("/", "/f/tiny-partnership/", "/review"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/login").status_code == 200


def test_empty_index_says_how_to_load(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert b"No framework is loaded yet" in page.data


def test_index_lists_loaded_frameworks(client: FlaskClient, load_framework: Any, tiny_yaml: str) -> None:
    load_framework(tiny_yaml)
    page = client.get("/")
    assert b'<a href="/f/tiny-partnership/dashboard">Tiny Teaching Partnership</a>' in page.data
    assert page.data.count(b"<h1") == 1
    assert b"<title>Frameworks \xe2\x80\x93 Outcomes tracker</title>" in page.data


def test_framework_browser_shows_every_part(client: FlaskClient, load_framework: Any, tiny_yaml: str) -> None:
    load_framework(tiny_yaml)
    page = client.get("/f/tiny-partnership/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        "Student placements",
        "Students are ready to practise",
        "Hold placement allocation days",
        "Four allocation days a year",
        "More students have statutory placements",
        "Graduates stay in the region",
        "evidence expected from 31 March 2026",
        "Share of placements that are statutory",
        '75% <span class="muted">(2021/22)</span>',
        "<td>85%</td>",
        "Tiny Council",
        "Local authority",
        "Is anyone better off? (how many)",
        "How much did we do?",
    ):
        assert text in html, text
    assert html.count("<h1") == 1


def test_framework_text_is_escaped(client: FlaskClient, load_framework: Any, tiny_yaml: str) -> None:
    load_framework(tiny_yaml.replace("Students are ready to practise", '"<script>alert(1)</script>"'))
    html = client.get("/f/tiny-partnership/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_framework_is_a_plain_404(client: FlaskClient) -> None:
    page = client.get("/f/nothing-here/")
    assert page.status_code == 404
    assert b"No framework has the id" in page.data and b"Traceback" not in page.data


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    for url in ("/", "/healthz", "/f/nothing/"):
        response = client.get(url)
        assert response.headers["Content-Security-Policy"] == CSP
        assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_healthz_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_503_when_the_database_does_not_answer(make_app: Any, tmp_path: Any) -> None:
    app = make_app(
        migrated=False, DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_no_state_change_on_get(app: Flask, client: FlaskClient, load_framework: Any, tiny_yaml: str) -> None:
    """Every GET route of this issue is read-only: every row is the same after visiting each.

    (Not the page's bytes: its CSRF token carries the time, so two pages a second apart differ.)
    """
    load_framework(tiny_yaml)
    client.get("/")  # shows and clears the "signed in" message
    before = table_digests(app, exclude=())
    for url in ("/", "/f/tiny-partnership/", "/healthz"):
        assert client.get(url).status_code == 200, url
    assert table_digests(app, exclude=()) == before

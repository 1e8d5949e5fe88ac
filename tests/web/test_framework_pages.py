"""The first pages: the framework list, the read-only framework browser, and /healthz."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tracker.web import CSP

from ..conftest import sign_in
from ..digest import table_digests
from ..page import Page, text_of


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
    page = Page.of(client.get("/"), 200)
    assert page.h1 == "Frameworks" and not page.has("table")
    assert (
        page.text("h1 + p")
        == "No framework is loaded yet. An administrator loads one with tracker framework load FILE."
    )


def test_index_lists_loaded_frameworks(client: FlaskClient, load_framework: Any, tiny_yaml: str) -> None:
    load_framework(tiny_yaml)
    page = Page.of(client.get("/"), 200)
    assert page.title_parts == ["Frameworks", "Outcomes tracker"] and page.h1 == "Frameworks"
    assert page.links("table tbody a") == [("Tiny Teaching Partnership", "/f/tiny-partnership/dashboard")]
    [(title, slug, version, _loaded)] = page.rows("Loaded frameworks")
    assert (title, slug, version) == ("Tiny Teaching Partnership", "tiny-partnership", "1")


def test_framework_browser_shows_every_part(client: FlaskClient, load_framework: Any, tiny_yaml: str) -> None:
    load_framework(tiny_yaml)
    page = Page.of(client.get("/f/tiny-partnership/"), 200)
    assert page.h1 == "Tiny Teaching Partnership"
    assert page.links("nav.contents a") == [("Student placements", "#placements"), ("Partners", "#partners")]
    theme = page.one("section#placements")
    assert text_of(theme.h2) == "Student placements"  # type: ignore[arg-type]
    assert [text_of(h) for h in theme.select("h3")] == [
        "Aims", "What was planned", "Outputs and outcomes by quadrant", "Key performance indicators",
    ]  # fmt: skip
    assert [text_of(li) for li in theme.select("h3 + ul > li")] == [
        "Students are ready to practise",  # the aim
        "Hold placement allocation days",  # the activity
    ]
    quadrants = {
        text_of(q.h4): [text_of(li) for li in q.select("li")]  # type: ignore[arg-type]
        for q in theme.select("div.quadrant")
    }
    assert quadrants == {
        "Effort quantity: How much did we do?": ["Output Four allocation days a year"],
        "Effort quality: How well did we do it?": [],
        "Effect quantity: Is anyone better off? (how many)": [
            "Outcome More students have statutory placements (short term)",
            "Outcome Graduates stay in the region (long term, evidence expected from 31 March 2026)",
        ],
        "Effect quality: Is anyone better off? (in what way)": [
            "Outcome Practice educators feel supported (short term)"
        ],
    }
    assert page.rows("KPIs of Student placements") == [
        ["Share of placements that are statutory", "percent", "higher", "75% (2021/22)", "85% or higher"]
    ]
    assert page.rows("Partners of Tiny Teaching Partnership") == [
        ["Tiny Council", "Local authority", "primary"]
    ]


def test_framework_text_is_escaped(client: FlaskClient, load_framework: Any, tiny_yaml: str) -> None:
    load_framework(tiny_yaml.replace("Students are ready to practise", '"<script>alert(1)</script>"'))
    page = Page.of(client.get("/f/tiny-partnership/"), 200)
    assert page.texts("section#placements h3 + ul > li")[0] == "<script>alert(1)</script>"  # shown as text
    assert page.all("script") == []
    assert "<script>alert(1)</script>" not in page.html  # the markup itself, not only what a browser shows


def test_unknown_framework_is_a_plain_404(client: FlaskClient) -> None:
    page = Page.of(client.get("/f/nothing-here/"), 404)
    assert page.h1 == "Not Found" and page.text("h1 + p").startswith("No framework has the id")
    assert "Traceback" not in page.body and "Traceback" not in page.html


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

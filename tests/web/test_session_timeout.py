"""A session ends after an hour unused and twelve hours after signing in, and the person is told why."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ..conftest import sign_in
from ..page import Page

pytestmark = pytest.mark.usefixtures("framework")


def shift(client: FlaskClient, **seconds_ago: int) -> None:
    """Move the session's stored times into the past: signed_in=..., seen=..."""
    with client.session_transaction() as session:
        for name, ago in seconds_ago.items():
            session[f"_{name}_at"] = int(time.time()) - ago


def notice(client: FlaskClient, response: Any) -> str:
    assert response.status_code == 302
    page = Page.of(client.get(response.headers["Location"]), 200)
    assert page.h1 == "Sign in"
    return " ".join(page.flashes)


def test_an_hour_idle_signs_out_with_the_reason(app: Flask, make_user: Any) -> None:
    client = app.test_client()
    sign_in(client, make_user("evaluator"))
    client.get("/")
    shift(client, seen=61 * 60)
    response = client.get("/review?status=submitted")
    assert response.headers["Location"] == "/login?next=/review?status%3Dsubmitted"
    assert notice(client, response) == (
        "You were signed out because you had not used the tracker for 60 minutes."
    )
    assert client.get("/").status_code == 302, "and stays signed out"


def test_activity_keeps_the_session_and_is_noted(app: Flask, make_user: Any) -> None:
    client = app.test_client()
    sign_in(client, make_user("evaluator"))
    shift(client, seen=59 * 60)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert int(time.time()) - session["_seen_at"] < 5
    shift(client, seen=59 * 60)
    assert client.get("/").status_code == 200


def test_twelve_hours_after_sign_in_the_session_ends(app: Flask, make_user: Any) -> None:
    client = app.test_client()
    sign_in(client, make_user("lead"))
    shift(client, signed_in=12 * 3600 + 30, seen=10)
    response = client.get("/")
    assert notice(client, response) == (
        "You were signed out because you signed in more than 12 hours ago. Sign in again."
    )
    assert client.get("/").status_code == 302


def test_limits_are_configurable(make_app: Any, make_user: Any) -> None:
    app = make_app(SESSION_IDLE_MINUTES=5, PERMANENT_SESSION_LIFETIME=3600)
    email = make_user("board")
    client = app.test_client()
    sign_in(client, email)
    shift(client, seen=4 * 60)
    assert client.get("/").status_code == 200
    shift(client, seen=6 * 60)
    assert "for 5 minutes" in notice(client, client.get("/"))
    sign_in(client, email)
    shift(client, signed_in=3601)
    assert "more than 1 hour ago." in notice(client, client.get("/"))


def test_a_session_without_its_times_is_ended(app: Flask, make_user: Any) -> None:
    client = app.test_client()
    sign_in(client, make_user("evaluator"))
    with client.session_transaction() as session:
        del session["_signed_in_at"]
    assert notice(client, client.get("/")) == "Your session has ended. Sign in again."

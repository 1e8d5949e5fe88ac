"""CSRF: with protection on (as in production), a POST without the form's token answers 400 and writes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tracker.db.models import (
    Attachment,
    AuditEvent,
    Evidence,
    EvidenceLink,
    KpiValue,
    RatingOverride,
    SurveyRound,
    User,
)
from tracker.extensions import db

from ..conftest import PASSWORD
from ..page import Page

SLUG = "tiny-partnership"


def csrf_token(response: Any, form: str = "main form[method=post]") -> str:
    """The token a form on the page carries in its hidden csrf_token field (by default the page's own form)."""
    page = Page.of(response, 200)
    fields = page.all(f"{form} input[name=csrf_token]")
    assert len(fields) == 1, f"{len(fields)} csrf_token fields in {form!r}"
    assert fields[0]["type"] == "hidden" and fields[0]["value"]
    return str(fields[0]["value"])


def state(app: Flask) -> dict[str, Any]:
    with app.app_context():
        session = db.session
        counts = {
            m.__name__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Evidence, EvidenceLink, KpiValue, User, Attachment, RatingOverride, SurveyRound)
        }
        items = {e.id: (e.status, e.row_version, e.title) for e in session.scalars(select(Evidence))}
        users = {u.id: (u.role, u.active, u.session_version) for u in session.scalars(select(User))}
        audit = [a.action for a in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    return {"counts": counts, "items": items, "users": users, "audit": audit}


@pytest.fixture
def csrf_app(make_app: Any, app: Flask, framework: str) -> Flask:
    """A second app on the same database, with CSRF protection switched on."""
    return make_app(WTF_CSRF_ENABLED=True)  # type: ignore[no-any-return]


def sign_in_with_token(client: FlaskClient, email: str) -> None:
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def admin(csrf_app: Flask, make_user: Any) -> FlaskClient:
    client = csrf_app.test_client()
    sign_in_with_token(client, make_user("admin"))
    return client


def test_sign_in_without_token_is_refused(csrf_app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302, "a sign-in without a token must not start a session"
    with csrf_app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "login.success" not in actions


def test_posts_without_token_answer_400_and_write_nothing(
    csrf_app: Flask, admin: FlaskClient, make_evidence: Any, make_user: Any
) -> None:
    submitted = make_evidence(status="submitted", title="Waiting for review")
    draft = make_evidence(status="draft", title="A draft")
    other = make_user("lead", email="someone@example.org")
    with csrf_app.app_context():
        other_id = db.session.scalars(select(User.id).where(User.email == other)).one()
    requests: list[tuple[str, dict[str, Any]]] = [
        (
            f"/f/{SLUG}/evidence/new",
            {
                "title": "No token",
                "source_type": "survey",
                "collected_on": "2023-01-01",
                "links": ["educators-supported"],
                "finding": "supports",
                "action": "submit",
            },
        ),
        (
            f"/evidence/{draft}/edit",
            {
                "title": "Changed without a token",
                "source_type": "survey",
                "collected_on": "2023-01-01",
                "links": ["educators-supported"],
                "finding": "supports",
                "row_version": "1",
                "action": "save",
            },
        ),
        (f"/evidence/{submitted}/status", {"to": "accepted", "row_version": "1"}),
        (
            f"/evidence/{submitted}/status",
            {"to": "returned", "row_version": "1", "note": "Please add the date range."},
        ),
        (f"/evidence/{draft}/status", {"to": "submitted", "row_version": "1"}),
        (
            f"/f/{SLUG}/kpis",
            {"kpi": "statutory-share", "period": "2022/23", "period_end": "2023-03-31", "value": "81"},
        ),
        (
            f"/f/{SLUG}/import",
            {
                "kind": "evidence",
                "file": (
                    io.BytesIO(
                        b"title,source_type,collected_on,links,finding\nNo token,survey,2023-01-01,educators-supported,supports\n"
                    ),
                    "e.csv",
                ),
            },
        ),
        (
            "/admin/users",
            {"email": "csrf@example.org", "role": "board", "password": "a long good passphrase 42"},
        ),
        (f"/admin/users/{other_id}", {"role": "board", "partner": ""}),
        ("/logout", {}),
    ]
    for url, data in requests:
        before = state(csrf_app)
        response = admin.post(url, data=data)
        page = Page.of(response, 400)
        assert page.h1 == "Bad Request" and page.text("main h1 + p") == "The CSRF token is missing.", url
        assert state(csrf_app) == before, f"{url} wrote something without a CSRF token"
    # The logout above was refused too: the admin is still signed in.
    assert admin.get(f"/f/{SLUG}/evidence").status_code == 200


def test_wrong_token_is_refused(csrf_app: Flask, admin: FlaskClient) -> None:
    before = state(csrf_app)
    response = admin.post(
        f"/f/{SLUG}/kpis",
        data={"kpi": "statutory-share", "period": "2022/23", "period_end": "2023-03-31", "value": "81",
              "csrf_token": "IjAxMjM0NTY3ODki.not-a-real-token"},
    )  # fmt: skip
    assert response.status_code == 400
    assert state(csrf_app) == before


def test_token_from_the_form_lets_the_post_through(csrf_app: Flask, admin: FlaskClient) -> None:
    token = csrf_token(admin.get(f"/f/{SLUG}/evidence/new"))
    before = state(csrf_app)
    response = admin.post(
        f"/f/{SLUG}/evidence/new",
        data={"csrf_token": token, "title": "With a token", "source_type": "survey", "collected_on": "2023-01-01",
              "links": ["educators-supported"], "finding": "supports", "action": "submit"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    after = state(csrf_app)
    assert after["counts"]["Evidence"] == before["counts"]["Evidence"] + 1
    assert after["counts"]["EvidenceLink"] == before["counts"]["EvidenceLink"] + 1
    with csrf_app.app_context():
        item = db.session.scalars(select(Evidence).where(Evidence.title == "With a token")).one()
        assert item.status == "submitted"

    kpi_page = admin.get(f"/f/{SLUG}/kpis")
    response = admin.post(
        f"/f/{SLUG}/kpis",
        data={"csrf_token": csrf_token(kpi_page), "kpi": "statutory-share",
              "period": "2022/23", "period_end": "2023-03-31", "value": "81"},
    )  # fmt: skip
    assert response.status_code == 302
    assert state(csrf_app)["counts"]["KpiValue"] == before["counts"]["KpiValue"] + 1

    # Signing out with the token from the header form ends the session.
    home = admin.get(f"/f/{SLUG}/evidence")
    response = admin.post("/logout", data={"csrf_token": csrf_token(home, "header form[action='/logout']")})
    assert response.status_code == 302
    assert admin.get(f"/f/{SLUG}/evidence").status_code == 302


def test_every_post_route_refuses_a_missing_token(
    csrf_app: Flask, admin: FlaskClient, make_evidence: Any, make_user: Any
) -> None:
    """A sweep of the URL map, so a POST route added later is covered without editing this test."""
    item = make_evidence(status="submitted")
    other = make_user("lead", email="sweep@example.org")
    with csrf_app.app_context():
        other_id = db.session.scalars(select(User.id).where(User.email == other)).one()
    values = {"slug": SLUG, "evidence_id": item, "outcome_id": "educators-supported", "user_id": other_id,
              "survey_id": "none", "event_id": "none", "kpi": "statutory-share",
              "number": 1, "token_id": 1}  # fmt: skip
    posted = []
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.endpoint == "auth.login":
            continue  # sign-in without a token has its own test above
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments}, append_unknown=False)[1]
        before = state(csrf_app)
        response = admin.post(url, data={"rating": "some", "rationale": "x" * 120, "to": "accepted"})
        assert response.status_code == 400, (url, response.status_code)
        assert state(csrf_app) == before, f"{url} wrote something without a CSRF token"
        posted.append(rule.endpoint)
    assert len(posted) >= 10 and "ratings.override" in posted and "surveys.upload" in posted

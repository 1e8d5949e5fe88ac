"""Who may do what with action plans, route by route (issue 20): the table is the policy.

The plan is Tiny Council's. `lead` leads Tiny Council; `lead-other` leads Other Council, also a partner of the
framework (so they start plans of their own, but may not edit Tiny Council's); `outsider` leads a partner
outside the framework. A refusal answers 403 and writes nothing but its audit row; buttons show only to those
who may use them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tracker.db.models import Partner
from tracker.extensions import db

from ..conftest import PASSWORD, sign_in
from ..digest import audit_since, last_audit_id, table_digests
from ..page import Page
from .plan_forms import SLUG, make_plan, plan_form

PLANS = f"/f/{SLUG}/plans"
ROLES = ("admin", "lead", "lead-other", "outsider", "evaluator", "board")
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]
    data: Callable[[], dict[str, str]] | None = None


ROUTES = {
    "list": Route("GET", PLANS, EVERYONE),
    "csv": Route("GET", f"{PLANS}.csv", EVERYONE),
    "plan": Route("GET", f"{PLANS}/1", EVERYONE),
    "revision": Route("GET", f"{PLANS}/1/revisions/1", EVERYONE),
    "new form": Route("GET", f"{PLANS}/new", frozenset({"admin", "lead", "lead-other"})),
    "create": Route("POST", f"{PLANS}/new", frozenset({"admin", "lead", "lead-other"}), plan_form),
    "edit form": Route("GET", f"{PLANS}/1/edit", frozenset({"admin", "lead"})),
    "edit": Route(
        "POST", f"{PLANS}/1/edit", frozenset({"admin", "lead"}), lambda: plan_form(seen_revision="1")
    ),
    "comment": Route(
        "POST", f"{PLANS}/1/comments", frozenset({"admin", "evaluator"}), lambda: {"body": "Looks right."}
    ),
}


@pytest.fixture
def signed_in(app: Flask, framework: str, make_user: Any) -> Callable[[str], FlaskClient]:
    """Tiny Council's plan 1, and a client per role."""
    with app.app_context(), db.unit_of_work() as session:
        session.add(Partner(slug="far-council", name="Far Council", kind="local_authority"))
    make_plan(app, make_user("lead"))

    def client_for(role: str) -> FlaskClient:
        client = app.test_client()
        if role == "lead-other":
            email = make_user("lead", partner="other-council")
        elif role == "outsider":
            email = make_user("lead", partner="far-council")
        else:
            email = make_user(role)
        sign_in(client, email, PASSWORD)
        client.get("/")  # the sign-in message is read
        return client

    return client_for


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_role_on_each_route(app: Flask, signed_in: Any, name: str, role: str) -> None:
    route = ROUTES[name]
    client = signed_in(role)
    before, last = table_digests(app), last_audit_id(app)
    if route.method == "GET":
        response = client.get(route.path)
    else:
        assert route.data is not None
        response = client.post(route.path, data=route.data())
    after = table_digests(app)
    if role not in route.allowed:
        assert response.status_code == 403, (name, role, response.status_code)
        assert after == before, "a refused request wrote something"
        assert [action for action, _t, _d in audit_since(app, last)] == ["refused"]
    elif route.method == "GET":
        assert response.status_code == 200, (name, role, response.status_code)
        assert after == before
    else:
        assert response.status_code == 302, (name, role, response.get_data(as_text=True)[:500])
        assert after != before


def test_anonymous_readers_are_sent_to_sign_in(app: Flask, framework: str) -> None:
    client = app.test_client()
    for route in ROUTES.values():
        response = client.get(route.path) if route.method == "GET" else client.post(route.path, data={})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), route


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        ("admin", {"start": True, "edit": True, "comment": True}),
        ("lead", {"start": True, "edit": True, "comment": False}),
        ("lead-other", {"start": True, "edit": False, "comment": False}),
        ("outsider", {"start": False, "edit": False, "comment": False}),
        ("evaluator", {"start": False, "edit": False, "comment": True}),
        ("board", {"start": False, "edit": False, "comment": False}),
    ],
)
def test_buttons_show_only_to_those_who_may_use_them(
    signed_in: Any, role: str, buttons: dict[str, bool]
) -> None:
    client = signed_in(role)
    listing = Page.of(client.get(PLANS), 200)
    plan = Page.of(client.get(f"{PLANS}/1"), 200)
    assert listing.has(f'a[href="{PLANS}/new"]') is buttons["start"]
    assert plan.has(f'a[href="{PLANS}/1/edit"]') is buttons["edit"]
    assert plan.has(f'form[action="{PLANS}/1/comments"]') is buttons["comment"]

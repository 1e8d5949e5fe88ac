"""'Add a user' names no role until the admin chooses one: an email and a password alone create no one."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.db.models import User
from tracker.extensions import db

from ..digest import database_digest
from ..html_elements import parse

GOOD_PASSWORD = "plum orchard quietly 42"
pytestmark = pytest.mark.usefixtures("framework")


def test_role_has_a_placeholder_and_is_required(app: Flask, as_role: Any) -> None:
    page = parse(as_role("admin").get("/admin/users").get_data(as_text=True))
    select_ = page.find("select", name="role")
    options = select_.find_all("option")
    assert [(o.attrs["value"], o.stripped) for o in options] == [
        ("", "Choose a role"),
        ("admin", "Admin"),
        ("lead", "Lead"),
        ("evaluator", "Evaluator"),
        ("board", "Board"),
    ]
    assert [o.attrs["value"] for o in options if "selected" in o.attrs] == [""], "nothing but the placeholder"
    label = page.find("label", for_="role")
    assert label.stripped == "Role", "not marked optional"


@pytest.mark.parametrize("role", ["", None], ids=["placeholder", "missing"])
def test_no_role_chosen_creates_no_one(app: Flask, as_role: Any, role: str | None) -> None:
    admin = as_role("admin")
    admin.get("/")  # the sign-in message is shown and gone
    before = database_digest(app)
    data = {"email": "someone@example.org", "password": GOOD_PASSWORD, "partner": ""}
    if role is not None:
        data["role"] = role
    response = admin.post("/admin/users", data=data)
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    summary = page.find("div", id="error-summary")
    assert [a.stripped for a in summary.find_all("a")] == ["Choose a role"]
    assert summary.find("a").attrs["href"] == "#role"
    assert page.find("p", id="role-error").stripped == "Error: Choose a role"
    assert page.find("input", name="email").attrs["value"] == "someone@example.org"
    assert database_digest(app) == before


def test_a_chosen_role_is_the_role_given(app: Flask, as_role: Any) -> None:
    admin = as_role("admin")
    response = admin.post(
        "/admin/users",
        data={"email": "board.member@example.org", "role": "board", "partner": "", "password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalars(select(User).where(User.email == "board.member@example.org")).one()
        assert created.role == "board"

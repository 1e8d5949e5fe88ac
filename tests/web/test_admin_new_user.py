"""'Add a user' names no role until the admin chooses one: an email and a password alone create no one."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.db.models import User
from tracker.extensions import db

from ..digest import database_digest
from ..page import Page, text_of

GOOD_PASSWORD = "plum orchard quietly 42"
pytestmark = pytest.mark.usefixtures("framework")


def test_role_has_a_placeholder_and_is_required(app: Flask, as_role: Any) -> None:
    page = Page.of(as_role("admin").get("/admin/users"), 200)
    options = page.all("form select[name=role] > option")
    assert page.field("role")["name"] == "role"
    assert [(o["value"], text_of(o)) for o in options] == [
        ("", "Choose a role"),
        ("admin", "Admin"),
        ("lead", "Lead"),
        ("evaluator", "Evaluator"),
        ("board", "Board"),
    ]
    assert [o["value"] for o in options if o.has_attr("selected")] == [""], "nothing but the placeholder"
    assert page.text("label[for=role]") == "Role", "not marked optional"


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
    page = Page.of(response, 400)
    assert page.error_summary == [("role", "Choose a role")]
    page.assert_error_at("role", "Choose a role")
    assert page.text("#role-error") == "Error: Choose a role"
    assert page.field_errors() == {"role": "Choose a role"}
    assert page.value("email") == "someone@example.org"
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

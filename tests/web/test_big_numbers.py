"""Ids past what an id column holds and absurd page numbers answer 404 or 400, never 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from ..digest import database_digest
from ..page import Page

pytestmark = pytest.mark.usefixtures("framework")
HUGE = "99999999999999999999"
NUMBERS = [HUGE, str(2**63), str(2**63 - 1), str(2**31), str(2**31 - 1), "0"]


@pytest.mark.parametrize("number", NUMBERS)
def test_big_ids_are_not_found(app: Flask, as_role: Any, number: str) -> None:
    admin = as_role("admin")
    admin.get("/")
    before = database_digest(app)
    for method, url in (
        ("GET", f"/evidence/{number}"),
        ("GET", f"/evidence/{number}/edit"),
        ("POST", f"/evidence/{number}/status"),
        ("GET", f"/attachments/{number}"),
        ("GET", f"/admin/users/{number}"),
        ("POST", f"/admin/users/{number}"),
    ):
        response = admin.open(url, method=method, data={"to_status": "accepted", "role": "board"})
        assert response.status_code == 404, (method, url, response.status_code)
        assert Page.of(response).h1 == "Not Found"
    assert database_digest(app) == before


@pytest.mark.parametrize("page", ["9223372036854775807", HUGE, "1000001", "0", "-1", "two", "1.5", "", "٣"])
def test_audit_page_must_be_a_sensible_number(app: Flask, as_role: Any, page: str) -> None:
    response = as_role("admin").get("/admin/audit", query_string={"page": page})
    assert response.status_code == 400
    page = Page.of(response)
    assert page.h1 == "Bad Request"
    assert "whole number from 1 to 1,000,000" in page.text("main h1 + p")


@pytest.mark.parametrize("page", ["1", "2", "1000000"])
def test_audit_pages_in_range_still_work(app: Flask, as_role: Any, page: str) -> None:
    response = as_role("admin").get("/admin/audit", query_string={"page": page})
    assert response.status_code == 200

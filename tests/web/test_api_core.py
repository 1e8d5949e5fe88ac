"""The API's rules for every call: tokens, no session, no writes, problem+json, ETags, cursors, rate limit, audit."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate
from sqlalchemy import select

from tests.api_contract import CHECKED, ContractBroken, check
from tests.conftest import sign_in
from tests.digest import database_digest
from tracker.api.openapi import document_bytes
from tracker.db.models import AuditEvent
from tracker.extensions import db

PROBLEM = "application/problem+json"


def audit_rows(app: Flask, action: str) -> list[tuple[str, str, str, str, str]]:
    """(detail, object_type, object_id, actor, role) of each audit row of an action, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [(r.detail, r.object_type, r.object_id, r.actor, r.role) for r in rows]


def test_the_document_is_valid_openapi_31_and_served_without_a_token(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # openapi-spec-validator: the document itself follows OpenAPI 3.1
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_every_api_response_of_the_client_is_checked_against_the_document(api_as: Any) -> None:
    before = sum(CHECKED.values())
    assert api_as("board").get("/api/v1/frameworks").status_code == 200
    assert sum(CHECKED.values()) == before + 1


def test_the_checker_refuses_a_body_off_its_schema(api_as: Any) -> None:
    response = api_as("board").get("/api/v1/frameworks/tiny-partnership")
    body = response.get_json()
    response.set_data(json.dumps({**body, "slug": 5}).encode())
    with pytest.raises(ContractBroken, match="slug"):
        check(document_bytes().decode(), "GET", "/api/v1/frameworks/tiny-partnership", response)


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Bearer trk_not-a-token", "Basic dXNlcjpwYXNz", "bearer trk_" + "A" * 43],
)
def test_no_valid_token_is_401_problem_and_writes_nothing(
    app: Flask, client: Any, framework: str, header: str | None
) -> None:
    before = database_digest(app)
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/frameworks", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.get_json()["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert database_digest(app) == before


def test_a_session_cookie_does_not_work_for_the_api(
    app: Flask, client: Any, make_user: Any, framework: str
) -> None:
    sign_in(client, make_user("admin"))
    assert client.get("/").status_code == 200  # signed in on the web
    response = client.get("/api/v1/frameworks")
    assert response.status_code == 401 and response.mimetype == PROBLEM


def test_a_token_does_not_work_for_the_web(app: Flask, client: Any, make_token: Any, framework: str) -> None:
    token = make_token("admin")
    response = client.get("/admin/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path", ["/api/v1/frameworks", "/api/v1/frameworks/tiny-partnership", "/api/v1/openapi.json"]
)
def test_no_endpoint_accepts_a_write_method(app: Flask, api_as: Any, method: str, path: str) -> None:
    client = api_as("admin")
    before = database_digest(app)
    response = client.open(path, method=method, json={"title": "changed"})
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert response.headers["Allow"] == "GET, HEAD"
    assert database_digest(app) == before


def test_every_documented_path_refuses_writes(app: Flask, api_as: Any) -> None:
    client = api_as("admin")
    for template in client.get("/api/v1/openapi.json").get_json()["paths"]:
        path = "/api/v1" + re.sub(r"\{[^}]+\}", "1", template.replace("{slug}", "tiny-partnership"))
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert client.open(path, method=method).status_code == 405, (method, path)


def test_an_unknown_path_is_a_problem_404(api_as: Any) -> None:
    response = api_as("board").get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_an_unknown_framework_is_404(api_as: Any) -> None:
    response = api_as("board").get("/api/v1/frameworks/nope")
    assert response.status_code == 404 and response.mimetype == PROBLEM
    assert "nope" in response.get_json()["detail"]


def test_etag_and_if_none_match(api_as: Any) -> None:
    client = api_as("board")
    first = client.get("/api/v1/frameworks/tiny-partnership")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/api/v1/frameworks/tiny-partnership", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    other = client.get("/api/v1/frameworks/tiny-partnership", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_etag_changes_when_the_framework_changes(api_as: Any, load_framework: Any, tiny_yaml: str) -> None:
    client = api_as("board")
    etag = client.get("/api/v1/frameworks/tiny-partnership").headers["ETag"]
    load_framework(tiny_yaml.replace("version: 1", "version: 2", 1))
    response = client.get("/api/v1/frameworks/tiny-partnership", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert [v["version"] for v in response.get_json()["versions"]] == [1, 2]


def test_cursor_pagination_walks_every_framework_once(
    api_as: Any, load_framework: Any, tiny_yaml: str
) -> None:
    for n in range(3):
        load_framework(tiny_yaml.replace("id: tiny-partnership", f"id: tiny-{n}", 1))
    client = api_as("board")
    seen: list[str] = []
    url = "/api/v1/frameworks?limit=2"
    while True:
        body = client.get(url).get_json()
        assert len(body["data"]) <= 2
        seen += [f["slug"] for f in body["data"]]
        if body["next_cursor"] is None:
            break
        url = f"/api/v1/frameworks?limit=2&cursor={body['next_cursor']}"
    assert seen == sorted(seen) == ["tiny-0", "tiny-1", "tiny-2", "tiny-partnership"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=x", "limit"),
        ("cursor=%25%25", "cursor"),
        ("cursor=bm90IGpzb24", "cursor"),
    ],
)
def test_bad_paging_is_a_400_naming_the_parameter(api_as: Any, query: str, names: str) -> None:
    response = api_as("board").get(f"/api/v1/frameworks?{query}")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert names in response.get_json()["detail"]


def test_every_call_is_audited_by_token_and_notes_its_last_use(app: Flask, api_as: Any) -> None:
    client = api_as("evaluator")
    client.get("/api/v1/frameworks?limit=5")
    client.get("/api/v1/frameworks/nope")
    rows = audit_rows(app, "api.read")
    assert [r[0] for r in rows] == [
        "GET /api/v1/frameworks?limit=5 -> 200",
        "GET /api/v1/frameworks/nope -> 404",
    ]
    assert {r[1] for r in rows} == {"api_token"} and len({r[2] for r in rows}) == 1
    assert all("(token " in r[3] and r[4] == "evaluator" for r in rows)
    with app.app_context():
        from tracker.api import tokens

        (listed,) = [t for t in tokens.list_tokens(db.session) if str(t.id) == rows[0][2]]
        assert listed.last_used_at is not None


def test_over_the_rate_limit_is_429_with_retry_after(make_app: Any, make_token: Any) -> None:
    raw, other = make_token("board"), make_token("board")
    limited = make_app(API_RATE_LIMIT="3 per minute").test_client()
    answers = [
        limited.get("/api/v1/frameworks", headers={"Authorization": f"Bearer {raw}"}) for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].mimetype == PROBLEM and int(answers[-1].headers["Retry-After"]) > 0
    # Counted per token: another token of the same address still gets in.
    assert limited.get("/api/v1/frameworks", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_a_call_whose_request_wrote_is_committed_before_its_audit_row(
    app: Flask, api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that stores a derived row in the request's session (as a first read of stored results may) holds
    SQLite's write lock until the request commits: the audit's own transaction must come after that commit,
    not wait for it (it waited out the 30 s busy timeout, then failed)."""
    from sqlalchemy import update

    from tracker.api import reading_frameworks
    from tracker.db.models import Framework

    real = reading_frameworks.framework_detail

    def writing_detail(session: Any, found: Any) -> dict[str, Any]:
        session.execute(update(Framework).where(Framework.slug == "tiny-partnership").values(title="Stored"))
        return real(session, found)

    client = api_as("board")
    monkeypatch.setattr(reading_frameworks, "framework_detail", writing_detail)
    response = client.get("/api/v1/frameworks/tiny-partnership")
    assert response.status_code == 200
    with app.app_context():
        title = db.session.scalars(select(Framework.title).where(Framework.slug == "tiny-partnership")).one()
    assert title == "Stored"  # the request's write was committed
    assert [r[0] for r in audit_rows(app, "api.read")] == ["GET /api/v1/frameworks/tiny-partnership -> 200"]

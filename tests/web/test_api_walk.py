"""Every path of the served OpenAPI document, walked on the demo data with a token of each role.

Ids come from the API itself (each list gives the ids its items' paths take), so a new path in the document
is walked as soon as it is there; every answer is checked against the document by the test client
(tests/api_contract.py). Each role reads every documented path with 200 somewhere in the demo, and nothing
the walk does writes a row but the audit trail and the tokens' last use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.digest import table_digests
from tracker.db.models import User
from tracker.extensions import db

ROLES = ("admin", "lead", "evaluator", "board")
PREFIX = "/api/v1"
# What an API read may write: its audit row and its token's last use; stored ratings and survey level results
# are caches a reader may fill (tests/web/test_get_is_read_only.py says why).
MAY_CHANGE = ("audit_event", "api_token", "rating_snapshot", "rating_state", "survey_level_result")


@pytest.fixture
def demo(app: Flask, runner: Any) -> Flask:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app


def demo_user(app: Flask, role: str) -> str:
    with app.app_context():
        from sqlalchemy import select

        return db.session.scalars(select(User.email).where(User.role == role).order_by(User.id)).first() or ""


def ids(client: Any, path: str, key: str = "id") -> Iterator[Any]:
    """Every item's `key` of a list path, page after page (50 a page, to walk the cursors too)."""
    url = f"{PREFIX}{path}?limit=50"
    while True:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        body = response.get_json()
        for item in body["data"]:
            yield item[key]
        if body.get("next_cursor") is None:
            return
        url = f"{PREFIX}{path}?limit=50&cursor={body['next_cursor']}"


def concrete_paths(client: Any, templates: list[str]) -> Iterator[tuple[str, str]]:
    """(template, path) for each documented path with the ids this client's lists give, a few of each."""
    for slug in list(ids(client, "/frameworks", "slug")):
        base = f"/frameworks/{slug}"
        framework = client.get(PREFIX + base).get_json()
        filled: dict[str, list[dict[str, str]]] = {
            "/frameworks": [{}],
            "/frameworks/{slug}": [{"slug": slug}],
            "/frameworks/{slug}/versions/{version}": [
                {"slug": slug, "version": str(v["version"])} for v in framework["versions"]
            ],
        }
        for name in ("themes", "outcomes", "kpis", "evidence", "surveys", "events", "plans"):
            filled[f"/frameworks/{{slug}}/{name}"] = [{"slug": slug}]
        filled["/frameworks/{slug}/outcomes/{outcome_id}"] = [
            {"slug": slug, "outcome_id": o} for o in list(ids(client, f"{base}/outcomes"))[:3]
        ]
        filled["/frameworks/{slug}/evidence/{evidence_id}"] = [
            {"slug": slug, "evidence_id": str(e)} for e in list(ids(client, f"{base}/evidence"))[:3]
        ]
        filled["/frameworks/{slug}/events/{event_id}"] = [
            {"slug": slug, "event_id": e} for e in list(ids(client, f"{base}/events"))[:3]
        ]
        filled["/frameworks/{slug}/plans/{number}"] = [
            {"slug": slug, "number": str(n)} for n in list(ids(client, f"{base}/plans", "number"))[:3]
        ]
        rounds, levels = [], []
        for survey in client.get(f"{PREFIX}{base}/surveys").get_json()["data"]:
            for round_ in survey["rounds"]:
                values = {"slug": slug, "survey": survey["id"], "round": str(round_["id"])}
                rounds.append(values)
                body = client.get(f"{PREFIX}{base}/surveys/{survey['id']}/rounds/{round_['id']}").get_json()
                for level in (body.get("levels") or [])[:3]:
                    levels.append({**values, "level": level["level"]})
        filled["/frameworks/{slug}/surveys/{survey}/rounds/{round}"] = rounds
        filled["/frameworks/{slug}/surveys/{survey}/rounds/{round}/levels/{level}"] = levels
        for template in templates:
            for values in filled.get(template, []):
                yield template, re.sub(r"\{(\w+)\}", lambda m, v=values: v[m.group(1)], template)  # type: ignore[misc]


def test_every_documented_path_answers_each_roles_token_and_writes_nothing(
    demo: Flask, make_token: Any
) -> None:
    app = demo
    templates = [t for t in app.test_client().get(f"{PREFIX}/openapi.json").get_json()["paths"]]
    before = table_digests(app, exclude=MAY_CHANGE)
    read: dict[str, set[str]] = {}
    for role in ROLES:
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(role, email=demo_user(app, role))}"
        for template, path in concrete_paths(client, templates):
            response = client.get(PREFIX + path)
            assert response.status_code == 200, (role, path, response.get_data(as_text=True)[:300])
            again = client.get(PREFIX + path, headers={"If-None-Match": response.headers["ETag"]})
            assert again.status_code == 304, (role, path)
            read.setdefault(template, set()).add(role)
    assert table_digests(app, exclude=MAY_CHANGE) == before
    unread = {t: sorted(set(ROLES) - read.get(t, set())) for t in templates if t != "/openapi.json"}
    assert {t: roles for t, roles in unread.items() if roles} == {}, "paths the demo gave no ids for"

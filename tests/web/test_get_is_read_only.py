"""No GET route changes anything: every page an admin can open leaves every table as it was."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tracker.db.models import Base
from tracker.extensions import db

# Stored ratings are a cache of the engine's answer that a reader may fill (see services/snapshots.py);
# they hold nothing a user saved.
DERIVED = {"rating_snapshot", "rating_state"}


def snapshot(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
            if name not in DERIVED
        }


def test_every_get_route_is_read_only(app: Flask, as_role: Any, make_evidence: Any) -> None:
    item = make_evidence(status="submitted")
    client = as_role("admin")
    client.get("/")  # clears the sign-in message
    before = snapshot(app)
    values = {"slug": "tiny-partnership", "evidence_id": item, "outcome_id": "educators-supported",
              "user_id": 1, "attachment_id": 999, "survey_id": "none", "filename": "app.css"}  # fmt: skip
    visited = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint in {"auth.logout"}:
            continue
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments}, append_unknown=False)[1]
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        response.close()
        visited.append(url)
    assert len(visited) >= 20
    assert snapshot(app) == before

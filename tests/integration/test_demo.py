"""`tracker demo`: the seed evaluations as live data, loaded once, safely re-run."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tracker.db.models import Evidence, Framework, KpiValue, RatingOverride, User
from tracker.extensions import db
from tracker.ratings import ratings_for


def test_demo_loads_everything_once(app: Flask, runner: Any) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "developing-together: loaded version 1; 204 evidence items" in first.output
    with app.app_context():
        slugs = set(db.session.scalars(select(Framework.slug)))
        assert slugs == {"developing-together", "social-work-week-2021", "employer-standards-2024"}
        dt = db.session.scalars(select(Framework).where(Framework.slug == "developing-together")).one()
        count = db.session.scalar(
            select(func.count()).select_from(Evidence).where(Evidence.framework_id == dt.id)
        )
        assert count is not None and count >= 80
        waiting = db.session.scalars(select(Evidence.title).where(Evidence.status != "accepted")).all()
        # Two Health Check comments wait for the evaluator (SOURCES.md, "Review status"), and the three items
        # Social Work Week's event feedback made, one per rating question (SOURCES.md, "Events (issue 19)").
        assert sorted(waiting) == [
            "Comment: good learning culture",
            "Comment: supportive, proactive supervisor",
            "Social Work Week 2021: How useful you found the session",
            "Social Work Week 2021: Overall experience of the session",
            "Social Work Week 2021: The quality of the content",
        ]
        assert set(db.session.scalars(select(Evidence.status))) == {"accepted", "submitted"}
        accepted_on = {
            e.accepted_at.date()
            for e in db.session.scalars(select(Evidence).where(Evidence.framework_id == dt.id))
        }  # type: ignore[union-attr]
        assert accepted_on == {date(2020, 5, 31)}  # reviewed as of the evaluation date
        kpi_values = db.session.scalar(select(func.count()).select_from(KpiValue)) or 0
        evidence_total = db.session.scalar(select(func.count()).select_from(Evidence)) or 0
        users = {u.role: u.email for u in db.session.scalars(select(User))}
        assert users == {
            "admin": "admin@demo.invalid", "lead": "lead@demo.invalid",
            "evaluator": "evaluator@demo.invalid", "board": "board@demo.invalid",
        }  # fmt: skip
        overrides = db.session.scalar(select(func.count()).select_from(RatingOverride)) or 0
        for slug in slugs:
            rated = ratings_for(db.session, slug, detail=True)
            assert rated is not None and rated.ratings
        rated = ratings_for(db.session, "developing-together", detail=True)
        assert rated is not None and rated.as_of == date(2020, 5, 31)
        assert {r.rating for r in rated.ratings} >= {"strong", "some", "not_yet"}
    credentials = Path(app.instance_path) / "demo-credentials.txt"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    for line in credentials.read_text().splitlines():
        email, password = line.split(" ", 1)
        assert email in first.output and password in first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "0 evidence items and 0 KPI values added" in again.output
    assert "events: none loaded; 5 already loaded" in again.output
    with app.app_context():
        assert (db.session.scalar(select(func.count()).select_from(Evidence)) or 0) == evidence_total
        assert (db.session.scalar(select(func.count()).select_from(KpiValue)) or 0) == kpi_values
        assert (db.session.scalar(select(func.count()).select_from(RatingOverride)) or 0) == overrides
        assert db.session.scalar(select(func.count()).select_from(User)) == 4


def test_demo_reset_starts_again(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    refused = runner.invoke(args=["demo", "--reset"], input="n\n")
    assert refused.exit_code == 1 and "nothing was changed" in refused.output
    reset = runner.invoke(args=["demo", "--reset", "--yes"])
    assert reset.exit_code == 0 and "emptied" in reset.output and "loaded version 1" in reset.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 4

"""Rating a framework from the database: fixed query count, as-of cut-off, overrides and staleness."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.db.models import AuditEvent, Evidence, KpiValue, RatingOverride
from tracker.extensions import db
from tracker.overrides import service as override_service
from tracker.ratings import ratings_for, upkeep
from tracker.services import evidence as evidence_service
from tracker.services.audit import Actor
from tracker.services.evidence import Refused
from tracker.services.permissions import Principal

from ..querycount import count_statements

EVALUATOR = Principal(None, "evaluator@example.org", "evaluator", None)
RATIONALE = (
    "The focus group and the survey agree, and the survey's response rate was high; the evaluator judges "
    "that the outcome was achieved in full."
)


def add_kpi_value(app: Flask, kpi: str, period: str, end: date, value: float) -> None:
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, "tiny-partnership")
        assert ctx is not None
        session.add(
            KpiValue(
                framework_id=ctx.framework.id,
                element_id=ctx.elements[kpi].id,
                period=period,
                period_end=end,
                value=value,
            )
        )
        upkeep.inputs_changed(session, ctx.framework.id, [ctx.elements[kpi].id])  # as a service


def contract_data(make_evidence: Any, app: Flask) -> None:
    """The shared contract example: survey and focus group for educators, one KPI value."""
    make_evidence()
    make_evidence(
        title="Practice educator focus group", source_type="focus_group", respondents=7, population=None,
        positive=None, collection="", collected_on=date(2023, 3, 10),
    )  # fmt: skip
    add_kpi_value(app, "statutory-share", "2022/23", date(2023, 3, 31), 90)


def test_the_engine_reads_what_an_item_answers_and_its_kpi(app: Flask, make_evidence: Any) -> None:
    """Issue 18: each item the engine weighs carries `shows` and `kpi` as stored ("" when not said)."""
    said = make_evidence(shows="better_off", kpi="statutory-share", quote="Heard", links=("more-statutory",))
    unsaid = make_evidence(title="Said nothing", links=("more-statutory",))
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        items = rated.evidence
    assert (items[said].shows, items[said].kpi) == ("better_off", "statutory-share")
    assert (items[unsaid].shows, items[unsaid].kpi) == ("", "")
    assert (items[said].quote, items[said].revision) == ("Heard", 1)  # the columns before them still line up


def test_rates_the_contract_example(app: Flask, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None and rated.as_of == date(2023, 4, 30)
        assert {r.outcome_id: r.rating for r in rated.ratings} == {
            "more-statutory": "some",
            "educators-supported": "strong",
            "retention": "not_yet",
        }
        kpi = rated.kpis[0].to_json()
        assert kpi["status"] == "met" and kpi["change"] == {"value": 15, "unit": "pp"}


def test_only_accepted_evidence_collected_by_the_as_of_date_counts(app: Flask, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    make_evidence(
        title="Later survey", collected_on=date(2023, 6, 1), finding="contradicts", collection="later"
    )
    make_evidence(title="Draft survey", status="draft", finding="contradicts", collection="draft")
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        assert rated.detail.get("educators-supported").rating == "strong"  # type: ignore[union-attr]
        earlier = ratings_for(db.session, "tiny-partnership", as_of=date(2023, 3, 5), detail=True)
        assert earlier is not None
        # Only the survey was known on 5 March 2023: one robust line gives "some", not "strong".
        assert earlier.detail.get("educators-supported").rating == "some"  # type: ignore[union-attr]
        assert earlier.detail.get("more-statutory").rating == "insufficient"  # type: ignore[union-attr]
        later = ratings_for(db.session, "tiny-partnership", as_of=date(2023, 7, 1), detail=True)
        assert later is not None
        rating = later.detail.get("educators-supported")
        assert rating is not None
        # By July the contradicting survey is known: two positive lines against one negative give "some".
        assert (rating.rating, rating.rule) == ("some", "R2-some")
        assert "Later survey" in " ".join(rating.reasons) and "Draft survey" not in " ".join(rating.reasons)


def test_query_count_does_not_grow_with_the_data(app: Flask, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    with app.app_context(), count_statements(db.engine) as small:
        ratings_for(db.session, "tiny-partnership", detail=True)
    for n in range(20):
        make_evidence(
            title=f"Survey {n}", collection=f"c{n}", links=("educators-supported", "more-statutory")
        )
        add_kpi_value(app, "statutory-share", f"p{n}", date(2022, 1, 1 + n), 80 + n)
    with app.app_context(), count_statements(db.engine) as large:
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
    assert rated is not None and len(rated.evidence) == 22
    assert large.count == small.count, (small.statements, large.statements)
    assert small.count <= 6


def test_override_is_kept_with_the_computed_rating_and_flagged_stale(app: Flask, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    with app.app_context(), db.unit_of_work() as session:
        rated = ratings_for(session, "tiny-partnership", detail=True)
        assert rated is not None
        items = [a.item_id for a in rated.detail.get("more-statutory").items]  # type: ignore[union-attr]
        override_service.set_override(
            session, Actor("evaluator"), EVALUATOR, rated, "more-statutory", "none", RATIONALE, items
        )
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        rating = rated.detail.get("more-statutory")
        assert rating is not None
        assert (rating.rating, rating.computed, rating.override, rating.rule) == (
            "none",
            "some",
            "none",
            "R0-override",
        )
        assert not rating.stale
        assert rating.to_json()["override"] == "none"
        stored = db.session.scalars(select(RatingOverride)).one()
        assert stored.computed == "some" and stored.computed_rule == "R2-some" and stored.computed_reasons
        assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "override.set")).one()
    add_kpi_value(app, "statutory-share", "2023/24", date(2023, 4, 1), 70)
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        rating = rated.detail.get("more-statutory")
        assert rating is not None and rating.override == "none" and rating.stale
        assert "stale: review" in rating.reasons[0]


@pytest.mark.parametrize(
    ("rating", "rationale", "evidence", "field"),
    [
        ("none", "Too short.", False, "rationale"),
        ("strong", RATIONALE, False, "evidence"),
        ("brilliant", RATIONALE, True, "rating"),
    ],
)
def test_invalid_overrides_write_nothing(
    app: Flask, make_evidence: Any, rating: str, rationale: str, evidence: bool, field: str
) -> None:
    contract_data(make_evidence, app)
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        ids = [a.item_id for a in rated.detail.get("educators-supported").items] if evidence else []  # type: ignore[union-attr]
        with pytest.raises(override_service.OverrideInvalid) as raised:
            override_service.set_override(
                db.session, Actor("e"), EVALUATOR, rated, "educators-supported", rating, rationale, ids
            )
        assert raised.value.field == field
        db.session.rollback()
        assert db.session.scalars(select(RatingOverride)).first() is None


def test_leads_cannot_override(app: Flask, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    lead = Principal(None, "lead@example.org", "lead", None)
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        with pytest.raises(Refused):
            override_service.set_override(
                db.session, Actor("l"), lead, rated, "retention", "none", RATIONALE, []
            )


def test_withdrawing_keeps_the_history(app: Flask, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    with app.app_context(), db.unit_of_work() as session:
        rated = ratings_for(session, "tiny-partnership", detail=True)
        assert rated is not None
        override_service.set_override(
            session, Actor("e"), EVALUATOR, rated, "retention", "insufficient", RATIONALE, []
        )
    with app.app_context(), db.unit_of_work() as session:
        rated = ratings_for(session, "tiny-partnership", detail=True)
        assert rated is not None
        override_service.withdraw_override(
            session, Actor("e"), EVALUATOR, rated, "retention", "The aim is long term."
        )
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None and rated.detail.get("retention").override is None  # type: ignore[union-attr]
        history = db.session.scalars(select(RatingOverride).order_by(RatingOverride.id)).all()
        assert [h.rating for h in history] == ["insufficient", None]
        assert history[0].superseded_at is not None and history[1].superseded_at is None
        assert db.session.scalars(select(Evidence)).first() is not None

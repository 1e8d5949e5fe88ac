"""Stored ratings follow the services that write rating inputs, and nothing else: no session hook re-rates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Element, Evidence, EvidenceLink, KpiValue, RatingSnapshot, User
from tracker.domain.evidence_input import EvidenceFields, KpiValueFields
from tracker.domain.loader import parse_framework
from tracker.extensions import db
from tracker.overrides import service as overrides
from tracker.ratings import ratings_for
from tracker.services import evidence as evidence_service
from tracker.services import evidence_bulk, frameworks, kpi_values
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

SLUG = "tiny-partnership"
ALL = "every outcome"
REPO = Path(__file__).resolve().parents[2]
ACTOR = Actor("test")
FIELDS = EvidenceFields(
    title="Placement audit",
    summary="Audited placements",
    source_type="admin_data",
    collected_on=date(2023, 2, 1),
    links=("educators-supported",),
    finding="supports",
    respondents=None,
    population=None,
    positive=None,
    collection="",
    group="",
    independent=True,
    partner="tiny-council",
    quote="",
    url="",
    flags=(),
    status="accepted",
)
KPI = KpiValueFields(
    kpi="statutory-share", period="2023", period_end=date(2023, 3, 31), value=90.0, partner="", note=""
)

Write = Callable[[Session, Principal, evidence_service.FrameworkContext, int], None]


def stored(app: Flask) -> dict[str, Any]:
    """outcome -> computed_at of its stored rating."""
    with app.app_context():
        return {
            slug: at
            for at, slug in db.session.execute(
                select(RatingSnapshot.computed_at, Element.slug).join(
                    Element, Element.id == RatingSnapshot.element_id
                )
            )
        }


def stored_equals_live(app: Flask, outcome: str) -> bool:
    with app.app_context():
        rated = ratings_for(db.session, SLUG, detail=True)
        assert rated is not None
        live = {r.outcome_id: r for r in rated.ratings}
        row = db.session.scalar(
            select(RatingSnapshot)
            .join(Element, Element.id == RatingSnapshot.element_id)
            .where(Element.slug == outcome)
        )
        assert row is not None
        return live[outcome].rating == row.rating and live[outcome].fingerprint == row.fingerprint


def _update(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, item: int) -> None:
    row = session.get(Evidence, item)
    assert row is not None
    fields = replace(FIELDS, finding="contradicts", title=row.title)
    evidence_service.update(session, ACTOR, p, ctx, row, fields, expected_version=row.row_version)


def _move(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, item: int) -> None:
    row = session.get(Evidence, item)
    assert row is not None
    evidence_service.move(session, ACTOR, p, row, "returned", note="Please add the response counts.")


def _override(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, item: int) -> None:
    rated = ratings_for(session, SLUG, detail=True)
    assert rated is not None
    overrides.set_override(session, ACTOR, p, rated, "educators-supported", "strong", "r" * 120, [item])


def _withdraw(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, item: int) -> None:
    _override(session, p, ctx, item)
    session.flush()
    rated = ratings_for(session, SLUG, detail=True)
    assert rated is not None
    overrides.withdraw_override(session, ACTOR, p, rated, "educators-supported", "Back to the rules")


def _create(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, _item: int) -> None:
    evidence_service.create(session, ACTOR, p, ctx, FIELDS, status="accepted")


def _create_many(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, _item: int) -> None:
    evidence_bulk.create_many(session, ACTOR, p, ctx, [FIELDS])


def _kpi(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, _item: int) -> None:
    kpi_values.save(session, ACTOR, p, ctx, KPI)


def _kpis(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, _item: int) -> None:
    kpi_values.save_many(session, ACTOR, p, ctx, [KPI])


def _load_version(session: Session, p: Principal, ctx: evidence_service.FrameworkContext, _item: int) -> None:
    text = (
        (REPO / "tests" / "fixtures" / "tiny.yaml")
        .read_text(encoding="utf-8")
        .replace("version: 1", "version: 2")
    )
    result = parse_framework(text, "tiny.yaml")
    assert result.framework is not None
    frameworks.load_version(session, result.framework, text, ACTOR)


SERVICES: dict[str, tuple[Write, str]] = {
    "evidence.create": (_create, "educators-supported"),
    "evidence.update": (_update, "educators-supported"),
    "evidence.move": (_move, "educators-supported"),
    "evidence_bulk.create_many": (_create_many, "educators-supported"),
    "kpi_values.save": (_kpi, "more-statutory"),
    "kpi_values.save_many": (_kpis, "more-statutory"),
    "overrides.set_override": (_override, "educators-supported"),
    "overrides.withdraw_override": (_withdraw, "educators-supported"),
    "frameworks.load_version": (_load_version, ALL),
}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_that_writes_a_rating_input_re_rates_what_it_touched(
    app: Flask, make_evidence: Any, make_user: Any, service: str
) -> None:
    write, outcome = SERVICES[service]
    item = make_evidence()
    evaluator = make_user("admin")
    before = stored(app)
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, SLUG)
        assert ctx is not None
        user = session.scalar(select(User).where(User.email == evaluator))
        assert user is not None
        write(session, Principal.of(user), ctx, item)
    after = stored(app)
    for touched in before if outcome == ALL else [outcome]:
        assert after[touched] > before[touched]
        assert stored_equals_live(app, touched)
    untouched = {o for o in before if outcome not in {o, ALL}}
    assert {o: after[o] for o in untouched} == {o: before[o] for o in untouched}


def test_a_write_made_without_a_service_re_rates_nothing(app: Flask, make_evidence: Any) -> None:
    """No session hook watches the ORM: a raw add and commit leaves the stored ratings as they were."""
    make_evidence()
    before = stored(app)
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, SLUG)
        assert ctx is not None
        item = Evidence(framework_id=ctx.framework.id, partner_id=ctx.partners["tiny-council"].id, title="Raw",
                        summary="Written straight to the table", source_type="admin_data",
                        collected_on=date(2023, 2, 1), finding="contradicts", status="accepted")  # fmt: skip
        session.add(item)
        session.flush()
        session.add(EvidenceLink(evidence_id=item.id, element_id=ctx.elements["educators-supported"].id))
        session.add(
            KpiValue(framework_id=ctx.framework.id, element_id=ctx.elements["statutory-share"].id,
                     period="2023", period_end=date(2023, 3, 31), value=90.0)
        )  # fmt: skip
    assert stored(app) == before

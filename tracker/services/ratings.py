"""Turns rows into engine inputs and rates a whole framework in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import (
    Element,
    Evidence,
    EvidenceLink,
    Framework,
    FrameworkVersion,
    KpiValue,
    Partner,
    RatingOverride,
)
from tracker.domain import framework as fw
from tracker.domain.engine import OverrideInput, Rating, rate_framework
from tracker.domain.evidence import EvidenceItem
from tracker.domain.kpi import KpiActual, KpiStatus, framework_kpi_statuses
from tracker.services.frameworks import framework_of


@dataclass(frozen=True)
class FrameworkRatings:
    """A framework's ratings and KPI statuses as of a date, with the rows pages need beside them."""

    row: Framework
    version: FrameworkVersion
    framework: fw.Framework
    as_of: date
    ratings: tuple[Rating, ...]
    kpis: tuple[KpiStatus, ...]
    evidence: Mapping[int, EvidenceItem]
    element_ids: Mapping[str, int]
    overrides: Mapping[str, RatingOverride]

    def rating_of(self, outcome_id: str) -> Rating | None:
        return next((r for r in self.ratings if r.outcome_id == outcome_id), None)


def _item(row: Evidence) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        title=row.title,
        source_type=row.source_type,
        collected_on=row.collected_on,
        finding=row.finding,
        respondents=row.respondents,
        population=row.population,
        positive=row.positive,
        collection=row.collection,
        group=row.respondent_group,
        independent=row.independent,
        flags=frozenset(row.flags),
        revision=row.row_version,
        quote=row.quote,
    )


def parse_as_of(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def rate(
    session: Session, slug: str, as_of: date | None = None, today: date | None = None
) -> FrameworkRatings | None:
    """Ratings of every current outcome; `as_of` defaults to the framework's as_of, else today."""
    found = session.execute(
        select(Framework, FrameworkVersion)
        .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
        .where(Framework.slug == slug, FrameworkVersion.version == Framework.current_version)
    ).one_or_none()
    if found is None:
        return None
    row, version = found
    framework = framework_of(version)
    as_of = as_of or framework.default_as_of(today or date.today())
    slugs = dict(
        session.execute(select(Element.id, Element.slug).where(Element.framework_id == row.id)).all()
    )
    evidence: dict[int, EvidenceItem] = {}
    items_by_outcome: dict[str, list[EvidenceItem]] = {}
    outcome_ids = {o.id for o in framework.outcomes}
    for evidence_row, element_id in session.execute(
        select(Evidence, EvidenceLink.element_id)
        .join(EvidenceLink, EvidenceLink.evidence_id == Evidence.id)
        .where(Evidence.framework_id == row.id, Evidence.status == "accepted", Evidence.collected_on <= as_of)
        .order_by(Evidence.id)
    ):
        item = evidence.get(evidence_row.id) or evidence.setdefault(evidence_row.id, _item(evidence_row))
        slug_ = slugs.get(element_id)
        if slug_ in outcome_ids:
            items_by_outcome.setdefault(slug_, []).append(item)
    actuals: dict[str, list[KpiActual]] = {}
    for value, partner_slug in session.execute(
        select(KpiValue, Partner.slug)
        .outerjoin(Partner, Partner.id == KpiValue.partner_id)
        .where(
            KpiValue.framework_id == row.id, KpiValue.superseded_at.is_(None), KpiValue.period_end <= as_of
        )
        .order_by(KpiValue.period_end, KpiValue.id)
    ):
        actuals.setdefault(slugs[value.element_id], []).append(
            KpiActual(value.period, value.period_end, value.value, partner_slug)
        )
    overrides = {
        slugs[o.element_id]: o
        for o in session.scalars(
            select(RatingOverride).where(
                RatingOverride.framework_id == row.id, RatingOverride.superseded_at.is_(None)
            )
        )
    }
    override_inputs = {
        outcome: OverrideInput(o.rating, o.rationale, tuple(o.evidence_ids), o.fingerprint, o.created_by)
        for outcome, o in overrides.items()
        if o.rating is not None
    }
    ratings = rate_framework(framework, items_by_outcome, actuals, as_of, framework.settings, override_inputs)
    statuses = framework_kpi_statuses(framework, actuals, as_of, framework.settings)
    return FrameworkRatings(
        row,
        version,
        framework,
        as_of,
        ratings,
        statuses,
        evidence,
        {v: k for k, v in slugs.items()},
        overrides,
    )

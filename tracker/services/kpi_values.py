"""KPI actuals: entered per KPI, period and partner; a correction supersedes, never overwrites."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Element, KpiValue, utcnow
from tracker.domain.evidence_input import KpiValueFields
from tracker.services.audit import Actor, record
from tracker.services.evidence import FrameworkContext, Refused
from tracker.services.permissions import Principal, can_enter_kpi_value


def _snapshot(value: KpiValue, kpi: str, partner: str) -> dict[str, object]:
    return {
        "kpi": kpi,
        "period": value.period,
        "period_end": value.period_end.isoformat(),
        "value": value.value,
        "partner": partner,
        "note": value.note,
    }


def save(
    session: Session, actor: Actor, p: Principal, ctx: FrameworkContext, fields: KpiValueFields
) -> KpiValue:
    """Record a value; an earlier value for the same KPI, period and partner is kept but superseded."""
    element = ctx.elements[fields.kpi]
    per_partner = bool(element.attrs.get("per_partner"))
    partner_slug = fields.partner
    if p.role == "lead" and per_partner:
        partner_slug = ctx.partner_slug(p.partner_id)
    partner_id = ctx.partners[partner_slug].id if partner_slug else None
    if not can_enter_kpi_value(p, ctx.partner_ids, partner_id):
        raise Refused("you may not give values for this KPI and partner")
    current = session.scalars(
        select(KpiValue).where(
            KpiValue.element_id == element.id,
            KpiValue.period == fields.period,
            KpiValue.partner_id.is_(None) if partner_id is None else KpiValue.partner_id == partner_id,
            KpiValue.superseded_at.is_(None),
        )
    ).all()
    before = None
    for old in current:
        before = _snapshot(old, fields.kpi, partner_slug)
        old.superseded_at = utcnow()
    value = KpiValue(
        framework_id=ctx.framework.id,
        element_id=element.id,
        period=fields.period,
        period_end=fields.period_end,
        value=fields.value,
        partner_id=partner_id,
        note=fields.note,
        created_by_id=actor.user_id,
    )
    session.add(value)
    session.flush()
    record(
        session,
        actor,
        "kpi_value.save",
        object_type="kpi_value",
        object_id=value.id,
        framework_id=ctx.framework.id,
        before=before,
        after=_snapshot(value, fields.kpi, partner_slug),
    )
    return value


@dataclass(frozen=True)
class KpiRow:
    element: Element
    values: list[KpiValue]


def current_values(session: Session, ctx: FrameworkContext) -> list[KpiRow]:
    """Each current KPI with its values in period order, in two queries."""
    kpis = sorted(
        (e for e in ctx.elements.values() if e.kind == "kpi" and e.archived_at is None),
        key=lambda e: e.position,
    )
    values = session.scalars(
        select(KpiValue)
        .where(KpiValue.framework_id == ctx.framework.id, KpiValue.superseded_at.is_(None))
        .order_by(KpiValue.period_end, KpiValue.id)
    ).all()
    by_element: dict[int, list[KpiValue]] = {}
    for value in values:
        by_element.setdefault(value.element_id, []).append(value)
    return [KpiRow(k, by_element.get(k.id, [])) for k in kpis]


@dataclass(frozen=True)
class Gap:
    kpi: Element
    period: str
    missing: list[str]


def completeness(rows: list[KpiRow], ctx: FrameworkContext) -> tuple[list[str], list[Gap]]:
    """For each per-partner KPI and each period any partner reported, the partners that have not."""
    periods = sorted({v.period for row in rows for v in row.values})
    names = {p.id: p.name for p in ctx.partners.values()}
    gaps = []
    for row in rows:
        if not row.element.attrs.get("per_partner"):
            continue
        for period in sorted({v.period for v in row.values}) or periods:
            given = {v.partner_id for v in row.values if v.period == period}
            missing = [name for pid, name in names.items() if pid not in given]
            if missing:
                gaps.append(Gap(row.element, period, sorted(missing)))
    return periods, gaps

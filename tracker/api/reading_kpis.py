"""A framework's KPIs as the KPI page shows them (baseline, target, latest, change, status, every value given,
and where a sourced KPI's value comes from), as JSON-ready values for the API (a service: it queries)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.db.models import KpiValue
from tracker.domain import framework as fw
from tracker.domain.kpi import Change
from tracker.domain.kpi_sources import SourcedValue
from tracker.services import evidence as evidence_service
from tracker.services import kpi_values
from tracker.services.evidence import FrameworkContext

# A change's unit as a word (the pages print pp, points and %).
CHANGE_UNITS = {"pp": "percentage_points", "points": "points", "%": "percent"}


def change(found: Change | None) -> dict[str, Any] | None:
    return None if found is None else {"value": found.value, "unit": CHANGE_UNITS[found.unit]}


def point(pair: tuple[str, float] | None) -> dict[str, Any] | None:
    return None if pair is None else {"period": pair[0], "value": pair[1]}


def context(session: Session, slug: str) -> FrameworkContext | None:
    """The framework, its elements and partners (three statements), as the KPI page reads them."""
    return evidence_service.framework_context(session, slug)


def _target(target: fw.Target | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {
        "value": target.value,
        "change": target.change,
        "per_period": target.per_period,
        "tolerance": target.tolerance,
        "period": target.period or None,
        "note": target.note,
    }


def _source(definition: fw.Kpi, sourced: SourcedValue | None) -> dict[str, Any] | None:
    """Where a KPI with a `source:` takes its value: the event, its measure, and the value it gives now."""
    if definition.source is None:
        return None
    event = sourced.definition if sourced else None
    return {
        "event": definition.source.event,
        "measure": definition.source.measure,
        "event_title": event.title if event else None,
        "event_ends_on": event.ends_on.isoformat() if event else None,
        "value": sourced.value if sourced else None,
        "problem": sourced.problem if sourced else None,
    }


def _partner(partner_id: int, partners: dict[int, str]) -> str:
    """A value's partner by its id (slug), as the KPI page's progress names it."""
    return partners.get(partner_id, str(partner_id))


def _value(value: KpiValue, partners: dict[int, str]) -> dict[str, Any]:
    return {
        "period": value.period,
        "period_end": value.period_end.isoformat(),
        "value": value.value,
        "partner": None if value.partner_id is None else _partner(value.partner_id, partners),
        "note": value.note,
    }


def kpi_list(
    session: Session, ctx: FrameworkContext, as_of: date | None, after: int | None, limit: int
) -> list[tuple[int, dict[str, Any]]] | None:
    """(position, entry) of the current KPIs after position `after` in framework order, at most limit + 1,
    from the KPI page's own reads (`current_values`, `progress`: a fixed number of statements)."""
    rows = kpi_values.current_values(session, ctx)
    progress = kpi_values.progress(session, ctx, rows, as_of)
    if progress is None:
        return None
    values = {row.element.slug: row.values for row in rows}
    partners = {partner.id: slug for slug, partner in ctx.partners.items()}
    start = 0 if after is None else after + 1
    entries = []
    for n, shown in enumerate(progress.kpis[start : start + limit + 1]):
        d, s = shown.definition, shown.status
        entries.append(
            (
                start + n,
                {
                    "id": d.id,
                    "name": d.name,
                    "theme": d.theme_id,
                    "unit": d.unit,
                    "direction": d.direction,
                    "per_partner": d.per_partner,
                    "baseline": point(s.baseline),
                    "target": _target(d.target),
                    "status": s.status,
                    "reason": s.reason,
                    "latest": point(s.latest),
                    "change": change(s.change),
                    "values": [_value(v, partners) for v in values.get(d.id, [])],
                    "source": _source(d, progress.sources.get(d.id)),
                    "as_of": progress.as_of.isoformat(),
                },
            )
        )
    return entries

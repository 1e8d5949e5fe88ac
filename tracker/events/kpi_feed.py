"""KPIs that take their value from an event (issue 19): their values read in bulk, for the ratings, the KPI
page, `tracker kpis` and the report alike, and which KPIs a load of an event changes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date

from sqlalchemy.orm import Session

from tracker.db.models import Element
from tracker.domain import framework as fw
from tracker.domain.event_measures import MEAN_PREFIX
from tracker.domain.kpi import KpiActual
from tracker.domain.kpi_sources import SourcedValue, sourced_value, stored_source
from tracker.events.measured import current_events


def sourced_kpis(framework: fw.Framework, kpi_ids: Collection[str] | None = None) -> list[fw.Kpi]:
    """The framework's KPIs with a `source:` (only `kpi_ids`, when given)."""
    return [k for k in framework.kpis if k.source is not None and (kpi_ids is None or k.id in kpi_ids)]


def sourced_values(session: Session, framework_id: int, kpis: Iterable[fw.Kpi]) -> dict[str, SourcedValue]:
    """Each sourced KPI's value from its event's current load, by KPI id: one bulk read of the events."""
    chosen = [k for k in kpis if k.source is not None]
    if not chosen:
        return {}
    means = {k.source.event for k in chosen if k.source and k.source.measure.startswith(MEAN_PREFIX)}
    events = current_events(
        session, framework_id, {k.source.event for k in chosen if k.source}, with_answers=means
    )
    values = {}
    for k in chosen:
        assert k.source is not None
        event = events.get(k.source.event)
        values[k.id] = sourced_value(
            k.id, k.source, k.unit, None if event is None else (event.definition, event.measures)
        )
    return values


def sourced_actuals(
    session: Session, framework_id: int, kpis: Iterable[fw.Kpi], as_of: date
) -> dict[str, list[KpiActual]]:
    """The sourced KPIs' values for periods ended by `as_of`, shaped as the typed ones are."""
    found: dict[str, list[KpiActual]] = {}
    for kpi, value in sourced_values(session, framework_id, kpis).items():
        actual = value.actual(as_of)
        if actual is not None:
            found[kpi] = [actual]
    return found


def fed_by(elements: Mapping[str, Element], event_id: str) -> set[int]:
    """The element ids of the current KPIs that take their value from this event (`ctx.elements`)."""
    return {
        e.id
        for e in elements.values()
        if e.kind == "kpi"
        and e.archived_at is None
        and (source := stored_source(e.attrs)) is not None
        and source.get("event") == event_id
    }

"""A framework's events and one event's measures as JSON-ready values for the API, read through the events
package the pages and `tracker event show` use: the measures are that command's --json, word for word."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.api.reading_frameworks import iso
from tracker.domain.event_measures import EventMeasures, SessionMeasures
from tracker.events import reading
from tracker.events.reading import EventListing, LoadInfo, ShownEvent


def listing(e: EventListing) -> dict[str, Any]:
    unique = e.unique_attendees
    return {
        "id": e.id,
        "title": e.title,
        "starts_on": e.starts_on.isoformat(),
        "ends_on": e.ends_on.isoformat(),
        "sessions": e.sessions,
        "attended": e.attended,
        "unique_attendees": None
        if unique is None
        else {"value": unique.value, "estimated": unique.estimated},
        "answers": e.answers,
        "loads": e.loads,
        "loaded_at": iso(e.loaded_at),
    }


def events_page(
    session: Session, slug: str, after: tuple[date, str] | None, limit: int
) -> list[dict[str, Any]]:
    """Up to limit + 1 events after the cursor, earliest first: three statements, whatever the page size."""
    return [listing(e) for e in reading.list_events(session, slug, after, limit + 1)]


def event(session: Session, slug: str, event_id: str) -> ShownEvent | None:
    """The event and the measures of its current load (four statements), or None when there is none."""
    try:
        return reading.show_event(session, event_id, slug)
    except reading.EventNotFound:
        return None


def _load(load: LoadInfo | None) -> dict[str, Any] | None:
    if load is None:
        return None
    return {
        "number": load.number,
        "loaded_at": iso(load.loaded_at),
        "loaded_by": load.loaded_by,
        "sessions_from": load.sessions_from,
        "feedback_from": load.feedback_from,
    }


def _session(s: SessionMeasures) -> dict[str, Any]:
    """A session's row as the page's table shows it: a mean from too few answers has no mean and no n."""
    row = s.session
    return {
        "id": row.id,
        "title": row.title,
        "theme": row.theme,
        "starts_at": None if row.starts_at is None else row.starts_at.isoformat(timespec="minutes"),
        "format": row.format or None,
        "partner": row.partner or None,
        "capacity": row.capacity,
        "signups": row.signups,
        "attended": row.attended,
        "sold_out": row.sold_out,
        "conversion": s.conversion,
        "ratings": [
            {
                "question": r.question,
                "mean": None if r.suppressed else r.mean,
                "n": None if r.suppressed else r.n,
                "suppressed": r.suppressed,
            }
            for r in s.ratings
        ],
    }


def _feedback(m: EventMeasures) -> dict[str, Any]:
    """What the page shows beyond `event show --json`: agreement, free-text counts, and formats."""
    return {
        "agreement": [
            {
                "question": a.question,
                "agreeing": a.agreeing,
                "n": a.n,
                "answered": a.answered,
                "share": a.share,
            }
            for a in m.agreement
        ],
        "comments": [{"question": question, "answers": n} for question, n in m.comments],
        "by_format": [
            {"format": g.name or None, "sessions": g.sessions, "attended": g.attended} for g in m.by_format
        ],
    }


def event_detail(shown: ShownEvent) -> dict[str, Any]:
    d, m = shown.definition, shown.measures
    return {
        "id": d.id,
        "title": d.title,
        "starts_on": d.starts_on.isoformat(),
        "ends_on": d.ends_on.isoformat(),
        "source": d.source,
        "links": list(d.links),
        "population": None
        if d.population is None
        else {"name": d.population.name, "size": d.population.size},
        "costs": {
            "direct": d.costs.direct,
            "full": d.costs.full,
            "currency": "GBP",
            "staff_hours": d.costs.staff_hours,
        },
        "min_group_size": m.min_group_size,
        "load": _load(shown.load),
        "measures": m.to_json(),
        **_feedback(m),
        "per_session": [_session(s) for s in m.per_session],
    }

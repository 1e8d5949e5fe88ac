"""Every event of a framework with its current measures in four statements, however many events, sessions
and answers (the progress report's events chapter reads them all at once)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from tracker.db.models import Event, EventLoad, Framework
from tracker.domain.event_measures import compute_measures
from tracker.events.reading import (
    LoadInfo,
    ShownEvent,
    answer_counts_by_load,
    definition_of,
    newest_loads,
    sessions_by_load,
)


def framework_events(
    session: Session, framework: str, ended_by: date | None = None
) -> tuple[ShownEvent, ...]:
    """The framework's events (those ended by `ended_by`, when given), earliest first, each with its latest
    load's sessions and feedback measured; an event never loaded has none."""
    query = (
        select(Event, Framework.title)
        .join(Framework, Framework.id == Event.framework_id)
        .where(Framework.slug == framework)
        .order_by(Event.starts_on, Event.slug)
    )
    if ended_by is not None:
        query = query.where(Event.ends_on <= ended_by)
    found = [(event, title) for event, title in session.execute(query)]
    if not found:
        return ()
    loads = {
        load.event_id: load
        for load in session.scalars(
            select(EventLoad).where(
                tuple_(EventLoad.event_id, EventLoad.number).in_(newest_loads([e.id for e, _t in found]))
            )
        )
    }
    sessions = sessions_by_load(
        session, {n for load in loads.values() if (n := load.sessions_load_id) is not None}
    )
    counts = answer_counts_by_load(
        session, {n for load in loads.values() if (n := load.answers_load_id) is not None}
    )
    shown = []
    for event, framework_title in found:
        definition = definition_of(event, framework)
        load = loads.get(event.id)
        info = None
        if load is not None:  # what the report says of it: the load's number and time
            info = LoadInfo(load.number, load.loaded_at, load.loaded_by, load.yaml_name, "", None, "", None)
        shown.append(
            ShownEvent(
                framework=framework,
                framework_title=framework_title,
                definition=definition,
                load=info,
                measures=compute_measures(
                    definition,
                    sessions.get(load.sessions_load_id or 0, []) if load else [],
                    counts.get(load.answers_load_id or 0, []) if load else [],
                ),
            )
        )
    return tuple(shown)

"""Many events' current figures at once (issue 19), for what the events feed: KPIs that take their value from
an event, outputs showing their events' counts. At most four statements, however many events and sessions.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, defer

from tracker.db.models import Event, EventLoad, Framework
from tracker.domain.event_measures import EventMeasures, compute_measures
from tracker.domain.events import EventDefinition
from tracker.events.reading import answer_counts_by_load, definition_of, newest_loads, sessions_by_load


@dataclass(frozen=True)
class _Load:
    number: int
    sessions_load_id: int | None
    answers_load_id: int | None


@dataclass(frozen=True)
class CurrentEvent:
    """An event as its latest load stands: its definition and measures (`load`: that load's number, 0 when
    none; `answers_read`: whether its feedback was counted, else its rating measures are empty)."""

    definition: EventDefinition
    measures: EventMeasures
    load: int
    answers_read: bool


def current_events(
    session: Session,
    framework_id: int,
    event_ids: Collection[str] | None = None,
    *,
    with_answers: Collection[str] | None = None,
) -> dict[str, CurrentEvent]:
    """The framework's events (only `event_ids`, when given) by id, measured from their current loads.

    Feedback is counted only for the events in `with_answers` (None: every one), so a caller that needs
    sessions alone reads no answer counts at all.
    """
    query = (
        select(Event, Framework.slug)
        .join(Framework, Framework.id == Event.framework_id)
        .where(Event.framework_id == framework_id)
        .options(defer(Event.yaml_text))  # the file as loaded: not needed to measure
    )
    if event_ids is not None:
        wanted = sorted(set(event_ids))
        if not wanted:
            return {}
        query = query.where(Event.slug.in_(wanted))
    events = {e.id: (e, slug) for e, slug in session.execute(query)}
    if not events:
        return {}
    loads = {
        event_pk: _Load(number, sessions_pk, answers_pk)
        for event_pk, number, sessions_pk, answers_pk in session.execute(
            select(
                EventLoad.event_id, EventLoad.number, EventLoad.sessions_load_id, EventLoad.answers_load_id
            ).where(tuple_(EventLoad.event_id, EventLoad.number).in_(newest_loads(list(events))))
        )
    }
    sessions = sessions_by_load(
        session, {n for load in loads.values() if (n := load.sessions_load_id) is not None}
    )
    counted = {
        pk for pk, (event, _slug) in events.items() if with_answers is None or event.slug in with_answers
    }
    answer_loads = {
        load.answers_load_id for pk, load in loads.items() if pk in counted and load.answers_load_id
    }
    counts = answer_counts_by_load(session, answer_loads)
    found = {}
    for pk, (event, framework_slug) in events.items():
        definition = definition_of(event, framework_slug)
        load = loads.get(pk)
        rows = sessions.get(load.sessions_load_id, []) if load and load.sessions_load_id else []
        answers = counts.get(load.answers_load_id, []) if load and load.answers_load_id else []
        found[event.slug] = CurrentEvent(
            definition,
            compute_measures(definition, rows, answers),
            load.number if load else 0,
            pk in counted,
        )
    return found


def events_by_output(session: Session, framework_id: int) -> dict[str, list[CurrentEvent]]:
    """The framework's events by each output they link to, earliest first, with their How-much counts
    (sessions, sign-ups, attended, unique attendees): three statements, no feedback read."""
    found: dict[str, list[CurrentEvent]] = {}
    events = current_events(session, framework_id, with_answers=())
    for event in sorted(events.values(), key=lambda e: (e.definition.starts_on, e.definition.id)):
        for link in event.definition.links:
            found.setdefault(link, []).append(event)
    return found

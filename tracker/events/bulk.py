"""Every event of a framework with its current measures in four statements, however many events, sessions
and answers (the progress report's events chapter reads them all at once)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from tracker.db.models import Event, EventAnswerCount, EventLoad, EventSession, Framework, Partner
from tracker.domain.event_measures import compute_measures
from tracker.domain.events import AnswerCount, SessionRow
from tracker.events.reading import LoadInfo, ShownEvent, definition_of


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
    newest = (
        select(EventLoad.event_id, func.max(EventLoad.number))
        .where(EventLoad.event_id.in_([event.id for event, _title in found]))
        .group_by(EventLoad.event_id)
    )
    loads = {
        load.event_id: load
        for load in session.scalars(
            select(EventLoad).where(tuple_(EventLoad.event_id, EventLoad.number).in_(newest))
        )
    }
    sessions: dict[int, list[SessionRow]] = defaultdict(list)
    session_loads = {load.sessions_load_id for load in loads.values()} - {None}
    if session_loads:
        rows = session.execute(
            select(
                EventSession.load_id,
                EventSession.slug,
                EventSession.title,
                EventSession.signups,
                EventSession.attended,
                EventSession.theme,
                EventSession.starts_at,
                EventSession.format,
                EventSession.capacity,
                Partner.slug,
                EventSession.line,
            )
            .outerjoin(Partner, Partner.id == EventSession.partner_id)
            .where(EventSession.load_id.in_(session_loads))
            .order_by(EventSession.load_id, EventSession.line)
        )
        for load_id, sid, title, signups, attended, theme, starts, form, capacity, partner, line in rows:
            sessions[load_id].append(
                SessionRow(sid, title, signups, attended, theme, starts, form, capacity, partner or "", line)
            )
    counts: dict[int, list[AnswerCount]] = defaultdict(list)
    answer_loads = {load.answers_load_id for load in loads.values()} - {None}
    if answer_loads:
        for load_id, where, question, answer, count in session.execute(
            select(
                EventAnswerCount.load_id,
                EventAnswerCount.session,
                EventAnswerCount.question,
                EventAnswerCount.answer,
                EventAnswerCount.count,
            ).where(EventAnswerCount.load_id.in_(answer_loads))
        ):
            counts[load_id].append(AnswerCount(where, question, answer, count))
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

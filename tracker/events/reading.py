"""Reading events (issue 19): an event's current load and its measures in a fixed number of statements
(four, however many sessions and answers), and a framework's events."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from tracker.db.models import Event, EventAnswerCount, EventLoad, EventSession, Framework, Partner
from tracker.domain.event_measures import EventMeasures, compute_measures
from tracker.domain.events import (
    AnswerCount,
    Costs,
    EventDefinition,
    Population,
    Question,
    SessionRow,
    UniqueAttendees,
)


class EventNotFound(LookupError):
    """No such event (or framework), or an id that two frameworks use and no framework was named."""


@dataclass(frozen=True)
class LoadInfo:
    """The current load: its number, who made it and when, and where its sessions and feedback came from."""

    number: int
    loaded_at: datetime
    loaded_by: str
    yaml_name: str
    sessions_name: str  # the file the current sessions came from ("" when none was ever loaded)
    sessions_from: int | None  # the load that gave them (this one, or an earlier one they were kept from)
    feedback_name: str
    feedback_from: int | None


@dataclass(frozen=True)
class ShownEvent:
    """An event as `tracker event show` and its page show it."""

    framework: str
    framework_title: str
    definition: EventDefinition
    load: LoadInfo | None
    measures: EventMeasures


@dataclass(frozen=True)
class EventListing:
    """One line of a framework's list of events."""

    id: str
    title: str
    starts_on: date
    ends_on: date
    loads: int
    sessions: int
    attended: int | None  # None: no current session gives its attendance
    answers: int
    loaded_at: datetime | None
    unique_attendees: UniqueAttendees | None = None


def definition_of(event: Event, framework_slug: str) -> EventDefinition:
    """The event's current definition from its stored values (they validated when its YAML was loaded)."""
    unique = None
    if event.unique_attendees is not None:
        unique = UniqueAttendees(event.unique_attendees, event.unique_estimated)
    population = None
    if event.population_size is not None:
        population = Population(event.population_name, event.population_size)
    return EventDefinition(
        id=event.slug,
        framework=framework_slug,
        title=event.title,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        links=tuple(event.links),
        unique_attendees=unique,
        reach_target=event.reach_target,
        population=population,
        costs=Costs(event.cost_direct, event.cost_staff_hours, event.cost_full),
        min_group_size=event.min_group_size,
        questions=tuple(Question.from_json(q) for q in event.questions),
        source=event.source,
    )


def find_event(session: Session, event_id: str, framework: str | None = None) -> tuple[Event, Framework]:
    """The event with this id (in that framework, when one is named): one statement."""
    query = (
        select(Event, Framework)
        .join(Framework, Framework.id == Event.framework_id)
        .where(Event.slug == event_id)
    )
    if framework is not None:
        query = query.where(Framework.slug == framework)
    found = [(e, f) for e, f in session.execute(query.order_by(Framework.slug))]
    if not found:
        where = f" in the framework '{framework}'" if framework is not None else ""
        raise EventNotFound(
            f"no event has the id '{event_id}'{where} (see `tracker event list --framework ID`)"
        )
    if len(found) > 1:
        names = ", ".join(f.slug for _e, f in found)
        raise EventNotFound(
            f"the frameworks {names} each have an event '{event_id}': choose one with --framework"
        )
    return found[0]


def latest_load(session: Session, event_pk: int) -> tuple[EventLoad, LoadInfo] | None:
    """The event's newest load, and where its current sessions and feedback came from: one statement."""
    sessions_load, answers_load = aliased(EventLoad), aliased(EventLoad)
    row = session.execute(
        select(
            EventLoad,
            sessions_load.number,
            sessions_load.sessions_name,
            answers_load.number,
            answers_load.feedback_name,
        )
        .outerjoin(sessions_load, sessions_load.id == EventLoad.sessions_load_id)
        .outerjoin(answers_load, answers_load.id == EventLoad.answers_load_id)
        .where(EventLoad.event_id == event_pk)
        .order_by(EventLoad.number.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    load, sessions_from, sessions_name, feedback_from, feedback_name = row
    info = LoadInfo(
        number=load.number,
        loaded_at=load.loaded_at,
        loaded_by=load.loaded_by,
        yaml_name=load.yaml_name,
        sessions_name=sessions_name or "",
        sessions_from=sessions_from,
        feedback_name=feedback_name or "",
        feedback_from=feedback_from,
    )
    return load, info


def newest_loads(event_pks: Collection[int]) -> Select[int, int]:
    """(event, number) of each event's latest load: a subquery, for `tuple_(event_id, number).in_(...)`."""
    return (
        select(EventLoad.event_id, func.max(EventLoad.number))
        .where(EventLoad.event_id.in_(list(event_pks)))
        .group_by(EventLoad.event_id)
    )


def sessions_by_load(session: Session, load_ids: Collection[int]) -> dict[int, list[SessionRow]]:
    """The sessions each load stored, in the order of its file: one statement, however many loads."""
    found: dict[int, list[SessionRow]] = {}
    if not load_ids:
        return found
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
        .where(EventSession.load_id.in_(list(load_ids)))
        .order_by(EventSession.load_id, EventSession.line)
    )
    for load_id, sid, title, signups, attended, theme, starts, form, capacity, partner, line in rows:
        found.setdefault(load_id, []).append(
            SessionRow(sid, title, signups, attended, theme, starts, form, capacity, partner or "", line)
        )
    return found


def answer_counts_by_load(session: Session, load_ids: Collection[int]) -> dict[int, list[AnswerCount]]:
    """Each load's answers counted by session, question and answer, as stored with them: one statement."""
    found: dict[int, list[AnswerCount]] = {}
    if not load_ids:
        return found
    for load_id, where, question, answer, count in session.execute(
        select(
            EventAnswerCount.load_id,
            EventAnswerCount.session,
            EventAnswerCount.question,
            EventAnswerCount.answer,
            EventAnswerCount.count,
        ).where(EventAnswerCount.load_id.in_(list(load_ids)))
    ):
        found.setdefault(load_id, []).append(AnswerCount(where, question, answer, count))
    return found


def sessions_of(session: Session, load_id: int | None) -> tuple[SessionRow, ...]:
    """The sessions a load stored, in the order of their file."""
    if load_id is None:
        return ()
    return tuple(sessions_by_load(session, [load_id]).get(load_id, ()))


def answer_counts(session: Session, load_id: int | None) -> tuple[AnswerCount, ...]:
    """A load's answers counted by session, question and answer, as stored with them."""
    if load_id is None:
        return ()
    return tuple(answer_counts_by_load(session, [load_id]).get(load_id, ()))


def show_event(session: Session, event_id: str, framework: str | None = None) -> ShownEvent:
    """The event's current load and every measure of it: four statements, whatever its size."""
    event, framework_row = find_event(session, event_id, framework)
    definition = definition_of(event, framework_row.slug)
    latest = latest_load(session, event.id)
    load: LoadInfo | None = None
    sessions: Sequence[SessionRow] = ()
    counts: Sequence[AnswerCount] = ()
    if latest is not None:
        row, load = latest
        sessions = sessions_of(session, row.sessions_load_id)
        counts = answer_counts(session, row.answers_load_id)
    return ShownEvent(
        framework=framework_row.slug,
        framework_title=framework_row.title,
        definition=definition,
        load=load,
        measures=compute_measures(definition, sessions, counts),
    )


def list_events(
    session: Session, framework: str, after: tuple[date, str] | None = None, limit: int | None = None
) -> list[EventListing]:
    """The framework's events, earliest first (then by id), with their current figures: three statements.
    `after` (a start date and an id) and `limit` give one page of them, for the API."""
    query = (
        select(Event)
        .join(Framework, Framework.id == Event.framework_id)
        .where(Framework.slug == framework)
        .order_by(Event.starts_on, Event.slug)
    )
    if after is not None:
        starts, slug = after
        query = query.where(or_(Event.starts_on > starts, and_(Event.starts_on == starts, Event.slug > slug)))
    events = list(session.execute(query.limit(limit)).scalars())
    if not events:
        return []
    newest = newest_loads([e.id for e in events])
    loads = {
        load.event_id: load
        for load in session.scalars(
            select(EventLoad).where(tuple_(EventLoad.event_id, EventLoad.number).in_(newest))
        )
    }
    session_loads = {load.sessions_load_id for load in loads.values()} - {None}
    attended: dict[int, int | None] = {
        load_id: None if total is None else int(total)
        for load_id, total in session.execute(
            select(EventSession.load_id, func.sum(EventSession.attended))
            .where(EventSession.load_id.in_(session_loads))
            .group_by(EventSession.load_id)
        )
    }
    listed = []
    for event in events:
        load = loads.get(event.id)
        listed.append(
            EventListing(
                id=event.slug,
                title=event.title,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
                loads=load.number if load else 0,
                sessions=load.session_count if load else 0,
                attended=attended.get(load.sessions_load_id) if load and load.sessions_load_id else None,
                answers=load.answer_count if load else 0,
                loaded_at=load.loaded_at if load else None,
                unique_attendees=None
                if event.unique_attendees is None
                else UniqueAttendees(event.unique_attendees, event.unique_estimated),
            )
        )
    return listed


def framework_exists(session: Session, framework: str) -> bool:
    return session.scalar(select(Framework.id).where(Framework.slug == framework)) is not None

"""Loading an event's files (issue 19): all of them checked first, then written in one short transaction, or
nothing written at all.

`check_files` reads what it needs of the database (the framework's ids, the event's current load), then
parses; `write_checked` reads that state again and writes only if it has not changed meanwhile, so a caller
can let go of its transaction while a large file is checked (as the CSV imports do). Loading again adds a
new load and keeps every earlier one; a file not given keeps the current sessions or feedback, checked
against the new YAML and sessions first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Event, EventAnswer, EventAnswerCount, EventLoad, EventSession
from tracker.domain.event_csv import (
    decode_event_csv,
    kept_feedback_problems,
    parse_feedback,
    parse_sessions,
)
from tracker.domain.event_files import EventFile, FrameworkIds, check_framework, parse_event_bytes
from tracker.domain.events import AnswerCount, AnswerRow, EventDefinition, Question, SessionRow, tally
from tracker.domain.yaml_source import Problem
from tracker.events import kpi_feed
from tracker.events.evidence_feed import EvidenceOutcome, refresh_evidence
from tracker.events.reading import answer_counts, latest_load, sessions_of
from tracker.events.storing import answer_row, count_row, session_row, store_definition
from tracker.ratings import upkeep
from tracker.services.audit import Actor, record
from tracker.services.bulk_rows import insert_rows
from tracker.services.evidence import FrameworkContext, Refused, framework_context
from tracker.services.permissions import Principal, can_import_into

LINKABLE = ("activity", "output")


@dataclass(frozen=True)
class NamedFile:
    """A file as given: the name problems are located in, and its bytes."""

    name: str
    raw: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass(frozen=True)
class Current:
    """What the check read of the database; the write reads it again and refuses if it changed."""

    framework_id: int
    framework: str
    links: frozenset[str]
    partners: tuple[tuple[str, int], ...]  # (partner id, its database id)
    event_pk: int | None = None
    load_pk: int | None = None
    load_number: int = 0
    sessions_load_pk: int | None = None
    sessions_from: int | None = None  # the number of the load that gave the current sessions
    answers_load_pk: int | None = None
    session_count: int = 0
    answer_count: int = 0


@dataclass(frozen=True)
class CheckedEvent:
    """The files checked without writing: the values to store, or the problems (every one, located)."""

    yaml: NamedFile
    sessions_file: NamedFile | None
    feedback_file: NamedFile | None
    problems: tuple[Problem, ...]
    definition: EventDefinition | None = None
    yaml_text: str = ""
    current: Current | None = None
    sessions: tuple[SessionRow, ...] | None = None  # None: keep the current sessions
    answers: tuple[AnswerRow, ...] | None = None  # None: keep the current feedback


@dataclass(frozen=True)
class LoadOutcome:
    """What a load did, or the problems that stopped it (then nothing was written)."""

    problems: tuple[Problem, ...] = ()
    event: str = ""
    framework: str = ""
    number: int = 0
    created: bool = False
    sessions: int = 0
    answers: int = 0
    sessions_kept_from: int | None = None  # the load whose sessions stay current, when no file was given
    feedback_kept_from: int | None = None
    evidence: EvidenceOutcome | None = None  # the feedback's evidence items (None: no feedback yet)

    @property
    def ok(self) -> bool:
        return not self.problems


def _current(session: Session, ctx: FrameworkContext, event_id: str) -> Current:
    links = frozenset(s for s, e in ctx.elements.items() if e.kind in LINKABLE and e.archived_at is None)
    partners = tuple(sorted((slug, partner.id) for slug, partner in ctx.partners.items()))
    current = Current(ctx.framework.id, ctx.framework.slug, links, partners)
    event_pk = session.scalar(
        select(Event.id).where(Event.framework_id == ctx.framework.id, Event.slug == event_id)
    )
    if event_pk is None:
        return current
    latest = latest_load(session, event_pk)
    if latest is None:
        return replace(current, event_pk=event_pk)
    load, info = latest
    return replace(
        current,
        event_pk=event_pk,
        load_pk=load.id,
        load_number=load.number,
        sessions_load_pk=load.sessions_load_id,
        sessions_from=info.sessions_from,
        answers_load_pk=load.answers_load_id,
        session_count=load.session_count,
        answer_count=load.answer_count,
    )


def check_files(
    session: Session,
    p: Principal,
    yaml: NamedFile,
    sessions_file: NamedFile | None = None,
    feedback_file: NamedFile | None = None,
) -> CheckedEvent:
    """Check every file (reading, never writing); Refused if this user may not load into the framework."""
    event = parse_event_bytes(yaml.raw, yaml.name)
    ctx = framework_context(session, event.framework) if event.framework else None
    if ctx is not None and not can_import_into(p, ctx.partner_ids):
        raise Refused(f"you may not load events into the framework '{ctx.framework.slug}'")
    current: Current | None = None
    if ctx is not None:
        current = _current(session, ctx, event.draft.id if event.draft else "")
        event = check_framework(
            event, FrameworkIds(ctx.framework.slug, current.links, frozenset(ctx.partners))
        )
    else:
        event = check_framework(event, None)
    problems = list(event.problems)
    sessions, session_ids, from_file = _sessions(session, p, sessions_file, current, problems)
    answers = _feedback(event, feedback_file, session_ids, from_file, problems)
    if current is not None and feedback_file is None and event.draft is not None and current.answers_load_pk:
        problems.extend(_kept_feedback(session, event, current, sessions_file, session_ids))
    if problems:
        order = {f.name: rank for rank, f in enumerate((feedback_file, sessions_file, yaml)) if f is not None}
        ranked = sorted(problems, key=lambda x: (-order.get(x.file, 0), x.line, x.column, x.message))
        return CheckedEvent(yaml, sessions_file, feedback_file, tuple(ranked))
    # Not a single problem: the YAML was read and its framework found.
    assert event.definition is not None and current is not None
    return CheckedEvent(
        yaml,
        sessions_file,
        feedback_file,
        (),
        event.definition,
        yaml.raw.decode("utf-8-sig"),
        current,
        sessions,
        answers,
    )


def _sessions(
    session: Session,
    p: Principal,
    given: NamedFile | None,
    current: Current | None,
    problems: list[Problem],
) -> tuple[tuple[SessionRow, ...] | None, frozenset[str] | None, str]:
    """The sessions file's rows (None when not given), the session ids feedback may name, and whose."""
    if given is None:
        if current is None:  # the framework is unknown, so is the event: its sessions are not checked
            return None, None, ""
        ids = frozenset(s.id for s in sessions_of(session, current.sessions_load_pk))
        if current.sessions_load_pk is not None:
            return None, ids, f"not a session of the event's current sessions (load {current.sessions_from})"
        return None, ids, "the event has no sessions yet (give the sessions file with --sessions)"
    text, found = decode_event_csv(given.raw, given.name)
    problems.extend(found)
    if text is None:
        return None, None, ""
    partners = dict(current.partners) if current is not None else {}
    parsed = parse_sessions(text, given.name, partners.keys() if current is not None else None)
    problems.extend(parsed.problems)
    if p.role == "lead":
        own = next((slug for slug, pk in partners.items() if pk == p.partner_id), "")
        other = next((s for s in parsed.rows if s.partner and s.partner != own), None)
        if other is not None:
            raise Refused(
                f"{given.name}:{other.line}: names the partner '{other.partner}': you may load your own only"
            )
    return parsed.rows, parsed.ids, f"not a session of the sessions file {given.name}"


def _feedback(
    event: EventFile,
    given: NamedFile | None,
    session_ids: frozenset[str] | None,
    sessions_from: str,
    problems: list[Problem],
) -> tuple[AnswerRow, ...] | None:
    if given is None:
        return None
    text, found = decode_event_csv(given.raw, given.name)
    problems.extend(found)
    if text is None:
        return None
    parsed = parse_feedback(
        text,
        given.name,
        event.questions if event.draft is not None else None,
        session_ids,
        sessions_from=sessions_from,
        unchecked=event.unchecked,
    )
    problems.extend(parsed.problems)
    return parsed.rows


def _kept_feedback(
    session: Session,
    event: EventFile,
    current: Current,
    sessions_file: NamedFile | None,
    session_ids: frozenset[str] | None,
) -> list[Problem]:
    """Problems keeping the current feedback with the new YAML (and the new sessions file, if given)."""
    stored = session.scalar(select(Event.questions).where(Event.id == current.event_pk)) or []
    source = session.scalar(select(EventLoad).where(EventLoad.id == current.answers_load_pk))
    assert source is not None
    kept_from = f"the feedback kept from load {source.number} ({source.feedback_name})"
    counts = answer_counts(session, current.answers_load_pk)
    return list(
        kept_feedback_problems(
            event,
            tuple(Question.from_json(q) for q in stored),
            counts,
            session_ids if sessions_file is not None else None,
            kept_from=kept_from,
            sessions_file=sessions_file.name if sessions_file is not None else "",
        )
    )


def write_checked(session: Session, actor: Actor, p: Principal, checked: CheckedEvent) -> LoadOutcome:
    """Write checked files as a new load of the event, or nothing (their problems, or a change meanwhile)."""
    if checked.problems:
        return LoadOutcome(checked.problems)
    definition, before = checked.definition, checked.current
    assert definition is not None and before is not None
    ctx = framework_context(session, before.framework)
    if ctx is None or not can_import_into(p, ctx.partner_ids):
        raise Refused(f"you may not load events into the framework '{before.framework}'")
    if _current(session, ctx, definition.id) != before:
        message = "the framework or the event changed while the files were being checked; load them again"
        return LoadOutcome((Problem(1, 1, message, checked.yaml.name),))
    event = session.get(Event, before.event_pk) if before.event_pk is not None else None
    created = event is None
    if event is None:
        event = Event(framework_id=before.framework_id, slug=definition.id)
        session.add(event)
    store_definition(event, definition, checked.yaml_text)
    session.flush()
    load = EventLoad(
        event_id=event.id,
        number=before.load_number + 1,
        loaded_by=actor.label,
        yaml_name=checked.yaml.name,
        yaml_sha256=checked.yaml.sha256,
        yaml_text=checked.yaml_text,
        sessions_name=checked.sessions_file.name if checked.sessions_file else "",
        sessions_sha256=checked.sessions_file.sha256 if checked.sessions_file else "",
        feedback_name=checked.feedback_file.name if checked.feedback_file else "",
        feedback_sha256=checked.feedback_file.sha256 if checked.feedback_file else "",
        sessions_load_id=before.sessions_load_pk,
        answers_load_id=before.answers_load_pk,
        session_count=before.session_count if checked.sessions is None else len(checked.sessions),
        answer_count=before.answer_count if checked.answers is None else len(checked.answers),
    )
    session.add(load)
    session.flush()
    partners = dict(before.partners)
    if checked.sessions is not None:
        load.sessions_load_id = load.id
        insert_rows(session, EventSession, [session_row(load.id, s, partners) for s in checked.sessions])
    counts: Sequence[AnswerCount] | None = None
    if checked.answers is not None:
        load.answers_load_id = load.id
        insert_rows(session, EventAnswer, [answer_row(load.id, a) for a in checked.answers])
        counts = tally(definition, checked.answers)
        insert_rows(session, EventAnswerCount, [count_row(load.id, c) for c in counts])
    elif before.answers_load_pk is not None:
        counts = answer_counts(session, before.answers_load_pk)
    session.flush()
    evidence = (
        None if counts is None else refresh_evidence(session, actor, p, ctx, event.id, definition, counts)
    )
    fed = kpi_feed.fed_by(ctx.elements, definition.id)
    if fed:  # the KPIs taking their value from this event, and so their outcomes' ratings, change with it
        upkeep.inputs_changed(session, before.framework_id, fed)
    outcome = LoadOutcome(
        event=definition.id,
        framework=before.framework,
        number=load.number,
        created=created,
        sessions=load.session_count,
        answers=load.answer_count,
        sessions_kept_from=None
        if checked.sessions is not None
        else _number_of(session, before.sessions_load_pk),
        feedback_kept_from=None
        if checked.answers is not None
        else _number_of(session, before.answers_load_pk),
        evidence=evidence,
    )
    record(
        session,
        actor,
        "event.load",
        object_type="event",
        object_id=definition.id,
        framework_id=before.framework_id,
        after={
            "load": load.number,
            "title": definition.title,
            "files": [f.name for f in (checked.yaml, checked.sessions_file, checked.feedback_file) if f],
            "sessions": load.session_count,
            "answers": load.answer_count,
            "new_event": created,
        },
    )
    return outcome


def load_event(
    session: Session,
    actor: Actor,
    p: Principal,
    yaml: NamedFile,
    sessions_file: NamedFile | None = None,
    feedback_file: NamedFile | None = None,
) -> LoadOutcome:
    """Check and write in one session (tests, the demo); all or nothing."""
    return write_checked(session, actor, p, check_files(session, p, yaml, sessions_file, feedback_file))


def _number_of(session: Session, load_pk: int | None) -> int | None:
    if load_pk is None:
        return None
    return session.scalar(select(EventLoad.number).where(EventLoad.id == load_pk))

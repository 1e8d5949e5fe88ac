"""`tracker event load|show|list`: events (issue 19) from their files, all or nothing, and their measures."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.cli import cli, require_schema
from tracker.domain import formats
from tracker.domain.event_csv import MAX_CSV_BYTES
from tracker.domain.event_measures import EventMeasures
from tracker.domain.events import FORMAT_LABELS
from tracker.domain.yaml_source import MAX_BYTES as MAX_YAML_BYTES
from tracker.events import reading
from tracker.events.evidence_feed import EvidenceOutcome
from tracker.events.service import LoadOutcome, NamedFile, check_files, write_checked
from tracker.extensions import db
from tracker.services.audit import Actor
from tracker.services.evidence import Refused
from tracker.services.permissions import Principal


@cli.group("event")
def event_group() -> None:
    """Events: conferences and weeks of sessions, their sessions and feedback."""


def _read(path: Path, limit: int) -> NamedFile:
    """The file's bytes; one past `limit` at most, so the checks can say it is too large."""
    try:
        with path.open("rb") as handle:
            return NamedFile(str(path), handle.read(limit + 1))
    except FileNotFoundError:
        raise click.ClickException(f"{path}:1:1: no such file") from None
    except IsADirectoryError:
        raise click.ClickException(f"{path}:1:1: is a folder, not a file") from None
    except OSError as error:
        raise click.ClickException(f"{path}:1:1: cannot be read: {error.strerror}") from None


@event_group.command("load")
@click.argument("event_file", type=click.Path(path_type=Path))
@click.option("--sessions", "sessions_csv", type=click.Path(path_type=Path), help="The sessions CSV.")
@click.option("--feedback", "feedback_csv", type=click.Path(path_type=Path), help="The feedback CSV.")
@with_appcontext
def event_load(event_file: Path, sessions_csv: Path | None, feedback_csv: Path | None) -> None:
    """Load an event from its YAML, with its sessions and feedback: every file checked first, nothing written
    on any problem (each as FILE:LINE:COL: message). Loading again adds a load and keeps the earlier ones; a
    file not given keeps the current sessions or feedback."""
    require_schema()
    yaml = _read(event_file, MAX_YAML_BYTES)
    sessions = _read(sessions_csv, MAX_CSV_BYTES) if sessions_csv is not None else None
    feedback = _read(feedback_csv, MAX_CSV_BYTES) if feedback_csv is not None else None
    actor, principal = Actor.command_line(), Principal.command_line()
    try:
        checked = check_files(db.session, principal, yaml, sessions, feedback)
        db.session.rollback()  # checked outside the writing transaction: others keep writing meanwhile
        if checked.problems:
            outcome = LoadOutcome(checked.problems)
        else:
            with db.unit_of_work() as session:
                outcome = write_checked(session, actor, principal, checked)
    except Refused as refused:
        raise click.ClickException(str(refused)) from None
    if not outcome.ok:
        for problem in outcome.problems:
            click.echo(str(problem))
        raise click.ClickException(f"{len(outcome.problems):,} problem(s); nothing was loaded")
    what = "new event" if outcome.created else "a new load; the earlier loads are kept"
    kept = [
        f"sessions kept from load {outcome.sessions_kept_from}" if outcome.sessions_kept_from else "",
        f"feedback kept from load {outcome.feedback_kept_from}" if outcome.feedback_kept_from else "",
    ]
    click.echo(
        f"{outcome.framework}: event {outcome.event} load {outcome.number} ({what}): "
        f"{outcome.sessions:,} sessions, {outcome.answers:,} feedback answers"
        + "".join(f"; {k}" for k in kept if k)
    )
    if outcome.evidence is not None:
        click.echo(describe_evidence(outcome.evidence))


def describe_evidence(e: EvidenceOutcome) -> str:
    """What the load did to the feedback's evidence items, in one line."""
    if not e.items:
        return "evidence: no rating question has answers, so no feedback-form item"
    done = [
        f"{e.made:,} made" if e.made else "",
        f"{e.refreshed:,} refreshed" if e.refreshed else "",
        f"{e.unchanged:,} unchanged" if e.unchanged else "",
    ]
    again = (
        f"; {e.reviewed_again:,} accepted before, with other figures now: waiting for an evaluator again"
        if e.reviewed_again
        else ""
    )
    links = (
        f"linked to {', '.join(e.outputs)}"
        if e.outputs
        else "linked to nothing: the event links no output (an evaluator may link them)"
    )
    noun = "item" if e.items == 1 else "items"
    return f"evidence: {e.items:,} feedback-form {noun} ({', '.join(d for d in done if d)}), {links}{again}"


@event_group.command("show")
@click.argument("event_id")
@click.option("--framework", default=None, help="The framework's id, when two frameworks have this event id.")
@click.option("--json", "as_json", is_flag=True, help="The measures as JSON.")
@with_appcontext
def event_show(event_id: str, framework: str | None, as_json: bool) -> None:
    """An event's figures from its current load: sessions, attendance, ratings, choices, value for money."""
    require_schema()
    try:
        shown = reading.show_event(db.session, event_id, framework)
    except reading.EventNotFound as missing:
        raise click.ClickException(str(missing)) from None
    if as_json:
        click.echo(json.dumps(shown.measures.to_json(), indent=2, ensure_ascii=False))
        return
    d = shown.definition
    click.echo(f"{d.id}: {d.title} ({shown.framework}), {formats.period(d.starts_on, d.ends_on)}")
    if shown.load is None:
        click.echo("  not loaded yet")
    else:
        load = shown.load
        click.echo(
            f"  load {load.number}, {formats.long_datetime(load.loaded_at)} UTC by {load.loaded_by}"
            + (
                f"; sessions from {load.sessions_name} (load {load.sessions_from})"
                if load.sessions_from
                else ""
            )
            + (
                f"; feedback from {load.feedback_name} (load {load.feedback_from})"
                if load.feedback_from
                else ""
            )
        )
    for line in describe(shown.measures):
        click.echo(f"  {line}")


def describe(m: EventMeasures) -> list[str]:
    """The figures as lines of text."""
    lines = [f"sessions: {m.sessions:,} ({m.sold_out:,} sold out)"]
    conversion = f"; conversion {_share(m.conversion)}" if m.conversion is not None else ""
    if m.conversion is not None and m.conversion_sessions < m.sessions:
        conversion += f" (over the {_sessions(m.conversion_sessions)} giving both)"
    signed = _figure(m.signups, m.signups_given, m.sessions)
    lines.append(
        f"signed up: {signed}; attended: {_figure(m.attended, m.attended_given, m.sessions)}{conversion}"
    )
    if m.unique_attendees is not None:
        estimated = " (estimated)" if m.unique_attendees.estimated else ""
        lines.append(f"unique attendees: {m.unique_attendees.value:,}{estimated}")
    for r in m.ratings:
        mean = formats.number(r.mean) if r.mean is not None else "no answers"
        lines.append(f"rating {r.question}: {mean} out of 5 (n={r.n:,})")
    for a in m.agreement:
        lines.append(f"agreeing {a.question}: {_share(a.share)} (of {a.n:,})")
    for c in m.choices:
        shares = ", ".join(f"{option.id} {_share(share)}" for option, _count, share in c.options)
        lines.append(f"chose {c.question}: {shares} (of {c.answers:,} answers)")
    for question, n in m.comments:
        lines.append(f"comments {question}: {n:,}")
    hidden = sum(1 for s in m.per_session for r in s.ratings if r.suppressed)
    if hidden:
        lines.append(f"session means from fewer than {m.min_group_size} answers are not shown ({hidden:,})")
    per = "unique attendee" if m.basis == "unique" else "attendance"
    if m.cost_per_attendee is not None:
        lines.append(
            f"cost per attendee: {formats.money(m.cost_per_attendee.value)} (direct costs per {per})"
        )
    if m.full_cost_per_attendee is not None:
        lines.append(f"full cost per attendee: {formats.money(m.full_cost_per_attendee)} (per {per})")
    if m.full_cost_per_member is not None:
        lines.append(f"full cost per member of the population: {formats.money(m.full_cost_per_member)}")
    for position, t in enumerate(m.top_sessions, start=1):
        lines.append(f"top {position}: {t.title} ({t.attended:,} attended)")
    for g in m.by_theme:
        lines.append(f"theme {g.name or '(none)'}: {_sessions(g.sessions)}, {_attended(g.attended)}")
    for g in m.by_format:
        lines.append(f"format {FORMAT_LABELS[g.name]}: {_sessions(g.sessions)}, {_attended(g.attended)}")
    return lines


def _figure(total: int | None, given: int, sessions: int) -> str:
    """A total, saying when it is not known or only some sessions give it."""
    if total is None:
        return "not given"
    return f"{total:,}" + (f" (from {given:,} of {_sessions(sessions)})" if given < sessions else "")


def _attended(n: int | None) -> str:
    return "attendance not given" if n is None else f"{n:,} attended"


def _sessions(n: int) -> str:
    return f"{n:,} session{'' if n == 1 else 's'}"


def _share(share: float | None) -> str:
    return "none" if share is None else formats.percent(share * 100)


@event_group.command("list")
@click.option("--framework", required=True, help="The framework's id.")
@with_appcontext
def event_list(framework: str) -> None:
    """A framework's events: id, dates, sessions, attendance, feedback answers and loads."""
    require_schema()
    if not reading.framework_exists(db.session, framework):
        raise click.ClickException(f"no framework has the id '{framework}' (see `tracker framework list`)")
    events = reading.list_events(db.session, framework)
    if not events:
        click.echo(f"{framework}: no events yet: load one with `tracker event load EVENT.yaml`")
        return
    width = max(len(e.id) for e in events)
    for e in events:
        click.echo(
            f"{e.id:<{width}}  {formats.iso_date(e.starts_on)} to {formats.iso_date(e.ends_on)}  {e.title}  "
            f"({_sessions(e.sessions)}, {_attended(e.attended)}, {e.answers:,} answers; "
            f"{e.loads} load{'s' if e.loads != 1 else ''})"
        )

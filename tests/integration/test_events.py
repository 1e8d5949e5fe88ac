"""Events (issue 19) through the command and the services, on each database: load, show, list; all or
nothing; every load kept; a constant number of statements to show an event of any size."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from tracker.db.models import (
    AuditEvent,
    Event,
    EventAnswer,
    EventAnswerCount,
    EventLoad,
    EventSession,
    Partner,
)
from tracker.events import reading
from tracker.events.service import NamedFile, check_files, load_event, write_checked
from tracker.extensions import db
from tracker.services.audit import Actor
from tracker.services.evidence import Refused
from tracker.services.permissions import Principal

from ..digest import audit_since, last_audit_id, table_digests
from ..querycount import count_statements

EVENT_YAML = """\
id: week-2021
framework: tiny-partnership
title: Practice Week 2021
starts_on: 2021-03-15
ends_on: 2021-03-19
links: [act-allocation, out-days]
unique_attendees: {value: 150, estimated: true}
population: {name: practice educators, size: 400}
costs: {direct: 495, staff_hours: 40, full: 3571.5}
min_group_size: 3
questions:
  - {id: useful, text: How useful you found the session, kind: rating}
  - {id: learned, text: I learned something new, kind: agree}
  - {id: reasons, text: "Why did you come?", kind: choose_any,
     options: [{id: cpd, text: CPD}, {id: speaker, text: A speaker}]}
  - {id: comments, text: "Anything else?", kind: free_text}
"""
SESSIONS = """\
session,title,theme,starts_at,format,capacity,signups,attended,partner
keynote,Keynote,Practice,2021-03-15 09:30,online,100,120,90,tiny-council
panel,Panel,Practice,2021-03-16 14:00,hybrid,50,40,30,other-council
walk,Reflective walk,Wellbeing,,in_person,,20,12,
"""
FEEDBACK = """\
session,question,answer,respondent
keynote,useful,5,r1
keynote,useful,4,r2
keynote,useful,5,r3
panel,useful,3,r4
keynote,learned,Agree,r1
keynote,learned,Somewhat disagree,r2
keynote,reasons,cpd;speaker,r1
panel,reasons,cpd,r4
,comments,"Loved it,
thank you",r1
"""
EXPECTED_JSON = {
    "event": "week-2021",
    "title": "Practice Week 2021",
    "sessions": 3,
    "sold_out": 1,
    "signups": 180,
    "attended": 132,
    "conversion": 0.7333,
    "unique_attendees": {"value": 150, "estimated": True},
    "ratings": {"useful": {"mean": 4.25, "n": 4}},
    "choices": {"reasons": {"cpd": 1.0, "speaker": 0.5}},
    "cost_per_attendee": {"value": 3.3, "basis": "unique"},
    "full_cost_per_attendee": 23.81,
    "full_cost_per_member": 8.93,
    "top_sessions": [
        {"title": "Keynote", "attended": 90},
        {"title": "Panel", "attended": 30},
        {"title": "Reflective walk", "attended": 12},
    ],
    "by_theme": {"Practice": {"sessions": 2, "attended": 120}, "Wellbeing": {"sessions": 1, "attended": 12}},
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    written = {}
    for name, text in (("event.yaml", EVENT_YAML), ("sessions.csv", SESSIONS), ("feedback.csv", FEEDBACK)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written


def load_all(runner: FlaskCliRunner, files: dict[str, Path]) -> Any:
    return runner.invoke(
        args=[
            "event",
            "load",
            str(files["event.yaml"]),
            "--sessions",
            str(files["sessions.csv"]),
            "--feedback",
            str(files["feedback.csv"]),
        ]
    )


def show_json(runner: FlaskCliRunner, *args: str) -> Any:
    result = runner.invoke(args=["event", "show", "week-2021", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_load_then_show_json_round_trip(
    app: Flask, runner: FlaskCliRunner, framework: str, files: dict[str, Path]
) -> None:
    before = last_audit_id(app)
    loaded = load_all(runner, files)
    assert loaded.exit_code == 0, loaded.output
    assert loaded.output.splitlines() == [
        "tiny-partnership: event week-2021 load 1 (new event): 3 sessions, 9 feedback answers",
        "evidence: 1 feedback-form item (1 made), linked to out-days",
    ]
    assert show_json(runner) == EXPECTED_JSON
    assert audit_since(app, before) == [("evidence.create", "evidence", ""), ("event.load", "event", "")]
    with app.app_context():
        stored = {(a.question, a.answer, a.line) for a in db.session.scalars(select(EventAnswer))}
        counted = {
            (c.session, c.question, c.answer, c.count) for c in db.session.scalars(select(EventAnswerCount))
        }
    assert ("comments", "Loved it,\nthank you", 10) in stored  # on the line it starts
    assert ("reasons", "cpd;speaker", 8) in stored
    assert {("keynote", "useful", "5", 2), ("", "comments", "", 1)} <= counted

    text = runner.invoke(args=["event", "show", "week-2021"])
    assert text.exit_code == 0
    assert "sessions: 3 (1 sold out)" in text.output
    assert "signed up: 180; attended: 132; conversion 73.33%" in text.output
    assert "cost per attendee: £3.30 (direct costs per unique attendee)" in text.output
    listing = runner.invoke(args=["event", "list", "--framework", framework])
    assert listing.exit_code == 0
    assert listing.output.strip() == (
        "week-2021  2021-03-15 to 2021-03-19  Practice Week 2021  (3 sessions, 132 attended, 9 answers; 1 load)"
    )


def test_signups_and_attendance_not_given_are_stored_as_null_and_shown_as_unknown(
    app: Flask, runner: FlaskCliRunner, framework: str, files: dict[str, Path]
) -> None:
    files["sessions.csv"].write_text(
        "session,title,theme,starts_at,format,capacity,signups,attended,partner\n"
        "keynote,Keynote,Practice,,online,100,,90,\n"
        "walk,Reflective walk,Wellbeing,,in_person,,,,\n",
        encoding="utf-8",
    )
    loaded = runner.invoke(
        args=["event", "load", str(files["event.yaml"]), "--sessions", str(files["sessions.csv"])]
    )
    assert loaded.exit_code == 0, loaded.output
    with app.app_context():
        stored = {(s.slug, s.signups, s.attended) for s in db.session.scalars(select(EventSession))}
    assert stored == {("keynote", None, 90), ("walk", None, None)}
    shown = show_json(runner)
    assert (
        shown["sessions"],
        shown["sold_out"],
        shown["signups"],
        shown["attended"],
        shown["conversion"],
    ) == (
        2,
        0,
        None,
        90,
        None,
    )
    assert shown["top_sessions"] == [{"title": "Keynote", "attended": 90}]
    assert shown["by_theme"] == {
        "Practice": {"sessions": 1, "attended": 90},
        "Wellbeing": {"sessions": 1, "attended": None},
    }
    assert list(shown) == list(EXPECTED_JSON)  # the contract's shape, null where unknown
    text = runner.invoke(args=["event", "show", "week-2021"]).output
    assert "signed up: not given; attended: 90 (from 1 of 2 sessions)" in text
    assert "theme Wellbeing: 1 session, attendance not given" in text
    listing = runner.invoke(args=["event", "list", "--framework", framework]).output
    assert "(2 sessions, 90 attended, 0 answers; 1 load)" in listing
    files["sessions.csv"].write_text(
        "session,title\nwalk,Reflective walk\n",
        encoding="utf-8",
    )
    assert (
        runner.invoke(
            args=["event", "load", str(files["event.yaml"]), "--sessions", str(files["sessions.csv"])]
        ).exit_code
        == 0
    )
    assert show_json(runner)["attended"] is None
    listing = runner.invoke(args=["event", "list", "--framework", framework]).output
    assert "(1 session, attendance not given, 0 answers; 2 loads)" in listing


def test_a_file_with_bad_rows_is_refused_whole(
    app: Flask, runner: FlaskCliRunner, framework: str, files: dict[str, Path]
) -> None:
    assert load_all(runner, files).exit_code == 0
    digests = table_digests(app)
    files["sessions.csv"].write_text(
        SESSIONS + "keynote,Again,,,online,,5,5,\nnew,New,,,online,,-3,1,\n", encoding="utf-8"
    )
    files["feedback.csv"].write_text(
        FEEDBACK + "nowhere,useful,4,\nkeynote,useful,6,\nkeynote,quality,4,\n", encoding="utf-8"
    )
    result = load_all(runner, files)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    sessions, feedback = files["sessions.csv"], files["feedback.csv"]
    assert result.stdout.splitlines() == [
        f"{sessions}:5:1: session: duplicate session id 'keynote' (first on line 2)",
        f"{sessions}:6:7: signups: must not be negative, found -3",
        f"{feedback}:12:1: session: unknown session 'nowhere': not a session of the sessions file {sessions}",
        f"{feedback}:13:3: answer: '6' is not a rating of 'useful': give a whole number from 1 to 5",
        f"{feedback}:14:2: question: unknown question 'quality' (the event's questions: useful, learned, reasons, "
        "comments)",
    ]
    assert "5 problem(s); nothing was loaded" in result.output
    assert table_digests(app) == digests


def test_bad_yaml_unknown_framework_and_missing_files_are_one_line_each(
    app: Flask, runner: FlaskCliRunner, framework: str, files: dict[str, Path]
) -> None:
    digests = table_digests(app)
    yaml = files["event.yaml"]
    yaml.write_text(EVENT_YAML.replace("tiny-partnership", "no-such-framework"), encoding="utf-8")
    result = runner.invoke(args=["event", "load", str(yaml)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{yaml}:2:12: framework: no framework has the id 'no-such-framework' (load it first: tracker framework load)"
    ]
    yaml.write_text(
        EVENT_YAML.replace("links: [act-allocation, out-days]", "links: [more-statutory]"), encoding="utf-8"
    )
    result = runner.invoke(args=["event", "load", str(yaml)])
    assert result.stdout.splitlines() == [
        f"{yaml}:6:9: links[0]: unknown link 'more-statutory': the framework 'tiny-partnership' has no activity or "
        "output with this id"
    ]
    missing = runner.invoke(args=["event", "load", str(yaml.parent / "nope.yaml")])
    assert missing.exit_code == 1 and f"{yaml.parent / 'nope.yaml'}:1:1: no such file" in missing.output
    assert table_digests(app) == digests
    unknown = runner.invoke(args=["event", "show", "week-2021"])
    assert unknown.exit_code == 1
    assert "no event has the id 'week-2021'" in unknown.output and "Traceback" not in unknown.output


def test_reloading_keeps_every_load_and_changes_the_measures(
    app: Flask, runner: FlaskCliRunner, framework: str, files: dict[str, Path]
) -> None:
    assert load_all(runner, files).exit_code == 0
    first = show_json(runner)
    files["sessions.csv"].write_text(
        SESSIONS.replace(
            "keynote,Keynote,Practice,2021-03-15 09:30,online,100,120,90",
            "keynote,Keynote,Practice,2021-03-15 09:30,online,100,120,110",
        ),
        encoding="utf-8",
    )
    again = runner.invoke(
        args=["event", "load", str(files["event.yaml"]), "--sessions", str(files["sessions.csv"])]
    )
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [
        "tiny-partnership: event week-2021 load 2 (a new load; the earlier loads are kept): 3 sessions, "
        "9 feedback answers; feedback kept from load 1",
        "evidence: 1 feedback-form item (1 unchanged), linked to out-days",
    ]
    second = show_json(runner)
    assert (first["attended"], second["attended"]) == (132, 152)
    assert second["top_sessions"][0] == {"title": "Keynote", "attended": 110}
    assert second["ratings"] == first["ratings"]  # the feedback was kept
    # The YAML alone: a new load that keeps both; the costs now change the value for money.
    files["event.yaml"].write_text(EVENT_YAML.replace("direct: 495", "direct: 600"), encoding="utf-8")
    assert runner.invoke(args=["event", "load", str(files["event.yaml"])]).exit_code == 0
    assert show_json(runner)["cost_per_attendee"] == {"value": 4.0, "basis": "unique"}
    assert (count(app, Event), count(app, EventLoad), count(app, EventSession), count(app, EventAnswer)) == (
        1,
        3,
        6,
        9,
    )
    with app.app_context():
        loads = list(db.session.scalars(select(EventLoad).order_by(EventLoad.number)))
        assert [(load.number, load.sessions_load_id, load.answers_load_id) for load in loads] == [
            (1, loads[0].id, loads[0].id),
            (2, loads[1].id, loads[0].id),
            (3, loads[1].id, loads[0].id),
        ]
        assert loads[0].yaml_text == EVENT_YAML and "direct: 600" in loads[2].yaml_text
        assert len(loads[1].sessions_sha256) == 64 and loads[2].sessions_sha256 == ""
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "event.load")) == 3
    shown = runner.invoke(args=["event", "show", "week-2021"])
    assert "load 3, " in shown.output and "sessions from " in shown.output and "(load 2)" in shown.output


def test_feedback_alone_is_checked_against_the_current_sessions(
    app: Flask, runner: FlaskCliRunner, framework: str, files: dict[str, Path]
) -> None:
    assert load_all(runner, files).exit_code == 0
    files["feedback.csv"].write_text(FEEDBACK + "gone,useful,4,\n", encoding="utf-8")
    refused = runner.invoke(
        args=["event", "load", str(files["event.yaml"]), "--feedback", str(files["feedback.csv"])]
    )
    assert refused.exit_code == 1
    assert refused.stdout.splitlines() == [
        f"{files['feedback.csv']}:12:1: session: unknown session 'gone': not a session of the event's current "
        "sessions (load 1)"
    ]
    files["feedback.csv"].write_text(FEEDBACK + "walk,useful,1,\n", encoding="utf-8")
    ok = runner.invoke(
        args=["event", "load", str(files["event.yaml"]), "--feedback", str(files["feedback.csv"])]
    )
    assert ok.exit_code == 0 and "sessions kept from load 1" in ok.output
    assert show_json(runner)["ratings"] == {"useful": {"mean": 3.6, "n": 5}}


def test_kept_feedback_that_no_longer_fits_refuses_the_load(
    app: Flask, runner: FlaskCliRunner, framework: str, files: dict[str, Path]
) -> None:
    assert load_all(runner, files).exit_code == 0
    digests = table_digests(app)
    files["sessions.csv"].write_text(SESSIONS.replace("panel,Panel", "panel-2,Panel"), encoding="utf-8")
    files["event.yaml"].write_text(
        EVENT_YAML.replace("{id: speaker, text: A speaker}", "{id: talk, text: A talk}"), encoding="utf-8"
    )
    result = runner.invoke(
        args=["event", "load", str(files["event.yaml"]), "--sessions", str(files["sessions.csv"])]
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{files['event.yaml']}:14:5: questions: the feedback kept from load 1 (")
    assert "'speaker' is not an option of 'reasons'" in lines[0] and lines[0].endswith("(1 answer)")
    assert lines[1].startswith(f"{files['sessions.csv']}:1:1: the feedback kept from load 1 (")
    assert "names the session 'panel'" in lines[1] and lines[1].endswith("(2 answers)")
    assert table_digests(app) == digests


def test_an_event_id_is_unique_per_framework_and_show_asks_which(
    app: Flask,
    runner: FlaskCliRunner,
    framework: str,
    load_framework: Any,
    tiny_yaml: str,
    files: dict[str, Path],
) -> None:
    load_framework(tiny_yaml.replace("id: tiny-partnership", "id: twin-partnership"))
    assert load_all(runner, files).exit_code == 0
    files["event.yaml"].write_text(
        EVENT_YAML.replace("framework: tiny-partnership", "framework: twin-partnership").replace(
            "title: Practice Week 2021", "title: Twin week"
        ),
        encoding="utf-8",
    )
    assert runner.invoke(args=["event", "load", str(files["event.yaml"])]).exit_code == 0
    ambiguous = runner.invoke(args=["event", "show", "week-2021"])
    assert ambiguous.exit_code == 1
    assert (
        "the frameworks tiny-partnership, twin-partnership each have an event 'week-2021': choose one with --framework"
        in ambiguous.output
    )
    assert show_json(runner, "--framework", "twin-partnership")["title"] == "Twin week"
    assert show_json(runner, "--framework", "tiny-partnership")["title"] == "Practice Week 2021"
    assert count(app, Event) == 2


def test_a_lead_may_load_for_their_own_partner_only(app: Flask, framework: str, make_user: Any) -> None:
    yaml = NamedFile("event.yaml", EVENT_YAML.encode())
    sessions = NamedFile("sessions.csv", SESSIONS.encode())
    with app.app_context():
        partners = {p.slug: p.id for p in db.session.scalars(select(Partner))}
        lead = Principal(None, "lead@example.org", "lead", partners["tiny-council"])
        with pytest.raises(Refused, match=r"sessions\.csv:3: names the partner 'other-council'"):
            load_event(db.session, Actor("lead"), lead, yaml, sessions)
        db.session.rollback()
        outsider = Principal(None, "board@example.org", "board", None)
        with pytest.raises(Refused, match="you may not load events into the framework 'tiny-partnership'"):
            load_event(db.session, Actor("board"), outsider, yaml)
        db.session.rollback()
        own = NamedFile("sessions.csv", SESSIONS.replace("other-council", "tiny-council").encode())
        assert load_event(db.session, Actor("lead"), lead, yaml, own).ok
        db.session.commit()
    assert count(app, EventSession) == 3


def _event_files(sessions: int, answers_per_session: int) -> tuple[NamedFile, NamedFile, NamedFile]:
    rows = "".join(
        f"s{i},Session {i},Theme {i % 7},2021-03-15 10:00,online,{100 + i},{90 + i % 20},{40 + i % 50},\n"
        for i in range(sessions)
    )
    answers = "".join(
        f"s{i},useful,{1 + (i + j) % 5},r{j}\ns{i},reasons,{'cpd' if j % 2 else 'cpd;speaker'},r{j}\n"
        for i in range(sessions)
        for j in range(answers_per_session)
    )
    return (
        NamedFile("event.yaml", EVENT_YAML.encode()),
        NamedFile("sessions.csv", (SESSIONS.splitlines()[0] + "\n" + rows).encode()),
        NamedFile("feedback.csv", (FEEDBACK.splitlines()[0] + "\n" + answers).encode()),
    )


def test_showing_an_event_takes_the_same_statements_whatever_its_size(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str
) -> None:
    load_framework(tiny_yaml.replace("id: tiny-partnership", "id: big-partnership"))
    small = _event_files(5, 4)
    big = _event_files(500, 20)
    big = (
        NamedFile("event.yaml", EVENT_YAML.replace("tiny-partnership", "big-partnership").encode()),
        *big[1:],
    )
    statements = []
    with app.app_context():
        for yaml, sessions, feedback in (small, big):
            assert load_event(
                db.session, Actor.command_line(), Principal.command_line(), yaml, sessions, feedback
            ).ok
            db.session.commit()
        for framework_id in ("tiny-partnership", "big-partnership"):
            db.session.close()
            with count_statements(db.engine) as counter:
                shown = reading.show_event(db.session, "week-2021", framework_id)
            statements.append(counter.count)
            if framework_id == "big-partnership":
                assert (shown.measures.sessions, shown.measures.rating("useful").n) == (500, 10_000)  # type: ignore[union-attr]
    assert statements[0] == statements[1] == 4, statements


def test_feedback_naming_sessions_before_any_sessions_were_loaded(
    app: Flask, runner: FlaskCliRunner, framework: str, files: dict[str, Path]
) -> None:
    result = runner.invoke(
        args=["event", "load", str(files["event.yaml"]), "--feedback", str(files["feedback.csv"])]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{files['feedback.csv']}:2:1: session: unknown session 'keynote': the event has no sessions yet "
        "(give the sessions file with --sessions)"
    )
    assert count(app, Event) == 0


def test_a_change_between_the_check_and_the_write_writes_nothing(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str
) -> None:
    yaml = NamedFile("event.yaml", EVENT_YAML.encode())
    with app.app_context():
        checked = check_files(db.session, Principal.command_line(), yaml)
        db.session.rollback()
    assert checked.problems == ()
    # Meanwhile a new version of the framework archives the output the event links to.
    load_framework(
        tiny_yaml.replace("version: 1", "version: 2").replace(
            "      - {id: out-days, text: Four allocation days a year, quadrant: effort-quantity}\n", ""
        )
    )
    digests = table_digests(app)
    with app.app_context():
        outcome = write_checked(db.session, Actor.command_line(), Principal.command_line(), checked)
        db.session.rollback()
    assert [str(p) for p in outcome.problems] == [
        "event.yaml:1:1: the framework or the event changed while the files were being checked; load them again"
    ]
    assert table_digests(app) == digests

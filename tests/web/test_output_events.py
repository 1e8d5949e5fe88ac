"""Outputs linked to an event show its How-much counts on the framework page (issue 19): sessions, sign-ups,
attended and unique attendees, with the event's title; a figure not published says so, never 0."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tracker.events.service import NamedFile, load_event
from tracker.extensions import db
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..conftest import sign_in
from ..page import Page, attr, text_of
from ..querycount import count_statements

EVENT_YAML = """\
id: {id}
framework: tiny-partnership
title: {title}
starts_on: {day}
ends_on: {day}
links: [act-allocation, out-days]
{more}"""
SESSIONS = """\
session,title,theme,starts_at,format,capacity,signups,attended,partner
keynote,Keynote,Practice,,online,100,120,90,
panel,Panel,Practice,,hybrid,50,40,30,
"""


def load(app: Flask, event_id: str, title: str, day: str, sessions: str, more: str = "") -> None:
    yaml = EVENT_YAML.format(id=event_id, title=title, day=day, more=more)
    with app.app_context(), db.unit_of_work() as session:
        outcome = load_event(
            session,
            Actor("test"),
            Principal.command_line(),
            NamedFile("event.yaml", yaml.encode()),
            NamedFile("sessions.csv", sessions.encode()),
        )
        assert outcome.ok, [str(p) for p in outcome.problems]


def board(app: Flask, make_user: Any) -> FlaskClient:
    client = app.test_client()
    sign_in(client, make_user("board"))
    return client


def test_an_output_linked_to_events_shows_their_counts(app: Flask, framework: str, make_user: Any) -> None:
    load(
        app,
        "week-2023",
        "Practice Week 2023",
        "2023-03-13",
        SESSIONS,
        "unique_attendees: {value: 100, estimated: true}\n",
    )
    load(
        app,
        "launch",
        "Partnership launch",
        "2022-09-10",
        "session,title,attended\nlaunch,Launch event,\n",  # neither sign-ups nor attendance published
    )
    page = Page.of(board(app, make_user).get("/f/tiny-partnership/"), 200)
    output = page.by_id("out-days")
    assert [(attr(p, "data-event"), text_of(p)) for p in output.select(".output-event")] == [
        (
            "launch",
            "How much, from the event Partnership launch: 1 session; sign-ups not published; attendance not "
            "published; unique attendees not given",
        ),
        (
            "week-2023",
            "How much, from the event Practice Week 2023: 2 sessions; 160 signed up; 120 attended; 100 unique "
            "attendees (estimated)",
        ),
    ]
    assert [(text_of(a), attr(a, "href")) for a in output.select(".output-event a")] == [
        ("Partnership launch", "/f/tiny-partnership/events/launch"),
        ("Practice Week 2023", "/f/tiny-partnership/events/week-2023"),
    ]


def test_outputs_without_events_show_nothing_more(app: Flask, framework: str, make_user: Any) -> None:
    page = Page.of(board(app, make_user).get("/f/tiny-partnership/"), 200)
    assert page.all(".output-event") == []
    assert text_of(page.by_id("out-days")) == "Output Four allocation days a year"


def test_the_page_reads_the_events_in_the_same_statements_however_many(
    app: Flask, framework: str, make_user: Any
) -> None:
    client = board(app, make_user)
    load(app, "week-2023", "Practice Week 2023", "2023-03-13", SESSIONS)
    client.get("/f/tiny-partnership/")
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as one:
        assert client.get("/f/tiny-partnership/").status_code == 200
    for n in range(3):
        load(app, f"week-{n}", f"Week {n}", f"2023-0{n + 4}-01", SESSIONS + f"extra{n},Extra,,,,,,5,\n")
    with count_statements(engine) as four:
        assert client.get("/f/tiny-partnership/").status_code == 200
    assert len(Page(client.get("/f/tiny-partnership/").get_data(as_text=True)).all(".output-event")) == 4
    assert four.count == one.count, (one.statements, four.statements)

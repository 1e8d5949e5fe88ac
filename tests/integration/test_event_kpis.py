"""KPIs that take their value from an event (issue 19) on each database: the value of the event's current load,
seen alike by the ratings, `tracker kpis --json`, the KPI page and the report; never typed twice; and a
reload of the event changes the KPI's value and its outcome's stored rating."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from tracker.db.models import Element, RatingSnapshot
from tracker.domain.evidence_input import KpiValueFields
from tracker.events import kpi_feed
from tracker.events.service import NamedFile, load_event
from tracker.extensions import db
from tracker.ratings import ratings_for, snapshots
from tracker.services import kpi_values
from tracker.services.audit import Actor
from tracker.services.evidence import Refused, framework_context
from tracker.services.permissions import Principal

from ..digest import table_digests
from ..querycount import count_statements

REPO = Path(__file__).resolve().parents[2]
SLUG = "tiny-partnership"

SOURCED_KPIS = """\
      - id: week-attendance
        name: People attending the practice week
        unit: count
        direction: higher_is_better
        target: {value: 100}
        source: {event: week-2023, measure: attended}
      - id: week-conversion
        name: Sign-ups who attended the practice week
        unit: percent
        direction: higher_is_better
        source: {event: week-2023, measure: conversion}
      - id: week-useful
        name: How useful the practice week's sessions were
        unit: score
        direction: higher_is_better
        source: {event: week-2023, measure: "mean:useful"}
"""
EVENT_YAML = """\
id: week-2023
framework: tiny-partnership
title: Practice Week 2023
starts_on: 2023-03-13
ends_on: 2023-03-17
links: [act-allocation, out-days]
questions:
  - {id: useful, text: How useful you found the session, kind: rating}
"""
SESSIONS = """\
session,title,theme,starts_at,format,capacity,signups,attended,partner
keynote,Keynote,Practice,2023-03-13 09:30,online,100,120,90,
panel,Panel,Practice,2023-03-14 14:00,hybrid,50,40,30,
walk,Reflective walk,Wellbeing,,in_person,,20,12,
"""
FEEDBACK = """\
session,question,answer,respondent
keynote,useful,5,r1
keynote,useful,4,r2
keynote,useful,5,r3
panel,useful,3,r4
"""


TYPED = KpiValueFields(
    kpi="week-attendance", period="2022/23", period_end=date(2023, 3, 31), value=500.0, partner="", note=""
)
REFUSAL = (
    "the KPI 'week-attendance' takes its value from the event 'week-2023' (its measure 'attended'), so it "
    "is not typed: load the event's files to change it"
)


def framework_yaml(tiny_yaml: str) -> str:
    """The tiny framework with three KPIs sourced from the event; one outcome is judged on attendance."""
    text = tiny_yaml.replace(
        "{id: educators-supported, text: Practice educators feel supported, quadrant: effect-quality, "
        "term: short}",
        "{id: educators-supported, text: Practice educators feel supported, quadrant: effect-quality, "
        "term: short, kpis: [week-attendance]}",
    )
    assert text != tiny_yaml
    return text + SOURCED_KPIS


@pytest.fixture
def sourced(load_framework: Any, tiny_yaml: str) -> str:
    load_framework(framework_yaml(tiny_yaml))
    return SLUG


def load(app: Flask, sessions: str = SESSIONS, feedback: str | None = FEEDBACK) -> None:
    with app.app_context(), db.unit_of_work() as session:
        outcome = load_event(
            session,
            Actor.command_line(),
            Principal.command_line(),
            NamedFile("event.yaml", EVENT_YAML.encode()),
            NamedFile("sessions.csv", sessions.encode()),
            NamedFile("feedback.csv", feedback.encode()) if feedback is not None else None,
        )
        assert outcome.ok, [str(p) for p in outcome.problems]


def kpis_json(runner: FlaskCliRunner) -> dict[str, Any]:
    result = runner.invoke(args=["kpis", "--framework", SLUG, "--json"])
    assert result.exit_code == 0, result.output
    return {k["kpi"]: k for k in json.loads(result.output)}


def stored_rating(app: Flask, outcome: str) -> str:
    with app.app_context():
        rating = db.session.scalar(
            select(RatingSnapshot.rating)
            .join(Element, Element.id == RatingSnapshot.element_id)
            .where(Element.slug == outcome)
        )
        assert rating is not None
        return rating


def live_rating(app: Flask, outcome: str) -> str:
    with app.app_context():
        rated = ratings_for(db.session, SLUG, detail=True)
        assert rated is not None
        return next(r.rating for r in rated.ratings if r.outcome_id == outcome)


def test_a_kpi_sourced_from_an_event_not_loaded_yet_has_no_value(
    app: Flask, runner: FlaskCliRunner, sourced: str
) -> None:
    found = kpis_json(runner)
    assert [found[k]["latest"] for k in ("week-attendance", "week-conversion", "week-useful")] == [None] * 3
    assert found["week-attendance"]["status"] == "no_data"


def test_the_kpi_takes_the_events_current_load_and_the_outcomes_rating_follows_a_reload(
    app: Flask, runner: FlaskCliRunner, sourced: str
) -> None:
    assert (
        stored_rating(app, "educators-supported") == live_rating(app, "educators-supported") == "insufficient"
    )
    load(app)
    found = kpis_json(runner)
    assert found["week-attendance"]["latest"] == {"period": "Practice Week 2023", "value": 132}
    assert found["week-attendance"]["status"] == "met"
    assert found["week-conversion"]["latest"] == {"period": "Practice Week 2023", "value": 73.33}
    assert found["week-useful"]["latest"] == {"period": "Practice Week 2023", "value": 4.25}
    # The load re-rated the outcome judged on the KPI, in its own transaction: the stored rating is the live one.
    assert stored_rating(app, "educators-supported") == live_rating(app, "educators-supported") == "some"
    # Loaded again with other sessions (the feedback kept): the value and the rating change with them.
    load(app, SESSIONS.replace(",90,", ",9,").replace(",30,", ",3,"), feedback=None)
    found = kpis_json(runner)
    assert found["week-attendance"]["latest"] == {"period": "Practice Week 2023", "value": 24}
    assert found["week-attendance"]["status"] == "missed"
    assert found["week-conversion"]["latest"] == {"period": "Practice Week 2023", "value": 13.33}
    assert found["week-useful"]["latest"]["value"] == 4.25
    assert stored_rating(app, "educators-supported") == live_rating(app, "educators-supported") == "none"


def test_the_value_counts_from_the_day_the_event_ended(
    app: Flask, runner: FlaskCliRunner, sourced: str
) -> None:
    load(app)
    before = runner.invoke(args=["kpis", "--framework", SLUG, "--json", "--as-of", "2023-03-16"])
    assert {k["kpi"]: k["latest"] for k in json.loads(before.output)}["week-attendance"] is None
    on = runner.invoke(args=["kpis", "--framework", SLUG, "--json", "--as-of", "2023-03-17"])
    assert {k["kpi"]: k["latest"] for k in json.loads(on.output)}["week-attendance"]["value"] == 132


def test_the_report_reads_the_same_value(app: Flask, sourced: str) -> None:
    load(app)
    with app.app_context():
        rated = ratings_for(db.session, SLUG, for_report=True)
        assert rated is not None
        latest = {k.kpi_id: k.latest for k in rated.kpis}
    assert latest["week-attendance"] == ("Practice Week 2023", 132.0)
    assert latest["week-useful"] == ("Practice Week 2023", 4.25)


def test_values_typed_before_the_kpi_took_its_value_from_the_event_are_not_read(
    app: Flask, runner: FlaskCliRunner, load_framework: Any, tiny_yaml: str
) -> None:
    typed = framework_yaml(tiny_yaml).replace("        source: {event: week-2023, measure: attended}\n", "")
    load_framework(typed)
    with app.app_context(), db.unit_of_work() as session:
        ctx = framework_context(session, SLUG)
        assert ctx is not None
        kpi_values.save(session, Actor("test"), Principal.command_line(), ctx, TYPED)
    assert kpis_json(runner)["week-attendance"]["latest"] == {"period": "2022/23", "value": 500}
    load_framework(framework_yaml(tiny_yaml).replace("version: 1", "version: 2"))
    assert kpis_json(runner)["week-attendance"]["latest"] is None  # the event is not loaded yet
    load(app)
    assert kpis_json(runner)["week-attendance"]["latest"] == {"period": "Practice Week 2023", "value": 132}


def test_a_value_typed_for_a_sourced_kpi_is_refused_and_nothing_is_written(
    app: Flask, runner: FlaskCliRunner, sourced: str, tmp_path: Path
) -> None:
    load(app)
    digests = table_digests(app)
    with app.app_context():
        ctx = framework_context(db.session, SLUG)
        assert ctx is not None
        with pytest.raises(Refused, match=re.escape(REFUSAL)):
            kpi_values.save(db.session, Actor("test"), Principal.command_line(), ctx, TYPED)
        db.session.rollback()
    csv = tmp_path / "kpis.csv"
    csv.write_text(
        "kpi,period,period_end,value,partner,note\n"
        "statutory-share,2022/23,2023-03-31,80,,\n"
        "week-attendance,2022/23,2023-03-31,500,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["kpi", "import", str(csv), "--framework", SLUG])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"{csv}:3: {REFUSAL}"
    assert table_digests(app) == digests


def test_sourced_values_are_read_in_a_fixed_number_of_statements(app: Flask, sourced: str) -> None:
    load(app)
    with app.app_context():
        ctx = framework_context(db.session, SLUG)
        assert ctx is not None
        head = snapshots.head(db.session, SLUG)
        assert head is not None
        kpis = kpi_feed.sourced_kpis(head.framework)
        framework_id = ctx.framework.id
        db.session.rollback()
        with count_statements(db.engine) as counter:
            values = kpi_feed.sourced_values(db.session, framework_id, kpis)
        assert counter.count == 4  # events, their latest loads, sessions, answer counts
        assert {k: v.value for k, v in values.items()} == {
            "week-attendance": 132.0,
            "week-conversion": 73.33,
            "week-useful": 4.25,
        }
        with count_statements(db.engine) as counter:
            kpi_feed.sourced_values(db.session, framework_id, kpis[:1])
        assert counter.count == 3  # no mean asked for: the answers are not read

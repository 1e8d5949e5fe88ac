"""Evidence from an event's feedback (issue 19) on each database: each load with feedback makes, or refreshes in
place, one submitted feedback-form item per rating question, through the evidence service (audit, history,
rating upkeep); an accepted item whose figures change waits for an evaluator again; nothing is deleted and
nothing a person added to an item is lost."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from tracker.db.models import AuditEvent, Element, EventEvidence, Evidence, EvidenceLink
from tracker.domain.evidence_input import EvidenceFields
from tracker.events.service import LoadOutcome, NamedFile, load_event
from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..digest import audit_since, last_audit_id

EVENT_YAML = """\
id: week-2023
framework: tiny-partnership
title: Practice Week 2023
starts_on: 2023-03-13
ends_on: 2023-03-17
links: [act-allocation, out-days]
questions:
  - {id: useful, text: How useful you found the session, kind: rating}
  - {id: quality, text: The quality of the content, kind: rating}
  - {id: unasked, text: Nobody answered this, kind: rating}
  - {id: learned, text: I learned something new, kind: agree}
"""
SESSIONS = """\
session,title,theme,starts_at,format,capacity,signups,attended,partner
keynote,Keynote,Practice,,online,100,120,90,
panel,Panel,Practice,,hybrid,50,40,30,
"""
FEEDBACK = """\
session,question,answer,respondent
keynote,useful,5,r1
keynote,useful,4,r2
panel,useful,3,r3
keynote,quality,2,r1
panel,quality,3,r3
keynote,learned,Agree,r1
"""
ADMIN = Actor("Ada Admin")


def load(
    app: Flask, yaml: str = EVENT_YAML, feedback: str | None = FEEDBACK, sessions: str | None = SESSIONS
) -> LoadOutcome:
    with app.app_context(), db.unit_of_work() as session:
        outcome = load_event(
            session,
            ADMIN,
            Principal.command_line(),
            NamedFile("event.yaml", yaml.encode()),
            NamedFile("sessions.csv", sessions.encode()) if sessions is not None else None,
            NamedFile("feedback.csv", feedback.encode()) if feedback is not None else None,
        )
        assert outcome.ok, [str(p) for p in outcome.problems]
        return outcome


def items(app: Flask) -> dict[str, dict[str, Any]]:
    """The feedback items by question: their stored values and links."""
    with app.app_context():
        found = {}
        for question, e in db.session.execute(
            select(EventEvidence.question, Evidence).join(Evidence, Evidence.id == EventEvidence.evidence_id)
        ):
            links = sorted(
                db.session.scalars(
                    select(Element.slug)
                    .join(EvidenceLink, EvidenceLink.element_id == Element.id)
                    .where(EvidenceLink.evidence_id == e.id)
                )
            )
            found[question] = {
                "id": e.id,
                "title": e.title,
                "source_type": e.source_type,
                "collected_on": e.collected_on,
                "finding": e.finding,
                "respondents": e.respondents,
                "positive": e.positive,
                "collection": e.collection,
                "status": e.status,
                "links": links,
                "version": e.row_version,
                "quote": e.quote,
            }
        return found


def test_a_load_with_feedback_makes_one_submitted_item_per_rating_question(
    app: Flask, runner: FlaskCliRunner, framework: str
) -> None:
    before = last_audit_id(app)
    outcome = load(app)
    assert outcome.evidence is not None and (outcome.evidence.made, outcome.evidence.outputs) == (
        2,
        ("out-days",),
    )
    made = items(app)
    assert {q: {k: v for k, v in i.items() if k not in {"id", "quote"}} for q, i in made.items()} == {
        "useful": {
            "title": "Practice Week 2023: How useful you found the session",
            "source_type": "feedback_form",
            "collected_on": date(2023, 3, 17),
            "finding": "supports",  # mean 4.0
            "respondents": 3,
            "positive": 2,
            "collection": "event:week-2023",
            "status": "submitted",
            "links": ["out-days"],  # the linked output; not the activity, which cannot carry evidence
            "version": 1,
        },
        "quality": {
            "title": "Practice Week 2023: The quality of the content",
            "source_type": "feedback_form",
            "collected_on": date(2023, 3, 17),
            "finding": "mixed",  # mean 2.5
            "respondents": 2,
            "positive": 0,
            "collection": "event:week-2023",
            "status": "submitted",
            "links": ["out-days"],
            "version": 1,
        },
    }
    assert audit_since(app, before) == [
        ("evidence.create", "evidence", ""),
        ("evidence.create", "evidence", ""),
        ("event.load", "event", ""),
    ]
    with app.app_context():
        actors = set(db.session.scalars(select(AuditEvent.actor).where(AuditEvent.id > before)))
    assert actors == {"Ada Admin"}


def test_an_event_linking_no_output_makes_items_linking_nothing_and_says_so(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Any
) -> None:
    paths = {}
    for name, text in (
        ("event.yaml", EVENT_YAML.replace("links: [act-allocation, out-days]", "links: [act-allocation]")),
        ("sessions.csv", SESSIONS),
        ("feedback.csv", FEEDBACK),
    ):
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    result = runner.invoke(
        args=[
            "event",
            "load",
            str(paths["event.yaml"]),
            "--sessions",
            str(paths["sessions.csv"]),
            "--feedback",
            str(paths["feedback.csv"]),
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        "evidence: 2 feedback-form items (2 made), linked to nothing: the event links no output (an evaluator "
        "may link them)"
    )
    assert [i["links"] for i in items(app).values()] == [[], []]


def test_a_reload_refreshes_the_items_in_place_and_sends_changed_accepted_ones_back_for_review(
    app: Flask, framework: str
) -> None:
    load(app)
    first = items(app)
    # An evaluator accepts the usefulness item, links it to an outcome and adds a quote.
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, "tiny-partnership")
        assert ctx is not None
        row = session.get_one(Evidence, first["useful"]["id"])
        stored = evidence_service.link_slugs(session, row.id)
        admin = Principal.command_line()
        evidence_service.move(session, ADMIN, admin, row, "accepted")
        fields = evidence_service_fields(row, [*stored, "educators-supported"], quote="Really useful")
        evidence_service.update(session, ADMIN, admin, ctx, row, fields, expected_version=row.row_version)
        accepted = session.get_one(Evidence, first["quality"]["id"])
        evidence_service.move(session, ADMIN, admin, accepted, "accepted")
    # Loaded again: the usefulness answers changed, the quality ones did not.
    before = last_audit_id(app)
    outcome = load(app, feedback=FEEDBACK + "panel,useful,5,r4\n")
    assert outcome.evidence is not None
    assert (outcome.evidence.made, outcome.evidence.refreshed, outcome.evidence.unchanged) == (0, 1, 1)
    assert outcome.evidence.reviewed_again == 1
    now = items(app)
    useful = now["useful"]
    assert useful["id"] == first["useful"]["id"]  # the same item, refreshed in place
    assert (useful["respondents"], useful["positive"], useful["status"]) == (4, 3, "submitted")
    assert useful["links"] == ["educators-supported", "out-days"]  # the evaluator's link is kept
    assert useful["quote"] == "Really useful"  # and so is the quote
    assert useful["version"] > first["useful"]["version"]
    assert now["quality"]["status"] == "accepted"  # same figures: still accepted, not touched
    assert audit_since(app, before) == [("evidence.edit", "evidence", ""), ("event.load", "event", "")]
    with app.app_context():
        edit = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "evidence.edit")
        ).one()
        assert edit.before is not None and edit.after is not None
        assert (edit.before["status"], edit.after["status"]) == ("accepted", "submitted")
        assert (edit.before["respondents"], edit.after["respondents"]) == (3, 4)
        assert len(db.session.scalars(select(Evidence)).all()) == 2  # nothing made twice


def test_a_question_dropped_from_the_event_keeps_its_item(app: Flask, framework: str) -> None:
    load(app)
    ids = {q: i["id"] for q, i in items(app).items()}
    fewer = EVENT_YAML.replace("  - {id: quality, text: The quality of the content, kind: rating}\n", "")
    load(app, fewer, feedback=FEEDBACK.replace("keynote,quality,2,r1\npanel,quality,3,r3\n", ""))
    assert {q: i["id"] for q, i in items(app).items()} == ids


def test_a_load_without_feedback_makes_no_item(app: Flask, framework: str) -> None:
    outcome = load(app, feedback=None)
    assert outcome.evidence is None
    assert items(app) == {}


def evidence_service_fields(row: Evidence, links: list[str], quote: str) -> EvidenceFields:
    """The stored item's values with other links and a quote, as an evaluator's edit gives them."""
    return EvidenceFields(
        title=row.title,
        summary=row.summary,
        source_type=row.source_type,
        collected_on=row.collected_on,
        links=tuple(links),
        finding=row.finding,
        respondents=row.respondents,
        population=row.population,
        positive=row.positive,
        collection=row.collection,
        group=row.respondent_group,
        independent=row.independent,
        partner="",
        quote=quote,
        url=row.url,
        flags=tuple(row.flags),
        status=row.status,
        shows=row.shows,
    )

"""Creating an event and loading its files from the web (issue 19): through the events service, all or
nothing, every problem beside its field or its file; only admins and the leads of the event's host partner."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.db.models import Event, EventLoad
from tracker.extensions import db

from ..digest import audit_since, last_audit_id, table_digests
from ..integration.test_events import FEEDBACK, SESSIONS
from ..page import Page, attr, text_of
from .test_event_pages import EVENT, SLUG, load

NEW = f"/f/{SLUG}/new-event"
FILES = f"{EVENT}/files"
# Keynote and the walk are Tiny Council's, the panel Other Council's: Tiny Council hosts the event.
HOSTED = SESSIONS.replace("in_person,,20,12,\n", "in_person,,20,12,tiny-council\n")
# The same sessions as Tiny Council's lead may load them: naming no other partner.
OWN = HOSTED.replace("40,30,other-council", "40,30,")


def event_form(**changes: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "event_id": "spring-day",
        "title": "Spring practice day",
        "starts_on": "2023-04-20",
        "ends_on": "",
        "links": ["act-allocation", "out-days"],
        "unique_attendees": "1,200",
        "unique_estimated": "y",
        "reach_target": "2000",
        "population_name": "practice educators",
        "population_size": "400",
        "cost_direct": "1500.50",
        "cost_staff_hours": "30",
        "cost_full": "4000",
        "min_group_size": "5",
        "questions-0-id": "useful",
        "questions-0-text": "How useful was the day?",
        "questions-0-kind": "rating",
        "questions-1-id": "reasons",
        "questions-1-text": "Why did you come?",
        "questions-1-kind": "choose_any",
        "questions-1-options": "cpd: To record CPD\r\nspeaker: A speaker",
        "source": "The day's evaluation",
    }
    values.update(changes)
    return values


def files(sessions: str | None = None, feedback: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if sessions is not None:
        data["sessions"] = (io.BytesIO(sessions.encode()), "new-sessions.csv")
    if feedback is not None:
        data["feedback"] = (io.BytesIO(feedback.encode()), "new-feedback.csv")
    return data


def loads(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(EventLoad.number).order_by(EventLoad.id)))


# -- creating an event ------------------------------------------------------------------------------


def test_the_form_labels_every_field_and_groups_the_questions(framework: str, as_role: Any) -> None:
    page = Page.of(as_role("admin").get(NEW), 200)
    assert page.h1 == "Create an event"
    for field in (
        "event_id",
        "title",
        "starts_on",
        "ends_on",
        "unique_attendees",
        "cost_direct",
        "questions-0-id",
    ):
        assert page.has(f"label[for='{field}']"), field
        assert f"{field}-hint" in page.described_by(field) or field == "title"
    legends = page.texts("form fieldset > legend")
    assert legends[:3] == ["The event", "What it links to (optional)", "Attendance and reach"]
    assert [f"Question {i}" for i in range(1, 7)] == [x for x in legends if x.startswith("Question ")]
    assert [attr(o, "value") for o in page.all("#questions-0-kind option")] == [
        "",
        "rating",
        "agree",
        "choose_any",
        "free_text",
    ]
    assert page.texts("#links label") == [
        "Activity: Hold placement allocation days",
        "Output: Four allocation days a year",
    ]


def test_an_admin_creates_an_event_from_the_form(app: Flask, framework: str, as_role: Any) -> None:
    client = as_role("admin")
    before = last_audit_id(app)
    response = client.post(NEW, data=event_form())
    assert response.status_code == 302, Page.of(response).error_summary
    assert response.headers["Location"] == f"/f/{SLUG}/events/spring-day/files"
    assert audit_since(app, before) == [("event.load", "event", "")]
    with app.app_context():
        stored = db.session.scalars(select(Event)).one()
        assert (stored.title, stored.unique_attendees, stored.unique_estimated) == (
            "Spring practice day",
            1200,
            True,
        )
        assert (stored.cost_direct, stored.cost_full, stored.population_size) == (1500.5, 4000.0, 400)
        assert stored.links == ["act-allocation", "out-days"]
        assert [q["id"] for q in stored.questions] == ["useful", "reasons"]
        assert stored.questions[1]["options"] == [
            {"id": "cpd", "text": "To record CPD"},
            {"id": "speaker", "text": "A speaker"},
        ]
        assert db.session.scalars(select(EventLoad.yaml_name)).one() == "the event form"
    page = Page.of(client.get(response.headers["Location"]), 200)
    assert "Created the event 'Spring practice day'. Now load its sessions and feedback." in page.flashes
    shown = Page.of(client.get(f"/f/{SLUG}/events/spring-day"), 200)
    assert shown.text("p.lead") == "20 April 2023. Source: The day's evaluation"


def test_every_problem_is_shown_beside_its_field_and_nothing_is_saved(
    app: Flask, framework: str, as_role: Any
) -> None:
    client = as_role("admin")
    digests = table_digests(app)
    response = client.post(
        NEW,
        data=event_form(
            event_id="Spring Day",
            ends_on="2023-04-01",
            reach_target="lots",
            cost_direct="-5",
            **{
                "questions-0-kind": "stars",
                "questions-1-options": "cpd: To record CPD\r\njust some words",
                "questions-3-id": "orphan",
            },
        ),
    )
    assert response.status_code == 400
    page = Page.of(response)
    page.assert_error_at("event_id", "'Spring Day' is not a valid id")
    page.assert_error_at("ends_on", "The event ends (2023-04-01) before it starts (2023-04-20)")
    page.assert_error_at("reach_target", "Expected a whole number, found 'lots'")
    page.assert_error_at("cost_direct", "Must not be negative, found -5")
    page.assert_error_at("questions-0-kind", "Unknown kind 'stars'")
    page.assert_error_at(
        "questions-1-options", "Option line 2: write each option as its id, a colon and its text"
    )
    page.assert_error_at("questions-3-text", "Must be given")
    assert ("questions-3-text", "Question 4, question: Must be given") in page.error_summary
    assert page.value("event_id") == "Spring Day" and page.value("title") == "Spring practice day"
    assert page.value("questions-1-options") == "cpd: To record CPD\r\njust some words"
    assert table_digests(app) == digests


def test_an_id_already_used_is_refused_at_the_id(app: Flask, framework: str, as_role: Any) -> None:
    load(app)
    client = as_role("admin")
    digests = table_digests(app)
    page = Page.of(client.post(NEW, data=event_form(event_id="week-2021")), 400)
    page.assert_error_at("event_id", "The framework already has an event with the id 'week-2021'")
    assert table_digests(app) == digests


def test_an_unknown_link_is_named(app: Flask, framework: str, as_role: Any) -> None:
    page = Page.of(
        as_role("admin").post(NEW, data=event_form(links=["act-allocation", "no-such-thing"])), 400
    )
    assert "Unknown link 'no-such-thing'" in (page.field_error("links") or "")


# -- loading files ---------------------------------------------------------------------------------


def test_a_host_lead_loads_new_sessions_and_the_earlier_load_is_kept(
    app: Flask, framework: str, as_role: Any
) -> None:
    load(app, sessions=HOSTED)
    client = as_role("lead")  # Tiny Council: the host
    page = Page.of(client.get(EVENT), 200)
    assert page.links("a[href$='/files']") == [("Load new sessions or feedback", FILES)]
    form = Page.of(client.get(FILES), 200)
    assert form.h1 == "Load files for Practice Week 2021"
    assert form.described_by("sessions") == ["sessions-hint"]
    newer = OWN.replace(
        "keynote,Keynote,Practice,2021-03-15 09:30,online,100,120,90",
        "keynote,Keynote,Practice,2021-03-15 09:30,online,100,120,100",
    )
    response = client.post(FILES, data=files(sessions=newer), content_type="multipart/form-data")
    assert response.status_code == 302, Page.of(response).error_summary
    assert response.headers["Location"] == EVENT
    assert loads(app) == [1, 2]
    page = Page.of(client.get(EVENT), 200)
    assert page.flashes == ["Loaded 3 sessions (load 2; earlier loads are kept)."]
    assert page.text(".figure-tile[data-figure=Attended] .figure-value") == "142"
    assert "load 2" in page.text("main > p.muted")
    assert "feedback from feedback.csv" in page.text("main > p.muted")  # kept from load 1


def test_bad_rows_are_listed_beside_their_file_and_nothing_is_loaded(
    app: Flask, framework: str, as_role: Any
) -> None:
    load(app)
    client = as_role("admin")
    digests = table_digests(app)
    sessions = SESSIONS + "keynote,Again,,,online,,5,5,\nnew,New,,,online,,-3,1,\n"
    feedback = FEEDBACK + "nowhere,useful,4,\nkeynote,useful,6,\nkeynote,quality,4,\n"
    response = client.post(FILES, data=files(sessions, feedback), content_type="multipart/form-data")
    assert response.status_code == 400
    page = Page.of(response)
    assert page.texts("#sessions-problems li") == [
        "line 5, column 1: session: duplicate session id 'keynote' (first on line 2)",
        "line 6, column 7: signups: must not be negative, found -3",
    ]
    assert page.texts("#feedback-problems li") == [
        "line 12, column 1: session: unknown session 'nowhere': not a session of the sessions file "
        "new-sessions.csv",
        "line 13, column 3: answer: '6' is not a rating of 'useful': give a whole number from 1 to 5",
        "line 14, column 2: question: unknown question 'quality' (the event's questions: useful, learned, "
        "reasons, comments)",
    ]
    assert page.described_by("sessions") == ["sessions-hint", "sessions-problems"]
    assert page.error_summary == [
        ("sessions", "Sessions file: 2 problems; nothing was loaded"),
        ("feedback", "Feedback file: 3 problems; nothing was loaded"),
    ]
    assert page.title.startswith("Error: ")
    assert table_digests(app) == digests


def test_an_upload_needs_a_file(app: Flask, framework: str, as_role: Any) -> None:
    load(app)
    page = Page.of(as_role("admin").post(FILES, data={}, content_type="multipart/form-data"), 400)
    page.assert_error_at("sessions", "Choose a sessions file, a feedback file, or both")


def test_feedback_alone_is_checked_against_the_current_sessions(
    app: Flask, framework: str, as_role: Any
) -> None:
    load(app)
    client = as_role("admin")
    response = client.post(
        FILES, data=files(feedback=FEEDBACK + "ghost,useful,4,\n"), content_type="multipart/form-data"
    )
    page = Page.of(response, 400)
    assert page.texts("#feedback-problems li") == [
        "line 12, column 1: session: unknown session 'ghost': not a session of the event's current sessions "
        "(load 1)"
    ]
    response = client.post(FILES, data=files(feedback=FEEDBACK), content_type="multipart/form-data")
    assert response.status_code == 302
    assert loads(app) == [1, 2]


# -- who may --------------------------------------------------------------------------------------------


def test_a_lead_of_another_partner_is_refused(app: Flask, framework: str, as_role: Any) -> None:
    load(app, sessions=HOSTED)
    client = as_role("lead", partner="other-council")
    page = Page.of(client.get(EVENT), 200)
    assert not page.has("a[href$='/files']")
    assert client.get(FILES).status_code == 403
    digests, last = table_digests(app), last_audit_id(app)
    response = client.post(FILES, data=files(sessions=HOSTED), content_type="multipart/form-data")
    assert response.status_code == 403
    assert table_digests(app) == digests
    assert [action for action, _t, _d in audit_since(app, last)] == ["refused"]


@pytest.mark.parametrize("role", ["board", "evaluator"])
def test_board_members_and_evaluators_cannot_post(
    app: Flask, framework: str, as_role: Any, role: str
) -> None:
    load(app)
    client = as_role(role)
    assert client.get(NEW).status_code == 403
    assert client.get(FILES).status_code == 403
    digests = table_digests(app)
    assert client.post(NEW, data=event_form()).status_code == 403
    assert (
        client.post(FILES, data=files(sessions=SESSIONS), content_type="multipart/form-data").status_code
        == 403
    )
    assert table_digests(app) == digests


def test_a_lead_outside_the_framework_cannot_create(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, make_user: Any
) -> None:
    load_framework(
        tiny_yaml.replace("id: tiny-partnership", "id: outside").replace("tiny-council", "outside-trust")
    )
    client = app.test_client()
    from ..conftest import sign_in

    sign_in(client, make_user("lead", partner="outside-trust"))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data=event_form()).status_code == 403


def test_while_no_session_names_a_partner_any_lead_of_the_framework_may(
    app: Flask, framework: str, as_role: Any
) -> None:
    load(app, sessions="session,title,signups,attended\nonly,Only session,10,8\n", feedback=None)
    client = as_role("lead", partner="other-council")
    assert client.get(FILES).status_code == 200
    assert client.post(NEW, data=event_form()).status_code == 302


def test_on_a_tie_each_partner_named_most_hosts(app: Flask, framework: str, as_role: Any) -> None:
    load(app)  # one session each for Tiny Council and Other Council
    assert as_role("lead", partner="other-council").get(FILES).status_code == 200
    assert as_role("lead").get(FILES).status_code == 200


def test_a_host_lead_cannot_name_another_partner_in_the_sessions(
    app: Flask, framework: str, as_role: Any
) -> None:
    """As with a CSV import's rows: the whole file is refused (403, audited), nothing is written."""
    load(app, sessions=HOSTED)
    client = as_role("lead")
    digests, last = table_digests(app), last_audit_id(app)
    response = client.post(FILES, data=files(sessions=SESSIONS), content_type="multipart/form-data")
    assert response.status_code == 403
    assert table_digests(app) == digests
    assert audit_since(app, last) == [
        (
            "refused",
            "event",
            "load event files: new-sessions.csv:3: names the partner 'other-council': you may load your own "
            "only",
        )
    ]


def test_uploads_past_the_size_limit_are_refused(
    app: Flask, framework: str, as_role: Any, monkeypatch: Any
) -> None:
    from tracker.events import views

    load(app)
    monkeypatch.setattr(views, "MAX_UPLOAD_BYTES", 100)
    client = as_role("admin")
    digests = table_digests(app)
    page = Page.of(client.post(FILES, data=files(sessions=SESSIONS), content_type="multipart/form-data"), 400)
    assert "larger than" in (page.field_error("sessions") or "")
    assert table_digests(app) == digests


def test_the_event_list_offers_creating_to_those_who_may(framework: str, as_role: Any) -> None:
    page = Page.of(as_role("lead").get(f"/f/{SLUG}/events"), 200)
    assert page.links("a.button") == [("Create an event", NEW)]
    assert text_of(page.one("main > p:last-of-type")).startswith("This framework has no events yet.")

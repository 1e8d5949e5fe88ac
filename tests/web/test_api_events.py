"""GET /frameworks/{slug}/events and /events/{event_id}: every role reads the events as their pages show them;
an event's measures are `tracker event show --json` word for word; a session's mean from too few answers has
no value; pages walk every event once; the ETag changes with a new load; the same statements for 2 or 12."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from tracker.extensions import db

from ..integration.test_events import EVENT_YAML, EXPECTED_JSON, SESSIONS
from ..page import Page, attr, text_of
from ..querycount import count_statements
from .test_event_pages import load

SLUG = "tiny-partnership"
EVENTS = f"/api/v1/frameworks/{SLUG}/events"
ROLES = ("admin", "evaluator", "board", "lead")


def another(app: Flask, event_id: str, starts_on: str) -> None:
    """One more event of the framework, with the same sessions and feedback, starting on `starts_on`."""
    yaml = EVENT_YAML.replace("id: week-2021", f"id: {event_id}").replace("2021-03-15", starts_on)
    load(app, yaml.replace("ends_on: 2021-03-19", f"ends_on: {starts_on}"))


@pytest.fixture
def event(app: Flask, framework: str) -> str:
    load(app)
    return "week-2021"


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_events_as_the_list_page(event: str, api_as: Any, role: str) -> None:
    body = api_as(role).get(EVENTS).get_json()
    (listed,) = body["data"]
    assert body["next_cursor"] is None
    assert {k: v for k, v in listed.items() if k != "loaded_at"} == {
        "id": "week-2021",
        "title": "Practice Week 2021",
        "starts_on": "2021-03-15",
        "ends_on": "2021-03-19",
        "sessions": 3,
        "attended": 132,
        "unique_attendees": {"value": 150, "estimated": True},
        "answers": 9,
        "loads": 1,
    }
    assert listed["loaded_at"].endswith("Z")


def test_the_measures_are_event_show_json_word_for_word(event: str, api_as: Any, runner: Any) -> None:
    body = api_as("board").get(f"{EVENTS}/{event}").get_json()
    assert body["measures"] == EXPECTED_JSON
    shown = runner.invoke(args=["event", "show", event, "--json"])
    assert shown.exit_code == 0, shown.output
    assert body["measures"] == json.loads(shown.output)


def test_an_event_with_what_its_page_shows_beside_the_measures(event: str, api_as: Any) -> None:
    body = api_as("lead").get(f"{EVENTS}/{event}").get_json()
    assert body["links"] == ["act-allocation", "out-days"]
    assert body["population"] == {"name": "practice educators", "size": 400}
    assert body["costs"] == {"direct": 495, "full": 3571.5, "currency": "GBP", "staff_hours": 40}
    assert body["min_group_size"] == 3
    assert body["load"] is not None and body["load"]["number"] == 1 and body["load"]["sessions_from"] == 1
    assert body["agreement"] == [{"question": "learned", "agreeing": 1, "n": 2, "answered": 2, "share": 0.5}]
    assert body["comments"] == [{"question": "comments", "answers": 1}]
    assert body["by_format"] == [
        {"format": "hybrid", "sessions": 1, "attended": 30},
        {"format": "in_person", "sessions": 1, "attended": 12},
        {"format": "online", "sessions": 1, "attended": 90},
    ]


def test_a_sessions_mean_from_too_few_answers_has_no_value(event: str, api_as: Any, as_role: Any) -> None:
    rows = {s["id"]: s for s in api_as("board").get(f"{EVENTS}/{event}").get_json()["per_session"]}
    assert list(rows) == ["keynote", "panel", "walk"]  # the file's order
    assert rows["keynote"]["ratings"] == [{"question": "useful", "mean": 4.67, "n": 3, "suppressed": False}]
    # One answer, under the event's minimum of 3: neither the mean (3) nor the n (1) is given.
    assert rows["panel"]["ratings"] == [{"question": "useful", "mean": None, "n": None, "suppressed": True}]
    assert rows["walk"]["ratings"] == [{"question": "useful", "mean": None, "n": 0, "suppressed": False}]
    assert {k: rows["keynote"][k] for k in ("starts_at", "format", "partner", "sold_out", "conversion")} == {
        "starts_at": "2021-03-15T09:30",
        "format": "online",
        "partner": "tiny-council",
        "sold_out": True,
        "conversion": 0.75,
    }
    assert rows["walk"]["starts_at"] is None and rows["walk"]["capacity"] is None
    # The page withholds the same one.
    page = Page.of(as_role("board").get(f"/f/{SLUG}/events/{event}"), 200)
    cells = {
        attr(row, "data-session"): row.select_one("td[data-rating=useful]")
        for row in page.all("tr[data-session]")
    }
    assert text_of(cells["panel"]) == "fewer than 3 responses"
    assert text_of(cells["keynote"]) == "4.67 (n 3)"


@pytest.mark.parametrize(
    "path",
    [f"{EVENTS}/nope", "/api/v1/frameworks/nowhere/events", "/api/v1/frameworks/nowhere/events/week-2021"],
)
def test_no_such_event_or_framework_is_404(event: str, api_as: Any, path: str) -> None:
    response = api_as("board").get(path)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_an_event_is_read_under_its_own_framework_only(
    event: str, api_as: Any, load_framework: Any, tiny_yaml: str
) -> None:
    load_framework(tiny_yaml.replace("id: tiny-partnership", "id: other-partnership", 1))
    client = api_as("admin")
    assert client.get("/api/v1/frameworks/other-partnership/events").get_json()["data"] == []
    assert client.get("/api/v1/frameworks/other-partnership/events/week-2021").status_code == 404


def test_the_pages_walk_every_event_once_earliest_first(app: Flask, event: str, api_as: Any) -> None:
    for event_id, starts in (("b-day", "2020-01-10"), ("a-day", "2020-01-10"), ("later", "2022-05-01")):
        another(app, event_id, starts)
    client = api_as("evaluator")
    seen: list[str] = []
    url = f"{EVENTS}?limit=2"
    while True:
        body = client.get(url).get_json()
        assert len(body["data"]) <= 2
        seen += [e["id"] for e in body["data"]]
        if len(seen) == 2:
            another(app, "latest", "2023-01-01")  # added while reading: it comes last, once
        if body["next_cursor"] is None:
            break
        url = f"{EVENTS}?limit=2&cursor={body['next_cursor']}"
    assert seen == ["a-day", "b-day", "week-2021", "later", "latest"]


@pytest.mark.parametrize(
    "cursor", ["WyJ4Il0", "WyJub3QgYSBkYXRlIiwgImEiXQ", "NQ"]
)  # ["x"], ["not a date", "a"], 5
def test_a_cursor_not_given_out_is_400(event: str, api_as: Any, cursor: str) -> None:
    response = api_as("board").get(f"{EVENTS}?cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.get_json()["detail"]


def test_etags_answer_304_until_the_event_is_loaded_again(app: Flask, event: str, api_as: Any) -> None:
    client = api_as("board")
    listed, one = client.get(EVENTS).headers["ETag"], client.get(f"{EVENTS}/{event}").headers["ETag"]
    assert client.get(EVENTS, headers={"If-None-Match": listed}).status_code == 304
    assert client.get(f"{EVENTS}/{event}", headers={"If-None-Match": one}).status_code == 304
    load(app, sessions=SESSIONS.replace("100,120,90,", "100,120,91,"), feedback=None)  # feedback kept
    response = client.get(f"{EVENTS}/{event}", headers={"If-None-Match": one})
    assert response.status_code == 200 and response.headers["ETag"] != one
    assert response.get_json()["measures"]["attended"] == 133
    assert client.get(EVENTS, headers={"If-None-Match": listed}).status_code == 200


def test_the_list_sends_the_same_statements_for_2_events_or_12(app: Flask, event: str, api_as: Any) -> None:
    client = api_as("board")
    counts = []
    for first, more in ((0, 1), (1, 10)):
        for n in range(first, first + more):
            another(app, f"day-{n}", f"2022-01-{n + 1:02d}")
        client.get(EVENTS)  # the first read may fill caches
        with app.app_context(), count_statements(db.engine) as counter:
            assert len(client.get(EVENTS).get_json()["data"]) == 1 + first + more
        counts.append(counter.count)
    assert counts[0] == counts[1], counts

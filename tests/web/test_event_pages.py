"""The event pages (issue 19) as a reader sees them: the framework's events, an event's tiles, its sessions
sorted by the reader, its charts and suppressed means; a constant number of statements whatever its size."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tracker.events.service import NamedFile, load_event
from tracker.extensions import db
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..integration.test_events import EVENT_YAML, FEEDBACK, SESSIONS
from ..page import Page, attr, text_of
from ..querycount import count_statements

SLUG = "tiny-partnership"
EVENT = f"/f/{SLUG}/events/week-2021"


def load(
    app: Flask, yaml: str = EVENT_YAML, sessions: str | None = SESSIONS, feedback: str | None = FEEDBACK
) -> None:
    """The event's files loaded as `tracker event load` does."""
    with app.app_context(), db.unit_of_work() as session:
        outcome = load_event(
            session,
            Actor("test"),
            Principal.command_line(),
            NamedFile("event.yaml", yaml.encode()),
            NamedFile("sessions.csv", sessions.encode()) if sessions is not None else None,
            NamedFile("feedback.csv", feedback.encode()) if feedback is not None else None,
        )
        assert outcome.ok, [str(p) for p in outcome.problems]


@pytest.fixture
def event(app: Flask, framework: str) -> str:
    load(app)
    return "week-2021"


def tiles(page: Page) -> dict[str, tuple[str, str]]:
    """The headline figures: label -> (value, note)."""
    found = {}
    for tile in page.all("dl.figure-tiles > div.figure-tile"):
        label, value = tile.select_one("dt"), tile.select_one(".figure-value")
        note = tile.select_one(".figure-note")
        assert label is not None and value is not None
        found[text_of(label)] = (text_of(value), text_of(note) if note is not None else "")
    return found


def session_titles(page: Page) -> list[str]:
    return [row[0].removesuffix(" sold out") for row in page.rows(table=page.one("table.event-sessions"))]


def heard(element: Any) -> str:
    """An element's text as a screen reader says it: without what is hidden from it (the sort arrows)."""
    copy = Page(str(element))
    for hidden in copy.all("[aria-hidden=true]"):
        hidden.decompose()
    return text_of(copy.soup)


def chart_titles(page: Page) -> list[str]:
    return [text_of(t) for t in page.all("figure.chart svg > title")]


def test_the_framework_lists_its_events_with_estimates_said_in_words(event: str, as_role: Any) -> None:
    page = Page.of(as_role("board").get(f"/f/{SLUG}/events"), 200)
    assert page.h1 == "Events"
    assert page.rows("The framework's events, earliest first") == [
        ["Practice Week 2021", "15 March 2021 to 19 March 2021", "3", "132", "150 (estimated)"]
    ]
    assert page.links("table.event-list a") == [("Practice Week 2021", EVENT)]
    nav = page.one("nav.subnav a[aria-current=page]")
    assert text_of(nav) == "Events" and attr(nav, "href") == f"/f/{SLUG}/events"
    assert not page.has("a.button[href$='/new-event']"), "a board member cannot create events"


def test_an_event_shows_its_headline_figures_as_tiles(event: str, as_role: Any) -> None:
    page = Page.of(as_role("board").get(EVENT), 200)
    assert page.h1 == "Practice Week 2021"
    assert tiles(page) == {
        "Sessions": ("3", ""),
        "Sold out": ("1", "sessions whose sign-ups reached their capacity"),
        "Sign-ups": ("180", ""),
        "Attended": ("132", "attendances, added up over the sessions"),
        "Conversion": ("73.3%", "of sign-ups attended"),
        "Unique attendees": ("150", "an estimate"),
        "How useful you found the session": ("4.25", "out of 5, from 4 answers"),
    }
    costs = dict(
        (text_of(d.select_one("dt")), text_of(d.select_one("dd")))  # type: ignore[arg-type]
        for d in page.all("dl.value-for-money > div")
    )
    assert costs == {
        "Direct cost per attendee": "£3.30: the direct cost of £495.00 over 150 unique attendees (an estimate)",
        "Full cost per attendee": "£23.81: the full cost of £3,571.50 over the same 150 unique attendees (an estimate)",
        "Full cost per member of the population": "£8.93: the full cost of £3,571.50 over the 400 practice educators",
        "Staff hours": "40: the hours staff gave the event",
    }


def test_sessions_sort_by_the_column_the_reader_chooses(event: str, as_role: Any) -> None:
    client = as_role("board")
    page = Page.of(client.get(EVENT), 200)
    assert session_titles(page) == ["Keynote", "Panel", "Reflective walk"]  # by start; none given last
    assert page.text("table.event-sessions caption") == "3 sessions, sorted by start, earliest first"
    sorted_by = page.one("table.event-sessions th[aria-sort]")
    assert heard(sorted_by) == "Start" and attr(sorted_by, "aria-sort") == "ascending"
    attended = page.one("table.event-sessions thead a[href*='attended']")
    assert attr(attended, "href") == f"{EVENT}?sort=-attended#sessions"  # most first on the first choice

    page = Page.of(client.get(f"{EVENT}?sort=-attended"), 200)
    assert session_titles(page) == ["Keynote", "Panel", "Reflective walk"]
    header = page.one("table.event-sessions th[aria-sort]")
    assert heard(header) == "Attended" and attr(header, "aria-sort") == "descending"
    assert attr(header.select_one("a"), "href") == f"{EVENT}?sort=attended#sessions"  # type: ignore[arg-type]
    assert len(page.all("table.event-sessions th[aria-sort]")) == 1

    page = Page.of(client.get(f"{EVENT}?sort=attended"), 200)
    assert session_titles(page) == ["Reflective walk", "Panel", "Keynote"]
    page = Page.of(client.get(f"{EVENT}?sort=-title"), 200)
    assert session_titles(page) == ["Reflective walk", "Panel", "Keynote"]
    page = Page.of(client.get(f"{EVENT}?sort=-capacity"), 200)
    assert session_titles(page) == ["Keynote", "Panel", "Reflective walk"]  # no capacity: last either way
    page = Page.of(client.get(f"{EVENT}?sort=capacity"), 200)
    assert session_titles(page) == ["Panel", "Keynote", "Reflective walk"]
    page = Page.of(client.get(f"{EVENT}?sort=-mean-useful"), 200)
    assert session_titles(page) == ["Keynote", "Panel", "Reflective walk"]  # suppressed and none: last

    refused = client.get(f"{EVENT}?sort=password")
    assert refused.status_code == 400
    assert "cannot be sorted by 'password'" in Page.of(refused).main


def test_a_mean_from_too_few_responses_is_not_shown(event: str, as_role: Any) -> None:
    page = Page.of(as_role("board").get(EVENT), 200)
    rows = {r[0]: r for r in page.rows(table=page.one("table.event-sessions"))}
    assert rows["Keynote sold out"][-1] == "4.67 (n 3)"
    assert rows["Panel"][-1] == "fewer than 3 responses"  # one answer: the event's minimum is 3
    assert rows["Reflective walk"][-1] == "no answers"
    assert rows["Panel"][3:9] == ["Hybrid", "Other Council", "50", "40", "30", "75%"]
    assert rows["Reflective walk"][5] == "not given"  # no capacity
    panel = page.one("table.event-sessions tr[data-session=panel] td[data-rating=useful]")
    assert "3.00" not in text_of(panel) and "3" not in text_of(panel).replace("fewer than 3", "")


def test_charts_have_titles_and_text_alternatives(event: str, as_role: Any) -> None:
    page = Page.of(as_role("board").get(EVENT), 200)
    assert chart_titles(page) == [
        "Attendance by session",
        "Attendance by theme",
        "Attendance by format",
        "How useful you found the session: answers from 1 to 5",
    ]
    for svg in page.all("figure.chart svg"):
        assert attr(svg, "role") == "img"
        title_id, desc_id = attr(svg, "aria-labelledby").split()
        assert page.by_id(title_id).name == "title" and text_of(page.by_id(desc_id))
    themes = page.one("svg[aria-labelledby='event-themes-title event-themes-desc'] desc")
    assert text_of(themes) == "Practice: 120 (2 sessions); Wellbeing: 12 (1 session)."
    ratings = page.one("svg[aria-labelledby='event-rating-1-title event-rating-1-desc'] desc")
    assert text_of(ratings) == (
        "Rated 1: 0 (0%); Rated 2: 0 (0%); Rated 3: 1 (25%); Rated 4: 1 (25%); Rated 5: 2 (50%). "
        "Mean 4.25 from 4 answers."
    )
    assert page.rows(
        "Share of the 2 answers choosing each option (an answer may choose several, so the shares may add "
        "up to more than 100%)"
    ) == [["CPD", "2", "100%"], ["A speaker", "1", "50%"]]


def test_no_feedback_and_no_costs_say_so(app: Flask, framework: str, as_role: Any) -> None:
    bare = (
        EVENT_YAML.split("unique_attendees")[0]
        .replace("week-2021", "bare-day")
        .replace("ends_on: 2021-03-19\n", "ends_on: 2021-03-15\n")
    )
    load(app, bare, "session,title,signups,attended\nonly,Only session,0,0\n", None)
    page = Page.of(as_role("board").get(f"/f/{SLUG}/events/bare-day"), 200)
    assert page.text("p.lead") == "15 March 2021"
    figures = tiles(page)
    assert figures["Conversion"] == ("no data", "no sign-ups recorded")
    assert figures["Unique attendees"] == ("not given", "")
    assert page.texts("dl.value-for-money dd") == [
        "no data: no direct cost given",
        "no data: no full cost given",
        "no data: no population given",
    ]
    assert "The event asks no feedback questions." in page.main


def test_the_top_twenty_sessions_are_drawn_and_the_rest_summed(
    app: Flask, framework: str, as_role: Any
) -> None:
    rows = "\n".join(f"s{i:03},Session {i:03},Theme {i % 3},,online,,{i},{i}," for i in range(1, 31))
    load(app, sessions="session,title,theme,starts_at,format,capacity,signups,attended,partner\n" + rows + "\n",
         feedback=None)  # fmt: skip
    page = Page.of(as_role("board").get(EVENT), 200)
    chart = page.one("svg[data-chart=value-bars][aria-labelledby^='event-sessions']")
    bars = chart.select("g[data-part=bar]")
    assert len(bars) == 20
    assert [attr(b, "data-value") for b in bars[:2]] == ["30", "29"]
    rest = sum(range(1, 11))
    total = chart.select("g[data-part=total]")
    assert [attr(t, "data-value") for t in total] == [str(rest)] and not total[0].select("rect")
    assert [text_of(t) for t in total[0].select("text")] == [
        "The other 10 sessions, together",
        f"{rest} (not drawn)",
    ]
    assert text_of(chart.select_one("desc")).endswith(  # type: ignore[arg-type]
        f"The other 10 sessions, together: {rest}. The 20 most attended sessions are drawn one by one; "
        "the other 10 sessions are added up in the last line, not drawn."
    )
    assert page.text("#attendance-sessions-caption") == (
        "Attendance by session: the 20 most attended sessions, and the other 10 added up in the last line."
    )


def test_unknown_events_and_frameworks_are_404(event: str, as_role: Any) -> None:
    client = as_role("board")
    assert client.get(f"/f/{SLUG}/events/nothing-here").status_code == 404
    assert client.get("/f/no-such-framework/events").status_code == 404
    assert client.get("/f/no-such-framework/events/week-2021").status_code == 404


def _sessions_csv(count: int) -> str:
    rows = [
        f"s{i},Session {i},Theme {i % 7},2021-03-{15 + i % 5} 09:00,online,{i + 5},{i + 3},{i},"
        for i in range(count)
    ]
    return "session,title,theme,starts_at,format,capacity,signups,attended,partner\n" + "\n".join(rows) + "\n"


def _feedback_csv(count: int) -> str:
    rows = [f"s{i},useful,{1 + i % 5},r{i}-{j}" for i in range(count) for j in range(3)]
    return "session,question,answer,respondent\n" + "\n".join(rows) + "\n"


def test_the_page_sends_the_same_statements_for_5_or_500_sessions(
    app: Flask, framework: str, as_role: Any
) -> None:
    client = as_role("board")
    counts = []
    for size in (5, 500):
        load(app, sessions=_sessions_csv(size), feedback=_feedback_csv(size))
        client.get(EVENT)  # the first view of a page may fill caches
        with app.app_context(), count_statements(db.engine) as counter:
            page = Page.of(client.get(f"{EVENT}?sort=-attended"), 200)
        assert len(page.rows(table=page.one("table.event-sessions"))) == size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 10, counts


def test_hostile_text_is_shown_as_text_on_the_page_and_in_the_charts(
    app: Flask, framework: str, as_role: Any
) -> None:
    hostile = '<script>alert(1)</script> & "quoted"'
    load(
        app,
        EVENT_YAML.replace("title: Practice Week 2021", "title: '<img src=x onerror=alert(1)>'"),
        sessions="session,title,theme,starts_at,format,capacity,signups,attended,partner\n"
        f"""bad,"{hostile.replace('"', '""')}",<b>theme</b>,,online,,10,5,\n""",
        feedback=None,
    )
    response = as_role("board").get(EVENT)
    page = Page.of(response, 200)
    assert page.h1 == "<img src=x onerror=alert(1)>"
    assert not page.all("main script") and not page.all("main img") and not page.all("main b")
    assert session_titles(page) == [hostile]
    bar = page.all("svg[aria-labelledby^='event-sessions'] g[data-part=bar] text")
    assert [text_of(t) for t in bar] == [hostile, "5"]
    assert "<script>" not in response.get_data(as_text=True)


def test_figures_an_event_does_not_publish_read_not_published(
    app: Flask, framework: str, as_role: Any
) -> None:
    """A launch whose sign-ups and attendance were never published shows that, never a 0."""
    load(app, sessions="session,title,signups,attended\nlaunch,Launch,,\n", feedback=None)
    page = Page.of(as_role("board").get(EVENT), 200)
    figures = tiles(page)
    assert figures["Sign-ups"][0] == figures["Attended"][0] == "not published"
    assert figures["Conversion"] == ("not published", "")
    sessions = page.rows(table=page.one("table:has(caption#sessions-caption)"))
    row = next(r for r in sessions if r and r[0].startswith("Launch"))
    assert row.count("not published") >= 3  # sign-ups, attended, conversion
    listed = Page.of(as_role("board").get(f"/f/{SLUG}/events"), 200)
    assert any("not published" in r for r in listed.rows())

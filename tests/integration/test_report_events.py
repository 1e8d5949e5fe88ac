"""The report's events chapter (issue 19): each event that ended by the as-of date with its headline figures,
value for money, most attended sessions and charts, on the web page and in the PDF; none without events;
the events read in four statements however many there are."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tracker.events import bulk
from tracker.extensions import db

from ..page import Page, text_of
from ..querycount import count_statements
from ..web.test_event_pages import SLUG, load
from .test_events import EVENT_YAML
from .test_report import pdf_text

REPORT = f"/f/{SLUG}/report"


def events_chapter(page: Page) -> Any:
    return page.one("section#events")


def test_the_report_has_an_events_chapter_with_each_event(app: Flask, framework: str, as_role: Any) -> None:
    load(app)
    page = Page.of(as_role("board").get(REPORT), 200)
    assert ("Events", "#events") in page.links("nav.toc a")
    chapter = events_chapter(page)
    assert text_of(chapter.select_one("h2")) == "Events"  # type: ignore[arg-type]
    assert [text_of(h) for h in chapter.select("h3")] == ["Practice Week 2021"]
    figures = {
        text_of(d.select_one("dt")): text_of(d.select_one("dd strong"))  # type: ignore[arg-type]
        for d in chapter.select("dl.event-figures > div")
    }
    assert figures == {
        "Sessions": "3",
        "Sold out": "1",
        "Sign-ups": "180",
        "Attended": "132",
        "Conversion": "73.3%",
        "Unique attendees": "150",
        "How useful you found the session": "4.25",
    }
    assert [text_of(li) for li in chapter.select("ul.event-costs li")][:3] == [
        "Direct cost per attendee: £3.30 (the direct cost of £495.00 over 150 unique attendees (an estimate))",
        "Full cost per attendee: £23.81 (the full cost of £3,571.50 over the same 150 unique attendees (an "
        "estimate))",
        "Full cost per member of the population: £8.93 (the full cost of £3,571.50 over the 400 practice "
        "educators)",
    ]
    assert page.rows("Practice Week 2021: the most attended sessions") == [
        ["Keynote", "90"],
        ["Panel", "30"],
        ["Reflective walk", "12"],
    ]
    assert [text_of(t) for t in chapter.select("figure.chart svg > title")] == [
        "Attendance by session",
        "Attendance by theme",
        "Attendance by format",
        "How useful you found the session: answers from 1 to 5",
    ]
    ids = [svg["aria-labelledby"] for svg in chapter.select("svg")]
    assert len(set(ids)) == len(ids)  # unique in the page, beside the report's other charts
    assert text_of(chapter.select_one("table.kpi-table:not(.event-top) caption")) == (  # type: ignore[arg-type]
        "Share of the 2 answers choosing each option (an answer may choose several)"
    )


def test_no_events_no_chapter(framework: str, as_role: Any) -> None:
    page = Page.of(as_role("board").get(REPORT), 200)
    assert not page.has("section#events")
    assert "Events" not in page.texts("nav.toc a")


def test_an_event_that_had_not_ended_by_the_as_of_date_is_left_out(
    app: Flask, framework: str, as_role: Any
) -> None:
    load(app)
    client = as_role("board")
    assert not Page.of(client.get(f"{REPORT}?as_of=2021-03-18"), 200).has("section#events")
    assert Page.of(client.get(f"{REPORT}?as_of=2021-03-19"), 200).has("section#events")


def test_the_pdf_has_the_events_chapter(app: Flask, framework: str, as_role: Any) -> None:
    load(app)
    response = as_role("board").get(f"{REPORT}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.get_data()).split())
    chapter = text[text.index("The framework's events that ended by") :]
    for expected in (
        "Practice Week 2021",
        "15 March 2021 to 19 March 2021",
        "Conversion 73.3%",
        "Unique attendees 150 an estimate",
        "Direct cost per attendee: £3.30",
        "Full cost per attendee: £23.81",
        "Full cost per member of the population: £8.93",
        "Most attended sessions",
        "Keynote 90",
        "Attendance by theme",
        "How useful you found the session",
    ):
        assert expected in chapter, expected


def test_the_events_are_read_in_four_statements_however_many(app: Flask, framework: str) -> None:
    counts = []
    for n in range(1, 4):
        yaml = EVENT_YAML.replace("week-2021", f"week-{n}")
        load(app, yaml)
        with app.app_context(), count_statements(db.engine) as counter:
            shown = bulk.framework_events(db.session, SLUG)
        assert [e.definition.id for e in shown] == [f"week-{i}" for i in range(1, n + 1)]
        assert all(e.measures.attended == 132 for e in shown)
        counts.append(counter.count)
    assert counts == [4, 4, 4]

"""What would raise a rating and the data development agenda: on the outcome page, the agenda page, the
report (web and PDF) and from stored ratings as from ratings made now."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from pypdf import PdfReader

from tracker.extensions import db
from tracker.ratings import ratings_for
from tracker.ratings.rating_set import keep
from tracker.reports import model as report_model
from tracker.reports.pdf import render_in_process
from tracker.reports.render import render_html
from tracker.resources import static_dir

from ..page import Page, text_of
from ..querycount import count_statements

TOO_EARLY = "Managers' interviews on practice"


def seed(make_evidence: Any) -> None:
    """One robust survey for the educators (some), and interviews that found it too early to tell."""
    make_evidence()
    make_evidence(
        title=TOO_EARLY,
        source_type="interview",
        respondents=8,
        finding="too_early",
        collection="",
        respondent_group="managers",
        collected_on=date(2023, 3, 20),
    )


def agenda_entries(page: Page, root: str = "main") -> dict[str, list[str]]:
    """Each agenda entry's outcome and the sentences under it."""
    found = {}
    for entry in page.all(f"{root} li.agenda-entry"):
        outcome = entry.select_one(".agenda-outcome")
        assert outcome is not None
        found[text_of(outcome)] = [text_of(li) for li in entry.select("ul.agenda-needs > li")]
    return found


EXPECTED_AGENDA = {
    "More students have statutory placements": [
        "The KPI “Share of placements that are statutory”: no values yet."
    ],
    "Practice educators feel supported": [f"Too early to measure the effect, as “{TOO_EARLY}” found."],
    "Graduates stay in the region": ["A long-term aim: its evidence is expected from 31 March 2026."],
}


def test_the_outcome_page_says_what_would_raise_the_rating(as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    page = Page.of(as_role("board").get("/f/tiny-partnership/outcomes/educators-supported"), 200)
    assert "What would raise this rating" in page.headings(2)
    steps = page.texts("ul.next-steps li")
    assert steps == ["One more line of evidence supporting it, of a kind or group not yet heard."]
    reasons = page.texts("ul.reasons li")
    assert any(r.startswith("Too early to measure (counts neither for nor against):") for r in reasons)
    interviews = next(row for row in page.rows() if row[0].startswith(TOO_EARLY))
    assert interviews[-1] == "No (too early to measure)"


def test_a_strong_outcome_has_nothing_to_raise(as_role: Any, make_evidence: Any) -> None:
    make_evidence()
    make_evidence(title="Focus group", source_type="focus_group", respondents=7, collection="",
                  respondent_group="students")  # fmt: skip
    page = Page.of(as_role("board").get("/f/tiny-partnership/outcomes/educators-supported"), 200)
    assert page.one("p .rating, p .badge") is not None
    assert "What would raise this rating" not in page.headings(2)
    assert page.all("ul.next-steps li") == []


def test_the_agenda_page_lists_what_holds_each_outcome_back(as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    page = Page.of(as_role("board").get("/f/tiny-partnership/agenda"), 200)
    assert page.h1 == "Data development agenda"
    assert page.title_parts[0] == "Data development agenda"
    assert "Student placements" in page.headings(2)
    assert agenda_entries(page) == EXPECTED_AGENDA
    links = dict(page.links("li.agenda-entry .agenda-outcome a"))
    assert links["Graduates stay in the region"] == "/f/tiny-partnership/outcomes/retention?as_of=2023-04-30"
    assert page.one('nav.subnav a[aria-current="page"]').get_text(strip=True) == "Data agenda"


def test_the_agenda_page_reads_stored_ratings_in_a_fixed_number_of_statements(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    seed(make_evidence)
    client = as_role("board")
    assert client.get("/f/tiny-partnership/agenda").status_code == 200  # stores what is missing
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as first:
        assert client.get("/f/tiny-partnership/agenda").status_code == 200
    for n in range(3):
        make_evidence(title=f"More {n}", links=("more-statutory",), collection=f"c{n}")
    assert client.get("/f/tiny-partnership/agenda").status_code == 200
    with count_statements(engine) as later:
        assert client.get("/f/tiny-partnership/agenda").status_code == 200
    assert later.count == first.count


def test_the_report_has_the_agenda_and_each_outcome_s_next_steps(app: Flask, make_evidence: Any) -> None:
    seed(make_evidence)
    with app.app_context(), app.test_request_context():
        rated = ratings_for(db.session, "tiny-partnership", for_report=True)
        assert rated is not None
        model = report_model.build(rated, datetime(2024, 1, 2, tzinfo=UTC))
        web = Page(render_html(model, for_pdf=False))
        printed = render_html(model, for_pdf=True)
    assert "Data development agenda" in web.texts("nav.toc a")
    assert agenda_entries(web, "section#agenda") == EXPECTED_AGENDA
    assert web.texts("article#outcome-educators-supported ul.next-steps li") == [
        "One more line of evidence supporting it, of a kind or group not yet heard."
    ]
    result = render_in_process(printed, static_dir())
    text = " ".join(
        " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(result.pdf)).pages).split()
    )
    assert "Data development agenda" in text
    assert "A long-term aim: its evidence is expected from 31 March 2026." in text
    assert "What would raise this rating" in text


def test_stored_guidance_is_the_guidance_rated_now(app: Flask, make_evidence: Any) -> None:
    seed(make_evidence)
    with app.app_context():
        first = ratings_for(db.session, "tiny-partnership", for_report=True)  # what is not stored: rated now
        assert first is not None
        keep(db.session, first)
        db.session.commit()
    with app.app_context():
        again = ratings_for(db.session, "tiny-partnership", for_report=True)
        live = ratings_for(db.session, "tiny-partnership", detail=True)
        assert again is not None and live is not None
        assert not again.fresh  # read from the stored rows
        for rating in again.ratings:
            detail = live.detail[rating.outcome_id]
            assert (rating.next_steps, rating.too_early, rating.effort_only) == (
                detail.next_steps,
                detail.too_early,
                detail.effort_only,
            )
        assert again.rating_of("educators-supported").too_early == (TOO_EARLY,)  # type: ignore[union-attr]

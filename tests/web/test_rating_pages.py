"""Dashboard, outcome page, override form and the disagreements list, through the web."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tracker.db.models import RatingOverride
from tracker.extensions import db
from tracker.ratings import ratings_for

from ..conftest import count_rows
from ..querycount import count_statements

RATIONALE = (
    "x" * 40 + " The evaluator's judgement rests on the interviews, which the rules cannot weigh; see report."
)


def seed(make_evidence: Any) -> int:
    make_evidence()
    return int(
        make_evidence(
            title="Practice educator focus group",
            source_type="focus_group",
            respondents=7,
            collection="",
            collected_on=date(2023, 3, 10),
        )
    )


def test_dashboard_shows_every_outcome_with_its_rating(as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    html = as_role("board").get("/f/tiny-partnership/dashboard").get_data(as_text=True)
    assert "Strong evidence that outcome was achieved" in html  # the key and educators-supported
    assert "Evidence not available during the evaluation period (long-term aim)" in html
    assert 'class="tile tile-strong"' in html and 'class="tile tile-not_yet"' in html
    assert "reflect evidence collected up to 30 April 2023" in html
    assert html.count("<h1") == 1


def test_dashboard_as_of_date_changes_the_ratings(as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    client = as_role("board")
    assert 'class="tile tile-strong"' not in client.get(
        "/f/tiny-partnership/dashboard?as_of=2023-03-05"
    ).get_data(as_text=True)
    assert client.get("/f/tiny-partnership/dashboard?as_of=31-03-2023").status_code == 400


def page_text(client: FlaskClient, path: str) -> str:
    """The page at `path`, which must answer 200: a count of statements behind an error page proves nothing."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _tile_class(html: str, outcome_text: str) -> str:
    """The rating class of the tile whose link reads `outcome_text`."""
    before = html[: html.index(f">{outcome_text}</a>")]
    return before[before.rindex('class="tile ') :].split('"')[1]


def test_dashboard_tiles_are_reused_until_a_rating_input_changes(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    seed(make_evidence)
    board, lead = as_role("board"), as_role("lead")
    path = "/f/tiny-partnership/dashboard"
    first = board.get(path).get_data(as_text=True)
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as again:
        second = page_text(board, path)
    assert not any("rating_snapshot" in s for s in again.statements)  # the tiles were not read again
    assert _tile_class(second, "Practice educators feel supported") == "tile tile-strong"
    assert second[second.index("<h1") :] == first[first.index("<h1") :]  # the flash above differs
    # The tiles are shared; the navigation above them is each user's own.
    led = lead.get(path).get_data(as_text=True)
    assert "Import CSV" in led and "Import CSV" not in second
    assert _tile_class(led, "Practice educators feel supported") == "tile tile-strong"
    # A new rating input (in any session, any worker) changes the key: the tiles are drawn again.
    statutory = _tile_class(second, "More students have statutory placements")
    make_evidence(
        links=("more-statutory",),
        title="Placement records",
        source_type="admin_data",
        collection="",
        respondents=None,
        population=None,
        positive=None,
    )
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        now = next(r.rating for r in rated.ratings if r.outcome_id == "more-statutory")
    with count_statements(engine) as after_save:
        third = page_text(board, path)
    assert any("rating_snapshot" in s for s in after_save.statements)
    assert _tile_class(third, "More students have statutory placements") == f"tile tile-{now}" != statutory
    # Another as-of date is rated live and never reused.
    with count_statements(engine) as earlier:
        page_text(board, path + "?as_of=2023-03-05")
    with count_statements(engine) as earlier_again:
        page_text(board, path + "?as_of=2023-03-05")
    assert earlier.count == earlier_again.count > again.count


def test_outcome_page_explains_the_rating(as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    html = as_role("board").get("/f/tiny-partnership/outcomes/educators-supported").get_data(as_text=True)
    assert "R1-strong" in html and "Practice educator survey" in html and "robust" in html
    assert "Override the rating" not in html  # board members only read
    assert as_role("board").get("/f/tiny-partnership/outcomes/nothing").status_code == 404


def test_page_query_counts_stay_constant(app: Flask, as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    client = as_role("evaluator")
    client.get("/")
    counts = []
    for size in (0, 15):
        for n in range(size):
            make_evidence(title=f"More {n}", collection=f"m{n}")
        with app.app_context():
            engine = db.engine
        with count_statements(engine) as dashboard:
            page_text(client, "/f/tiny-partnership/dashboard")
        with count_statements(engine) as outcome:
            page_text(client, "/f/tiny-partnership/outcomes/educators-supported")
        with count_statements(engine) as listing:
            page_text(client, "/f/tiny-partnership/evidence")
        counts.append((dashboard.count, outcome.count, listing.count))
    assert counts[0] == counts[1]


def test_evaluator_overrides_through_the_form(app: Flask, as_role: Any, make_evidence: Any) -> None:
    item = seed(make_evidence)
    client = as_role("evaluator")
    short = client.post(
        "/f/tiny-partnership/outcomes/educators-supported/override",
        data={"rating": "some", "rationale": "Too short", "evidence": [str(item)], "action": "set"},
    )
    assert short.status_code == 400 and "at least 100 characters" in short.get_data(as_text=True)
    assert count_rows(app, RatingOverride) == 0
    saved = client.post(
        "/f/tiny-partnership/outcomes/educators-supported/override",
        data={"rating": "some", "rationale": RATIONALE, "evidence": [str(item)], "action": "set"},
    )
    assert saved.status_code == 302
    with app.app_context():
        override = db.session.scalars(select(RatingOverride)).one()
        assert (override.rating, override.computed, override.evidence_ids) == ("some", "strong", [item])
        assert override.as_of == date(2023, 4, 30)
    listing = client.get("/f/tiny-partnership/disagreements").get_data(as_text=True)
    assert "Practice educators feel supported" in listing and RATIONALE[:30] in listing
    page = client.get("/f/tiny-partnership/outcomes/educators-supported").get_data(as_text=True)
    assert "Evaluator override" in page and "Override history" in page


def test_leads_and_board_cannot_override(app: Flask, as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    for role in ("lead", "board"):
        response = as_role(role).post(
            "/f/tiny-partnership/outcomes/retention/override",
            data={"rating": "none", "rationale": RATIONALE, "action": "set"},
        )
        assert response.status_code == 403
    assert count_rows(app, RatingOverride) == 0


def test_outcome_page_lists_the_strongest_items_and_links_to_the_rest(
    as_role: Any, make_evidence: Any, monkeypatch: Any
) -> None:
    from tracker.web import ratings as rating_pages

    monkeypatch.setattr(rating_pages, "OUTCOME_PAGE_ITEMS", 3)
    for n in range(3):
        make_evidence(title=f"Story {n}", source_type="testimonial", respondents=None, collection="")
    seed(make_evidence)
    html = as_role("evaluator").get("/f/tiny-partnership/outcomes/educators-supported").get_data(as_text=True)
    assert "The 3 strongest of 5 items are shown (counted items first)." in html
    assert "/f/tiny-partnership/evidence?element=educators-supported" in html
    assert "Practice educator survey" in html and "Practice educator focus group" in html  # counted first
    assert sum(f">Story {n}</a>" in html for n in range(3)) == 1  # one illustration row of three

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
from ..page import Page, Rating, text_of
from ..querycount import count_statements

STRONG = "Strong evidence that outcome was achieved"
SOME = "Some evidence of progress towards outcome being achieved"
INSUFFICIENT = "Insufficient evidence available to determine progress"
NOT_YET = "Evidence not available during the evaluation period (long-term aim)"
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
    page = Page.of(as_role("board").get("/f/tiny-partnership/dashboard"), 200)
    assert page.title_parts == ["Dashboard", "Tiny Teaching Partnership", "Outcomes tracker"]
    assert page.h1 == "Tiny Teaching Partnership"
    tiles = page.tiles()
    assert {name: (t.tile_class, t.rating) for name, t in tiles.items()} == {
        "Practice educators feel supported": ("strong", Rating("strong", STRONG)),
        "More students have statutory placements": ("insufficient", Rating("insufficient", INSUFFICIENT)),
        "Graduates stay in the region": ("not_yet", Rating("not_yet", NOT_YET)),
    }
    assert (
        tiles["Graduates stay in the region"].href
        == "/f/tiny-partnership/outcomes/retention?as_of=2023-04-30"
    )
    assert [r.code for r in page.rating_key()] == ["strong", "some", "insufficient", "none", "not_yet"]
    assert Rating("strong", STRONG) in page.rating_key() and Rating("not_yet", NOT_YET) in page.rating_key()
    assert page.rating_counts() == {"strong": 1, "some": 0, "insufficient": 1, "none": 0, "not_yet": 1}
    assert "The ratings reflect evidence collected up to 30 April 2023." in page.texts("main p.small")[0]


def test_dashboard_as_of_date_changes_the_ratings(as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    client = as_role("board")
    earlier = Page.of(client.get("/f/tiny-partnership/dashboard?as_of=2023-03-05"), 200)
    assert earlier.tile_rating("Practice educators feel supported") != "strong"
    assert "strong" not in [t.tile_class for t in earlier.tiles().values()]
    assert earlier.one("input#as_of")["value"] == "2023-03-05"
    assert client.get("/f/tiny-partnership/dashboard?as_of=31-03-2023").status_code == 400


def page_text(client: FlaskClient, path: str) -> str:
    """The page at `path`, which must answer 200: a count of statements behind an error page proves nothing."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


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
    assert Page(second).tile_rating("Practice educators feel supported") == "strong"
    assert second[second.index("<h1") :] == first[first.index("<h1") :]  # the flash above differs
    # The tiles are shared; the navigation above them is each user's own.
    led = Page.of(lead.get(path), 200)
    assert "Import CSV" in led.texts("nav.subnav a") and "Import CSV" not in Page(second).body
    assert led.tile_rating("Practice educators feel supported") == "strong"
    # A new rating input (in any session, any worker) changes the key: the tiles are drawn again.
    statutory = Page(second).tile_rating("More students have statutory placements")
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
    assert Page(third).tile_rating("More students have statutory placements") == now != statutory
    # Another as-of date is rated live and never reused.
    with count_statements(engine) as earlier:
        page_text(board, path + "?as_of=2023-03-05")
    with count_statements(engine) as earlier_again:
        page_text(board, path + "?as_of=2023-03-05")
    assert earlier.count == earlier_again.count > again.count


def test_outcome_page_explains_the_rating(as_role: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    page = Page.of(as_role("board").get("/f/tiny-partnership/outcomes/educators-supported"), 200)
    assert page.h1 == "Practice educators feel supported"
    assert page.outcome_rating == Rating("strong", STRONG)
    # The rule that gave it, by what it says (its id is for CSV and JSON, not for people).
    assert page.text("h1 ~ p.muted").endswith(
        "decided by the rule “two or more positive lines, one robust, none negative, KPIs met”"
    )
    assert page.texts("ul.reasons > li")[0].startswith(
        "Strong evidence that the outcome was achieved: 2 lines"
    )
    evidence = page.rows("Accepted evidence for this outcome, with its tier")
    assert [(row[0], row[-2], row[-1]) for row in evidence] == [
        ("Practice educator focus group Focus group with 7 participants: robust.", "robust", "Yes"),
        ("Practice educator survey Survey with 18 of 30 responding (60%): robust.", "robust", "Yes"),
    ]
    # Board members only read: no override form, no heading for one.
    assert "Override the rating" not in page.headings() and page.forms() == []
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
    refused = Page.of(short, 400)
    refused.assert_error_at("rationale", "at least 100 characters")
    assert refused.value("rationale") == "Too short" and refused.checked("rating-some")
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
        who = override.created_by
    listing = Page.of(client.get("/f/tiny-partnership/disagreements"), 200)
    [(outcome, evaluator, rules, rationale)] = listing.rows("Overridden outcomes")
    assert (outcome, evaluator, rules) == ("Practice educators feel supported", "●○ Some", "●● Strong")
    assert rationale.startswith(RATIONALE[:60])
    assert listing.badges("tbody span.rating") == [Rating("some", "Some"), Rating("strong", "Strong")]
    page = Page.of(client.get("/f/tiny-partnership/outcomes/educators-supported"), 200)
    assert page.outcome_rating == Rating("some", SOME)
    assert page.texts("h2.notice-title") == ["Evaluator override"]
    assert page.badges(".notice span.rating") == [Rating("strong", STRONG)]  # what the rules alone give
    assert "Override history" in page.headings(2)
    [history] = page.rows("Every override of this outcome, newest first")
    assert history[1:5] == [
        who,
        "●○ Some",
        "30 April 2023",
        "Strong (two or more positive lines, one robust, none negative, KPIs met)",
    ]


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
    page = Page.of(as_role("evaluator").get("/f/tiny-partnership/outcomes/educators-supported"), 200)
    more = page.one("div.table-wrap + p")
    assert text_of(more) == (
        "The 3 strongest of 5 items are shown (counted items first). All evidence linked to this outcome."
    )
    assert [a["href"] for a in more.find_all("a")] == [
        "/f/tiny-partnership/evidence?element=educators-supported"
    ]
    table = page.table("Accepted evidence for this outcome, with its tier")
    rows, titles = page.rows(table=table), [text_of(a) for a in table.select("tbody td:first-child > a")]
    assert len(rows) == 3 and titles[:2] == ["Practice educator focus group", "Practice educator survey"]
    assert [row[-1] for row in rows] == ["Yes", "Yes", "No (illustration only)"]  # counted first
    assert titles[2] in {f"Story {n}" for n in range(3)}  # one illustration row of three

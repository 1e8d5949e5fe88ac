"""What a board member and a new lead read: labels explained where they appear, one date style in tables,
wide tables in labelled regions that scroll on their own, an empty queue that says what will come."""

from __future__ import annotations

from datetime import date
from typing import Any

from bs4 import Tag
from flask import Flask

from tracker.domain.formats import long_date
from tracker.domain.framework import QUADRANT_QUESTIONS
from tracker.domain.surveys import BROADLY_UNCHANGED_POINTS

from ..integration.test_surveys_flow import SURVEY, rows, run_import
from ..page import Page, attr, text_of

SLUG = "tiny-partnership"


def assert_tables_in_regions(page: Page) -> None:
    """Every table sits in a focusable region named by the table's own caption."""
    tables = page.all("main table")
    assert tables
    for table in tables:
        region = table.parent
        assert isinstance(region, Tag) and "table-wrap" in attr(region, "class").split()
        assert (attr(region, "role"), attr(region, "tabindex")) == ("region", "0")
        caption = table.caption
        assert caption is not None and attr(caption, "id") == attr(region, "aria-labelledby") != ""


def test_dashboard_tiles_say_what_their_quadrant_asks(as_role: Any) -> None:
    page = Page.of(as_role("board").get(f"/f/{SLUG}/dashboard"), 200)
    labels = dict(zip(page.texts("a.tile-link"), page.texts("p.tile-quadrant"), strict=True))
    assert labels["Practice educators feel supported"] == (
        f"Short term · Effect quality: {QUADRANT_QUESTIONS['effect-quality']}"
    )
    assert labels["Graduates stay in the region"] == (
        f"Long term · Effect quantity: {QUADRANT_QUESTIONS['effect-quantity']}"
    )
    explained = [p for p in page.texts("main p") if p.startswith("Under each outcome:")]
    assert len(explained) == 1 and "Results-Based Accountability" in explained[0]


def test_outcome_page_dates_read_as_words_and_never_wrap(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    make_evidence(title="Practice educator survey", collected_on=date(2023, 3, 1))
    page = Page.of(as_role("evaluator").get(f"/f/{SLUG}/outcomes/educators-supported"), 200)
    table = page.table("Accepted evidence for this outcome, with its tier")
    dates = [text_of(cell) for cell in table.select("td.date")]
    assert dates == [long_date(date(2023, 3, 1))] == ["1 March 2023"]
    assert_tables_in_regions(page)


def test_the_empty_review_queue_says_what_will_appear_and_links_to_the_evidence(as_role: Any) -> None:
    page = Page.of(as_role("evaluator").get("/review"), 200)
    assert not page.has("main table")
    first = page.texts("main .empty-state p")[0]
    assert first.startswith(
        "No evidence is waiting for review. When a partner submits an item, it appears here"
    )
    assert page.links("main .empty-state a") == [
        ("Evidence for Tiny Teaching Partnership", f"/f/{SLUG}/evidence")
    ]
    lead = Page.of(as_role("lead").get("/review"), 200)
    assert lead.texts("main .empty-state p")[0].startswith("Nothing has been returned to your partner.")
    assert lead.hrefs("main .empty-state a") == [f"/f/{SLUG}/evidence"]


def test_the_queue_dates_its_items_in_words(as_role: Any, make_evidence: Any) -> None:
    make_evidence(title="Waiting item", status="submitted", collected_on=date(2023, 2, 28))
    page = Page.of(as_role("evaluator").get("/review"), 200)
    assert page.rows("Items")[0][:3] == ["Waiting item", "Tiny Teaching Partnership", "28 February 2023"]
    assert page.texts("td.date") == ["28 February 2023"]


def test_survey_page_explains_why_its_two_changes_can_differ(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Any, as_role: Any
) -> None:
    load_framework(tiny_yaml.replace("version: 1", "version: 2") + SURVEY)
    assert run_import(runner, tmp_path, "a.csv", rows(12, 0, "Somewhat agree"), "2022-23").exit_code == 0
    assert run_import(runner, tmp_path, "b.csv", rows(12, 0), "2023-24").exit_code == 0
    page = Page.of(as_role("board").get(f"/f/{SLUG}/surveys/pe-survey?round=2023-24"), 200)
    threshold = f"less than {BROADLY_UNCHANGED_POINTS:g} points either way"
    assert threshold in page.text("#change-note") and "everyone who answered each round" in page.text(
        "#change-note"
    )
    assert threshold in page.text("#distance-note") and "only the people who answered both" in page.text(
        "#distance-note"
    )
    # Both tables give the figure first, then the same words for it.
    [scores] = page.rows("Section scores for round 2023-24")
    assert scores[-1] == "+12.5 (up 12.5 points since 2022-23)"
    assert page.rows("Distance travelled by section") == [
        ["Feeling supported", "12", "+12.5 (up 12.5 points)"]
    ]
    assert_tables_in_regions(page)


def test_every_report_table_header_has_text(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Any, as_role: Any
) -> None:
    """axe's empty-table-header: a survey's group rows name their section (for screen readers only)."""
    load_framework(tiny_yaml.replace("version: 1", "version: 2") + SURVEY)
    assert run_import(runner, tmp_path, "a.csv", rows(12, 10), "2022-23").exit_code == 0
    page = Page.of(as_role("board").get(f"/f/{SLUG}/report"), 200)
    headers = page.all("main th")
    assert headers and all(text_of(th) for th in headers)
    table = page.table("Practice educator survey scores by employer")
    group_headers = [text_of(tr.th) for tr in table.select("tbody tr.group-row") if tr.th is not None]
    assert group_headers == ["Feeling supported", "Feeling supported"]
    region = table.parent
    assert isinstance(region, Tag) and attr(region, "aria-labelledby") == attr(table.caption, "id")

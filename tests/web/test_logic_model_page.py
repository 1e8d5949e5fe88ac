"""The logic model page: each theme drawn (boxes labelled by status, arrows for the declared links) and the
same in a nested list, column by column, with each box's status and in-page links to what it links to."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient

from tracker.domain.vocabulary import rating_tag

from ..conftest import sign_in
from ..integration.test_report import seed
from ..page import Page, attr, badge, text_of

URL = "/f/tiny-partnership/logic-model"


@pytest.fixture
def linked(app: Flask, framework: str, load_framework: Any, tiny_yaml: str, make_evidence: Any) -> str:
    """The tiny framework as a second version whose output is measured by the KPI and whose first outcome
    names the aim, with the report tests' evidence (educators supported: strong) and a KPI value (met)."""
    text = tiny_yaml.replace(
        "quadrant: effort-quantity}", "quadrant: effort-quantity, kpis: [statutory-share]}"
    ).replace(
        "term: short, kpis: [statutory-share]}", "term: short, kpis: [statutory-share], aims: [aim-ready]}"
    )
    text = text.replace("version: 1\n", "version: 2\n", 1).replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(text)
    seed(make_evidence, app)
    return framework


@pytest.fixture
def board(app: Flask, make_user: Any) -> FlaskClient:
    client = app.test_client()
    sign_in(client, make_user("board"))
    return client


def drawn_boxes(page: Page) -> dict[str, tuple[str, ...]]:
    """Each box of the drawing by its element id: its ref, its text (the wrapped lines joined) and the words
    of its status pill, if it has one."""
    found = {}
    for g in page.all("svg g[data-box]"):
        words = [text_of(t) for t in g.select("text")]
        pill = [text_of(t) for t in g.select("text[text-anchor='middle']")]
        found[attr(g, "data-box")] = (words[0], " ".join(words[1 : len(words) - len(pill)]), *pill)
    return found


def list_entry(page: Page, element_id: str) -> Tag:
    return page.by_id(f"lm-{element_id}")


def test_the_page_draws_each_theme_with_every_box_labelled_by_its_status(
    linked: str, board: FlaskClient
) -> None:
    page = Page.of(board.get(URL), 200)
    assert page.title_parts == ["Logic model", "Tiny Teaching Partnership", "Outcomes tracker"]
    assert page.h1 == "Logic model"
    assert page.headings(2)[-1] == "Theme 1: Student placements"
    [svg] = page.all("section#theme-placements svg[data-chart='logic-model']")
    assert attr(svg, "role") == "img" and text_of(svg.title) == "Logic model of theme 1: Student placements"  # type: ignore[arg-type]
    statutory = badge(list_entry(page, "more-statutory").select_one("span.rating"))  # type: ignore[arg-type]
    assert drawn_boxes(page) == {
        "aim-ready": ("Aim 1", "Students are ready to practise"),
        "act-allocation": ("Activity 1", "Hold placement allocation days"),
        "out-days": ("Output 1", "Four allocation days a year", "✓ All met"),
        "more-statutory": (
            "Outcome 1",
            "More students have statutory placements",
            rating_tag(statutory.code),
        ),
        "educators-supported": ("Outcome 2", "Practice educators feel supported", "●● Strong"),
        "retention": ("Outcome 3", "Graduates stay in the region", "\u2026 Not yet"),
    }
    assert [attr(p, "data-link") for p in page.all("svg path[data-link]")] == [
        "aim-ready act-allocation",
        "aim-ready more-statutory",
    ]


def test_the_list_says_the_same_column_by_column_with_statuses_and_links(
    linked: str, board: FlaskClient
) -> None:
    page = Page.of(board.get(URL), 200)
    [words] = page.all("section#theme-placements ul.lm-list")
    columns = words.select(":scope > li.lm-column")
    assert [text_of(c.select_one(".lm-column-title")) for c in columns] == [  # type: ignore[arg-type]
        "Aims",
        "Activities",
        "Outputs",
        "Outcomes",
    ]
    outcomes = columns[3]
    assert [text_of(g.select_one(".lm-group-title")) for g in outcomes.select("li.lm-group")] == [  # type: ignore[arg-type]
        "Short term",
        "Long term",
    ]
    assert [attr(li, "id") for li in words.select("li.lm-box")] == [
        "lm-aim-ready",
        "lm-act-allocation",
        "lm-out-days",
        "lm-more-statutory",
        "lm-educators-supported",
        "lm-retention",
    ]
    aim = list_entry(page, "aim-ready")
    assert text_of(aim).startswith("Aim 1: Students are ready to practise")
    assert [(text_of(a), attr(a, "href")) for a in aim.select(".lm-links a")] == [
        ("Activity 1", "#lm-act-allocation"),
        ("Outcome 1", "#lm-more-statutory"),
    ]
    assert text_of(aim.select_one(".lm-links")).startswith("Served by:")  # type: ignore[arg-type]
    outcome = list_entry(page, "more-statutory")
    assert [(text_of(a), attr(a, "href")) for a in outcome.select(".lm-links a")] == [
        ("Aim 1", "#lm-aim-ready")
    ]
    assert badge(list_entry(page, "educators-supported").select_one("span.rating")).label == "Strong"  # type: ignore[arg-type]
    assert badge(list_entry(page, "retention").select_one("span.rating")).code == "not_yet"  # type: ignore[arg-type]
    output = list_entry(page, "out-days")
    status = output.select_one("span.kpi-status")
    assert status is not None and "kpi-status-met" in attr(status, "class")
    assert status.select_one("[aria-hidden='true']") is not None  # the symbol is not read out twice
    assert text_of(status) == "✓ All met" and text_of(output).endswith("(1 KPI: 1 met)")
    assert list_entry(page, "act-allocation").select_one(".lm-status") is None  # activities have no status
    # Every in-page link lands on a box of the list.
    for link in words.select(".lm-links a"):
        assert page.has_id(attr(link, "href").removeprefix("#"))


def test_ratings_are_as_of_the_date_asked(linked: str, board: FlaskClient) -> None:
    before = Page.of(board.get(f"{URL}?as_of=2022-05-01"), 200)  # before any evidence was collected
    assert drawn_boxes(before)["educators-supported"][-1] != "●● Strong"
    assert before.one("input#as_of").get("value") == "2022-05-01"
    assert board.get(f"{URL}?as_of=yesterday").status_code == 400


def test_the_framework_page_links_to_it_and_an_unknown_framework_is_404(
    framework: str, board: FlaskClient
) -> None:
    page = Page.of(board.get("/f/tiny-partnership/"), 200)
    assert page.links(".logic-model-link a") == [("See the framework as a logic model", URL)]
    assert board.get("/f/no-such-framework/logic-model").status_code == 404


def test_the_page_needs_sign_in(app: Flask, framework: str) -> None:
    response = app.test_client().get(URL)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")

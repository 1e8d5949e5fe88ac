"""The evidence list: filters, text search, pagination, CSV download of the same list, visibility per role."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tracker.domain.evidence_input import EVIDENCE_COLUMNS

from ..page import Page

SLUG = "tiny-partnership"

SECOND_THEME = """\
  - id: learning
    title: Learning together
    aims:
      - {id: aim-learn, text: Staff learn together}
    activities:
      - {id: act-workshops, text: Run joint workshops, aims: [aim-learn]}
    outputs:
      - {id: out-workshops, text: Six workshops a year, quadrant: effort-quantity}
    outcomes:
      - {id: shared-learning, text: Staff share learning across partners, quadrant: effect-quality, term: short}
"""


@pytest.fixture
def two_themes(load_framework: Any, tiny_yaml: str, framework: str) -> str:
    """Version 2 of the tiny framework: both partners, and a second theme to filter by."""
    text = tiny_yaml.replace("version: 1", "version: 2").replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(text.rstrip("\n") + "\n" + SECOND_THEME)
    return framework


def ids_on_page(response: Any) -> list[int]:
    """The items the list shows, in order: the id each row's title links to."""
    page = Page.of(response, 200)
    if not page.has("table"):
        assert "No evidence matches." in page.texts("main p")
        return []
    hrefs = page.hrefs("table tbody tr > td:first-child > a")
    assert len(hrefs) == len(page.rows("Evidence items")) and all(h.startswith("/evidence/") for h in hrefs)
    return [int(h.removeprefix("/evidence/")) for h in hrefs]


def listed(client: FlaskClient, **params: str) -> set[int]:
    return set(ids_on_page(client.get(f"/f/{SLUG}/evidence", query_string=params)))


def csv_rows(client: FlaskClient, **params: str) -> list[dict[str, str]]:
    response = client.get(f"/f/{SLUG}/evidence.csv", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def items(two_themes: str, make_evidence: Any) -> dict[str, int]:
    return {
        "survey": make_evidence(
            title="Practice educator survey", summary="Educators felt supported", source_type="survey",
            collected_on=date(2022, 6, 1), links=("educators-supported",), status="accepted",
        ),
        "interview": make_evidence(
            title="Placement lead interviews", summary="Allocation days worked", source_type="interview",
            collected_on=date(2022, 9, 15), links=("more-statutory", "out-days"), status="submitted",
        ),
        "workshop": make_evidence(
            title="Workshop feedback", summary="Staff valued learning together", source_type="feedback_form",
            collected_on=date(2023, 1, 10), links=("shared-learning",), status="accepted", partner="other-council",
            quote="I learnt more in a day than in a month",
        ),
        "draft": make_evidence(
            title="Draft case study", summary="Not finished", source_type="case_study",
            collected_on=date(2023, 2, 20), links=("retention",), status="draft",
        ),
        "returned": make_evidence(
            title="Returned admin data", summary="Numbers of placements", source_type="admin_data",
            collected_on=date(2023, 3, 5), links=("more-statutory",), status="returned", partner=None,
        ),
    }  # fmt: skip


@pytest.fixture
def admin(as_role: Any) -> FlaskClient:
    return as_role("admin")  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"survey", "interview", "workshop", "draft", "returned"}),
        ({"theme": "placements"}, {"survey", "interview", "draft", "returned"}),
        ({"theme": "learning"}, {"workshop"}),
        ({"element": "more-statutory"}, {"interview", "returned"}),
        ({"element": "out-days"}, {"interview"}),
        ({"element": "educators-supported"}, {"survey"}),
        ({"source_type": "interview"}, {"interview"}),
        ({"source_type": "feedback_form"}, {"workshop"}),
        ({"status": "accepted"}, {"survey", "workshop"}),
        ({"status": "draft"}, {"draft"}),
        ({"status": "returned"}, {"returned"}),
        ({"partner": "other-council"}, {"workshop"}),
        ({"partner": "tiny-council"}, {"survey", "interview", "draft"}),
        ({"from": "2022-09-15"}, {"interview", "workshop", "draft", "returned"}),
        ({"to": "2022-09-15"}, {"survey", "interview"}),
        ({"from": "2022-07-01", "to": "2023-01-31"}, {"interview", "workshop"}),
        ({"theme": "placements", "status": "accepted"}, {"survey"}),
        ({"element": "more-statutory", "source_type": "admin_data", "to": "2023-12-31"}, {"returned"}),
        ({"source_type": "focus_group"}, set()),
        # Values that are not choices are ignored, not errors.
        (
            {"status": "nonsense", "source_type": "nonsense", "from": "31/12/2022"},
            {"survey", "interview", "workshop", "draft", "returned"},
        ),
    ],
)
def test_filters(
    admin: FlaskClient, items: dict[str, int], params: dict[str, str], expected: set[str]
) -> None:
    want = {items[name] for name in expected}
    assert listed(admin, **params) == want
    assert {int(row["id"]) for row in csv_rows(admin, **params)} == want


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("survey", {"survey"}),
        ("SURVEY", {"survey"}),
        ("allocation DAYS", {"interview"}),  # in the summary
        ("learnt more", {"workshop"}),  # in the quote
        ("LEARN", {"workshop"}),  # summary and quote of the same item: listed once
        ("  survey  ", {"survey"}),
        ("no such words", set()),
    ],
)
def test_text_search(admin: FlaskClient, items: dict[str, int], query: str, expected: set[str]) -> None:
    want = {items[name] for name in expected}
    response = admin.get(f"/f/{SLUG}/evidence", query_string={"q": query})
    page_ids = ids_on_page(response)
    assert sorted(page_ids) == sorted(want), "each match appears once"
    assert {int(row["id"]) for row in csv_rows(admin, q=query)} == want


def test_search_wildcards_are_literal(admin: FlaskClient, framework: str, make_evidence: Any) -> None:
    percent = make_evidence(title="50% response rate")
    fifty = make_evidence(title="500 responses")
    underscore = make_evidence(title="Notes", summary="see pe_survey file")
    letters = make_evidence(title="Notes again", summary="see peXsurvey file")
    backslash = make_evidence(title="Path", quote="C:\\data\\x")
    assert listed(admin, q="50%") == {percent}
    assert listed(admin, q="%") == {percent}
    assert listed(admin, q="pe_survey") == {underscore}
    assert listed(admin, q="_") == {underscore}
    assert listed(admin, q="\\data") == {backslash}
    assert fifty not in listed(admin, q="50%") and letters not in listed(admin, q="pe_survey")


def test_pagination(admin: FlaskClient, framework: str, make_evidence: Any) -> None:
    start = date(2022, 4, 1)
    made = [make_evidence(title=f"Item {n:02d}", collected_on=start + timedelta(days=n)) for n in range(30)]
    first = admin.get(f"/f/{SLUG}/evidence")
    first_ids = ids_on_page(first)
    page = Page(first.get_data(as_text=True))
    assert len(first_ids) == 25
    assert page.text("main p[role=status]").startswith("30 items, page 1 of 2.")
    assert page.texts("nav.pagination a") == ["Next page"] and page.has("nav.pagination a[rel=next]")
    second = admin.get(f"/f/{SLUG}/evidence", query_string={"page": "2"})
    second_ids = ids_on_page(second)
    assert len(second_ids) == 5
    previous = Page(second.get_data(as_text=True)).links("nav.pagination a[rel=prev]")
    assert previous == [("Previous page", f"/f/{SLUG}/evidence?page=1")]
    assert set(first_ids) | set(second_ids) == set(made) and not set(first_ids) & set(second_ids)
    # Newest first: page 1 starts with the last collected item.
    assert first_ids[0] == made[-1] and second_ids[-1] == made[0]
    # Pages out of range land on the nearest page; the CSV has every item, not one page.
    assert ids_on_page(admin.get(f"/f/{SLUG}/evidence", query_string={"page": "99"})) == second_ids
    assert ids_on_page(admin.get(f"/f/{SLUG}/evidence", query_string={"page": "-3"})) == first_ids
    assert ids_on_page(admin.get(f"/f/{SLUG}/evidence", query_string={"page": "x"})) == first_ids
    assert len(csv_rows(admin)) == 30


def test_pagination_keeps_filters(admin: FlaskClient, framework: str, make_evidence: Any) -> None:
    for n in range(27):
        make_evidence(title=f"Interview {n}", source_type="interview")
    make_evidence(title="A survey", source_type="survey")
    page = Page.of(admin.get(f"/f/{SLUG}/evidence", query_string={"source_type": "interview"}), 200)
    assert page.text("main p[role=status]").startswith("27 items, page 1 of 2.")
    [(_text, href)] = page.links("nav.pagination a[rel=next]")
    path, query = href.split("?")
    assert path == f"/f/{SLUG}/evidence" and parse_qs(query) == {"source_type": ["interview"], "page": ["2"]}


def test_csv_has_the_contract_columns_and_the_values(
    admin: FlaskClient, framework: str, make_evidence: Any
) -> None:
    evidence_id = make_evidence(
        title="Survey", summary="Most agreed", source_type="survey", collected_on=date(2023, 1, 5),
        links=("more-statutory", "educators-supported"), finding="mixed", respondents=20, population=40, positive=12,
        collection="c-2023", respondent_group="students", independent=True, quote="Good", url="https://example.org/r",
        flags=["indirect", "partial_coverage"], status="submitted", shows="how_well", kpi="statutory-share",
    )  # fmt: skip
    response = admin.get(f"/f/{SLUG}/evidence.csv")
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == ["id", *EVIDENCE_COLUMNS]
    assert EVIDENCE_COLUMNS[:6] == ("title", "summary", "source_type", "collected_on", "links", "finding")
    [row] = csv_rows(admin)
    assert row == {
        "id": str(evidence_id), "title": "Survey", "summary": "Most agreed", "source_type": "survey",
        "collected_on": "2023-01-05", "links": "more-statutory;educators-supported", "finding": "mixed",
        "respondents": "20", "population": "40", "positive": "12", "collection": "c-2023", "group": "students",
        "independent": "true", "partner": "tiny-council", "quote": "Good", "url": "https://example.org/r",
        "flags": "indirect;partial_coverage", "status": "submitted", "shows": "how_well", "kpi": "statutory-share",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("title", "exported"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Plain title = fine", "Plain title = fine"),
    ],
)
def test_csv_neutralises_formulas(
    admin: FlaskClient, framework: str, make_evidence: Any, title: str, exported: str
) -> None:
    make_evidence(title=title, summary='=HYPERLINK("http://evil.example")', quote="@import")
    [row] = csv_rows(admin)
    assert row["title"] == exported
    assert row["summary"] == '\'=HYPERLINK("http://evil.example")'
    assert row["quote"] == "'@import"
    # The page itself shows the title as typed.
    assert title in admin.get(f"/f/{SLUG}/evidence").get_data(as_text=True).replace("&#39;", "'").replace(
        "&amp;", "&"
    ).replace("&lt;", "<").replace("&gt;", ">")


@pytest.mark.parametrize(
    ("role", "partner", "expected"),
    [
        ("admin", None, {"survey", "interview", "workshop", "draft", "returned"}),
        ("evaluator", None, {"survey", "interview", "workshop", "returned"}),
        ("board", None, {"survey", "workshop"}),
        # Leads: their own partner's items, and every accepted item (what ratings and the report rest on).
        ("lead", "tiny-council", {"survey", "interview", "draft", "workshop"}),
        ("lead", "other-council", {"workshop", "survey"}),
    ],
)
def test_list_respects_visibility(
    as_role: Any, items: dict[str, int], role: str, partner: str | None, expected: set[str]
) -> None:
    client = as_role(role, partner=partner or "tiny-council")
    want = {items[name] for name in expected}
    assert listed(client) == want
    assert {int(row["id"]) for row in csv_rows(client)} == want
    # Asking for a status the role cannot see gives nothing, not an error.
    if role == "board":
        assert listed(client, status="draft") == set()
        assert csv_rows(client, status="submitted") == []
    if role == "lead":
        # Another partner's items: only the accepted ones, never a draft or a submitted item.
        other = "tiny-council" if partner == "other-council" else "other-council"
        others = {items["survey"]} if other == "tiny-council" else {items["workshop"]}
        assert listed(client, partner=other) == others


def test_list_needs_sign_in_and_a_known_framework(app: Flask, admin: FlaskClient, framework: str) -> None:
    anonymous = app.test_client()
    for url in (f"/f/{SLUG}/evidence", f"/f/{SLUG}/evidence.csv"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert admin.get("/f/no-such-framework/evidence").status_code == 404
    assert admin.get("/f/no-such-framework/evidence.csv").status_code == 404

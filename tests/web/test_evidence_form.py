"""The evidence pages as a new lead meets them (issue 17): names not ids, choices grouped by theme and kind with
a filter, drafts that need only a title and a date, collection dates that make sense, dropped attachments said
at the field, and a lead's partner errors that point somewhere."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tracker.db.models import Evidence, EvidenceLink
from tracker.domain.evidence_input import EARLIEST_COLLECTED, parse_evidence
from tracker.extensions import db
from tracker.web import CSP

from ..page import Page, attr, text_of
from .test_evidence_list import two_themes  # noqa: F401  (a fixture: the framework with a second theme)

SLUG = "tiny-partnership"
NEW = f"/f/{SLUG}/evidence/new"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Every id of the tiny framework a person could be shown instead of a name (one-word ids such as
# "retention" read as words, so the hyphenated ones are the ones to look for).
IDS = (
    "more-statutory",
    "educators-supported",
    "out-days",
    "statutory-share",
    "tiny-council",
    "other-council",
)


def full(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Practice educator survey",
        "summary": "Most felt supported",
        "source_type": "survey",
        "collected_on": "2023-03-01",
        "links": ["educators-supported"],
        "finding": "supports",
        "action": "submit",
        **overrides,
    }


def created_id(response: Any) -> int:
    assert response.status_code == 302, Page(response.get_data(as_text=True)).error_summary
    match = re.fullmatch(r"/evidence/(\d+)", response.headers["Location"])
    assert match is not None
    return int(match.group(1))


def stored(app: Flask, evidence_id: int) -> dict[str, Any]:
    with app.app_context():
        e = db.session.get(Evidence, evidence_id)
        assert e is not None
        links = db.session.scalars(
            select(EvidenceLink.element_id).where(EvidenceLink.evidence_id == e.id)
        ).all()
        return {
            "status": e.status,
            "title": e.title,
            "source_type": e.source_type,
            "finding": e.finding,
            "collected_on": e.collected_on,
            "links": len(links),
            "row_version": e.row_version,
        }


@pytest.fixture
def lead(as_role: Any) -> FlaskClient:
    return as_role("lead")  # type: ignore[no-any-return]


def terms(page: Page) -> dict[str, str]:
    """The item's summary list: each term's text and what it says."""
    found = {}
    for pair in page.all("dl.summary-list > div"):
        term, value = pair.find("dt"), pair.find("dd")
        assert isinstance(term, Tag) and isinstance(value, Tag)
        found[text_of(term)] = text_of(value)
    return found


def legend(fieldset: Tag) -> str:
    """A fieldset's own legend, as a screen reader announces the group."""
    found = fieldset.find("legend", recursive=False)
    assert isinstance(found, Tag), fieldset.name
    return text_of(found)


def shows_no_ids(page: Page) -> None:
    """No framework or partner id in what the page says (ids may stay in hrefs and form values)."""
    said = page.main
    assert not [slug for slug in IDS if slug in said], said


# -- 1. names, not ids ----------------------------------------------------------------------------------


def test_list_queue_and_item_show_names_not_ids(as_role: Any, make_evidence: Any) -> None:
    evidence_id = make_evidence(
        title="Allocation interviews", links=("more-statutory", "out-days", "statutory-share"),
        status="submitted", flags=["indirect", "partial_coverage"],
    )  # fmt: skip
    evaluator = as_role("evaluator")

    listing = Page.of(evaluator.get(f"/f/{SLUG}/evidence"), 200)
    [row] = listing.rows("Evidence items")
    assert row[0] == (
        "Allocation interviews Bears on: Output: Four allocation days a year; "
        "Outcome: More students have statutory placements; KPI: Share of placements that are statutory"
    )
    assert row[-1] == "Tiny Council"
    shows_no_ids(listing)
    # The element filter still sends ids (form values) and shows names.
    assert "more-statutory" in [attr(o, "value") for o in listing.all("#element option")]

    queue = Page.of(evaluator.get("/review"), 200)
    assert queue.rows("Items") == [
        ["Allocation interviews", "Tiny Teaching Partnership", "1 March 2023", "Tiny Council"]
    ]
    shows_no_ids(queue)

    item = Page.of(evaluator.get(f"/evidence/{evidence_id}"), 200)
    said = terms(item)
    assert said["Bears on"] == (
        "Output: Four allocation days a year Outcome: More students have statutory placements "
        "KPI: Share of placements that are statutory"
    )
    assert said["Flags"] == "Indirect, Partial coverage" and said["Partner"] == "Tiny Council"
    shows_no_ids(item)


def test_history_names_the_fields_that_changed(app: Flask, as_role: Any, make_evidence: Any) -> None:
    evidence_id = make_evidence(status="submitted")
    evaluator = as_role("evaluator")
    note = "Please add how many educators were asked."
    moved = evaluator.post(
        f"/evidence/{evidence_id}/status", data={"to": "returned", "row_version": "1", "note": note}
    )
    assert moved.status_code == 302
    page = Page.of(evaluator.get(f"/evidence/{evidence_id}"), 200)
    assert [what for _when, _who, what in page.rows("Changes to this item")] == [
        "Returned for changes: status, review note"
    ]


# -- 2. the choices, grouped by theme and kind, with a filter ----------------------------------------------


def test_choices_are_grouped_by_theme_then_kind(lead: FlaskClient) -> None:
    page = Page.of(lead.get(NEW), 200)
    links = page.field("links")
    assert links.name == "fieldset" and legend(links) == "What it bears on"
    themes = links.select("fieldset.link-theme")
    assert [legend(t) for t in themes] == ["Student placements"]
    groups = {
        legend(kind): [text_of(label) for label in kind.select("label")]
        for kind in themes[0].select("fieldset.link-kind")
    }
    assert groups == {
        "Outcomes": [
            "More students have statutory placements",
            "Practice educators feel supported",
            "Graduates stay in the region",
        ],
        "Outputs": ["Four allocation days a year"],
        "KPIs": ["Share of placements that are statutory"],
    }
    assert list(groups) == ["Outcomes", "Outputs", "KPIs"]
    # Each box posts the element's id and is labelled by its name.
    box = page.field("links-out-days")
    assert (attr(box, "type"), attr(box, "name"), attr(box, "value")) == ("checkbox", "links", "out-days")
    assert box.find_parent("fieldset", class_="link-kind") is not None
    shows_no_ids(page)


@pytest.mark.usefixtures("two_themes")
def test_second_theme_gets_its_own_group(lead: FlaskClient) -> None:
    page = Page.of(lead.get(NEW), 200)
    assert page.texts("fieldset.link-theme > legend") == ["Student placements", "Learning together"]
    learning = page.by_id("links-theme-learning")
    assert [legend(k) for k in learning.select("fieldset.link-kind")] == ["Outcomes", "Outputs"]
    assert [attr(box, "value") for box in learning.select("input[type=checkbox]")] == [
        "shared-learning",
        "out-workshops",
    ]


def test_filter_is_an_enhancement_from_a_file_the_policy_allows(app: Flask, lead: FlaskClient) -> None:
    page = Page.of(lead.get(NEW), 200)
    box = page.one("[data-link-filter]")
    # Hidden in the markup: without JavaScript every checkbox shows and there is no box that does nothing.
    assert box.has_attr("hidden") and attr(box, "data-link-filter") == "links-options"
    assert page.has_id("links-options") and page.by_id("links-options").select("input[type=checkbox]")
    search = page.field("links-filter")
    assert attr(search, "type") == "search" and not search.has_attr("name"), "the filter is never sent"
    assert text_of(page.one("label[for=links-filter]")) == "Filter the choices"
    assert page.described_by("links-filter") == ["links-filter-hint", "links-filter-count"]
    assert attr(page.by_id("links-filter-count"), "role") == "status"
    # The script is the site's own file (the Content-Security-Policy allows no inline script).
    scripts = page.all("script")
    assert [attr(s, "src") for s in scripts] == ["/static/link-filter.js"] and not scripts[
        0
    ].get_text().strip()
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    served = lead.get("/static/link-filter.js")
    assert served.status_code == 200 and served.mimetype in {"text/javascript", "application/javascript"}
    assert "data-link-filter" in served.get_data(as_text=True)
    served.close()
    # Other pages do not load it.
    assert Page.of(lead.get(f"/f/{SLUG}/evidence"), 200).all("script") == []


def test_ticked_choices_come_back_ticked(lead: FlaskClient) -> None:
    page = Page.of(lead.post(NEW, data=full(title="", links=["out-days", "statutory-share"])), 400)
    assert page.checked("links-out-days") and page.checked("links-statutory-share")
    assert not page.checked("links-more-statutory")


# -- 3. drafts need a title and a date; submitting needs everything ---------------------------------------


def test_a_draft_needs_only_a_title_and_a_date(app: Flask, lead: FlaskClient) -> None:
    guide = Page.of(lead.get(NEW), 200).text("#form-guide")
    assert "only a title and the date collected" in guide
    evidence_id = created_id(
        lead.post(
            NEW,
            data={"title": "Notes from the allocation day", "collected_on": "2023-03-01", "action": "draft"},
        )
    )
    assert stored(app, evidence_id) == {
        "status": "draft", "title": "Notes from the allocation day", "source_type": "", "finding": "",
        "collected_on": date(2023, 3, 1), "links": 0, "row_version": 1,
    }  # fmt: skip
    page = Page.of(lead.get(f"/evidence/{evidence_id}"), 200)
    said = terms(page)
    assert said["Type"] == "Not given yet" and said["What it shows"] == "Not given yet"
    assert said["Bears on"] == "Nothing linked"
    assert page.text("#missing") == (
        "Not ready for review Before it can be submitted for review it needs: type of evidence, what it bears on, "
        "what it shows."
    )
    assert "Submit for review" not in page.texts("button") and "Withdraw to draft" not in page.texts("button")
    listing = Page.of(lead.get(f"/f/{SLUG}/evidence"), 200)
    assert listing.rows("Evidence items")[0][1] == "Not given yet"


@pytest.mark.parametrize(
    ("missing", "field", "message"),
    [
        ("title", "title", "Title is required, even for a draft"),
        ("collected_on", "collected_on", "Date collected is required, even for a draft"),
    ],
)
def test_a_draft_still_needs_its_title_and_date(
    app: Flask, lead: FlaskClient, missing: str, field: str, message: str
) -> None:
    data = {"title": "Notes", "collected_on": "2023-03-01", "action": "draft", missing: ""}
    page = Page.of(lead.post(NEW, data=data), 400)
    page.assert_error_at(field, message)
    assert len(page.error_summary) == 1
    with app.app_context():
        assert db.session.scalar(select(Evidence.id)) is None


def test_submitting_still_needs_every_required_field(app: Flask, lead: FlaskClient) -> None:
    page = Page.of(
        lead.post(NEW, data={"title": "Notes", "collected_on": "2023-03-01", "action": "submit"}), 400
    )
    assert [target for target, _ in page.error_summary] == ["source_type", "links", "finding"]
    page.assert_error_at("source_type", "Type of evidence is required")
    page.assert_error_at("finding", "What it shows is required")
    assert page.field_error("links") == "What it bears on is required"
    with app.app_context():
        assert db.session.scalar(select(Evidence.id)) is None


def test_an_unfinished_draft_cannot_be_moved_to_review(app: Flask, lead: FlaskClient) -> None:
    evidence_id = created_id(
        lead.post(NEW, data={"title": "Notes", "collected_on": "2023-03-01", "action": "draft"})
    )
    moved = lead.post(f"/evidence/{evidence_id}/status", data={"to": "submitted", "row_version": "1"})
    assert moved.status_code == 303 and moved.headers["Location"] == f"/evidence/{evidence_id}"
    assert stored(app, evidence_id)["status"] == "draft" and stored(app, evidence_id)["row_version"] == 1
    page = Page.of(lead.get(f"/evidence/{evidence_id}"), 200)
    assert page.flash_categories()[-1] == (
        "error",
        "It cannot be submitted for review yet; it still needs: type of evidence, what it bears on, "
        "what it shows. Edit it to fill them in.",
    )
    # Finished through the form, it is submitted as usual; then the show page has nothing missing.
    done = lead.post(f"/evidence/{evidence_id}/edit", data=full(title="Notes", row_version="1"))
    assert done.status_code == 302
    assert stored(app, evidence_id)["status"] == "submitted" and stored(app, evidence_id)["links"] == 1
    assert not Page.of(lead.get(f"/evidence/{evidence_id}"), 200).has("#missing")


def test_a_complete_draft_is_submitted_from_its_page(app: Flask, lead: FlaskClient) -> None:
    evidence_id = created_id(lead.post(NEW, data=full(action="draft")))
    page = Page.of(lead.get(f"/evidence/{evidence_id}"), 200)
    assert not page.has("#missing") and "Submit for review" in page.texts("button")
    assert (
        lead.post(f"/evidence/{evidence_id}/status", data={"to": "submitted", "row_version": "1"}).status_code
        == 302
    )
    assert stored(app, evidence_id)["status"] == "submitted"


def test_editing_a_draft_or_a_submitted_item(app: Flask, lead: FlaskClient, make_evidence: Any) -> None:
    draft = make_evidence(status="draft")
    saved = lead.post(
        f"/evidence/{draft}/edit",
        data={"title": "Cut back", "collected_on": "2023-03-01", "row_version": "1", "action": "draft"},
    )
    assert saved.status_code == 302
    assert stored(app, draft) | {"row_version": 0} == {
        "status": "draft", "title": "Cut back", "source_type": "", "finding": "", "collected_on": date(2023, 3, 1),
        "links": 0, "row_version": 0,
    }  # fmt: skip
    # A submitted item is under review: saving it needs every field.
    submitted = make_evidence(status="submitted")
    page = Page.of(
        lead.post(f"/evidence/{submitted}/edit", data=full(finding="", row_version="1", action="save")), 400
    )
    page.assert_error_at("finding", "What it shows is required")
    assert stored(app, submitted)["finding"] == "supports"


def test_csv_rows_follow_the_same_rule_for_drafts() -> None:
    linkable, today = {"educators-supported": "outcome"}, date(2024, 1, 1)
    fields, problems = parse_evidence(
        {"title": "Notes", "collected_on": "2023-01-01", "status": "draft"}, linkable, set(), today
    )
    assert problems == [] and fields is not None and fields.source_type == "" and fields.links == ()
    _, problems = parse_evidence({"title": "Notes", "collected_on": "2023-01-01"}, linkable, set(), today)
    assert [name for name, _ in problems] == ["source_type", "links", "finding"]
    _, problems = parse_evidence({"collected_on": "2023-01-01", "status": "draft"}, linkable, set(), today)
    assert problems == [("title", "is required, even for a draft")]


# -- 4. collection dates ----------------------------------------------------------------------------------


def test_csv_rows_and_survey_rounds_refuse_early_dates_too() -> None:
    row = {"title": "Old", "source_type": "survey", "links": "educators-supported", "finding": "supports"}
    linkable, today = {"educators-supported": "outcome"}, date(2024, 1, 1)
    for early in ("1900-01-01", "1989-12-31"):
        fields, problems = parse_evidence({**row, "collected_on": early}, linkable, set(), today)
        assert fields is None and problems == [
            ("collected_on", f"{early} is before 1 January 1990, the earliest date accepted: check the year")
        ]
    fields, problems = parse_evidence({**row, "collected_on": "1990-01-01"}, linkable, set(), date.max)
    assert problems == [] and fields is not None and fields.collected_on == EARLIEST_COLLECTED


@pytest.mark.parametrize(
    ("collected_on", "message"),
    [
        (
            "1900-01-01",
            "Date collected 1900-01-01 is before 1 January 1990, the earliest date accepted: check the year",
        ),
        ("1989-12-31", "is before 1 January 1990"),
        ("0023-03-01", "is before 1 January 1990"),
        ("tomorrow", "is in the future"),  # made when the test runs, not when it is collected
    ],
)
@pytest.mark.parametrize("action", ["submit", "draft"])
def test_a_date_outside_sense_is_refused_at_the_field(
    app: Flask, lead: FlaskClient, collected_on: str, message: str, action: str
) -> None:
    if collected_on == "tomorrow":
        collected_on = (date.today() + timedelta(days=1)).isoformat()
    page = Page.of(lead.post(NEW, data=full(collected_on=collected_on, action=action)), 400)
    page.assert_error_at("collected_on", message)
    assert page.value("collected_on") == collected_on
    with app.app_context():
        assert db.session.scalar(select(Evidence.id)) is None


def test_the_date_field_says_its_range(app: Flask, lead: FlaskClient) -> None:
    page = Page.of(lead.get(NEW), 200)
    field = page.field("collected_on")
    assert (attr(field, "type"), attr(field, "min"), attr(field, "max")) == (
        "date", EARLIEST_COLLECTED.isoformat(), date.today().isoformat(),
    )  # fmt: skip
    assert page.hint("collected_on").endswith("from 1 January 1990 to today.")
    assert created_id(lead.post(NEW, data=full(collected_on="1990-01-01"))) > 0
    assert created_id(lead.post(NEW, data=full(collected_on=date.today().isoformat()))) > 0


# -- 5. attachments a returned form could not keep ---------------------------------------------------------


def test_a_returned_form_says_its_files_were_not_kept(app: Flask, lead: FlaskClient) -> None:
    data = full(finding="", attachments=[(io.BytesIO(PDF), "survey.pdf")])
    page = Page.of(lead.post(NEW, data=data, content_type="multipart/form-data"), 400)
    page.assert_error_at("attachments", "Your file survey.pdf was not kept: choose it again.")
    assert page.described_by("attachments") == ["attachments-hint", "attachments-error"]
    assert attr(page.field("attachments"), "aria-invalid") == "true"
    assert [target for target, _ in page.error_summary] == ["finding", "attachments"]
    two = full(title="", attachments=[(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")])
    page = Page.of(lead.post(NEW, data=two, content_type="multipart/form-data"), 400)
    assert page.field_error("attachments") == "Your files (a.pdf, b.pdf) were not kept: choose them again."


def test_a_refused_file_says_why_and_that_none_were_kept(app: Flask, lead: FlaskClient) -> None:
    data = full(attachments=[(io.BytesIO(PDF), "good.pdf"), (io.BytesIO(PDF), "bad.png")])
    page = Page.of(lead.post(NEW, data=data, content_type="multipart/form-data"), 400)
    message = page.field_error("attachments")
    assert message is not None and message.startswith("bad.png: the file's contents are not a .png file.")
    assert message.endswith("Your files (good.pdf, bad.png) were not kept: choose them again.")
    assert page.error_summary == [("attachments", message)]
    assert page.described_by("attachments") == ["attachments-hint", "attachments-error"]


def test_no_files_no_note(lead: FlaskClient) -> None:
    page = Page.of(lead.post(NEW, data=full(finding="")), 400)
    assert page.field_error("attachments") is None and page.described_by("attachments") == [
        "attachments-hint"
    ]


# -- 6. a lead's partner --------------------------------------------------------------------------------


def test_a_leads_form_shows_their_partner_and_its_error_there(app: Flask, lead: FlaskClient) -> None:
    blank = Page.of(lead.get(NEW), 200)
    assert not blank.all("select#partner")
    assert blank.text("#partner") == "Partner Tiny Council (your partner: the evidence you log is theirs)"
    page = Page.of(lead.post(NEW, data=full(partner="no-such-partner")), 400)
    [(target, message)] = page.error_summary
    assert target == "partner" and page.has_id("partner"), "the summary links to something on the page"
    assert message == "Partner 'no-such-partner' is not a partner of this framework"
    assert page.field_error("partner") == message
    group = page.by_id("partner")
    assert attr(group, "tabindex") == "-1" and attr(group, "aria-describedby") == "partner-error"
    # The form sent back carries no partner, so sending it again saves the lead's own partner's item.
    evidence_id = created_id(lead.post(NEW, data=full()))
    with app.app_context():
        item = db.session.get(Evidence, evidence_id)
        assert item is not None and item.partner_id is not None
    assert (
        Page.of(lead.get(f"/evidence/{evidence_id}"), 200).text("dl.summary-list").count("Tiny Council") == 1
    )


def test_others_choose_the_partner_from_a_list(as_role: Any) -> None:
    admin = as_role("admin")
    page = Page.of(admin.post(NEW, data=full(partner="no-such-partner")), 400)
    assert page.field("partner").name == "select"
    page.assert_error_at("partner", "'no-such-partner' is not a partner of this framework")

"""What an evidence item answers and the KPI it reports (issue 18): the form asks both, with labels and hints
tied to their controls, checks them as CSV rows are checked, saves them, and the item says them in words."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tracker.db.models import AuditEvent, Evidence
from tracker.domain.evidence_input import SHOWS, SHOWS_HELP, SHOWS_LABELS
from tracker.extensions import db

from ..import_checks import digest
from ..page import Page, attr, text_of
from .test_evidence_form import NEW, created_id, full, legend, shows_no_ids, terms

KPI_NAME = "Share of placements that are statutory"
KPI_HINT = (
    "If this item reports a KPI's value, pick the KPI: the KPI's line stands for it, so the figure is not "
    "counted twice."
)


@pytest.fixture
def lead(as_role: Any) -> FlaskClient:
    return as_role("lead")  # type: ignore[no-any-return]


def answer_and_kpi(app: Flask, evidence_id: int) -> tuple[str, str]:
    with app.app_context():
        item = db.session.get(Evidence, evidence_id)
        assert item is not None
        return item.shows, item.kpi


def label_of(page: Page, control: Tag) -> str:
    """The text of the one label tied to a control by its id."""
    labels = page.all(f"label[for='{attr(control, 'id')}']")
    assert len(labels) == 1, attr(control, "id")
    return text_of(labels[0])


def radios(page: Page) -> list[tuple[str, str, str, bool]]:
    """The "What does it answer?" radios: (value, label, the hint it is described by, checked)."""
    found = []
    for radio in page.field("shows").select("input[type=radio]"):
        assert attr(radio, "name") == "shows"
        hints = [text_of(page.by_id(i)) for i in attr(radio, "aria-describedby").split()]
        assert len(hints) <= 1
        found.append((attr(radio, "value"), label_of(page, radio), "".join(hints), radio.has_attr("checked")))
    return found


# -- the controls -----------------------------------------------------------------------------------------


def test_the_form_asks_what_it_answers_with_a_hint_for_each_choice(lead: FlaskClient) -> None:
    page = Page.of(lead.get(NEW), 200)
    group = page.field("shows")
    assert group.name == "fieldset" and legend(group) == "What does it answer? (optional)"
    assert page.described_by("shows") == ["shows-hint"]
    assert radios(page) == [
        ("", "Not said", "", True),  # a new item says nothing until the person chooses
        ("how_much", "How much did we do?", "A count of what was done: events held, places filled, people reached.",
         False),
        ("how_well", "How well did we do it?", "The quality of what was done: satisfaction, timeliness, take-up.",
         False),
        ("better_off", "Is anyone better off?",
         "A change in people's skills, attitudes, behaviour or circumstances.", False),
    ]  # fmt: skip
    # Each choice says the domain's own words: its label and its help line.
    for code, (value, label, hint, _checked) in zip(SHOWS, radios(page)[1:], strict=True):
        assert (value, label) == (code, SHOWS_LABELS[code]) and SHOWS_HELP[code] in hint.lower()


def test_the_form_offers_the_frameworks_kpis_by_name(lead: FlaskClient) -> None:
    page = Page.of(lead.get(NEW), 200)
    select_ = page.field("kpi")
    assert select_.name == "select" and attr(select_, "name") == "kpi"
    assert label_of(page, select_) == "KPI it reports (optional)"
    assert [(attr(o, "value"), text_of(o)) for o in select_.select("option")] == [
        ("", "None"),
        ("statutory-share", KPI_NAME),
    ]
    assert page.value("kpi") == ""
    assert page.described_by("kpi") == ["kpi-hint"] and page.hint("kpi") == KPI_HINT
    findings = [(attr(o, "value"), text_of(o)) for o in page.field("finding").select("option")]
    assert ("too_early", "Too early to measure the effect") in findings
    shows_no_ids(page)


# -- saving and showing -----------------------------------------------------------------------------------


def test_the_form_saves_them_and_the_item_says_them_in_words(app: Flask, lead: FlaskClient) -> None:
    data = full(
        title="Placement returns",
        links=["more-statutory", "statutory-share"],
        shows="better_off",
        kpi="statutory-share",
    )
    evidence_id = created_id(lead.post(NEW, data=data))
    assert answer_and_kpi(app, evidence_id) == ("better_off", "statutory-share")
    item = Page.of(lead.get(f"/evidence/{evidence_id}"), 200)
    said = terms(item)
    assert said["What it answers"] == "Is anyone better off?"
    assert said["KPI it reports"] == KPI_NAME
    shows_no_ids(item)
    # The edit form comes back with them chosen.
    form = Page.of(lead.get(f"/evidence/{evidence_id}/edit"), 200)
    assert [value for value, _l, _h, checked in radios(form) if checked] == ["better_off"]
    assert form.value("kpi") == "statutory-share"
    # Changed, then cleared: the history names them as people do.
    with app.app_context():
        version = db.session.scalars(select(Evidence.row_version).where(Evidence.id == evidence_id)).one()
    saved = lead.post(
        f"/evidence/{evidence_id}/edit",
        data={**data, "shows": "how_much", "kpi": "", "row_version": str(version), "action": "save"},
    )
    assert saved.status_code == 302, Page(saved.get_data(as_text=True)).error_summary
    assert answer_and_kpi(app, evidence_id) == ("how_much", "")
    item = Page.of(lead.get(f"/evidence/{evidence_id}"), 200)
    assert terms(item)["What it answers"] == "How much did we do?" and "KPI it reports" not in terms(item)
    history = [what for _when, _who, what in item.rows("Changes to this item")]
    assert history[-1] == "Edited: what it answers, KPI it reports"
    with app.app_context():
        before, after = db.session.execute(
            select(AuditEvent.before, AuditEvent.after).where(AuditEvent.action == "evidence.edit")
        ).one()
    assert (before["shows"], before["kpi"]) == ("better_off", "statutory-share")
    assert (after["shows"], after["kpi"]) == ("how_much", "")


def test_an_item_that_says_neither_says_so(as_role: Any, make_evidence: Any) -> None:
    evidence_id = make_evidence(status="submitted")
    said = terms(Page.of(as_role("evaluator").get(f"/evidence/{evidence_id}"), 200))
    assert said["What it answers"] == "Not said" and "KPI it reports" not in said


def test_a_draft_may_say_them_too(app: Flask, lead: FlaskClient) -> None:
    data = {"title": "Notes", "collected_on": "2023-03-01", "shows": "how_well", "action": "draft"}
    evidence_id = created_id(lead.post(NEW, data=data))
    assert answer_and_kpi(app, evidence_id) == ("how_well", "")


# -- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("shows", "effect", "What does it answer? 'effect' is not one of: how_much, how_well, better_off"),
        ("kpi", "more-statutory", "KPI it reports 'more-statutory' is not a KPI of this framework"),
        ("kpi", "no-such-kpi", "KPI it reports 'no-such-kpi' is not a KPI of this framework"),
    ],
)
def test_a_value_the_form_does_not_offer_is_refused_at_its_field(
    app: Flask, lead: FlaskClient, field: str, value: str, message: str
) -> None:
    before = digest(app)
    page = Page.of(lead.post(NEW, data=full(**{field: value})), 400)
    page.assert_error_at(field, message)
    assert digest(app) == before


def test_a_refused_form_keeps_what_was_chosen(lead: FlaskClient) -> None:
    page = Page.of(lead.post(NEW, data=full(title="", shows="how_well", kpi="statutory-share")), 400)
    assert [value for value, _l, _h, checked in radios(page) if checked] == ["how_well"]
    assert page.value("kpi") == "statutory-share"


def test_a_kpi_taken_out_of_the_framework_stays_on_its_items(
    app: Flask, lead: FlaskClient, load_framework: Any, tiny_yaml: str
) -> None:
    """As with links: the form no longer offers an archived KPI, so saving the item keeps it, not drops it."""
    evidence_id = created_id(lead.post(NEW, data=full(kpi="statutory-share", shows="better_off")))
    kpi = tiny_yaml[tiny_yaml.index("    kpis:\n      - id: statutory-share") :]
    smaller = tiny_yaml.replace(kpi, "").replace(", kpis: [statutory-share]", "")
    load_framework(smaller.replace("version: 1", "version: 2"))
    form = Page.of(lead.get(f"/evidence/{evidence_id}/edit"), 200)
    assert [attr(o, "value") for o in form.field("kpi").select("option")] == [""]
    with app.app_context():
        version = db.session.scalars(select(Evidence.row_version).where(Evidence.id == evidence_id)).one()
    saved = lead.post(
        f"/evidence/{evidence_id}/edit",
        data=full(kpi="", shows="how_well", row_version=str(version), action="save"),
    )
    assert saved.status_code == 302, Page(saved.get_data(as_text=True)).error_summary
    assert answer_and_kpi(app, evidence_id) == ("how_well", "statutory-share")
    assert terms(Page.of(lead.get(f"/evidence/{evidence_id}"), 200))["KPI it reports"] == KPI_NAME

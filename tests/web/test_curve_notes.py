"""Turn-the-curve notes on the KPI page (issue 20): the note beside the KPI's chart with its evidence, its plans
and its version; the form that writes a new version (errors at fields, nothing written, stale forms refused);
the history; and who may write (leads of the framework's partners and admins) and read (everyone signed in)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import PASSWORD, sign_in
from tests.digest import table_digests
from tests.page import Page, attr, text_of
from tests.unit.test_action_plans import plan
from tracker.db.models import CurveNote, Framework, Partner, User
from tracker.extensions import db
from tracker.plans import service as plan_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

SLUG = "tiny-partnership"
KPI = "statutory-share"
CURVE = f"/f/{SLUG}/kpis/{KPI}/curve"
VALUES = [("2020/21", "2021-03-31", "70"), ("2021/22", "2022-03-31", "75"), ("2022/23", "2023-03-31", "80")]


@pytest.fixture
def with_values(framework: str, as_role: Any) -> None:
    """Three periods of the KPI (the baseline's year among them): enough for a forecast."""
    admin = as_role("admin")
    for period, period_end, value in VALUES:
        data = {"kpi": KPI, "period": period, "period_end": period_end, "value": value}
        assert admin.post(f"/f/{SLUG}/kpis", data=data).status_code == 302


def note_form(**more: str) -> dict[str, str]:
    return {
        "story": "Statutory teams were stretched.\nAllocation days helped.",
        "partners": "Tiny Council; the university",
        "what_works": "Allocation days with every team",
        "evidence_ids": "",
        "source": "",
        "version": "0",
        **more,
    }


def add_kpi_plan(app: Flask, email: str) -> None:
    with app.app_context(), db.unit_of_work() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        framework = session.scalars(select(Framework).where(Framework.slug == SLUG)).one()
        raw = plan(target_kind="kpi", target_id=KPI, title="More statutory placements", status="agreed")
        plan_service.create_plan(
            session, Actor(user.email, user.role, user.id), Principal.of(user), framework, raw
        )


def curve_section(page: Page) -> Any:
    return page.by_id(f"curve-{KPI}")


@pytest.mark.usefixtures("with_values")
def test_the_note_stands_beside_the_chart_with_its_evidence_plans_and_version(
    app: Flask, as_role: Any, make_user: Any, make_evidence: Any
) -> None:
    lead_email = make_user("lead")
    lead = app.test_client()
    sign_in(lead, lead_email)
    item = make_evidence(links=(KPI,), title="Allocation day evaluation")
    response = lead.post(CURVE, data=note_form(evidence_ids=f"{item}"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kpis#curve-{KPI}")
    add_kpi_plan(app, lead_email)

    page = Page.of(as_role("board").get(f"/f/{SLUG}/kpis"), 200)
    section = curve_section(page)
    assert text_of(section.select_one("h3")) == "Share of placements that are statutory"
    # the chart: the KPI's trend with its forecast (three periods)
    [chart] = section.select("figure svg[data-chart=trend]")
    assert len(chart.select("path[data-part=forecast]")) == 1
    assert "Forecast (straight line through 3 periods): 85% in 2023/24" in text_of(chart.select_one("desc"))
    # beside it, the note
    note = section.select_one(".curve-note")
    answers = {text_of(dt): dt.find_next_sibling("dd") for dt in note.select("dl.curve-answers > dt")}
    assert list(answers) == ["The story behind the curve", "Partners with a role to play", "What works"]
    assert text_of(answers["The story behind the curve"]) == (
        "Statutory teams were stretched. Allocation days helped."
    )
    assert "\n" in answers["The story behind the curve"].get_text()  # the writer's line break is kept
    assert text_of(answers["Partners with a role to play"]) == "Tiny Council; the university"
    links = [(text_of(a), attr(a, "href")) for a in answers["What works"].select("a")]
    assert links == [("Allocation day evaluation", f"/evidence/{item}")]
    plans = [(text_of(a), attr(a, "href")) for a in note.select("ul.curve-plans a")]
    assert plans == [("Action plan 1: More statutory placements", f"/f/{SLUG}/plans/1")]
    version = text_of(note.select_one(".curve-version"))
    assert version.startswith(f"Version 1, saved by {lead_email} on ")
    assert attr(note.select_one(".curve-version a"), "href") == f"{CURVE}/history"
    # a board member reads it, and is offered nothing to write
    assert not note.select("a.curve-write") and not note.select("a.curve-new-plan")
    assert page.forms() == []


@pytest.mark.usefixtures("with_values")
def test_a_lead_is_offered_the_form_and_a_plan_for_a_kpi_with_none(as_role: Any) -> None:
    page = Page.of(as_role("lead").get(f"/f/{SLUG}/kpis"), 200)
    note = curve_section(page).select_one(".curve-note")
    assert "No turn-the-curve note yet" in text_of(note)
    assert text_of(note.select_one("a.curve-write")) == (
        "Write the turn-the-curve note for Share of placements that are statutory"
    )
    assert attr(note.select_one("a.curve-write"), "href") == CURVE
    assert "No action plan for this KPI yet." in text_of(note)
    assert attr(note.select_one("a.curve-new-plan"), "href") == f"/f/{SLUG}/plans/new?kind=kpi&target={KPI}"


def test_fewer_than_three_periods_draw_no_forecast_on_the_page(framework: str, as_role: Any) -> None:
    admin = as_role("admin")
    period, period_end, value = VALUES[2]
    data = {"kpi": KPI, "period": period, "period_end": period_end, "value": value}
    assert admin.post(f"/f/{SLUG}/kpis", data=data).status_code == 302
    page = Page.of(admin.get(f"/f/{SLUG}/kpis"), 200)
    [chart] = curve_section(page).select("svg[data-chart=trend]")
    assert chart.select("path[data-part=line]") and not chart.select("[data-part=forecast]")
    assert "Forecast" not in text_of(chart)


def test_the_form_starts_from_the_current_version_and_each_save_is_a_new_one(
    framework: str, as_role: Any, make_evidence: Any
) -> None:
    item = make_evidence(links=(KPI,), title="Allocation day evaluation")
    admin = as_role("admin")
    empty = Page.of(admin.get(CURVE), 200)
    assert empty.value("story") == "" and empty.value("version") == "0"
    assert f"{item} (Allocation day evaluation)" in empty.hint(
        "evidence_ids"
    )  # the KPI's items, as a reminder
    assert admin.post(CURVE, data=note_form(evidence_ids=f"#{item}")).status_code == 302

    form = Page.of(admin.get(CURVE), 200)
    assert form.value("story") == "Statutory teams were stretched.\nAllocation days helped."
    assert (form.value("evidence_ids"), form.value("version")) == (str(item), "1")
    assert form.form(CURVE).method == "post"
    second = note_form(story="Teams recovered.", evidence_ids="", version="1")
    assert admin.post(CURVE, data=second).status_code == 302

    history = Page.of(admin.get(f"{CURVE}/history"), 200)
    assert history.headings(2) == ["Version 2 (current)", "Version 1"]
    sections = history.all("section.curve-past")
    assert "Teams recovered." in text_of(sections[0]) and "stretched" not in text_of(sections[0])
    assert [attr(a, "href") for a in sections[1].select(".curve-evidence a")] == [f"/evidence/{item}"]
    kpis = Page.of(admin.get(f"/f/{SLUG}/kpis"), 200)
    assert text_of(curve_section(kpis).select_one(".curve-version")).startswith("Version 2, saved by")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"story": " ", "partners": "", "what_works": ""},
            "story",
            "Write the story behind the curve (or another of the answers)",
        ),
        ({"story": "x" * 4001}, "story", "At most 4,000 characters (this has 4,001)"),
        ({"what_works": "x" * 4001}, "what_works", "At most 4,000 characters"),
        ({"evidence_ids": "12, twelve"}, "evidence_ids", "'twelve' is not an evidence number"),
        (
            {"evidence_ids": "DRAFT"},
            "evidence_ids",
            "No accepted evidence item of this framework has the number",
        ),
        ({"evidence_ids": "999999"}, "evidence_ids", "has the number 999999"),
        ({"source": "s" * 1001}, "source", "The source is 1,001 characters long; the limit is 1,000"),
    ],
)
def test_bad_input_is_told_at_its_field_and_nothing_is_written(
    app: Flask, as_role: Any, make_evidence: Any, change: dict[str, str], field: str, message: str
) -> None:
    draft = make_evidence(links=(KPI,), status="draft")
    lead = as_role("lead")
    data = note_form(**{k: v.replace("DRAFT", str(draft)) for k, v in change.items()})
    before = table_digests(app)
    page = Page.of(lead.post(CURVE, data=data), 400)
    page.assert_error_at(field, message)
    assert page.value(field) == data[field]  # what was typed is kept
    assert table_digests(app) == before


def test_a_stale_form_is_refused_and_writes_nothing(app: Flask, as_role: Any) -> None:
    lead, admin = as_role("lead"), as_role("admin")
    assert admin.post(CURVE, data=note_form(story="The admin's story")).status_code == 302
    before = table_digests(app)
    page = Page.of(lead.post(CURVE, data=note_form(story="The lead's story", version="0")), 409)
    [(target, message)] = page.error_summary
    assert target is None and "saved again (version 1)" in message and "not saved" in message
    assert page.value("story") == "The lead's story"  # kept to copy from
    assert "The admin's story" in page.text("details.curve-current")
    assert table_digests(app) == before


def test_an_unknown_kpi_is_404(framework: str, as_role: Any) -> None:
    admin = as_role("admin")
    assert admin.get(f"/f/{SLUG}/kpis/no-such-kpi/curve").status_code == 404
    assert admin.get(f"/f/{SLUG}/kpis/more-statutory/curve/history").status_code == 404  # an outcome
    assert admin.get(f"/f/no-such-framework/kpis/{KPI}/curve").status_code == 404


def outsider(app: Flask, make_user: Any) -> FlaskClient:
    """A lead of a partner that is not one of this framework's."""
    with app.app_context(), db.unit_of_work() as session:
        session.add(Partner(slug="far-council", name="Far Council", kind="local_authority"))
    client = app.test_client()
    sign_in(client, make_user("lead", partner="far-council"), PASSWORD)
    return client


ROLES = {
    # role: (may write, the partner of a lead)
    "admin": (True, None),
    "lead": (True, "tiny-council"),
    "other-lead": (True, "other-council"),  # another partner of the framework: its leads write too
    "outsider": (False, None),
    "evaluator": (False, None),
    "board": (False, None),
}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_write_and_who_may_read(app: Flask, as_role: Any, make_user: Any, role: str) -> None:
    may_write, partner = ROLES[role]
    if role == "outsider":
        client = outsider(app, make_user)
    else:
        client = as_role("lead" if role.endswith("lead") else role, partner=partner)
    before = table_digests(app)
    form = client.get(CURVE)
    assert form.status_code == (200 if may_write else 403)
    response = client.post(CURVE, data=note_form())
    assert response.status_code == (302 if may_write else 403)
    with app.app_context():
        saved = db.session.scalars(select(CurveNote.story)).all()
    assert saved == (["Statutory teams were stretched.\nAllocation days helped."] if may_write else [])
    if not may_write:
        assert table_digests(app) == before
    assert client.get(f"{CURVE}/history").status_code == 200
    page = Page.of(client.get(f"/f/{SLUG}/kpis"), 200)
    assert bool(curve_section(page).select("a.curve-write")) == may_write


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient, framework: str) -> None:
    for url in (CURVE, f"{CURVE}/history"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")

"""KPI values: entry, corrections that supersede (never overwrite), bad input, and who has not reported."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tracker.db.models import AuditEvent, KpiValue, Partner
from tracker.extensions import db

from ..conftest import count_rows
from ..page import DASH, Page, text_of

ALL_REPORTED = "Every partner has given every per-partner KPI for every period reported so far."
SLUG = "tiny-partnership"

PARTNER_KPIS = """\
id: partner-kpis
title: Partner KPI Partnership
version: 1
period: {start: 2022-04-01, end: 2024-03-31}
partners:
  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}
  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}
  - {id: third-college, name: Third College, kind: hei, tier: primary}
themes:
  - id: workforce
    title: A stable workforce
    aims:
      - {id: aim-stable, text: Social workers stay}
    activities:
      - {id: act-support, text: Support newly qualified staff, aims: [aim-stable]}
    outputs:
      - {id: out-programme, text: A support programme, quadrant: effort-quantity}
    outcomes:
      - {id: staff-stay, text: Fewer vacancies, quadrant: effect-quantity, term: short, kpis: [vacancy-rate, nq-count]}
    kpis:
      - id: vacancy-rate
        name: Social worker vacancy rate
        unit: percent
        direction: lower_is_better
        per_partner: true
        baseline: {period: 2021/22, value: 20}
        target: {value: 10}
      - id: nq-count
        name: Newly qualified social workers recruited
        unit: count
        direction: higher_is_better
        target: {value: 40}
"""


def values(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        partners = dict(db.session.execute(select(Partner.id, Partner.slug)).all())
        return [
            {
                "period": v.period, "period_end": v.period_end.isoformat(), "value": v.value,
                "partner": partners.get(v.partner_id) if v.partner_id else None, "note": v.note,
                "superseded": v.superseded_at is not None, "by": v.created_by_id,
            }
            for v in db.session.scalars(select(KpiValue).order_by(KpiValue.id))
        ]  # fmt: skip


def shown_values(client: FlaskClient, slug: str = SLUG) -> dict[str, list[str]]:
    """The KPI table as a reader sees it: each KPI's values, one line each, only for KPIs that have one."""
    page = Page.of(client.get(f"/f/{slug}/kpis"), 200)
    table = page.table("Values given for each KPI")
    return {
        text_of(row.th): [text_of(li) for li in row.select("td li")]  # type: ignore[arg-type]
        for row in table.select("tbody > tr")
        if row.select("td li")
    }


def form(**overrides: str) -> dict[str, str]:
    return {
        "kpi": "statutory-share", "period": "2022/23", "period_end": "2023-03-31", "value": "80", "partner": "",
        "note": "From the placement records", **overrides,
    }  # fmt: skip


def signed_in_user_id(client: FlaskClient) -> int:
    with client.session_transaction() as session:
        return int(session["_user_id"].split(":")[0])


def test_lead_adds_a_value(app: Flask, as_role: Any) -> None:
    lead = as_role("lead")
    response = lead.post(f"/f/{SLUG}/kpis", data=form())
    assert response.status_code == 302 and response.headers["Location"] == f"/f/{SLUG}/kpis"
    assert values(app) == [
        {"period": "2022/23", "period_end": "2023-03-31", "value": 80.0, "partner": None,
         "note": "From the placement records", "superseded": False, "by": signed_in_user_id(lead)},
    ]  # fmt: skip
    assert shown_values(lead) == {
        "Share of placements that are statutory": [f"2022/23: 80% {DASH} From the placement records"]
    }
    assert Page.of(lead.get(f"/f/{SLUG}/kpis"), 200).texts("tbody li > strong") == ["80%"]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "kpi_value.save")).one()
        assert event.before is None and event.after is not None and event.after["value"] == 80.0


@pytest.mark.parametrize("value", ["80", "80.5", "80%", " 55 ", "0", "100", ".5"])
def test_number_formats(app: Flask, as_role: Any, value: str) -> None:
    response = as_role("admin").post(f"/f/{SLUG}/kpis", data=form(value=value))
    assert response.status_code == 302
    expected = float(value.strip().replace(",", "").rstrip("%"))
    assert [v["value"] for v in values(app)] == [expected]


@pytest.mark.parametrize("value", [" 1,080 ", "-3", "150"])
def test_counts_take_any_number(app: Flask, partner_kpis: str, as_role: Any, value: str) -> None:
    data = {"kpi": "nq-count", "period": "2022/23", "period_end": "2023-03-31", "value": value}
    assert as_role("admin").post(f"/f/{partner_kpis}/kpis", data=data).status_code == 302
    assert [v["value"] for v in values(app)] == [float(value.strip().replace(",", ""))]


def test_second_value_supersedes_the_first(app: Flask, as_role: Any) -> None:
    lead, admin = as_role("lead"), as_role("admin")
    assert lead.post(f"/f/{SLUG}/kpis", data=form(value="80")).status_code == 302
    assert admin.post(f"/f/{SLUG}/kpis", data=form(value="82", note="Corrected")).status_code == 302
    stored = values(app)
    assert [(v["value"], v["superseded"], v["note"]) for v in stored] == [
        (80.0, True, "From the placement records"),
        (82.0, False, "Corrected"),
    ]
    assert shown_values(lead) == {
        "Share of placements that are statutory": [f"2022/23: 82% {DASH} Corrected"]
    }
    with app.app_context():
        saves = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "kpi_value.save").order_by(AuditEvent.id)
        ).all()
        assert saves[1].before is not None and saves[1].before["value"] == 80.0
        assert saves[1].after is not None and saves[1].after["value"] == 82.0
    # A different period is a value of its own, not a correction.
    assert (
        lead.post(
            f"/f/{SLUG}/kpis", data=form(period="2023/24", period_end="2024-03-31", value="85")
        ).status_code
        == 302
    )
    assert [(v["period"], v["superseded"]) for v in values(app)] == [
        ("2022/23", True), ("2022/23", False), ("2023/24", False),
    ]  # fmt: skip


BAD = [
    pytest.param({"value": "eighty"}, "value", "Value must be a number, not 'eighty'", id="not-a-number"),
    pytest.param({"value": "80 percent"}, "value", "Value must be a number", id="words-after-number"),
    pytest.param({"value": "nan"}, "value", "Value must be a number", id="nan"),
    pytest.param({"value": "1e400"}, "value", "Value must be a number", id="exponent"),
    pytest.param({"value": "9" * 400}, "value", "Value must be", id="overflows-to-infinity"),
    pytest.param({"value": ""}, "value", "Value is required", id="no-value"),
    # A percentage is a share: the tiny framework's KPI is one.
    pytest.param(
        {"value": "150"}, "value", "Value must be between 0 and 100 for a percentage, not 150", id="over-100"
    ),
    pytest.param(
        {"value": "-5"}, "value", "must be between 0 and 100 for a percentage, not \u22125", id="below-0"
    ),
    pytest.param({"value": "100.5%"}, "value", "not 100.5", id="over-100-with-sign"),
    pytest.param({"period_end": "2023-13-45"}, "period_end", "must be a date as YYYY-MM-DD", id="bad-date"),
    pytest.param({"period_end": "31/03/2023"}, "period_end", "must be a date as YYYY-MM-DD", id="uk-date"),
    pytest.param({"period_end": ""}, "period_end", "is required", id="no-date"),
    pytest.param(
        {"kpi": "no-such-kpi"},
        "kpi",
        "KPI 'no-such-kpi' is not a KPI of this framework",
        id="unknown-kpi",
    ),
    pytest.param({"kpi": "more-statutory"}, "kpi", "is not a KPI of this framework", id="outcome-not-kpi"),
    pytest.param({"kpi": ""}, "kpi", "KPI is required", id="no-kpi"),
    pytest.param({"period": ""}, "period", "Period is required", id="no-period"),
    pytest.param({"period": "x" * 33}, "period", "the limit is 32", id="long-period"),
    pytest.param(
        {"partner": "nowhere"}, "partner", "is not a partner of this framework", id="unknown-partner"
    ),
    pytest.param({"note": "bell\x07"}, "note", "contains control characters", id="control-characters"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD)
def test_bad_input_is_refused_with_field_messages(
    app: Flask, as_role: Any, overrides: dict[str, str], field: str, message: str
) -> None:
    admin = as_role("admin")
    audit_before = count_rows(app, AuditEvent)
    response = admin.post(f"/f/{SLUG}/kpis", data=form(**overrides))
    page = Page.of(response, 400)
    # Beside the field, named by it, and linked from the summary at the top; no other field is blamed.
    page.assert_error_at(field, message)
    assert list(page.field_errors()) == [field]
    assert page.title_parts[0] == "Error: KPI values"
    assert count_rows(app, KpiValue) == 0
    assert count_rows(app, AuditEvent) == audit_before


def test_typed_values_are_kept_after_an_error(app: Flask, as_role: Any) -> None:
    page = Page.of(as_role("admin").post(f"/f/{SLUG}/kpis", data=form(value="eighty", period="2019-Q3")), 400)
    assert page.value("period") == "2019-Q3" and page.value("value") == "eighty"
    assert page.value("note") == "From the placement records" and page.value("kpi") == "statutory-share"
    assert page.value("period_end") == "2023-03-31"


def test_lead_cannot_give_another_partners_value(app: Flask, as_role: Any) -> None:
    lead = as_role("lead")
    response = lead.post(f"/f/{SLUG}/kpis", data=form(partner="other-council"))
    assert response.status_code == 403
    assert count_rows(app, KpiValue) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "refused")) == 1


@pytest.mark.parametrize("role", ["evaluator", "board"])
def test_readers_see_values_but_no_form(app: Flask, as_role: Any, role: str) -> None:
    as_role("admin").post(f"/f/{SLUG}/kpis", data=form())
    reader = as_role(role)
    page = Page.of(reader.get(f"/f/{SLUG}/kpis"), 200)
    assert shown_values(reader) == {
        "Share of placements that are statutory": [f"2022/23: 80% {DASH} From the placement records"]
    }
    assert "Add a value" not in page.headings() and page.forms() == [] and not page.has_id("value")


@pytest.fixture
def partner_kpis(load_framework: Any, framework: str) -> str:
    load_framework(PARTNER_KPIS)
    return "partner-kpis"


def gaps(client: FlaskClient, slug: str) -> list[tuple[str, str, str]]:
    """The 'Who has not reported' table's rows, or nothing when the page says every partner reported."""
    page = Page.of(client.get(f"/f/{slug}/kpis"), 200)
    assert page.text("h2#completeness") == "Who has not reported"
    if "Missing partner values" not in page.texts("table > caption"):
        assert page.text("h2#completeness + p") == ALL_REPORTED
        return []
    return [(kpi, period, missing) for kpi, period, missing in page.rows("Missing partner values")]


def test_completeness_lists_partners_that_have_not_reported(
    app: Flask, partner_kpis: str, as_role: Any, make_user: Any
) -> None:
    tiny, other, admin = as_role("lead"), as_role("lead", partner="other-council"), as_role("admin")
    rate = {"kpi": "vacancy-rate", "period": "2022/23", "period_end": "2023-03-31", "value": "12"}
    assert gaps(admin, partner_kpis) == []
    # The tiny framework's only KPI is partnership-wide: nothing is missing there.
    assert gaps(admin, SLUG) == []

    # A lead's value is its own partner's, even without choosing a partner.
    assert tiny.post(f"/f/{partner_kpis}/kpis", data=rate).status_code == 302
    assert [v["partner"] for v in values(app)] == ["tiny-council"]
    assert gaps(admin, partner_kpis) == [
        ("Social worker vacancy rate", "2022/23", "Other Council, Third College")
    ]
    # Everyone who can read the page sees the gaps.
    assert gaps(as_role("board"), partner_kpis) == gaps(admin, partner_kpis)

    assert other.post(f"/f/{partner_kpis}/kpis", data={**rate, "value": "15"}).status_code == 302
    assert gaps(admin, partner_kpis) == [("Social worker vacancy rate", "2022/23", "Third College")]
    # Another period that one partner reported shows the other two as missing.
    assert (
        tiny.post(
            f"/f/{partner_kpis}/kpis", data={**rate, "period": "2023/24", "period_end": "2024-03-31"}
        ).status_code
        == 302
    )
    assert gaps(admin, partner_kpis) == [
        ("Social worker vacancy rate", "2022/23", "Third College"),
        ("Social worker vacancy rate", "2023/24", "Other Council, Third College"),
    ]
    # A correction by the same partner does not count twice or hide anyone.
    assert tiny.post(f"/f/{partner_kpis}/kpis", data={**rate, "value": "11"}).status_code == 302
    assert gaps(admin, partner_kpis)[0] == ("Social worker vacancy rate", "2022/23", "Third College")

    for period, end in (("2022/23", "2023-03-31"), ("2023/24", "2024-03-31")):
        data = {**rate, "period": period, "period_end": end, "partner": "third-college"}
        assert admin.post(f"/f/{partner_kpis}/kpis", data=data).status_code == 302
    assert (
        other.post(
            f"/f/{partner_kpis}/kpis", data={**rate, "period": "2023/24", "period_end": "2024-03-31"}
        ).status_code
        == 302
    )
    assert gaps(admin, partner_kpis) == []
    # The partnership-wide KPI never shows in the completeness table.
    assert (
        admin.post(f"/f/{partner_kpis}/kpis", data={**rate, "kpi": "nq-count", "value": "30"}).status_code
        == 302
    )
    assert gaps(admin, partner_kpis) == []


def test_lead_value_for_per_partner_kpi_is_always_its_own(
    app: Flask, partner_kpis: str, as_role: Any
) -> None:
    tiny = as_role("lead")
    data = {
        "kpi": "vacancy-rate",
        "period": "2022/23",
        "period_end": "2023-03-31",
        "value": "12",
        "partner": "other-council",
    }
    response = tiny.post(f"/f/{partner_kpis}/kpis", data=data)
    stored = [(v["partner"], v["value"]) for v in values(app)]
    if response.status_code == 302:
        assert stored == [("tiny-council", 12.0)], "a lead wrote another partner's value"
    else:
        assert response.status_code == 403 and stored == []

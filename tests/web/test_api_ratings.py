"""GET /frameworks/{slug}/outcomes, /outcomes/{id} and /kpis: what the dashboard, the outcome page and the KPI
page show, to every role; 304s from the ratings' head; the statement count of each list constant as data grows."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.page import Page
from tests.querycount import count_statements
from tracker.db.models import Evidence, EvidenceLink, KpiValue
from tracker.extensions import db
from tracker.ratings import ratings_for, upkeep
from tracker.services import evidence as evidence_service

from ..integration import test_event_kpis as event_kpis
from .test_rating_pages import RATIONALE, seed

OUTCOMES = "/api/v1/frameworks/tiny-partnership/outcomes"
KPIS = "/api/v1/frameworks/tiny-partnership/kpis"
PROBLEM = "application/problem+json"


def ok(client: FlaskClient, path: str, **headers: str) -> dict[str, Any]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    body: dict[str, Any] = response.get_json()
    return body


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["id"]: entry for entry in body["data"]}


def test_the_outcome_list_shows_each_rating_as_the_dashboard_and_the_report(
    app: Flask, api_as: Any, as_role: Any, make_evidence: Any
) -> None:
    seed(make_evidence)
    body = ok(api_as("board"), OUTCOMES)
    assert body["next_cursor"] is None
    assert [o["id"] for o in body["data"]] == ["more-statutory", "educators-supported", "retention"]
    outcomes = by_id(body)
    assert {k: o["rating"] for k, o in outcomes.items()} == {
        "more-statutory": "insufficient",
        "educators-supported": "strong",
        "retention": "not_yet",
    }
    dashboard = Page.of(as_role("board").get("/f/tiny-partnership/dashboard"), 200)
    assert {name: tile.tile_class for name, tile in dashboard.tiles().items()} == {
        o["text"]: o["rating"] for o in body["data"]
    }
    supported = outcomes["educators-supported"]
    assert supported["theme"] == "placements" and supported["quadrant"] == "effect-quality"
    assert supported["term"] == "short" and supported["expected_by"] is None
    assert outcomes["retention"]["expected_by"] == "2026-03-31"
    assert supported["computed_rating"] == "strong" and supported["override"] is None
    assert supported["items_total"] == 2 and supported["stale"] is False
    assert supported["as_of"] == "2023-04-30" and supported["lines"]["robust_positive"] == 2
    # The report's own reasons and next steps (the stored rows' report columns), the first of them the rule's.
    with app.app_context():
        rated = ratings_for(db.session, "tiny-partnership", for_report=True)
        assert rated is not None
        for rating in rated.ratings:
            entry = outcomes[rating.outcome_id]
            assert entry["reasons"] == list(rating.reasons) and entry["next"] == list(rating.next_steps)
            assert entry["rule"] == rating.rule and entry["headline"] == rating.headline
    assert supported["reasons"][0] == supported["headline"]
    assert outcomes["more-statutory"]["next"]  # insufficient: the guidance says what would raise it


def test_one_outcome_shows_every_reason_item_and_kpi_of_its_page(
    api_as: Any, as_role: Any, make_evidence: Any
) -> None:
    seed(make_evidence)
    make_evidence(title="A draft of a later survey", status="draft")  # never weighed, never listed
    detail = ok(api_as("board"), OUTCOMES + "/educators-supported")
    page = Page.of(as_role("board").get("/f/tiny-partnership/outcomes/educators-supported"), 200)
    assert detail["reasons"] == page.texts("ul.reasons li")
    assert len(detail["reasons"]) > 3  # the list has the report's first three; the outcome every one
    weighed = page.rows("Accepted evidence for this outcome, with its tier")
    assert [(e["title"], e["tier"], e["counts"]) for e in detail["evidence"]] == [
        ("Practice educator focus group", "robust", True),
        ("Practice educator survey", "robust", True),
    ]
    assert [row[-2] for row in weighed] == [e["tier"] for e in detail["evidence"]]
    survey = detail["evidence"][1]
    assert (survey["source_type"], survey["respondents"], survey["population"]) == ("survey", 18, 30)
    assert survey["collected_on"] == "2023-03-01" and survey["reason"].endswith("robust.")
    assert detail["kpis"] == detail["linked_kpis"] == [] and detail["items_total"] == 2
    statutory = ok(api_as("lead"), OUTCOMES + "/more-statutory")
    assert statutory["kpis"] == ["statutory-share"]
    assert [(k["id"], k["status"], k["unit"]) for k in statutory["linked_kpis"]] == [
        ("statutory-share", "no_data", "percent")
    ]
    assert statutory["linked_kpis"][0]["latest"] is None and statutory["linked_kpis"][0]["change"] is None


def test_an_unknown_outcome_or_an_id_that_is_no_outcome_is_404(api_as: Any) -> None:
    client = api_as("evaluator")
    for outcome_id in ("nothing", "statutory-share", "placements"):
        response = client.get(f"{OUTCOMES}/{outcome_id}")
        assert response.status_code == 404 and response.mimetype == PROBLEM
        assert outcome_id in response.get_json()["detail"]
    assert client.get("/api/v1/frameworks/nope/outcomes").status_code == 404
    assert client.get("/api/v1/frameworks/nope/outcomes/retention").status_code == 404


def test_an_override_is_shown_with_its_rationale_evaluator_and_dates(
    as_role: Any, api_as: Any, make_evidence: Any
) -> None:
    item = seed(make_evidence)
    saved = as_role("evaluator").post(
        "/f/tiny-partnership/outcomes/educators-supported/override",
        data={"rating": "some", "rationale": RATIONALE, "evidence": [str(item)], "action": "set"},
    )
    assert saved.status_code == 302
    for entry in (
        by_id(ok(api_as("board"), OUTCOMES))["educators-supported"],
        ok(api_as("board"), OUTCOMES + "/educators-supported"),
    ):
        assert (entry["rating"], entry["computed_rating"], entry["rule"]) == ("some", "strong", "R0-override")
        override = entry["override"]
        assert override["rating"] == "some" and override["rationale"] == RATIONALE
        assert override["by"].startswith("evaluator") and override["applies_from"] == "2023-04-30"
        assert override["at"].endswith("Z")
        assert entry["reasons"][0].startswith("Evaluator override by ")
    # Before the day it applies from, the computed rating stands and no override is shown.
    earlier = by_id(ok(api_as("board"), OUTCOMES + "?as_of=2023-04-01"))["educators-supported"]
    assert earlier["override"] is None and earlier["rating"] == earlier["computed_rating"] == "strong"


def test_as_of_rates_as_of_that_date_and_a_bad_date_is_a_400(api_as: Any, make_evidence: Any) -> None:
    seed(make_evidence)
    client = api_as("board")
    earlier = by_id(ok(client, OUTCOMES + "?as_of=2023-03-05"))
    assert earlier["educators-supported"]["rating"] != "strong"
    assert earlier["educators-supported"]["as_of"] == "2023-03-05"
    assert ok(client, OUTCOMES + "/educators-supported?as_of=2023-03-05")["items_total"] == 1
    for path in (OUTCOMES, OUTCOMES + "/retention", KPIS):
        response = client.get(path + "?as_of=31-03-2023")
        assert response.status_code == 400 and response.mimetype == PROBLEM
        assert "as_of" in response.get_json()["detail"]


def walk(client: FlaskClient, path: str, limit: int) -> list[str]:
    seen: list[str] = []
    url = f"{path}?limit={limit}"
    while True:
        body = ok(client, url)
        assert len(body["data"]) <= limit
        seen += [entry["id"] for entry in body["data"]]
        if body["next_cursor"] is None:
            return seen
        url = f"{path}?limit={limit}&cursor={body['next_cursor']}"


def test_the_lists_are_walked_page_by_page_in_framework_order(api_as: Any, load_framework: Any) -> None:
    load_framework(big_yaml("paged", outcomes=7, kpis=5))
    client = api_as("board")
    outcomes = [f"o-{t}-{n}" for t in range(3) for n in range(7)]
    assert walk(client, "/api/v1/frameworks/paged/outcomes", 4) == outcomes
    assert walk(client, "/api/v1/frameworks/paged/outcomes", 500) == outcomes
    assert walk(client, "/api/v1/frameworks/paged/kpis", 2) == [
        f"k-{t}-{n}" for t in range(3) for n in range(5)
    ]
    for cursor in ("ImEi", "LTE"):  # "a" and -1: cursors this API never gives out
        response = client.get(f"/api/v1/frameworks/paged/outcomes?cursor={cursor}")
        assert response.status_code == 400 and "cursor" in response.get_json()["detail"]


def test_a_304_is_answered_from_the_head_and_a_new_input_gives_a_new_etag(
    app: Flask, api_as: Any, make_evidence: Any
) -> None:
    seed(make_evidence)
    client = api_as("board")
    first = client.get(OUTCOMES)
    etag = first.headers["ETag"]
    detail_etag = client.get(OUTCOMES + "/educators-supported").headers["ETag"]
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as counted:
        again = client.get(OUTCOMES, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # The token (1), the ratings' head (1), then the call's last use and its audit row (2): nothing else.
    assert counted.count == 4, counted.statements
    assert not any("rating_snapshot" in s for s in counted.statements)
    assert (
        client.get(OUTCOMES + "/educators-supported", headers={"If-None-Match": detail_etag}).status_code
        == 304
    )
    # Another role's copy, another query or another date is another ETag.
    assert api_as("lead").get(OUTCOMES, headers={"If-None-Match": etag}).status_code == 200
    assert client.get(OUTCOMES + "?limit=2", headers={"If-None-Match": etag}).status_code == 200
    make_evidence(title="Another survey", collection="another")
    changed = client.get(OUTCOMES, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert by_id(changed.get_json())["educators-supported"]["items_total"] == 3
    # As of another date the ratings are rated live: the ETag is the body's.
    live = client.get(OUTCOMES + "?as_of=2023-03-05")
    assert (
        client.get(
            OUTCOMES + "?as_of=2023-03-05", headers={"If-None-Match": live.headers["ETag"]}
        ).status_code
        == 304
    )


def big_yaml(slug: str, outcomes: int, kpis: int = 1, themes: int = 3) -> str:
    """A framework of `themes` themes, each with that many outcomes and KPIs (each outcome measured by one)."""
    lines = [
        f"id: {slug}",
        f"title: Framework {slug}",
        "version: 1",
        "period: {start: 2022-04-01, end: 2023-03-31}",
        "as_of: 2023-04-30",
        "partners:",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}",
        "themes:",
    ]
    for t in range(themes):
        lines += [
            f"  - id: theme-{t}",
            f"    title: Theme {t}",
            "    outcomes:",
            *(
                f"      - {{id: o-{t}-{n}, text: Outcome {t} {n}, quadrant: effect-quality, term: short,"
                f" kpis: [k-{t}-{n % kpis}]}}"
                for n in range(outcomes)
            ),
            "    kpis:",
            *(
                f"      - {{id: k-{t}-{n}, name: KPI {t} {n}, unit: count, direction: higher_is_better,"
                f" baseline: {{period: 2021/22, value: 10}}, target: {{value: 20}}}}"
                for n in range(kpis)
            ),
        ]
    return "\n".join(lines) + "\n"


def add_evidence(app: Flask, slug: str, count: int, kpi_values: int = 0) -> None:
    """Accepted items, each linked to two outcomes, and KPI values, written as the services write them."""
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, slug)
        assert ctx is not None
        outcomes = sorted(e for e, el in ctx.elements.items() if el.kind == "outcome")
        kpis = sorted(e for e, el in ctx.elements.items() if el.kind == "kpi")
        ids = []
        for n in range(count):
            item = Evidence(
                framework_id=ctx.framework.id,
                title=f"Survey {n}",
                source_type="survey",
                collected_on=date(2023, 1 + n % 3, 1 + n % 28),
                finding="supports",
                respondents=20,
                population=30,
                positive=15,
                collection=f"c{n}",
                respondent_group="students",
                independent=n % 2 == 0,
                status="accepted",
            )
            session.add(item)
            session.flush()
            for slug_ in (outcomes[n % len(outcomes)], outcomes[(n + 1) % len(outcomes)]):
                session.add(EvidenceLink(evidence_id=item.id, element_id=ctx.elements[slug_].id))
            ids.append(item.id)
        for n in range(kpi_values):
            kpi = ctx.elements[kpis[n % len(kpis)]]
            year = 2019 + n // len(kpis)
            session.add(
                KpiValue(
                    framework_id=ctx.framework.id,
                    element_id=kpi.id,
                    period=f"{year}/{year - 1999}",
                    period_end=date(year + 1, 3, 31),
                    value=10 + n,
                )
            )
        upkeep.inputs_changed(session, ctx.framework.id, upkeep.ALL, evidence_ids=ids)


def statements_of(app: Flask, client: FlaskClient, path: str) -> list[str]:
    """The statements of a repeat call (the first stores what a first reader rates)."""
    ok(client, path)
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as counted:
        ok(client, path)
    return counted.statements


def test_the_outcome_and_kpi_lists_send_as_many_statements_for_a_larger_framework(
    app: Flask, api_as: Any, make_evidence: Any, load_framework: Any
) -> None:
    seed(make_evidence)
    load_framework(big_yaml("bigger", outcomes=30, kpis=4))
    add_evidence(app, "bigger", count=150, kpi_values=40)
    client = api_as("board")
    tiny = statements_of(app, client, OUTCOMES)
    bigger = statements_of(app, client, "/api/v1/frameworks/bigger/outcomes")
    assert len(tiny) == len(bigger), (tiny, bigger)
    assert len(ok(client, "/api/v1/frameworks/bigger/outcomes")["data"]) == 90
    # The stored ratings alone: no evidence, link or KPI value is read (the 6: the token, the ratings' head,
    # the stored rows, the current overrides, then the call's last use and audit row).
    assert len(bigger) == 6 and any("rating_snapshot" in s for s in bigger)
    assert not any(table in s for s in bigger for table in ("FROM evidence", "evidence_link", "kpi_value"))
    kpis = statements_of(app, client, KPIS)
    assert len(kpis) == len(statements_of(app, client, "/api/v1/frameworks/bigger/kpis"))


def test_the_kpi_list_shows_what_the_kpi_page_shows(
    app: Flask, api_as: Any, as_role: Any, make_evidence: Any
) -> None:
    client = api_as("board")
    [kpi] = ok(client, KPIS)["data"]
    assert kpi == {
        "id": "statutory-share",
        "name": "Share of placements that are statutory",
        "theme": "placements",
        "unit": "percent",
        "direction": "higher_is_better",
        "per_partner": False,
        "baseline": {"period": "2021/22", "value": 75},
        "target": {
            "value": 85,
            "change": None,
            "per_period": False,
            "tolerance": None,
            "period": None,
            "note": "",
        },
        "status": "no_data",
        "reason": kpi["reason"],
        "latest": None,
        "change": None,
        "values": [],
        "source": None,
        "as_of": "2023-04-30",
    }
    lead = as_role("lead")
    for period, end, value in (("2022/23", "2023-03-31", 80), ("2023/24", "2024-03-31", 90)):
        saved = lead.post(
            "/f/tiny-partnership/kpis",
            data={"kpi": "statutory-share", "period": period, "period_end": end, "value": str(value)},
        )
        assert saved.status_code == 302, saved.get_data(as_text=True)[:300]
    [kpi] = ok(client, KPIS)["data"]
    assert [(v["period"], v["period_end"], v["value"], v["partner"]) for v in kpi["values"]] == [
        ("2022/23", "2023-03-31", 80, None),
        ("2023/24", "2024-03-31", 90, None),
    ]
    # As of the framework's date (30 April 2023) the 2023/24 value is not in yet: partly met, +5 pp.
    assert kpi["latest"] == {"period": "2022/23", "value": 80}
    assert kpi["change"] == {"value": 5, "unit": "percentage_points"}
    assert kpi["status"] == "partly_met" and "up 5 pp from 75%" in kpi["reason"]
    page = Page.of(as_role("board").get("/f/tiny-partnership/kpis"), 200)
    row = page.one("#progress-statutory-share")
    assert row.select_one("[data-cell=status]") is not None
    assert kpi["reason"] in row.get_text(" ")
    later = ok(client, KPIS + "?as_of=2024-04-30")["data"][0]
    assert later["latest"] == {"period": "2023/24", "value": 90} and later["status"] == "met"
    assert later["as_of"] == "2024-04-30"


def test_a_kpi_sourced_from_an_event_says_where_its_value_comes_from(
    app: Flask, client: FlaskClient, make_token: Any, load_framework: Any, tiny_yaml: str
) -> None:
    load_framework(event_kpis.framework_yaml(tiny_yaml))
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token('board')}"
    before = by_id(ok(client, KPIS))["week-attendance"]
    assert before["source"] == {
        "event": "week-2023",
        "measure": "attended",
        "event_title": None,
        "event_ends_on": None,
        "value": None,
        "problem": None,
    }
    assert before["latest"] is None and before["status"] == "no_data"
    event_kpis.load(app)
    after = by_id(ok(client, KPIS))
    attendance = after["week-attendance"]
    assert attendance["source"]["event_title"] == "Practice Week 2023"
    assert attendance["source"]["event_ends_on"] == "2023-03-17" and attendance["source"]["value"] == 132
    assert attendance["latest"] == {"period": "Practice Week 2023", "value": 132}
    assert attendance["status"] == "met" and attendance["values"] == []
    assert after["week-useful"]["latest"] == {"period": "Practice Week 2023", "value": 4.25}
    # The outcome judged on it lists the KPI as the outcome page does.
    [linked] = ok(client, OUTCOMES + "/educators-supported")["linked_kpis"]
    assert (linked["id"], linked["status"], linked["latest"]) == (
        "week-attendance",
        "met",
        {"period": "Practice Week 2023", "value": 132},
    )

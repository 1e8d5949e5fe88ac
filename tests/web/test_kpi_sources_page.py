"""The KPI page for KPIs that take their value from an event (issue 19): the value and where it came from (the
event, its title, the measure; linked to the event's page when there is one), and no way to type it twice."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from ..digest import table_digests
from ..integration.test_event_kpis import REFUSAL, framework_yaml, load
from ..page import DASH, Page, attr, text_of

SLUG = "tiny-partnership"


@pytest.fixture
def sourced(framework: str, load_framework: Any, tiny_yaml: str) -> str:
    load_framework(framework_yaml(tiny_yaml).replace("version: 1", "version: 2"))
    return SLUG


def kpi_page(client: Any) -> Page:
    return Page.of(client.get(f"/f/{SLUG}/kpis"), 200)


def test_the_page_says_where_a_sourced_value_came_from(app: Flask, as_role: Any, sourced: str) -> None:
    load(app)
    page = kpi_page(as_role("board"))
    latest = page.by_id("progress-week-attendance").select_one("[data-cell=latest]")
    assert latest is not None
    assert text_of(latest) == (
        "132 (Practice Week 2023) From the event Practice Week 2023 (week-2023), measure: attended (the "
        "sessions' attendance added up)"
    )
    given = page.by_id("week-attendance").select_one("td")
    assert given is not None
    assert text_of(given) == (
        "Practice Week 2023: 132 From the event Practice Week 2023 (week-2023), measure: attended (the "
        "sessions' attendance added up); the event ended 17 March 2023"
    )
    assert [(text_of(a), attr(a, "href")) for a in given.select("a")] == [
        ("Practice Week 2023", "/f/tiny-partnership/events/week-2023")
    ]
    useful = page.one("#week-useful [data-source]")
    assert text_of(useful) == (
        "From the event Practice Week 2023 (week-2023), measure: the mean rating of 'How useful you found the "
        "session'"
    )
    conversion = page.by_id("progress-week-conversion").select_one("[data-cell=latest]")
    assert conversion is not None and text_of(conversion).startswith("73.33% (Practice Week 2023)")


def test_before_the_event_is_loaded_the_page_says_so(as_role: Any, sourced: str) -> None:
    page = kpi_page(as_role("board"))
    assert text_of(page.one("#week-attendance [data-source]")) == (
        f"From the event week-2023, measure: attended (the sessions' attendance added up) {DASH} not loaded yet, "
        "so no value until it is"
    )
    assert text_of(page.by_id("progress-week-attendance").select_one("[data-cell=latest]")).startswith(  # type: ignore[arg-type]
        "no data"
    )


def test_a_sourced_kpi_cannot_be_typed(app: Flask, as_role: Any, sourced: str) -> None:
    load(app)
    admin = as_role("admin")
    page = kpi_page(admin)
    offered = [attr(o, "value") for o in page.field("kpi").select("option")]
    assert offered == ["", "statutory-share"]
    assert page.hint("kpi") == (
        "Not listed, because their values come from events: People attending the practice week; Sign-ups who "
        "attended the practice week; How useful the practice week's sessions were."
    )
    digests = table_digests(app)
    response = admin.post(
        f"/f/{SLUG}/kpis",
        data={
            "kpi": "week-attendance",
            "period": "2022/23",
            "period_end": "2023-03-31",
            "value": "500",
        },
    )
    refused = Page.of(response, 400)
    refused.assert_error_at("kpi", REFUSAL[0].upper() + REFUSAL[1:] + ".")
    assert table_digests(app) == digests

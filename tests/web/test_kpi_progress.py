"""The KPI page as a progress view: baseline, target with its direction, latest value, change with its unit,
a status in colour, symbol and words that never contradicts the figures, and a trend with a text alternative."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from bs4 import Tag
from flask.testing import FlaskClient

from tracker.domain.vocabulary import KPI_STATUS_LABELS, KPI_STATUS_SYMBOLS

from ..page import Page, attr, classes_of, text_of

SLUG = "progress-kpis"
MINUS = "\u2212"

PROGRESS_KPIS = """\
id: progress-kpis
title: Progress Partnership
version: 1
period: {start: 2018-04-01, end: 2021-03-31}
as_of: 2021-04-30
partners:
  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}
themes:
  - id: placements
    title: Placements
    aims:
      - {id: aim-ready, text: Students are ready to practise}
    activities:
      - {id: act-days, text: Allocation days, aims: [aim-ready]}
    outputs:
      - {id: out-days, text: Four allocation days a year, quadrant: effort-quantity}
    outcomes:
      - {id: more-statutory, text: More statutory placements, quadrant: effect-quantity, term: short,
         kpis: [statutory, vacancy-rate, tariff, followers, hours]}
    kpis:
      - id: statutory
        name: Statutory placements
        unit: percent
        direction: higher_is_better
        baseline: {period: 2018/19, value: 55}
        target: {value: 100, period: 2019/20}
      - id: vacancy-rate
        name: Vacancy rate
        unit: percent
        direction: lower_is_better
        baseline: {period: 2018/19, value: 30}
        target: {value: 20}
      - id: tariff
        name: Average tariff
        unit: score
        direction: higher_is_better
        baseline: {period: 2018/19, value: 123.1}
      - id: followers
        name: Followers
        unit: count
        direction: higher_is_better
        target: {change: 5, per_period: true}
      - id: hours
        name: Teaching hours
        unit: number
        direction: higher_is_better
"""

VALUES = [
    # (kpi, period, period_end, value)
    ("statutory", "2018/19", "2019-03-31", "55"),  # the baseline's own year, reported too
    ("statutory", "2019/20", "2020-03-31", "60"),
    ("vacancy-rate", "2019/20", "2020-03-31", "18"),
    ("tariff", "2019/20", "2019-09-30", "131.48"),
    ("followers", "2020-03", "2020-03-31", "407"),
]


@dataclass(frozen=True)
class Shown:
    """One KPI's row of the progress table as a reader meets it."""

    name: str
    baseline: str
    target: str
    latest: str
    change: str
    status: str  # the code its colour class names
    status_words: str
    reason: str
    trend: str  # the sparkline's text alternative, or the words in its place


def status_of(cell: Tag) -> tuple[str, str]:
    """The status badge: its code (from the `kpi-status-CODE` class) and its words; colour never alone."""
    badge = cell.select_one("span.kpi-status")
    assert badge is not None
    codes = [c.removeprefix("kpi-status-") for c in classes_of(badge) if c.startswith("kpi-status-")]
    assert len(codes) == 1, codes
    symbol = badge.select_one(".kpi-status-symbol")
    assert symbol is not None and attr(symbol, "aria-hidden") == "true", "the symbol is not read out"
    assert text_of(symbol) == KPI_STATUS_SYMBOLS[codes[0]]
    words = text_of(badge).removeprefix(text_of(symbol)).strip()
    return codes[0], words


def trend_of(cell: Tag) -> str:
    """A sparkline's accessible name (an `<svg role=img>` named by its `<title>`), or the cell's words."""
    charts = cell.select("svg")
    if not charts:
        return text_of(cell)
    [chart] = charts
    assert attr(chart, "role") == "img"
    title = chart.find(id=attr(chart, "aria-labelledby"))
    assert isinstance(title, Tag) and title.name == "title"
    assert not chart.select("text"), "a word-sized picture says it all in its title"
    return text_of(title)


def progress(client: FlaskClient, query: str = "") -> tuple[Page, dict[str, Shown]]:
    page = Page.of(client.get(f"/f/{SLUG}/kpis{query}"), 200)
    shown: dict[str, Shown] = {}
    for row in page.table("Progress of each KPI").select("tbody > tr"):
        cells = {attr(td, "data-cell"): td for td in row.select("td")}
        status_cell = cells["status"]
        code, words = status_of(status_cell)
        reason = status_cell.select_one("div")
        assert row.th is not None and reason is not None
        shown[attr(row, "id").removeprefix("progress-")] = Shown(
            text_of(row.th),
            text_of(cells["baseline"]),
            text_of(cells["target"]),
            text_of(cells["latest"]),
            text_of(cells["change"]),
            code,
            words,
            text_of(reason),
            trend_of(cells["trend"]),
        )
    return page, shown


@pytest.fixture
def progress_kpis(load_framework: Any, framework: str) -> str:
    load_framework(PROGRESS_KPIS)
    return SLUG


@pytest.fixture
def with_values(progress_kpis: str, as_role: Any) -> None:
    admin = as_role("admin")
    for kpi, period, period_end, value in VALUES:
        data = {"kpi": kpi, "period": period, "period_end": period_end, "value": value}
        assert admin.post(f"/f/{SLUG}/kpis", data=data).status_code == 302


EXPECTED = {
    "statutory": Shown(
        "Statutory placements", "55% (2018/19)", "100% or higher by 2019/20", "60% (2019/20)", "+5 pp",
        "partly_met", "partly met",
        "Latest 60% (2019/20) has not reached the target of 100%, but is up 5 pp from 55% in 2018/19.",
        "Trend of Statutory placements: baseline 55% (2018/19), 2019/20: 60%; target 100% or higher by 2019/20.",
    ),
    "vacancy-rate": Shown(
        "Vacancy rate", "30% (2018/19)", "20% or lower", "18% (2019/20)", f"{MINUS}12 pp", "met", "met",
        "Latest 18% (2019/20) meets the target of no more than 20%; down 12 pp from 30% in 2018/19.",
        "Trend of Vacancy rate: baseline 30% (2018/19), 2019/20: 18%; target 20% or lower.",
    ),
    "tariff": Shown(
        "Average tariff", "123.1 (2018/19)", "none set", "131.48 (2019/20)", "+8.38 points",
        "no_target", "no target set",
        "No target set; latest 131.48 (2019/20) is up 8.38 points from 123.1 in 2018/19.",
        "Trend of Average tariff: baseline 123.1 (2018/19), 2019/20: 131.48; no target set.",
    ),
    "followers": Shown(
        "Followers", "not given", "+5% each period", "407 (2020-03)", "", "too_early", "too early to judge",
        "Only one value so far (407 in 2020-03) and no baseline, so the target of a rise of 5% each period "
        "cannot be judged yet.",
        "one period so far",
    ),
    "hours": Shown(
        "Teaching hours", "not given", "none set", "no data", "", "no_data", "no data",
        "No value reported up to 30 April 2021.", "no values yet",
    ),
}  # fmt: skip


@pytest.mark.usefixtures("with_values")
@pytest.mark.parametrize("kpi", list(EXPECTED))
def test_each_kpi_shows_its_progress(as_role: Any, kpi: str) -> None:
    page, shown = progress(as_role("board"))
    assert page.text("h2#progress") == "Progress as of 30 April 2021"
    assert list(shown) == list(EXPECTED)  # framework order
    assert shown[kpi] == EXPECTED[kpi]


@pytest.mark.usefixtures("with_values")
def test_a_status_never_contradicts_the_figures_beside_it(as_role: Any) -> None:
    _page, shown = progress(as_role("lead"))
    for row in shown.values():
        assert row.status_words == KPI_STATUS_LABELS[row.status]
        assert (row.status == "no_data") == (row.latest == "no data"), row
        assert (row.status == "no_target") == (row.target == "none set" and row.latest != "no data"), row


@pytest.mark.usefixtures("with_values")
def test_an_earlier_date_judges_the_values_known_then(as_role: Any) -> None:
    _page, shown = progress(as_role("evaluator"), "?as_of=2019-12-31")
    statutory = shown["statutory"]
    assert (statutory.latest, statutory.change, statutory.status) == ("55% (2018/19)", "0 pp", "missed")
    assert statutory.trend == "one period so far"  # the baseline's year alone: one point, not two
    assert shown["vacancy-rate"].status == "no_data" and shown["vacancy-rate"].latest == "no data"


def test_a_bad_date_is_a_plain_400(progress_kpis: str, as_role: Any) -> None:
    page = Page.of(as_role("board").get(f"/f/{SLUG}/kpis?as_of=soon"), 400)
    assert "is not a date as YYYY-MM-DD" in page.main


@pytest.mark.usefixtures("with_values")
def test_the_values_stay_below_for_entry(as_role: Any) -> None:
    page, _shown = progress(as_role("admin"))
    assert page.headings(2)[:3] == ["Progress as of 30 April 2021", "Turning the curve", "Values given"]
    values = {
        text_of(row.th): [text_of(li) for li in row.select("td li")]  # type: ignore[arg-type]
        for row in page.table("Values given for each KPI").select("tbody > tr")
    }
    assert values["Statutory placements"] == ["2018/19: 55%", "2019/20: 60%"]
    assert page.has_id("value") and page.form(f"/f/{SLUG}/kpis").method == "post"

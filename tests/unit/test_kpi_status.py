"""KPI status and change: targets met, partly met and missed, both directions, per-period growth, as-of."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tracker.domain.framework import Baseline, Kpi, Target
from tracker.domain.kpi import KPI_VERDICTS, KpiActual, kpi_series, kpi_status, timeline, value_problem
from tracker.domain.settings import RuleSettings

AS_OF = date(2023, 4, 30)


def kpi(
    unit: str = "percent",
    direction: str = "higher_is_better",
    baseline: tuple[str, float] | None = ("2021/22", 75),
    target: Target | None = None,
    per_partner: bool = False,
) -> Kpi:
    return Kpi(
        id="k",
        name="A KPI",
        theme_id="t",
        unit=unit,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
        baseline=None if baseline is None else Baseline(*baseline),
        target=target,
        per_partner=per_partner,
    )


def yearly(*values: float) -> list[KpiActual]:
    """One value a year, 2022/23 onwards, each ending on 31 March."""
    return [KpiActual(f"{2022 + i}/{23 + i}", date(2023 + i, 3, 31), v) for i, v in enumerate(values)]


def quarterly(*values: float) -> list[KpiActual]:
    """One value a quarter from 2019-Q3, all before the test as-of date."""
    ends = [date(2019, 9, 30), date(2019, 12, 31), date(2020, 3, 31), date(2020, 6, 30), date(2020, 9, 30)]
    labels = ["2019-Q3", "2019-Q4", "2020-Q1", "2020-Q2", "2020-Q3"]
    return [KpiActual(labels[i], ends[i], v) for i, v in enumerate(values)]


T85 = Target(value=85)
GROW5 = Target(change=5, per_period=True)

CASES: list[tuple[str, Kpi, list[KpiActual], str, dict[str, Any] | None, tuple[int, int] | None]] = [
    # (name, kpi, actuals, status, change, periods_met)
    ("no data", kpi(target=T85), [], "no_data", None, None),
    ("met exactly", kpi(target=T85), yearly(85), "met", {"value": 10, "unit": "pp"}, None),
    ("met above", kpi(target=T85), yearly(90), "met", {"value": 15, "unit": "pp"}, None),
    (
        "partly: better than baseline",
        kpi(target=T85),
        yearly(80),
        "partly_met",
        {"value": 5, "unit": "pp"},
        None,
    ),
    ("missed: worse than baseline", kpi(target=T85), yearly(70), "missed", {"value": -5, "unit": "pp"}, None),
    ("missed: same as baseline", kpi(target=T85), yearly(75), "missed", {"value": 0, "unit": "pp"}, None),
    ("missed: no baseline", kpi(baseline=None, target=T85), yearly(80), "missed", None, None),
    (
        "latest counts, not best",
        kpi(target=T85),
        quarterly(90, 70),
        "missed",
        {"value": -5, "unit": "pp"},
        None,
    ),
    (
        "partly: within tolerance",
        kpi(baseline=("2021/22", 98), target=Target(value=100, tolerance=5)),
        yearly(96),
        "partly_met",
        {"value": -2, "unit": "pp"},
        None,
    ),
    (
        "missed: outside tolerance",
        kpi(baseline=("2021/22", 98), target=Target(value=100, tolerance=1)),
        yearly(96),
        "missed",
        {"value": -2, "unit": "pp"},
        None,
    ),
    (
        "lower is better: met",
        kpi(direction="lower_is_better", baseline=("2021/22", 30), target=Target(value=20)),
        yearly(18),
        "met",
        {"value": -12, "unit": "pp"},
        None,
    ),
    (
        "lower is better: met exactly",
        kpi(direction="lower_is_better", baseline=("2021/22", 30), target=Target(value=20)),
        yearly(20),
        "met",
        {"value": -10, "unit": "pp"},
        None,
    ),
    (
        "lower is better: partly",
        kpi(direction="lower_is_better", baseline=("2021/22", 30), target=Target(value=20)),
        yearly(25),
        "partly_met",
        {"value": -5, "unit": "pp"},
        None,
    ),
    (
        "lower is better: missed",
        kpi(direction="lower_is_better", baseline=("2021/22", 30), target=Target(value=20)),
        yearly(32),
        "missed",
        {"value": 2, "unit": "pp"},
        None,
    ),
    (
        "count: relative change",
        kpi(unit="count", baseline=("2021/22", 1200), target=Target(value=1500)),
        yearly(1500),
        "met",
        {"value": 25, "unit": "%"},
        None,
    ),
    (
        "count: baseline 0 has no relative change",
        kpi(unit="count", baseline=("2021/22", 0), target=Target(value=10)),
        yearly(4),
        "partly_met",
        None,
        None,
    ),
    (
        "score: points",
        kpi(unit="score", baseline=("2021/22", 3.5), target=Target(value=4)),
        yearly(4.2),
        "met",
        {"value": 0.7, "unit": "points"},
        None,
    ),
    (
        "currency: relative change",
        kpi(
            unit="currency", direction="lower_is_better", baseline=("2021/22", 200), target=Target(value=150)
        ),
        yearly(180),
        "partly_met",
        {"value": -10, "unit": "%"},
        None,
    ),
    (
        "number: relative change, two decimals",
        kpi(unit="number", baseline=("2021/22", 153)),
        yearly(194),
        "no_target",
        {"value": 26.8, "unit": "%"},
        None,
    ),
    # Without a target there is nothing to meet: "no target set", never "partly met" (the verdict, below,
    # still reads the trend).
    ("no target: better", kpi(), yearly(80), "no_target", {"value": 5, "unit": "pp"}, None),
    ("no target: worse", kpi(), yearly(70), "no_target", {"value": -5, "unit": "pp"}, None),
    ("no target: unchanged", kpi(), yearly(75), "no_target", {"value": 0, "unit": "pp"}, None),
    ("no target, no baseline: cannot judge", kpi(baseline=None), yearly(14), "no_target", None, None),
    ("no target, no value", kpi(), [], "no_data", None, None),
    (
        "float noise: 75.1 -> 90.3 is 15.2 pp",
        kpi(baseline=("2021/22", 75.1), target=T85),
        yearly(90.3),
        "met",
        {"value": 15.2, "unit": "pp"},
        None,
    ),
    (
        "change target met",
        kpi(unit="count", baseline=("2021/22", 100), target=Target(change=10)),
        yearly(110),
        "met",
        {"value": 10, "unit": "%"},
        None,
    ),
    (
        "change target partly",
        kpi(unit="count", baseline=("2021/22", 100), target=Target(change=10)),
        yearly(105),
        "partly_met",
        {"value": 5, "unit": "%"},
        None,
    ),
    (
        "change target missed",
        kpi(unit="count", baseline=("2021/22", 100), target=Target(change=10)),
        yearly(95),
        "missed",
        {"value": -5, "unit": "%"},
        None,
    ),
    (
        "change target, lower is better",
        kpi(unit="percent", direction="lower_is_better", baseline=("2021/22", 30), target=Target(change=5)),
        yearly(24),
        "met",
        {"value": -6, "unit": "pp"},
        None,
    ),
    (
        "change target, no baseline: from the first value",
        kpi(unit="count", baseline=None, target=Target(change=10)),
        quarterly(100, 111),
        "met",
        None,
        None,
    ),
    (
        "change target, one value, no baseline",
        kpi(unit="count", baseline=None, target=Target(change=10)),
        yearly(100),
        "too_early",
        None,
        None,
    ),
    (
        "change target, only the baseline period reported",
        kpi(unit="count", baseline=("2022/23", 100), target=Target(change=10)),
        yearly(100),
        "too_early",
        {"value": 0, "unit": "%"},
        None,
    ),
    # Website hits, +5% each quarter, no baseline: the first quarter is the starting point.
    (
        "per period: 4 of 4",
        kpi(unit="count", baseline=None, target=GROW5),
        quarterly(1000, 1050, 1103, 1160, 1220),
        "met",
        None,
        (4, 4),
    ),
    (
        "per period: 3 of 4",
        kpi(unit="count", baseline=None, target=GROW5),
        quarterly(1000, 1050, 1060, 1120, 1180),
        "partly_met",
        None,
        (3, 4),
    ),
    (
        "per period: 2 of 4",
        kpi(unit="count", baseline=None, target=GROW5),
        quarterly(1000, 1050, 1060, 1120, 1130),
        "partly_met",
        None,
        (2, 4),
    ),
    (
        "per period: 1 of 4",
        kpi(unit="count", baseline=None, target=GROW5),
        quarterly(1000, 1050, 1060, 1070, 1080),
        "missed",
        None,
        (1, 4),
    ),
    (
        "per period: 0 of 4",
        kpi(unit="count", baseline=None, target=GROW5),
        quarterly(1000, 990, 980, 970, 960),
        "missed",
        None,
        (0, 4),
    ),
    (
        "per period: first against baseline",
        kpi(unit="count", baseline=("2019-Q2", 1000), target=GROW5),
        quarterly(1050, 1100),
        "partly_met",
        {"value": 10, "unit": "%"},
        (1, 2),
    ),
    (
        "per period: baseline period itself is not judged",
        kpi(unit="count", baseline=("2019-Q3", 1000), target=GROW5),
        quarterly(1000, 1050),
        "met",
        {"value": 5, "unit": "%"},
        (1, 1),
    ),
    (
        "per period: percent grows in pp",
        kpi(unit="percent", baseline=("2019-Q2", 50), target=GROW5),
        quarterly(55, 60),
        "met",
        {"value": 10, "unit": "pp"},
        (2, 2),
    ),
    (
        "per period: 5% on a percent KPI is not 5% relative",
        kpi(unit="percent", baseline=("2019-Q2", 50), target=GROW5),
        quarterly(53, 56),
        "missed",
        {"value": 6, "unit": "pp"},
        (0, 2),
    ),
    (
        "per period: lower is better falls",
        kpi(unit="count", direction="lower_is_better", baseline=("2019-Q2", 100), target=GROW5),
        quarterly(95, 90),
        "met",
        {"value": -10, "unit": "%"},
        (2, 2),
    ),
    (
        "per period: growth from zero counts as met",
        kpi(unit="count", baseline=("2019-Q2", 0), target=GROW5),
        quarterly(10),
        "met",
        None,
        (1, 1),
    ),
    # Twitter followers in the demo: 407 in 2020-03 and nothing before, +5% a month, no baseline.
    (
        "per period: one value, no baseline",
        kpi(unit="count", baseline=None, target=GROW5),
        quarterly(1000),
        "too_early",
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "definition", "actuals", "status", "change", "periods_met"), CASES, ids=[c[0] for c in CASES]
)
def test_kpi_status(
    name: str,
    definition: Kpi,
    actuals: list[KpiActual],
    status: str,
    change: dict[str, Any] | None,
    periods_met: tuple[int, int] | None,
) -> None:
    result = kpi_status(definition, actuals, AS_OF)
    assert result.status == status
    assert (None if result.change is None else result.change.to_json()) == change
    assert result.periods_met == periods_met
    assert result.reason.endswith(".")


@pytest.mark.parametrize(
    ("name", "definition", "actuals", "status", "change", "periods_met"), CASES, ids=[c[0] for c in CASES]
)
def test_a_status_never_contradicts_its_figures(
    name: str,
    definition: Kpi,
    actuals: list[KpiActual],
    status: str,
    change: dict[str, Any] | None,
    periods_met: tuple[int, int] | None,
) -> None:
    result = kpi_status(definition, actuals, AS_OF)
    # "no data" exactly when there is no value; "no target set" exactly when there is no target.
    assert (result.status == "no_data") == (result.latest is None), result
    if result.latest is not None:
        assert (result.status == "no_target") == (definition.target is None), result
    # met, partly met and missed are judgements against a target: each is its own verdict.
    if result.status in ("met", "partly_met", "missed"):
        assert result.verdict == result.status and definition.target is not None
    assert result.to_json()["status"] == result.verdict in KPI_VERDICTS


VERDICTS = [
    # (name, kpi, actuals, status, verdict): what the ratings and `tracker kpis --json` read
    ("no target, better than baseline", kpi(), yearly(80), "no_target", "partly_met"),
    ("no target, worse than baseline", kpi(), yearly(70), "no_target", "missed"),
    ("no target, unchanged", kpi(), yearly(75), "no_target", "missed"),
    (
        "no target, lower is better falls",
        kpi(direction="lower_is_better"),
        yearly(70),
        "no_target",
        "partly_met",
    ),
    ("no target, no baseline", kpi(baseline=None), yearly(14), "no_target", "no_data"),
    ("too early", kpi(unit="count", baseline=None, target=GROW5), quarterly(407), "too_early", "no_data"),
    ("no value", kpi(target=T85), [], "no_data", "no_data"),
    ("met", kpi(target=T85), yearly(90), "met", "met"),
]


@pytest.mark.parametrize(
    ("name", "definition", "actuals", "status", "verdict"), VERDICTS, ids=[v[0] for v in VERDICTS]
)
def test_the_verdict_keeps_the_contract_codes(
    name: str, definition: Kpi, actuals: list[KpiActual], status: str, verdict: str
) -> None:
    result = kpi_status(definition, actuals, AS_OF)
    assert (result.status, result.verdict, result.has_data) == (status, verdict, verdict != "no_data")
    shape = result.to_json()
    assert shape["status"] == verdict
    assert (shape["target"] is None) == (definition.target is None)


def test_a_lone_value_is_shown_and_too_early_to_judge() -> None:
    """The demo's Twitter followers: a value, so never "no data"; one value, so no change can be judged."""
    definition = kpi(unit="count", baseline=None, target=GROW5)
    result = kpi_status(definition, [KpiActual("2020-03", date(2020, 3, 31), 407)], AS_OF)
    assert (result.status, result.latest) == ("too_early", ("2020-03", 407))
    assert result.reason == (
        "Only one value so far (407 in 2020-03) and no baseline, so the target of a rise of 5% each period "
        "cannot be judged yet."
    )


TIMELINES = [
    # (points, baseline, timeline): each period once, the baseline marked in place or first
    ([("2019/20", 60.0)], ("2018/19", 55.0), [("2018/19", 55.0, True), ("2019/20", 60.0, False)]),
    (
        [("2018/19", 55.0), ("2019/20", 60.0)],
        ("2018/19", 55.0),
        [("2018/19", 55.0, True), ("2019/20", 60.0, False)],
    ),
    (
        [("2017/18", 50.0), ("2018/19", 56.0), ("2019/20", 60.0)],
        ("2018/19", 55.0),
        [("2017/18", 50.0, False), ("2018/19", 55.0, True), ("2019/20", 60.0, False)],
    ),
    ([("2019/20", 60.0)], None, [("2019/20", 60.0, False)]),
    ([], ("2018/19", 55.0), [("2018/19", 55.0, True)]),
]


@pytest.mark.parametrize(("points", "baseline", "expected"), TIMELINES)
def test_timeline_lists_each_period_once(
    points: list[tuple[str, float]],
    baseline: tuple[str, float] | None,
    expected: list[tuple[str, float, bool]],
) -> None:
    drawn = timeline(points, baseline)
    assert list(drawn) == expected
    assert len({period for period, _, _ in drawn}) == len(drawn)


VALUES = [
    # (unit, value, problem): a percentage is a share from 0 to 100; other units take any finite number
    ("percent", 0, None),
    ("percent", 100, None),
    ("percent", 87.5, None),
    ("percent", 150, "must be between 0 and 100 for a percentage, not 150"),
    ("percent", -5, "must be between 0 and 100 for a percentage, not \u22125"),
    ("percent", 100.01, "must be between 0 and 100 for a percentage, not 100.01"),
    ("count", 150, None),
    ("number", -5, None),
    ("score", 150, None),
    ("currency", -5, None),
]


@pytest.mark.parametrize(("unit", "value", "problem"), VALUES)
def test_value_problem(unit: str, value: float, problem: str | None) -> None:
    assert value_problem(unit, value) == problem


def test_change_is_exact_for_the_shared_example() -> None:
    result = kpi_status(kpi(target=T85), [KpiActual("2022/23", date(2023, 3, 31), 90)], AS_OF)
    assert result.change is not None and result.change.value == 15 and isinstance(result.change.value, int)
    assert result.reason == "Latest 90% (2022/23) meets the target of 85%; up 15 pp from 75% in 2021/22."


REASONS = [
    (kpi(target=T85), yearly(80), "Latest 80% (2022/23) has not reached the target of 85%, but is up 5 pp"),
    (
        kpi(target=T85),
        yearly(70),
        "Latest 70% (2022/23) misses the target of 85%; down 5 pp from 75% in 2021/22.",
    ),
    (kpi(), yearly(80), "No target set; latest 80% (2022/23) is up 5 pp from 75% in 2021/22."),
    (kpi(baseline=None), yearly(14), "No target or baseline set"),
    (kpi(target=T85), [], "No value reported up to 30 April 2023 (the target of 85%)."),
    (
        kpi(direction="lower_is_better", baseline=None, target=Target(value=20)),
        yearly(18),
        "Latest 18% (2022/23) meets the target of no more than 20%.",
    ),
    (
        kpi(unit="count", baseline=None, target=GROW5),
        quarterly(1000, 1050, 1060, 1120, 1180),
        "Met the target of a rise of 5% each period in 3 of 4 periods since 2019-Q3 (latest 1,180 in 2020-Q3).",
    ),
    (
        kpi(unit="currency", baseline=("2021/22", 2000)),
        yearly(2500),
        "No target set; latest £2,500.00 (2022/23) is up 25% from £2,000.00 in 2021/22.",
    ),
]


@pytest.mark.parametrize(("definition", "actuals", "text"), REASONS)
def test_reasons_read_as_plain_english(definition: Kpi, actuals: list[KpiActual], text: str) -> None:
    assert text in kpi_status(definition, actuals, AS_OF).reason


def test_no_target_reason_says_so() -> None:
    assert "no target set" in kpi_status(kpi(), yearly(70), AS_OF).reason.lower()


AS_OF_CASES = [
    # (as_of, latest period, status): values ending after the as-of date are ignored
    (date(2022, 3, 30), None, "no_data"),
    (date(2022, 3, 31), "2021/22", "partly_met"),
    (date(2023, 3, 30), "2021/22", "partly_met"),
    (date(2023, 3, 31), "2022/23", "met"),
]


@pytest.mark.parametrize(("as_of", "latest", "status"), AS_OF_CASES)
def test_as_of_cuts_off_later_values(as_of: date, latest: str | None, status: str) -> None:
    actuals = [KpiActual("2021/22", date(2022, 3, 31), 80), KpiActual("2022/23", date(2023, 3, 31), 90)]
    result = kpi_status(kpi(baseline=("2020/21", 75), target=T85), actuals, as_of)
    assert (None if result.latest is None else result.latest[0]) == latest
    assert result.status == status


PARTNER_CASES = [
    # (unit, partner values for one period, combined value)
    ("count", [10, 15], 25),
    ("currency", [100.5, 200], 300.5),
    ("percent", [80, 90], 85),
    ("score", [3, 4], 3.5),
    ("number", [2, 4, 9], 5),
]


@pytest.mark.parametrize(("unit", "values", "combined"), PARTNER_CASES)
def test_per_partner_values_are_summed_or_averaged(unit: str, values: list[float], combined: float) -> None:
    actuals = [KpiActual("2022/23", date(2023, 3, 31), v, partner=f"p{i}") for i, v in enumerate(values)]
    series = kpi_series(kpi(unit=unit, per_partner=True), actuals, AS_OF)
    assert series == (("2022/23", date(2023, 3, 31), combined),)


def test_a_total_without_partner_wins_over_partner_values() -> None:
    actuals = [
        KpiActual("2022/23", date(2023, 3, 31), 10, partner="a"),
        KpiActual("2022/23", date(2023, 3, 31), 40),
        KpiActual("2021/22", date(2022, 3, 31), 5, partner="a"),
    ]
    series = kpi_series(kpi(unit="count", per_partner=True), actuals, AS_OF)
    assert [(p, v) for p, _, v in series] == [("2021/22", 5), ("2022/23", 40)]


def test_custom_partly_met_share() -> None:
    definition = kpi(unit="count", baseline=None, target=GROW5)
    actuals = quarterly(1000, 1050, 1060, 1120, 1130)
    assert kpi_status(definition, actuals, AS_OF, RuleSettings(kpi_partly_met_share=0.75)).status == "missed"


def test_json_has_exactly_the_documented_shape() -> None:
    result = kpi_status(kpi(target=T85), yearly(90), AS_OF).to_json()
    assert result == {
        "kpi": "k",
        "unit": "percent",
        "direction": "higher_is_better",
        "baseline": {"period": "2021/22", "value": 75},
        "latest": {"period": "2022/23", "value": 90},
        "target": {"value": 85},
        "status": "met",
        "change": {"value": 15, "unit": "pp"},
        "periods_met": None,
    }
    json.dumps(result)
    per_period = kpi_status(kpi(unit="count", baseline=None, target=GROW5), quarterly(1, 2), AS_OF).to_json()
    assert per_period["target"] == {"change": 5, "per_period": True}
    assert per_period["periods_met"] == {"met": 1, "of": 1}
    assert per_period["change"] is None

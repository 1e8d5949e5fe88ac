"""One style for every figure a person reads: numbers, money, KPI values, changes, dates; and one vocabulary."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tracker.domain import formats, rules, vocabulary
from tracker.domain.framework import Target
from tracker.domain.kpi import KPI_STATUSES, kpi_status
from tracker.domain.surveys import rounded_score
from tracker.reports import charts

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        # money: pence always, a true minus before the pound sign
        (-5, "currency", f"{MINUS}£5.00"),
        (-0.5, "currency", f"{MINUS}£0.50"),
        (0, "currency", "£0.00"),
        (-0.0, "currency", "£0.00"),
        (3.3, "currency", "£3.30"),
        (2500, "currency", "£2,500.00"),
        (1234567.891, "currency", "£1,234,567.89"),
        # percentages
        (55, "percent", "55%"),
        (55.25, "percent", "55.25%"),
        (0, "percent", "0%"),
        (-3.5, "percent", f"{MINUS}3.5%"),
        (100.0, "percent", "100%"),
        # counts, scores and plain numbers: separators, at most two decimals, no trailing zeros
        (12345, "count", "12,345"),
        (0, "count", "0"),
        (-12, "count", f"{MINUS}12"),
        (1_000_000_000, "count", "1,000,000,000"),
        (3.5, "score", "3.5"),
        (1234.56, "number", "1,234.56"),
        (0.1 + 0.2, "number", "0.3"),
        (-0.001, "number", "0"),
        (2.005, "number", "2"),
    ],
)
def test_kpi_values_read_one_way(value: float, unit: str, shown: str) -> None:
    assert formats.kpi_value(value, unit) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (15, "pp", "+15 pp"),
        (-5, "pp", f"{MINUS}5 pp"),
        (0, "pp", "0 pp"),
        (1, "points", "+1 point"),
        (-2.5, "points", f"{MINUS}2.5 points"),
        (0, "points", "0 points"),
        (25, "%", "+25%"),
        (-12.34, "%", f"{MINUS}12.34%"),
        (0, "%", "0%"),
        (12500, "%", "+12,500%"),
    ],
)
def test_changes_carry_their_sign_and_unit(value: float, unit: formats.ChangeUnit, shown: str) -> None:
    assert formats.signed_change(value, unit) == shown


@pytest.mark.parametrize(
    ("unit", "size", "shown"),
    [
        ("pp", 5, "5 pp"),
        ("percent", 2, "2 pp"),
        ("points", 1, "1 point"),
        ("score", 3, "3 points"),
        ("%", 5, "5%"),
        ("currency", 100, "£100.00"),
        ("count", 1500, "1,500"),
    ],
)
def test_amounts_of_change_and_tolerance(unit: str, size: float, shown: str) -> None:
    assert formats.amount(unit, size) == shown


HIGHER, LOWER = "higher_is_better", "lower_is_better"


@pytest.mark.parametrize(
    ("target", "unit", "direction", "shown"),
    [
        # a level says which side meets it, so a lower-is-better target never reads as a bare figure
        (Target(value=85), "percent", HIGHER, "85% or higher"),
        (Target(value=20), "percent", LOWER, "20% or lower"),
        (Target(value=-5), "currency", HIGHER, f"{MINUS}£5.00 or higher"),
        (Target(value=150), "currency", LOWER, "£150.00 or lower"),
        (Target(value=40), "count", HIGHER, "40 or higher"),
        (Target(value=100, period="2019/20"), "percent", HIGHER, "100% or higher by 2019/20"),
        # a change always asks for movement in the good direction, whatever sign the framework wrote
        (Target(change=5, per_period=True), "count", HIGHER, "+5% each period"),
        (Target(change=5, per_period=True), "count", LOWER, f"{MINUS}5% each period"),
        (Target(change=-2, period="2023/24"), "percent", LOWER, f"{MINUS}2 pp from baseline by 2023/24"),
        (Target(change=-2), "percent", HIGHER, "+2 pp from baseline"),
        (Target(change=1), "score", HIGHER, "+1 point from baseline"),
    ],
)
def test_targets(target: Target, unit: str, direction: str, shown: str) -> None:
    assert formats.kpi_target(target, unit, direction) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(74.5, "75"), (74.49, "74"), (74.49999999999999, "75"), (50.4, "50"), (0, "0"), (-0.5, f"{MINUS}1")],
)
def test_whole_numbers_round_half_up_as_survey_scores_do(value: float, shown: str) -> None:
    assert formats.whole_number(value) == shown
    if value >= 0:
        assert shown == str(rounded_score(value))  # the score tables' rounding


@pytest.mark.parametrize(
    ("function", "value", "shown"),
    [
        (formats.long_date, date(2020, 5, 31), "31 May 2020"),
        (formats.long_date, date(2021, 1, 1), "1 January 2021"),
        (formats.long_datetime, datetime(2020, 5, 31, 14, 5), "31 May 2020 at 14:05"),
        (formats.month_year, date(2019, 9, 30), "Sep 2019"),
        (formats.iso_date, date(2020, 5, 31), "2020-05-31"),
        (formats.file_size, 20 * 1048576, "20 MB"),
        (formats.file_size, 1024, "1 KB"),
    ],
)
def test_dates_and_sizes(function: object, value: object, shown: str) -> None:
    assert callable(function)
    assert function(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(3, "+3.0"), (-4.8, f"{MINUS}4.8"), (0, "0.0"), (-0.01, "0.0"), (1234.56, "+1,234.6")],
)
def test_signed_numbers_keep_their_precision(value: float, shown: str) -> None:
    assert formats.signed_number(value) == shown


def test_a_period_and_no_data() -> None:
    assert formats.period(date(2019, 4, 1), date(2020, 3, 31)) == "1 April 2019 to 31 March 2020"
    assert formats.kpi_value_or_none(None, "currency") == "no data" == formats.NO_DATA
    assert formats.kpi_value_or_none(-5, "currency") == f"{MINUS}£5.00"


def test_axis_ticks_may_drop_whole_pence_but_keep_the_minus() -> None:
    assert formats.money(-2000, pence=False) == f"{MINUS}£2,000"
    assert formats.money(2.5, pence=False) == "£2.5"  # only used when every tick is whole


def test_the_vocabulary_is_the_one_the_rules_publish() -> None:
    assert dict(vocabulary.RATING_LABELS) == dict(rules.RATING_LABELS)
    assert set(vocabulary.RATING_SHORT_LABELS) == set(rules.RATING_CODES) == set(vocabulary.RATING_SYMBOLS)
    assert vocabulary.RATING_SHORT_LABELS["not_yet"] == "Not yet"
    assert charts.rating_tags()["not_yet"] == vocabulary.rating_tag("not_yet") == "\u2026 Not yet"
    assert vocabulary.kpi_status_label("partly_met") == "partly met"
    assert set(vocabulary.KPI_STATUS_LABELS) == set(KPI_STATUSES) == set(vocabulary.KPI_STATUS_SYMBOLS)
    assert vocabulary.kpi_status_tag("no_target") == "○ no target set"
    assert vocabulary.partner_kind("hei") == "Higher education institution"
    assert vocabulary.partner_kind("unknown") == "unknown"


def test_domain_reasons_use_the_same_style() -> None:
    from tracker.domain.framework import Baseline, Kpi
    from tracker.domain.kpi import KpiActual

    kpi = Kpi("k", "Surplus", "t", "currency", "higher_is_better", Baseline("2021/22", -5), None)
    status = kpi_status(kpi, [KpiActual("2022/23", date(2023, 3, 31), 1500, None)], date(2023, 4, 30))
    assert f"from {MINUS}£5.00 in 2021/22" in status.reason
    assert "latest £1,500.00 (2022/23)" in status.reason

"""The straight-line forecast of a KPI (tracker.domain.forecast), as tables of periods and what follows."""

from __future__ import annotations

import pytest

from tracker.domain.forecast import (
    NEXT_PERIOD,
    forecast,
    next_period,
    straight_line,
    unit_bounds,
)
from tracker.domain.kpi import TimelinePoint, timeline


def points(*values: float, first: int = 2017) -> tuple[TimelinePoint, ...]:
    """Yearly periods 2017/18, 2018/19, ... with the values given, the first marked as the baseline."""
    return tuple(
        (f"{first + i}/{(first + i + 1) % 100:02d}", value, i == 0) for i, value in enumerate(values)
    )


@pytest.mark.parametrize(
    ("values", "slope", "intercept", "ahead"),
    [
        # three collinear points: the line is exact, one period ahead continues it
        ((10.0, 20.0, 30.0), 10.0, 10.0, 40.0),
        ((55.0, 60.0, 65.0, 70.0), 5.0, 55.0, 75.0),
        # falling
        ((9.0, 6.0, 3.0), -3.0, 9.0, 0.0),
        # a flat line stays flat
        ((42.0, 42.0, 42.0), 0.0, 42.0, 42.0),
        ((7.5, 7.5, 7.5, 7.5, 7.5), 0.0, 7.5, 7.5),
        # noise: least squares through (0,1) (1,3) (2,2) is y = 1.5 + 0.5x, so 3 at the fourth period
        ((1.0, 3.0, 2.0), 0.5, 1.5, 3.0),
        # (0,2) (1,1) (2,4) (3,3): slope 0.6, intercept 1.6, 4.0 at the fifth period
        ((2.0, 1.0, 4.0, 3.0), 0.6, 1.6, 4.0),
    ],
)
def test_the_line_and_the_period_ahead(
    values: tuple[float, ...], slope: float, intercept: float, ahead: float
) -> None:
    found = forecast(points(*values))
    assert found is not None
    assert found.periods == len(values)
    assert found.slope == pytest.approx(slope)
    assert found.intercept == pytest.approx(intercept)
    assert found.next_value == pytest.approx(ahead)
    assert found.fitted == pytest.approx([intercept + slope * i for i in range(len(values))])
    assert found.label == f"Forecast (straight line through {len(values)} periods)"


@pytest.mark.parametrize("values", [(), (50.0,), (50.0, 60.0)])
def test_fewer_than_three_periods_have_no_forecast(values: tuple[float, ...]) -> None:
    assert forecast(points(*values)) is None


def test_the_baseline_counts_once_as_its_period() -> None:
    """A value given for the baseline's period is that period, not a fourth point."""
    series = timeline([("2018/19", 60.0), ("2019/20", 70.0)], ("2018/19", 55.0))
    assert forecast(series) is None  # two periods
    series = timeline([("2018/19", 60.0), ("2019/20", 70.0)], ("2017/18", 50.0))
    found = forecast(series)
    assert found is not None and found.periods == 3 and found.next_period == "2020/21"
    assert found.next_value == pytest.approx(80.0)


@pytest.mark.parametrize(
    ("values", "unit", "ahead"),
    [
        ((80.0, 90.0, 99.0), "percent", 100.0),  # no share above 100%
        ((20.0, 10.0, 1.0), "percent", 0.0),  # nor below 0%
        ((30.0, 15.0, 2.0), "count", 0.0),  # no negative count
        ((30.0, 15.0, 2.0), "currency", 0.0),
        ((30.0, 15.0, 2.0), "number", -12.33),  # a number may be negative
        ((3.0, 2.0, 1.0), "score", 0.0),
    ],
)
def test_the_value_ahead_stays_within_the_unit(values: tuple[float, ...], unit: str, ahead: float) -> None:
    lowest, highest = unit_bounds(unit)
    found = forecast(points(*values), lowest=lowest, highest=highest)
    assert found is not None and found.next_value == pytest.approx(ahead, abs=0.01)


def test_a_value_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError):
        forecast(points(1.0, float("nan"), 2.0))
    with pytest.raises(ValueError):
        straight_line([1.0])


@pytest.mark.parametrize(
    ("label", "after"),
    [
        ("2019/20", "2020/21"),
        ("2099/00", "2100/01"),
        ("2019-20", "2020-21"),
        ("2019/21", NEXT_PERIOD),  # two years: not a year's label
        ("2021", "2022"),
        ("2019-Q3", "2019-Q4"),
        ("2019-Q4", "2020-Q1"),
        ("Q4 2017", "Q1 2018"),
        ("Q1 2018", "Q2 2018"),
        ("2019-08", "2019-09"),
        ("2019-12", "2020-01"),
        (" 2019/20 ", "2020/21"),
        ("2021-03-08/12 (Social Work Week)", NEXT_PERIOD),
        ("Spring", NEXT_PERIOD),
        ("", NEXT_PERIOD),
    ],
)
def test_the_period_ahead_is_named_in_the_same_style(label: str, after: str) -> None:
    assert next_period(label) == after

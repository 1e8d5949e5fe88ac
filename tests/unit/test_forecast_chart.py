"""The forecast on a KPI's chart (kpi_trend): drawn from three periods on, dash-dotted, named in a legend and
in the text alternative; read from the SVG itself."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.unit.test_charts import find_all, parse, texts
from tracker.reports.charts import kpi_trend
from tracker.reports.charts.trend import FORECAST_DASHES

YEARS = ["2016/17", "2017/18", "2018/19", "2019/20", "2020/21"]


def trend(
    values: list[float], unit: str = "count", target: float | None = None, show_forecast: bool = True
) -> ET.Element:
    points = list(zip(YEARS, values, strict=False))
    return parse(
        kpi_trend(
            "k", "Placements", unit, points, None, target, "higher_is_better", show_forecast=show_forecast
        )
    )


def desc(root: ET.Element) -> str:
    return "".join(find_all(root, "desc")[0].itertext())


def path_points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+) (-?[\d.]+)", d)]


@pytest.mark.parametrize("values", [[], [10.0], [10.0, 20.0]])
def test_fewer_than_three_periods_draw_no_forecast(values: list[float]) -> None:
    root = trend(values)
    assert find_all(root, "path", data_part="forecast") == []
    assert find_all(root, "circle", data_part="forecast-point") == []
    assert find_all(root, "g", data_part="legend") == []
    assert "Forecast" not in desc(root) and not any("Forecast" in t for t in texts(root))


@pytest.mark.parametrize("count", [3, 4, 5])
def test_three_periods_or_more_draw_it_dash_dotted_with_a_legend_and_words(count: int) -> None:
    root = trend([10.0 * (i + 1) for i in range(count)], target=100.0)
    [line] = find_all(root, "path", data_part="forecast")
    [target] = find_all(root, "path", data_part="target")
    assert line.get("stroke-dasharray") == FORECAST_DASHES != target.get("stroke-dasharray")
    name = f"Forecast (straight line through {count} periods)"
    [legend] = find_all(root, "g", data_part="legend")
    assert texts(legend) == [name]
    [swatch] = [e for e in legend if e.tag.endswith("path")]
    assert swatch.get("stroke-dasharray") == FORECAST_DASHES  # the legend shows the line's own dashes
    ahead = YEARS[count] if count < len(YEARS) else "2021/22"
    assert f"{name}: {10 * (count + 1)} in {ahead}" in desc(root)
    [point] = find_all(root, "circle", data_part="forecast-point")
    assert point.get("fill") == "#ffffff"  # hollow: a forecast, not a value
    assert path_points(line.get("d", ""))[-1] == (float(point.get("cx", "")), float(point.get("cy", "")))


def test_collinear_values_give_one_straight_line_through_every_point() -> None:
    root = trend([10.0, 20.0, 30.0])
    [line] = find_all(root, "path", data_part="forecast")
    values = [
        (float(c.get("cx", "")), float(c.get("cy", ""))) for c in find_all(root, "circle", data_part="point")
    ]
    (x0, y0), (x1, y1), (x2, y2) = path_points(line.get("d", ""))
    assert (x0, y0) == values[0] and (x1, y1) == values[-1]  # through the first and the latest value
    assert (y1 - y0) / (x1 - x0) == pytest.approx((y2 - y1) / (x2 - x1), rel=0.02)  # on, not bent
    assert "2019/20" in texts(root)  # the period ahead, named under the axis


def test_a_flat_line_stays_level() -> None:
    root = trend([5.0, 5.0, 5.0])
    [line] = find_all(root, "path", data_part="forecast")
    assert len({y for _, y in path_points(line.get("d", ""))}) == 1
    assert "Forecast (straight line through 3 periods): 5 in 2019/20" in desc(root)


def test_a_share_is_never_forecast_above_100_percent() -> None:
    root = trend([80.0, 90.0, 99.0], unit="percent")
    assert "Forecast (straight line through 3 periods): 100% in 2019/20" in desc(root)


def test_an_unknown_period_style_is_the_next_period() -> None:
    points = [("Spring", 1.0), ("Summer", 2.0), ("Autumn", 3.0)]
    root = parse(kpi_trend("k", "K", "count", points, None, None, "higher_is_better"))
    assert "Forecast (straight line through 3 periods): 4 in the next period" in desc(root)


def test_the_forecast_can_be_left_out() -> None:
    root = trend([10.0, 20.0, 30.0], show_forecast=False)
    assert find_all(root, "path", data_part="forecast") == []
    assert "Forecast" not in desc(root)

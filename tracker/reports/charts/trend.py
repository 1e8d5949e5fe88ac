"""A KPI over time, turn-the-curve style: baseline, each period's value, the target and, from three periods,
the forecast on one line chart.

Each period is drawn once (`tracker.domain.kpi.timeline`): a value reported for the baseline's period is
the baseline point, marked, not a second point. Values and the target are written by
`tracker.domain.formats` (`kpi_value`, `kpi_level`), exactly as the pages and the report's tables write them.
The forecast (`tracker.domain.forecast`: a straight line through every period, one period ahead) is drawn
dash-dotted, unlike the target's dashes, ends in a hollow point, and is named in a legend under the chart
and in the text alternative; with fewer than three periods there is none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.domain.forecast import NEXT_PERIOD, Forecast, forecast, unit_bounds
from tracker.domain.formats import kpi_level, kpi_value, money
from tracker.domain.kpi import timeline
from tracker.domain.vocabulary import DIRECTION_NOTES
from tracker.reports.charts import svg
from tracker.reports.charts.svg import AXIS, BRAND, GRID, INK, MUTED, WHITE, n

_DIRECTIONS = DIRECTION_NOTES


def _format_tick(unit: str, value: float, whole: bool) -> str:
    """An axis tick as a value, but in whole pounds when every tick is whole, to keep the axis quiet."""
    if unit == "currency" and whole:
        return money(value, pence=False)
    return kpi_value(value, unit)


def _value(unit: str, value: float) -> str:
    """A KPI value exactly as the pages and the report's tables write it."""
    return kpi_value(value, unit)


TREND_WIDTH = 360.0  # drawn for a half-width column (two per row in the PDF), where 12 units read as 8pt
TREND_PLOT = 130.0
TREND_MARGIN = 8.0


FORECAST_DASHES = "9 3 2 3"  # dash-dot: never mistaken for the target's even dashes


def forecast_value(unit: str, value: float) -> str:
    """The forecast's value as a figure no more precise than a straight line is: whole counts, one decimal."""
    if unit == "count":
        return kpi_value(round(value), unit)
    if unit == "currency":
        return kpi_value(round(value), unit)
    return kpi_value(round(value, 1), unit)


def forecast_text(unit: str, line: Forecast) -> str:
    """'Forecast (straight line through 3 periods): 80% in 2020/21', for a text alternative."""
    when = "the next period" if line.next_period == NEXT_PERIOD else svg.clean(line.next_period)
    return f"{line.label}: {forecast_value(unit, line.next_value)} in {when}"


def direction_note(direction: str) -> str:
    """'↑ Higher is better' or '↓ Lower is better', for a page that prints it beside the chart."""
    return _DIRECTIONS[direction]


def kpi_trend(
    id_prefix: str,
    name: str,
    unit: str,
    points: Sequence[tuple[str, float]],
    baseline: tuple[str, float] | None,
    target: float | None,
    direction: str,
    *,
    show_title: bool = True,
    target_text: str | None = None,
    show_forecast: bool = True,
) -> Markup:
    """A KPI's baseline, each period's value, the target and the forecast, so a board sees whether the curve
    turns.

    `target_text` is the whole target in words (`formats.kpi_target`: a change target has no level to draw,
    but the description still names it); without it the level drawn is described. The forecast is drawn
    from three periods on (`show_forecast=False` leaves it out).
    """
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(_DIRECTIONS)}: {direction!r}")
    if not points and baseline is None:
        return svg.no_data(id_prefix, "trend", name, TREND_WIDTH)
    svg.check_finite(
        *(v for _, v in points),
        *([baseline[1]] if baseline else []),
        *([target] if target is not None else []),
    )

    series = timeline(points, baseline)
    lowest_allowed, highest_allowed = unit_bounds(unit)
    line = forecast(series, lowest=lowest_allowed, highest=highest_allowed) if show_forecast else None
    values = [v for _, v, _ in series] + ([target] if target is not None else [])
    if line is not None:
        values += [*line.fitted, line.next_value]
    low, high = min(values), max(values)
    if unit == "percent":
        low, high = min(low, 0.0), max(high, 100.0)
    else:
        # A little room above and below so no point sits on the frame (a zero axis stays at zero).
        pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
        high += pad
        low = 0.0 if 0 <= low <= high / 2 else low - pad
    ticks = svg.ticks(low, high, 4)
    lowest = min([v for _, v, _ in series] + ([line.next_value] if line is not None else []))
    if ticks[0] != 0 and lowest - ticks[0] < (ticks[-1] - ticks[0]) * 0.16:
        ticks.insert(0, round(2 * ticks[0] - ticks[1], 9))  # room for a value label under the lowest point
    low, high = ticks[0], ticks[-1]
    whole = all(float(t).is_integer() for t in ticks)

    width, margin = TREND_WIDTH, TREND_MARGIN
    note = _DIRECTIONS[direction]
    # Left to the page (show_title=False), the name and the direction are printed above the chart in HTML
    # and stay in the SVG's title and description: WeasyPrint lays out SVG text one glyph at a time.
    name_lines = svg.wrap(name, width - 2 * margin, 14, 2, bold=True) if show_title else []
    note_y = 18 + 17 * len(name_lines) if show_title else -4.0
    body = [svg.lines(margin, 18, name_lines, 17, size=14, bold=True)]
    if show_title:
        body.append(svg.text(margin, note_y, note, size=12, fill=MUTED))

    tick_w = max(svg.width(_format_tick(unit, t, whole), 12) for t in ticks)
    left = margin + tick_w + 6
    target_level = kpi_level(target, unit, direction) if target is not None else ""
    target_w = max(svg.width("target", 12), svg.width(target_level, 12, bold=True))
    right = width - margin - (target_w + 6 if target_level else 4)
    top = note_y + 26
    bottom = top + TREND_PLOT
    legend_y = bottom + (40 if baseline else 26) + 12
    height = legend_y + 8 if line is not None else legend_y - 12

    def y_of(value: float) -> float:
        """Where a value sits on the plot, top being the axis maximum."""
        return bottom - (value - low) / (high - low) * (bottom - top)

    # Every gridline is drawn; with more than four, every other one is labelled, counting from the top.
    labelled_ticks = set(ticks if len(ticks) <= 4 else ticks[::-2])
    for tick in ticks:
        ty = y_of(tick)
        body.append(f'<path d="M{n(left)} {n(ty)}H{n(right)}" stroke="{GRID}"/>')
        if tick in labelled_ticks:
            body.append(
                svg.text(left - 6, ty + 4, _format_tick(unit, tick, whole), size=12, anchor="end", fill=MUTED)
            )
    body.append(f'<path d="M{n(left)} {n(top - 6)}V{n(bottom)}H{n(right)}" fill="none" stroke="{AXIS}"/>')

    slots = len(series) + (1 if line is not None else 0)  # the forecast's period ahead has a slot of its own
    step = (right - left) / slots
    xs = [left + step * (i + 0.5) for i in range(len(series))]
    # Period labels: all of them if they fit, else every k-th counting back from the latest period
    # (the baseline's label is kept in place of its nearest neighbour).
    labels = [svg.fit(svg.clean(period), 110, 12) for period, _, _ in series]
    widest = max(svg.width(label, 12) for label in labels)
    every = max(1, math.ceil((widest + 6) / step))
    shown = sorted(i for i in range(len(series)) if (len(series) - 1 - i) % every == 0)
    marked = next((i for i, (_, _, is_baseline) in enumerate(series) if is_baseline), None)
    if marked is not None and marked not in shown:
        at = marked  # the baseline's label is kept in place of its nearest neighbour's
        nearest = min(shown, key=lambda i: abs(i - at))
        if abs(nearest - at) * step < widest + 6 and nearest != len(series) - 1:
            shown.remove(nearest)
        shown = sorted([*shown, at])
    for i in shown:
        x, label = xs[i], labels[i]
        body.append(svg.text(x, bottom + 17, label, size=12, anchor="middle"))
        if series[i][2]:
            body.append(
                svg.text(x, bottom + 32, "baseline", size=12, anchor="middle", italic=True, fill=MUTED)
            )
    ahead = svg.clean(line.next_period) if line is not None else ""
    if ahead and every == 1 and svg.width(ahead, 12) + 6 <= step:  # named when it fits, as every period is
        x_ahead = left + step * (len(series) + 0.5)
        body.append(svg.text(x_ahead, bottom + 17, ahead, size=12, anchor="middle", italic=True, fill=MUTED))

    if target is not None:
        ty = y_of(target)
        body.append(
            f'<path data-part="target" d="M{n(left)} {n(ty)}H{n(right)}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        body.append(svg.text(right + 6, ty - 3, "target", size=12, fill=MUTED))
        body.append(svg.text(right + 6, ty + 11, target_level, size=12, bold=True))

    ys = [y_of(v) for _, v, _ in series]
    if line is not None:
        plot = _Plot(left, top, bottom, step, y_of)
        body.append(_forecast_marks(line, unit, xs, plot, legend_y))
    # Every value is labelled when the labels fit; when they would collide, only the first, the last,
    # the highest and the lowest are (the gridlines and the description carry the rest).
    value_labels = [_value(unit, v) for _, v, _ in series]
    if step >= max(svg.width(label, 12, bold=True) for label in value_labels) + 6:
        labelled = set(range(len(series)))
    else:
        plain = [v for _, v, _ in series]
        labelled = {0, len(series) - 1, plain.index(max(plain)), plain.index(min(plain))}
    if len(series) > 1:
        d = "M" + "L".join(f"{n(x)} {n(y)}" for x, y in zip(xs, ys, strict=True))
        body.append(f'<path data-part="line" d="{d}" fill="none" stroke="{BRAND}" stroke-width="2.5"/>')
    for i, ((_, _, is_baseline), x, y) in enumerate(zip(series, xs, ys, strict=True)):
        if is_baseline:
            body.append(
                f'<rect data-part="baseline" x="{n(x - 5.5)}" y="{n(y - 5.5)}" width="11" height="11" '
                f'fill="{WHITE}" stroke="{BRAND}" stroke-width="2.5"/>'
            )
        else:
            body.append(f'<circle data-part="point" cx="{n(x)}" cy="{n(y)}" r="5.5" fill="{BRAND}"/>')
        if i not in labelled:
            continue
        # Value label above the point unless the neighbours are higher (or there is no room above).
        neighbours = [ys[j] for j in (i - 1, i + 1) if 0 <= j < len(ys)]
        above = not neighbours or y <= sum(neighbours) / len(neighbours) + 0.5
        if y < top - 1:
            above = False
        if y > bottom - 20:
            above = True
        label = value_labels[i]
        label_w = svg.width(label, 12, bold=True)
        ly = y - 11 if above else y + 21
        body.append(
            f'<rect x="{n(x - label_w / 2 - 3)}" y="{n(ly - 12)}" width="{n(label_w + 6)}" height="15" '
            f'rx="2" fill="{WHITE}"/>'
        )
        body.append(svg.text(x, ly, label, size=12, anchor="middle", bold=True))

    said = [
        f"Baseline {_value(unit, value)} ({svg.clean(period)})"
        if is_baseline
        else f"{svg.clean(period)}: {_value(unit, value)}"
        for period, value, is_baseline in series
    ]
    if line is not None:
        said.append(forecast_text(unit, line))
    if target_text:
        said.append(f"target {svg.clean(target_text)}")
    else:
        said.append(f"target {target_level}" if target is not None else "no target set")
    desc = "; ".join(said) + f". {note[2:]}."
    return svg.chart(id_prefix, "trend", width, height, name, desc, "".join(body))


@dataclass(frozen=True)
class _Plot:
    """Where the plot is: its left edge, top and bottom, one period's width and the value-to-y scale."""

    left: float
    top: float
    bottom: float
    step: float
    y_of: Callable[[float], float]


def _forecast_marks(line: Forecast, unit: str, xs: Sequence[float], plot: _Plot, legend_y: float) -> str:
    """The forecast: the fitted line through the periods and on to the period ahead, a hollow point there
    with its value (when it fits its slot), and the legend that names it (the same dash-dot as the line)."""
    x_ahead = plot.left + plot.step * (len(xs) + 0.5)
    y_ahead = plot.y_of(line.next_value)
    d = (
        f"M{n(xs[0])} {n(plot.y_of(line.fitted[0]))}L{n(xs[-1])} {n(plot.y_of(line.fitted[-1]))}"
        f"L{n(x_ahead)} {n(y_ahead)}"
    )
    parts = [
        f'<path data-part="forecast" d="{d}" fill="none" stroke="{BRAND}" stroke-width="2" '
        f'stroke-dasharray="{FORECAST_DASHES}"/>',
        f'<circle data-part="forecast-point" cx="{n(x_ahead)}" cy="{n(y_ahead)}" r="4.5" fill="{WHITE}" '
        f'stroke="{BRAND}" stroke-width="2"/>',
    ]
    label = forecast_value(unit, line.next_value)
    label_w = svg.width(label, 12)
    if plot.step >= label_w + 6:
        above = line.slope >= 0
        if y_ahead < plot.top + 14:
            above = False
        if y_ahead > plot.bottom - 20:
            above = True
        ly = y_ahead - 11 if above else y_ahead + 21
        parts += [
            f'<rect x="{n(x_ahead - label_w / 2 - 3)}" y="{n(ly - 12)}" width="{n(label_w + 6)}" height="15" '
            f'rx="2" fill="{WHITE}"/>',
            svg.text(x_ahead, ly, label, size=12, anchor="middle", italic=True),
        ]
    parts += [
        f'<g data-part="legend"><path d="M{n(plot.left)} {n(legend_y - 4)}h28" stroke="{BRAND}" '
        f'stroke-width="2" stroke-dasharray="{FORECAST_DASHES}"/>',
        svg.text(plot.left + 34, legend_y, line.label, size=12, fill=MUTED),
        "</g>",
    ]
    return "".join(parts)

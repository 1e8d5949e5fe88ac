"""A KPI's trend as a word-sized line for a table cell: each period once, the baseline hollow, the latest
value filled and the target dashed. Its text alternative, the `<title>` its `aria-labelledby` names, says
every value in words; as in every chart, argument text is only ever in a text node, escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from tracker.domain.formats import kpi_value
from tracker.domain.kpi import TimelinePoint
from tracker.reports.charts import svg
from tracker.reports.charts.svg import BRAND, INK, WHITE, n

SPARK_WIDTH = 120.0
SPARK_HEIGHT = 36.0
SPARK_PAD = 6.0


def sparkline_text(name: str, unit: str, points: Sequence[TimelinePoint], target_text: str | None) -> str:
    """The line in words: 'Trend of X: baseline 55% (2018/19), 2019/20: 60%; target 100% or higher.'"""
    said = [
        f"baseline {kpi_value(v, unit)} ({p})" if is_baseline else f"{p}: {kpi_value(v, unit)}"
        for p, v, is_baseline in points
    ]
    aim = f"target {target_text}" if target_text else "no target set"
    return svg.clean(f"Trend of {name}: {', '.join(said)}; {aim}.")


def kpi_sparkline(
    id_prefix: str,
    name: str,
    unit: str,
    points: Sequence[TimelinePoint],
    target: float | None,
    target_text: str | None,
) -> Markup:
    """A small line of a KPI's values (two or more periods, `KpiStatus.timeline()`) with its target level
    dashed (`target`, if it has one) and the whole target in words (`formats.kpi_target`) in its label."""
    prefix = svg.check_prefix(id_prefix)
    if len(points) < 2:
        raise ValueError("a sparkline needs two periods or more")
    svg.check_finite(*(v for _, v, _ in points), *([target] if target is not None else []))
    values = [v for _, v, _ in points] + ([target] if target is not None else [])
    low, high = min(values), max(values)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    left, right = SPARK_PAD, SPARK_WIDTH - SPARK_PAD
    top, bottom = SPARK_PAD, SPARK_HEIGHT - SPARK_PAD

    def y_of(value: float) -> float:
        """Where a value sits, top being the highest of the values and the target."""
        return bottom - (value - low) / (high - low) * (bottom - top)

    step = (right - left) / (len(points) - 1)
    xy = [(left + i * step, y_of(v)) for i, (_, v, _) in enumerate(points)]
    body: list[str] = []
    if target is not None:
        ty = y_of(target)
        body.append(
            f'<path data-part="target" d="M{n(left)} {n(ty)}H{n(right)}" stroke="{INK}" '
            f'stroke-width="1" stroke-dasharray="3 2"/>'
        )
    line = "M" + "L".join(f"{n(x)} {n(y)}" for x, y in xy)
    body.append(f'<path data-part="line" d="{line}" fill="none" stroke="{BRAND}" stroke-width="2"/>')
    for (_, _, is_baseline), (x, y) in zip(points, xy, strict=True):
        if is_baseline:
            body.append(
                f'<rect data-part="baseline" x="{n(x - 3)}" y="{n(y - 3)}" width="6" height="6" '
                f'fill="{WHITE}" stroke="{BRAND}" stroke-width="1.5"/>'
            )
    x, y = xy[-1]
    body.append(f'<circle data-part="latest" cx="{n(x)}" cy="{n(y)}" r="3.5" fill="{BRAND}"/>')
    label = svg.esc(sparkline_text(name, unit, points, target_text))
    return Markup(  # noqa: S704 (every argument string was escaped by esc)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" data-chart="sparkline" '
        f'viewBox="0 0 {n(SPARK_WIDTH)} {n(SPARK_HEIGHT)}" width="{n(SPARK_WIDTH)}" '
        f'height="{n(SPARK_HEIGHT)}" role="img" aria-labelledby="{prefix}-title">'
        f'<title id="{prefix}-title">{label}</title>' + "".join(body) + "</svg>"
    )

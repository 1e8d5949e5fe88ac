"""Distance travelled: before and after values on one scale as a dumbbell chart.

Its labels write values as the table beside it does (`value_text`, from `tracker.domain.formats`): survey
scores are whole numbers there (`formats.whole_number`), so the chart never shows 74.83 beside a 75.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup

from tracker.domain.formats import number
from tracker.reports.charts import svg
from tracker.reports.charts.svg import AXIS, BRAND, DIAGRAM_WIDTH, GRID, MARGIN, MUTED, WHITE, n


def distance_travelled(
    id_prefix: str,
    title: str,
    rows: Sequence[tuple[str, float, float]],
    scale_max: float,
    *,
    show_title: bool = True,
    value_text: Callable[[float], str] = number,
) -> Markup:
    """Before and after values on one scale, so the distance travelled reads as the length of a line."""
    if not rows:
        return svg.no_data(id_prefix, "distance", title, DIAGRAM_WIDTH)
    svg.check_finite(scale_max, *(v for _, before, after in rows for v in (before, after)))
    if scale_max <= 0:
        raise ValueError(f"scale_max must be positive: {scale_max!r}")

    width = DIAGRAM_WIDTH
    ticks = svg.ticks(
        min(0.0, *(min(b, a) for _, b, a in rows)), max(scale_max, *(max(b, a) for _, b, a in rows))
    )
    low, high = ticks[0], ticks[-1]
    label_w = 210.0
    left = MARGIN + label_w + 46
    right = width - MARGIN - 40

    def x_of(value: float) -> float:
        """Where a value sits along the scale."""
        return left + (value - low) / (high - low) * (right - left)

    legend_w = 150.0
    title_lines = svg.wrap(title, width - 2 * MARGIN - legend_w - 12, 15, 2, bold=True) if show_title else []
    body = [svg.lines(MARGIN, 22, title_lines, 19, size=15, bold=True)]
    lx = width - MARGIN - legend_w
    body.append(
        f'<g data-part="legend"><circle cx="{n(lx + 7)}" cy="17" r="6" fill="{WHITE}" stroke="{BRAND}" '
        f'stroke-width="2.5"/>'
        + svg.text(lx + 18, 21.5, "before", size=12)
        + f'<circle cx="{n(lx + 82)}" cy="17" r="6" fill="{BRAND}"/>'
        + svg.text(lx + 93, 21.5, "after", size=12)
        + "</g>"
    )
    top = 22 + 19 * (max(len(title_lines), 1) - 1) + 22
    row_h = 36.0
    bottom = top + len(rows) * row_h

    for tick in ticks:
        tx = x_of(tick)
        body.append(f'<path d="M{n(tx)} {n(top)}V{n(bottom)}" stroke="{GRID}"/>')
        body.append(svg.text(tx, bottom + 16, number(tick), size=12, anchor="middle", fill=MUTED))
    body.append(f'<path d="M{n(left)} {n(bottom)}H{n(right)}" stroke="{AXIS}"/>')

    described = []
    for index, (label, before, after) in enumerate(rows):
        cy = top + index * row_h + row_h / 2
        label_lines = svg.wrap(label, label_w, 13, 2)
        body.append('<g data-part="row">')
        body.append(svg.lines(MARGIN, cy + 4.5 - (len(label_lines) - 1) * 8, label_lines, 16))
        bx, ax = x_of(before), x_of(after)
        body.append(f'<path d="M{n(bx)} {n(cy)}H{n(ax)}" stroke="{AXIS}" stroke-width="3"/>')
        body.append(
            f'<circle data-part="before" cx="{n(bx)}" cy="{n(cy)}" r="6" fill="{WHITE}" '
            f'stroke="{BRAND}" stroke-width="2.5"/>'
            f'<circle data-part="after" cx="{n(ax)}" cy="{n(cy)}" r="6" fill="{BRAND}"/>'
        )
        rising = after >= before
        if abs(after - before) < 1e-9:
            body.append(svg.text(ax + 11, cy + 4.5, f"{value_text(after)} (no change)", size=12))
            change = "no change"
        else:
            body.append(
                svg.text(
                    bx - 11 if rising else bx + 11,
                    cy + 4.5,
                    value_text(before),
                    size=12,
                    anchor="end" if rising else "start",
                )
            )
            body.append(
                svg.text(
                    ax + 11 if rising else ax - 11,
                    cy + 4.5,
                    value_text(after),
                    size=12,
                    bold=True,
                    anchor="start" if rising else "end",
                )
            )
            change = f"{'up' if rising else 'down'} {number(abs(after - before), 1)}"
        body.append("</g>")
        described.append(
            f"{svg.clean(label)}: before {value_text(before)}, after {value_text(after)} ({change})"
        )

    desc = f"Before and after, on a scale of {number(low)} to {number(high)}. " + "; ".join(described) + "."
    return svg.chart(id_prefix, "distance", width, bottom + 26, title, desc, "".join(body))

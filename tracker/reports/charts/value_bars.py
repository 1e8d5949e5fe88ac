"""Counts as horizontal bars on one scale, each bar labelled and its value written beside it (attendance by
session, theme or format; how many gave each rating): one colour, so nothing is told by colour at all. A
row may be a total of others (the sessions not drawn one by one): written in words, not drawn, so it does
not squash the scale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.reports.charts import svg
from tracker.reports.charts.svg import BRAND, DIAGRAM_WIDTH, GRID, MARGIN, MUTED, n


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value, and the value as the table beside the chart writes it."""

    label: str
    value: float
    text: str
    drawn: bool = True  # False: a total of other rows (the rest summed), written in words but not drawn


def value_bars(
    id_prefix: str,
    title: str,
    bars: Sequence[Bar],
    *,
    show_title: bool = True,
    label_width: float = 230.0,
    note: str = "",
) -> Markup:
    """One bar per row on a common scale from 0; `note` ends the text alternative (e.g. what was summed)."""
    if not bars:
        return svg.no_data(id_prefix, "value-bars", title, DIAGRAM_WIDTH)
    svg.check_finite(*(b.value for b in bars))
    if any(b.value < 0 for b in bars):
        raise ValueError("a bar's value cannot be negative")

    width = DIAGRAM_WIDTH
    title_lines = svg.wrap(title, width - 2 * MARGIN, 15, 2, bold=True) if show_title else []
    body = [svg.lines(MARGIN, 22, title_lines, 19, size=15, bold=True)]
    top = (22 + 19 * (len(title_lines) - 1) + 14) if title_lines else 8.0
    text_w = (
        max(svg.width(b.text, 12, bold=True) for b in bars if b.drawn) + 12
        if any(b.drawn for b in bars)
        else 12
    )
    bar_x = MARGIN + label_width + 10
    bar_w = width - MARGIN - text_w - bar_x
    scale = bar_w / max(max((b.value for b in bars if b.drawn), default=0.0), 1e-9)
    row_h, bar_h = 26.0, 16.0
    described = []
    for index, bar in enumerate(bars):
        y = top + index * row_h
        label = svg.fit(svg.clean(bar.label), label_width, 12)
        if bar.drawn:
            length = bar.value * scale
            mark = (
                f'<rect x="{n(bar_x)}" y="{n(y)}" width="{n(length)}" height="{n(bar_h)}" fill="{BRAND}"/>'
                + svg.text(bar_x + length + 6, y + 12.5, bar.text, size=12, bold=True)
            )
        else:  # a total of the other rows would dwarf them: said, not drawn
            mark = svg.text(bar_x + 6, y + 12.5, f"{bar.text} (not drawn)", size=12, italic=True, fill=MUTED)
        body.append(
            f'<g data-part="{"bar" if bar.drawn else "total"}" data-value="{n(bar.value)}">'
            + svg.text(MARGIN + label_width, y + 12.5, label, size=12, anchor="end")
            + f'<path d="M{n(bar_x)} {n(y - 3)}V{n(y + bar_h + 3)}" stroke="{GRID}"/>'
            + mark
            + "</g>"
        )
        described.append(f"{svg.clean(bar.label)}: {bar.text}")
    height = top + len(bars) * row_h
    desc = "; ".join(described) + "." + (f" {svg.clean(note)}" if note else "")
    return svg.chart(id_prefix, "value-bars", width, height, title, desc, "".join(body))

"""Outcomes at each rating by theme: one stacked bar per theme on one scale, a legend keyed by pattern."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from tracker.domain.formats import number
from tracker.domain.rules import RATING_CODES
from tracker.domain.vocabulary import RATING_SHORT_LABELS, rating_tag
from tracker.reports.charts import svg
from tracker.reports.charts.rating_marks import PILL_HEIGHT, check_rating, patterns, pill, pill_width, swatch
from tracker.reports.charts.svg import DIAGRAM_WIDTH, GRID, INK, MARGIN, MUTED, n


def rating_bars(id_prefix: str, rows: Sequence[tuple[str, Mapping[str, int]]]) -> Markup:
    """How many outcomes of each theme sit at each rating, one stacked bar per theme on one scale."""
    title = "Outcomes at each evidence rating, by theme"
    if not rows:
        return svg.no_data(id_prefix, "bars", title, DIAGRAM_WIDTH)
    for _, counts in rows:
        for code, count in counts.items():
            check_rating(code)
            if count < 0:
                raise ValueError(f"a count of outcomes cannot be negative: {count!r}")

    width = DIAGRAM_WIDTH
    label_w = 190.0
    bar_x = MARGIN + label_w + 10
    totals = [sum(counts.get(c, 0) for c in RATING_CODES) for _, counts in rows]
    total_w = max(svg.width(number(t), 13, bold=True) for t in totals) + 14
    bar_w = width - MARGIN - total_w - bar_x
    scale = bar_w / max(max(totals), 1)

    # Legend keyed by pattern, wrapping onto a second line if needed.
    body: list[str] = []
    lx, ly = MARGIN, 8.0
    for code in RATING_CODES:
        tag = rating_tag(code)
        item_w = 30 + svg.width(tag, 12) + 16
        if lx + item_w > width - MARGIN:
            lx, ly = MARGIN, ly + 24
        body.append(
            f'<g data-part="legend-item" data-rating="{code}">'
            + swatch(id_prefix, code, lx, ly, 24, 16, 3)
            + svg.text(lx + 30, ly + 12.5, tag, size=12)
            + "</g>"
        )
        lx += item_w
    top = ly + 16 + 18
    body.append(svg.text(width - MARGIN, top - 4, "Total", size=12, anchor="end", fill=MUTED))

    row_h = 50.0
    bar_h = 24.0
    described = []
    for index, ((label, counts), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + index * row_h
        label_lines = svg.wrap(label, label_w, 13, 2, bold=True)
        first = y + bar_h / 2 + 4.5 - (len(label_lines) - 1) * 8
        body.append(f'<g data-part="bar" data-total="{total}">')
        body.append(svg.lines(MARGIN, first, label_lines, 16, bold=True))
        x = bar_x
        below_end = -math.inf
        parts = []
        for code in RATING_CODES:
            count = counts.get(code, 0)
            if count == 0:
                continue
            seg_w = count * scale
            body.append(
                f'<g data-part="segment" data-rating="{code}" data-count="{count}">'
                + swatch(id_prefix, code, x, y, seg_w, bar_h, stroke=0.75)
                + "</g>"
            )
            label_text = str(count)
            need = pill_width(label_text)
            if seg_w >= need + 4:
                pill_x = x + (seg_w - need) / 2
                body.append(pill(pill_x, y + (bar_h - PILL_HEIGHT) / 2, label_text))
            else:
                # Too narrow for the number inside: write it under the segment, nudged clear of the last.
                text_w = svg.width(label_text, 12, bold=True)
                centre = max(x + seg_w / 2, below_end + text_w / 2 + 4)
                body.append(
                    f'<path d="M{n(x + seg_w / 2)} {n(y + bar_h)}V{n(y + bar_h + 4)}" stroke="{INK}"/>'
                )
                body.append(svg.text(centre, y + bar_h + 16, label_text, size=12, anchor="middle", bold=True))
                below_end = centre + text_w / 2
            parts.append(f"{RATING_SHORT_LABELS[code]} {count}")
            x += seg_w
        if total == 0:
            body.append(
                f'<rect x="{n(bar_x)}" y="{n(y)}" width="{n(bar_w)}" height="{n(bar_h)}" fill="none" '
                f'stroke="{GRID}" stroke-dasharray="4 3"/>'
            )
            body.append(svg.text(bar_x + 8, y + 16.5, "No outcomes rated", size=12, fill=MUTED))
        body.append(svg.text(width - MARGIN, y + 16.5, number(total), anchor="end", bold=True))
        body.append("</g>")
        described.append(
            f"{svg.clean(label)}: " + (", ".join(parts) or "no outcomes rated") + f" (total {total})"
        )

    height = top + len(rows) * row_h - 6
    desc = "Number of outcomes at each rating. " + "; ".join(described) + "."
    return svg.chart(
        id_prefix, "bars", width, height, title, desc, "".join(body), patterns(id_prefix, RATING_CODES)
    )

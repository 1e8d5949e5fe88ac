"""The Health Check level report's standards by service area (`area_bars`): per standard, one bar per
area on 0-100 with the RAG bands along the axis. Each area has its own fill and pattern, a legend, and its
name beside its bar, so areas are never told by colour alone; each bar's value is written as the table
beside it writes it, and a suppressed part is said in words ("Fewer than 10") and never drawn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.domain.formats import number
from tracker.domain.surveys import Bands
from tracker.reports.charts import svg
from tracker.reports.charts.band_marks import band_patterns, band_scale
from tracker.reports.charts.svg import AXIS, BRAND, DIAGRAM_WIDTH, GRID, MARGIN, MUTED, WHITE, n

NO_ONE = "No one"
# Each area's fill and pattern marks (drawn in white over the fill): solid, diagonal hatch, dots, cross.
_STYLES: tuple[tuple[str, str], ...] = (
    (BRAND, ""),
    ("#2b6f9e", f'<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="{WHITE}" stroke-width="1.2"/>'),
    ("#5e8aa8", f'<circle cx="3" cy="3" r="1.3" fill="{WHITE}"/>'),
    ("#3f4f60", f'<path d="M0 3H6M3 0V6" stroke="{WHITE}" stroke-width="1"/>'),
)


@dataclass(frozen=True, slots=True)
class AreaBar:
    """One area's figure for a standard: the shown value (None: not drawn) and the table's words for it."""

    value: float | None
    text: str  # as the table writes it: "74", "Fewer than 10"; "" when the area has no one


@dataclass(frozen=True, slots=True)
class AreaRow:
    """One standard (or the overall): a bar per area, in the order of the areas."""

    label: str
    bars: tuple[AreaBar, ...]


def _swatch(id_prefix: str, index: int, box: str) -> str:
    """An area's bar or legend key: its fill, then its pattern (a coloured tile shows seams in PDFs)."""
    fill, marks = _STYLES[index % len(_STYLES)]
    over = f'<rect {box} fill="url(#{id_prefix}-a{index % len(_STYLES)})"/>' if marks else ""
    return f'<rect {box} fill="{fill}"/>{over}'


def _patterns(id_prefix: str, count: int) -> str:
    return "".join(
        f'<pattern id="{id_prefix}-a{i}" patternUnits="userSpaceOnUse" width="6" height="6">{marks}</pattern>'
        for i, (_fill, marks) in enumerate(_STYLES[: min(count, len(_STYLES))])
        if marks
    )


def _legend(id_prefix: str, areas: Sequence[str], y: float) -> str:
    out, x = ['<g data-part="legend">'], MARGIN
    for index, area in enumerate(areas):
        name = svg.fit(area, 180, 12)
        out.append(_swatch(id_prefix, index, f'x="{n(x)}" y="{n(y)}" width="22" height="12"'))
        out.append(svg.text(x + 28, y + 10.5, name, size=12))
        x += 28 + svg.width(name, 12) + 22
    out.append("</g>")
    return "".join(out)


def area_bars(
    id_prefix: str,
    title: str,
    areas: Sequence[str],
    rows: Sequence[AreaRow],
    bands: Bands,
    what: str = "service area",
) -> Markup:
    """Horizontal bars on 0-100, grouped by standard (the overall first), one per area in `areas`."""
    if not rows or not areas:
        return svg.no_data(id_prefix, "area-bars", title, DIAGRAM_WIDTH)
    if any(len(r.bars) != len(areas) for r in rows):
        raise ValueError("every row needs one bar per area")
    svg.check_finite(*(b.value for r in rows for b in r.bars if b.value is not None))
    if any(b.value is not None and not 0 <= b.value <= 100 for r in rows for b in r.bars):
        raise ValueError("area scores must lie between 0 and 100")
    width = DIAGRAM_WIDTH
    label_w = 150.0
    area_w = min(110.0, max(svg.width(a, 11) for a in areas) + 4)
    area_x = MARGIN + label_w + 10
    left = area_x + area_w + 6
    right = width - MARGIN - 92

    def x_of(value: float) -> float:
        return left + value / 100 * (right - left)

    bar_h, gap, group_gap = 12.0, 3.0, 12.0
    group_h = len(areas) * (bar_h + gap) - gap + group_gap
    top = 30.0
    bottom = top + len(rows) * group_h
    body = [_legend(id_prefix, areas, 6)]
    for tick in (0, 25, 50, 75, 100):
        body.append(f'<path d="M{n(x_of(tick))} {n(top)}V{n(bottom)}" stroke="{GRID}"/>')
        body.append(svg.text(x_of(tick), bottom + 34, number(tick), size=11, anchor="middle", fill=MUTED))
    body.append(f'<path d="M{n(left)} {n(top)}V{n(bottom)}H{n(right)}" stroke="{AXIS}" fill="none"/>')
    body.append(band_scale(id_prefix, bands, 0, 100, x_of, bottom + 2))
    said = []
    for index, row in enumerate(rows):
        y0 = top + index * group_h + group_gap / 2
        first = index == 0
        label = svg.wrap(row.label, label_w, 12, 3, bold=first)
        middle = y0 + (group_h - group_gap) / 2 + 4
        body.append('<g data-part="standard">')
        body.append(svg.lines(MARGIN, middle - (len(label) - 1) * 7, label, 14, size=12, bold=first))
        parts = []
        for place, (area, bar) in enumerate(zip(areas, row.bars, strict=True)):
            y = y0 + place * (bar_h + gap)
            name = svg.text(area_x, y + 10, svg.fit(area, area_w, 11), size=11, fill=MUTED)
            if bar.value is None:
                words = bar.text or NO_ONE
                body.append(
                    f'<g data-part="unshown">{name}'
                    + svg.text(left + 4, y + 10, words, size=11, italic=True, fill=MUTED)
                    + "</g>"
                )
                parts.append(f"{svg.clean(area)} {words if bar.text else words.lower()}")
                continue
            length = x_of(bar.value) - left
            box = f'x="{n(left)}" y="{n(y)}" width="{n(length)}" height="{n(bar_h)}"'
            body.append(
                f'<g data-part="bar" data-value="{n(bar.value)}">{name}'
                + _swatch(id_prefix, place, box)
                + svg.text(left + length + 5, y + 10, bar.text, size=11, bold=True)
                + "</g>"
            )
            parts.append(f"{svg.clean(area)} {bar.text}")
        body.append("</g>")
        said.append(f"{svg.clean(row.label)}: " + ", ".join(parts))
    desc = (
        f"Average score by standard by {what}, on a scale of 0 to 100 "
        f"(good {number(bands.good)} or more, poor {number(bands.moderate - 1)} or less). "
        + "; ".join(said)
        + "."
    )
    defs = band_patterns(id_prefix) + _patterns(id_prefix, len(areas))
    return svg.chart(id_prefix, "area-bars", width, bottom + 44, title, desc, "".join(body), defs)

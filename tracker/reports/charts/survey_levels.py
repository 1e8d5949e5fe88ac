"""The Health Check's level report charts: each region this round against the last (`region_bars`), and
where one organisation sits among all of its kind (`ranked_strip`). Both draw the RAG bands along their
axis (band_marks) and write every value as the tables beside them do; a suppressed figure is said in
words ("Fewer than 10") and never drawn."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.domain.formats import number
from tracker.domain.surveys import Bands, round_half_up
from tracker.reports.charts import svg
from tracker.reports.charts.band_marks import band_patterns, band_scale
from tracker.reports.charts.svg import AXIS, BRAND, DIAGRAM_WIDTH, GRID, MARGIN, MUTED, WHITE, n

LAST = "#dfe6ee"  # the previous round's bars: pale, hatched and outlined, beside the solid current ones
OTHERS = "#6f777b"


@dataclass(frozen=True, slots=True)
class PairBar:
    """One region: this round's and the previous round's shown figures (None: suppressed or absent)."""

    label: str
    current: float | None
    current_text: str
    previous: float | None
    previous_text: str


@dataclass(frozen=True, slots=True)
class Strip:
    """One figure's ranked organisations (shown values only) and this one's value and rank."""

    label: str
    marks: tuple[float, ...]
    mine: float | None
    mine_text: str
    rank: str


def _last(id_prefix: str, box: str) -> str:
    """A previous round's bar: pale fill, hatched, outlined (told from this round's by more than colour)."""
    return f'<rect {box} fill="{LAST}"/><rect {box} fill="url(#{id_prefix}-last)" stroke="{BRAND}"/>'


def _legend(id_prefix: str, current: str, previous: str, y: float) -> str:
    x = MARGIN
    cur = f'<rect x="{n(x)}" y="{n(y)}" width="22" height="12" fill="{BRAND}"/>' + svg.text(
        x + 28, y + 10.5, current, size=12
    )
    x2 = x + 28 + svg.width(current, 12) + 24
    last = _last(id_prefix, f'x="{n(x2)}" y="{n(y)}" width="22" height="12"') + svg.text(
        x2 + 28, y + 10.5, previous, size=12
    )
    return f'<g data-part="legend">{cur}{last}</g>'


def region_bars(
    id_prefix: str,
    title: str,
    rows: Sequence[PairBar],
    current_label: str,
    previous_label: str | None,
    bands: Bands,
    suppressed: str,
) -> Markup:
    """Grouped horizontal bars on a 0-100 scale: per region the previous round (pale) above this one."""
    if not rows:
        return svg.no_data(id_prefix, "region-bars", title, DIAGRAM_WIDTH)
    svg.check_finite(*(v for r in rows for v in (r.current, r.previous) if v is not None))
    width = DIAGRAM_WIDTH
    label_w = 170.0
    left = MARGIN + label_w + 10
    right = width - MARGIN - 90

    def x_of(value: float) -> float:
        return left + max(0.0, min(value, 100.0)) / 100 * (right - left)

    body = [_legend(id_prefix, current_label, previous_label or "no previous round", 6)]
    top = 32.0
    bar_h, row_h = 12.0, 36.0
    bottom = top + len(rows) * row_h
    for tick in (0, 25, 50, 75, 100):
        body.append(f'<path d="M{n(x_of(tick))} {n(top)}V{n(bottom)}" stroke="{GRID}"/>')
        body.append(svg.text(x_of(tick), bottom + 34, number(tick), size=11, anchor="middle", fill=MUTED))
    body.append(f'<path d="M{n(left)} {n(bottom)}H{n(right)}" stroke="{AXIS}"/>')
    body.append(band_scale(id_prefix, bands, 0, 100, x_of, bottom + 2))
    said = []
    for index, row in enumerate(rows):
        y = top + index * row_h + 4
        label = svg.wrap(row.label, label_w, 12, 2)
        body.append('<g data-part="region">')
        body.append(svg.lines(MARGIN, y + 16 - (len(label) - 1) * 7, label, 14, size=12))
        for part, value, text, dy in (
            ("previous", row.previous, row.previous_text, 0.0),
            ("current", row.current, row.current_text, bar_h + 1),
        ):
            if value is None:
                if part == "previous" and not previous_label:
                    continue
                words = text or f"no {previous_label} figure"
                body.append(svg.text(left + 4, y + dy + 10, words, size=11, italic=True, fill=MUTED))
                continue
            length = x_of(value) - left
            box = f'x="{n(left)}" y="{n(y + dy)}" width="{n(length)}" height="{n(bar_h)}"'
            fill = f'<rect {box} fill="{BRAND}"/>' if part == "current" else _last(id_prefix, box)
            body.append(
                f'<g data-part="{part}" data-value="{n(value)}">{fill}'
                + svg.text(left + length + 5, y + dy + 10, text, size=11, bold=part == "current")
                + "</g>"
            )
        body.append("</g>")
        before = (
            f"{row.previous_text} in {previous_label}" if row.previous is not None and previous_label else ""
        )
        now = (
            f"{row.current_text} in {current_label}"
            if row.current is not None
            else f"{suppressed} in {current_label}"
        )
        said.append(f"{svg.clean(row.label)}: {now}" + (f", {before}" if before else ""))
    defs = band_patterns(id_prefix) + (
        f'<pattern id="{id_prefix}-last" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<path d="M0 6L6 0" stroke="{BRAND}" stroke-width="0.8"/></pattern>'
    )
    versus = f" against {previous_label}" if previous_label else ""
    desc = (
        f"Average overall score by region in {current_label}{versus}, on a scale of 0 to 100 "
        f"(good {number(bands.good)} or more, poor {number(bands.moderate - 1)} or less). "
        + "; ".join(said)
        + "."
    )
    return svg.chart(id_prefix, "region-bars", width, bottom + 44, title, desc, "".join(body), defs)


def ranked_strip(
    id_prefix: str,
    title: str,
    rows: Sequence[Strip],
    name: str,
    kind_plural: str,
    bands: Bands,
) -> Markup:
    """One row per figure: every ranked organisation of the kind a grey tick, this one a labelled dot."""
    rows = [r for r in rows if r.marks]
    if not rows:
        return svg.no_data(
            id_prefix, "ranked-strip", title, DIAGRAM_WIDTH, "No organisation of this kind is ranked"
        )
    every = [v for r in rows for v in (*r.marks, *([r.mine] if r.mine is not None else []))]
    svg.check_finite(*every)
    ticks = svg.ticks(max(0.0, min(every) - 2), min(100.0, max(every) + 2))
    low, high = max(0.0, ticks[0]), min(100.0, ticks[-1])
    width = DIAGRAM_WIDTH
    label_w = 190.0
    left = MARGIN + label_w + 12
    right = width - MARGIN - 130

    def x_of(value: float) -> float:
        return left + (value - low) / max(high - low, 1e-9) * (right - left)

    body = [
        '<g data-part="legend">'
        f'<path d="M{n(MARGIN + 4)} 8v14" stroke="{OTHERS}" stroke-width="1.5"/>'
        + svg.text(
            MARGIN + 14, 19.5, f"Ranked {kind_plural}: the taller a mark, the more at that score", size=12
        )
        + f'<circle cx="{n(MARGIN + 430)}" cy="15" r="6" fill="{BRAND}" stroke="{WHITE}" stroke-width="1.5"/>'
        + svg.text(MARGIN + 442, 19.5, svg.fit(name, width - MARGIN - 450, 12, bold=True), size=12, bold=True)
        + "</g>"
    ]
    top, row_h = 36.0, 34.0
    bottom = top + len(rows) * row_h
    body.append(svg.text(width - MARGIN, top - 6, "Score, rank", size=11, anchor="end", fill=MUTED))
    for tick in ticks:
        if low <= tick <= high:
            body.append(f'<path d="M{n(x_of(tick))} {n(top)}V{n(bottom)}" stroke="{GRID}"/>')
            body.append(svg.text(x_of(tick), bottom + 34, number(tick), size=11, anchor="middle", fill=MUTED))
    body.append(band_scale(id_prefix, bands, low, high, x_of, bottom + 2))
    said = []
    for index, row in enumerate(rows):
        cy = top + index * row_h + row_h / 2
        label = svg.wrap(row.label, label_w, 12, 2, bold=index == 0)
        body.append(f'<g data-part="strip" data-marks="{len(row.marks)}">')
        body.append(svg.lines(MARGIN, cy + 4 - (len(label) - 1) * 7, label, 14, size=12, bold=index == 0))
        body.append(f'<path d="M{n(left)} {n(cy)}H{n(right)}" stroke="{AXIS}"/>')
        body.append(_marks(row.marks, x_of, cy))
        if row.mine is not None:
            body.append(
                f'<circle data-part="mine" data-value="{n(row.mine)}" cx="{n(x_of(row.mine))}" '
                f'cy="{n(cy)}" r="7" fill="{BRAND}" stroke="{WHITE}" stroke-width="2"/>'
            )
            body.append(
                svg.text(
                    width - MARGIN, cy + 4.5, f"{row.mine_text}, {row.rank}", size=12, anchor="end", bold=True
                )
            )
            said.append(f"{svg.clean(row.label)}: {row.mine_text}, {row.rank}")
        else:
            body.append(
                svg.text(
                    width - MARGIN, cy + 4.5, "not ranked", size=12, anchor="end", italic=True, fill=MUTED
                )
            )
            said.append(f"{svg.clean(row.label)}: not ranked")
        body.append("</g>")
    spread = f"highest {_text(max(rows[0].marks))}, lowest {_text(min(rows[0].marks))}"
    desc = (
        f"Where {svg.clean(name)} sits among the {len(rows[0].marks)} ranked {kind_plural} "
        f"(each a mark; {svg.clean(rows[0].label)}: {spread}), "
        f"on a scale of {number(low)} to {number(high)}. " + "; ".join(said) + "."
    )
    return svg.chart(
        id_prefix, "ranked-strip", width, bottom + 44, title, desc, "".join(body), band_patterns(id_prefix)
    )


def _marks(values: Sequence[float], x_of: Callable[[float], float], cy: float) -> str:
    """The other organisations as one path: a tick per whole-number score, as tall as how many have it
    (so a crowd reads as a crowd), centred on the row's line."""
    counts = Counter(int(round_half_up(v)) for v in values)
    most = max(counts.values())
    d = "".join(
        f"M{n(x_of(score))} {n(cy - half)}v{n(2 * half)}"
        for score, count in sorted(counts.items())
        for half in (3.0 + 9.0 * count / most,)
    )
    return f'<path data-part="others" d="{d}" stroke="{OTHERS}" stroke-width="1.6" fill="none"/>'


def _text(value: float) -> str:
    return number(value, 1)

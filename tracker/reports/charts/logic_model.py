"""A theme drawn as a logic model: aims, activities, outputs and outcomes as columns of boxes, left to right.

The columns run as the framework is written: what the theme aims at, what it does, what that produces and
what changes (outcomes grouped short, medium and long term, soonest first). The only arrows are the links
the YAML declares, from an aim to each activity and outcome that names it: an aim's activities sit in the
next column, so those arrows are short curves; its outcomes are reached along a line of its own that leaves
the aim on its left, runs under the columns and rises beside the outcomes (nested, so an aim's line crosses
no other aim's on the way down or along).

Each outcome box carries its rating as everywhere else: the rating's colour and pattern in a band, and in
the band a white pill with the rating's symbol and short label. An output's band has its progress's colour
with a pill of symbol and words; aims and activities have no status. A column with more boxes than
`max_boxes` draws the first ones and says how many more there are; the list beside the picture has them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from markupsafe import Markup

from tracker.domain.logic_model import Box, Column, ThemeModel
from tracker.domain.rules import RATING_CODES
from tracker.domain.vocabulary import output_progress_tag, rating_tag
from tracker.reports.charts import svg
from tracker.reports.charts.rating_marks import PILL_HEIGHT, patterns, pill, swatch
from tracker.reports.charts.svg import AXIS, BRAND, DIAGRAM_WIDTH, GRID, INK, MUTED, WHITE, n

# An output's progress: the colours of the KPI statuses it is read from (app.css `kpi-status-*`).
PROGRESS_FILLS: Mapping[str, str] = MappingProxyType(
    {
        "met": "#00703c",
        "progress": "#85994b",
        "missed": "#b3261e",
        "not_judged": "#5b5e9e",
        "no_data": "#f3f2f1",
        "unmeasured": WHITE,
    }
)
AIM_FILL = "#eef2f7"
ARROW = "#505a5f"
SIZE = 11.0  # box text
LINE = 13.5
REF_SIZE = 10.0  # the box's ref ('Activity 3') above its text
BAND = PILL_HEIGHT + 6
PAD = 6.0
GAP = 8.0  # between boxes in a column
LANE = 5.0  # between the lines of two aims
HEADER = 34.0
GROUP_HEADING = 17.0


@dataclass(frozen=True, slots=True)
class _Placed:
    box: Box
    x: float
    y: float
    w: float
    h: float

    @property
    def cy(self) -> float:
        return self.y + min(self.h / 2, PAD + 12)  # level with the box's first lines, where arrows meet


def _box_height(box: Box, lines: int) -> float:
    return PAD + 11 + lines * LINE + (4 + BAND if box.kind in {"output", "outcome"} else PAD - 2)


def _draw_box(p: _Placed, lines: list[str], prefix: str) -> str:
    """One box: its ref, its wrapped text and, for outputs and outcomes, a band with the status pill."""
    b = p.box
    fill = AIM_FILL if b.kind == "aim" else WHITE
    stroke = BRAND if b.kind == "aim" else INK if b.kind in {"output", "outcome"} else AXIS
    dash = ' stroke-dasharray="4 3"' if b.kind == "output" and b.status == "unmeasured" else ""
    out = [
        f'<g data-box="{svg.esc(b.id)}" data-status="{svg.esc(b.status)}" font-size="{n(SIZE)}">',
        f'<rect x="{n(p.x)}" y="{n(p.y)}" width="{n(p.w)}" height="{n(p.h)}" fill="{fill}" stroke="{stroke}"'
        + (' stroke-width="1.5"' if b.kind == "aim" else "")
        + f"{dash}/>",
        svg.text(p.x + PAD, p.y + PAD + 9, b.ref, size=REF_SIZE, bold=True, fill=MUTED),
        svg.lines(p.x + PAD, p.y + PAD + 11 + LINE - 3, lines, LINE),
    ]
    if b.kind in {"output", "outcome"}:
        x, y, w, h = p.x + 0.5, p.y + p.h - BAND, p.w - 1, BAND - 0.5  # inside the box's border
        if b.kind == "outcome" and b.status:
            out.append(swatch(prefix, b.status, x, y, w, h, stroke=0))
        elif (band := PROGRESS_FILLS.get(b.status, WHITE)) != WHITE:
            out.append(f'<rect x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}" fill="{band}"/>')
        out.append(pill(p.x + PAD - 2, y + 3, svg.fit(_tag(b), p.w - 2 * PAD - 12, 11.5, bold=True)))
    return "".join(out) + "</g>"


def _tag(b: Box) -> str:
    """The status as the pill shows it: symbol and words, never colour alone."""
    if b.kind == "outcome":
        return rating_tag(b.status) if b.status else b.label
    return output_progress_tag(b.status)


def _note(x: float, y: float, w: float, words: str, fill: str) -> str:
    """A dashed box that is not an element: an empty column's 'None', or how many more there are."""
    return (
        f'<rect x="{n(x)}" y="{n(y)}" width="{n(w)}" height="30" rx="4" fill="{WHITE}" stroke="{AXIS}" '
        f'stroke-dasharray="4 3"/>' + svg.text(x + PAD, y + 19, words, size=SIZE, fill=fill)
    )


def _head(x: float, y: float) -> str:
    """An open arrowhead ending at (x, y), pointing right, as more of the line's own path."""
    return f"M{n(x - 6)} {n(y - 3.5)}L{n(x)} {n(y)}L{n(x - 6)} {n(y + 3.5)}"


def _link(source: str, target: str, d: str, end: tuple[float, float]) -> str:
    return (
        f'<path data-link="{svg.esc(source)} {svg.esc(target)}" d="{d}{_head(*end)}" fill="none" '
        f'stroke="{ARROW}" stroke-width="1.3"/>'
    )


def _shown(column: Column, max_boxes: int | None) -> tuple[list[tuple[str, Box]], int]:
    """The boxes drawn (each with its group's heading, "" after the first) and how many are left out."""
    boxes = [(g.title if i == 0 else "", b) for g in column.groups for i, b in enumerate(g.boxes)]
    if max_boxes is None or len(boxes) <= max_boxes:
        return boxes, 0
    return boxes[: max_boxes - 1], len(boxes) - (max_boxes - 1)


def logic_model_chart(
    id_prefix: str,
    theme: ThemeModel,
    *,
    max_lines: int = 4,
    max_boxes: int | None = None,
    show_title: bool = False,
) -> Markup:
    """One theme's logic model: four columns of boxes, each labelled by its status, and the declared links."""
    if max_lines < 0 or (max_boxes is not None and max_boxes < 2):
        raise ValueError("a logic model draws no fewer than 0 lines a box and 2 boxes a column")
    prefix = svg.check_prefix(id_prefix)
    aims = theme.column("aims").boxes
    outcome_ids = {b.id for b in theme.column("outcomes").boxes}
    bus = [
        a.id for a in aims if any(link.source == a.id and link.target in outcome_ids for link in theme.links)
    ]
    nb = len(bus)
    width = DIAGRAM_WIDTH
    left = max(12.0, 10 + LANE * nb)
    gaps = (34.0, 22.0, max(24.0, 16 + LANE * nb))
    col_w = (width - 6 - left - sum(gaps)) / 4
    xs = [left, left + col_w + gaps[0], left + 2 * col_w + gaps[0] + gaps[1], width - 6 - col_w]
    title_h = 22.0 if show_title else 0.0
    top = title_h + HEADER
    body: list[str] = []
    if show_title:
        body.append(
            svg.text(
                xs[0], 16, svg.fit(f"Theme {theme.number}: {theme.title}", width - 20, 14), size=14, bold=True
            )
        )

    placed: dict[str, _Placed] = {}
    bottoms: list[float] = []
    left_out: dict[str, int] = {}
    for index, column in enumerate(theme.columns):
        x = xs[index]
        body.append(svg.text(x, title_h + 18, column.title, size=13, bold=True))
        if index < 3:  # the reading order, between the headings
            ax = x + col_w + gaps[index] / 2 + 4
            body.append(
                f'<path d="M{n(ax - 12)} {n(title_h + 14)}H{n(ax)}{_head(ax, title_h + 14)}" fill="none" '
                f'stroke="{MUTED}" stroke-width="1.5"/>'
            )
        body.append(f'<path d="M{n(x)} {n(title_h + 25)}H{n(x + col_w)}" stroke="{GRID}" stroke-width="2"/>')
        y = top
        shown, more = _shown(column, max_boxes)
        if not shown:
            body.append(_note(x, y, col_w, "None", MUTED))
            y += 30 + GAP
        for heading, box in shown:
            if heading:
                body.append(svg.text(x, y + 11, heading, size=SIZE, bold=True, fill=MUTED))
                y += GROUP_HEADING
            lines = svg.wrap(box.text, col_w - 2 * PAD, SIZE, max_lines) if max_lines else []
            p = _Placed(box, x, y, col_w, _box_height(box, len(lines)))
            placed[box.id] = p
            body.append(_draw_box(p, lines, prefix))
            y += p.h + GAP
        if more:
            left_out[column.title] = more
            body.append(_note(x, y, col_w, f"And {more} more (listed below)", INK))
            y += 30 + GAP
        bottoms.append(y)

    links = _links(theme, placed, bus, xs, bottoms, gaps)
    body.insert(0, "".join(links))
    track_h = LANE * nb + (10 if nb else 0)
    height = max(bottoms) + track_h + 4
    codes = [b.status for b in theme.column("outcomes").boxes if b.status]
    defs = patterns(prefix, [c for c in RATING_CODES if c in codes])
    title = f"Logic model of theme {theme.number}: {theme.title}"
    return svg.chart(
        prefix,
        "logic-model",
        width,
        height,
        title,
        _describe(theme, len(links), left_out),
        "".join(body),
        defs,
    )


def _links(
    theme: ThemeModel,
    placed: Mapping[str, _Placed],
    bus: list[str],
    xs: list[float],
    bottoms: list[float],
    gaps: tuple[float, float, float],
) -> list[str]:
    """The declared links between drawn boxes: aim to activity as a curve, aim to outcome along its line."""
    out: list[str] = []
    floor = max(bottoms) + 2
    nb = len(bus)
    for link in theme.links:
        source, target = placed.get(link.source), placed.get(link.target)
        if source is None or target is None:
            continue  # an aim of another theme, or a box not drawn: the list names it
        x1, y1 = source.x + source.w, source.cy
        x2, y2 = target.x - 1, target.cy
        if target.box.kind == "activity":
            bend = gaps[0] / 2
            d = f"M{n(x1)} {n(y1)}C{n(x1 + bend)} {n(y1)} {n(x2 - bend)} {n(y2)} {n(x2)} {n(y2)}"
            out.append(_link(link.source, link.target, d, (x2, y2)))
            continue
        k = bus.index(link.source)
        down_x = source.x - 5 - LANE * (nb - 1 - k)  # the top aim's line is outermost and lowest
        track_y = floor + 6 + LANE * (nb - 1 - k)
        up_x = xs[3] - 7 - LANE * k
        d = f"M{n(source.x)} {n(y1)}H{n(down_x)}V{n(track_y)}H{n(up_x)}V{n(y2)}H{n(x2)}"
        out.append(_link(link.source, link.target, d, (x2, y2)))
    return out


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _describe(theme: ThemeModel, drawn: int, left_out: Mapping[str, int]) -> str:
    """The picture in words: what each column holds, how the outcomes and outputs stand, and the links."""
    boxes = {c.key: len(c.boxes) for c in theme.columns}
    parts = [
        f"From left to right: {_count(boxes['aims'], 'aim', 'aims')}, "
        f"{_count(boxes['activities'], 'activity', 'activities')}, "
        f"{_count(boxes['outputs'], 'output', 'outputs')} and "
        f"{_count(boxes['outcomes'], 'outcome', 'outcomes')}."
    ]
    ratings = Counter(b.label for b in theme.column("outcomes").boxes)
    if ratings:
        parts.append("Outcomes: " + ", ".join(f"{v} {k[0].lower()}{k[1:]}" for k, v in ratings.items()) + ".")
    progress = Counter(b.label for b in theme.column("outputs").boxes)
    if progress:
        parts.append("Outputs: " + ", ".join(f"{v} {k[0].lower()}{k[1:]}" for k, v in progress.items()) + ".")
    parts.append(
        f"{_count(drawn, 'arrow joins', 'arrows join')} aims to the activities and outcomes that serve them."
    )
    for title, more in left_out.items():
        parts.append(f"{title}: {more} more than drawn.")
    parts.append("The list after the picture gives every box, its status and its links in words.")
    return " ".join(parts)

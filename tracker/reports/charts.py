"""Charts for the board report as inline SVG built on the server, so the web page and the PDF show the
same accessible pictures with no JavaScript: outcomes at each rating by theme (`rating_bars`), a KPI
over time (`kpi_trend`) and distance travelled before and after (`distance_travelled`). The theme
diagrams and the rating key are HTML in the report template, styled with each rating's colour and
pattern from `diagram_css` and labelled with `rating_tags`.

Every chart is one `<svg>` with `role="img"`, a `<title>` and a `<desc>` (the text alternative, which
states what the picture shows in words), a `viewBox` and `width="100%"` so it scales to its column.
Ratings are never told by colour alone: each rating has its own fill pattern and every rated shape
carries its short label (or sits next to a legend keyed by pattern). All text from arguments is
escaped; nothing refers outside the SVG except its own `url(#...)` patterns.

Text widths are estimated from Helvetica/Arial metrics (Liberation Sans in the PDF on Linux) with a
margin, which is what wrapping and label placement rely on. WeasyPrint lays out SVG text one glyph at
a time (roughly 0.3 ms a character), so charts keep their words few; `show_title=False` leaves a
heading the page already prints out of the picture.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import quote

from markupsafe import Markup, escape

from tracker.domain.formats import kpi_value, money, number
from tracker.domain.rules import RATING_CODES
from tracker.domain.vocabulary import DIRECTION_NOTES, RATING_SHORT_LABELS, RATING_SYMBOLS, rating_tag

__all__ = [
    "RATING_SHORT_LABELS",
    "RATING_SYMBOLS",
    "diagram_css",
    "direction_note",
    "distance_travelled",
    "kpi_trend",
    "rating_bars",
    "rating_tags",
]

FONT = "Helvetica, Arial, sans-serif"
INK = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#d8dadc"
AXIS = "#6f777b"
BRAND = "#12355b"
WHITE = "#ffffff"
ELLIPSIS = "\u2026"


@dataclass(frozen=True, slots=True)
class _Style:
    """How one rating looks: fill colour, the text colour that reads on it, and its pattern marks."""

    fill: str
    ink: str
    marks: str


# Marks are drawn in the fill colour shifted towards the text colour, so they show in greyscale too.
# Text is never laid over marks: it sits on the plain fill or in a white label.
_STYLES: Mapping[str, _Style] = MappingProxyType(
    {
        "strong": _Style("#00703c", WHITE, '<path d="M-2 2l4-4M0 8l8-8M6 10l4-4" stroke-width="1.6"/>'),
        "some": _Style("#85994b", INK, '<circle cx="2" cy="2" r="1.3"/><circle cx="6" cy="6" r="1.3"/>'),
        "insufficient": _Style("#f47738", INK, '<path d="M0 2h8M0 6h8" stroke-width="1.2"/>'),
        "none": _Style("#b3261e", WHITE, '<path d="M0 0l8 8M8 0L0 8" stroke-width="1.2"/>'),
        "not_yet": _Style("#5b5e9e", WHITE, '<path d="M2 0v8M6 0v8" stroke-width="1.2"/>'),
    }
)

_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_DIRECTIONS = DIRECTION_NOTES

# Advance widths (thousandths of an em) of Helvetica/Arial, grouped; anything else counts as 600.
_WIDTH_GROUPS = (
    (191, "'"),
    (222, "ijl"),
    (260, "|"),
    (278, " !,./:;I[\\]ft"),
    (333, "()-`r"),
    (334, "{}"),
    (355, '"'),
    (389, "*"),
    (469, "^"),
    (500, "Jcksvxyz"),
    (556, "#$0123456789?L_abdeghnopqu£"),
    (584, "+<=>~\u2212"),
    (611, "FTZ"),
    (667, "&ABEKPSVXY"),
    (722, "CDHNRUw"),
    (778, "GOQ"),
    (833, "Mm"),
    (889, "%"),
    (944, "W"),
    (1000, ELLIPSIS),
    (1015, "@"),
)
_WIDTHS: Mapping[str, int] = MappingProxyType({c: w for w, chars in _WIDTH_GROUPS for c in chars})


# ---------------------------------------------------------------------------------------------------
# Small helpers


def _clean(text: str) -> str:
    """Text as one line without control characters, which XML cannot carry even escaped."""
    return " ".join(_CONTROL.sub("", str(text)).split())


def _esc(text: str) -> str:
    """Escape argument text for element content and attribute values alike."""
    return str(escape(_clean(text)))


def _n(value: float) -> str:
    """Coordinates with at most one decimal, so output is compact and byte-for-byte repeatable."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _width(text: str, size: float, bold: bool = False) -> float:
    """Estimated rendered width, slightly generous, so labels are placed without overlapping."""
    units = sum(_WIDTHS.get(c, 600) for c in text)
    return units / 1000 * size * (1.1 if bold else 1.04)


def _ellipsize(text: str, max_width: float, size: float, bold: bool = False) -> str:
    """End text with an ellipsis (it was cut), shortening it until both fit one line."""
    while text and _width(text.rstrip() + ELLIPSIS, size, bold) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _fit(text: str, max_width: float, size: float, bold: bool = False) -> str:
    """Shorten text with an ellipsis so it fits one line."""
    if _width(text, size, bold) <= max_width:
        return text
    return _ellipsize(text, max_width, size, bold)


def _wrap(text: str, max_width: float, size: float, max_lines: int, bold: bool = False) -> list[str]:
    """Greedy word wrap into at most max_lines lines; the last line ends in an ellipsis if cut."""
    lines: list[str] = []
    current = ""
    for word in _clean(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if _width(candidate, size, bold) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while _width(current, size, bold) > max_width and len(current) > 1:
            cut = len(current)
            while cut > 1 and _width(current[:cut], size, bold) > max_width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _ellipsize(lines[max_lines - 1], max_width, size, bold)]
    return lines or [""]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float | None = None,
    anchor: str | None = None,
    bold: bool = False,
    italic: bool = False,
    fill: str | None = None,
) -> str:
    """One escaped line of text; the only way argument text enters the markup."""
    attrs = f'x="{_n(x)}" y="{_n(y)}"'
    if size is not None:
        attrs += f' font-size="{_n(size)}"'
    if anchor is not None:
        attrs += f' text-anchor="{anchor}"'
    if bold:
        attrs += ' font-weight="bold"'
    if italic:
        attrs += ' font-style="italic"'
    if fill is not None:
        attrs += f' fill="{fill}"'
    return f"<text {attrs}>{_esc(text)}</text>"


def _lines(
    x: float,
    y: float,
    lines: Sequence[str],
    line_height: float,
    *,
    size: float | None = None,
    bold: bool = False,
    fill: str | None = None,
) -> str:
    """Several lines of text, one `<text>` each (what every SVG renderer lays out the same way)."""
    return "".join(
        _text(x, y + i * line_height, line, size=size, bold=bold, fill=fill) for i, line in enumerate(lines)
    )


def _check_prefix(id_prefix: str) -> str:
    """Ids must be unique in the page and safe in `url(#...)`, so the prefix is restricted."""
    if not _PREFIX.match(id_prefix):
        raise ValueError(f"id_prefix must match {_PREFIX.pattern}: {id_prefix!r}")
    return id_prefix


def _check_rating(code: str) -> str:
    """Reject unknown codes loudly rather than draw a shape with no colour or meaning."""
    if code not in _STYLES:
        raise ValueError(f"unknown rating code {code!r}; expected one of {', '.join(RATING_CODES)}")
    return code


def _check_finite(*values: float) -> None:
    """A NaN or infinite value has no place on a chart; fail before drawing nonsense."""
    for value in values:
        if not math.isfinite(value):
            raise ValueError(f"chart values must be finite numbers, got {value!r}")


def _svg(
    id_prefix: str, kind: str, width: float, height: float, title: str, desc: str, body: str, defs: str = ""
) -> Markup:
    """Wrap a chart body in the accessible, self-contained `<svg>` every chart shares."""
    p = _check_prefix(id_prefix)
    return Markup(  # noqa: S704 (every argument string was escaped by _esc/_text)
        f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{kind}" viewBox="0 0 {_n(width)} '
        f'{_n(height)}" width="100%" role="img" aria-labelledby="{p}-title {p}-desc" '
        f'font-family="{FONT}" font-size="13" fill="{INK}">'
        f'<title id="{p}-title">{_esc(title)}</title><desc id="{p}-desc">{_esc(desc)}</desc>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + body
        + "</svg>"
    )


def _patterns(id_prefix: str, codes: Sequence[str]) -> str:
    """One `<pattern>` of marks per rating used, laid over the plain colour (see `_swatch`)."""
    out = []
    for code in RATING_CODES:
        if code not in codes:
            continue
        style = _STYLES[code]
        mark = _mix(style.fill, style.ink, 0.55)
        out.append(
            f'<pattern id="{id_prefix}-p-{code}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<g fill="{mark}" stroke="{mark}">{style.marks}</g></pattern>'
        )
    return "".join(out)


def _mix(colour: str, other: str, amount: float) -> str:
    """Blend two #rrggbb colours (amount of `other`), for pattern marks of the rating's own hue."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


def _swatch(
    id_prefix: str,
    code: str,
    x: float,
    y: float,
    width: float,
    height: float,
    rx: float = 0,
    stroke: float = 1,
) -> str:
    """A rated rectangle: plain colour, then its marks over it (a coloured tile shows seams in PDFs)."""
    box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"' + (
        f' rx="{_n(rx)}"' if rx else ""
    )
    return (
        f'<rect {box} fill="{_STYLES[code].fill}"/>'
        f'<rect {box} fill="url(#{id_prefix}-p-{code})" stroke="{INK}" stroke-width="{_n(stroke)}"/>'
    )


PILL_SIZE = 11.5
PILL_HEIGHT = 19.0


def _pill_width(label: str) -> float:
    """Width of a label pill, so a caller can tell whether it fits where it would go."""
    return _width(label, PILL_SIZE, bold=True) + 12


def _pill(x: float, y: float, label: str) -> str:
    """A white label with dark text: legible on any rating fill and pattern."""
    w = _pill_width(label)
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(PILL_HEIGHT)}" rx="9.5" fill="{WHITE}" '
        f'stroke="{INK}"/>' + _text(x + w / 2, y + 13.5, label, size=PILL_SIZE, anchor="middle", bold=True)
    )


def _format_tick(unit: str, value: float, whole: bool) -> str:
    """An axis tick as a value, but in whole pounds when every tick is whole, to keep the axis quiet."""
    if unit == "currency" and whole:
        return money(value, pence=False)
    return kpi_value(value, unit)


def _value(unit: str, value: float) -> str:
    """A KPI value exactly as the pages and the report's tables write it."""
    return kpi_value(value, unit)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round-numbered axis ticks covering low..high (1, 2, 2.5 or 5 times a power of ten apart)."""
    if high - low < 1e-9:
        pad = abs(high) * 0.1 or 1.0
        low, high = (low - pad if low - pad >= 0 or low < 0 else 0.0), high + pad
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude * (1 + 1e-9))
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    return [round(start + i * step, 9) for i in range(round((stop - start) / step) + 1)]


def _no_data(id_prefix: str, kind: str, title: str, width: float, message: str = "No data yet") -> Markup:
    """A small placeholder so an empty chart says so instead of drawing empty axes."""
    body = (
        f'<rect x="0.5" y="0.5" width="{_n(width - 1)}" height="55" rx="4" fill="#f3f2f1" stroke="{GRID}"/>'
        + _text(12, 23, _fit(_clean(title), width - 24, 14, bold=True), size=14, bold=True)
        + _text(12, 43, message, fill=MUTED)
    )
    return _svg(id_prefix, kind, width, 56, title, f"{message}.", body)


# The full-width charts (bars, distance travelled) are drawn for the report's whole column.
DIAGRAM_WIDTH = 720.0
MARGIN = 16.0


# ---------------------------------------------------------------------------------------------------
# 1. The theme diagrams and the key: HTML, styled and labelled from here


def rating_tags() -> dict[str, str]:
    """Each rating's symbol and short label ('●● Strong'), as the pills of diagrams and keys show them."""
    return {code: rating_tag(code) for code in RATING_CODES}


def diagram_css() -> str:
    """Each rating's fill, ink and pattern for the HTML diagrams and key (kept in report.css; a test checks).

    The diagrams are HTML, not SVG, because WeasyPrint lays out SVG text one glyph at a time: the outcome
    texts made the PDF about 15% slower. The patterns are the same tiles the SVG charts use.
    """
    rules = []
    for code in RATING_CODES:
        style = _STYLES[code]
        mark = _mix(style.fill, style.ink, 0.55)
        tile = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
            f'<g fill="{mark}" stroke="{mark}">{style.marks}</g></svg>'
        )
        uri = "data:image/svg+xml," + quote(tile, safe="")
        rules.append(f".diagram-{code} {{ background-color: {style.fill}; color: {style.ink}; }}")
        rules.append(f'.diagram-{code} .diagram-band, .key-{code} {{ background-image: url("{uri}"); }}')
        rules.append(f".key-{code} {{ background-color: {style.fill}; }}")
    return "\n".join(rules) + "\n"


# ---------------------------------------------------------------------------------------------------
# 2. Outcomes at each rating, one stacked bar per theme


def rating_bars(id_prefix: str, rows: Sequence[tuple[str, Mapping[str, int]]]) -> Markup:
    """How many outcomes of each theme sit at each rating, one stacked bar per theme on one scale."""
    title = "Outcomes at each evidence rating, by theme"
    if not rows:
        return _no_data(id_prefix, "bars", title, DIAGRAM_WIDTH)
    for _, counts in rows:
        for code, count in counts.items():
            _check_rating(code)
            if count < 0:
                raise ValueError(f"a count of outcomes cannot be negative: {count!r}")

    width = DIAGRAM_WIDTH
    label_w = 190.0
    bar_x = MARGIN + label_w + 10
    totals = [sum(counts.get(c, 0) for c in RATING_CODES) for _, counts in rows]
    total_w = max(_width(number(t), 13, bold=True) for t in totals) + 14
    bar_w = width - MARGIN - total_w - bar_x
    scale = bar_w / max(max(totals), 1)

    # Legend keyed by pattern, wrapping onto a second line if needed.
    body: list[str] = []
    lx, ly = MARGIN, 8.0
    for code in RATING_CODES:
        tag = rating_tag(code)
        item_w = 30 + _width(tag, 12) + 16
        if lx + item_w > width - MARGIN:
            lx, ly = MARGIN, ly + 24
        body.append(
            f'<g data-part="legend-item" data-rating="{code}">'
            + _swatch(id_prefix, code, lx, ly, 24, 16, 3)
            + _text(lx + 30, ly + 12.5, tag, size=12)
            + "</g>"
        )
        lx += item_w
    top = ly + 16 + 18
    body.append(_text(width - MARGIN, top - 4, "Total", size=12, anchor="end", fill=MUTED))

    row_h = 50.0
    bar_h = 24.0
    described = []
    for index, ((label, counts), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + index * row_h
        label_lines = _wrap(label, label_w, 13, 2, bold=True)
        first = y + bar_h / 2 + 4.5 - (len(label_lines) - 1) * 8
        body.append(f'<g data-part="bar" data-total="{total}">')
        body.append(_lines(MARGIN, first, label_lines, 16, bold=True))
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
                + _swatch(id_prefix, code, x, y, seg_w, bar_h, stroke=0.75)
                + "</g>"
            )
            label_text = str(count)
            need = _pill_width(label_text)
            if seg_w >= need + 4:
                pill_x = x + (seg_w - need) / 2
                body.append(_pill(pill_x, y + (bar_h - PILL_HEIGHT) / 2, label_text))
            else:
                # Too narrow for the number inside: write it under the segment, nudged clear of the last.
                text_w = _width(label_text, 12, bold=True)
                centre = max(x + seg_w / 2, below_end + text_w / 2 + 4)
                body.append(
                    f'<path d="M{_n(x + seg_w / 2)} {_n(y + bar_h)}V{_n(y + bar_h + 4)}" stroke="{INK}"/>'
                )
                body.append(_text(centre, y + bar_h + 16, label_text, size=12, anchor="middle", bold=True))
                below_end = centre + text_w / 2
            parts.append(f"{RATING_SHORT_LABELS[code]} {count}")
            x += seg_w
        if total == 0:
            body.append(
                f'<rect x="{_n(bar_x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(bar_h)}" fill="none" '
                f'stroke="{GRID}" stroke-dasharray="4 3"/>'
            )
            body.append(_text(bar_x + 8, y + 16.5, "No outcomes rated", size=12, fill=MUTED))
        body.append(_text(width - MARGIN, y + 16.5, number(total), anchor="end", bold=True))
        body.append("</g>")
        described.append(
            f"{_clean(label)}: " + (", ".join(parts) or "no outcomes rated") + f" (total {total})"
        )

    height = top + len(rows) * row_h - 6
    desc = "Number of outcomes at each rating. " + "; ".join(described) + "."
    return _svg(
        id_prefix, "bars", width, height, title, desc, "".join(body), _patterns(id_prefix, RATING_CODES)
    )


# ---------------------------------------------------------------------------------------------------
# 3. A KPI over time, turn-the-curve style

TREND_WIDTH = 360.0  # drawn for a half-width column (two per row in the PDF), where 12 units read as 8pt
TREND_PLOT = 130.0
TREND_MARGIN = 8.0


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
) -> Markup:
    """A KPI's baseline, each period's value and the target, so a board sees whether the curve turns."""
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(_DIRECTIONS)}: {direction!r}")
    if not points and baseline is None:
        return _no_data(id_prefix, "trend", name, TREND_WIDTH)
    _check_finite(
        *(v for _, v in points),
        *([baseline[1]] if baseline else []),
        *([target] if target is not None else []),
    )

    series = ([(baseline[0], baseline[1], True)] if baseline else []) + [(p, v, False) for p, v in points]
    values = [v for _, v, _ in series] + ([target] if target is not None else [])
    low, high = min(values), max(values)
    if unit == "percent":
        low, high = min(low, 0.0), max(high, 100.0)
    else:
        # A little room above and below so no point sits on the frame (a zero axis stays at zero).
        pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
        high += pad
        low = 0.0 if 0 <= low <= high / 2 else low - pad
    ticks = _ticks(low, high, 4)
    lowest = min(v for _, v, _ in series)
    if ticks[0] != 0 and lowest - ticks[0] < (ticks[-1] - ticks[0]) * 0.16:
        ticks.insert(0, round(2 * ticks[0] - ticks[1], 9))  # room for a value label under the lowest point
    low, high = ticks[0], ticks[-1]
    whole = all(float(t).is_integer() for t in ticks)

    width, margin = TREND_WIDTH, TREND_MARGIN
    note = _DIRECTIONS[direction]
    # Left to the page (show_title=False), the name and the direction are printed above the chart in HTML
    # and stay in the SVG's title and description: WeasyPrint lays out SVG text one glyph at a time.
    name_lines = _wrap(name, width - 2 * margin, 14, 2, bold=True) if show_title else []
    note_y = 18 + 17 * len(name_lines) if show_title else -4.0
    body = [_lines(margin, 18, name_lines, 17, size=14, bold=True)]
    if show_title:
        body.append(_text(margin, note_y, note, size=12, fill=MUTED))

    tick_w = max(_width(_format_tick(unit, t, whole), 12) for t in ticks)
    left = margin + tick_w + 6
    target_label = f"target {_value(unit, target)}" if target is not None else ""
    right = width - margin - (_width(target_label, 12, bold=True) + 6 if target_label else 4)
    top = note_y + 26
    bottom = top + TREND_PLOT
    height = bottom + (40 if baseline else 26)

    def y_of(value: float) -> float:
        """Where a value sits on the plot, top being the axis maximum."""
        return bottom - (value - low) / (high - low) * (bottom - top)

    # Every gridline is drawn; with more than four, every other one is labelled, counting from the top.
    labelled_ticks = set(ticks if len(ticks) <= 4 else ticks[::-2])
    for tick in ticks:
        ty = y_of(tick)
        body.append(f'<path d="M{_n(left)} {_n(ty)}H{_n(right)}" stroke="{GRID}"/>')
        if tick in labelled_ticks:
            body.append(
                _text(left - 6, ty + 4, _format_tick(unit, tick, whole), size=12, anchor="end", fill=MUTED)
            )
    body.append(f'<path d="M{_n(left)} {_n(top - 6)}V{_n(bottom)}H{_n(right)}" fill="none" stroke="{AXIS}"/>')

    step = (right - left) / len(series)
    xs = [left + step * (i + 0.5) for i in range(len(series))]
    # Period labels: all of them if they fit, else every k-th counting back from the latest period
    # (the baseline's label is kept in place of its nearest neighbour).
    labels = [_fit(_clean(period), 110, 12) for period, _, _ in series]
    widest = max(_width(label, 12) for label in labels)
    every = max(1, math.ceil((widest + 8) / step))
    shown = sorted(i for i in range(len(series)) if (len(series) - 1 - i) % every == 0)
    if baseline and shown[0] != 0:
        shown = [0, *(shown[1:] if shown[0] * step < widest + 8 else shown)]
    for i in shown:
        x, label = xs[i], labels[i]
        body.append(_text(x, bottom + 17, label, size=12, anchor="middle"))
        if series[i][2]:
            body.append(_text(x, bottom + 32, "baseline", size=12, anchor="middle", italic=True, fill=MUTED))

    if target is not None:
        ty = y_of(target)
        body.append(
            f'<path data-part="target" d="M{_n(left)} {_n(ty)}H{_n(right)}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        body.append(_text(right + 6, ty + 4, target_label, size=12, bold=True))

    ys = [y_of(v) for _, v, _ in series]
    # Every value is labelled when the labels fit; when they would collide, only the first, the last,
    # the highest and the lowest are (the gridlines and the description carry the rest).
    value_labels = [_value(unit, v) for _, v, _ in series]
    if step >= max(_width(label, 12, bold=True) for label in value_labels) + 6:
        labelled = set(range(len(series)))
    else:
        plain = [v for _, v, _ in series]
        labelled = {0, len(series) - 1, plain.index(max(plain)), plain.index(min(plain))}
    if len(series) > 1:
        d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in zip(xs, ys, strict=True))
        body.append(f'<path data-part="line" d="{d}" fill="none" stroke="{BRAND}" stroke-width="2.5"/>')
    for i, ((_, _, is_baseline), x, y) in enumerate(zip(series, xs, ys, strict=True)):
        if is_baseline:
            body.append(
                f'<rect data-part="baseline" x="{_n(x - 5.5)}" y="{_n(y - 5.5)}" width="11" height="11" '
                f'fill="{WHITE}" stroke="{BRAND}" stroke-width="2.5"/>'
            )
        else:
            body.append(f'<circle data-part="point" cx="{_n(x)}" cy="{_n(y)}" r="5.5" fill="{BRAND}"/>')
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
        label_w = _width(label, 12, bold=True)
        ly = y - 11 if above else y + 21
        body.append(
            f'<rect x="{_n(x - label_w / 2 - 3)}" y="{_n(ly - 12)}" width="{_n(label_w + 6)}" height="15" '
            f'rx="2" fill="{WHITE}"/>'
        )
        body.append(_text(x, ly, label, size=12, anchor="middle", bold=True))

    said = []
    if baseline:
        said.append(f"Baseline {_value(unit, baseline[1])} ({_clean(baseline[0])})")
    said += [f"{_clean(period)}: {_value(unit, value)}" for period, value in points]
    said.append(f"target {_value(unit, target)}" if target is not None else "no target set")
    desc = "; ".join(said) + f". {note[2:]}."
    return _svg(id_prefix, "trend", width, height, name, desc, "".join(body))


# ---------------------------------------------------------------------------------------------------
# 4. Distance travelled: before and after means as a dumbbell chart


def distance_travelled(
    id_prefix: str,
    title: str,
    rows: Sequence[tuple[str, float, float]],
    scale_max: float,
    *,
    show_title: bool = True,
) -> Markup:
    """Before and after values on one scale, so the distance travelled reads as the length of a line."""
    if not rows:
        return _no_data(id_prefix, "distance", title, DIAGRAM_WIDTH)
    _check_finite(scale_max, *(v for _, before, after in rows for v in (before, after)))
    if scale_max <= 0:
        raise ValueError(f"scale_max must be positive: {scale_max!r}")

    width = DIAGRAM_WIDTH
    ticks = _ticks(
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
    title_lines = _wrap(title, width - 2 * MARGIN - legend_w - 12, 15, 2, bold=True) if show_title else []
    body = [_lines(MARGIN, 22, title_lines, 19, size=15, bold=True)]
    lx = width - MARGIN - legend_w
    body.append(
        f'<g data-part="legend"><circle cx="{_n(lx + 7)}" cy="17" r="6" fill="{WHITE}" stroke="{BRAND}" '
        f'stroke-width="2.5"/>'
        + _text(lx + 18, 21.5, "before", size=12)
        + f'<circle cx="{_n(lx + 82)}" cy="17" r="6" fill="{BRAND}"/>'
        + _text(lx + 93, 21.5, "after", size=12)
        + "</g>"
    )
    top = 22 + 19 * (max(len(title_lines), 1) - 1) + 22
    row_h = 36.0
    bottom = top + len(rows) * row_h

    for tick in ticks:
        tx = x_of(tick)
        body.append(f'<path d="M{_n(tx)} {_n(top)}V{_n(bottom)}" stroke="{GRID}"/>')
        body.append(_text(tx, bottom + 16, number(tick), size=12, anchor="middle", fill=MUTED))
    body.append(f'<path d="M{_n(left)} {_n(bottom)}H{_n(right)}" stroke="{AXIS}"/>')

    described = []
    for index, (label, before, after) in enumerate(rows):
        cy = top + index * row_h + row_h / 2
        label_lines = _wrap(label, label_w, 13, 2)
        body.append('<g data-part="row">')
        body.append(_lines(MARGIN, cy + 4.5 - (len(label_lines) - 1) * 8, label_lines, 16))
        bx, ax = x_of(before), x_of(after)
        body.append(f'<path d="M{_n(bx)} {_n(cy)}H{_n(ax)}" stroke="{AXIS}" stroke-width="3"/>')
        body.append(
            f'<circle data-part="before" cx="{_n(bx)}" cy="{_n(cy)}" r="6" fill="{WHITE}" '
            f'stroke="{BRAND}" stroke-width="2.5"/>'
            f'<circle data-part="after" cx="{_n(ax)}" cy="{_n(cy)}" r="6" fill="{BRAND}"/>'
        )
        rising = after >= before
        if abs(after - before) < 1e-9:
            body.append(_text(ax + 11, cy + 4.5, f"{number(after)} (no change)", size=12))
            change = "no change"
        else:
            body.append(
                _text(
                    bx - 11 if rising else bx + 11,
                    cy + 4.5,
                    number(before),
                    size=12,
                    anchor="end" if rising else "start",
                )
            )
            body.append(
                _text(
                    ax + 11 if rising else ax - 11,
                    cy + 4.5,
                    number(after),
                    size=12,
                    bold=True,
                    anchor="start" if rising else "end",
                )
            )
            change = f"{'up' if rising else 'down'} {number(abs(after - before))}"
        body.append("</g>")
        described.append(f"{_clean(label)}: before {number(before)}, after {number(after)} ({change})")

    desc = f"Before and after, on a scale of {number(low)} to {number(high)}. " + "; ".join(described) + "."
    return _svg(id_prefix, "distance", width, bottom + 26, title, desc, "".join(body))

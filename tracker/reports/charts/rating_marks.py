"""How each rating looks (colour, pattern, symbol and short label): the SVG charts' swatches and pills, and
the CSS of the report's HTML theme diagrams and key, so a rating is never told by colour alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import quote

from tracker.domain.rules import RATING_CODES
from tracker.domain.vocabulary import rating_tag
from tracker.reports.charts import svg
from tracker.reports.charts.svg import INK, WHITE, n


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


def check_rating(code: str) -> str:
    """Reject unknown codes loudly rather than draw a shape with no colour or meaning."""
    if code not in _STYLES:
        raise ValueError(f"unknown rating code {code!r}; expected one of {', '.join(RATING_CODES)}")
    return code


def patterns(id_prefix: str, codes: Sequence[str]) -> str:
    """One `<pattern>` of marks per rating used, laid over the plain colour (see `swatch`)."""
    out = []
    for code in RATING_CODES:
        if code not in codes:
            continue
        style = _STYLES[code]
        mark = mix(style.fill, style.ink, 0.55)
        out.append(
            f'<pattern id="{id_prefix}-p-{code}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<g fill="{mark}" stroke="{mark}">{style.marks}</g></pattern>'
        )
    return "".join(out)


def mix(colour: str, other: str, amount: float) -> str:
    """Blend two #rrggbb colours (amount of `other`), for pattern marks of the rating's own hue."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


def swatch(
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
    box = f'x="{n(x)}" y="{n(y)}" width="{n(width)}" height="{n(height)}"' + (f' rx="{n(rx)}"' if rx else "")
    return (
        f'<rect {box} fill="{_STYLES[code].fill}"/>'
        f'<rect {box} fill="url(#{id_prefix}-p-{code})" stroke="{INK}" stroke-width="{n(stroke)}"/>'
    )


PILL_SIZE = 11.5
PILL_HEIGHT = 19.0


def pill_width(label: str) -> float:
    """Width of a label pill, so a caller can tell whether it fits where it would go."""
    return svg.width(label, PILL_SIZE, bold=True) + 12


def pill(x: float, y: float, label: str) -> str:
    """A white label with dark text: legible on any rating fill and pattern."""
    w = pill_width(label)
    return (
        f'<rect x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(PILL_HEIGHT)}" rx="9.5" fill="{WHITE}" '
        f'stroke="{INK}"/>' + svg.text(x + w / 2, y + 13.5, label, size=PILL_SIZE, anchor="middle", bold=True)
    )


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
        mark = mix(style.fill, style.ink, 0.55)
        tile = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
            f'<g fill="{mark}" stroke="{mark}">{style.marks}</g></svg>'
        )
        uri = "data:image/svg+xml," + quote(tile, safe="")
        rules.append(f".diagram-{code} {{ background-color: {style.fill}; color: {style.ink}; }}")
        rules.append(f'.diagram-{code} .diagram-band, .key-{code} {{ background-image: url("{uri}"); }}')
        rules.append(f".key-{code} {{ background-color: {style.fill}; }}")
    return "\n".join(rules) + "\n"

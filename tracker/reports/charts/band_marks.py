"""How a survey's RAG band looks on a chart: the colours of the pages' band labels (app.css and report.css
`.band-good`, `.band-moderate`, `.band-poor`) with the pattern marks of the evidence ratings of the same
colour (rating_marks: good as "strong", poor as "none"), so a band is never told by colour alone; and a
scale strip that draws the bands under an axis, each labelled in words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tracker.domain.surveys import Bands
from tracker.reports.charts import svg
from tracker.reports.charts.rating_marks import mix
from tracker.reports.charts.svg import INK, WHITE, n

BAND_ORDER = ("poor", "moderate", "good")  # low to high, as along an axis


@dataclass(frozen=True, slots=True)
class _Style:
    fill: str
    ink: str
    marks: str
    label: str


_STYLES: Mapping[str, _Style] = MappingProxyType(
    {
        "good": _Style("#00703c", WHITE, '<path d="M-2 2l4-4M0 8l8-8M6 10l4-4" stroke-width="1.6"/>', "Good"),
        "moderate": _Style(
            "#ffdd00", INK, '<circle cx="2" cy="2" r="1.3"/><circle cx="6" cy="6" r="1.3"/>', "Moderate"
        ),
        "poor": _Style("#b3261e", WHITE, '<path d="M0 0l8 8M8 0L0 8" stroke-width="1.2"/>', "Poor"),
    }
)


def band_label(band: str) -> str:
    return _STYLES[band].label


def band_patterns(id_prefix: str) -> str:
    """One `<pattern>` of marks per band, laid over its plain colour by `band_swatch`."""
    out = []
    for band in BAND_ORDER:
        style = _STYLES[band]
        mark = mix(style.fill, style.ink, 0.55)
        out.append(
            f'<pattern id="{id_prefix}-b-{band}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<g fill="{mark}" stroke="{mark}">{style.marks}</g></pattern>'
        )
    return "".join(out)


def band_swatch(id_prefix: str, band: str, x: float, y: float, width: float, height: float) -> str:
    """A band's rectangle: plain colour, then its marks (a coloured tile shows seams in PDFs)."""
    box = f'x="{n(x)}" y="{n(y)}" width="{n(width)}" height="{n(height)}"'
    return (
        f'<rect {box} fill="{_STYLES[band].fill}"/>'
        f'<rect {box} fill="url(#{id_prefix}-b-{band})" stroke="{INK}" stroke-width="0.75"/>'
    )


def band_ranges(bands: Bands, low: float, high: float) -> list[tuple[str, float, float]]:
    """Each band's stretch of a scale from low to high: a score shows banded on its whole number, so
    poor ends at moderate - 0.5 and good starts at good - 0.5."""
    cuts = {"poor": (low, bands.moderate - 0.5), "moderate": (bands.moderate - 0.5, bands.good - 0.5)}
    cuts["good"] = (bands.good - 0.5, high)
    return [
        (band, max(a, low), min(b, high))
        for band, (a, b) in ((band, cuts[band]) for band in BAND_ORDER)
        if min(b, high) > max(a, low)
    ]


def band_scale(
    id_prefix: str, bands: Bands, low: float, high: float, x_of: Callable[[float], float], y: float
) -> str:
    """The bands as a strip 8 high at `y` along the axis, each named under it where it fits."""
    out = ['<g data-part="band-scale">']
    for band, start, end in band_ranges(bands, low, high):
        x0, x1 = x_of(start), x_of(end)
        out.append(f'<g data-band="{band}">' + band_swatch(id_prefix, band, x0, y, x1 - x0, 8))
        label = _STYLES[band].label
        if svg.width(label, 11) + 4 <= x1 - x0:
            out.append(svg.text((x0 + x1) / 2, y + 20, label, size=11, anchor="middle"))
        out.append("</g>")
    out.append("</g>")
    return "".join(out)

"""The SVG every chart is drawn with: one accessible `<svg>`, escaped text, estimated text widths, axis ticks.

Text widths are estimated from Helvetica/Arial metrics (Liberation Sans in the PDF on Linux) with a
margin, which is what wrapping and label placement rely on. All text from arguments enters the markup
through `text` (escaped, control characters removed); nothing refers outside the SVG.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from markupsafe import Markup, escape

FONT = "Helvetica, Arial, sans-serif"
INK = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#d8dadc"
AXIS = "#6f777b"
BRAND = "#12355b"
WHITE = "#ffffff"
ELLIPSIS = "\u2026"

_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

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


def clean(text: str) -> str:
    """Text as one line without control characters, which XML cannot carry even escaped."""
    return " ".join(_CONTROL.sub("", str(text)).split())


def esc(text: str) -> str:
    """Escape argument text for element content and attribute values alike."""
    return str(escape(clean(text)))


def n(value: float) -> str:
    """Coordinates with at most one decimal, so output is compact and byte-for-byte repeatable."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def width(text: str, size: float, bold: bool = False) -> float:
    """Estimated rendered width, slightly generous, so labels are placed without overlapping."""
    units = sum(_WIDTHS.get(c, 600) for c in text)
    return units / 1000 * size * (1.1 if bold else 1.04)


def ellipsize(text: str, max_width: float, size: float, bold: bool = False) -> str:
    """End text with an ellipsis (it was cut), shortening it until both fit one line."""
    while text and width(text.rstrip() + ELLIPSIS, size, bold) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fit(text: str, max_width: float, size: float, bold: bool = False) -> str:
    """Shorten text with an ellipsis so it fits one line."""
    if width(text, size, bold) <= max_width:
        return text
    return ellipsize(text, max_width, size, bold)


def wrap(text: str, max_width: float, size: float, max_lines: int, bold: bool = False) -> list[str]:
    """Greedy word wrap into at most max_lines lines; the last line ends in an ellipsis if cut."""
    lines: list[str] = []
    current = ""
    for word in clean(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if width(candidate, size, bold) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while width(current, size, bold) > max_width and len(current) > 1:
            cut = len(current)
            while cut > 1 and width(current[:cut], size, bold) > max_width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], ellipsize(lines[max_lines - 1], max_width, size, bold)]
    return lines or [""]


def text(
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
    attrs = f'x="{n(x)}" y="{n(y)}"'
    if size is not None:
        attrs += f' font-size="{n(size)}"'
    if anchor is not None:
        attrs += f' text-anchor="{anchor}"'
    if bold:
        attrs += ' font-weight="bold"'
    if italic:
        attrs += ' font-style="italic"'
    if fill is not None:
        attrs += f' fill="{fill}"'
    return f"<text {attrs}>{esc(text)}</text>"


def lines(
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
        text(x, y + i * line_height, line, size=size, bold=bold, fill=fill) for i, line in enumerate(lines)
    )


def check_prefix(id_prefix: str) -> str:
    """Ids must be unique in the page and safe in `url(#...)`, so the prefix is restricted."""
    if not _PREFIX.match(id_prefix):
        raise ValueError(f"id_prefix must match {_PREFIX.pattern}: {id_prefix!r}")
    return id_prefix


def check_finite(*values: float) -> None:
    """A NaN or infinite value has no place on a chart; fail before drawing nonsense."""
    for value in values:
        if not math.isfinite(value):
            raise ValueError(f"chart values must be finite numbers, got {value!r}")


def chart(
    id_prefix: str, kind: str, width: float, height: float, title: str, desc: str, body: str, defs: str = ""
) -> Markup:
    """Wrap a chart body in the accessible, self-contained `<svg>` every chart shares."""
    p = check_prefix(id_prefix)
    return Markup(  # noqa: S704 (every argument string was escaped by esc/text)
        f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{kind}" viewBox="0 0 {n(width)} '
        f'{n(height)}" width="100%" role="img" aria-labelledby="{p}-title {p}-desc" '
        f'font-family="{FONT}" font-size="13" fill="{INK}">'
        f'<title id="{p}-title">{esc(title)}</title><desc id="{p}-desc">{esc(desc)}</desc>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + body
        + "</svg>"
    )


def ticks(low: float, high: float, count: int = 5) -> list[float]:
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


def no_data(id_prefix: str, kind: str, title: str, width: float, message: str = "No data yet") -> Markup:
    """A small placeholder so an empty chart says so instead of drawing empty axes."""
    body = (
        f'<rect x="0.5" y="0.5" width="{n(width - 1)}" height="55" rx="4" fill="#f3f2f1" stroke="{GRID}"/>'
        + text(12, 23, fit(clean(title), width - 24, 14, bold=True), size=14, bold=True)
        + text(12, 43, message, fill=MUTED)
    )
    return chart(id_prefix, kind, width, 56, title, f"{message}.", body)


# The full-width charts (bars, distance travelled) are drawn for the report's whole column.
DIAGRAM_WIDTH = 720.0
MARGIN = 16.0

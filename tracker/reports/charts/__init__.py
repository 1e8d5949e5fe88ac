"""Charts for the board report as inline SVG built on the server, so the web page and the PDF show the
same accessible pictures with no JavaScript: outcomes at each rating by theme (`rating_bars`), a KPI
over time (`kpi_trend`, and `kpi_sparkline` for a table cell), distance travelled before and after
(`distance_travelled`) and counts as labelled bars (`value_bars`: an event's attendance and ratings).
Figures are written by `tracker.domain.formats`, as the tables beside them. The theme diagrams and the
rating key are HTML in the report template, styled with each rating's colour and pattern from
`diagram_css` and labelled with `rating_tags`.

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

from pathlib import Path

from tracker.domain.vocabulary import RATING_SHORT_LABELS, RATING_SYMBOLS
from tracker.reports.charts.bars import rating_bars
from tracker.reports.charts.distance import distance_travelled
from tracker.reports.charts.rating_marks import diagram_css, rating_tags
from tracker.reports.charts.sparkline import kpi_sparkline
from tracker.reports.charts.trend import direction_note, kpi_trend
from tracker.reports.charts.value_bars import Bar, value_bars

__all__ = [
    "RATING_SHORT_LABELS",
    "RATING_SYMBOLS",
    "SOURCES",
    "Bar",
    "diagram_css",
    "direction_note",
    "distance_travelled",
    "kpi_sparkline",
    "kpi_trend",
    "rating_bars",
    "rating_tags",
    "value_bars",
]

# The files that decide how a chart looks, so the report's design fingerprint changes when one does.
SOURCES: tuple[Path, ...] = tuple(sorted(Path(__file__).parent.glob("*.py")))

"""Where a KPI's curve is heading if nothing changes: a straight line through its periods, one period ahead.

Turn-the-curve work asks "where is the curve going?" before "what would turn it?". The tracker answers with
the plainest forecast there is, so a board can check it by eye and nobody reads more into it than it holds:
- the line is fitted by least squares through every period of the KPI's timeline (the baseline counts as
  its period, once: `tracker.domain.kpi.timeline`), on the periods' order (0, 1, 2, ...), not on their
  dates: period labels are free text ("2019/20", "2019-Q3", "Social Work Week") and periods are taken as
  evenly spaced, as the chart draws them;
- there is no forecast from fewer than three periods (`MIN_PERIODS`): two points always lie on a line, so
  a line through them says nothing about a trend;
- it reaches exactly one period past the latest, even when the KPI's target names a later period. Labels
  are free text, so how many periods lie between the latest and the target's is not known in general,
  and a line through three to five points carried further claims more than those points can tell;
- the value ahead stays within what the unit allows (`unit_bounds`): no share above 100% or below 0%, no
  negative count or sum of money. Only the value ahead is kept in bounds; the fitted periods are not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.domain.kpi import TimelinePoint

MIN_PERIODS = 3
NEXT_PERIOD = "next period"  # what the period ahead is called when its label cannot be worked out


@dataclass(frozen=True, slots=True)
class Forecast:
    """A straight line through a KPI's periods and its value one period past the latest."""

    periods: int  # how many periods the line goes through (at least MIN_PERIODS)
    slope: float  # the change per period
    intercept: float  # the line's value at the first period
    next_period: str  # the label of the period ahead ("2020/21"), or NEXT_PERIOD
    next_value: float  # the line's value one period ahead, kept within the unit's bounds

    def at(self, index: int) -> float:
        """The line's value at the index-th period (0 is the first)."""
        return self.intercept + self.slope * index

    @property
    def fitted(self) -> tuple[float, ...]:
        """The line's value at each period it goes through."""
        return tuple(self.at(i) for i in range(self.periods))

    @property
    def label(self) -> str:
        """How a legend and a text alternative name it: 'Forecast (straight line through 4 periods)'."""
        return f"Forecast (straight line through {self.periods} periods)"


def straight_line(values: Sequence[float]) -> tuple[float, float]:
    """The least-squares line through values at 0, 1, 2, ...: (slope, value at 0)."""
    count = len(values)
    if count < 2:
        raise ValueError("a line needs two values or more")
    mean_x = (count - 1) / 2
    mean_y = math.fsum(values) / count
    spread = math.fsum((i - mean_x) ** 2 for i in range(count))
    slope = math.fsum((i - mean_x) * (v - mean_y) for i, v in enumerate(values)) / spread
    return slope, mean_y - slope * mean_x


def unit_bounds(unit: str) -> tuple[float | None, float | None]:
    """The lowest and highest value a KPI's unit allows (None: no bound)."""
    if unit == "percent":
        return 0.0, 100.0
    if unit in {"count", "currency"}:
        return 0.0, None
    return None, None


def forecast(
    points: Sequence[TimelinePoint],
    *,
    lowest: float | None = None,
    highest: float | None = None,
) -> Forecast | None:
    """The straight line through the timeline's periods, one period ahead; None with fewer than three."""
    if len(points) < MIN_PERIODS:
        return None
    values = [value for _, value, _ in points]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("a forecast needs finite values")
    slope, intercept = straight_line(values)
    ahead = intercept + slope * len(values)
    if lowest is not None:
        ahead = max(ahead, lowest)
    if highest is not None:
        ahead = min(ahead, highest)
    return Forecast(len(values), slope, intercept, next_period(points[-1][0]), ahead)


_ACADEMIC = re.compile(r"^(\d{4})([/-])(\d{2})$")  # 2019/20, 2019-20 (2019-08 is a month)
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")  # 2019-Q3
_QUARTER_FIRST = re.compile(r"^Q([1-4]) (\d{4})$")  # Q3 2019
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")  # 2019-08


def next_period(label: str) -> str:
    """The label of the period after this one, in the same style; NEXT_PERIOD when the style is unknown."""
    text = label.strip()
    if found := _ACADEMIC.match(text):
        start, mark, end = int(found[1]), found[2], int(found[3])
        if (start + 1) % 100 == end:
            return f"{start + 1}{mark}{(end + 1) % 100:02d}"
    if found := _YEAR.match(text):
        return str(int(found[1]) + 1)
    if found := _QUARTER.match(text):
        year, quarter = int(found[1]), int(found[2])
        return f"{year + quarter // 4}-Q{quarter % 4 + 1}"
    if found := _QUARTER_FIRST.match(text):
        quarter, year = int(found[1]), int(found[2])
        return f"Q{quarter % 4 + 1} {year + quarter // 4}"
    if found := _MONTH.match(text):
        year, month = int(found[1]), int(found[2])
        return f"{year + month // 12}-{month % 12 + 1:02d}"
    return NEXT_PERIOD

"""KPI status and change: is the latest value at the target, better than the baseline, or neither.

Judgement calls, so a board report never claims more than the figures show:
- Change is in percentage points (`pp`) for percent, `points` for scores and relative `%` for counts,
  numbers and money; a `change` target and a per-period growth target are read in the same units, so
  `{change: 5, per_period: true}` on a count means "each period at least 5% above the one before" and on
  a percent KPI "at least 5 pp above". The sign of `change` is ignored: a change target always asks for
  movement in the KPI's good direction (a fall for `lower_is_better`).
- A `tolerance` is in the KPI's own unit (pp for percent) for a level target and in the change unit for
  a change target; it can only turn a miss into `partly_met`. Per-period targets ignore it.
- A status never contradicts the figures beside it: `no_data` means no value up to the as-of date, so a
  KPI with a latest value is never `no_data`. Without a target there is nothing to meet: the status is
  `no_target` ("no target set"), whatever the values. A change target with too few values to judge
  (only the baseline period, or one value and no baseline) is `too_early`.
- The verdict is what the ratings and `tracker kpis --json` read, in DESIGN.md's four codes: the status
  itself where it is one of them; for `no_target`, `partly_met` when the latest value is better than the
  baseline and `missed` when it is not (a trend is evidence, but never a met target), `no_data` without a
  baseline; `no_data` for `too_early`. JSON says there is no target by `"target": null`.
- Values with `period_end` after the as-of date are ignored. A value without a partner is the period's
  total and is used as it is (the last one given wins); otherwise the partners' values of one period are
  combined: summed for `count` and `currency` (the partnership's total), averaged for `percent`, `score`
  and `number` (a share or a score does not add up across partners). This is how per-partner KPIs
  (`Kpi.per_partner`) are combined, and any other KPI reported partner by partner.
- A per-period target compares each period with the one before, the first with the baseline; without a
  baseline the first value is only the starting point. A period whose label is the baseline's is the
  baseline itself and is not judged. From a previous value of 0 a relative change cannot be computed, so
  that period counts as met when the value moved in the good direction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal

from tracker.domain.formats import ChangeUnit, amount, change_unit, kpi_value, long_date, number
from tracker.domain.framework import Direction, Framework, Kpi, Target, Unit
from tracker.domain.settings import DEFAULT_SETTINGS, RuleSettings
from tracker.domain.vocabulary import KPI_STATUS_LABELS as KPI_STATUS_LABELS  # rules.py reads it here

KpiStatusCode = Literal["met", "partly_met", "missed", "no_target", "too_early", "no_data"]
KpiVerdict = Literal["met", "partly_met", "missed", "no_data"]

KPI_STATUSES: tuple[KpiStatusCode, ...] = ("met", "partly_met", "missed", "no_target", "too_early", "no_data")
KPI_VERDICTS: tuple[KpiVerdict, ...] = ("met", "partly_met", "missed", "no_data")
EPSILON = 1e-9
format_date = long_date  # rules.py reads the date style from here

SeriesPoint = tuple[str, date, float]
TimelinePoint = tuple[str, float, bool]  # period, value, whether it is the baseline


@dataclass(frozen=True, slots=True)
class KpiActual:
    """One reported value of a KPI for a period; `partner` is set for a partner's own figure."""

    period: str
    period_end: date
    value: float
    partner: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A change from baseline to latest, in the unit a reader expects for the KPI's unit."""

    value: float
    unit: ChangeUnit

    def to_json(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class KpiStatus:
    """A KPI's status as of a date, the figures behind it, and one sentence explaining it."""

    kpi_id: str
    name: str
    unit: Unit
    direction: Direction
    baseline: tuple[str, float] | None
    latest: tuple[str, float] | None
    target: Mapping[str, object] | None
    status: KpiStatusCode
    verdict: KpiVerdict
    change: Change | None
    periods_met: tuple[int, int] | None
    series: tuple[SeriesPoint, ...]
    reason: str

    @property
    def has_data(self) -> bool:
        """Whether there is something judged: only such KPIs form a line of evidence."""
        return self.verdict != "no_data"

    def timeline(self) -> tuple[TimelinePoint, ...]:
        """Each period once with the baseline marked, as a chart of this KPI draws it."""
        return timeline([(p, v) for p, _, v in self.series], self.baseline)

    def to_json(self) -> dict[str, object]:
        """The object `tracker kpis --json` prints, in the shape DESIGN.md fixes."""
        return {
            "kpi": self.kpi_id,
            "unit": self.unit,
            "direction": self.direction,
            "baseline": None
            if self.baseline is None
            else {"period": self.baseline[0], "value": self.baseline[1]},
            "latest": None if self.latest is None else {"period": self.latest[0], "value": self.latest[1]},
            "target": None if self.target is None else dict(self.target),
            "status": self.verdict,
            "change": None if self.change is None else self.change.to_json(),
            "periods_met": None
            if self.periods_met is None
            else {"met": self.periods_met[0], "of": self.periods_met[1]},
        }


# -- values --------------------------------------------------------------------------------------


def value_problem(unit: str, value: float) -> str | None:
    """Why a value cannot be a KPI's in its unit, or None: a percentage is a share, from 0 to 100.

    The one check for the web form and CSV rows (tracker.domain.evidence_input.parse_kpi_value), so a
    board never sees a share of 150%.
    """
    if unit == "percent" and not 0 <= value <= 100:
        return f"must be between 0 and 100 for a percentage, not {number(value)}"
    return None


# -- numbers and words ---------------------------------------------------------------------------


def tidy(value: float, places: int = 6) -> float:
    """Round away float noise (75 -> 90 is exactly 15) and give whole numbers as ints for clean JSON."""
    rounded = round(value, places)
    if rounded == 0:
        return 0
    return int(rounded) if float(rounded).is_integer() else rounded


def measure_change(unit: Unit, start: float, end: float) -> float | None:
    """The change from start to end in the KPI's change unit; None when relative and start is 0."""
    if change_unit(unit) != "%":
        return tidy(end - start)
    if start == 0:
        return None
    return tidy((end - start) / abs(start) * 100, 2)


def _movement(unit: Unit, start: float, end: float) -> str:
    """'up 15 pp', 'down 3%', 'unchanged', or 'up from 0' when a relative change has no size."""
    delta = end - start
    if abs(delta) <= EPSILON:
        return "unchanged"
    word = "up" if delta > 0 else "down"
    size = measure_change(unit, start, end)
    if size is None:
        return word
    return f"{word} {amount(change_unit(unit), abs(size))}"


def _improvement(direction: Direction, delta: float) -> float:
    """A change signed so that positive is always good, whichever way the KPI points."""
    return delta if direction == "higher_is_better" else -delta


def _better(direction: Direction, value: float, than: float) -> bool:
    return _improvement(direction, value - than) > EPSILON


def _at_least_as_good(direction: Direction, value: float, than: float) -> bool:
    return _improvement(direction, value - than) >= -EPSILON


def target_json(target: Target) -> Mapping[str, object]:
    """The target as a plain mapping for JSON: {"value": 85} or {"change": 5, "per_period": true}."""
    data: dict[str, object] = {}
    if target.value is not None:
        data["value"] = tidy(target.value)
    if target.change is not None:
        data["change"] = tidy(target.change)
        data["per_period"] = target.per_period
    if target.tolerance is not None:
        data["tolerance"] = tidy(target.tolerance)
    if target.period:
        data["period"] = target.period
    return MappingProxyType(data)


# -- the series ----------------------------------------------------------------------------------


def combine_mean(values: Sequence[float]) -> float:
    """Shares and scores of several partners do not add up, so they are averaged."""
    return sum(values) / len(values)


def kpi_series(kpi: Kpi, actuals: Iterable[KpiActual], as_of: date) -> tuple[SeriesPoint, ...]:
    """One value per period known on the as-of date; partners' values summed (count, currency) or averaged."""
    totals: dict[str, KpiActual] = {}
    by_partner: dict[str, list[KpiActual]] = {}
    for actual in actuals:
        if actual.period_end > as_of or not math.isfinite(actual.value):
            continue
        if actual.partner is None:
            totals[actual.period] = actual
        else:
            by_partner.setdefault(actual.period, []).append(actual)
    points: list[SeriesPoint] = []
    for period in set(totals) | set(by_partner):
        if period in totals:
            total = totals[period]
            points.append((period, total.period_end, float(total.value)))
            continue
        parts = by_partner[period]
        values = [float(a.value) for a in parts]
        value = sum(values) if kpi.unit in ("count", "currency") else combine_mean(values)
        points.append((period, max(a.period_end for a in parts), tidy(value, 9)))
    return tuple(sorted(points, key=lambda p: (p[1], p[0])))


def timeline(
    points: Sequence[tuple[str, float]], baseline: tuple[str, float] | None
) -> tuple[TimelinePoint, ...]:
    """Each period once: a value reported for the baseline's period is the baseline point (at the baseline's
    value, which the tables show and the status is judged from), never a second point; otherwise the
    baseline comes first."""
    if baseline is None:
        return tuple((period, value, False) for period, value in points)
    marked = (baseline[0], baseline[1], True)
    if any(period == baseline[0] for period, _ in points):
        return tuple(marked if period == baseline[0] else (period, value, False) for period, value in points)
    return (marked, *((period, value, False) for period, value in points))


# -- status --------------------------------------------------------------------------------------


def _target_phrase(kpi: Kpi, target: Target) -> str:
    """'the target of 85%', 'the target of no more than 20%', 'the target of a rise of 5% each period'."""
    if target.value is not None:
        level = kpi_value(target.value, kpi.unit)
        return (
            f"the target of {level}"
            if kpi.direction == "higher_is_better"
            else f"the target of no more than {level}"
        )
    change = abs(target.change or 0)
    movement = "rise" if kpi.direction == "higher_is_better" else "fall"
    each = " each period" if target.per_period else ""
    return f"the target of a {movement} of {amount(change_unit(kpi.unit), change)}{each}"


def _unjudged(
    kpi: Kpi,
    series: tuple[SeriesPoint, ...],
    reason: str,
    status: KpiStatusCode,
    verdict: KpiVerdict = "no_data",
) -> KpiStatus:
    """A status judged against no target (none set, too few values, or no value), with the figures."""
    baseline = None if kpi.baseline is None else (kpi.baseline.period, tidy(kpi.baseline.value))
    latest = None if not series else (series[-1][0], tidy(series[-1][2]))
    change = None
    if kpi.baseline is not None and series:
        size = measure_change(kpi.unit, kpi.baseline.value, series[-1][2])
        change = None if size is None else Change(size, change_unit(kpi.unit))
    return KpiStatus(
        kpi_id=kpi.id,
        name=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=baseline,
        latest=latest,
        target=None if kpi.target is None else target_json(kpi.target),
        status=status,
        verdict=verdict,
        change=change,
        periods_met=None,
        series=series,
        reason=reason,
    )


def kpi_status(
    kpi: Kpi, actuals: Iterable[KpiActual], as_of: date, settings: RuleSettings = DEFAULT_SETTINGS
) -> KpiStatus:
    """Judge a KPI against its target and baseline as of a date (see the module docstring for the rules)."""
    series = kpi_series(kpi, actuals, as_of)
    target = kpi.target
    baseline = kpi.baseline
    if not series:
        target_note = f" ({_target_phrase(kpi, target)})" if target is not None else ""
        return _unjudged(
            kpi, series, f"No value reported up to {format_date(as_of)}{target_note}.", "no_data"
        )
    latest_period, _, latest_value = series[-1]
    latest_text = f"Latest {kpi_value(latest_value, kpi.unit)} ({latest_period})"
    change: Change | None = None
    since = ""
    if baseline is not None:
        size = measure_change(kpi.unit, baseline.value, latest_value)
        change = None if size is None else Change(size, change_unit(kpi.unit))
        since = (
            f"{_movement(kpi.unit, baseline.value, latest_value)} from "
            f"{kpi_value(baseline.value, kpi.unit)} in {baseline.period}"
        )
    periods_met: tuple[int, int] | None = None

    status: KpiStatusCode
    if target is None:
        if baseline is None:
            return _unjudged(
                kpi,
                series,
                f"No target or baseline set, so the latest value "
                f"{kpi_value(latest_value, kpi.unit)} ({latest_period}) cannot be judged.",
                "no_target",
            )
        trend: KpiVerdict = "partly_met" if _better(kpi.direction, latest_value, baseline.value) else "missed"
        reason = f"No target set; {latest_text[0].lower()}{latest_text[1:]} is {since}."
        return _unjudged(kpi, series, reason, "no_target", trend)
    if target.value is not None:
        phrase = _target_phrase(kpi, target)
        if _at_least_as_good(kpi.direction, latest_value, target.value):
            status = "met"
            reason = f"{latest_text} meets {phrase}" + (f"; {since}." if since else ".")
        elif baseline is not None and _better(kpi.direction, latest_value, baseline.value):
            status = "partly_met"
            reason = f"{latest_text} has not reached {phrase}, but is {since}."
        elif target.tolerance is not None and abs(latest_value - target.value) <= target.tolerance + EPSILON:
            status = "partly_met"
            reason = f"{latest_text} is within {amount(kpi.unit, target.tolerance)} of {phrase}" + (
                f"; {since}." if since else "."
            )
        else:
            status = "missed"
            reason = f"{latest_text} misses {phrase}" + (
                f"; {since}." if since else " (no baseline to compare with)."
            )
    elif target.per_period:
        return _per_period_status(kpi, target, series, settings, change)
    else:
        status, reason = _change_status(kpi, target, series, change)
        if status == "too_early":
            return _unjudged(kpi, series, reason, "too_early")
    return KpiStatus(
        kpi_id=kpi.id,
        name=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=None if baseline is None else (baseline.period, tidy(baseline.value)),
        latest=(latest_period, tidy(latest_value)),
        target=target_json(target),
        status=status,
        verdict=_verdict(status),
        change=change,
        periods_met=periods_met,
        series=series,
        reason=reason,
    )


_JUDGED: Mapping[KpiStatusCode, KpiVerdict] = {"met": "met", "partly_met": "partly_met", "missed": "missed"}


def _verdict(status: KpiStatusCode) -> KpiVerdict:
    """A status judged against a target is its own verdict (KeyError for any other)."""
    return _JUDGED[status]


def _start(kpi: Kpi, series: tuple[SeriesPoint, ...]) -> tuple[str, float, tuple[SeriesPoint, ...]]:
    """The starting point of a change target and the periods judged against it."""
    if kpi.baseline is not None:
        judged = tuple(p for p in series if p[0] != kpi.baseline.period)
        return kpi.baseline.period, kpi.baseline.value, judged
    return series[0][0], series[0][2], series[1:]


def _too_few(kpi: Kpi, series: tuple[SeriesPoint, ...], phrase: str) -> str:
    """Why a change target cannot be judged yet: nothing after the starting point."""
    only = f"{kpi_value(series[-1][2], kpi.unit)} in {series[-1][0]}"
    if kpi.baseline is not None:
        return f"Only the baseline period has a value so far ({only}), so {phrase} cannot be judged yet."
    return f"Only one value so far ({only}) and no baseline, so {phrase} cannot be judged yet."


def _met_change(kpi: Kpi, required: float, start: float, end: float) -> bool:
    """Whether moving from start to end achieves the required change in the good direction."""
    size = measure_change(kpi.unit, start, end)
    if size is None:
        return _better(kpi.direction, end, start)
    return _improvement(kpi.direction, size) >= required - 1e-6


def _change_status(
    kpi: Kpi, target: Target, series: tuple[SeriesPoint, ...], change: Change | None
) -> tuple[KpiStatusCode, str]:
    """A change from the baseline (or the first value) to the latest value."""
    phrase = _target_phrase(kpi, target)
    required = abs(target.change or 0)
    start_period, start_value, judged = _start(kpi, series)
    if not judged:
        return "too_early", _too_few(kpi, series, phrase)
    latest_period, _, latest_value = judged[-1]
    moved = (
        f"Latest {kpi_value(latest_value, kpi.unit)} ({latest_period}) is "
        f"{_movement(kpi.unit, start_value, latest_value)} from {kpi_value(start_value, kpi.unit)} "
        f"in {start_period}"
    )
    if _met_change(kpi, required, start_value, latest_value):
        return "met", f"{moved}, meeting {phrase}."
    if _better(kpi.direction, latest_value, start_value):
        return "partly_met", f"{moved}, short of {phrase}."
    size = measure_change(kpi.unit, start_value, latest_value)
    if (
        target.tolerance is not None
        and size is not None
        and _improvement(kpi.direction, size) >= required - target.tolerance - 1e-6
    ):
        return (
            "partly_met",
            f"{moved}, within {amount(change_unit(kpi.unit), target.tolerance)} of {phrase}.",
        )
    return "missed", f"{moved}, missing {phrase}."


def _per_period_status(
    kpi: Kpi,
    target: Target,
    series: tuple[SeriesPoint, ...],
    settings: RuleSettings,
    change: Change | None,
) -> KpiStatus:
    """Judge growth period by period: met in all, partly met in at least the set share, else missed."""
    phrase = _target_phrase(kpi, target)
    required = abs(target.change or 0)
    start_period, start_value, judged = _start(kpi, series)
    if not judged:
        return _unjudged(kpi, series, _too_few(kpi, series, phrase), "too_early")
    previous = start_value
    met = 0
    for _, _, value in judged:
        if _met_change(kpi, required, previous, value):
            met += 1
        previous = value
    n = len(judged)
    status: KpiStatusCode
    if met == n:
        status = "met"
        how = f"in all {n} periods" if n > 1 else "in the one period so far"
    elif met >= settings.kpi_partly_met_share * n - EPSILON:
        status = "partly_met"
        how = f"in {met} of {n} periods"
    else:
        status = "missed"
        how = f"in none of the {n} periods" if met == 0 else f"in only {met} of {n} periods"
    latest_period, _, latest_value = judged[-1]
    reason = (
        f"Met {phrase} {how} since {start_period} "
        f"(latest {kpi_value(latest_value, kpi.unit)} in {latest_period})."
    )
    return KpiStatus(
        kpi_id=kpi.id,
        name=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=None if kpi.baseline is None else (kpi.baseline.period, tidy(kpi.baseline.value)),
        latest=(series[-1][0], tidy(series[-1][2])),
        target=target_json(target),
        status=status,
        verdict=_verdict(status),
        change=change,
        periods_met=(met, n),
        series=series,
        reason=reason,
    )


def framework_kpi_statuses(
    framework: Framework,
    actuals_by_kpi: Mapping[str, Sequence[KpiActual]],
    as_of: date,
    settings: RuleSettings = DEFAULT_SETTINGS,
) -> tuple[KpiStatus, ...]:
    """Every KPI's status in framework order, as `tracker kpis` prints them."""
    return tuple(kpi_status(k, actuals_by_kpi.get(k.id, ()), as_of, settings) for k in framework.kpis)

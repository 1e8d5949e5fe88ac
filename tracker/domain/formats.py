# ruff: noqa: RUF002  (a true minus sign, U+2212, is the point of this module)
"""How numbers, money, KPI values, changes, dates and periods read to people: one style everywhere.

Pages (as Jinja filters), the report and its charts, the PDF, the CLI tables and the domain's own reason
sentences all write figures through these functions, so one value reads the same wherever it is shown:
- Numbers have thousands separators and at most two decimals, trailing zeros dropped: 1,234.5; 0.
- A negative number starts with a true minus sign (U+2212), before the currency: −5, −£5.00, −3%.
- Money is in pounds with pence: £2,500.00 (axis ticks may drop whole pence: `money(v, pence=False)`).
- Percentages are 55%; a change between percentages is in percentage points (15 pp), between scores in
  points (2 points, 1 point), between counts, numbers and money relative (5%).
- A target says which side meets it: 85% or higher, 20% or lower, +5% each period, −2 pp from baseline.
- Dates read "31 May 2020", independent of the process locale; a period "1 April 2019 to 31 March 2020".
- A missing figure reads "no data".

CSV and JSON do not use this module: they carry raw numbers (a change is `{"value": 15, "unit": "pp"}`)
and ISO dates (2020-05-31), which is their documented contract (`iso_date` is here for symmetry).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from tracker.domain.framework import Target, Unit

ChangeUnit = Literal["pp", "points", "%"]

MINUS = "\u2212"
NO_DATA = "no data"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _magnitude(value: float, places: int) -> str:
    """The digits of abs(value): separators, at most `places` decimals, no trailing zeros."""
    size = round(abs(value), 9)  # float noise (0.1 + 0.2) never shows as a figure
    if float(size).is_integer():
        return f"{int(size):,}"
    return f"{size:,.{places}f}".rstrip("0").rstrip(".")


def _sign(value: float, magnitude: str) -> str:
    """A true minus sign for a negative figure that does not round to zero."""
    return MINUS if value < 0 and magnitude.strip("0.,") else ""


def number(value: float, places: int = 2) -> str:
    """1234.5 -> '1,234.5', -5 -> '−5'; whole numbers without decimals."""
    digits = _magnitude(value, places)
    return _sign(value, digits) + digits


def signed_number(value: float, places: int = 1) -> str:
    """A change at fixed precision with its sign: 3 -> '+3.0', -4.8 -> '−4.8', 0 -> '0.0'."""
    digits = f"{round(abs(value), 9):,.{places}f}"
    if not digits.strip("0.,"):
        return digits
    return ("+" if value > 0 else MINUS) + digits


def percent(value: float) -> str:
    """55 -> '55%', -3.5 -> '−3.5%'."""
    return f"{number(value)}%"


def money(value: float, *, pence: bool = True) -> str:
    """-5 -> '−£5.00', 2500 -> '£2,500.00'; without pence ('£2,500') only where every figure is whole."""
    size = round(abs(value), 9)
    digits = f"{size:,.2f}" if pence else _magnitude(value, 2)
    return _sign(value, digits) + "£" + digits


def kpi_value(value: float, unit: str) -> str:
    """A KPI value in its unit as a board member reads it: 90%, £2,500.00, 1,200, 3.5."""
    if unit == "percent":
        return percent(value)
    if unit == "currency":
        return money(value)
    return number(value)


def kpi_value_or_none(value: float | None, unit: str) -> str:
    """A KPI value, or 'no data' when there is none."""
    return NO_DATA if value is None else kpi_value(value, unit)


def change_unit(unit: Unit | str) -> ChangeUnit:
    """The unit a change of this KPI is measured in: pp for percent, points for scores, % otherwise."""
    if unit == "percent":
        return "pp"
    if unit == "score":
        return "points"
    return "%"


def amount(unit: ChangeUnit | str, size: float) -> str:
    """A size of change or tolerance: '5 pp', '2 points', '1 point', '5%', or a value in a KPI's unit."""
    if unit in ("pp", "percent"):
        return f"{number(size)} pp"
    if unit in ("points", "score"):
        return f"{number(size)} point" + ("" if size == 1 else "s")
    if unit == "%":
        return percent(size)
    return kpi_value(size, unit)


def signed_change(value: float, unit: ChangeUnit) -> str:
    """A change with its sign: '+15 pp', '−5%', '+1 point', '0 pp' (a change of zero has no sign)."""
    text = amount(unit, abs(value))
    if _magnitude(value, 2) == "0":
        return text
    return ("+" if value > 0 else MINUS) + text


def kpi_level(value: float, unit: str, direction: str) -> str:
    """A level target with the side that meets it: '85% or higher', '20% or lower'."""
    side = "lower" if direction == "lower_is_better" else "higher"
    return f"{kpi_value(value, unit)} or {side}"


def kpi_target(target: Target, unit: str, direction: str) -> str:
    """'85% or higher', '20% or lower', '+5% each period', '−2 pp from baseline by 2023/24'.

    A change target asks for movement in the KPI's good direction whatever the sign written in the
    framework (tracker.domain.kpi), so its sign here is the direction's: a fall for lower is better.
    """
    if target.value is not None:
        text = kpi_level(target.value, unit, direction)
    else:
        sign = MINUS if direction == "lower_is_better" else "+"
        text = f"{sign}{amount(change_unit(unit), abs(target.change or 0.0))} " + (
            "each period" if target.per_period else "from baseline"
        )
    if target.period:
        text += f" by {target.period}"
    return text


def whole_number(value: float) -> str:
    """A figure rounded half up to a whole number, as survey tables show scores: 74.5 -> '75'."""
    exact = Decimal(repr(round(value, 9))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return number(float(exact))


def long_date(day: date) -> str:
    """'31 May 2020', independent of the process locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_datetime(moment: datetime) -> str:
    """'31 May 2020 at 14:05' (the caller says which time zone)."""
    return f"{long_date(moment)} at {moment:%H:%M}"


def month_year(day: date) -> str:
    """'May 2020', for when an item was collected (the day adds nothing a reader needs)."""
    return f"{MONTHS[day.month - 1][:3]} {day.year}"


def period(start: date, end: date) -> str:
    """'1 April 2019 to 31 March 2020'."""
    return f"{long_date(start)} to {long_date(end)}"


def iso_date(day: date) -> str:
    """'2020-05-31': how CSV, JSON, URLs and form fields carry a date."""
    return day.isoformat()


def file_size(n: int) -> str:
    """20971520 -> '20 MB', 1024 -> '1 KB'."""
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n / 1024:g} KB"


def sentence(phrase: str) -> str:
    """A phrase as a sentence: its first letter capitalised and a full stop at the end (guidance lists)."""
    text = phrase.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


NOT_PUBLISHED = "not published"


def figure(value: float | None) -> str:
    """A figure an event may not give (a session's sign-ups or attendance): the number, or 'not published'."""
    return NOT_PUBLISHED if value is None else number(value)

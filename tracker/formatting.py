"""How numbers, units and targets read to people; shared by pages, the report and the CLI."""

from __future__ import annotations

from tracker.domain.framework import Target

PARTNER_KIND_LABELS = {
    "local_authority": "Local authority",
    "hei": "Higher education institution",
    "pvi": "Private, voluntary or independent",
    "nhs": "NHS",
    "other": "Other",
}


def number(value: float, places: int = 2) -> str:
    """1234.5 -> '1,234.5'; whole numbers without decimals."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{places}f}".rstrip("0").rstrip(".")


def kpi_value(value: float, unit: str) -> str:
    if unit == "percent":
        return f"{number(value)}%"
    if unit == "currency":
        return f"£{value:,.2f}"
    return number(value)


def kpi_target(target: Target, unit: str) -> str:
    if target.value is not None:
        text = kpi_value(target.value, unit)
    else:
        change = target.change or 0.0
        step = {"percent": " pp", "score": " points"}.get(unit, "%")
        sign = "+" if change >= 0 else "−"  # noqa: RUF001 (a true minus sign reads better)
        text = f"{sign}{number(abs(change))}{step} " + (
            "each period" if target.per_period else "from baseline"
        )
    if target.period:
        text += f" by {target.period}"
    return text


def partner_kind(kind: str) -> str:
    return PARTNER_KIND_LABELS.get(kind, kind)


def file_size(n: int) -> str:
    """20971520 -> '20 MB', 1024 -> '1 KB'."""
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n / 1024:g} KB"

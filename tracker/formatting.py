"""Jinja filters for the one vocabulary: each calls `tracker.domain.formats` or `tracker.domain.vocabulary`.

Templates write no number, money, date or rating word of their own: `{{ v | kpi_value(unit) }}`,
`{{ day | long_date }}`, `{{ k.change | kpi_change }}`, `{{ rating_tag(code) }}`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from tracker.domain import formats, vocabulary
from tracker.domain.formats import ChangeUnit
from tracker.domain.formats import file_size as file_size  # services name file sizes in messages
from tracker.domain.rules import rule_summary

if TYPE_CHECKING:  # services import file_size from here without importing Flask
    from flask import Flask


class _Change(Protocol):
    @property
    def value(self) -> float: ...
    @property
    def unit(self) -> ChangeUnit: ...


def kpi_change(change: _Change | None) -> str:
    """A KPI's change as a signed amount ('+15 pp'), or nothing when there is none."""
    return "" if change is None else formats.signed_change(change.value, change.unit)


def money(value: Decimal | float) -> str:
    """An amount in pounds as the vocabulary writes it ('£1,200.00'); Decimal costs of plans too."""
    return formats.money(float(value))


def register(app: Flask) -> None:
    """Make the vocabulary's filters and lookups available to every template."""
    filters: dict[str, Callable[..., str]] = {
        "number": formats.number,
        "signed": formats.signed_number,
        "kpi_value": formats.kpi_value,
        "kpi_target": formats.kpi_target,
        "kpi_change": kpi_change,
        "long_date": formats.long_date,
        "long_datetime": formats.long_datetime,
        "month_year": formats.month_year,
        "period": formats.period,
        "file_size": formats.file_size,
        "partner_kind": vocabulary.partner_kind,
        "kpi_status_label": vocabulary.kpi_status_label,
        "rule_summary": rule_summary,
        "sentence": formats.sentence,
        "figure": formats.figure,
        "money": money,
    }
    for name, function in filters.items():
        app.add_template_filter(function, name)
    app.add_template_global(vocabulary.rating_tag, "rating_tag")
    # Lookup tables, not functions: Jinja globals are any value (Flask's hint says callables only).
    app.jinja_env.globals["RATING_SYMBOLS"] = vocabulary.RATING_SYMBOLS
    app.jinja_env.globals["RATING_SHORT_LABELS"] = vocabulary.RATING_SHORT_LABELS
    app.jinja_env.globals["KPI_STATUS_SYMBOLS"] = vocabulary.KPI_STATUS_SYMBOLS
    app.jinja_env.globals["OUTPUT_PROGRESS_SYMBOLS"] = vocabulary.OUTPUT_PROGRESS_SYMBOLS

"""The words the tracker uses for its codes, one source for pages, the report, its charts and the CLI.

Codes (strong, not_yet, partly_met, ...) are the stable contract in JSON and CSV; these are only how they
read to people. The long rating labels are the framework's published definitions (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

RATING_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "strong": "Strong evidence that outcome was achieved",
        "some": "Some evidence of progress towards outcome being achieved",
        "insufficient": "Insufficient evidence available to determine progress",
        "none": "No evidence of progress made",
        "not_yet": "Evidence not available during the evaluation period (long-term aim)",
    }
)
# Badges, keys and chart legends: sentence case, so "Not yet" (never "Not Yet").
RATING_SHORT_LABELS: Mapping[str, str] = MappingProxyType(
    {"strong": "Strong", "some": "Some", "insufficient": "Insufficient", "none": "None", "not_yet": "Not yet"}
)
# Colour never carries a rating alone: each has a symbol beside its words.
RATING_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {"strong": "●●", "some": "●○", "insufficient": "?", "none": "✕", "not_yet": "\u2026"}
)
KPI_STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "met": "met",
        "partly_met": "partly met",
        "missed": "missed",
        "no_target": "no target set",
        "too_early": "too early to judge",
        "no_data": "no data",
    }
)
# A KPI's status, like a rating, is never told by colour alone (the `kpi-status-CODE` classes colour it).
KPI_STATUS_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {"met": "✓", "partly_met": "◐", "missed": "✕", "no_target": "○", "too_early": "\u2026", "no_data": "?"}
)
# An output's progress in the logic model, read from its KPIs' statuses (tracker.domain.logic_model).
OUTPUT_PROGRESS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "met": "All met",
        "progress": "Some met",
        "missed": "Missed",
        "not_judged": "Not judged yet",
        "no_data": "No data",
        "unmeasured": "No KPI",
    }
)
OUTPUT_PROGRESS_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {"met": "✓", "progress": "◐", "missed": "✕", "not_judged": "\u2026", "no_data": "?", "unmeasured": "○"}
)
DIRECTION_NOTES: Mapping[str, str] = MappingProxyType(
    {"higher_is_better": "↑ Higher is better", "lower_is_better": "↓ Lower is better"}
)
PARTNER_KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "local_authority": "Local authority",
        "hei": "Higher education institution",
        "pvi": "Private, voluntary or independent",
        "nhs": "NHS",
        "other": "Other",
    }
)


def rating_label(code: str) -> str:
    """'Strong evidence that outcome was achieved' for 'strong'."""
    return RATING_LABELS[code]


def rating_short_label(code: str) -> str:
    """'Not yet' for 'not_yet', as badges and chart legends show it."""
    return RATING_SHORT_LABELS[code]


def rating_tag(code: str) -> str:
    """Symbol and short label of a rating ('●● Strong'), as badges, pills and keys show it."""
    return f"{RATING_SYMBOLS[code]} {RATING_SHORT_LABELS[code]}"


def kpi_status_label(code: str) -> str:
    """'partly met' for 'partly_met'."""
    return KPI_STATUS_LABELS[code]


def kpi_status_tag(code: str) -> str:
    """Symbol and label of a KPI status ('✓ met'), where a chart or plain text shows it."""
    return f"{KPI_STATUS_SYMBOLS[code]} {KPI_STATUS_LABELS[code]}"


def output_progress_tag(code: str) -> str:
    """Symbol and label of an output's progress ('✓ All met'), as the logic model's boxes show it."""
    return f"{OUTPUT_PROGRESS_SYMBOLS[code]} {OUTPUT_PROGRESS_LABELS[code]}"


def partner_kind(kind: str) -> str:
    """'Higher education institution' for 'hei'; an unknown kind as it is."""
    return PARTNER_KIND_LABELS.get(kind, kind)

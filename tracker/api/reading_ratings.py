"""Outcomes and their ratings as JSON-ready values for the API: the list from the stored ratings (with the
report's columns: its first reasons and what would raise each), one outcome as its page shows it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.api.reading_frameworks import iso
from tracker.api.reading_kpis import change, point
from tracker.db.models import RatingOverride
from tracker.domain import framework as fw
from tracker.domain.engine import Rating
from tracker.domain.evidence import strength_order
from tracker.domain.evidence_lines import LineSummary
from tracker.domain.kpi import KpiStatus
from tracker.domain.text_limits import OVERRIDE_RATIONALE
from tracker.ratings import RatingSet, snapshots
from tracker.ratings.snapshots import RatingsHead
from tracker.ratings.stored import REPORT_REASONS, OutcomeRating

# How many of an outcome's reasons the list carries (the report's first ones): the detail carries them all.
LIST_REASONS = REPORT_REASONS


def head(session: Session, slug: str, as_of: date | None) -> RatingsHead | None:
    """The framework's version and rating counter (one statement): its `key` is the list's cheap ETag."""
    return snapshots.head(session, slug, as_of)


def outcome_of(found: RatingsHead, outcome_id: str) -> fw.Outcome | None:
    """The current version's outcome of that id (a theme's or a KPI's id is not one)."""
    outcome = found.framework.get(outcome_id)
    return outcome if isinstance(outcome, fw.Outcome) else None


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _override(row: RatingOverride | None) -> dict[str, Any] | None:
    """The evaluator's override that decided the rating, as the outcome page names it."""
    if row is None or row.rating is None:
        return None
    return {
        "rating": row.rating,
        "rationale": OVERRIDE_RATIONALE.clip(row.rationale),
        "by": row.created_by,
        "at": iso(row.created_at),
        "applies_from": row.applies_from.isoformat(),
    }


def _lines(lines: LineSummary) -> dict[str, int]:
    return lines.to_json()


def _outcome(outcome: fw.Outcome) -> dict[str, Any]:
    return {
        "id": outcome.id,
        "theme": outcome.theme_id,
        "text": outcome.text,
        "kind": outcome.kind,
        "quadrant": outcome.quadrant,
        "term": outcome.term,
        "expected_by": _day(outcome.expected_by),
        "kpis": list(outcome.kpis),
    }


def outcome_entry(
    outcome: fw.Outcome, rating: OutcomeRating, overrides: Mapping[str, RatingOverride]
) -> dict[str, Any]:
    """One outcome of the list: its rating, the rule, the report's first reasons and what would raise it."""
    return {
        **_outcome(outcome),
        "rating": rating.rating,
        "computed_rating": rating.computed,
        "override": _override(overrides.get(outcome.id)) if rating.override else None,
        "rule": rating.rule,
        "computed_rule": rating.computed_rule,
        "stale": rating.stale,
        "headline": rating.headline,
        "reasons": list(rating.reasons),
        "next": list(rating.next_steps),
        "lines": _lines(rating.lines),
        "items_total": rating.items_total,
        "as_of": rating.as_of.isoformat(),
    }


def outcome_list(rated: RatingSet, after: int | None, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """(position, entry) of the outcomes after the position `after`, in framework order, at most limit + 1:
    from `ratings_for(..., stored_reasons=True)`: the stored rows with the report's reasons and guidance."""
    start = 0 if after is None else after + 1
    chosen = rated.framework.outcomes[start : start + limit + 1]
    return [
        (start + n, outcome_entry(outcome, rating, rated.overrides))
        for n, outcome in enumerate(chosen)
        if (rating := rated.rating_of(outcome.id)) is not None
    ]


def _kpi(status: KpiStatus) -> dict[str, Any]:
    return {
        "id": status.kpi_id,
        "name": status.name,
        "unit": status.unit,
        "direction": status.direction,
        "status": status.status,
        "latest": point(status.latest),
        "change": change(status.change),
        "reason": status.reason,
    }


def outcome_detail(rated: RatingSet, outcome: fw.Outcome) -> dict[str, Any]:
    """One outcome as its page shows it, from `ratings_for(..., detail=True)`: every reason, every item the
    rating weighed (strongest first, with its tier and why), and the KPIs linked to it."""
    rating: Rating = rated.detail[outcome.id]
    evidence = rated.evidence
    weighed = sorted(
        rating.items,
        key=lambda a: strength_order(a.counts, a.tier, evidence[a.item_id].collected_on, a.item_id),
    )
    return {
        **_outcome(outcome),
        "rating": rating.rating,
        "computed_rating": rating.computed,
        "override": _override(rated.overrides.get(outcome.id)) if rating.override else None,
        "rule": rating.rule,
        "computed_rule": rating.computed_rule,
        "stale": rating.stale,
        "headline": rating.computed_reasons[0] if rating.computed_reasons else "",
        "reasons": list(rating.reasons),
        "next": list(rating.next_steps),
        "lines": _lines(rating.lines),
        "items_total": len(rating.items),
        "as_of": rating.as_of.isoformat(),
        "evidence": [
            {
                "id": a.item_id,
                "title": evidence[a.item_id].title,
                "source_type": evidence[a.item_id].source_type,
                "collected_on": evidence[a.item_id].collected_on.isoformat(),
                "finding": evidence[a.item_id].finding,
                "respondents": evidence[a.item_id].respondents,
                "population": evidence[a.item_id].population,
                "tier": a.tier,
                "counts": a.counts,
                "reason": a.reason,
            }
            for a in weighed
        ],
        "linked_kpis": [_kpi(k) for k in rating.kpis],
    }

"""What a stored rating holds: each outcome's rating as its pages and the report read it, as plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.db.models import (
    Framework,
    FrameworkVersion,
    RatingOverride,
)
from tracker.domain import framework as fw
from tracker.domain.engine import RATING_LABELS, Rating
from tracker.domain.evidence import EvidenceItem, strength_order
from tracker.domain.evidence_lines import LineSummary
from tracker.domain.rules import RatingCode

# The report lists at most this many items per outcome (strongest first), then says how many more.
REPORT_ITEMS = 50
# The report prints an outcome's first reasons (the rule's own, the line counts, the first line): only those
# are stored. At national scale an outcome has ~50 lines, 37 KB of sentences that were decoded for nothing.
REPORT_REASONS = 3


@dataclass(frozen=True, slots=True)
class ListedItem:
    """One of the items the report lists under an outcome, as it prints them: kept with the rating, so the
    report reads no evidence rows (a save of the item re-rates the outcomes it is linked to)."""

    id: int
    tier: str
    counts: bool
    title: str
    source_type: str
    collected_on: date
    finding: str
    respondents: int | None
    population: int | None
    quote: str

    @classmethod
    def of(cls, item: EvidenceItem, tier: str, counts: bool) -> ListedItem:
        return cls(
            item.id,
            tier,
            counts,
            item.title,
            item.source_type,
            item.collected_on,
            item.finding,
            item.respondents,
            item.population,
            item.quote,
        )

    def to_json(self) -> list[Any]:
        return [
            self.id,
            self.tier,
            self.counts,
            self.title,
            self.source_type,
            self.collected_on.isoformat(),
            self.finding,
            self.respondents,
            self.population,
            self.quote,
        ]

    @classmethod
    def from_json(cls, entry: Sequence[Any]) -> ListedItem:
        i, tier, counts, title, source_type, collected_on, finding, respondents, population, quote = entry
        return cls(
            int(i),
            str(tier),
            bool(counts),
            str(title),
            str(source_type),
            date.fromisoformat(collected_on),
            str(finding),
            respondents,
            population,
            str(quote),
        )


@dataclass(frozen=True, slots=True)
class StoredRating:
    """What tiles and lists show of one outcome's rating; the outcome page re-rates for the full reasons."""

    outcome_id: str
    theme_id: str
    rating: RatingCode
    computed: RatingCode
    override: RatingCode | None
    rule: str
    computed_rule: str
    stale: bool
    fingerprint: str
    as_of: date
    headline: str
    lines: LineSummary
    reasons: tuple[str, ...] = ()  # the first REPORT_REASONS, as the report prints them
    missing: str = ""
    items: tuple[ListedItem, ...] = ()  # strongest first, at most REPORT_ITEMS
    items_total: int = 0

    @property
    def label(self) -> str:
        return RATING_LABELS[self.rating]

    @classmethod
    def of(cls, rating: Rating, evidence: Mapping[int, EvidenceItem]) -> StoredRating:
        strongest = sorted(
            rating.items,
            key=lambda a: strength_order(a.counts, a.tier, evidence[a.item_id].collected_on, a.item_id),
        )
        return cls(
            rating.outcome_id,
            rating.theme_id,
            rating.rating,
            rating.computed,
            rating.override,
            rating.rule,
            rating.computed_rule,
            rating.stale,
            rating.fingerprint,
            rating.as_of,
            rating.computed_reasons[0] if rating.computed_reasons else "",
            rating.lines,
            rating.reasons[:REPORT_REASONS],
            rating.missing,
            tuple(ListedItem.of(evidence[a.item_id], a.tier, a.counts) for a in strongest[:REPORT_ITEMS]),
            len(rating.items),
        )


@dataclass(frozen=True)
class RatingsSummary:
    """Every outcome's stored rating as of a date, in framework order; `fresh` lists those rated now."""

    row: Framework
    version: FrameworkVersion
    framework: fw.Framework
    as_of: date
    ratings: tuple[StoredRating, ...]
    overrides: Mapping[str, RatingOverride]
    element_ids: Mapping[str, int]
    inputs_version: int
    fresh: tuple[StoredRating, ...] = ()
    for_report: bool = False  # the reasons and items were read too
    stored_date: bool = True  # rated as of the framework's default date: what is stored (else live)
    linked_items: int | None = None  # the report's count, kept for this inputs_version and date, if any
    _by_outcome: dict[str, StoredRating] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_outcome.update((r.outcome_id, r) for r in self.ratings)

    def rating_of(self, outcome_id: str) -> StoredRating | None:
        return self._by_outcome.get(outcome_id)

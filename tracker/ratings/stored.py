"""What a stored rating holds: each outcome's rating as its pages and the report read it, as plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from tracker.domain.engine import RATING_LABELS, Rating
from tracker.domain.evidence import TIER_RANK, EvidenceItem
from tracker.domain.evidence_lines import LineSummary
from tracker.domain.rules import RatingCode

# The report lists at most this many items per outcome (strongest first), then says how many more.
REPORT_ITEMS = 50
# The report prints an outcome's first reasons (the rule's own, the line counts, the first line): only those
# are stored. At national scale an outcome has ~50 lines, 37 KB of sentences that were decoded for nothing.
REPORT_REASONS = 3


class ListedItem(NamedTuple):
    """One of the items the report lists under an outcome, as it prints them: kept with the rating, so the
    report reads no evidence rows (a save of the item re-rates the outcomes it is linked to). A named tuple:
    a third of a frozen dataclass's cost to make, and a national report reads 4,000."""

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
        return cls(item.id, tier, counts, *(getattr(item, name) for name in _FROM_ITEM))

    def to_json(self) -> list[Any]:
        """The stored form: the fields in order, the date as ISO text."""
        return [*self[:5], self.collected_on.isoformat(), *self[6:]]

    @classmethod
    def from_json(cls, entry: Sequence[Any]) -> ListedItem:
        """TypeError or ValueError for an entry stored in another form (an older release's): rated again.
        Unpacked at once and checked with `type`: a national report reads 4,000 of them."""
        id_, tier, counts, title, source_type, day, finding, respondents, population, quote = entry
        if type(id_) is not int or not (
            type(tier) is type(title) is type(source_type) is type(finding) is type(quote) is str
        ):
            raise TypeError(f"not a listed item: {entry!r:.80}")
        day = parsed_day(day)
        return cls(id_, tier, counts, title, source_type, day, finding, respondents, population, quote)


@lru_cache(maxsize=8192)
def parsed_day(text: str) -> date:
    """An ISO date as stored (a listed item's) or as SQLite returns one: a framework's few thousand distinct
    days are parsed once."""
    return date.fromisoformat(text)


_FROM_ITEM = ("title", "source_type", "collected_on", "finding", "respondents", "population", "quote")


@dataclass(frozen=True, slots=True)
class OutcomeRating:
    """One outcome's rating as tiles, lists and the report show it, whether stored or rated now."""

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
    # Guidance (issue 18), read with the report's columns: what would raise it, and for the data
    # development agenda, what found it too early and whether its support is effort only.
    next_steps: tuple[str, ...] = ()
    too_early: tuple[str, ...] = ()
    effort_only: bool = False

    @property
    def label(self) -> str:
        return RATING_LABELS[self.rating]

    @classmethod
    def of(cls, rating: Rating, evidence: Mapping[int, EvidenceItem]) -> OutcomeRating:
        strongest = sorted(
            rating.items,
            key=lambda a: (
                not a.counts,
                TIER_RANK[a.tier],
                -evidence[a.item_id].collected_on.toordinal(),
                a.item_id,
            ),
        )  # `strength_order`, inlined: it runs for every item of a national framework
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
            rating.next_steps,
            rating.too_early,
            rating.effort_only,
        )

    def guidance_json(self) -> dict[str, object]:
        """The stored form of the guidance fields (the `guidance` column)."""
        return {
            "next": list(self.next_steps),
            "too_early": list(self.too_early),
            "effort_only": self.effort_only,
        }

    @staticmethod
    def guidance_from_json(stored: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """KeyError or TypeError for a row stored before the guidance existed: it is rated again."""
        next_steps, too_early, effort_only = stored["next"], stored["too_early"], stored["effort_only"]
        if not isinstance(effort_only, bool) or not all(
            isinstance(t, str) for t in (*next_steps, *too_early)
        ):
            raise TypeError(f"not the stored guidance: {stored!r:.80}")
        return tuple(next_steps), tuple(too_early), effort_only

"""Evaluator overrides of computed ratings: append-only, each kept with what the engine said at the time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base, utcnow


def _applies_from_default(context: Any) -> date:
    """As the service's default: the as-of date of the ratings overridden, never after the day it is made."""
    as_of: date = context.get_current_parameters()["as_of"]
    return min(as_of, utcnow().date())


class RatingOverride(Base):
    """One override; a later one (or a withdrawal) supersedes it, and both stay in the history."""

    __tablename__ = "rating_override"
    __table_args__ = (Index("ix_rating_override_current", "framework_id", "superseded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    element_id: Mapped[int] = mapped_column(ForeignKey("element.id"), index=True)
    # None records a withdrawal: from then on the computed rating stands.
    rating: Mapped[str | None] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text)
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    computed: Mapped[str] = mapped_column(String(16))
    computed_rule: Mapped[str] = mapped_column(String(64))
    computed_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    fingerprint: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date]
    # Ratings as of this date or later show the override; before it the computed rating stands.
    applies_from: Mapped[date] = mapped_column(default=_applies_from_default)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None]

    def snapshot(self) -> dict[str, Any]:
        return {
            "rating": self.rating,
            "rationale": self.rationale,
            "evidence_ids": list(self.evidence_ids),
            "computed": self.computed,
            "computed_rule": self.computed_rule,
            "fingerprint": self.fingerprint,
            "as_of": self.as_of.isoformat(),
            "applies_from": self.applies_from.isoformat(),
        }


class RatingState(Base):
    """A counter per framework raised by every write of a rating input; guards stored ratings against races.

    Derived state, rebuilt from the evidence: not part of exports.
    """

    __tablename__ = "rating_state"

    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), primary_key=True)
    inputs_version: Mapped[int] = mapped_column(default=0)
    # The report's count of accepted items linked to an outcome, valid while `inputs_version` and the
    # as-of date are the ones it was counted for (a reader counts and keeps it; see `ratings.rating_set`).
    linked_items: Mapped[int | None]
    linked_items_version: Mapped[int | None]
    linked_items_as_of: Mapped[date | None]


class RatingSnapshot(Base):
    """One outcome's rating as of its framework's default date, kept so pages read instead of re-rating.

    A cache of the engine's answer, never a record of its own: writers of rating inputs replace the rows of
    the outcomes they touch in the same transaction, and a row for another date or framework version is
    ignored. Not part of exports; `tracker refresh-ratings` or the next page view rebuilds it.
    """

    __tablename__ = "rating_snapshot"
    __table_args__ = (UniqueConstraint("framework_id", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    element_id: Mapped[int] = mapped_column(ForeignKey("element.id"))
    framework_version: Mapped[int]
    as_of: Mapped[date]
    rating: Mapped[str] = mapped_column(String(16))
    computed: Mapped[str] = mapped_column(String(16))
    override: Mapped[str | None] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(64))
    computed_rule: Mapped[str] = mapped_column(String(64))
    stale: Mapped[bool] = mapped_column(default=False)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The rule's own reason and the line counts: enough for tiles and lists without the full reasons.
    headline: Mapped[str] = mapped_column(Text, default="")
    lines: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # What the report shows: the reasons, what evidence would settle it, and the strongest items (each as
    # the report prints it, `ListedItem.to_json`; counted first, at most REPORT_ITEMS of `items_total`).
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    missing: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    # What would raise it and what held it back (`OutcomeRating.guidance_json`); {} in a row stored before.
    guidance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    items_total: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

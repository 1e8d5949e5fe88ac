"""`ratings_for`: the one way every page, the CLI, the report and the worker read a framework's ratings.

One pipeline: an outcome's rating is the engine's (`compute.rate`) turned into an `OutcomeRating`, whether
it was stored at the last save (`upkeep`), rated now because no stored row holds, or rated live as of
another date. Stored rows count only for the framework version and default as-of date they were made for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cached_property
from typing import Any, cast

from sqlalchemy import CursorResult, distinct, func, select, update
from sqlalchemy.orm import Session

from tracker.db.models import (
    Element,
    Evidence,
    EvidenceLink,
    RatingOverride,
    RatingState,
)
from tracker.domain.engine import Rating
from tracker.domain.evidence import EvidenceItem
from tracker.domain.kpi import KpiStatus, framework_kpi_statuses
from tracker.ratings import compute, snapshots
from tracker.ratings.snapshots import RatingsHead
from tracker.ratings.stored import OutcomeRating


@dataclass(frozen=True, kw_only=True)
class RatingSet(RatingsHead):
    """A framework's head (version, counter, as-of date) and its ratings, with what pages need beside them.

    `detail` and `evidence` hold the engine's full ratings (every reason, item and line) and the items
    they weighed, for the outcomes asked `detail=True`; `kpis` is filled for detail and the report.
    """

    listed: tuple[OutcomeRating, ...]  # in framework order; with `detail`, () and made when first read
    overrides: Mapping[str, RatingOverride]
    element_ids: Mapping[str, int]
    fresh: tuple[OutcomeRating, ...] = ()  # rated now on the stored date: `keep` stores them
    detail: Mapping[str, Rating] = field(default_factory=dict)
    evidence: Mapping[int, EvidenceItem] = field(default_factory=dict)
    kpis: tuple[KpiStatus, ...] = ()
    evidence_total: int | None = None  # for the report: accepted items linked to an outcome by the date
    counted_now: bool = False  # the total was counted, not read beside the stored ratings: keep it

    @cached_property
    def ratings(self) -> tuple[OutcomeRating, ...]:
        """Every asked outcome's rating in framework order (`tracker rate` reads `detail` alone: not made)."""
        if self.listed or not self.detail:
            return self.listed
        return tuple(OutcomeRating.of(r, self.evidence) for r in self.detail.values())

    @cached_property
    def _by_outcome(self) -> dict[str, OutcomeRating]:
        return {r.outcome_id: r for r in self.ratings}

    def rating_of(self, outcome_id: str) -> OutcomeRating | None:
        return self._by_outcome.get(outcome_id)


def ratings_for(
    session: Session,
    slug: str,
    as_of: date | None = None,
    *,
    outcomes: Collection[str] | None = None,
    detail: bool = False,
    for_report: bool = False,
    stored_reasons: bool = False,
    head: RatingsHead | None = None,
    today: date | None = None,
) -> RatingSet | None:
    """The ratings of a framework (None if there is none) as of `as_of`, by default its own date or today.

    Stored ratings where they hold, the rest rated now (`fresh`); `detail`: every asked outcome (all, or
    `outcomes`) rated now with the engine's full reasons; `for_report`: the stored reasons and listed items,
    the KPI statuses and the count of linked items too; `stored_reasons`: the stored reasons and guidance
    alone (the API's outcome list). `head`: the caller's `snapshots.head`, if read.
    """
    found = head or snapshots.head(session, slug, as_of, today)
    if found is None:
        return None
    if detail:
        rated = compute.rate(session, found.framework_id, found.framework, found.as_of, outcomes)
        return RatingSet(
            **_head(found),
            listed=(),
            overrides=rated.overrides,
            element_ids=rated.element_ids,
            detail={r.outcome_id: r for r in rated.ratings},
            evidence=rated.evidence,
            kpis=rated.kpis,
        )
    by_outcome, ids = (
        snapshots.stored_rows(session, found, for_report, stored_reasons) if found.stored_date else ({}, {})
    )
    framework = found.framework
    missing = [o.id for o in framework.outcomes if o.id not in by_outcome]
    fresh: tuple[OutcomeRating, ...] = ()
    if missing:
        rated = compute.rate(session, found.framework_id, framework, found.as_of, missing)
        fresh = tuple(OutcomeRating.of(r, rated.evidence) for r in rated.ratings)
        by_outcome.update((r.outcome_id, r) for r in fresh)
        ids = dict(rated.element_ids)
    every = missing and len(missing) == len(framework.outcomes)
    overrides = rated.overrides if every else _overrides(session, found)
    ratings = tuple(by_outcome[o.id] for o in framework.outcomes)
    fresh = fresh if found.stored_date else ()
    kept = RatingSet(**_head(found), listed=ratings, overrides=overrides, element_ids=ids, fresh=fresh)
    return _with_report_inputs(session, kept) if for_report else kept


def _head(found: RatingsHead) -> dict[str, Any]:
    """The head's fields, to begin a RatingSet with (a RatingSet is a head with its ratings)."""
    return {f.name: getattr(found, f.name) for f in fields(RatingsHead)}


def _overrides(session: Session, found: RatingsHead) -> dict[str, RatingOverride]:
    return {
        slug: o
        for o, slug in session.execute(
            select(RatingOverride, Element.slug)
            .join(Element, Element.id == RatingOverride.element_id)
            .where(RatingOverride.framework_id == found.framework_id, RatingOverride.superseded_at.is_(None))
        )
    }


def _with_report_inputs(session: Session, rated: RatingSet) -> RatingSet:
    """What the report reads beside the ratings: KPI statuses, and the linked items' count unless kept."""
    framework_id, framework, as_of = rated.framework_id, rated.framework, rated.as_of
    kpis = framework_kpi_statuses(
        framework,
        compute.kpi_actuals(session, framework_id, as_of, framework=framework),
        as_of,
        framework.settings,
    )
    total = rated.linked_items
    if total is None:
        outcome_elements = [rated.element_ids[o.id] for o in framework.outcomes if o.id in rated.element_ids]
        total = session.scalar(
            select(func.count(distinct(Evidence.id)))
            .join(EvidenceLink, EvidenceLink.evidence_id == Evidence.id)
            .where(*compute.accepted_and_linked(framework_id, as_of, outcome_elements))
        )
    return replace(rated, kpis=kpis, evidence_total=total or 0, counted_now=rated.linked_items is None)


def keep(session: Session, rated: RatingSet) -> bool:
    """Store what a reader rated now (and the report's count), unless a writer changed the inputs since.

    Runs in its own short writing transaction (the caller commits): the counter row is locked first, so a
    writer either committed before (the counter differs: nothing is stored) or waits until after.
    """
    if not rated.stored_date or not (rated.fresh or rated.counted_now):
        return False
    snapshots.upsert_state(session, rated.framework_id, 0)
    current = session.scalar(
        select(RatingState.inputs_version)
        .where(RatingState.framework_id == rated.framework_id)
        .with_for_update()
    )
    if current != rated.inputs_version:
        return False
    if rated.fresh:
        snapshots.replace_rows(
            session, rated.framework_id, rated.version, rated.as_of, rated.fresh, rated.element_ids
        )
    if rated.counted_now:
        kept = session.execute(
            update(RatingState)
            .where(RatingState.framework_id == rated.framework_id)
            .values(
                linked_items=rated.evidence_total,
                linked_items_version=rated.inputs_version,
                linked_items_as_of=rated.as_of,
            )
        )
        return bool(cast("CursorResult[Any]", kept).rowcount)
    return True

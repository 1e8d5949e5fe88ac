"""Keeps stored ratings true: every commit that writes a rating input re-rates the outcomes it touched.

Each service that writes evidence, its links, a KPI value, an override or a framework version says so
right after the write (`inputs_changed`); at the one commit point (`tracker.db.session`) `settle` raises the
framework's `rating_state.inputs_version` and re-rates and stores those outcomes alone, in the same
transaction (see `snapshots` for how readers use them). A write made without a service re-rates nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.db.models import (
    Element,
    EvidenceLink,
    Framework,
    FrameworkVersion,
    RatingSnapshot,
)
from tracker.domain import framework as fw
from tracker.ratings import compute
from tracker.ratings.snapshots import replace_rows, upsert_state
from tracker.ratings.stored import OutcomeRating
from tracker.services.frameworks import framework_of

log = logging.getLogger(__name__)

_KEY = "tracker_rating_inputs"
ALL = None  # every outcome of a framework


def refresh(session: Session, slug: str, today: date | None = None) -> int:
    """Re-rate and store every outcome of a framework (`tracker refresh-ratings`); returns how many."""
    framework_id = session.scalar(select(Framework.id).where(Framework.slug == slug))
    if framework_id is None:
        return 0
    _touch(session, {framework_id: ALL}, today)
    return (
        session.scalar(
            select(func.count())
            .select_from(RatingSnapshot)
            .where(RatingSnapshot.framework_id == framework_id)
        )
        or 0
    )


# -- noting writers --------------------------------------------------------------------------------------


def inputs_changed(
    session: Session,
    framework_id: int,
    element_ids: Iterable[int] | None = (),
    *,
    evidence_ids: Iterable[int] = (),
) -> None:
    """Called by every service right after it writes a rating input: names what to re-rate at `settle`.

    `element_ids` are the elements whose rows changed (ALL: every outcome of the framework); `evidence_ids`
    are evidence items whose outcomes are those their links name when the transaction settles.
    """
    pending: dict[int, _Pending] = session.info.setdefault(_KEY, {})
    noted = pending.setdefault(framework_id, _Pending())
    if element_ids is ALL:
        noted.every = True
    else:
        noted.elements.update(element_ids)
    noted.evidence.update(evidence_ids)


@dataclass
class _Pending:
    """What one framework's writers changed in the transaction, until it settles."""

    every: bool = False
    elements: set[int] = field(default_factory=set)
    evidence: set[int] = field(default_factory=set)


def settle(session: Session) -> None:
    """At the one commit point: raise the counters and re-rate the outcomes the writers named, in the same
    transaction, so a commit never leaves stored ratings stale; with nothing named it does nothing."""
    pending: dict[int, _Pending] | None = session.info.pop(_KEY, None)
    if not pending:
        return
    session.flush()
    by_framework: dict[int, set[int] | None] = {}
    for framework_id, noted in pending.items():
        if noted.every:
            by_framework[framework_id] = ALL
            continue
        elements = set(noted.elements)
        if noted.evidence:
            elements.update(
                session.scalars(
                    select(EvidenceLink.element_id).where(EvidenceLink.evidence_id.in_(noted.evidence))
                )
            )
        by_framework[framework_id] = elements
    _touch(session, by_framework)
    session.info.pop(_KEY, None)  # the writes above are ratings, not inputs


def forget(session: Session) -> None:
    """A rolled-back transaction's notes go with it."""
    session.info.pop(_KEY, None)


def _touch(
    session: Session, by_framework: Mapping[int, Collection[int] | None], today: date | None = None
) -> None:
    """Raise each framework's counter, then re-rate and store the outcomes touched."""
    for framework_id, elements in sorted(by_framework.items()):
        upsert_state(session, framework_id, 1)
        found = session.execute(
            select(Framework.slug, FrameworkVersion)
            .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
            .where(Framework.id == framework_id, FrameworkVersion.version == Framework.current_version)
        ).one_or_none()
        if found is None:
            continue
        slug, version = found
        framework = framework_of(version)
        outcomes = _outcomes_touched(session, framework, framework_id, elements)
        if not outcomes:
            continue
        as_of = framework.default_as_of(today or date.today())
        try:
            with session.begin_nested():
                rated = compute.rate(session, framework_id, framework, as_of, outcomes)
                replace_rows(
                    session,
                    framework_id,
                    version.version,
                    as_of,
                    (OutcomeRating.of(r, rated.evidence) for r in rated.ratings),
                    rated.element_ids,
                )
        except Exception:  # a rating bug must not lose the save: the rows go, readers re-rate
            log.exception("could not re-rate %s after a save; its outcomes will be rated when read", slug)
            session.execute(delete(RatingSnapshot).where(RatingSnapshot.framework_id == framework_id))


def _outcomes_touched(
    session: Session, framework: fw.Framework, framework_id: int, elements: Collection[int] | None
) -> list[str]:
    if elements is None:
        return [o.id for o in framework.outcomes]
    slugs = set(
        session.scalars(
            select(Element.slug).where(Element.framework_id == framework_id, Element.id.in_(elements))
        )
    )
    return [o.id for o in framework.outcomes if o.id in slugs or slugs.intersection(o.kpis)]

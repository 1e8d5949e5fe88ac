"""Keeps stored ratings true: every commit that writes a rating input re-rates the outcomes it touched.

A flush that writes evidence, its links, a KPI value, an override or a framework version notes what it
touched (bulk writers that skip the flush, such as imports, call `note_written`); at commit, in the same
transaction, the framework's `rating_state.inputs_version` is raised and those outcomes alone are re-rated
and stored (see `snapshots` for how readers use them).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import delete, event, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db.models import (
    Element,
    Evidence,
    EvidenceLink,
    Framework,
    FrameworkVersion,
    KpiValue,
    RatingOverride,
    RatingSnapshot,
)
from tracker.domain import framework as fw
from tracker.ratings import compute as rating_service
from tracker.ratings.snapshots import StoredRating, replace_rows, upsert_state
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


# -- watching writers ------------------------------------------------------------------------------------


@dataclass
class _Touched:
    """What the flushes of one transaction changed, until it commits or rolls back."""

    evidence: set[int] = field(default_factory=set)
    new_evidence: list[Evidence] = field(default_factory=list)
    elements: set[int] = field(default_factory=set)
    frameworks: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.evidence or self.new_evidence or self.elements or self.frameworks)


def _old(obj: Any, attribute: str) -> list[Any]:
    return list(inspect(obj).attrs[attribute].history.deleted or ())


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    touched: _Touched = session.info.setdefault(_KEY, _Touched())
    dirty = (o for o in session.dirty if session.is_modified(o))
    for obj in chain(session.new, dirty, session.deleted):
        if isinstance(obj, Evidence):
            if obj.id is None:
                touched.new_evidence.append(obj)
            else:
                touched.evidence.add(obj.id)
        elif isinstance(obj, EvidenceLink | KpiValue | RatingOverride):
            touched.elements.update(e for e in [obj.element_id, *_old(obj, "element_id")] if e is not None)
        elif isinstance(obj, Framework | FrameworkVersion):
            framework_id = obj.id if isinstance(obj, Framework) else obj.framework_id
            if framework_id is not None:
                touched.frameworks.add(framework_id)


def _after_flush(session: Session, _context: Any) -> None:
    touched: _Touched | None = session.info.get(_KEY)
    if touched is not None and touched.new_evidence:
        touched.evidence.update(e.id for e in touched.new_evidence if e.id is not None)
        touched.new_evidence.clear()


def _before_commit(session: Session) -> None:
    session.flush()  # changes made since the last flush are noted by it
    touched: _Touched | None = session.info.pop(_KEY, None)
    if not touched:
        return
    by_framework: dict[int, set[int] | None] = {f: ALL for f in touched.frameworks}
    if touched.evidence:
        touched.elements.update(
            session.scalars(
                select(EvidenceLink.element_id).where(EvidenceLink.evidence_id.in_(touched.evidence))
            )
        )
    if touched.elements:
        for framework_id, element_id in session.execute(
            select(Element.framework_id, Element.id).where(Element.id.in_(touched.elements))
        ):
            if framework_id not in by_framework:
                by_framework[framework_id] = set()
            elements = by_framework[framework_id]
            if elements is not None:
                elements.add(element_id)
    _touch(session, by_framework)
    session.info.pop(_KEY, None)  # the writes above are ratings, not inputs


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
                rated = rating_service.rate(session, slug, as_of, outcomes=outcomes)
                assert rated is not None
                replace_rows(
                    session,
                    framework_id,
                    version.version,
                    as_of,
                    (StoredRating.of(r, rated.evidence) for r in rated.ratings),
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


def note_written(session: Session, element_ids: Iterable[int]) -> None:
    """Rows written without a flush (an import's bulk inserts) name the elements whose outcomes to re-rate."""
    touched: _Touched = session.info.setdefault(_KEY, _Touched())
    touched.elements.update(element_ids)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_KEY, None)


def watch(factory: sessionmaker[Session]) -> None:
    """Keep stored ratings true for every session the factory makes (web requests and commands alike)."""
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_soft_rollback", _forget)

"""Stored ratings: pages read each outcome's rating instead of re-rating the framework on every view.

How they stay true:
- Every session is watched. A flush that writes a rating input (evidence, its links, a KPI value, an
  override, a framework version) notes the outcomes it touches; at commit, in the same transaction, the
  framework's `rating_state.inputs_version` is raised and those outcomes alone are re-rated and stored.
  So a save costs the rating of the outcomes it touches, and a reader never sees a rating older than the
  evidence it commits with.
- A row counts only for the framework version and the default as-of date it was computed for. Missing
  rows (a new day for a framework rated "as of today", a new version, a failed refresh) are rated by the
  reader and stored in a short transaction of their own, only if `inputs_version` is still the one read
  before the evidence: a writer that committed meanwhile makes the reader keep its answer to itself.
- Ratings as of another date are computed live and not stored.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import delete, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
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
    RatingState,
)
from tracker.domain import framework as fw
from tracker.domain.engine import RATING_LABELS, Rating
from tracker.domain.evidence import TIERS, EvidenceItem
from tracker.domain.rules import LineSummary, RatingCode
from tracker.services import ratings as rating_service
from tracker.services.frameworks import framework_of

log = logging.getLogger(__name__)

_KEY = "tracker_rating_inputs"
# The report lists at most this many items per outcome (strongest first), then says how many more.
REPORT_ITEMS = 50
ALL = None  # every outcome of a framework


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
    reasons: tuple[str, ...] = ()
    missing: str = ""
    items: tuple[tuple[int, str, bool], ...] = ()  # (id, tier, counts), strongest first, at most REPORT_ITEMS
    items_total: int = 0

    @property
    def label(self) -> str:
        return RATING_LABELS[self.rating]

    @classmethod
    def of(cls, rating: Rating, evidence: Mapping[int, EvidenceItem]) -> StoredRating:
        strongest = sorted(
            rating.items,
            key=lambda a: (
                not a.counts,
                TIERS.index(a.tier),
                -evidence[a.item_id].collected_on.toordinal(),
                a.item_id,
            ),
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
            rating.reasons,
            rating.missing,
            tuple((a.item_id, a.tier, a.counts) for a in strongest[:REPORT_ITEMS]),
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
    _by_outcome: dict[str, StoredRating] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_outcome.update((r.outcome_id, r) for r in self.ratings)

    def rating_of(self, outcome_id: str) -> StoredRating | None:
        return self._by_outcome.get(outcome_id)


# -- reading ---------------------------------------------------------------------------------------------


def _code(value: str) -> RatingCode:
    return next(c for c in RATING_LABELS if c == value)


def _from_row(row: RatingSnapshot, outcome: fw.Outcome) -> StoredRating:
    return StoredRating(
        outcome.id,
        outcome.theme_id,
        _code(row.rating),
        _code(row.computed),
        _code(row.override) if row.override else None,
        row.rule,
        row.computed_rule,
        row.stale,
        row.fingerprint,
        row.as_of,
        row.headline,
        LineSummary(**row.lines),
        tuple(row.reasons),
        row.missing,
        tuple((int(i), str(t), bool(c)) for i, t, c in row.items),
        row.items_total,
    )


def summary(
    session: Session, slug: str, as_of: date | None = None, today: date | None = None
) -> RatingsSummary | None:
    """Stored ratings where they hold, the rest rated now (see `fresh`); another as-of date is rated live."""
    found = session.execute(
        select(Framework, FrameworkVersion, RatingState.inputs_version)
        .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
        .outerjoin(RatingState, RatingState.framework_id == Framework.id)
        .where(Framework.slug == slug, FrameworkVersion.version == Framework.current_version)
    ).one_or_none()
    if found is None:
        return None
    row, version, inputs_version = found
    framework = framework_of(version)
    default = framework.default_as_of(today or date.today())
    as_of = as_of or default
    by_outcome: dict[str, StoredRating] = {}
    ids: dict[str, int] = {}
    if as_of == default:
        outcomes = {o.id: o for o in framework.outcomes}
        for snapshot, element_slug in session.execute(
            select(RatingSnapshot, Element.slug)
            .join(Element, Element.id == RatingSnapshot.element_id)
            .where(
                RatingSnapshot.framework_id == row.id,
                RatingSnapshot.framework_version == version.version,
                RatingSnapshot.as_of == as_of,
            )
        ):
            if element_slug in outcomes:
                by_outcome[element_slug] = _from_row(snapshot, outcomes[element_slug])
                ids[element_slug] = snapshot.element_id
    missing = [o.id for o in framework.outcomes if o.id not in by_outcome]
    overrides: Mapping[str, RatingOverride]
    fresh: tuple[StoredRating, ...] = ()
    if missing:
        rated = rating_service.rate(session, slug, as_of, outcomes=missing)
        assert rated is not None
        fresh = tuple(StoredRating.of(r, rated.evidence) for r in rated.ratings)
        by_outcome.update((r.outcome_id, r) for r in fresh)
        ids = dict(rated.element_ids)
        overrides = (
            rated.overrides if len(missing) == len(framework.outcomes) else _overrides(session, row.id)
        )
    else:
        overrides = _overrides(session, row.id)
    return RatingsSummary(
        row,
        version,
        framework,
        as_of,
        tuple(by_outcome[o.id] for o in framework.outcomes),
        overrides,
        ids,
        inputs_version or 0,
        fresh if as_of == default else (),
    )


def _overrides(session: Session, framework_id: int) -> dict[str, RatingOverride]:
    return {
        slug: o
        for o, slug in session.execute(
            select(RatingOverride, Element.slug)
            .join(Element, Element.id == RatingOverride.element_id)
            .where(RatingOverride.framework_id == framework_id, RatingOverride.superseded_at.is_(None))
        )
    }


# -- writing ---------------------------------------------------------------------------------------------


def _upsert_state(session: Session, framework_id: int, raise_by: int) -> None:
    """Create the framework's counter row if needed and raise it, in one statement on both databases."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RatingState).values(framework_id=framework_id, inputs_version=raise_by)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[RatingState.framework_id],
            set_={"inputs_version": RatingState.inputs_version + raise_by},
        )
    )


def _replace(
    session: Session,
    framework_id: int,
    framework_version: int,
    as_of: date,
    ratings: Iterable[StoredRating],
    element_ids: Mapping[str, int],
) -> int:
    rows = [
        {
            "framework_id": framework_id,
            "element_id": element_ids[r.outcome_id],
            "framework_version": framework_version,
            "as_of": as_of,
            "rating": r.rating,
            "computed": r.computed,
            "override": r.override,
            "rule": r.rule,
            "computed_rule": r.computed_rule,
            "stale": r.stale,
            "fingerprint": r.fingerprint,
            "headline": r.headline,
            "lines": r.lines.to_json(),
            "reasons": list(r.reasons),
            "missing": r.missing,
            "items": [list(i) for i in r.items],
            "items_total": r.items_total,
        }
        for r in ratings
        if r.outcome_id in element_ids
    ]
    if rows:
        session.execute(
            delete(RatingSnapshot).where(
                RatingSnapshot.framework_id == framework_id,
                RatingSnapshot.element_id.in_([r["element_id"] for r in rows]),
            )
        )
        session.execute(RatingSnapshot.__table__.insert(), rows)
    return len(rows)


def keep(session: Session, rated: RatingsSummary) -> bool:
    """Store the ratings a reader computed, unless a writer changed the inputs since it read them.

    Runs in its own short writing transaction (the caller commits): the counter row is locked first, so a
    writer either committed before (the counter differs: nothing is stored) or waits until after.
    """
    if not rated.fresh:
        return False
    _upsert_state(session, rated.row.id, 0)
    current = session.scalar(
        select(RatingState.inputs_version).where(RatingState.framework_id == rated.row.id).with_for_update()
    )
    if current != rated.inputs_version:
        return False
    _replace(session, rated.row.id, rated.version.version, rated.as_of, rated.fresh, rated.element_ids)
    return True


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
        _upsert_state(session, framework_id, 1)
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
                _replace(
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


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_KEY, None)


def watch(factory: sessionmaker[Session]) -> None:
    """Keep stored ratings true for every session the factory makes (web requests and commands alike)."""
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_soft_rollback", _forget)

"""Stored ratings: pages read each outcome's rating instead of re-rating the framework on every view.

How they stay true:
- Every service that writes a rating input (evidence, its links, a KPI value, an override, a framework
  version) says what it changed (`upkeep.inputs_changed`); at the one commit point, in the same
  transaction, the framework's `rating_state.inputs_version` is raised and those outcomes alone are
  re-rated and stored (`upkeep.settle`).
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.db.models import (
    Element,
    Framework,
    FrameworkVersion,
    RatingSnapshot,
    RatingState,
)
from tracker.domain import framework as fw
from tracker.domain.evidence_lines import LineSummary
from tracker.domain.rules import RATING_CODES, RatingCode
from tracker.ratings.stored import ListedItem, OutcomeRating
from tracker.services.frameworks import framework_of, parsed_framework

log = logging.getLogger(__name__)

# -- reading ---------------------------------------------------------------------------------------------


def _code(value: str) -> RatingCode:
    """ValueError for a code this release does not know (an older release's row): it is rated again."""
    for code in RATING_CODES:
        if code == value:
            return code
    raise ValueError(f"not a rating code: {value!r:.40}")


_TILE_COLUMNS = (
    RatingSnapshot.element_id,
    RatingSnapshot.rating,
    RatingSnapshot.computed,
    RatingSnapshot.override,
    RatingSnapshot.rule,
    RatingSnapshot.computed_rule,
    RatingSnapshot.stale,
    RatingSnapshot.fingerprint,
    RatingSnapshot.as_of,
    RatingSnapshot.headline,
    RatingSnapshot.lines,
)
# The report's columns: reasons and items are most of a row (kilobytes), so tiles and lists leave them. The
# API's outcome list reads the first four: the listed items (4,000 to decode nationally) are the report's.
_REPORT_COLUMNS = (
    RatingSnapshot.reasons,
    RatingSnapshot.missing,
    RatingSnapshot.items_total,
    RatingSnapshot.guidance,
    RatingSnapshot.items,
)
_REASON_COLUMNS = _REPORT_COLUMNS[:4]


def _from_row(row: Sequence[Any], outcome: fw.Outcome) -> OutcomeRating:
    _, rating, computed, override, rule, computed_rule, stale, fingerprint, as_of, headline, lines = row[:11]
    report: tuple[Any, ...] = ((), "", (), 0)
    if len(row) > 11:
        reasons, missing, total, guidance = row[11:15]
        items = row[15] if len(row) > 15 else ()
        report = (
            tuple(reasons),
            missing,
            tuple(map(ListedItem.from_json, items)),
            total,
            *OutcomeRating.guidance_from_json(guidance),
        )
    return OutcomeRating(
        outcome.id,
        outcome.theme_id,
        _code(rating),
        _code(computed),
        _code(override) if override else None,
        rule,
        computed_rule,
        stale,
        fingerprint,
        as_of,
        headline,
        LineSummary(**lines),
        *report,
    )


@dataclass(frozen=True)
class RatingsHead:
    """A framework's current version and rating counter, read in one statement of plain columns first.

    `key` names everything a page drawn from stored ratings depends on: it changes when any rating input,
    the framework version or the default as-of date does, so a page rendered for one key stays right.
    """

    framework_id: int
    slug: str
    version_id: int
    version: int
    framework: fw.Framework
    as_of: date
    stored_date: bool  # the framework's default as-of date, what stored ratings are for
    inputs_version: int
    linked_items: int | None  # the report's count, if kept for this inputs_version and date

    @property
    def key(self) -> tuple[object, ...] | None:
        """None when the ratings are rated live (another as-of date): nothing may be reused."""
        if not self.stored_date:
            return None
        return (self.framework_id, self.version_id, self.version, self.as_of, self.inputs_version)


# Built once: every page drawn from ratings runs it first (the dashboard to find its kept tiles).
_HEAD = (
    select(
        Framework.id,
        Framework.slug,
        FrameworkVersion.id,
        FrameworkVersion.version,
        FrameworkVersion.content_sha256,
        RatingState.inputs_version,
        RatingState.linked_items,
        RatingState.linked_items_version,
        RatingState.linked_items_as_of,
    )
    .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
    .outerjoin(RatingState, RatingState.framework_id == Framework.id)
    .where(Framework.slug == bindparam("slug"), FrameworkVersion.version == Framework.current_version)
)


def head(
    session: Session, slug: str, as_of: date | None = None, today: date | None = None
) -> RatingsHead | None:
    """The framework, its version and counter, and the as-of date the ratings are for: one statement, and a
    second the first time this process meets a version (to parse its YAML)."""
    found = session.execute(_HEAD, {"slug": slug}).one_or_none()
    if found is None:
        return None
    framework_id, slug, version_id, version, sha256, inputs_version, linked, linked_version, linked_at = found
    framework = parsed_framework(sha256) or framework_of(session.get_one(FrameworkVersion, version_id))
    default = framework.default_as_of(today or date.today())
    as_of = as_of or default
    inputs_version = inputs_version or 0
    kept = as_of == default and linked_version == inputs_version and linked_at == as_of
    return RatingsHead(
        framework_id,
        slug,
        version_id,
        version,
        framework,
        as_of,
        as_of == default,
        inputs_version,
        linked if kept else None,
    )


def stored_rows(
    session: Session, found: RatingsHead, for_report: bool, reasons: bool = False
) -> tuple[dict[str, OutcomeRating], dict[str, int]]:
    """The stored ratings that hold for the head's version and date, by outcome, and their element ids, with
    the report's columns (`for_report`) or those but its listed items (`reasons`); a row stored by an older
    release (it no longer reads) is left out, so it is rated again."""
    outcomes = {o.id: o for o in found.framework.outcomes}
    by_outcome: dict[str, OutcomeRating] = {}
    ids: dict[str, int] = {}
    unreadable = 0
    columns = _TILE_COLUMNS + (_REPORT_COLUMNS if for_report else _REASON_COLUMNS if reasons else ())
    for *snapshot, element_slug in session.execute(
        select(*columns, Element.slug)
        .join(Element, Element.id == RatingSnapshot.element_id)
        .where(
            RatingSnapshot.framework_id == found.framework_id,
            RatingSnapshot.framework_version == found.version,
            RatingSnapshot.as_of == found.as_of,
        )
    ):
        if element_slug in outcomes:
            try:
                by_outcome[element_slug] = _from_row(snapshot, outcomes[element_slug])
            except (TypeError, ValueError, KeyError):
                unreadable += 1
                continue
            ids[element_slug] = snapshot[0]
    if unreadable:
        log.warning("%s: %d stored ratings in an older form; rating them again", found.slug, unreadable)
    return by_outcome, ids


# -- writing ---------------------------------------------------------------------------------------------


def upsert_state(session: Session, framework_id: int, raise_by: int) -> None:
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


# The fields of an `OutcomeRating` stored in the column of the same name, as they are.
_STORED_AS_IS = (
    "rating", "computed", "override", "rule", "computed_rule", "stale", "fingerprint", "headline", "missing",
    "items_total",
)  # fmt: skip


def replace_rows(
    session: Session,
    framework_id: int,
    framework_version: int,
    as_of: date,
    ratings: Iterable[OutcomeRating],
    element_ids: Mapping[str, int],
) -> int:
    rows = [
        {
            "framework_id": framework_id,
            "element_id": element_ids[r.outcome_id],
            "framework_version": framework_version,
            "as_of": as_of,
            **{name: getattr(r, name) for name in _STORED_AS_IS},
            "lines": r.lines.to_json(),
            "reasons": list(r.reasons),
            "items": [i.to_json() for i in r.items],
            "guidance": r.guidance_json(),
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
        session.execute(cast(Table, RatingSnapshot.__table__).insert(), rows)
    return len(rows)

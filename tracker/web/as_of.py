"""The as-of date a page was asked for, and the framework's ratings as of it (404 and 400 as plain pages)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date

from flask import abort, request
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.ratings import RatingSet, keep, ratings_for, snapshots
from tracker.ratings.compute import parse_as_of
from tracker.ratings.snapshots import RatingsHead

log = logging.getLogger(__name__)


def requested_as_of() -> date | None:
    raw = request.values.get("as_of", "")
    as_of = parse_as_of(raw)
    if raw and as_of is None:
        abort(400, description=f"'{raw[:20]}' is not a date as YYYY-MM-DD.")
    return as_of


def _missing(slug: str) -> None:
    abort(404, description=f"No framework has the id '{slug}'.")


def head_or_abort(slug: str) -> RatingsHead:
    """The framework's version and rating counter as of the requested date (one statement)."""
    found = snapshots.head(db.session, slug, requested_as_of())
    if found is None:
        _missing(slug)
    assert found is not None
    return found


def ratings_or_abort(
    slug: str,
    *,
    outcomes: Collection[str] | None = None,
    detail: bool = False,
    for_report: bool = False,
    stored_reasons: bool = False,
    head: RatingsHead | None = None,
) -> tuple[RatingSet, bool]:
    """`ratings_for` as of the requested date, and whether every rating shown is stored (read stored, or
    rated now and kept in a short transaction of its own, as the report's count is)."""
    rated = ratings_for(
        db.session,
        slug,
        requested_as_of(),
        outcomes=outcomes,
        detail=detail,
        for_report=for_report,
        stored_reasons=stored_reasons,
        head=head,
    )
    if rated is None:
        _missing(slug)
    assert rated is not None
    kept = rated.stored_date and not detail
    if kept and (rated.fresh or rated.counted_now):
        try:
            with db.side_transaction() as session:
                kept = keep(session, rated)
        except SQLAlchemyError:  # the page does not need the stored copy: the next reader rates again
            log.warning("could not store the ratings of %s", slug, exc_info=True)
            kept = False
    return rated, kept

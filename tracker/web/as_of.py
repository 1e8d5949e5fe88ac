"""The as-of date a page was asked for, and the framework rated as of it (404 and 400 as plain pages)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date

from flask import abort, request
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.ratings import compute as rating_service
from tracker.ratings import snapshots
from tracker.ratings.compute import FrameworkRatings
from tracker.ratings.snapshots import RatingsHead, RatingsSummary

log = logging.getLogger(__name__)


def requested_as_of() -> date | None:
    raw = request.values.get("as_of", "")
    as_of = rating_service.parse_as_of(raw)
    if raw and as_of is None:
        abort(400, description=f"'{raw[:20]}' is not a date as YYYY-MM-DD.")
    return as_of


def _missing(slug: str) -> None:
    abort(404, description=f"No framework has the id '{slug}'.")


def rated_or_abort(slug: str, outcomes: Collection[str] | None = None) -> FrameworkRatings:
    """The full ratings, with every reason and item, of the framework or only of `outcomes`."""
    rated = rating_service.rate(db.session, slug, requested_as_of(), outcomes=outcomes)
    if rated is None:
        _missing(slug)
    assert rated is not None
    return rated


def head_or_abort(slug: str) -> RatingsHead:
    """The framework's version and rating counter as of the requested date (one statement)."""
    found = snapshots.head(db.session, slug, requested_as_of())
    if found is None:
        _missing(slug)
    assert found is not None
    return found


def summary_or_abort(slug: str, *, for_report: bool = False) -> RatingsSummary:
    """The stored ratings (what tiles and lists show; the report's fields too if asked), kept if rated now."""
    return stored_summary_or_abort(slug, for_report=for_report)[0]


def stored_summary_or_abort(
    slug: str, *, for_report: bool = False, read: RatingsHead | None = None
) -> tuple[RatingsSummary, bool]:
    """As `summary_or_abort`, and whether every rating shown is stored (read stored, or rated and kept)."""
    summary = snapshots.summary(db.session, slug, requested_as_of(), for_report=for_report, read=read)
    if summary is None:
        _missing(slug)
    assert summary is not None
    kept = summary.stored_date
    if summary.fresh:
        try:
            with db.side_transaction() as session:
                kept = snapshots.keep(session, summary)
        except SQLAlchemyError:  # the page does not need the stored copy: the next reader rates again
            log.warning("could not store the ratings of %s", slug, exc_info=True)
            kept = False
    return summary, kept

"""The as-of date a page was asked for, and the framework rated as of it (404 and 400 as plain pages)."""

from __future__ import annotations

from flask import abort, request

from tracker.extensions import db
from tracker.services import ratings as rating_service
from tracker.services.ratings import FrameworkRatings


def rated_or_abort(slug: str) -> FrameworkRatings:
    raw = request.values.get("as_of", "")
    as_of = rating_service.parse_as_of(raw)
    if raw and as_of is None:
        abort(400, description=f"'{raw[:20]}' is not a date as YYYY-MM-DD.")
    rated = rating_service.rate(db.session, slug, as_of)
    if rated is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return rated

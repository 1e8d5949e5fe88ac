"""An outcome's override history as its page shows it: the newest entries and how many there are in all."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db.models import RatingOverride


def newest(session: Session, element_id: int, limit: int) -> tuple[list[RatingOverride], int]:
    """The `limit` newest overrides of an outcome, newest first, and the count of all of them."""
    history = list(
        session.scalars(
            select(RatingOverride)
            .where(RatingOverride.element_id == element_id)
            .order_by(RatingOverride.id.desc())
            .limit(limit)
        )
    )
    if len(history) < limit:
        return history, len(history)
    total = session.scalar(
        select(func.count()).select_from(RatingOverride).where(RatingOverride.element_id == element_id)
    )
    return history, int(total or 0)

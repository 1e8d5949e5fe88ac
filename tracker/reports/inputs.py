"""What the report reads beside the ratings, read in one place: the page, the worker and `tracker report`
build the same model from the same reads (a new section adds its read here, not in three callers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tracker.events import bulk as event_bulk
from tracker.ratings.rating_set import RatingSet
from tracker.reports import model as report_model
from tracker.services import surveys as survey_service


def report_model_for(session: Session, rated: RatingSet, generated_at: datetime) -> report_model.ReportModel:
    """The report of `rated` (read with `ratings_for(..., for_report=True)`): its survey blocks and the
    events that ended by its as-of date read beside it, and the model built."""
    slug = rated.framework.id
    blocks = survey_service.report_blocks(session, slug)
    events = event_bulk.framework_events(session, slug, rated.as_of)
    return report_model.build(rated, generated_at, blocks, events)

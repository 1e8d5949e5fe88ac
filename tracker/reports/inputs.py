"""What the report reads beside the ratings, read in one place: the page, the worker and `tracker report`
build the same model from the same reads (a new section adds its read here, not in three callers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tracker.db.models import Framework as FrameworkRow
from tracker.events import bulk as event_bulk
from tracker.plans import curve_pages
from tracker.ratings.rating_set import RatingSet
from tracker.reports import model as report_model
from tracker.reports import output_blocks, plan_blocks
from tracker.services import surveys as survey_service
from tracker.services.output_evidence import output_evidence


def report_model_for(session: Session, rated: RatingSet, generated_at: datetime) -> report_model.ReportModel:
    """The report of `rated` (read with `ratings_for(..., for_report=True)`): its survey blocks, the events
    that ended by its as-of date, the outputs' evidence, the action plans and the KPIs' turn-the-curve notes
    read beside it (a fixed number of statements each), and the model built."""
    f = rated.framework
    # The framework's row, read once and held: the plans' read finds it in the session (the session keeps
    # no unreferenced row), the curves are given it, and the surveys need only its parsed version.
    row = session.get(FrameworkRow, rated.framework_id)
    blocks = survey_service.report_blocks_of(session, rated.framework_id, f)
    events = event_bulk.framework_events(session, f.id, rated.as_of)
    evidence = output_evidence(
        session, rated.framework_id, [o.id for t in f.themes for o in t.outputs], rated.as_of
    )
    plans = plan_blocks.read_plans(session, rated)
    curves = curve_pages.report_curves(session, f.id, f, plans, row=row)
    model = report_model.build(rated, generated_at, blocks, events, curves, plans=plans)
    return output_blocks.add_outputs(model, output_blocks.output_sections(f, rated.kpis, events, evidence))

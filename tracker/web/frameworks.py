"""The read-only framework browser: the list of frameworks, one framework by theme and quadrant, and the
framework as a logic model."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from tracker.domain.framework import QUADRANT_QUESTIONS, QUADRANTS
from tracker.domain.logic_model import OUTPUT_PROGRESS_MEANINGS
from tracker.domain.rules import RATING_CODES, RATING_LABELS
from tracker.domain.vocabulary import OUTPUT_PROGRESS_LABELS
from tracker.events import measured
from tracker.extensions import db
from tracker.reports import logic_model_blocks
from tracker.services import frameworks as framework_service
from tracker.web.as_of import ratings_or_abort
from tracker.web.event_links import event_page_url

bp = Blueprint("frameworks", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("frameworks/index.html", frameworks=framework_service.list_frameworks(db.session))


@bp.get("/f/<slug>/")
def show(slug: str) -> ResponseReturnValue:
    found = framework_service.current_version(db.session, slug)
    if found is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    row, version = found
    framework = framework_service.framework_of(version)
    output_events = measured.events_by_output(db.session, row.id)  # an output's How-much counts, by event
    return render_template(
        "frameworks/show.html",
        framework=framework,
        version=version,
        quadrants=QUADRANTS,
        questions=QUADRANT_QUESTIONS,
        output_events=output_events,
        event_pages={
            e.definition.id: event_page_url(framework.id, e.definition.id)
            for events in output_events.values()
            for e in events
        },
    )


@bp.get("/f/<slug>/logic-model")
def logic_model(slug: str) -> ResponseReturnValue:
    """The framework drawn as a logic model, each outcome by its rating and each output by its KPIs."""
    rated = ratings_or_abort(slug, for_report=True)[0]  # the report's inputs carry the KPI statuses
    model = logic_model_blocks.from_ratings(rated)
    return render_template(
        "frameworks/logic_model.html",
        framework=rated.framework,
        as_of=rated.as_of,
        model=model,
        charts=logic_model_blocks.charts(model, for_report=False),
        codes=RATING_CODES,
        labels=RATING_LABELS,
        progress=OUTPUT_PROGRESS_MEANINGS,
        progress_labels=OUTPUT_PROGRESS_LABELS,
    )

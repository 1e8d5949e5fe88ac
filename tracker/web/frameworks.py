"""The read-only framework browser: the list of frameworks, and one framework by theme and quadrant."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from tracker.domain.framework import QUADRANT_QUESTIONS, QUADRANTS
from tracker.events import measured
from tracker.extensions import db
from tracker.services import frameworks as framework_service
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

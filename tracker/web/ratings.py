"""The dashboard and the outcome page, whose override form `tracker.overrides` posts and checks.

The override routes (`ratings.override`, `ratings.disagreements`) are added to this blueprint by
`tracker.overrides.views`, which renders the outcome page again when a post is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from tracker.domain import text_limits
from tracker.domain.evidence import strength_order
from tracker.domain.evidence_input import SOURCE_TYPE_LABELS, is_whole_number
from tracker.domain.framework import QUADRANT_QUESTIONS, Outcome
from tracker.domain.rules import RATING_CODES, RATING_LABELS
from tracker.extensions import db
from tracker.overrides import history as override_history
from tracker.overrides.forms import OverrideForm, empty_form
from tracker.plans import prompts
from tracker.ratings import RatingSet
from tracker.ratings.fragments import fragments
from tracker.services.permissions import can_review
from tracker.web.as_of import head_or_abort, ratings_or_abort
from tracker.web.guard import principal

bp = Blueprint("ratings", __name__)
# The outcome page lists this many items, strongest first, and links to the evidence list for the rest.
OUTCOME_PAGE_ITEMS = 100
# ...and this many override history entries, newest first (each one an evaluator's deliberate act).
HISTORY_ROWS = 50


def rated_outcome(slug: str, outcome_id: str) -> RatingSet:
    """One outcome rated now with every reason and item (the page shows them all)."""
    return ratings_or_abort(slug, outcomes=[outcome_id], detail=True)[0]


def outcome_urls(summary: RatingSet) -> dict[str, str]:
    """Each outcome page's address, built from one `url_for` (outcome ids are slugs, safe in a path)."""
    marker = "outcome-id-marker"
    pattern = url_for(
        "ratings.outcome", slug=summary.framework.id, outcome_id=marker, as_of=summary.as_of.isoformat()
    )
    return {o.id: pattern.replace(marker, o.id, 1) for o in summary.framework.outcomes}


def outcome_of(rated: RatingSet, outcome_id: str) -> Outcome:
    """The outcome the address names, or a 404 page (a theme or KPI id is not an outcome)."""
    outcome = rated.framework.get(outcome_id)
    if not isinstance(outcome, Outcome):
        abort(404, description=f"No outcome has the id '{outcome_id}'.")
    return outcome


def _tiles_key(stored: tuple[object, ...]) -> tuple[object, ...]:
    """The dashboard tiles' key in the fragment cache: the stored ratings' key, under this app's root."""
    return ("dashboard", request.script_root, *stored)


@dataclass(frozen=True)
class DashboardParts:
    """What the ratings give the dashboard, the same for every reader: the tiles, and the outcomes and KPIs
    below the line (for the "needs a plan" list, which each view finishes with the plans as they are now)."""

    body: Markup
    below: prompts.BelowTheLine


@bp.get("/f/<slug>/dashboard")
def dashboard(slug: str) -> ResponseReturnValue:
    # The tiles are the same for every user: kept per worker by what they were drawn from (the key is
    # read from the database on every view, so any save, new version or new day draws them again).
    found = head_or_abort(slug)
    key = None if found.key is None else _tiles_key(found.key)
    parts = None if key is None else fragments().get_value(key, DashboardParts)
    if parts is None:
        rated, kept = ratings_or_abort(slug, head=found)
        counts = {code: sum(r.rating == code for r in rated.ratings) for code in RATING_CODES}
        body = Markup(  # noqa: S704 - the output of an autoescaping template, not user text
            render_template(
                "ratings/_dashboard_body.html",
                rated=rated,
                counts=counts,
                codes=RATING_CODES,
                labels=RATING_LABELS,
                outcome_urls=outcome_urls(rated),
                quadrant_questions=QUADRANT_QUESTIONS,
            )
        )
        parts = DashboardParts(body, prompts.below_the_line(db.session, rated))
        if key is not None and kept:
            fragments().put(key, parts)
    needed = prompts.dashboard_prompts(db.session, found, parts.below, principal(), fragments())
    return render_template(
        "ratings/dashboard.html", framework=found.framework, body=parts.body, needed=needed
    )


def outcome_page(
    rated: RatingSet,
    outcome: Outcome,
    form: OverrideForm,
    status: int = 200,
    *,
    posted: bool = True,
    errors: Mapping[str, str] | None = None,
) -> ResponseReturnValue:
    """The page; `posted` False when the request's form cannot be read (too large), so none of it is kept."""
    rating = rated.detail[outcome.id]
    element_id = rated.element_ids[outcome.id]
    history, history_total = override_history.newest(db.session, element_id, HISTORY_ROWS)
    form_values = request.form if posted else MultiDict[str, str]()
    chosen = [int(i) for i in form_values.getlist("evidence") if is_whole_number(i)]
    strongest = sorted(
        rating.items,
        key=lambda a: strength_order(a.counts, a.tier, rated.evidence[a.item_id].collected_on, a.item_id),
    )
    # Chosen items stay offered after a refused post, wherever they rank.
    shown = [a for i, a in enumerate(strongest) if i < OUTCOME_PAGE_ITEMS or a.item_id in chosen]
    return render_template(
        "ratings/outcome.html",
        rated=rated,
        outcome=outcome,
        rating=rating,
        labels=RATING_LABELS,
        codes=RATING_CODES,
        source_types=SOURCE_TYPE_LABELS,
        history=history,
        history_total=history_total,
        clip=text_limits.OVERRIDE_RATIONALE.clip,
        current_override=rated.overrides.get(outcome.id),
        can_override=can_review(principal()),
        form=form,
        errors=dict(errors or {}),
        chosen_rating=form_values.get("rating", ""),
        chosen_evidence=chosen,
        shown_items=shown,
        theme=next(t for t in rated.framework.themes if t.id == outcome.theme_id),
    ), status


@bp.get("/f/<slug>/outcomes/<outcome_id>")
def outcome(slug: str, outcome_id: str) -> ResponseReturnValue:
    rated = rated_outcome(slug, outcome_id)
    return outcome_page(rated, outcome_of(rated, outcome_id), empty_form(rated))

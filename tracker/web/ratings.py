"""The dashboard, the outcome page with its override form, and the list of evaluator disagreements."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import HiddenField, TextAreaField

from tracker.db.models import RatingOverride
from tracker.domain.evidence import strength_order
from tracker.domain.evidence_input import SOURCE_TYPE_LABELS, is_whole_number
from tracker.domain.framework import Outcome
from tracker.domain.rules import RATING_CODES, RATING_LABELS
from tracker.extensions import db
from tracker.services import overrides as override_service
from tracker.services import rating_snapshots
from tracker.services.evidence import Refused
from tracker.services.permissions import can_review
from tracker.services.rating_snapshots import RatingsSummary
from tracker.services.ratings import FrameworkRatings
from tracker.web.as_of import (
    head_or_abort,
    rated_or_abort,
    requested_as_of,
    stored_summary_or_abort,
    summary_or_abort,
)
from tracker.web.fragment_cache import fragments
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("ratings", __name__)
# The outcome page lists this many items, strongest first, and links to the evidence list for the rest.
OUTCOME_PAGE_ITEMS = 100


class OverrideForm(FlaskForm):  # type: ignore[misc]
    rationale = TextAreaField("Rationale")
    as_of = HiddenField()


def _rated(slug: str, outcome_id: str) -> FrameworkRatings:
    """One outcome rated now with every reason and item (the page shows them all)."""
    return rated_or_abort(slug, outcomes=[outcome_id])


def _outcome_urls(summary: RatingsSummary) -> dict[str, str]:
    """Each outcome page's address, built from one `url_for` (outcome ids are slugs, safe in a path)."""
    marker = "outcome-id-marker"
    pattern = url_for(
        "ratings.outcome", slug=summary.framework.id, outcome_id=marker, as_of=summary.as_of.isoformat()
    )
    return {o.id: pattern.replace(marker, o.id, 1) for o in summary.framework.outcomes}


def _outcome(rated: FrameworkRatings, outcome_id: str) -> Outcome:
    outcome = rated.framework.get(outcome_id)
    if not isinstance(outcome, Outcome):
        abort(404, description=f"No outcome has the id '{outcome_id}'.")
    return outcome


def _tiles_key(stored: tuple[object, ...]) -> tuple[object, ...]:
    """The dashboard tiles' key in the fragment cache: the stored ratings' key, under this app's root."""
    return ("dashboard", request.script_root, *stored)


@bp.get("/f/<slug>/dashboard")
def dashboard(slug: str) -> ResponseReturnValue:
    # The tiles are the same for every user: kept per worker by what they were drawn from (the key is
    # read from the database on every view, so any save, new version or new day draws them again).
    quick = rating_snapshots.stored_key(db.session, slug, requested_as_of())
    if quick is not None:
        kept = fragments().get(_tiles_key(quick[0]))
        if kept is not None:
            return render_template("ratings/dashboard.html", framework=quick[1], body=kept)
    found = head_or_abort(slug)
    key = None if found.key is None else _tiles_key(found.key)
    # The quick key, when found, is this key and missed already; else the head may still find the tiles.
    body = None if key is None or quick is not None else fragments().get(key)
    if body is None:
        rated, kept = stored_summary_or_abort(slug, read=found)
        counts = {code: sum(r.rating == code for r in rated.ratings) for code in RATING_CODES}
        body = Markup(  # noqa: S704 - the output of an autoescaping template, not user text
            render_template(
                "ratings/_dashboard_body.html",
                rated=rated,
                counts=counts,
                codes=RATING_CODES,
                labels=RATING_LABELS,
                outcome_urls=_outcome_urls(rated),
            )
        )
        if key is not None and kept:
            fragments().put(key, body)
    return render_template("ratings/dashboard.html", framework=found.framework, body=body)


def _outcome_page(
    rated: FrameworkRatings, outcome: Outcome, form: OverrideForm, status: int = 200, **errors: str
) -> ResponseReturnValue:
    rating = rated.rating_of(outcome.id)
    assert rating is not None
    history = db.session.scalars(
        select(RatingOverride)
        .where(RatingOverride.element_id == rated.element_ids[outcome.id])
        .order_by(RatingOverride.id.desc())
    ).all()
    chosen = [int(i) for i in request.form.getlist("evidence") if is_whole_number(i)]
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
        current_override=rated.overrides.get(outcome.id),
        can_override=can_review(principal()),
        form=form,
        errors=errors,
        chosen_rating=request.form.get("rating", ""),
        chosen_evidence=chosen,
        shown_items=shown,
        theme=next(t for t in rated.framework.themes if t.id == outcome.theme_id),
    ), status


@bp.get("/f/<slug>/outcomes/<outcome_id>")
def outcome(slug: str, outcome_id: str) -> ResponseReturnValue:
    rated = _rated(slug, outcome_id)
    return _outcome_page(rated, _outcome(rated, outcome_id), OverrideForm(as_of=rated.as_of.isoformat()))


@bp.post("/f/<slug>/outcomes/<outcome_id>/override")
def override(slug: str, outcome_id: str) -> ResponseReturnValue:
    require(can_review(principal()), "override rating", "outcome", outcome_id)
    rated = _rated(slug, outcome_id)
    target = _outcome(rated, outcome_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        return _outcome_page(rated, target, form, 400)
    evidence_ids = [int(i) for i in request.form.getlist("evidence") if is_whole_number(i)]
    try:
        if request.form.get("action") == "withdraw":
            override_service.withdraw_override(
                db.session, actor(), principal(), rated, outcome_id, form.rationale.data or ""
            )
            flash("Override withdrawn: the computed rating stands.", "success")
        else:
            override_service.set_override(
                db.session,
                actor(),
                principal(),
                rated,
                outcome_id,
                request.form.get("rating", ""),
                form.rationale.data or "",
                evidence_ids,
            )
            flash("Override saved with your rationale.", "success")
    except Refused as refused:
        refuse("override rating", "outcome", outcome_id, str(refused))
    except override_service.OverrideInvalid as invalid:
        return _outcome_page(rated, target, form, 400, **{invalid.field: str(invalid)})
    return redirect(
        url_for("ratings.outcome", slug=slug, outcome_id=outcome_id, as_of=rated.as_of.isoformat())
    )


@bp.get("/f/<slug>/disagreements")
def disagreements(slug: str) -> ResponseReturnValue:
    rated = summary_or_abort(slug)
    rows = [r for r in rated.ratings if r.override is not None and r.override != r.computed]
    outcomes = {o.id: o for o in rated.framework.outcomes}
    return render_template(
        "ratings/disagreements.html",
        rated=rated,
        rows=rows,
        outcomes=outcomes,
        labels=RATING_LABELS,
        outcome_urls=_outcome_urls(rated),
    )

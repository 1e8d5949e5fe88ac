"""Posting an override or its withdrawal from an outcome page, and the list of evaluator disagreements.

The routes sit on the ratings blueprint beside the outcome page they post from, so their endpoints stay
`ratings.override` and `ratings.disagreements`; `tracker.web.register_web` imports this module to add them.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.domain import text_limits
from tracker.domain.evidence_input import is_whole_number
from tracker.domain.framework import Outcome
from tracker.domain.rules import RATING_LABELS
from tracker.extensions import db
from tracker.overrides import service as override_service
from tracker.overrides.forms import OverrideForm, applies_from, empty_form
from tracker.ratings import ratings_for
from tracker.ratings.compute import parse_as_of
from tracker.services.evidence import Refused
from tracker.services.permissions import can_review
from tracker.web.as_of import ratings_or_abort
from tracker.web.form_parts import limit_form_size, too_large_page
from tracker.web.guard import actor, principal, refuse, require
from tracker.web.ratings import bp, outcome_of, outcome_page, outcome_urls, rated_outcome


def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A post over FORM_MAX_BYTES is refused unread: the evaluator's outcome page says so at the rationale."""
    args = request.view_args or {}
    if request.endpoint != "ratings.override" or "outcome_id" not in args:
        return too_large_page(error)
    if not current_user.is_authenticated or not can_review(principal()):  # CSRF read it before sign-in
        return too_large_page(error)
    # The form is unread (reading it fails again): the as-of date comes from the form's address.
    as_of = parse_as_of(request.args.get("as_of"))
    rated = ratings_for(db.session, args["slug"], as_of, outcomes=[args["outcome_id"]], detail=True)
    target = None if rated is None else rated.framework.get(args["outcome_id"])
    if rated is None or not isinstance(target, Outcome):  # no abort here: a handler's error answers 500
        return too_large_page(error)
    errors = {"rationale": text_limits.TOO_LARGE_MESSAGE}
    return outcome_page(rated, target, empty_form(rated), 413, posted=False, errors=errors)


limit_form_size(bp, _too_large)


@bp.post("/f/<slug>/outcomes/<outcome_id>/override")
def override(slug: str, outcome_id: str) -> ResponseReturnValue:
    require(can_review(principal()), "override rating", "outcome", outcome_id)
    rated = rated_outcome(slug, outcome_id)
    target = outcome_of(rated, outcome_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        return outcome_page(rated, target, form, 400)
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
                applies_from=applies_from(form),
            )
            flash("Override saved with your rationale.", "success")
    except Refused as refused:
        refuse("override rating", "outcome", outcome_id, str(refused))
    except override_service.OverrideInvalid as invalid:
        return outcome_page(rated, target, form, 400, errors={invalid.field: str(invalid)})
    return redirect(
        url_for("ratings.outcome", slug=slug, outcome_id=outcome_id, as_of=rated.as_of.isoformat())
    )


@bp.get("/f/<slug>/disagreements")
def disagreements(slug: str) -> ResponseReturnValue:
    rated = ratings_or_abort(slug)[0]
    rows = [r for r in rated.ratings if r.override is not None and r.override != r.computed]
    outcomes = {o.id: o for o in rated.framework.outcomes}
    return render_template(
        "ratings/disagreements.html",
        rated=rated,
        rows=rows,
        outcomes=outcomes,
        labels=RATING_LABELS,
        outcome_urls=outcome_urls(rated),
        clip=text_limits.OVERRIDE_RATIONALE.clip,
    )

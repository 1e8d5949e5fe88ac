"""The dashboard, the outcome page with its override form, and the list of evaluator disagreements."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField, StringField, TextAreaField

from tracker.domain import text_limits
from tracker.domain.evidence import strength_order
from tracker.domain.evidence_input import SOURCE_TYPE_LABELS, is_whole_number, parse_date
from tracker.domain.framework import Outcome
from tracker.domain.rules import RATING_CODES, RATING_LABELS
from tracker.extensions import db
from tracker.ratings import RatingSet, ratings_for, snapshots
from tracker.ratings.compute import parse_as_of
from tracker.ratings.fragments import fragments
from tracker.services import override_history
from tracker.services import overrides as override_service
from tracker.services.evidence import Refused
from tracker.services.permissions import can_review
from tracker.web.as_of import head_or_abort, ratings_or_abort, requested_as_of
from tracker.web.form_parts import Limit, limit_form_size, too_large_page
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("ratings", __name__)
# The outcome page lists this many items, strongest first, and links to the evidence list for the rest.
OUTCOME_PAGE_ITEMS = 100
# ...and this many override history entries, newest first (each one an evaluator's deliberate act).
HISTORY_ROWS = 50


class OverrideForm(FlaskForm):  # type: ignore[misc]
    rationale = TextAreaField("Rationale", validators=[Limit(text_limits.OVERRIDE_RATIONALE)])
    applies_from = StringField("Applies from")
    as_of = HiddenField()


def _rated(slug: str, outcome_id: str) -> RatingSet:
    """One outcome rated now with every reason and item (the page shows them all)."""
    return ratings_or_abort(slug, outcomes=[outcome_id], detail=True)[0]


def _outcome_urls(summary: RatingSet) -> dict[str, str]:
    """Each outcome page's address, built from one `url_for` (outcome ids are slugs, safe in a path)."""
    marker = "outcome-id-marker"
    pattern = url_for(
        "ratings.outcome", slug=summary.framework.id, outcome_id=marker, as_of=summary.as_of.isoformat()
    )
    return {o.id: pattern.replace(marker, o.id, 1) for o in summary.framework.outcomes}


def _outcome(rated: RatingSet, outcome_id: str) -> Outcome:
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
    quick = snapshots.stored_key(db.session, slug, requested_as_of())
    if quick is not None:
        tiles = fragments().get(_tiles_key(quick[0]))
        if tiles is not None:
            return render_template("ratings/dashboard.html", framework=quick[1], body=tiles)
    found = head_or_abort(slug)
    key = None if found.key is None else _tiles_key(found.key)
    body = None if key is None or quick is not None else fragments().get(key)  # the same key, not yet read
    if body is None:
        rated, kept = ratings_or_abort(slug, head=found)
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


def _form(rated: RatingSet) -> OverrideForm:
    """An empty form: the override would apply from the date of these ratings (never after today)."""
    default = override_service.default_applies_from(rated.as_of)
    return OverrideForm(formdata=None, as_of=rated.as_of.isoformat(), applies_from=default.isoformat())


@bp.get("/f/<slug>/outcomes/<outcome_id>")
def outcome(slug: str, outcome_id: str) -> ResponseReturnValue:
    rated = _rated(slug, outcome_id)
    return _outcome_page(rated, _outcome(rated, outcome_id), _form(rated))


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
    return _outcome_page(
        rated, target, _form(rated), 413, posted=False, errors={"rationale": text_limits.TOO_LARGE_MESSAGE}
    )


limit_form_size(bp, _too_large)


def _applies_from(form: OverrideForm) -> date | None:
    """The date the form gives, None if left empty; OverrideInvalid if it is not a date."""
    raw = (form.applies_from.data or "").strip()
    if not raw:
        return None
    parsed = parse_date(raw)
    if parsed is None:
        raise override_service.OverrideInvalid(
            "applies_from", f"Applies from must be a date as YYYY-MM-DD, not '{raw[:20]}'"
        )
    return parsed


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
                applies_from=_applies_from(form),
            )
            flash("Override saved with your rationale.", "success")
    except Refused as refused:
        refuse("override rating", "outcome", outcome_id, str(refused))
    except override_service.OverrideInvalid as invalid:
        return _outcome_page(rated, target, form, 400, errors={invalid.field: str(invalid)})
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
        outcome_urls=_outcome_urls(rated),
        clip=text_limits.OVERRIDE_RATIONALE.clip,
    )

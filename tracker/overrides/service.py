"""Evaluator overrides: a different rating with a written rationale, kept with what the engine said."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from tracker.db.models import RatingOverride, utcnow
from tracker.domain import text_limits
from tracker.domain.rules import RATING_CODES
from tracker.ratings import upkeep
from tracker.ratings.rating_set import RatingSet
from tracker.services.audit import Actor, record
from tracker.services.evidence import Refused
from tracker.services.permissions import Principal, can_review

MIN_RATIONALE = text_limits.OVERRIDE_RATIONALE.minimum


class OverrideInvalid(ValueError):
    """The override form has a problem; `field` names which field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def set_override(
    session: Session,
    actor: Actor,
    p: Principal,
    rated: RatingSet,
    outcome_id: str,
    rating: str,
    rationale: str,
    evidence_ids: Sequence[int],
    *,
    applies_from: date | None = None,
    today: date | None = None,
) -> RatingOverride:
    """Record an override; the previous one stays in the history, superseded.

    It applies to ratings as of `applies_from` or later: by default the date of the ratings it overrides
    (`rated.as_of`, the evidence the evaluator judged), never after `today`; before it, the rules stand.
    """
    if not can_review(p):
        raise Refused("only evaluators can override a rating")
    current = rated.detail.get(outcome_id)
    if current is None:
        raise OverrideInvalid("rating", f"no outcome '{outcome_id}' in this framework")
    if rating not in RATING_CODES:
        raise OverrideInvalid("rating", "Choose a rating")
    rationale = rationale.strip()
    length = text_limits.length_of(rationale)
    if length < MIN_RATIONALE:
        raise OverrideInvalid(
            "rationale",
            f"Rationale must be at least {MIN_RATIONALE} characters (it has {length}): "
            "say why the evidence supports a different rating",
        )
    too_long = text_limits.OVERRIDE_RATIONALE.problem(rationale)
    if too_long is not None:
        raise OverrideInvalid("rationale", f"Rationale {too_long}: keep to what the rating rests on")
    counted = {a.item_id for a in current.items}
    chosen = sorted(set(evidence_ids))
    if rating in {"strong", "some"} and not chosen:
        raise OverrideInvalid("evidence", "Choose the evidence items this rating rests on")
    unknown = [i for i in chosen if i not in counted]
    if unknown:
        raise OverrideInvalid("evidence", "Choose only accepted evidence linked to this outcome")
    applies = _applies_from(rated, chosen, applies_from, today or date.today())
    override = RatingOverride(
        framework_id=rated.framework_id,
        element_id=rated.element_ids[outcome_id],
        rating=rating,
        rationale=rationale,
        evidence_ids=chosen,
        computed=current.computed,
        computed_rule=current.computed_rule,
        computed_reasons=list(current.computed_reasons),
        fingerprint=current.fingerprint,
        as_of=rated.as_of,
        applies_from=applies,
        created_by_id=p.user_id,
        created_by=p.email,
    )
    return _replace(session, actor, rated, outcome_id, override, "override.set")


def default_applies_from(as_of: date, today: date | None = None) -> date:
    """The date of the ratings being overridden, or today if they are rated as of a later date."""
    return min(as_of, today or date.today())


def _applies_from(rated: RatingSet, chosen: Sequence[int], given: date | None, today: date) -> date:
    """The override's first day: not after today, nor before the newest evidence it rests on."""
    if given is None:
        return default_applies_from(rated.as_of, today)
    if given > today:
        raise OverrideInvalid(
            "applies_from",
            f"Applies from {given.isoformat()} is in the future: an override applies from today or earlier",
        )
    newest = max((rated.evidence[i].collected_on for i in chosen), default=None)
    if newest is not None and given < newest:
        raise OverrideInvalid(
            "applies_from",
            f"Applies from {given.isoformat()} is before the evidence it rests on existed "
            f"(collected up to {newest.isoformat()}): choose that date or later",
        )
    return given


def withdraw_override(
    session: Session, actor: Actor, p: Principal, rated: RatingSet, outcome_id: str, reason: str
) -> RatingOverride:
    """The computed rating stands again; the withdrawal is itself a history entry."""
    if not can_review(p):
        raise Refused("only evaluators can withdraw an override")
    current = rated.detail.get(outcome_id)
    if current is None or outcome_id not in rated.overrides or rated.overrides[outcome_id].rating is None:
        raise OverrideInvalid("rating", "There is no override to withdraw")
    reason = reason.strip()
    too_long = text_limits.WITHDRAWAL_REASON.problem(reason)
    if too_long is not None:
        raise OverrideInvalid("rationale", f"Rationale {too_long}")
    withdrawal = RatingOverride(
        framework_id=rated.framework_id,
        element_id=rated.element_ids[outcome_id],
        rating=None,
        rationale=reason or "Withdrawn: the computed rating stands.",
        evidence_ids=[],
        computed=current.computed,
        computed_rule=current.computed_rule,
        computed_reasons=list(current.computed_reasons),
        fingerprint=current.fingerprint,
        as_of=rated.as_of,
        applies_from=default_applies_from(rated.as_of),
        created_by_id=p.user_id,
        created_by=p.email,
    )
    return _replace(session, actor, rated, outcome_id, withdrawal, "override.withdraw")


def _replace(
    session: Session, actor: Actor, rated: RatingSet, outcome_id: str, new: RatingOverride, action: str
) -> RatingOverride:
    before = None
    old = rated.overrides.get(outcome_id)
    if old is not None:
        before = old.snapshot()
        old.superseded_at = utcnow()
        session.add(old)
    session.add(new)
    session.flush()
    upkeep.inputs_changed(session, rated.framework_id, [new.element_id])
    record(
        session,
        actor,
        action,
        object_type="outcome",
        object_id=outcome_id,
        framework_id=rated.framework_id,
        before=before,
        after=new.snapshot(),
    )
    return new

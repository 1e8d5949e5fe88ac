"""The override form on an outcome page: the rationale, the date it applies from and the ratings' date."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from tracker.domain import text_limits
from tracker.domain.evidence_input import parse_date
from tracker.overrides.service import OverrideInvalid, default_applies_from
from tracker.ratings import RatingSet
from tracker.web.form_parts import Limit


class OverrideForm(FlaskForm):  # type: ignore[misc]
    rationale = TextAreaField("Rationale", validators=[Limit(text_limits.OVERRIDE_RATIONALE)])
    applies_from = StringField("Applies from")
    as_of = HiddenField()


def empty_form(rated: RatingSet) -> OverrideForm:
    """An empty form: the override would apply from the date of these ratings (never after today)."""
    default = default_applies_from(rated.as_of)
    return OverrideForm(formdata=None, as_of=rated.as_of.isoformat(), applies_from=default.isoformat())


def applies_from(form: OverrideForm) -> date | None:
    """The date the form gives, None if left empty; OverrideInvalid if it is not a date."""
    raw = (form.applies_from.data or "").strip()
    if not raw:
        return None
    parsed = parse_date(raw)
    if parsed is None:
        raise OverrideInvalid("applies_from", f"Applies from must be a date as YYYY-MM-DD, not '{raw[:20]}'")
    return parsed

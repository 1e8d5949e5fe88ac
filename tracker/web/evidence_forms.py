"""The evidence form: WTForms for rendering and CSRF; the domain's parse_evidence decides what is valid."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from tracker.domain import text_limits
from tracker.domain.evidence_input import FINDING_LABELS, FLAGS, SOURCE_TYPE_LABELS
from tracker.web.form_parts import Limit, Required, choices

FLAG_LABELS = {
    "indirect": "Indirect: it bears on the outcome only indirectly",
    "partial_coverage": "Partial coverage: the data covers only some partners or people",
}


class _Loose(SelectMultipleField):  # type: ignore[misc]  # wtforms' stubs are not installed: the field is Any
    """Choices are checked by the domain (with a message that names the bad value), not by WTForms."""

    def pre_validate(self, form: Any) -> None:
        return None


class EvidenceForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    title = StringField("Title", validators=[Required(), Limit(text_limits.EVIDENCE_TITLE)])
    summary = TextAreaField("Summary", validators=[Optional(), Limit(text_limits.EVIDENCE_SUMMARY)])
    source_type = SelectField(
        "Type of evidence",
        choices=choices([("", "Choose a type"), *SOURCE_TYPE_LABELS.items()]),
        validators=[Required()],
        validate_choice=False,  # the domain checks it, as a draft may leave it out
    )
    collected_on = StringField("Date collected", validators=[Required()])
    links = _Loose("What it bears on", choices=[], validators=[Required()])
    finding = SelectField(
        "What it shows",
        choices=choices([("", "Choose a finding"), *FINDING_LABELS.items()]),
        validators=[Required()],
        validate_choice=False,
    )
    respondents = StringField("Respondents or participants", validators=[Optional()])
    population = StringField("Population", validators=[Optional()])
    positive = StringField("Respondents who agreed", validators=[Optional()])
    collection = StringField("Data collection", validators=[Optional(), Limit(text_limits.NAME)])
    group = StringField("Respondent group", validators=[Optional(), Limit(text_limits.NAME)])
    independent = BooleanField("Collected by the external evaluator")
    partner = SelectField("Partner", choices=[], validate_choice=False)
    quote = TextAreaField("Quote", validators=[Optional(), Limit(text_limits.EVIDENCE_QUOTE)])
    url = StringField("Web address", validators=[Optional(), Limit(text_limits.EVIDENCE_URL)])
    flags = _Loose("Flags", choices=choices((f, FLAG_LABELS[f]) for f in FLAGS))
    attachments = MultipleFileField("Attachments")
    row_version = HiddenField()

    def raw_values(self) -> dict[str, str]:
        """The form as the text fields of the CSV contract, for the domain validator."""
        return {
            "title": self.title.data or "",
            "summary": self.summary.data or "",
            "source_type": self.source_type.data or "",
            "collected_on": self.collected_on.data or "",
            "links": ";".join(self.links.data or []),
            "finding": self.finding.data or "",
            "respondents": self.respondents.data or "",
            "population": self.population.data or "",
            "positive": self.positive.data or "",
            "collection": self.collection.data or "",
            "group": self.group.data or "",
            "independent": "true" if self.independent.data else "false",
            "partner": self.partner.data or "",
            "quote": self.quote.data or "",
            "url": self.url.data or "",
            "flags": ";".join(self.flags.data or []),
        }

    def add_problems(self, problems: list[tuple[str, str]]) -> None:
        labels = {name: getattr(self, name).label.text for name in self.raw_values()}
        for name, message in problems:
            field = getattr(self, name, None)
            if field is not None:
                field.errors = [*field.errors, f"{labels.get(name, name)} {message}"]


class ReviewForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    note = TextAreaField("Review note", validators=[Optional(), Limit(text_limits.REVIEW_NOTE)])
    row_version = HiddenField()

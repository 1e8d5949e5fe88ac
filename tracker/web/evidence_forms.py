"""The evidence form: WTForms for rendering and CSRF; the domain's parse_evidence decides what is valid."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from tracker.db.models import Evidence
from tracker.domain import text_limits
from tracker.domain.evidence_input import (
    EARLIEST_COLLECTED,
    FINDING_LABELS,
    FLAGS,
    SHOWS,
    SHOWS_HELP,
    SHOWS_LABELS,
    SOURCE_TYPE_LABELS,
)
from tracker.services.evidence import FrameworkContext
from tracker.web.form_parts import Limit, Required, choices

FLAG_LABELS = {
    "indirect": "Indirect: it bears on the outcome only indirectly",
    "partial_coverage": "Partial coverage: the data covers only some partners or people",
}

# The "What does it answer?" radios: (value, label, hint); "" is "Not said", as every item before issue 18.
SHOWS_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("", "Not said", ""),
    *(
        (code, SHOWS_LABELS[code], SHOWS_HELP[code][:1].upper() + SHOWS_HELP[code][1:] + ".")
        for code in SHOWS
    ),
)
KPI_HINT = (
    "If this item reports a KPI's value, pick the KPI: the KPI's line stands for it, so the figure is not "
    "counted twice."
)


def kpi_choices(ctx: FrameworkContext) -> list[tuple[str, str]]:
    """The framework's current KPIs by name, in the framework's order, after "None"."""
    kpis = sorted(
        (e for e in ctx.elements.values() if e.kind == "kpi" and e.archived_at is None),
        key=lambda e: e.position,
    )
    return [("", "None"), *((e.slug, e.text) for e in kpis)]


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
    shows = RadioField(
        "What does it answer?",
        choices=choices((value, label) for value, label, _hint in SHOWS_OPTIONS),
        validate_choice=False,  # the domain checks it, naming the bad value
    )
    kpi = SelectField("KPI it reports", choices=[], validate_choice=False)
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
            "shows": self.shows.data or "",
            "kpi": self.kpi.data or "",
        }

    def offer(self, ctx: FrameworkContext, today: date) -> None:
        """This framework's choices: what it may bear on, its partners and KPIs; dates up to today."""
        self.links.choices = choices(
            option for theme in ctx.link_tree() for kind in theme.kinds for option in kind.options
        )
        self.collected_on.render_kw = {"min": EARLIEST_COLLECTED.isoformat(), "max": today.isoformat()}
        self.partner.choices = choices(
            [("", "No particular partner"), *((s, p.name) for s, p in ctx.partners.items())]
        )
        self.kpi.choices = choices(kpi_choices(ctx))

    def fill(self, evidence: Evidence, links: list[str], partner: str) -> None:
        """The saved item's values (its links and partner as ids), to edit it."""
        self.title.data = evidence.title
        self.summary.data = evidence.summary
        self.source_type.data = evidence.source_type
        self.collected_on.data = evidence.collected_on.isoformat()
        self.links.data = links
        self.finding.data = evidence.finding
        self.shows.data = evidence.shows
        self.kpi.data = evidence.kpi
        for name in ("respondents", "population", "positive"):
            value = getattr(evidence, name)
            getattr(self, name).data = "" if value is None else str(value)
        self.collection.data = evidence.collection
        self.group.data = evidence.respondent_group
        self.independent.data = evidence.independent
        self.partner.data = partner
        self.quote.data = evidence.quote
        self.url.data = evidence.url
        self.flags.data = list(evidence.flags)
        self.row_version.data = str(evidence.row_version)

    def add_problems(self, problems: list[tuple[str, str]]) -> None:
        labels = {name: getattr(self, name).label.text for name in self.raw_values()}
        for name, message in problems:
            field = getattr(self, name, None)
            if field is not None:
                field.errors = [*field.errors, f"{labels.get(name, name)} {message}"]


class ReviewForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    note = TextAreaField("Review note", validators=[Optional(), Limit(text_limits.REVIEW_NOTE)])
    row_version = HiddenField()

"""The event forms (issue 19): a new event's fields, written as the EVENT.yaml the events service reads (so
the form and the file are checked by the same code), and each problem the check finds put back beside its
field; and the upload of new sessions and feedback files."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from tracker.domain import text_limits
from tracker.domain.events import QUESTION_KINDS
from tracker.domain.yaml_source import Problem
from tracker.web.form_parts import Limit, Required, choices

QUESTION_ROWS = 6  # blank question rows the form offers (the file takes any number)
KIND_LABELS = {
    "rating": "Rating from 1 to 5",
    "agree": "Agree or disagree (five-point scale)",
    "choose_any": "Choose any of a list",
    "free_text": "Free text",
}
_PATH = re.compile(r"^(\(root\)|[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (.*)$", re.DOTALL)
_MISSING = re.compile(r"^missing required key '([a-z_]+)'")
_QUESTION = re.compile(r"^questions\[(\d+)\](?:\.([a-z_]+))?")
# The file's key paths and the fields that give them.
FIELDS = {
    "id": "event_id",
    "title": "title",
    "starts_on": "starts_on",
    "ends_on": "ends_on",
    "links": "links",
    "unique_attendees": "unique_attendees",
    "unique_attendees.value": "unique_attendees",
    "unique_attendees.estimated": "unique_estimated",
    "reach_target": "reach_target",
    "population": "population_name",
    "population.name": "population_name",
    "population.size": "population_size",
    "costs.direct": "cost_direct",
    "costs.staff_hours": "cost_staff_hours",
    "costs.full": "cost_full",
    "min_group_size": "min_group_size",
    "source": "source",
}


class _Links(SelectMultipleField):  # type: ignore[misc]  # wtforms ships no type hints: the field is Any
    """The framework's activities and outputs; an id it does not have is refused by the events service,
    with a message that names it (not by WTForms)."""

    def pre_validate(self, form: Any) -> None:
        return None


class QuestionForm(Form):  # type: ignore[misc]  # wtforms ships no type hints: Form is Any
    """One feedback question; a row left blank is no question."""

    id = StringField("Question id")
    text = StringField("Question")
    kind = SelectField(
        "Kind of answer",
        choices=choices([("", "Choose a kind"), *((k, KIND_LABELS[k]) for k in QUESTION_KINDS)]),
        validate_choice=False,  # the events service says what is wrong, with the file's words
    )
    options = TextAreaField("Options (for 'choose any' only)")


class EventForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    event_id = StringField("Event id", validators=[Required()])
    title = StringField("Title", validators=[Required(), Limit(text_limits.EVENT_TITLE)])
    starts_on = StringField("First day", validators=[Required()])
    ends_on = StringField("Last day", validators=[Optional()])
    links = _Links("What it links to")
    unique_attendees = StringField("Unique attendees", validators=[Optional()])
    unique_estimated = BooleanField("The number of unique attendees is an estimate")
    reach_target = StringField("Reach target", validators=[Optional()])
    population_name = StringField(
        "Population", validators=[Optional(), Limit(text_limits.EVENT_POPULATION_NAME)]
    )
    population_size = StringField("Size of the population", validators=[Optional()])
    cost_direct = StringField("Direct cost (£)", validators=[Optional()])
    cost_staff_hours = StringField("Staff hours", validators=[Optional()])
    cost_full = StringField("Full cost (£)", validators=[Optional()])
    min_group_size = StringField("Fewest responses to show a session's mean", validators=[Optional()])
    questions = FieldList(FormField(QuestionForm), min_entries=QUESTION_ROWS, max_entries=50)
    source = TextAreaField("Source", validators=[Optional()])


class UploadForm(FlaskForm):  # type: ignore[misc]
    sessions = FileField("Sessions file (CSV)")
    feedback = FileField("Feedback file (CSV)")


@dataclass(frozen=True)
class Placed:
    """The problems of a check put where a person looks: by field id, and those of no field."""

    fields: dict[str, list[str]]
    general: list[str]


def _number(raw: str | None) -> Any:
    """A figure as typed: a whole or decimal number when it reads as one (thousands separators allowed),
    else the text as typed, for the check to say what is wrong with it."""
    text = (raw or "").strip()
    plain = text.replace(",", "")
    if re.fullmatch(r"-?\d+", plain):
        return int(plain)
    if re.fullmatch(r"-?\d+\.\d+", plain) and math.isfinite(float(plain)):
        return float(plain)
    return text


def _options(raw: str) -> tuple[list[dict[str, str]], list[str]]:
    """Options typed one a line as `id: text`; and what is wrong with the lines that are not."""
    options, problems = [], []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        oid, colon, text = line.partition(":")
        if not colon or not oid.strip() or not text.strip():
            problems.append(
                f"Option line {number}: write each option as its id, a colon and its text, for example "
                "'cpd: To learn and record CPD'"
            )
            continue
        options.append({"id": oid.strip(), "text": text.strip()})
    return options, problems


def event_yaml(form: EventForm, framework: str) -> tuple[str, list[int], dict[str, list[str]]]:
    """The EVENT.yaml the form describes; for each of its questions the form's row; and the problems of the
    form's own (the option lines), by field id. Fields left empty are left out of the file."""
    value: dict[str, Any] = {"id": (form.event_id.data or "").strip(), "framework": framework}
    value["title"] = (form.title.data or "").strip()
    value["starts_on"] = (form.starts_on.data or "").strip()
    if (form.ends_on.data or "").strip():
        value["ends_on"] = form.ends_on.data.strip()
    if form.links.data:
        value["links"] = list(form.links.data)
    if (form.unique_attendees.data or "").strip():
        value["unique_attendees"] = {
            "value": _number(form.unique_attendees.data),
            "estimated": bool(form.unique_estimated.data),
        }
    if (form.reach_target.data or "").strip():
        value["reach_target"] = _number(form.reach_target.data)
    population: dict[str, Any] = {}
    if (form.population_name.data or "").strip():
        population["name"] = form.population_name.data.strip()
    if (form.population_size.data or "").strip():
        population["size"] = _number(form.population_size.data)
    if population:
        value["population"] = population
    costs = {
        key: _number(field.data)
        for key, field in (
            ("direct", form.cost_direct),
            ("staff_hours", form.cost_staff_hours),
            ("full", form.cost_full),
        )
        if (field.data or "").strip()
    }
    if costs:
        value["costs"] = costs
    if (form.min_group_size.data or "").strip():
        value["min_group_size"] = _number(form.min_group_size.data)
    questions, rows = [], []
    own: dict[str, list[str]] = {}
    for row, entry in enumerate(form.questions.entries):
        q = entry.form
        typed = {
            "id": (q.id.data or "").strip(),
            "text": (q.text.data or "").strip(),
            "kind": (q.kind.data or "").strip(),
        }
        options_text = q.options.data or ""
        if not any(typed.values()) and not options_text.strip():
            continue
        question: dict[str, Any] = {key: text for key, text in typed.items() if text}
        if options_text.strip():
            options, problems = _options(options_text)
            question["options"] = options
            if problems:
                own[q.options.id] = problems
        questions.append(question)
        rows.append(row)
    if questions:
        value["questions"] = questions
    if (form.source.data or "").strip():
        value["source"] = form.source.data.strip()
    text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=1_000_000)
    return text, rows, own


def _field_of(path: str, rows: Sequence[int]) -> str | None:
    """The form field that gave a key path of the file, e.g. questions[1].kind -> questions-3-kind."""
    question = _QUESTION.match(path)
    if question is not None:
        index = int(question.group(1))
        if index >= len(rows):
            return None
        key = question.group(2) or "text"
        return f"questions-{rows[index]}-{key if key in ('id', 'text', 'kind') else 'options'}"
    if path.startswith("links"):
        return "links"
    return FIELDS.get(path)


def place_problems(problems: Sequence[Problem], rows: Sequence[int]) -> Placed:
    """Each problem beside the field it is about, said without the file's key path; the rest apart."""
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for p in problems:
        found = _PATH.match(p.message)
        if found is None:
            general.append(p.message)
            continue
        path, message = found.group(1), found.group(2)
        missing = _MISSING.match(message)
        if missing is not None:
            key = missing.group(1)
            path = key if path == "(root)" else f"{path}.{key}"
            message = "must be given"
        field = _field_of(path, rows)
        if field is None:
            general.append(p.message)
            continue
        fields.setdefault(field, []).append(message[:1].upper() + message[1:])
    return Placed(fields, general)


def problem_text(p: Problem) -> str:
    """A file's problem as the upload page says it: 'line 4, column 7: message' (or the message alone)."""
    if p.line <= 0:
        return p.message
    return f"line {p.line}, column {p.column}: {p.message}"

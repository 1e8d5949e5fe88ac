"""The action plan form (issue 20): WTForms renders the fields and checks the CSRF token; the domain's
`check_plan` decides what is valid, and each of its problems goes back to the field it names.

Every field is named as `check_plan` names its problems (`actions-1-steps-2-due_on`), so a problem lands
beside its field with no mapping. The actions and steps are read from the posted form by their names, not
through WTForms lists (which would drop a fourth action unseen), and blank slots are moved out of the way
before the form is shown again, so "action 1" in a message is the first action on the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField

from tracker.domain.action_plans import (
    LIMITS,
    MAX_ACTIONS,
    MAX_STEPS,
    PLAN_STATUS_LABELS,
    PRIORITY_LABELS,
    TARGET_KIND_LABELS,
    TARGET_KINDS,
    WORK_STATUS_LABELS,
    FieldProblem,
    PlanContent,
)
from tracker.domain.text_limits import TextLimit
from tracker.plans.targets import TargetChoice
from tracker.web.form_parts import Limit, Required, choices

ACTION_FIELDS = ("title", "owner", "cost", "status")
STEP_FIELDS = ("text", "due_on", "owner", "status")
COMMENT_LIMIT = TextLimit(4000)
PRIORITY_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("red", PRIORITY_LABELS["red"], "Act first: the target is well below where it should be."),
    ("amber", PRIORITY_LABELS["amber"], "Act soon."),
    ("green", PRIORITY_LABELS["green"], "Keep an eye on it."),
)
_ACTION = re.compile(r"^actions-(\d{1,2})-(title|owner|cost|status)$")
_STEP = re.compile(r"^actions-(\d{1,2})-steps-(\d{1,2})-(text|due_on|owner|status)$")
# Where a problem of the plan's target or count is shown: the one select names kind and id together.
FIELD_OF = {"target_kind": "target", "target_id": "target"}


def action_field(a: int, name: str) -> str:
    return f"actions-{a}-{name}"


def step_field(a: int, s: int, name: str) -> str:
    return f"actions-{a}-steps-{s}-{name}"


def _limit(kind: str) -> Limit:
    return Limit(TextLimit(LIMITS[kind]))


def target_value(kind: str, target_id: str) -> str:
    """The target select's value: kind and id in one ('outcome:more-statutory')."""
    return f"{kind}:{target_id}" if kind and target_id else ""


class _Loose(SelectMultipleField):  # type: ignore[misc]  # wtforms ships no type hints: the field is Any
    """The domain checks the KPIs named, with a message that names a bad one (not WTForms)."""

    def pre_validate(self, form: Any) -> None:
        return None


class PlanForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    """The plan's fields; the three actions' and their steps' fields are added below by name."""

    title = StringField("Title", validators=[Required(), _limit("title")])
    target = SelectField("What it addresses", choices=[], validate_choice=False, validators=[Required()])
    priority = RadioField(
        "Priority",
        choices=choices((v, label) for v, label, _ in PRIORITY_OPTIONS),
        validate_choice=False,
        validators=[Required()],
    )
    status = SelectField(
        "Status", choices=choices(PLAN_STATUS_LABELS.items()), validate_choice=False, validators=[Required()]
    )
    starts_on = StringField("Starts on", validators=[Required()])
    measures = TextAreaField("Measures of success", validators=[_limit("measures")])
    measure_kpis = _Loose("KPIs it expects to move", choices=[])
    lead_user_id = SelectField("Lead (a user)", choices=[], validate_choice=False)
    lead_name = StringField("Or a named officer", validators=[_limit("lead_name")])
    seen_revision = HiddenField()


_WORK = choices(WORK_STATUS_LABELS.items())
for _a in range(1, MAX_ACTIONS + 1):
    setattr(PlanForm, action_field(_a, "title"), StringField("What will be done", [_limit("action_title")]))
    setattr(PlanForm, action_field(_a, "owner"), StringField("Lead officer", [_limit("owner")]))
    setattr(PlanForm, action_field(_a, "cost"), StringField("Cost in pounds"))
    setattr(PlanForm, action_field(_a, "status"), SelectField("Status", choices=_WORK, validate_choice=False))
    for _s in range(1, MAX_STEPS + 1):
        setattr(PlanForm, step_field(_a, _s, "text"), StringField("Step", [_limit("step_text")]))
        setattr(PlanForm, step_field(_a, _s, "due_on"), StringField("Due on"))
        setattr(PlanForm, step_field(_a, _s, "owner"), StringField("Owner", [_limit("owner")]))
        setattr(
            PlanForm,
            step_field(_a, _s, "status"),
            SelectField("Status", choices=_WORK, validate_choice=False),
        )


class CommentForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    body = TextAreaField("Your comment", validators=[Required(), Limit(COMMENT_LIMIT)])


def where(name: str) -> str:
    """A field's place in words, for the error summary: 'Action 2, step 1, due on'."""
    if match := _STEP.match(name):
        a, s, part = match.groups()
        return f"Action {a}, step {s}, {_PART_WORDS[part]}"
    if match := _ACTION.match(name):
        a, part = match.groups()
        return f"Action {a}, {_PART_WORDS[part]}"
    if match := re.match(r"^actions-(\d{1,2})-steps$", name):
        return f"Action {match.group(1)}, steps"
    return _PLAN_WORDS.get(name, name)


_PART_WORDS = {
    "title": "what will be done",
    "owner": "lead officer",
    "cost": "cost",
    "status": "status",
    "text": "what the step is",
    "due_on": "due date",
}
_PLAN_WORDS = {
    "title": "Title",
    "target": "What it addresses",
    "priority": "Priority",
    "status": "Status",
    "starts_on": "Starts on",
    "measures": "Measures of success",
    "measure_kpis": "KPIs it expects to move",
    "lead_user_id": "Lead",
    "lead_name": "Named officer",
    "actions": "Actions",
    "body": "Your comment",
}


def raw_plan(posted: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form as `check_plan` reads it: every action and step posted, however many.

    `posted` is the request's form (a MultiDict: `measure_kpis` has a value for each box ticked).
    """
    kind, _, target_id = str(posted.get("target", "")).partition(":")
    raw: dict[str, Any] = {
        name: str(posted.get(name, ""))
        for name in ("title", "priority", "status", "starts_on", "measures", "lead_user_id", "lead_name")
    }
    raw["target_kind"], raw["target_id"] = kind, target_id
    ticked = posted.getlist("measure_kpis") if isinstance(posted, MultiDict) else posted.get("measure_kpis")
    raw["measure_kpis"] = [str(k) for k in ticked or ()]
    actions: dict[int, dict[str, Any]] = {}
    for name in posted:
        if match := _ACTION.match(name):
            a, part = match.groups()
            actions.setdefault(int(a), {"steps": {}})[part] = str(posted.get(name, ""))
        elif match := _STEP.match(name):
            a, s, part = match.groups()
            steps = actions.setdefault(int(a), {"steps": {}})["steps"]
            steps.setdefault(int(s), {})[part] = str(posted.get(name, ""))
    raw["actions"] = [
        {**action, "steps": [action["steps"][s] for s in sorted(action["steps"])]}
        for _a, action in sorted(actions.items())
    ]
    return raw


def _blank_step(step: Mapping[str, Any]) -> bool:
    return not any(str(step.get(k) or "").strip() for k in ("text", "due_on", "owner"))


def _blank_action(action: Mapping[str, Any]) -> bool:
    return not any(str(action.get(k) or "").strip() for k in ("title", "owner", "cost")) and all(
        _blank_step(s) for s in action.get("steps") or ()
    )


def compact(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The blank actions and steps left out, as `check_plan` leaves them out: so the numbers its problems
    give (`actions-2-...`) are the places the actions take when the form is shown again."""
    actions = [
        {**action, "steps": [s for s in action.get("steps") or () if not _blank_step(s)]}
        for action in raw.get("actions") or ()
        if not _blank_action(action)
    ]
    return {**raw, "actions": actions}


def raw_of(content: PlanContent) -> dict[str, Any]:
    """A saved plan as the form's text, to edit it."""
    body = content.as_dict()
    return {
        **{k: body[k] for k in ("title", "target_kind", "target_id", "priority", "status", "measures")},
        "starts_on": body["starts_on"],
        "measure_kpis": body["measure_kpis"],
        "lead_user_id": "" if body["lead_user_id"] is None else str(body["lead_user_id"]),
        "lead_name": body["lead_name"],
        "actions": [
            {**a, "cost": "" if a["cost"] is None else a["cost"], "steps": a["steps"]}
            for a in body["actions"]
        ],
    }


def fill(form: PlanForm, raw: Mapping[str, Any]) -> None:
    """Put plan text (`raw_plan`'s shape) into the form's fields; actions past the third are not shown."""
    for name in ("title", "priority", "status", "starts_on", "measures", "lead_user_id", "lead_name"):
        form[name].data = str(raw.get(name) or "")
    form.status.data = form.status.data or "draft"
    form.target.data = target_value(str(raw.get("target_kind") or ""), str(raw.get("target_id") or ""))
    form.measure_kpis.data = list(raw.get("measure_kpis") or ())
    actions = list(raw.get("actions") or ())
    for a in range(1, MAX_ACTIONS + 1):
        action = actions[a - 1] if a <= len(actions) else {}
        for part in ACTION_FIELDS:
            form[action_field(a, part)].data = str(action.get(part) or "")
        form[action_field(a, "status")].data = action.get("status") or "not_started"
        steps = list(action.get("steps") or ())
        for s in range(1, MAX_STEPS + 1):
            step = steps[s - 1] if s <= len(steps) else {}
            for part in STEP_FIELDS:
                form[step_field(a, s, part)].data = str(step.get(part) or "")
            form[step_field(a, s, "status")].data = step.get("status") or "not_started"


@dataclass
class Placed:
    """Problems put at their places: in the fields' own errors, or at a group (`actions`, `actions-1-steps`)
    which is no field; `summary` lists them all, in the form's order, for the summary at the top."""

    groups: dict[str, list[str]] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def place(form: Any, problems: Iterable[FieldProblem], general: Sequence[str] = ()) -> Placed:
    """Each problem beside its field (the target's at the one select), and listed for the summary."""
    placed = Placed()
    for problem in problems:
        name = FIELD_OF.get(problem.field, problem.field)
        text = sentence(problem.message)
        found = form._fields.get(name)
        if found is not None:
            if not isinstance(found.errors, list):  # a field never validated holds a tuple
                found.errors = list(found.errors)
            found.errors.append(text)
        else:
            placed.groups.setdefault(name, []).append(text)
        placed.summary.append((name, f"{where(name)}: {problem.message}"))
    placed.summary.extend(("", message) for message in general)
    return placed


def target_groups(options: Sequence[TargetChoice]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The target select's choices grouped by kind (optgroups), each named with its theme or survey."""
    groups = []
    for kind in TARGET_KINDS:
        listed = [
            (target_value(c.kind, c.id), f"{c.label} ({c.theme})" if c.theme else c.label)
            for c in options
            if c.kind == kind
        ]
        if listed:
            groups.append((_PLURALS[kind], listed))
    return groups


_PLURALS = {"outcome": "Outcomes", "kpi": "KPIs", "standard": "Survey standards"}
assert set(_PLURALS) == set(TARGET_KIND_LABELS)


def offer(form: PlanForm, options: Sequence[TargetChoice], leads: Sequence[tuple[int, str]]) -> None:
    """This framework's targets, KPIs and possible leads as the form's choices."""
    form.target.choices = choices(
        [("", "Choose what the plan addresses"), *(v for _g, group in target_groups(options) for v in group)]
    )
    form.measure_kpis.choices = choices((c.id, c.label) for c in options if c.kind == "kpi")
    form.lead_user_id.choices = choices(
        [("", "No user: name an officer below"), *((str(i), e) for i, e in leads)]
    )

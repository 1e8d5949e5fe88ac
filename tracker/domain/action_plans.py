"""Action plans as values (issue 20): the Health Check's template for any target, checked field by field.

A plan addresses one target (an outcome, a KPI or a survey standard) and holds up to three actions of up to
three steps each, as the Employer Standards Health Check's action plan template sets out. `check_plan`
takes the fields as plain text (from a form, a CSV row or an archive) and gives the plan or every problem,
each located at its field, so nothing half-checked is ever stored.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

MAX_ACTIONS = 3
MAX_STEPS = 3
TARGET_KINDS: tuple[str, ...] = ("outcome", "kpi", "standard")
TARGET_KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {"outcome": "Outcome", "kpi": "KPI", "standard": "Survey standard"}
)
PRIORITIES: tuple[str, ...] = ("red", "amber", "green")
PRIORITY_LABELS: Mapping[str, str] = MappingProxyType(
    {"red": "Red: high priority", "amber": "Amber: medium priority", "green": "Green: low priority"}
)
PLAN_STATUSES: tuple[str, ...] = ("draft", "agreed", "in_progress", "done", "dropped")
PLAN_STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {"draft": "Draft", "agreed": "Agreed", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}
)
# A plan that is agreed or under way answers its target; a draft, a dropped plan or a finished one does not
# (a target still below the line after its plan is done needs a new plan).
ANSWERING: frozenset[str] = frozenset({"agreed", "in_progress"})
OPEN_STATUSES: frozenset[str] = frozenset({"draft", "agreed", "in_progress"})
WORK_STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done", "dropped")
WORK_STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {"not_started": "Not started", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}
)
FINISHED_WORK: frozenset[str] = frozenset({"done", "dropped"})
LIMITS: Mapping[str, int] = MappingProxyType(
    {"title": 300, "measures": 4000, "lead_name": 200, "owner": 200, "action_title": 500, "step_text": 1000}
)
MAX_COST = Decimal("1000000000")
_COST = re.compile(r"^£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


@dataclass(frozen=True, slots=True)
class PlanStep:
    text: str
    due_on: date | None = None  # None: no date set yet (the template asks for one; a source may not give it)
    owner: str = ""
    status: str = "not_started"

    def overdue(self, today: date) -> bool:
        """Due before today and neither done nor dropped; a step with no date is never overdue."""
        return self.due_on is not None and self.due_on < today and self.status not in FINISHED_WORK


@dataclass(frozen=True, slots=True)
class PlanAction:
    title: str
    owner: str = ""  # the lead officer: who is responsible for delivery
    cost: Decimal | None = None  # pounds
    status: str = "not_started"
    steps: tuple[PlanStep, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanContent:
    """Everything a plan says; one revision stores one of these (`as_dict`, read back with `from_dict`)."""

    title: str
    target_kind: str
    target_id: str
    priority: str
    status: str
    starts_on: date
    measures: str = ""  # measures of success: what the desired outcome looks like
    measure_kpis: tuple[str, ...] = ()  # the KPIs it expects to move
    lead_user_id: int | None = None
    lead_name: str = ""  # a named officer when the lead is not a user
    actions: tuple[PlanAction, ...] = ()

    def steps(self) -> tuple[tuple[int, int, PlanAction, PlanStep], ...]:
        """Every step with its action's and its own number (from 1)."""
        return tuple(
            (a, s, action, step)
            for a, action in enumerate(self.actions, start=1)
            for s, step in enumerate(action.steps, start=1)
        )

    def overdue_steps(self, today: date) -> tuple[tuple[int, int, PlanAction, PlanStep], ...]:
        return tuple(entry for entry in self.steps() if entry[3].overdue(today))

    def next_steps(self, today: date, limit: int = 3) -> tuple[tuple[int, int, PlanAction, PlanStep], ...]:
        """Unfinished steps, soonest due first (overdue ones lead, undated last): what a board asks about."""
        open_steps = [e for e in self.steps() if e[3].status not in FINISHED_WORK]
        return tuple(sorted(open_steps, key=lambda e: (e[3].due_on or date.max, e[0], e[1]))[:limit])

    @property
    def total_cost(self) -> Decimal | None:
        costs = [a.cost for a in self.actions if a.cost is not None]
        return sum(costs, Decimal(0)) if costs else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "target_kind": self.target_kind,
            "target_id": self.target_id,
            "priority": self.priority,
            "status": self.status,
            "starts_on": self.starts_on.isoformat(),
            "measures": self.measures,
            "measure_kpis": list(self.measure_kpis),
            "lead_user_id": self.lead_user_id,
            "lead_name": self.lead_name,
            "actions": [
                {
                    "title": a.title,
                    "owner": a.owner,
                    "cost": None if a.cost is None else str(a.cost),
                    "status": a.status,
                    "steps": [
                        {
                            "text": s.text,
                            "due_on": s.due_on.isoformat() if s.due_on else None,
                            "owner": s.owner,
                            "status": s.status,
                        }
                        for s in a.steps
                    ],
                }
                for a in self.actions
            ],
        }

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> PlanContent:
        """A stored revision back as values (stored ones were checked when saved)."""
        return cls(
            title=body["title"],
            target_kind=body["target_kind"],
            target_id=body["target_id"],
            priority=body["priority"],
            status=body["status"],
            starts_on=date.fromisoformat(body["starts_on"]),
            measures=body.get("measures", ""),
            measure_kpis=tuple(body.get("measure_kpis", ())),
            lead_user_id=body.get("lead_user_id"),
            lead_name=body.get("lead_name", ""),
            actions=tuple(
                PlanAction(
                    title=a["title"],
                    owner=a.get("owner", ""),
                    cost=None if a.get("cost") is None else Decimal(a["cost"]),
                    status=a.get("status", "not_started"),
                    steps=tuple(
                        PlanStep(
                            s["text"],
                            date.fromisoformat(s["due_on"]) if s.get("due_on") else None,
                            s.get("owner", ""),
                            s["status"],
                        )
                        for s in a.get("steps", ())
                    ),
                )
                for a in body.get("actions", ())
            ),
        )


@dataclass(frozen=True, slots=True)
class Targets:
    """What a plan in this framework may address, and name as its lead and measures: plain ids."""

    outcomes: Collection[str] = ()
    kpis: Collection[str] = ()
    standards: Collection[str] = ()  # "<survey id>/<section id>"
    users: Collection[int] = ()  # users who may lead a plan

    def has(self, kind: str, target_id: str) -> bool:
        pool = {"outcome": self.outcomes, "kpi": self.kpis, "standard": self.standards}.get(kind, ())
        return target_id in pool


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem at one field: `field` is the form's field name (e.g. `actions-1-steps-2-due_on`)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def parse_cost(text: str) -> tuple[Decimal | None, str]:
    """Pounds as typed ('1200', '1,200.50', '£300'); ('', None) for blank; a message when it is not money."""
    cleaned = text.strip()
    if not cleaned:
        return None, ""
    if not _COST.match(cleaned):
        return None, f"'{cleaned}' is not an amount of money: give pounds, e.g. 1200 or 1,200.50"
    try:
        value = Decimal(cleaned.lstrip("£").strip().replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None, f"'{cleaned}' is not an amount of money"
    if value > MAX_COST:
        return None, "a cost over £1,000,000,000 is not plausible for one action"
    return value.quantize(Decimal("0.01")), ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    return "" if value is None else str(value).strip()


def _choice(problems: list[FieldProblem], name: str, value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        problems.append(FieldProblem(name, f"choose the {what}: one of {', '.join(allowed)}"))
    return value


def _limit(problems: list[FieldProblem], name: str, value: str, kind: str) -> None:
    if len(value) > LIMITS[kind]:
        problems.append(FieldProblem(name, f"at most {LIMITS[kind]:,} characters (this has {len(value):,})"))


def _blank_step(step: Mapping[str, Any]) -> bool:
    return not any(_text(step, k) for k in ("text", "due_on", "owner"))


def _blank_action(action: Mapping[str, Any]) -> bool:
    steps = action.get("steps") or ()
    return not any(_text(action, k) for k in ("title", "owner", "cost")) and all(
        _blank_step(s) for s in steps
    )


def check_plan(
    raw: Mapping[str, Any], targets: Targets
) -> tuple[PlanContent | None, tuple[FieldProblem, ...]]:
    """The plan the fields describe, or every problem with them (field names as the plan form names them).

    `raw` has the plan's keys as text and `actions`: a list of mappings with `title`, `owner`, `cost`,
    `status` and `steps` (a list of mappings with `text`, `due_on`, `owner`, `status`). Entirely blank
    actions and steps are left out, so a form with three empty slots of each says nothing about them.
    """
    problems: list[FieldProblem] = []
    title = _text(raw, "title")
    if not title:
        problems.append(FieldProblem("title", "give the plan a title"))
    _limit(problems, "title", title, "title")
    kind = _text(raw, "target_kind")
    target_id = _text(raw, "target_id")
    if kind not in TARGET_KINDS:
        problems.append(
            FieldProblem("target_kind", "choose what the plan addresses: an outcome, a KPI or a standard")
        )
    elif not target_id:
        problems.append(
            FieldProblem("target_id", f"choose the {TARGET_KIND_LABELS[kind].lower()} it addresses")
        )
    elif not targets.has(kind, target_id):
        problems.append(
            FieldProblem(
                "target_id", f"this framework has no {TARGET_KIND_LABELS[kind].lower()} '{target_id}'"
            )
        )
    priority = _choice(problems, "priority", _text(raw, "priority"), PRIORITIES, "priority (RAG)")
    status = _choice(problems, "status", _text(raw, "status") or "draft", PLAN_STATUSES, "status")
    starts_text = _text(raw, "starts_on")
    starts_on = _date(starts_text)
    if starts_on is None:
        problems.append(FieldProblem("starts_on", "give the date the plan starts as YYYY-MM-DD"))
    measures = _text(raw, "measures")
    _limit(problems, "measures", measures, "measures")
    measure_kpis = tuple(k for k in (raw.get("measure_kpis") or ()) if str(k).strip())
    unknown = [k for k in measure_kpis if k not in targets.kpis]
    if unknown:
        problems.append(
            FieldProblem("measure_kpis", f"this framework has no KPI {', '.join(map(repr, unknown))}")
        )
    lead_user_id = raw.get("lead_user_id") or None
    lead_name = _text(raw, "lead_name")
    _limit(problems, "lead_name", lead_name, "lead_name")
    if lead_user_id is not None:
        try:
            lead_user_id = int(lead_user_id)
        except (TypeError, ValueError):
            lead_user_id = -1
        if lead_user_id not in targets.users:
            problems.append(FieldProblem("lead_user_id", "choose a lead from the list, or name an officer"))
    if lead_user_id is None and not lead_name:
        problems.append(FieldProblem("lead_name", "name the plan's lead: choose a user or name an officer"))
    actions = _actions(raw.get("actions") or (), starts_on, problems)
    if problems or starts_on is None:
        return None, tuple(problems)
    return (
        PlanContent(
            title=title,
            target_kind=kind,
            target_id=target_id,
            priority=priority,
            status=status,
            starts_on=starts_on,
            measures=measures,
            measure_kpis=measure_kpis,
            lead_user_id=lead_user_id,
            lead_name=lead_name,
            actions=actions,
        ),
        (),
    )


def _checked_text(
    problems: list[FieldProblem], raw: Any, key: str, field: str, limit: str, missing: str = ""
) -> str:
    """A text field trimmed and held to its limit; `missing` is the problem when it is required and blank."""
    text = _text(raw, key)
    if missing and not text:
        problems.append(FieldProblem(field, missing))
    _limit(problems, field, text, limit)
    return text


def _actions(
    raw_actions: Any, starts_on: date | None, problems: list[FieldProblem]
) -> tuple[PlanAction, ...]:
    given = [a for a in raw_actions if not _blank_action(a)]
    if len(given) > MAX_ACTIONS:
        problems.append(
            FieldProblem("actions", f"a plan has at most {MAX_ACTIONS} actions; this one has {len(given)}")
        )
        return ()
    actions: list[PlanAction] = []
    for a, raw in enumerate(given, start=1):
        prefix = f"actions-{a}"
        title = _checked_text(
            problems, raw, "title", f"{prefix}-title", "action_title", f"say what action {a} is"
        )
        owner = _checked_text(problems, raw, "owner", f"{prefix}-owner", "owner")
        cost, message = parse_cost(_text(raw, "cost"))
        if message:
            problems.append(FieldProblem(f"{prefix}-cost", message))
        status = _choice(
            problems, f"{prefix}-status", _text(raw, "status") or "not_started", WORK_STATUSES, "status"
        )
        steps = [s for s in (raw.get("steps") or ()) if not _blank_step(s)]
        if len(steps) > MAX_STEPS:
            problems.append(
                FieldProblem(
                    f"{prefix}-steps", f"an action has at most {MAX_STEPS} steps; action {a} has {len(steps)}"
                )
            )
            steps = []
        checked = tuple(_step(step, a, s, starts_on, problems) for s, step in enumerate(steps, start=1))
        actions.append(PlanAction(title, owner, cost, status, checked))
    return tuple(actions)


def _step(raw: Any, a: int, s: int, starts_on: date | None, problems: list[FieldProblem]) -> PlanStep:
    """Step `s` of action `a`, its problems named by its fields."""
    where = f"actions-{a}-steps-{s}"
    text = _checked_text(
        problems, raw, "text", f"{where}-text", "step_text", f"say what step {s} of action {a} is"
    )
    due_text = _text(raw, "due_on")
    due_on = _date(due_text) if due_text else None
    if due_text and due_on is None:
        problems.append(FieldProblem(f"{where}-due_on", "give the date it is due as YYYY-MM-DD"))
    elif due_on is not None and starts_on is not None and due_on < starts_on:
        problems.append(
            FieldProblem(
                f"{where}-due_on",
                f"step {s} of action {a} is due on {due_on.isoformat()}, "
                f"before the plan starts ({starts_on.isoformat()})",
            )
        )
    owner = _checked_text(problems, raw, "owner", f"{where}-owner", "owner")
    status = _choice(
        problems, f"{where}-status", _text(raw, "status") or "not_started", WORK_STATUSES, "status"
    )
    return PlanStep(text, due_on, owner, status)

"""Every action plan of a framework as CSV, one row a step (issue 20), safe to open in a spreadsheet.

The columns are documented in docs/plans.md. A plan's own columns repeat on each of its steps' rows; an
action without steps, and a plan without actions, still gets one row, with the missing columns empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal

from tracker.domain.action_plans import PlanAction, PlanStep
from tracker.plans.reading import ShownPlan
from tracker.services.evidence_queries import neutralise

COLUMNS = (
    "plan_number",
    "title",
    "target_kind",
    "target_id",
    "target",
    "partner",
    "lead",
    "priority",
    "status",
    "starts_on",
    "measures",
    "action_number",
    "action_title",
    "action_owner",
    "action_cost",
    "action_status",
    "step_number",
    "step_text",
    "step_due",
    "step_owner",
    "step_status",
    "overdue",
    "revision",
    "updated_at",
)


def _cost(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _action_cells(a: int, action: PlanAction) -> list[str]:
    return [str(a), action.title, action.owner, _cost(action.cost), action.status]


def _step_cells(s: int, step: PlanStep, today: date) -> list[str]:
    return [
        str(s),
        step.text,
        step.due_on.isoformat() if step.due_on else "",
        step.owner,
        step.status,
        "yes" if step.overdue(today) else "no",
    ]


def _rows(plan: ShownPlan, today: date) -> Iterator[list[str]]:
    c = plan.content
    head = [
        str(plan.number),
        c.title,
        plan.target_kind,
        plan.target_id,
        plan.target_label,
        plan.partner,
        plan.lead,
        c.priority,
        c.status,
        c.starts_on.isoformat(),
        c.measures,
    ]
    tail = [str(plan.revision), plan.updated_at.replace(microsecond=0).isoformat()]
    no_action, no_step = [""] * 5, [""] * 6
    if not c.actions:
        yield [*head, *no_action, *no_step, *tail]
    for a, action in enumerate(c.actions, start=1):
        if not action.steps:
            yield [*head, *_action_cells(a, action), *no_step, *tail]
        for s, step in enumerate(action.steps, start=1):
            yield [*head, *_action_cells(a, action), *_step_cells(s, step, today), *tail]


def plans_csv(plans: Sequence[ShownPlan], today: date) -> str:
    """The plans (in plan number order) as CSV text; no cell can start a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for plan in sorted(plans, key=lambda p: p.number):
        for row in _rows(plan, today):
            writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()

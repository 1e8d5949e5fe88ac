"""A framework's action plans as JSON-ready values for the API, read through the plans package the pages use:
every signed-in role reads every plan, its history and its evaluators' comments there, and so here."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.api.reading_frameworks import Current, iso
from tracker.domain.action_plans import PlanAction
from tracker.plans import reading
from tracker.plans.reading import ShownPlan

CURRENCY = "GBP"  # plan costs are in pounds, as the form takes them


def _action(number: int, action: PlanAction, today: date) -> dict[str, Any]:
    return {
        "number": number,
        "title": action.title,
        "owner": action.owner or None,
        "cost": None if action.cost is None else float(action.cost),
        "status": action.status,
        "steps": [
            {
                "number": n,
                "text": step.text,
                "due_on": None if step.due_on is None else step.due_on.isoformat(),
                "owner": step.owner or None,
                "status": step.status,
                "overdue": step.overdue(today),
            }
            for n, step in enumerate(action.steps, start=1)
        ],
    }


def plan_entry(shown: ShownPlan, today: date) -> dict[str, Any]:
    """A plan as its page shows it; `overdue_steps` counts as the page's notice does (open plans only)."""
    c = shown.content
    total = c.total_cost
    return {
        "number": shown.number,
        "title": c.title,
        "target": {"kind": shown.target_kind, "id": shown.target_id, "label": shown.target_label},
        "partner": shown.partner or None,
        "lead": shown.lead or None,
        "priority": c.priority,
        "status": c.status,
        "open": shown.is_open,
        "starts_on": c.starts_on.isoformat(),
        "measures": c.measures,
        "measure_kpis": list(c.measure_kpis),
        "total_cost": None if total is None else float(total),
        "currency": CURRENCY,
        "overdue_steps": len(c.overdue_steps(today)) if shown.is_open else 0,
        "revision": shown.revision,
        "created_at": iso(shown.created_at),
        "updated_at": iso(shown.updated_at),
        "actions": [_action(n, a, today) for n, a in enumerate(c.actions, start=1)],
    }


def plans_page(session: Session, found: Current, after: int, limit: int, today: date) -> list[dict[str, Any]]:
    """Up to limit + 1 plans numbered after `after`, by number: three statements, whatever the page size."""
    shown = reading.plans_after(session, found.row, found.framework, after, limit + 1)
    return [plan_entry(p, today) for p in shown]


def plan_detail(session: Session, found: Current, number: int, today: date) -> dict[str, Any] | None:
    """One plan with its history (newest first) and comments (oldest first), as its page; None: none."""
    plan = reading.plan_by_number(session, found.row, number)
    shown = None if plan is None else reading.plan_numbered(session, found.row, found.framework, number)
    if plan is None or shown is None:
        return None
    return {
        **plan_entry(shown, today),
        "history": [
            {
                "revision": r.number,
                "saved_at": iso(r.saved_at),
                "saved_by": r.saved_by or None,
                "note": r.note,
            }
            for r in reading.history(session, plan)
        ],
        "comments": [
            {
                "author": c.author or None,
                "created_at": iso(c.created_at),
                "revision": c.revision,
                "body": c.body,
            }
            for c in reading.comments(session, plan)
        ],
    }

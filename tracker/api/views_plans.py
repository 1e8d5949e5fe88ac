"""GET a framework's action plans (paged, by number) and one plan with its history and comments."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response

from tracker.api import reading_plans as reading
from tracker.api.core import api_get, not_found, page_args, paged, problem, respond
from tracker.api.openapi import DATE, DATE_TIME, NULLABLE_STRING, get, nullable, obj, page_of, ref
from tracker.api.views_frameworks import current_or_404
from tracker.extensions import db


def _after(raw: Any) -> int:
    """The cursor's key: the number of the last plan of the page before."""
    if raw is None:
        return 0
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    problem(400, "Bad Request", "cursor is not one this API gave out: use next_cursor as it came.")


@api_get("/frameworks/<slug>/plans")
def plans(slug: str) -> Response:
    found = current_or_404(slug)
    page = page_args()
    rows = reading.plans_page(db.session, found, _after(page.after), page.limit, date.today())
    return respond(lambda: paged(rows, page, lambda plan: plan["number"]))


@api_get("/frameworks/<slug>/plans/<int:number>")
def plan(slug: str, number: int) -> Response:
    found = current_or_404(slug)
    body = reading.plan_detail(db.session, found, number, date.today())
    if body is None:
        not_found(f"plan {number} in framework {slug!r}")
    return respond(lambda: body)


# -- the document ------------------------------------------------------------------------------------------

_INT = {"type": "integer"}
_TEXT = {"type": "string"}
_MONEY = {"type": ["number", "null"]}
_WORK = {"enum": ["not_started", "in_progress", "done", "dropped"]}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


PLAN: dict[str, Any] = {
    "number": _INT,
    "title": _TEXT,
    "target": obj({"kind": {"enum": ["outcome", "kpi", "standard"]}, "id": _TEXT, "label": _TEXT}),
    "partner": NULLABLE_STRING,
    "lead": NULLABLE_STRING,
    "priority": {"enum": ["red", "amber", "green"]},
    "status": {"enum": ["draft", "agreed", "in_progress", "done", "dropped"]},
    "open": {"type": "boolean"},
    "starts_on": DATE,
    "measures": _TEXT,
    "measure_kpis": _array(_TEXT),
    "total_cost": _MONEY,
    "currency": {"const": "GBP"},
    "overdue_steps": _INT,
    "revision": _INT,
    "created_at": DATE_TIME,
    "updated_at": DATE_TIME,
    "actions": _array(
        obj(
            {
                "number": _INT,
                "title": _TEXT,
                "owner": NULLABLE_STRING,
                "cost": _MONEY,
                "status": _WORK,
                "steps": _array(
                    obj(
                        {
                            "number": _INT,
                            "text": _TEXT,
                            "due_on": nullable(DATE),
                            "owner": NULLABLE_STRING,
                            "status": _WORK,
                            "overdue": {"type": "boolean"},
                        }
                    )
                ),
            }
        )
    ),
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Plan": obj(PLAN),
    "PlanDetail": obj(
        {
            **PLAN,
            "history": _array(
                obj({"revision": _INT, "saved_at": DATE_TIME, "saved_by": NULLABLE_STRING, "note": _TEXT})
            ),
            "comments": _array(
                obj({"author": NULLABLE_STRING, "created_at": DATE_TIME, "revision": _INT, "body": _TEXT})
            ),
        }
    ),
}

OPENAPI_PATHS: dict[str, Any] = {
    "/frameworks/{slug}/plans": get(
        "The framework's action plans by number: target, lead, priority, status, actions and steps",
        page_of("Plan"),
        description=(
            "Every plan, as the plans page shows it to every signed-in role. A step is `overdue` when its "
            "due date has passed and it is neither done nor dropped; `overdue_steps` counts them on open "
            "plans. Costs are in pounds (`currency`)."
        ),
        parameters=("slug",),
        paged=True,
        tag="plans",
    ),
    "/frameworks/{slug}/plans/{number}": get(
        "One action plan with its history (newest first) and its evaluators' comments",
        ref("PlanDetail"),
        parameters=("slug", "number"),
        tag="plans",
    ),
}

"""The plan form as a browser posts it, and a plan made through the service, for the plan pages' tests."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from tracker.db.models import Framework, User
from tracker.extensions import db
from tracker.plans import service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

SLUG = "tiny-partnership"


def plan_form(actions: int = 3, steps: int = 3, **fields: str) -> dict[str, str]:
    """A whole plan's fields: `actions` actions of `steps` steps each, the rest of the slots left blank."""
    data = {
        "title": "Statutory placements for every student",
        "target": "outcome:more-statutory",
        "priority": "red",
        "status": "draft",
        "starts_on": "2024-06-01",
        "measures": "Nine in ten students have a statutory placement by March",
        "lead_user_id": "",
        "lead_name": "Principal social worker",
    }
    for a in range(1, 4):
        given = a <= actions
        data |= {
            f"actions-{a}-title": f"Action {a} of the plan" if given else "",
            f"actions-{a}-owner": "Head of placements" if given else "",
            f"actions-{a}-cost": f"{a},000" if given else "",
            f"actions-{a}-status": "not_started",
        }
        for s in range(1, 4):
            step = given and s <= steps
            data |= {
                f"actions-{a}-steps-{s}-text": f"Step {s} of action {a}" if step else "",
                f"actions-{a}-steps-{s}-due_on": f"2024-0{6 + s}-1{a}" if step else "",
                f"actions-{a}-steps-{s}-owner": f"Team {s}" if step else "",
                f"actions-{a}-steps-{s}-status": "not_started",
            }
    return data | fields


def raw_plan(**fields: Any) -> dict[str, Any]:
    """A plan as the service reads it (one action of one step)."""
    return {
        "title": "Support for practice educators",
        "target_kind": "outcome",
        "target_id": "educators-supported",
        "priority": "amber",
        "status": "agreed",
        "starts_on": "2024-06-01",
        "measures": "Every educator has supervision",
        "lead_name": "Practice lead",
        "actions": [
            {
                "title": "Monthly supervision",
                "owner": "Practice lead",
                "cost": "500",
                "status": "in_progress",
                "steps": [
                    {"text": "Agree a timetable", "due_on": "2024-07-01", "owner": "", "status": "done"}
                ],
            }
        ],
        **fields,
    }


def make_plan(app: Flask, email: str, **fields: Any) -> int:
    """A plan saved through the service by the user `email`; its number."""
    with app.app_context(), db.unit_of_work() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        framework = session.scalars(select(Framework).where(Framework.slug == SLUG)).one()
        saved = service.create_plan(
            session, Actor(user.email, user.role, user.id), Principal.of(user), framework, raw_plan(**fields)
        )
        return saved.plan.number

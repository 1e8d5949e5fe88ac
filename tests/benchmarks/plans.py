"""Action plans in a benchmark instance (issue 20): made through the real service, topped up to a count.

The first framework of a scale gets `PLANS[scale]` plans of three actions of three steps (the most a plan
holds), of every priority and status, half a partner lead's and half framework-wide (an admin's), led by a
user or by a named officer, against outcomes and KPIs: what the report's action plan section reads and draws.
Seeded, so two instances get the same plans; a cached instance made before issue 20 is topped up when used.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tracker.db.models import ActionPlan, Element, Framework, FrameworkPartner, Partner, User
from tracker.domain.action_plans import MAX_ACTIONS, MAX_STEPS, PLAN_STATUSES, PRIORITIES
from tracker.plans import service
from tracker.services import accounts
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

PLANS = {"national": 200, "100k": 200, "tiny": 20}
ADMIN_EMAIL = "bench-admin@bench.invalid"
LEAD_EMAIL = "bench-lead@bench.invalid"
PASSWORD = "Bench-plans-at-national-scale-7"
STARTS = date(2023, 4, 1)
# Open plans are most of them: draft, agreed and in progress four times as often as done or dropped.
STATUS_WEIGHTS = {"draft": 4, "agreed": 4, "in_progress": 4, "done": 1, "dropped": 1}


def raw_plan(n: int, targets: list[tuple[str, str]], lead_user_id: int, rng: random.Random) -> dict[str, Any]:
    """Plan `n`: its form's fields as text, as a lead would type them."""
    kind, target_id = targets[n % len(targets)]
    status = rng.choices(PLAN_STATUSES, [STATUS_WEIGHTS[s] for s in PLAN_STATUSES])[0]
    actions = []
    for a in range(1, MAX_ACTIONS + 1):
        steps = []
        for s in range(1, MAX_STEPS + 1):
            due = STARTS + timedelta(days=rng.randint(30, 600))
            done = status == "done" or rng.random() < 0.3
            steps.append(
                {
                    "text": f"Step {s} of action {a}: agree, deliver and report on the work (plan {n})",
                    "due_on": due.isoformat(),
                    "owner": rng.choice(("", "Team manager", "Practice educator lead")),
                    "status": "done" if done else rng.choice(("not_started", "in_progress")),
                }
            )
        actions.append(
            {
                "title": f"Action {a} of plan {n}: a workshop series with the partners",
                "owner": rng.choice(("Head of service", "Principal social worker", "Workforce lead")),
                "cost": str(rng.choice((0, 250, 1200, 4500))) if rng.random() < 0.7 else "",
                "status": "in_progress",
                "steps": steps,
            }
        )
    return {
        "title": f"Plan {n}: turn the curve on {target_id}",
        "target_kind": kind,
        "target_id": target_id,
        "priority": PRIORITIES[n % len(PRIORITIES)],
        "status": status,
        "starts_on": STARTS.isoformat(),
        "measures": "The target's rating or KPI status one step up by the next report, shown by accepted evidence.",
        "lead_user_id": str(lead_user_id) if n % 2 else "",
        "lead_name": "" if n % 2 else "Named officer",
        "actions": actions,
    }


def _user(session: Session, email: str, role: str, partner: str | None) -> User:
    found = session.scalars(select(User).where(User.email == email)).one_or_none()
    if found is not None:
        return found
    return accounts.create_user(session, Actor("benchmark generator"), email, role, PASSWORD, partner)


def ensure_plans(engine: Engine, scale_name: str, slug: str, log: Any = print) -> int:
    """Top the framework's plans up to the scale's count; returns how many it has."""
    wanted = PLANS.get(scale_name, 0)
    with Session(engine) as session:
        framework = session.scalars(select(Framework).where(Framework.slug == slug)).one()
        have = (
            session.scalar(select(func.count(ActionPlan.id)).where(ActionPlan.framework_id == framework.id))
            or 0
        )
        if have >= wanted:
            return have
        partner = session.scalars(
            select(Partner.slug)
            .join(FrameworkPartner, FrameworkPartner.partner_id == Partner.id)
            .where(FrameworkPartner.framework_id == framework.id)
            .order_by(Partner.slug)
        ).first()
        admin = _user(session, ADMIN_EMAIL, "admin", None)
        lead = _user(session, LEAD_EMAIL, "lead", partner)
        session.flush()
        targets = [
            (kind, element_slug)
            for kind, element_slug in session.execute(
                select(Element.kind, Element.slug)
                .where(Element.framework_id == framework.id, Element.kind.in_(("outcome", "kpi")))
                .order_by(Element.id)
            )
        ]
        rng = random.Random(f"bench-plans-{scale_name}")
        for n in range(1, wanted + 1):
            raw = raw_plan(n, targets, admin.id, rng)  # drawn for every n: the same plans however topped up
            if n <= have:
                continue
            who = lead if n % 2 else admin
            actor = Actor(who.email, who.role, who.id)
            service.create_plan(session, actor, Principal.of(who), framework, raw)
        session.commit()
    log(f"    {slug}: {wanted - have} action plans made through the service ({wanted} in all)")
    return wanted

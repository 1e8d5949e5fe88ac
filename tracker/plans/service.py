"""Writing action plans (issue 20): create, save a revision, comment; checked first, audited, never deleted.

Leads write their own partner's plans in frameworks their partner belongs to, admins any; evaluators (and
admins) comment; everyone signed in reads. Every save adds a revision with the whole plan, so the history
shows each version, and the audit trail records who changed what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db.models import ActionPlan, ActionPlanComment, ActionPlanRevision, Framework, User
from tracker.domain.action_plans import PLAN_STATUS_LABELS, FieldProblem, PlanContent, check_plan
from tracker.plans.targets import framework_partner_ids, plan_targets
from tracker.services.audit import Actor, record
from tracker.services.evidence import EditConflict, Refused
from tracker.services.permissions import Principal, can_comment_plan, can_write_plan

COMMENT_LIMIT = 4000


class PlanInvalid(ValueError):
    """The plan's fields have problems, each at its field; nothing was written."""

    def __init__(self, problems: tuple[FieldProblem, ...]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Saved:
    plan: ActionPlan
    revision: ActionPlanRevision


def _checked(
    session: Session, p: Principal, framework: Framework, raw: Mapping[str, Any], partner_id: int | None
) -> PlanContent:
    partner_ids = framework_partner_ids(session, framework.id)
    if not can_write_plan(p, partner_ids, partner_id):
        if p.role == "lead" and p.partner_id not in partner_ids:
            # The lead's partner is not a partner of this framework: its targets are another partner's.
            raise PlanInvalid(
                (
                    FieldProblem(
                        "target_id",
                        "your partner is not a partner of this framework: its outcomes, KPIs "
                        "and standards are planned by its own partners",
                    ),
                )
            )
        raise Refused("only admins and the leads of the plan's partner can write this plan")
    content, problems = check_plan(raw, plan_targets(session, framework))
    if content is None:
        raise PlanInvalid(problems)
    return content


def _changes(before: PlanContent | None, after: PlanContent) -> str:
    """What a save changed, in words, for the history."""
    if before is None:
        return "Created"
    said: list[str] = []
    if before.status != after.status:
        said.append(f"status {PLAN_STATUS_LABELS[before.status]} → {PLAN_STATUS_LABELS[after.status]}")
    if before.priority != after.priority:
        said.append(f"priority {before.priority} → {after.priority}")
    done_before = sum(s.status == "done" for *_, s in before.steps())
    done_after = sum(s.status == "done" for *_, s in after.steps())
    if done_after != done_before:
        said.append(f"steps done {done_before} → {done_after}")
    if (before.title, before.measures, before.actions, before.target_id, before.lead_name) != (
        after.title,
        after.measures,
        after.actions,
        after.target_id,
        after.lead_name,
    ) and not said:
        said.append("details edited")
    return "; ".join(said) or "saved without changes"


def create_plan(
    session: Session, actor: Actor, p: Principal, framework: Framework, raw: Mapping[str, Any]
) -> Saved:
    """A new plan, numbered next in its framework; a lead's plan is its partner's."""
    partner_id = p.partner_id if p.role == "lead" else None
    content = _checked(session, p, framework, raw, partner_id)
    number = (
        session.scalar(select(func.max(ActionPlan.number)).where(ActionPlan.framework_id == framework.id))
        or 0
    ) + 1
    plan = ActionPlan(
        framework_id=framework.id,
        number=number,
        target_kind=content.target_kind,
        target_id=content.target_id,
        partner_id=partner_id,
        title=content.title,
        status=content.status,
        priority=content.priority,
        starts_on=content.starts_on,
        revision=1,
        created_by_id=p.user_id,
    )
    session.add(plan)
    session.flush()
    revision = _revision(session, actor, plan, content, None)
    record(
        session,
        actor,
        "plan.create",
        object_type="action_plan",
        object_id=plan.id,
        framework_id=framework.id,
        after=content.as_dict(),
    )
    return Saved(plan, revision)


def _revision(
    session: Session, actor: Actor, plan: ActionPlan, content: PlanContent, before: PlanContent | None
) -> ActionPlanRevision:
    revision = ActionPlanRevision(
        plan_id=plan.id,
        number=plan.revision,
        body=content.as_dict(),
        note=_changes(before, content),
        saved_by_id=actor.user_id,
        saved_by=actor.label,
    )
    session.add(revision)
    return revision


def current_content(session: Session, plan: ActionPlan) -> PlanContent:
    body = session.scalar(
        select(ActionPlanRevision.body).where(
            ActionPlanRevision.plan_id == plan.id, ActionPlanRevision.number == plan.revision
        )
    )
    if body is None:  # pragma: no cover - every plan is created with its first revision
        raise LookupError(f"plan {plan.id} has no revision {plan.revision}")
    return PlanContent.from_dict(body)


def update_plan(
    session: Session,
    actor: Actor,
    p: Principal,
    framework: Framework,
    plan: ActionPlan,
    raw: Mapping[str, Any],
    seen_revision: int,
) -> Saved:
    """Save a new revision of the plan; refused when someone saved since this user opened it."""
    content = _checked(session, p, framework, raw, plan.partner_id)
    if seen_revision != plan.revision:
        raise EditConflict(
            f"this plan was saved again (revision {plan.revision}) after you opened revision "
            f"{seen_revision}: your changes were not saved; open the plan again to see the newer version"
        )
    before = current_content(session, plan)
    plan.revision += 1
    plan.target_kind = content.target_kind
    plan.target_id = content.target_id
    plan.title = content.title
    plan.status = content.status
    plan.priority = content.priority
    plan.starts_on = content.starts_on
    revision = _revision(session, actor, plan, content, before)
    session.flush()
    record(
        session,
        actor,
        "plan.update",
        object_type="action_plan",
        object_id=plan.id,
        framework_id=framework.id,
        before=before.as_dict(),
        after=content.as_dict(),
        detail=revision.note,
    )
    return Saved(plan, revision)


def comment_on_plan(
    session: Session, actor: Actor, p: Principal, plan: ActionPlan, text: str
) -> ActionPlanComment:
    if not can_comment_plan(p):
        raise Refused("only evaluators and admins comment on plans")
    body = text.strip()
    if not body:
        raise PlanInvalid((FieldProblem("body", "write the comment"),))
    if len(body) > COMMENT_LIMIT:
        raise PlanInvalid(
            (FieldProblem("body", f"at most {COMMENT_LIMIT:,} characters (this has {len(body):,})"),)
        )
    comment = ActionPlanComment(
        plan_id=plan.id, revision=plan.revision, body=body, author_id=p.user_id, author=actor.label
    )
    session.add(comment)
    session.flush()
    record(
        session,
        actor,
        "plan.comment",
        object_type="action_plan",
        object_id=plan.id,
        framework_id=plan.framework_id,
        after={"comment": body, "revision": plan.revision},
    )
    return comment


def lead_candidates(session: Session, framework: Framework) -> list[tuple[int, str]]:
    """Users who may lead a plan here: active admins, and active leads of the framework's partners."""
    partner_ids = framework_partner_ids(session, framework.id)
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.email))
    return [
        (u.id, u.email)
        for u in users
        if u.role == "admin" or (u.role == "lead" and u.partner_id in partner_ids)
    ]

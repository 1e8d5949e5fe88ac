"""Reading action plans for pages, the report and exports: each with its current content, in two queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from tracker.db.models import ActionPlan, ActionPlanComment, ActionPlanRevision, Framework, Partner, User
from tracker.domain.action_plans import OPEN_STATUSES, PRIORITIES, PlanContent
from tracker.domain.framework import Framework as DomainFramework
from tracker.domain.plan_prompts import PlanOwed, needing_plans
from tracker.plans.targets import TargetChoice, target_choices
from tracker.ratings.rating_set import RatingSet
from tracker.services.surveys import LatestRound


@dataclass(frozen=True)
class ShownPlan:
    """A plan as lists, its page and the report show it: its current content and who it belongs to."""

    id: int
    number: int
    target_kind: str
    target_id: str
    target_label: str
    partner: str  # the partner's name, or "" for a framework-wide plan
    partner_id: int | None
    lead: str  # the lead user's email, or the named officer
    content: PlanContent
    revision: int
    created_at: datetime
    updated_at: datetime

    @property
    def status(self) -> str:
        return self.content.status

    @property
    def priority(self) -> str:
        return self.content.priority

    @property
    def is_open(self) -> bool:
        return self.content.status in OPEN_STATUSES


def labels(f: DomainFramework) -> dict[tuple[str, str], TargetChoice]:
    return {(c.kind, c.id): c for c in target_choices(f)}


# The columns a shown plan needs, read as columns (not entities: a national report reads 200 plans, and an
# entity each, kept in the session, cost a fifth of the read).
_PLAN_COLUMNS = (
    ActionPlan.id,
    ActionPlan.number,
    ActionPlan.target_kind,
    ActionPlan.target_id,
    ActionPlan.partner_id,
    ActionPlan.revision,
    ActionPlan.created_at,
    ActionPlan.updated_at,
    ActionPlanRevision.body,
)


def _current(framework: Framework) -> Select[*tuple[Any, ...]]:
    """The framework's plans, each with its current revision's body."""
    return (
        select(*_PLAN_COLUMNS)
        .join(
            ActionPlanRevision,
            (ActionPlanRevision.plan_id == ActionPlan.id)
            & (ActionPlanRevision.number == ActionPlan.revision),
        )
        .where(ActionPlan.framework_id == framework.id)
        .order_by(ActionPlan.number)
    )


def plans_of(session: Session, framework: Framework, f: DomainFramework) -> tuple[ShownPlan, ...]:
    """Every plan of the framework with its current revision: open ones first by priority, then the rest."""
    return tuple(sorted(_shown(session, session.execute(_current(framework)).all(), f), key=order))


def plans_after(
    session: Session, framework: Framework, f: DomainFramework, after: int, limit: int
) -> tuple[ShownPlan, ...]:
    """Up to `limit` plans numbered after `after`, by number (a page of the API's list): three statements."""
    query = _current(framework).where(ActionPlan.number > after).limit(limit)
    return tuple(_shown(session, session.execute(query).all(), f))


def plan_numbered(
    session: Session, framework: Framework, f: DomainFramework, number: int
) -> ShownPlan | None:
    query = _current(framework).where(ActionPlan.number == number)
    found = _shown(session, session.execute(query).all(), f)
    return found[0] if found else None


def _shown(session: Session, rows: Sequence[Row[*tuple[Any, ...]]], f: DomainFramework) -> list[ShownPlan]:
    """Plans as pages show them, in the rows' order (`_PLAN_COLUMNS`): their leads' and partners' names in
    two statements."""
    if not rows:
        return []
    contents = [PlanContent.from_dict(r.body) for r in rows]  # each body parsed once
    names = _names(session, {r.partner_id for r in rows if r.partner_id is not None}, contents)
    chosen = labels(f)
    shown = []
    for plan, content in zip(rows, contents, strict=True):
        target = chosen.get((plan.target_kind, plan.target_id))
        shown.append(
            ShownPlan(
                id=plan.id,
                number=plan.number,
                target_kind=plan.target_kind,
                target_id=plan.target_id,
                target_label=target.label if target else f"{plan.target_id} (no longer in the framework)",
                partner=names.partners.get(plan.partner_id or 0, ""),
                partner_id=plan.partner_id,
                lead=names.users.get(content.lead_user_id or 0, "") or content.lead_name,
                content=content,
                revision=plan.revision,
                created_at=plan.created_at,
                updated_at=plan.updated_at,
            )
        )
    return shown


def order(plan: ShownPlan) -> tuple[int, int, int]:
    """Open plans first, red before amber before green, then by number."""
    return (0 if plan.is_open else 1, PRIORITIES.index(plan.priority), plan.number)


@dataclass(frozen=True)
class _Names:
    users: dict[int, str]
    partners: dict[int, str]


def _names(session: Session, partner_ids: set[int], contents: Sequence[PlanContent]) -> _Names:
    user_ids = {c.lead_user_id for c in contents if c.lead_user_id is not None}
    users = (
        {
            uid: email
            for uid, email in session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
        }
        if user_ids
        else {}
    )
    partners = (
        {
            pid: name
            for pid, name in session.execute(
                select(Partner.id, Partner.name).where(Partner.id.in_(partner_ids))
            )
        }
        if partner_ids
        else {}
    )
    return _Names(users, partners)


def plan_by_number(session: Session, framework: Framework, number: int) -> ActionPlan | None:
    return session.scalars(
        select(ActionPlan).where(ActionPlan.framework_id == framework.id, ActionPlan.number == number)
    ).one_or_none()


def history(session: Session, plan: ActionPlan) -> list[ActionPlanRevision]:
    """Every revision, newest first."""
    return list(
        session.scalars(
            select(ActionPlanRevision)
            .where(ActionPlanRevision.plan_id == plan.id)
            .order_by(ActionPlanRevision.number.desc())
        )
    )


def comments(session: Session, plan: ActionPlan) -> list[ActionPlanComment]:
    return list(
        session.scalars(
            select(ActionPlanComment)
            .where(ActionPlanComment.plan_id == plan.id)
            .order_by(ActionPlanComment.created_at, ActionPlanComment.id)
        )
    )


def standard_bands(surveys: Sequence[LatestRound]) -> list[tuple[str, str | None]]:
    """Each standard's band in its survey's latest round (overall, never a group's)."""
    return [
        (f"{latest.definition.id}/{section.section}", None if section.suppressed else section.band)
        for latest in surveys
        for section in latest.sections
    ]


def plans_needed(
    rated: RatingSet, plans: Sequence[ShownPlan], surveys: Sequence[LatestRound]
) -> tuple[PlanOwed, ...]:
    """The targets below the line with no agreed plan (tracker.domain.plan_prompts says which)."""
    f = rated.framework
    by_outcome = {r.outcome_id: r.rating for r in rated.ratings}
    outcomes = [(o.id, by_outcome[o.id]) for t in f.themes for o in t.outcomes if o.id in by_outcome]
    statuses = {k.kpi_id: k.status for k in rated.kpis}
    kpis = [(k.id, str(statuses[k.id])) for t in f.themes for k in t.kpis if k.id in statuses]
    return needing_plans(
        outcomes,
        kpis,
        standard_bands(surveys),
        [(p.target_kind, p.target_id, p.status, p.number) for p in plans],
    )


def overdue_count(plans: Sequence[ShownPlan], today: date) -> int:
    return sum(len(p.content.overdue_steps(today)) for p in plans if p.is_open)

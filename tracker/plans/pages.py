"""What the plan pages read (issue 20): the framework with the targets a plan may name, one plan as its page
shows it, and one revision; each in a fixed number of queries, so the views run none."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import (
    ActionPlan,
    ActionPlanRevision,
    Element,
    Framework,
    Partner,
    User,
)
from tracker.domain.action_plans import PlanContent
from tracker.domain.formats import sentence
from tracker.domain.framework import Framework as DomainFramework
from tracker.plans.reading import ShownPlan
from tracker.plans.targets import TargetChoice, domain_framework, framework_partner_ids, target_choices
from tracker.ratings import ratings_for


@dataclass(frozen=True)
class PlansContext:
    """A framework as the plan pages need it: its row, its current version and who belongs to it."""

    framework: Framework
    domain: DomainFramework
    partner_ids: frozenset[int]
    choices: tuple[TargetChoice, ...]  # what a new plan may address: current targets only
    labels: dict[tuple[str, str], TargetChoice]  # every target of the version, archived or not

    @property
    def slug(self) -> str:
        return self.framework.slug

    def label(self, kind: str, target_id: str) -> str:
        found = self.labels.get((kind, target_id))
        return found.label if found else f"{target_id} (no longer in the framework)"

    def has(self, kind: str, target_id: str) -> bool:
        return any(c.kind == kind and c.id == target_id for c in self.choices)


def plans_context(session: Session, slug: str) -> PlansContext | None:
    framework = session.scalars(select(Framework).where(Framework.slug == slug)).one_or_none()
    if framework is None:
        return None
    domain = domain_framework(session, framework)
    archived = set(
        session.scalars(
            select(Element.slug).where(Element.framework_id == framework.id, Element.archived_at.is_not(None))
        )
    )
    every = target_choices(domain)
    return PlansContext(
        framework,
        domain,
        frozenset(framework_partner_ids(session, framework.id)),
        tuple(c for c in every if c.id not in archived),
        {(c.kind, c.id): c for c in every},
    )


def shown_plan(session: Session, ctx: PlansContext, plan: ActionPlan) -> ShownPlan:
    """One plan with its current content, its partner's name and its lead's."""
    body = session.scalar(
        select(ActionPlanRevision.body).where(
            ActionPlanRevision.plan_id == plan.id, ActionPlanRevision.number == plan.revision
        )
    )
    if body is None:  # pragma: no cover - every plan is created with its first revision
        raise LookupError(f"plan {plan.id} has no revision {plan.revision}")
    content = PlanContent.from_dict(body)
    return _shown(session, ctx, plan, content, plan.revision)


def _shown(
    session: Session, ctx: PlansContext, plan: ActionPlan, content: PlanContent, revision: int
) -> ShownPlan:
    partner = (
        session.scalar(select(Partner.name).where(Partner.id == plan.partner_id))
        if plan.partner_id is not None
        else None
    )
    lead = (
        session.scalar(select(User.email).where(User.id == content.lead_user_id))
        if content.lead_user_id is not None
        else None
    )
    return ShownPlan(
        id=plan.id,
        number=plan.number,
        target_kind=content.target_kind,
        target_id=content.target_id,
        target_label=ctx.label(content.target_kind, content.target_id),
        partner=partner or "",
        partner_id=plan.partner_id,
        lead=lead or content.lead_name,
        content=content,
        revision=revision,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
    )


@dataclass(frozen=True)
class ShownRevision:
    """One save of a plan: what the plan said then, and who saved it, when and what changed."""

    plan: ShownPlan
    revision: ActionPlanRevision
    newest: int


def revision_of(session: Session, ctx: PlansContext, plan: ActionPlan, number: int) -> ShownRevision | None:
    revision = session.scalars(
        select(ActionPlanRevision).where(
            ActionPlanRevision.plan_id == plan.id, ActionPlanRevision.number == number
        )
    ).one_or_none()
    if revision is None:
        return None
    content = PlanContent.from_dict(revision.body)
    return ShownRevision(_shown(session, ctx, plan, content, number), revision, plan.revision)


def outcome_guidance(session: Session, slug: str, outcome_id: str) -> tuple[str, tuple[str, ...]]:
    """An outcome's rating now and what would raise it (as its page says), to start a plan's measures."""
    rated = ratings_for(session, slug, outcomes=[outcome_id], detail=True)
    if rated is None or outcome_id not in rated.detail:
        return "", ()
    rating = rated.detail[outcome_id]
    return rating.rating, tuple(sentence(step) for step in rating.next_steps)

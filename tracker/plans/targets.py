"""What a framework's plans may address and who may lead them, read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Element, Framework, FrameworkPartner, FrameworkVersion, User
from tracker.domain.action_plans import Targets
from tracker.domain.framework import Framework as DomainFramework
from tracker.services.frameworks import framework_of


@dataclass(frozen=True)
class TargetChoice:
    """One target as a form's list and a page name it."""

    kind: str
    id: str
    label: str
    theme: str = ""


def framework_partner_ids(session: Session, framework_id: int) -> set[int]:
    return set(
        session.scalars(
            select(FrameworkPartner.partner_id).where(
                FrameworkPartner.framework_id == framework_id, FrameworkPartner.archived_at.is_(None)
            )
        )
    )


def domain_framework(session: Session, framework: Framework) -> DomainFramework:
    version = session.scalars(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework.id,
            FrameworkVersion.version == framework.current_version,
        )
    ).one()
    return framework_of(version)


def target_choices(f: DomainFramework) -> list[TargetChoice]:
    """Every outcome, KPI and survey standard of the framework, in its order (standards: survey/section)."""
    choices: list[TargetChoice] = []
    for theme in f.themes:
        choices.extend(TargetChoice("outcome", o.id, o.text, theme.title) for o in theme.outcomes)
    for theme in f.themes:
        choices.extend(TargetChoice("kpi", k.id, k.name, theme.title) for k in theme.kpis)
    for survey in f.surveys:
        choices.extend(
            TargetChoice("standard", f"{survey.id}/{s.id}", s.title, survey.title) for s in survey.sections
        )
    return choices


def plan_targets(session: Session, framework: Framework) -> Targets:
    """The ids a plan here may name: current (not archived) outcomes and KPIs, standards, possible leads."""
    archived = set(
        session.scalars(
            select(Element.slug).where(Element.framework_id == framework.id, Element.archived_at.is_not(None))
        )
    )
    choices = [c for c in target_choices(domain_framework(session, framework)) if c.id not in archived]
    partner_ids = framework_partner_ids(session, framework.id)
    users = session.execute(select(User.id, User.role, User.partner_id).where(User.active.is_(True)))
    return Targets(
        outcomes=frozenset(c.id for c in choices if c.kind == "outcome"),
        kpis=frozenset(c.id for c in choices if c.kind == "kpi"),
        standards=frozenset(c.id for c in choices if c.kind == "standard"),
        users=frozenset(
            uid
            for uid, role, partner in users
            if role == "admin" or (role == "lead" and partner in partner_ids)
        ),
    )

"""What a survey's national, regional and local reports read beside the results (issue 21): the organisation
asked for (its access rule needs its partner), its partner's plans for the survey's standards, and which
reports a user may open, for the survey page's lists. Each is one statement."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tracker.db.models import ActionPlan, SurveyOrg
from tracker.services.permissions import Principal, can_view_org_report
from tracker.services.survey_orgs import stored_orgs


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A plan for one of the survey's standards (target `<survey>/<section>`), as its row holds it."""

    number: int
    title: str
    section: str
    status: str
    priority: str


@dataclass(frozen=True, slots=True)
class OrgLink:
    key: str
    name: str
    kind: str
    region: str


@dataclass(frozen=True, slots=True)
class ReportList:
    """The regions (everyone signed in) and the organisations this user may open a report of."""

    regions: tuple[str, ...]
    orgs: tuple[OrgLink, ...]
    all_orgs: int  # how many organisations the survey has, seen or not


def org_of(session: Session, framework_id: int, survey_id: str, key: str) -> SurveyOrg | None:
    return session.scalar(
        select(SurveyOrg).where(
            SurveyOrg.framework_id == framework_id,
            SurveyOrg.survey_slug == survey_id,
            SurveyOrg.org_key == key,
        )
    )


def _plans_query(framework_id: int, survey_id: str) -> Select[int, str, str, str, str, int | None]:
    return (
        select(
            ActionPlan.number,
            ActionPlan.title,
            ActionPlan.target_id,
            ActionPlan.status,
            ActionPlan.priority,
            ActionPlan.partner_id,
        )
        .where(
            ActionPlan.framework_id == framework_id,
            ActionPlan.target_kind == "standard",
            ActionPlan.target_id.startswith(f"{survey_id}/", autoescape=True),
        )
        .order_by(ActionPlan.number)
    )


def standard_plans(
    session: Session, framework_id: int, survey_id: str, partner_id: int | None
) -> tuple[PlanRow, ...]:
    """The plans of the organisation's partner for this survey's standards; none for an organisation that
    is no partner (a plan belongs to a partner, and only a partner's plans are the organisation's)."""
    if partner_id is None:
        return ()
    query = _plans_query(framework_id, survey_id).where(ActionPlan.partner_id == partner_id)
    prefix = f"{survey_id}/"
    return tuple(
        PlanRow(n, title, t.removeprefix(prefix), st, pr)
        for n, title, t, st, pr, _p in session.execute(query)
    )


def plans_by_partner(session: Session, framework_id: int, survey_id: str) -> dict[int, tuple[PlanRow, ...]]:
    """Every partner's plans for this survey's standards at once (the "all reports" set)."""
    prefix = f"{survey_id}/"
    found: dict[int, list[PlanRow]] = {}
    for n, title, t, st, pr, partner in session.execute(_plans_query(framework_id, survey_id)):
        if partner is not None:
            found.setdefault(partner, []).append(PlanRow(n, title, t.removeprefix(prefix), st, pr))
    return {partner: tuple(rows) for partner, rows in found.items()}


def partners_of(session: Session, framework_id: int, survey_id: str) -> dict[str, int | None]:
    """Each organisation's partner (None: the organisation is no partner of the framework)."""
    return {o.org_key: o.partner_id for o in stored_orgs(session, framework_id, survey_id)}


def report_list(session: Session, framework_id: int, survey_id: str, principal: Principal) -> ReportList:
    """Every region of the survey's organisations, and the organisations whose local report `principal`
    may see (`can_view_org_report`), by region then name."""
    orgs = stored_orgs(session, framework_id, survey_id)
    regions = tuple(sorted({o.region for o in orgs}, key=lambda r: (r.casefold(), r)))
    seen = sorted(
        (o for o in orgs if can_view_org_report(principal, o)),
        key=lambda o: (o.region.casefold(), o.name.casefold(), o.org_key),
    )
    return ReportList(regions, tuple(OrgLink(o.org_key, o.name, o.kind, o.region) for o in seen), len(orgs))

"""A survey's participating organisations: loaded from a CSV (all rows or none), added and updated, never
deleted, every change in the audit trail with the organisation's values before and after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.db.models import Partner, SurveyOrg
from tracker.domain.problems import ProblemLog, ProblemsFound
from tracker.domain.survey_orgs import OrgRow, check_one_org, parse_orgs
from tracker.domain.surveys import SurveyDefinition
from tracker.services import evidence as evidence_service
from tracker.services.audit import Actor, record
from tracker.services.evidence import Refused
from tracker.services.import_rows import MAX_CSV_BYTES, MAX_ROWS
from tracker.services.permissions import Principal, can_manage_survey_orgs
from tracker.services.surveys import SurveyNotFound, definition_of, org_keys

__all__ = [
    "NoOrganisations",
    "OrgChoices",
    "OrgsLoad",
    "add_org",
    "load_orgs",
    "org_choices",
    "org_keys",
    "organisations_survey",
    "stored_orgs",
]


class NoOrganisations(SurveyNotFound):
    """The survey exists but its definition does not say `organisations: true`."""


@dataclass
class OrgsLoad(ProblemsFound):
    """What a load did: the ids added and changed, how many were unchanged; or its problems."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class OrgChoices:
    """What the page adding one organisation offers: the regions already loaded, the framework's partners."""

    title: str
    regions: tuple[str, ...]
    partners: tuple[tuple[str, str], ...]  # (partner id, name), by name


def organisations_survey(session: Session, slug: str, survey_id: str) -> tuple[int, SurveyDefinition]:
    """The framework's row id and the survey's definition; NoOrganisations when it has none."""
    framework_id, definition = definition_of(session, slug, survey_id)
    if not definition.organisations:
        raise NoOrganisations(
            f"survey '{survey_id}' of framework '{slug}' has no participating organisations: "
            "its definition needs `organisations: true`"
        )
    return framework_id, definition


def stored_orgs(session: Session, framework_id: int, survey_id: str) -> list[SurveyOrg]:
    """The survey's organisations, by id."""
    return list(
        session.scalars(
            select(SurveyOrg)
            .where(SurveyOrg.framework_id == framework_id, SurveyOrg.survey_slug == survey_id)
            .order_by(SurveyOrg.org_key)
        )
    )


def org_choices(session: Session, slug: str, survey_id: str) -> OrgChoices:
    """The survey's title, its regions and the framework's partners; NoOrganisations when it has none."""
    framework_id, definition = organisations_survey(session, slug, survey_id)
    ctx = evidence_service.framework_context(session, slug)
    if ctx is None:  # definition_of found it: only a framework removed meanwhile
        raise SurveyNotFound(f"no framework has the id '{slug}'")
    regions = {org.region for org in stored_orgs(session, framework_id, survey_id)}
    return OrgChoices(
        definition.title,
        tuple(sorted(regions, key=lambda r: (r.casefold(), r))),
        tuple(sorted(((key, p.name) for key, p in ctx.partners.items()), key=lambda kp: kp[1].casefold())),
    )


def add_org(
    session: Session,
    actor: Actor,
    p: Principal,
    slug: str,
    survey_id: str,
    values: Mapping[str, str],
) -> OrgsLoad:
    """Add one organisation with a CSV row's checks (its id must be new); nothing when anything is wrong."""
    if not can_manage_survey_orgs(p):
        raise Refused("only administrators may add a survey's participating organisations")
    framework_id, _definition = organisations_survey(session, slug, survey_id)
    ctx = evidence_service.framework_context(session, slug)
    if ctx is None:  # definition_of found it: only a framework removed meanwhile
        raise SurveyNotFound(f"no framework has the id '{slug}'")
    loaded = {org.org_key: org.region for org in stored_orgs(session, framework_id, survey_id)}
    row, problems = check_one_org(values, ctx.partners.keys(), loaded)
    if row is None:
        return OrgsLoad.failed(problems)
    try:
        with session.begin_nested():  # another admin adding the same id at the same moment: its problem
            _add(session, actor, framework_id, survey_id, row, ctx.partners)
            session.flush()
    except IntegrityError:
        clash = ProblemLog()
        clash.add(1, f"organisation '{row.org}' is already loaded; change it by loading a CSV", column="org")
        return OrgsLoad.failed(clash)
    return OrgsLoad(added=[row.org])


def _values(org: SurveyOrg, partner_slugs: dict[int, str]) -> dict[str, Any]:
    """A stored organisation's values, in the form OrgRow.values gives them."""
    return {
        "org": org.org_key,
        "org_name": org.name,
        "kind": org.kind,
        "region": org.region,
        "partner": partner_slugs.get(org.partner_id, "") if org.partner_id is not None else "",
    }


def load_orgs(
    session: Session,
    actor: Actor,
    p: Principal,
    slug: str,
    survey_id: str,
    raw: bytes,
    *,
    source_name: str = "",
) -> OrgsLoad:
    """Add the file's new organisations and update the changed ones (all rows or none); delete none."""
    if not can_manage_survey_orgs(p):
        raise Refused("only administrators may load a survey's participating organisations")
    framework_id, _definition = organisations_survey(session, slug, survey_id)
    ctx = evidence_service.framework_context(session, slug)
    if ctx is None:  # definition_of found it: only a framework removed meanwhile
        raise SurveyNotFound(f"no framework has the id '{slug}'")
    existing = {org.org_key: org for org in stored_orgs(session, framework_id, survey_id)}
    rows, problems = parse_orgs(
        raw,
        ctx.partners.keys(),
        {key: org.region for key, org in existing.items()},
        max_bytes=MAX_CSV_BYTES,
        max_rows=MAX_ROWS,
    )
    if problems:
        return OrgsLoad.failed(problems)
    partner_slugs = _partner_slugs(session, existing.values())
    partner_slugs.update((partner.id, partner_slug) for partner_slug, partner in ctx.partners.items())
    result = OrgsLoad()
    for row in rows:
        current = existing.get(row.org)
        if current is None:
            _add(session, actor, framework_id, survey_id, row, ctx.partners)
            result.added.append(row.org)
            continue
        before = _values(current, partner_slugs)
        after = {**row.values(), "partner": before["partner"] if row.partner is None else row.partner}
        if after == before:
            result.unchanged += 1
            continue
        current.name, current.kind, current.region = row.name, row.kind, row.region
        if row.partner is not None:  # not given: kept as stored (even a partner that has left the framework)
            current.partner_id = ctx.partners[row.partner].id if row.partner else None
        record(
            session,
            actor,
            "survey_org.update",
            object_type="survey_org",
            object_id=f"{survey_id}/{row.org}",
            framework_id=framework_id,
            before=before,
            after=after,
            detail=f"from {source_name}" if source_name else "",
        )
        result.changed.append(row.org)
    session.flush()
    record(
        session,
        actor,
        "survey_org.load",
        object_type="survey",
        object_id=survey_id,
        framework_id=framework_id,
        after={
            "file": source_name,
            "added": result.added,
            "changed": result.changed,
            "unchanged": result.unchanged,
        },
    )
    return result


def _add(
    session: Session,
    actor: Actor,
    framework_id: int,
    survey_id: str,
    row: OrgRow,
    partners: dict[str, Partner],
) -> None:
    session.add(
        SurveyOrg(
            framework_id=framework_id,
            survey_slug=survey_id,
            org_key=row.org,
            name=row.name,
            kind=row.kind,
            region=row.region,
            partner_id=partners[row.partner].id if row.partner else None,
        )
    )
    record(
        session,
        actor,
        "survey_org.add",
        object_type="survey_org",
        object_id=f"{survey_id}/{row.org}",
        framework_id=framework_id,
        after={**row.values(), "partner": row.partner or ""},
    )


def _partner_slugs(session: Session, orgs: Iterable[SurveyOrg]) -> dict[int, str]:
    """Slugs of the partners stored organisations name (one may have left the framework since)."""
    ids = {org.partner_id for org in orgs if org.partner_id is not None}
    if not ids:
        return {}
    return {p.id: p.slug for p in session.scalars(select(Partner).where(Partner.id.in_(ids)))}

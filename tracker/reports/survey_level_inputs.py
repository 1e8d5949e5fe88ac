"""What a survey level report reads, read in one place: the page, its PDF, `tracker survey report` and the
"all reports" job build the same model from the same reads (the stored results, the levels it is compared
with, the organisation's strips and its partner's plans)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.db.models import SurveyOrg
from tracker.domain.survey_level_results import Level, LevelResult, RegionRow
from tracker.domain.surveys import SurveyDefinition
from tracker.reports.survey_level_model import LevelReport, StandardPlan, build_report
from tracker.services import survey_levels as levels_service
from tracker.services import survey_reports
from tracker.services import surveys as survey_service
from tracker.services.survey_orgs import organisations_survey
from tracker.services.surveys import SurveyNotFound

STRIP_OVERALL = ""  # how the stored strips name the overall figure


@dataclass(frozen=True)
class Target:
    """The survey a report is of, and for a local report the organisation (its access rule needs it)."""

    slug: str
    framework_id: int
    definition: SurveyDefinition
    org: SurveyOrg | None = None


def target_of(session: Session, slug: str, survey_id: str, level: Level, key: str = "") -> Target:
    """The survey (with participating organisations) and, for level "org", the organisation; SurveyNotFound
    (with what is missing) otherwise."""
    framework_id, definition = organisations_survey(session, slug, survey_id)
    if level != "org":
        return Target(slug, framework_id, definition)
    org = survey_reports.org_of(session, framework_id, survey_id, key)
    if org is None:
        raise SurveyNotFound(f"survey '{survey_id}' has no organisation '{key[:64]}'")
    return Target(slug, framework_id, definition, org)


def round_labels(session: Session, target: Target) -> tuple[str, ...]:
    return tuple(r.label for r in survey_service.rounds(session, target.framework_id, target.definition.id))


def plans_of(rows: Sequence[survey_reports.PlanRow]) -> tuple[StandardPlan, ...]:
    return tuple(StandardPlan(p.number, p.title, p.section, p.status, p.priority) for p in rows)


def named_strips(strips: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, Sequence[tuple[str, float]]]:
    """The stored strips keyed as the report model keys them ("overall" for the overall figure)."""
    return {("overall" if key == STRIP_OVERALL else key): marks for key, marks in strips.items()}


def report_of(
    session: Session, target: Target, level: Level, key: str = "", round_label: str | None = None
) -> LevelReport | None:
    """The report of one level of a round (default: the latest), or None when the survey has no such round
    or region. A constant number of statements once the round's results are stored."""
    definition = target.definition
    page = levels_service.page_for(session, target.framework_id, definition, level, key, round_label)
    if page is None:
        return None
    result = page.result
    label = result.round_label

    def other(other_level: Level, other_key: str = "") -> LevelResult | None:
        return levels_service.level_for(
            session, target.framework_id, definition, other_level, other_key, label
        )

    if level == "national":
        return build_report(definition, result, framework_id=target.slug, regions=page.by_region)
    if level == "region":
        return build_report(definition, result, framework_id=target.slug, national=other("national"))
    org = result.organisation
    partner = None if target.org is None else target.org.partner_id
    return build_report(
        definition,
        result,
        framework_id=target.slug,
        region=None if org is None or not result.reportable else other("region", org.region),
        national=other("national") if result.reportable else None,
        strips=named_strips(page.strips),
        plans=plans_of(survey_reports.standard_plans(session, target.framework_id, definition.id, partner)),
    )


def every_report(
    session: Session, target: Target, round_label: str | None = None
) -> tuple[str, list[LevelReport]] | None:
    """The national report, each region's and each organisation's of one round, from one read of the round
    (the "all reports" set); None when the survey has no such round."""
    definition = target.definition
    found = levels_service.national_for(session, target.framework_id, definition, round_label)
    if found is None:
        return None
    orgs = survey_reports.partners_of(session, target.framework_id, definition.id)
    plans = survey_reports.plans_by_partner(session, target.framework_id, definition.id)
    sections: list[str | None] = [None, *(s.id for s in definition.sections)]
    by_region: tuple[RegionRow, ...] = found.by_region
    reports = [build_report(definition, found.national, framework_id=target.slug, regions=by_region)]
    reports += [
        build_report(definition, region, framework_id=target.slug, national=found.national)
        for region in found.regions.values()
    ]
    for org_id, result in found.orgs.items():
        org = result.organisation
        strips = {} if org is None else {s or "overall": found.strip(s, org.kind) for s in sections}
        reports.append(
            build_report(
                definition,
                result,
                framework_id=target.slug,
                region=None if org is None or not result.reportable else found.regions.get(org.region),
                national=found.national if result.reportable else None,
                strips=strips,
                plans=plans_of(plans.get(orgs.get(org_id) or 0, ())),
            )
        )
    return found.round_label, reports

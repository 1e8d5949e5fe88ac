"""Surveys, their rounds and a round's results as JSON-ready values for the API, read through the survey
services the pages use, so a figure the pages withhold (a group under the threshold) has no value here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tracker.api.reading_frameworks import Current, iso
from tracker.db.models import SurveyRound
from tracker.domain.survey_level_results import Level, LevelResult
from tracker.domain.surveys import (
    GroupResult,
    SectionResult,
    SurveyDefinition,
    change_points,
    rounded_score,
)
from tracker.services import survey_levels as levels_service
from tracker.services import survey_reports
from tracker.services import surveys as survey_service
from tracker.services.permissions import Principal, can_view_level_report, can_view_org_report

NATIONAL = "national"


class BadParameter(ValueError):
    """A query parameter the survey does not have; `name` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def definition_in(found: Current, survey_id: str) -> SurveyDefinition | None:
    definition: SurveyDefinition | None = next(
        (s for s in found.framework.surveys if s.id == survey_id), None
    )
    return definition


def _round(r: SurveyRound, previous: SurveyRound | None) -> dict[str, Any]:
    return {
        "id": r.id,
        "label": r.label,
        "respondents": r.respondents,
        "imported_at": iso(r.imported_at),
        "previous_round": None if previous is None else previous.label,
    }


def _rounds(available: list[SurveyRound]) -> list[dict[str, Any]]:
    return [_round(r, available[i - 1] if i else None) for i, r in enumerate(available)]


def survey_entry(definition: SurveyDefinition, available: list[SurveyRound]) -> dict[str, Any]:
    return {
        "id": definition.id,
        "title": definition.title,
        "organisations": definition.organisations,
        "min_group_size": definition.min_group_size,
        "bands": {"good": definition.bands.good, "moderate": definition.bands.moderate},
        "breakdowns": list(definition.breakdowns),
        "characteristics": list(definition.characteristics),
        "sections": [
            {"id": s.id, "title": s.title, "questions": [{"id": q, "text": t} for q, t in s.questions]}
            for s in definition.sections
        ],
        "rounds": _rounds(available),
    }


def surveys(session: Session, found: Current) -> list[dict[str, Any]]:
    """Each survey of the current version with its current rounds: one statement a survey."""
    return [
        survey_entry(d, survey_service.rounds(session, found.row.id, d.id)) for d in found.framework.surveys
    ]


@dataclass(frozen=True)
class RoundRef:
    """A current round of a survey, and the one imported before it (what its changes are measured from)."""

    found: Current
    definition: SurveyDefinition
    round: SurveyRound
    previous: SurveyRound | None


def round_of(session: Session, found: Current, survey_id: str, round_id: int) -> RoundRef | None:
    """The survey's current round with this id; None for another survey's, a replaced one or none."""
    definition = definition_in(found, survey_id)
    if definition is None:
        return None
    available = survey_service.rounds(session, found.row.id, survey_id)
    this = next((r for r in available if r.id == round_id), None)
    if this is None:
        return None
    return RoundRef(found, definition, this, survey_service.previous_round(available, this))


# -- a round as the survey page shows it ---------------------------------------------------------------


def _score(score: float | None, withheld: bool) -> tuple[float | None, int | None]:
    return (None, None) if withheld or score is None else (score, rounded_score(score))


def _group(g: GroupResult) -> dict[str, Any]:
    withheld = g.suppressed or g.score is None
    score, shown = _score(g.score, withheld)
    return {
        "group": g.group,
        "n": g.n,
        "score": score,
        "score_shown": shown,
        "band": None if withheld else g.band,
        "suppressed": withheld,
    }


def _section(r: SectionResult) -> dict[str, Any]:
    withheld = r.suppressed or r.score is None
    score, shown = _score(r.score, withheld)
    change = r.change
    return {
        "section": r.section,
        "title": r.title,
        "n": r.n,
        "score": score,
        "score_shown": shown,
        "band": None if withheld else r.band,
        "agree_pct": None if withheld else r.agree_pct,
        "suppressed": withheld,
        "change": None
        if change is None
        else {
            "value": change.value,
            "shown": change_points(change.value),
            "unit": "points",
            "from_round": change.from_round,
        },
        "groups": [_group(g) for g in r.groups],
    }


def _levels(session: Session, ref: RoundRef, p: Principal) -> list[dict[str, Any]]:
    """The national report, each region's, and the organisations' whose local report this user may see."""
    listed = survey_reports.report_list(session, ref.found.row.id, ref.definition.id, p)
    levels: list[dict[str, Any]] = [{"level": NATIONAL, "name": "National", "region": None, "kind": None}]
    levels += [{"level": f"region:{r}", "name": r, "region": r, "kind": None} for r in listed.regions]
    levels += [
        {"level": f"org:{o.key}", "name": o.name, "region": o.region, "kind": o.kind} for o in listed.orgs
    ]
    return levels


def round_results(session: Session, ref: RoundRef, by: str | None, p: Principal) -> dict[str, Any]:
    """Section scores (by a breakdown), the change since the round before and the distance travelled, as
    the survey page shows them; for a survey of organisations the levels its reports are at instead."""
    d, label = ref.definition, ref.round.label
    body: dict[str, Any] = {
        "survey": d.id,
        "round": _round(ref.round, ref.previous),
        "min_group_size": d.min_group_size,
        "by": by,
        "sections": [],
        "distance": None,
        "levels": None,
    }
    if d.organisations:  # figures only from the level results, with their suppression across levels
        if by is not None:
            raise BadParameter("by", "by is not offered for a survey of organisations: read its levels.")
        return {**body, "levels": _levels(session, ref, p)}
    if by is not None and by not in d.breakdowns:
        offered = ", ".join(d.breakdowns) or "none"
        raise BadParameter("by", f"by must be a breakdown of survey {d.id!r} ({offered}); got {by[:40]!r}.")
    _d, _r, scored = survey_service.results(session, ref.found.row.slug, d.id, label, by)
    distance = survey_service.distance_since_previous(session, ref.found.row.slug, d.id, label)
    return {
        **body,
        "sections": [_section(r) for r in scored],
        "distance": None
        if distance is None
        else {"from_round": distance.previous, "sections": [r.to_json() for r in distance.results]},
    }


# -- a level of a survey of organisations ------------------------------------------------------------------


def parse_level(level_id: str) -> tuple[Level, str] | None:
    """'national', 'region:<name>' or 'org:<id>' as (level, key); None for anything else."""
    if level_id == NATIONAL:
        return "national", ""
    kind, sep, key = level_id.partition(":")
    if not sep or not key:
        return None
    if kind == "region":
        return "region", key
    if kind == "org":
        return "org", key
    return None


@dataclass(frozen=True)
class LevelTarget:
    """A level of a round this user may read (it may still not exist: a region is checked with the round)."""

    ref: RoundRef
    id: str
    level: Level
    key: str


def level_target(session: Session, ref: RoundRef, level_id: str, p: Principal) -> LevelTarget | None:
    """The level asked for, or None when it is no level or this user may not see it (an organisation's
    local report: admins, evaluators and its own partner's leads, as on the web)."""
    parsed = parse_level(level_id)
    if parsed is None or not ref.definition.organisations or not can_view_level_report(p):
        return None
    level, key = parsed
    if level == "org":
        org = survey_reports.org_of(session, ref.found.row.id, ref.definition.id, key)
        if org is None or not can_view_org_report(p, org):
            return None
    return LevelTarget(ref, level_id, level, key)


def level_results(session: Session, target: LevelTarget) -> dict[str, Any] | None:
    """One level of a round from its stored results, computed and stored the first time (so the caller
    gives a session that may write); None when the round has no such region or organisation."""
    ref = target.ref
    definition = ref.definition
    page = levels_service.page_for(
        session, ref.found.row.id, definition, target.level, target.key, ref.round.label
    )
    if page is None:
        return None
    return {
        "survey": definition.id,
        "level": target.id,
        "round": _round(ref.round, ref.previous),
        "min_group_size": definition.min_group_size,
        **_level_body(page.result),
        "regions": [row.to_json() for row in page.by_region] if target.level == "national" else [],
    }


def _level_body(result: LevelResult) -> dict[str, Any]:
    """The stored level as its JSON (every suppressed figure already without its values); an organisation
    without a local report (too few completed) says why and shows nothing else, as its page does."""
    body = result.to_json()
    for named_above in ("level", "key", "round", "previous_round"):
        del body[named_above]
    if not result.reportable:
        body["completed_by"] = []
        body["sections"] = []
        body["overall"] = {**body["overall"], "breakdowns": [], "characteristics": []}
    return body

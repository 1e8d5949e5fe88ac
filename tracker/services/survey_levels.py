"""A survey round's national, regional and local results (issue 21), as the pages and reports read them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy.orm import Session

from tracker.db.models import SurveyRound
from tracker.domain.survey_level_results import (
    Level,
    LevelResult,
    NationalRound,
    Organisation,
    RegionRow,
)
from tracker.domain.survey_levels import national_round
from tracker.domain.surveys import SurveyDefinition
from tracker.services.survey_orgs import stored_orgs
from tracker.services.surveys import responses_of, rounds

Strip = tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class LevelPage:
    """What one report page needs beside its level: the strips of an organisation's kind, or by region."""

    result: LevelResult
    strips: Mapping[str, Strip] = field(default_factory=lambda: MappingProxyType({}))  # "" overall
    by_region: tuple[RegionRow, ...] = ()  # national level


def _chosen(
    session: Session, framework_id: int, survey_id: str, round_label: str | None
) -> tuple[SurveyRound, SurveyRound | None] | None:
    """The round asked for (default: the latest) and the current round imported before it."""
    available = rounds(session, framework_id, survey_id)
    if not available:
        return None
    if round_label is None:
        this = available[-1]
    else:
        found = next((r for r in available if r.label == round_label), None)
        if found is None:
            return None
        this = found
    earlier = [r for r in available if r.id < this.id]
    return this, earlier[-1] if earlier else None


def national_for(
    session: Session, framework_id: int, definition: SurveyDefinition, round_label: str | None = None
) -> NationalRound | None:
    """Every level of a round (default: the latest) against the one before it; None without such a round."""
    chosen = _chosen(session, framework_id, definition.id, round_label)
    if chosen is None:
        return None
    this, before = chosen
    organisations = [
        Organisation(o.org_key, o.name, o.kind, o.region)
        for o in stored_orgs(session, framework_id, definition.id)
    ]
    return national_round(
        definition,
        organisations,
        responses_of(session, definition, this),
        () if before is None else responses_of(session, definition, before),
        round_label=this.label,
        previous_label=None if before is None else before.label,
    )


def level_for(
    session: Session,
    framework_id: int,
    definition: SurveyDefinition,
    level: Level,
    key: str = "",
    round_label: str | None = None,
) -> LevelResult | None:
    """One level of a round (national: key ""; a region's name; an organisation's id), or None."""
    found = national_for(session, framework_id, definition, round_label)
    return None if found is None else found.level(level, key)


def page_for(
    session: Session,
    framework_id: int,
    definition: SurveyDefinition,
    level: Level,
    key: str = "",
    round_label: str | None = None,
) -> LevelPage | None:
    """One level with what its page draws beside it: by region (national), its kind's strips (org)."""
    found = national_for(session, framework_id, definition, round_label)
    result = None if found is None else found.level(level, key)
    if found is None or result is None:
        return None
    if level == "national":
        return LevelPage(result, by_region=found.by_region)
    if level == "org" and result.organisation is not None:
        kind = result.organisation.kind
        strips = {"": found.strip(None, kind)} | {s.id: found.strip(s.id, kind) for s in definition.sections}
        return LevelPage(result, strips=MappingProxyType(strips))
    return LevelPage(result)

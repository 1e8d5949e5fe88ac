"""A survey round's national, regional and local results (issue 21), stored once computed.

Reading and parsing a national round (20,000 rows) and running the engine takes seconds, so every level of
a round is stored (`survey_level_result`) the first time any is asked for, and a page reads one row. A
stored row is used only when what it was computed from is unchanged: the round and the round before it (in
`surveys.rounds` order; a replaced round is a new id in its label's place), FORMAT_VERSION, and digests of
the survey's definition and of its organisations. Nothing is deleted: rows that no longer match are ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, insert, null, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.db.models import SurveyLevelResult, SurveyOrg, SurveyRound
from tracker.domain.survey_level_digests import definition_digest, organisations_digest
from tracker.domain.survey_level_results import (
    Level,
    LevelResult,
    NationalRound,
    Organisation,
    RegionRow,
)
from tracker.domain.survey_levels import national_round
from tracker.domain.surveys import SurveyDefinition, did_you_mean
from tracker.services.surveys import SurveyNotFound, definition_of, previous_round, responses_of, rounds

__all__ = [
    "FORMAT_VERSION",
    "LevelPage",
    "Strip",
    "level_for",
    "level_of_round",
    "national_for",
    "page_for",
    "store_round",
]

log = logging.getLogger(__name__)

# Raise it whenever the engine's rules or the result types' JSON change: stored results of another
# version are then ignored and computed again (tests/services/test_survey_levels_stored.py pins it).
FORMAT_VERSION = 2
STRIPS = "strips"  # a stored row's level: the ranked strips of one kind (key), by section ("" overall)
BY_REGION = "by_region"  # a stored row's level: the national chart's rows, by region
OVERALL = ""

Strip = tuple[tuple[str, float], ...]  # (organisation id, shown score), best first


@dataclass(frozen=True, slots=True)
class LevelPage:
    """One level with what its page draws beside it: the strips of an organisation's kind by section
    ("" overall), or the national chart's rows by region."""

    result: LevelResult
    strips: Mapping[str, Strip] = field(default_factory=lambda: MappingProxyType({}))
    by_region: tuple[RegionRow, ...] = ()


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What a round's results are computed from, and the values a stored row must carry to be used."""

    this: SurveyRound
    before: SurveyRound | None
    organisations: tuple[Organisation, ...]
    definition_version: str
    orgs_version: str

    def regions(self) -> set[str]:
        return {o.region for o in self.organisations}

    def kinds(self) -> list[str]:
        return sorted({o.kind for o in self.organisations})

    def organisation(self, org_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == org_id), None)


def _inputs(
    session: Session, framework_id: int, definition: SurveyDefinition, round_label: str | None
) -> _Inputs | None:
    """The round asked for (default: the latest current one), the one imported before it, and the survey's
    organisations: two statements."""
    available = rounds(session, framework_id, definition.id)
    if round_label is None:
        this = available[-1] if available else None
    else:
        this = next((r for r in available if r.label == round_label), None)
    if this is None:
        return None
    organisations = tuple(
        Organisation(key, name, kind, region)
        for key, name, kind, region in session.execute(
            select(SurveyOrg.org_key, SurveyOrg.name, SurveyOrg.kind, SurveyOrg.region)
            .where(SurveyOrg.framework_id == framework_id, SurveyOrg.survey_slug == definition.id)
            .order_by(SurveyOrg.org_key)
        )
    )
    return _Inputs(
        this,
        previous_round(available, this),
        organisations,
        definition_digest(definition),
        organisations_digest(organisations),
    )


def _stored(
    session: Session, inputs: _Inputs, wanted: Sequence[tuple[str, str]] | None, *, bodies: bool = True
) -> dict[tuple[str, str], Any]:
    """Bodies (or None) of the matching stored rows by (level, key), the newest of each; `wanted` None:
    every row."""
    row = SurveyLevelResult
    query = select(row.level, row.key, row.body if bodies else null()).where(
        row.round_id == inputs.this.id,
        row.previous_round_id.is_(None)
        if inputs.before is None
        else row.previous_round_id == inputs.before.id,
        row.format_version == FORMAT_VERSION,
        row.definition_version == inputs.definition_version,
        row.orgs_version == inputs.orgs_version,
    )
    if wanted is not None:
        query = query.where(or_(*(and_(row.level == lv, row.key == key) for lv, key in wanted)))
    found: dict[tuple[str, str], Any] = {}
    for level, key, body in session.execute(query.order_by(row.id.desc())):
        found.setdefault((level, key), body)
    return found


def _compute(session: Session, definition: SurveyDefinition, inputs: _Inputs) -> NationalRound:
    before = inputs.before
    return national_round(
        definition,
        inputs.organisations,
        responses_of(session, definition, inputs.this),
        () if before is None else responses_of(session, definition, before),
        round_label=inputs.this.label,
        previous_label=None if before is None else before.label,
    )


def _strips(found: NationalRound, definition: SurveyDefinition, kind: str) -> dict[str, list[list[Any]]]:
    sections: list[str | None] = [None, *(s.id for s in definition.sections)]
    return {
        OVERALL if section is None else section: [[org, score] for org, score in found.strip(section, kind)]
        for section in sections
    }


def _rows(found: NationalRound, definition: SurveyDefinition, inputs: _Inputs) -> list[dict[str, Any]]:
    """One row per level, per kind of organisation (its strips) and for the chart by region."""
    bodies: list[tuple[str, str, Any]] = [("national", "", found.national.to_json())]
    bodies += [("region", name, result.to_json()) for name, result in found.regions.items()]
    bodies += [("org", key, result.to_json()) for key, result in found.orgs.items()]
    bodies += [(BY_REGION, "", [row.to_json() for row in found.by_region])]
    bodies += [(STRIPS, kind, _strips(found, definition, kind)) for kind in inputs.kinds()]
    common = {
        "round_id": inputs.this.id,
        "previous_round_id": None if inputs.before is None else inputs.before.id,
        "format_version": FORMAT_VERSION,
        "definition_version": inputs.definition_version,
        "orgs_version": inputs.orgs_version,
    }
    return [{**common, "level": level, "key": key, "body": body} for level, key, body in bodies]


def _store(session: Session, found: NationalRound, definition: SurveyDefinition, inputs: _Inputs) -> None:
    """Add the round's rows in a savepoint of the caller's transaction (the caller commits). A failure
    (a writer holding SQLite's lock, say) only loses the stored copy: the next reader computes again."""
    try:
        with session.begin_nested():
            session.execute(insert(SurveyLevelResult), _rows(found, definition, inputs))
    except SQLAlchemyError:
        log.warning("could not store the results of survey round %s", inputs.this.id, exc_info=True)


def _computed_and_stored(session: Session, definition: SurveyDefinition, inputs: _Inputs) -> NationalRound:
    found = _compute(session, definition, inputs)
    _store(session, found, definition, inputs)
    return found


def _complete(inputs: _Inputs, stored: Mapping[tuple[str, str], Any]) -> bool:
    """Whether every row of the round is stored (they are written together, so all are or none)."""
    wanted = [("national", ""), (BY_REGION, "")] + [(STRIPS, kind) for kind in inputs.kinds()]
    wanted += [("region", name) for name in inputs.regions()] + [("org", o.id) for o in inputs.organisations]
    return all(key in stored for key in wanted)


def _from_stored(
    definition: SurveyDefinition, inputs: _Inputs, stored: Mapping[tuple[str, str], Any]
) -> NationalRound | None:
    """The round from its stored rows, as national_round orders it; None when a row is missing."""
    if not _complete(inputs, stored):
        return None
    orgs = sorted(inputs.organisations, key=lambda o: o.id)
    regions = sorted(inputs.regions(), key=lambda r: (r.casefold(), r))
    national = LevelResult.from_json(stored[("national", "")])
    return NationalRound(
        definition_id=definition.id,
        round_label=national.round_label,
        previous_label=national.previous_label,
        national=national,
        regions=MappingProxyType({r: LevelResult.from_json(stored[("region", r)]) for r in regions}),
        orgs=MappingProxyType({o.id: LevelResult.from_json(stored[("org", o.id)]) for o in orgs}),
        by_region=tuple(RegionRow.from_json(row) for row in stored[(BY_REGION, "")]),
    )


def national_for(
    session: Session, framework_id: int, definition: SurveyDefinition, round_label: str | None = None
) -> NationalRound | None:
    """Every level of a round (default: the latest current round) against the round imported before it;
    None when the survey has no such round. Read from the stored rows, or computed and stored."""
    inputs = _inputs(session, framework_id, definition, round_label)
    if inputs is None:
        return None
    found = _from_stored(definition, inputs, _stored(session, inputs, None))
    return found if found is not None else _computed_and_stored(session, definition, inputs)


def _exists(inputs: _Inputs, level: Level, key: str) -> bool:
    if level == "national":
        return key == ""
    if level == "region":
        return key in inputs.regions()
    return inputs.organisation(key) is not None


def _read(
    session: Session,
    framework_id: int,
    definition: SurveyDefinition,
    level: Level,
    key: str,
    round_label: str | None,
    beside: bool,
) -> LevelPage | None:
    """A level (with what its page draws beside it when `beside`) from its stored rows, or computed."""
    inputs = _inputs(session, framework_id, definition, round_label)
    if inputs is None or not _exists(inputs, level, key):
        return None
    organisation = inputs.organisation(key) if level == "org" else None
    wanted: list[tuple[str, str]] = [(level, key)]
    if beside and level == "national":
        wanted.append((BY_REGION, ""))
    elif beside and organisation is not None:
        wanted.append((STRIPS, organisation.kind))
    stored = _stored(session, inputs, wanted)
    if any(w not in stored for w in wanted):
        return _page(_computed_and_stored(session, definition, inputs), definition, level, key, beside)
    result = LevelResult.from_json(stored[(level, key)])
    if len(wanted) == 1:
        return LevelPage(result)
    if level == "national":
        return LevelPage(result, by_region=tuple(RegionRow.from_json(r) for r in stored[wanted[1]]))
    strips = {
        section: tuple((str(org), float(score)) for org, score in pairs)
        for section, pairs in stored[wanted[1]].items()
    }
    return LevelPage(result, strips=MappingProxyType(strips))


def _page(
    found: NationalRound, definition: SurveyDefinition, level: Level, key: str, beside: bool
) -> LevelPage | None:
    result = found.level(level, key)
    if result is None:
        return None
    if beside and level == "national":
        return LevelPage(result, by_region=found.by_region)
    if not beside or result.organisation is None:
        return LevelPage(result)
    strips = {
        section: tuple((str(org), float(score)) for org, score in pairs)
        for section, pairs in _strips(found, definition, result.organisation.kind).items()
    }
    return LevelPage(result, strips=MappingProxyType(strips))


def level_for(
    session: Session,
    framework_id: int,
    definition: SurveyDefinition,
    level: Level,
    key: str = "",
    round_label: str | None = None,
) -> LevelResult | None:
    """One level of a round (national: key ""; a region's name; an organisation's id), or None when there
    is no such round, region or organisation: three statements once the round's results are stored."""
    page = _read(session, framework_id, definition, level, key, round_label, beside=False)
    return None if page is None else page.result


def page_for(
    session: Session,
    framework_id: int,
    definition: SurveyDefinition,
    level: Level,
    key: str = "",
    round_label: str | None = None,
) -> LevelPage | None:
    """`level_for` with what the level's page draws beside it: the national chart's rows by region, or an
    organisation's ranked strips (its kind's), in the same three statements."""
    return _read(session, framework_id, definition, level, key, round_label, beside=True)


def store_round(
    session: Session, framework_id: int, definition: SurveyDefinition, round_label: str | None = None
) -> bool:
    """Compute and store a round's results now unless they are stored (after an import, say); whether
    any had to be computed."""
    inputs = _inputs(session, framework_id, definition, round_label)
    if inputs is None:
        return False
    if _complete(inputs, _stored(session, inputs, None, bodies=False)):
        return False
    _computed_and_stored(session, definition, inputs)
    return True


def level_of_round(
    session: Session,
    slug: str,
    survey_id: str,
    label: str,
    level: Level,
    key: str = "",
    by: str | None = None,
) -> tuple[SurveyDefinition, LevelResult]:
    """A level of a named round for the command line, `by` a breakdown or characteristic to list groups
    of; SurveyNotFound says what is unknown and what is known, before anything is computed."""
    framework_id, definition = definition_of(session, slug, survey_id)
    groups = (*definition.breakdowns, *definition.characteristics)
    if by is not None and by not in groups:
        known = f" ({', '.join(groups)})" if groups else " (it has none)"
        raise SurveyNotFound(
            f"'{by}' is not a breakdown or characteristic of survey '{survey_id}'{did_you_mean(by, groups)}"
            f"{known}"
        )
    inputs = _inputs(session, framework_id, definition, label)
    if inputs is None:
        raise SurveyNotFound(f"survey '{survey_id}' has no round '{label}'")
    if level == "region" and key not in inputs.regions():
        regions = sorted(inputs.regions(), key=str.casefold)
        known = f" (its regions: {', '.join(regions)})" if regions else " (it has no organisations loaded)"
        raise SurveyNotFound(f"survey '{survey_id}' has no region '{key}'{did_you_mean(key, regions)}{known}")
    if level == "org" and inputs.organisation(key) is None:
        ids = [o.id for o in inputs.organisations]
        where = "organisations are loaded with `tracker survey orgs`"
        raise SurveyNotFound(
            f"survey '{survey_id}' has no organisation '{key}'{did_you_mean(key, ids)} ({where})"
        )
    page = _read(session, framework_id, definition, level, key, label, beside=False)
    if page is None:  # a national level always exists; regions and organisations were checked above
        raise SurveyNotFound(f"survey '{survey_id}' has no {level} '{key}'")
    return definition, page.result

"""A survey round at three levels (national, region, organisation) from one engine, built on today's scoring.

Every score is the one `survey_scoring.score_round` gives for the same rows (mean of question means,
reverse items reversed, bands on the half-up whole number). Rules, in one place:

- A figure from fewer than `min_group_size` respondents is suppressed ("small"): no n, score, band or
  change. Within one breakdown of a shown figure the parts are the breakdown's values plus a never-listed
  "not stated" part (the blank cells); if exactly one part is suppressed, the next smallest is too
  ("complementary"), so no part can be worked out from the total and the others; with no shown part left,
  the figure itself goes (it is that part). Parts of no respondents do not count.
- Across levels (readers: everyone signed in sees the national and regional reports, an organisation's
  lead sees its own organisation's), figure by figure (the same section, question, overall or count and
  the same breakdown or characteristic part, each by its own n), two rules:
  one child: when a child's figure (a region of the nation, an organisation of its region or of the
  nation) is shown and 0 < n(parent) - n(child) < `min_group_size`, the parent's figure is suppressed
  ("complementary"), else parent minus child would show the rest;
  parts: the regions, plus a never-listed remainder of rows of no loaded organisation, are the parts of
  each national figure, and a region's organisations the parts of each regional one; the within-breakdown
  rule applies to them, so if exactly one is suppressed the next smallest shown part goes too (ties: the
  remainder, then by name), even a large organisation's own figure next to a tiny one. A group of a
  characteristic withheld locally counts as suppressed only when it is under `min_group_size`.
  A "not stated" part counts as shown wherever its total and the breakdown's other parts are (it is
  their difference). Both rules, each followed by the within-breakdown rule on what it touched, run over
  regions and then the nation again and again until nothing more is suppressed; suppressions only ever
  add, so this ends, and `previous` is remembered only for what is finally shown. Not covered: a reader
  of several organisations' reports (admins, evaluators: they see the rows) can add them up.
- At organisation level a characteristic (gender, age band, ...) is shown only when every group of it,
  "not stated" included, has at least `min_group_size` respondents; otherwise it is withheld whole.
- Overall = mean of the unrounded scores of the `overall` sections (every section when the definition
  names none), suppressed unless each of them is shown; shown to 1 decimal, banded on its whole number.
- An organisation with fewer completers than the threshold has no local report and is not ranked.
  Ranks are among reportable organisations of the same kind whose figure is shown, by the figure as shown
  (whole number; overall to 1 decimal), highest first, ties sharing a position.
- Respondents whose `org` is not a loaded organisation (or who have none) count at national level only.
- `previous` is the previous round's shown score of the same figure (same level, key, section, question,
  breakdown and value), kept even when this round's figure is suppressed; `change` needs both shown.
- Question figures are on the scored direction (a reverse item's mean is reversed), like their section.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from tracker.domain.survey_level_results import (
    ORGANISATION_KINDS,
    Breakdown,
    Figure,
    Level,
    LevelResult,
    NationalRound,
    Organisation,
    Part,
    QuestionFigure,
    RegionRow,
    SectionLevel,
    overall_text,
    suppressed_text,
)
from tracker.domain.survey_level_sheets import LevelBuilder, Path, Sheet, settle
from tracker.domain.survey_ranking import Rank, competition_ranks
from tracker.domain.survey_suppression import Reason
from tracker.domain.survey_tally import merge, tally
from tracker.domain.surveys import Response, SurveyDefinition, round_half_up, rounded_score

__all__ = [
    "ORGANISATION_KINDS",
    "Breakdown",
    "Figure",
    "Level",
    "LevelResult",
    "NationalRound",
    "Organisation",
    "Part",
    "QuestionFigure",
    "Rank",
    "Reason",
    "RegionRow",
    "SectionLevel",
    "national_round",
    "overall_text",
    "suppressed_text",
]

PROFESSION_COLUMN = "profession"
NATIONAL_NAME = "National"


@dataclass(frozen=True, slots=True)
class _Levels:
    national: LevelResult
    regions: dict[str, LevelResult]
    orgs: dict[str, LevelResult]
    record: Mapping[Path, float]


def _round(
    definition: SurveyDefinition,
    organisations: Mapping[str, Organisation],
    regions: Sequence[str],
    rows: Sequence[Response],
    previous: Mapping[Path, float],
    labels: tuple[str, str | None],
) -> _Levels:
    """Every level of one round; counts by profession too when any row of the round has one."""
    dimensions = list(dict.fromkeys((*definition.breakdowns, *definition.characteristics, PROFESSION_COLUMN)))
    layout, by_org = tally(definition, rows, dimensions, organisations)
    national_cells = merge(by_org.values())
    counted = [dimensions.index(name) for name in definition.breakdowns]
    p = dimensions.index(PROFESSION_COLUMN)
    if p not in counted and any(value for d, value in national_cells if d == p):
        counted.append(p)
    builder = LevelBuilder(definition, layout, dimensions, counted, previous, labels)
    minimum = definition.min_group_size
    org_sheets = {
        org_id: builder.measure("org", org_id, org.name, by_org.get(org_id, {}), org)
        for org_id, org in organisations.items()
    }
    region_sheets: dict[str, Sheet] = {}
    families: list[tuple[Sheet, list[Sheet]]] = []
    for region in regions:
        members = [o.id for o in organisations.values() if o.region == region]
        sheet = builder.measure("region", region, region, merge(by_org.get(o, {}) for o in members))
        region_sheets[region] = sheet
        families.append((sheet, [org_sheets[o] for o in members]))
    national_sheet = builder.measure("national", "", NATIONAL_NAME, national_cells)
    settle(national_sheet, families, minimum)
    orgs = {org_id: builder.show(sheet) for org_id, sheet in org_sheets.items()}
    region_results = {region: builder.show(sheet) for region, sheet in region_sheets.items()}
    national = builder.show(national_sheet)
    return _Levels(national, region_results, orgs, builder.record)


def _difference(mine: Figure, other: Figure) -> float | None:
    if mine.suppressed or other.suppressed or mine.score is None or other.score is None:
        return None
    return mine.score - other.score


def _with_comparisons(
    result: LevelResult,
    region: LevelResult | None,
    national: LevelResult,
    ranks: Mapping[str, Rank],
) -> LevelResult:
    """The level with its distance from its region's and the national figures, and its ranks."""
    sections = tuple(
        replace(
            section,
            rank=ranks.get(section.section),
            vs_region=None if region is None else _difference(section.figure, region.sections[i].figure),
            vs_national=_difference(section.figure, national.sections[i].figure),
        )
        for i, section in enumerate(result.sections)
    )
    return replace(
        result,
        sections=sections,
        overall_rank=ranks.get(""),
        overall_vs_region=None if region is None else _difference(result.overall, region.overall),
        overall_vs_national=_difference(result.overall, national.overall),
    )


def _ranks(orgs: Iterable[LevelResult]) -> dict[str, dict[str, Rank]]:
    """Ranks by org id, then by section id ("" overall), among reportable orgs of the same kind."""
    shown: dict[tuple[str, str], dict[str, float]] = {}
    for result in orgs:
        if result.organisation is None or not result.reportable:
            continue
        kind = result.organisation.kind
        if not result.overall.suppressed and result.overall.score is not None:
            shown.setdefault((kind, ""), {})[result.key] = round_half_up(result.overall.score, 1)
        for section in result.sections:
            if not section.figure.suppressed and section.figure.score is not None:
                shown.setdefault((kind, section.section), {})[result.key] = rounded_score(
                    section.figure.score
                )
    ranks: dict[str, dict[str, Rank]] = {}
    for (_, section_id), scores in shown.items():
        for org_id, rank in competition_ranks(scores).items():
            ranks.setdefault(org_id, {})[section_id] = rank
    return ranks


def national_round(
    definition: SurveyDefinition,
    organisations: Sequence[Organisation],
    current: Sequence[Response],
    previous: Sequence[Response] = (),
    *,
    round_label: str,
    previous_label: str | None = None,
) -> NationalRound:
    """Every level of a round, each figure with the previous round's where both are shown.

    Adds up additive counters once per (organisation, breakdown value) cell in one pass over the rows,
    then adds cells up for regions and the nation (see survey_tally).
    """
    orgs = {org.id: org for org in sorted(organisations, key=lambda o: o.id)}
    regions = sorted({org.region for org in organisations}, key=lambda r: (r.casefold(), r))
    before: Mapping[Path, float] = {}
    if previous:
        earlier = _round(definition, orgs, regions, previous, {}, (previous_label or "", None))
        before = earlier.record
    now = _round(definition, orgs, regions, current, before, (round_label, previous_label))
    national = now.national
    region_results = {
        name: _with_comparisons(result, None, national, {}) for name, result in now.regions.items()
    }
    ranks = _ranks(now.orgs.values())
    org_results = {
        org_id: _with_comparisons(result, now.regions[orgs[org_id].region], national, ranks.get(org_id, {}))
        for org_id, result in now.orgs.items()
    }
    by_region = tuple(
        RegionRow(name, result.overall, tuple((s.section, s.figure) for s in result.sections))
        for name, result in region_results.items()
    )
    return NationalRound(
        definition_id=definition.id,
        round_label=round_label,
        previous_label=previous_label,
        national=national,
        regions=MappingProxyType(region_results),
        orgs=MappingProxyType(org_results),
        by_region=by_region,
    )

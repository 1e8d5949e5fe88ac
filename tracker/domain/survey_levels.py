"""A survey round at three levels (national, region, organisation) from one engine, built on today's scoring.

Every score is the one `survey_scoring.score_round` gives for the same rows (mean of question means,
reverse items reversed, bands on the half-up whole number). Rules, in one place:

- A figure from fewer than `min_group_size` respondents is suppressed ("small"): no n, score, band or
  change. Within one breakdown of a shown figure the parts are the breakdown's values plus a never-listed
  "not stated" part (the blank cells); if exactly one part is suppressed, the next smallest is too
  ("complementary"), so no part can be worked out from the total and the others.
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

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
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
from tracker.domain.survey_ranking import Rank, competition_ranks
from tracker.domain.survey_suppression import WITHHELD_LOCALLY, Candidate, Reason, part_reasons
from tracker.domain.survey_tally import NOT_STATED, TOTAL, Cells, CellStats, Layout, merge, tally
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
# a figure's place: level, key, figure (section id, "overall" or "completed"), question, dimension, value
Path = tuple[str, str, str, str, str, str]
_Measure = Callable[[CellStats], tuple[int, float | None, bool, float | None]]  # n, score, small, agree_pct


def _values(cells: Cells, dimension: int) -> list[str]:
    """The dimension's values at a level, sorted (casefold), then NOT_STATED when some rows left it blank."""
    found = [value for index, value in cells if index == dimension]
    listed = sorted((v for v in found if v != NOT_STATED), key=lambda v: (v.casefold(), v))
    return [*listed, NOT_STATED] if NOT_STATED in found else listed


def _why_not(definition: SurveyDefinition, level: Level, name: str) -> str:
    where = "" if level == "national" else f" in {name}"
    what = {
        "national": "there is no national report",
        "region": "there is no regional report",
        "org": "it has no local report and is not ranked",
    }[level]
    return (
        f"Fewer than {definition.min_group_size} people completed the {definition.title}{where}, "
        f"so {what}: results from groups under {definition.min_group_size} are never shown."
    )


class _Builder:
    """Builds one round's levels; records every shown score by path for the next round's `previous`."""

    def __init__(
        self,
        definition: SurveyDefinition,
        layout: Layout,
        dimensions: Sequence[str],
        counted: Sequence[int],
        previous: Mapping[Path, float],
        labels: tuple[str, str | None],
    ) -> None:
        self.definition = definition
        self.minimum = definition.min_group_size
        self.layout = layout
        self.dimensions = dimensions
        self.breakdowns = tuple(dimensions.index(name) for name in definition.breakdowns)
        self.characteristics = tuple(dimensions.index(name) for name in definition.characteristics)
        self.counted = counted
        chosen = set(definition.overall) or {section.id for section in definition.sections}
        self.overall = tuple(i for i, s in enumerate(definition.sections) if s.id in chosen)
        self.previous = previous
        self.labels = labels
        self.record: dict[Path, float] = {}

    def figure(self, path: Path, n: int, score: float | None, reason: Reason, agree: float | None) -> Figure:
        before = self.previous.get(path)
        if reason:
            return Figure(None, None, None, reason, before)
        band = None if score is None else self.definition.bands.band(rounded_score(score))
        if score is not None:
            self.record[path] = score
        change = None if score is None or before is None else score - before
        return Figure(n, score, band, "", before, change, agree)

    def overall_of(self, stats: CellStats) -> tuple[int, float | None, bool]:
        """(n, score, small) of the overall figure: small unless every overall section is shown."""
        scores: list[float] = []
        for index in self.overall:
            section = stats.sections[index]
            if section.n < self.minimum or section.score is None:
                return stats.overall_n, None, True
            scores.append(section.score)
        if not scores:
            return stats.overall_n, None, True
        return stats.overall_n, math.fsum(scores) / len(scores), stats.overall_n < self.minimum

    def split(
        self,
        path: Path,
        name: str,
        shown: bool,
        parts: Sequence[tuple[str, int, float | None, bool, float | None]],
    ) -> Breakdown:
        """A breakdown of a figure from (value, n, score, small, agree) per part, "not stated" included."""
        reasons = part_reasons(
            shown, [Candidate(v if v != NOT_STATED else None, n, s) for v, n, _, s, _ in parts]
        )
        figures = [
            Part(value, self.figure((*path[:4], name, value), n, score, reason, agree))
            for (value, n, score, _, agree), reason in zip(parts, reasons, strict=True)
            if value != NOT_STATED
        ]
        return Breakdown(name, tuple(figures))

    def level(
        self, level: Level, key: str, name: str, cells: Cells, organisation: Organisation | None = None
    ) -> LevelResult:
        minimum, layout, definition = self.minimum, self.layout, self.definition
        total = layout.decode(cells.get((TOTAL, NOT_STATED), 0))
        reportable = total.rows >= minimum
        completed = self.figure(
            (level, key, "completed", "", "", ""), total.rows, None, "" if reportable else "small", None
        )
        counts = {d: [(v, layout.rows(cells[(d, v)])) for v in _values(cells, d)] for d in self.counted}
        completed_by = tuple(
            self.split(
                (level, key, "completed", "", "", ""),
                self.dimensions[d],
                reportable,
                [(value, rows, None, rows < minimum, None) for value, rows in counts[d]],
            )
            for d in self.counted
        )
        scored: dict[int, list[tuple[str, CellStats]] | None] = {}  # None: withheld at this level
        for d in self.breakdowns + self.characteristics:
            values = _values(cells, d)
            local = level == "org" and d in self.characteristics
            if local and any(layout.rows(cells[(d, v)]) < minimum for v in values):
                scored[d] = None
                continue
            scored[d] = [(v, layout.decode(cells[(d, v)])) for v in values]

        def breakdowns(
            path: Path, shown: bool, dims: Sequence[int], measure: _Measure
        ) -> tuple[Breakdown, ...]:
            result: list[Breakdown] = []
            for d in dims:
                parts = scored[d]
                if parts is None:
                    result.append(Breakdown(self.dimensions[d], (), WITHHELD_LOCALLY))
                    continue
                result.append(
                    self.split(path, self.dimensions[d], shown, [(v, *measure(s)) for v, s in parts])
                )
            return tuple(result)

        sections: list[SectionLevel] = []
        for index, section in enumerate(definition.sections):
            stats = total.sections[index]
            small = stats.n < minimum or stats.score is None
            path: Path = (level, key, section.id, "", "", "")
            figure = self.figure(path, stats.n, stats.score, "small" if small else "", stats.agree_pct)
            questions = tuple(
                QuestionFigure(
                    qid,
                    text,
                    self.figure(
                        (level, key, section.id, qid, "", ""),
                        count,
                        mean,
                        "small" if count < minimum or mean is None else "",
                        None,
                    ),
                )
                for (qid, text), count, mean in zip(
                    section.questions, stats.answers, stats.means, strict=True
                )
            )

            def measure(cell: CellStats, i: int = index) -> tuple[int, float | None, bool, float | None]:
                part = cell.sections[i]
                return part.n, part.score, part.n < minimum or part.score is None, part.agree_pct

            sections.append(
                SectionLevel(
                    section.id,
                    section.title,
                    figure,
                    questions,
                    breakdowns(path, not small, self.breakdowns, measure),
                    breakdowns(path, not small, self.characteristics, measure),
                )
            )

        def overall_measure(cell: CellStats) -> tuple[int, float | None, bool, float | None]:
            return (*self.overall_of(cell), None)

        n, score, small = self.overall_of(total)
        path = (level, key, "overall", "", "", "")
        return LevelResult(
            level=level,
            key=key,
            name=name,
            round_label=self.labels[0],
            previous_label=self.labels[1],
            completed=completed,
            completed_by=completed_by,
            overall=self.figure(path, n, score, "small" if small else "", None),
            overall_rank=None,
            overall_vs_region=None,
            overall_vs_national=None,
            sections=tuple(sections),
            reportable=reportable,
            why_not="" if reportable else _why_not(definition, level, name),
            organisation=organisation,
            overall_breakdowns=breakdowns(path, not small, self.breakdowns, overall_measure),
            overall_characteristics=breakdowns(path, not small, self.characteristics, overall_measure),
        )


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
    builder = _Builder(definition, layout, dimensions, counted, previous, labels)
    orgs = {
        org_id: builder.level("org", org_id, org.name, by_org.get(org_id, {}), org)
        for org_id, org in organisations.items()
    }
    region_results: dict[str, LevelResult] = {}
    for region in regions:
        members = (by_org.get(o.id, {}) for o in organisations.values() if o.region == region)
        region_results[region] = builder.level("region", region, region, merge(members))
    national = builder.level("national", "", NATIONAL_NAME, national_cells)
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

"""A survey's national, regional or local report as plain values: built once from the engine's `LevelResult`
(with, for an organisation, the ranked strip and its action plans) and rendered as the web page and the PDF
by the one template, templates/surveys/level_report.html.

The contents follow the Health Check's "Key Information" lists: how many completed by service area (and
profession); the average by standard with the previous round and the change; by region (national) or against
the nation (regional, local); by service area; question by question; by characteristic (withheld locally
where groups are small, saying why); and for an organisation its rank, band, distance from the averages and
what needs a plan. Every figure is a `Cell` (survey_level_cells), so a suppressed one prints only words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tracker.domain.action_plans import ANSWERING, PLAN_STATUS_LABELS, PRIORITY_LABELS
from tracker.domain.plan_prompts import needing_plans
from tracker.domain.survey_level_results import Figure, LevelResult, RegionRow
from tracker.domain.surveys import Bands, SurveyDefinition, round_half_up
from tracker.reports.survey_level_cells import (
    BandKey,
    Cell,
    band_key,
    cell,
    count_cell,
    kind_label,
    points,
    previous_text,
    score_text,
    shown_value,
    value_label,
)
from tracker.reports.survey_level_tables import (
    CountTable,
    GroupTable,
    count_tables,
    group_tables,
    short_title,
)

OVERALL = "overall"
LEVEL_TITLES = {"national": "National report", "region": "Regional report", "org": "Local report"}


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One standard (or the overall, or a question): this round, the previous, the change, and comparisons."""

    key: str  # "overall", a section id or a question id
    label: str
    current: Cell
    previous: str = ""
    change: str = ""  # points, signed, 1 decimal
    rank: str = ""  # organisation: "12th of 151"
    region: Cell | None = None  # organisation: its region's figure
    national: Cell | None = None  # organisation and region: the national figure
    vs_region: str = ""
    vs_national: str = ""


@dataclass(frozen=True, slots=True)
class QuestionTable:
    section: str
    title: str
    rows: tuple[ScoreRow, ...]


@dataclass(frozen=True, slots=True)
class RegionLine:
    """A region's overall and standards (national report), and the shown values its chart bars draw."""

    name: str
    overall: Cell
    previous: str
    change: str
    sections: tuple[Cell, ...]
    current_value: float | None  # as shown (1 decimal); None when suppressed
    previous_value: float | None


@dataclass(frozen=True, slots=True)
class StripRow:
    """Every ranked organisation of this one's kind as a mark (values only, never who), this one apart."""

    key: str
    label: str
    marks: tuple[float, ...]  # shown scores, best first
    mine: float | None
    mine_text: str
    rank: str


@dataclass(frozen=True, slots=True)
class StandardPlan:
    """A plan for a standard of this survey (its target `<survey>/<section>`), as the reader gives it."""

    number: int
    title: str
    section: str
    status: str
    priority: str


@dataclass(frozen=True, slots=True)
class PlanLine:
    number: int
    title: str
    standard: str
    status: str
    priority: str


@dataclass(frozen=True, slots=True)
class NeedsPlan:
    standard: str
    score: str
    draft: int | None  # the number of a draft plan for it


@dataclass(frozen=True, slots=True)
class LevelReport:
    framework_id: str
    survey_id: str
    survey_title: str
    level: str
    key: str
    name: str
    title: str  # "Local report: Beckside Council"
    round_label: str
    previous_label: str | None
    minimum: int
    reportable: bool
    why_not: str
    completed: Cell
    overall_label: str
    overall_sections: tuple[str, ...]  # the titles of the sections averaged into the overall
    bands: tuple[BandKey, ...]
    scale: Bands  # the survey's band thresholds, which the charts draw along their axes
    kind: str = ""  # organisation: "local authority"
    kind_plural: str = ""
    region_name: str = ""  # organisation: its region
    glance: tuple[tuple[str, Cell], ...] = ()  # (what, figure) at the top of the report
    notes: tuple[str, ...] = ()  # sentences about the round (which standards did not decline)
    completed_by: tuple[CountTable, ...] = ()
    standards: tuple[ScoreRow, ...] = ()  # the overall first, then each section
    regions: tuple[RegionLine, ...] = ()  # national report
    section_labels: tuple[str, ...] = ()  # short section titles, for the by-region table's columns
    service_areas: tuple[GroupTable, ...] = ()
    questions: tuple[QuestionTable, ...] = ()
    characteristics: tuple[GroupTable, ...] = ()
    strips: tuple[StripRow, ...] = ()
    needs_plan: tuple[NeedsPlan, ...] = ()
    plans: tuple[PlanLine, ...] = ()

    @property
    def is_org(self) -> bool:
        return self.level == "org"


def _figure(result: LevelResult, key: str) -> Figure | None:
    if key == OVERALL:
        return result.overall
    section = result.section(key)
    return None if section is None else section.figure


def _standards(
    result: LevelResult,
    minimum: int,
    overall_label: str,
    region: LevelResult | None,
    national: LevelResult | None,
) -> tuple[ScoreRow, ...]:
    def other(level: LevelResult | None, key: str) -> Cell | None:
        found = None if level is None else _figure(level, key)
        return None if found is None else cell(found, minimum, overall=key == OVERALL)

    rows = [
        ScoreRow(
            OVERALL,
            overall_label,
            cell(result.overall, minimum, overall=True),
            previous_text(result.overall, overall=True),
            points(result.overall.change),
            "" if result.overall_rank is None else result.overall_rank.text(),
            other(region, OVERALL),
            other(national, OVERALL),
            points(result.overall_vs_region),
            points(result.overall_vs_national),
        )
    ]
    for s in result.sections:
        rows.append(
            ScoreRow(
                s.section,
                s.title,
                cell(s.figure, minimum),
                previous_text(s.figure),
                points(s.figure.change),
                "" if s.rank is None else s.rank.text(),
                other(region, s.section),
                other(national, s.section),
                points(s.vs_region),
                points(s.vs_national),
            )
        )
    return tuple(rows)


def _questions(result: LevelResult, minimum: int) -> tuple[QuestionTable, ...]:
    return tuple(
        QuestionTable(
            s.section,
            s.title,
            tuple(
                ScoreRow(
                    q.question,
                    q.text,
                    cell(q.figure, minimum),
                    previous_text(q.figure),
                    points(q.figure.change),
                )
                for q in s.questions
            ),
        )
        for s in result.sections
    )


def _regions(rows: Sequence[RegionRow], definition: SurveyDefinition, minimum: int) -> tuple[RegionLine, ...]:
    def section_cell(row: RegionRow, section_id: str) -> Cell:
        found = dict(row.sections).get(section_id)
        return Cell("") if found is None else cell(found, minimum)

    return tuple(
        RegionLine(
            r.region,
            cell(r.overall, minimum, overall=True),
            previous_text(r.overall, overall=True),
            points(r.overall.change),
            tuple(section_cell(r, s.id) for s in definition.sections),
            shown_value(r.overall, overall=True),
            None if r.overall.previous is None else round_half_up(r.overall.previous, 1),
        )
        for r in rows
    )


def _strips(
    result: LevelResult, overall_label: str, strips: Mapping[str, Sequence[tuple[str, float]]]
) -> tuple[StripRow, ...]:
    keyed = [(OVERALL, overall_label, result.overall, result.overall_rank)]
    keyed += [(s.section, s.title, s.figure, s.rank) for s in result.sections]
    rows = []
    for key, label, figure, rank in keyed:
        marks = tuple(value for _org, value in strips.get(key, ()))
        if not marks:
            continue
        mine = shown_value(figure, key == OVERALL) if rank is not None else None
        text = "" if mine is None else score_text(mine, key == OVERALL)
        rows.append(StripRow(key, label, marks, mine, text, "" if rank is None else rank.text()))
    return tuple(rows)


def _plans(
    definition: SurveyDefinition, result: LevelResult, minimum: int, plans: Sequence[StandardPlan]
) -> tuple[tuple[NeedsPlan, ...], tuple[PlanLine, ...]]:
    titles = {s.id: s.title for s in definition.sections}
    mine = [p for p in plans if p.section in titles]
    standards = [(s.section, None if s.figure.suppressed else s.figure.band) for s in result.sections]
    owed = needing_plans((), (), standards, [("standard", p.section, p.status, p.number) for p in mine])
    sections = {s.section: s for s in result.sections}
    needs = tuple(
        NeedsPlan(titles[o.target_id], cell(sections[o.target_id].figure, minimum).text, o.draft)
        for o in owed
    )
    agreed = tuple(
        PlanLine(
            p.number, p.title, titles[p.section], PLAN_STATUS_LABELS[p.status], PRIORITY_LABELS[p.priority]
        )
        for p in sorted(mine, key=lambda p: p.number)
        if p.status in ANSWERING
    )
    return needs, agreed


def _overall_label(definition: SurveyDefinition) -> tuple[str, tuple[str, ...]]:
    """ "Overall" and the titles it averages; "Standards 1-8" when those are "Standard 1" to "Standard 8"."""
    chosen = set(definition.overall) or {s.id for s in definition.sections}
    titles = tuple(s.title for s in definition.sections if s.id in chosen)
    shorts = [short_title(t) for t in titles]
    numbers = [s.removeprefix("Standard ") for s in shorts]
    if len(numbers) > 1 and all(n.isdigit() for n in numbers):
        first, last = int(numbers[0]), int(numbers[-1])
        if [int(n) for n in numbers] == list(range(first, last + 1)):
            return f"Overall (Standards {first}-{last})", titles
    return "Overall", titles


def _notes(result: LevelResult) -> tuple[str, ...]:
    """Which standards did not decline since the previous round (as the seed says of Standard 1)."""
    compared = [s for s in result.sections if s.figure.change is not None]
    if not compared:
        return ()
    held = [short_title(s.title) for s in compared if round_half_up(s.figure.change or 0.0, 1) >= 0]
    since = result.previous_label or "the previous round"
    if not held:
        return (f"Every standard compared saw a decline in average score since {since}.",)
    if len(held) == 1:
        return (f"{held[0]} is the only standard that did not see a decline in average score since {since}.",)
    return (
        f"{len(held)} of {len(compared)} standards did not see a decline since {since}: {', '.join(held)}.",
    )


def _glance(result: LevelResult, minimum: int, where: str) -> tuple[tuple[str, Cell], ...]:
    lines = []
    if result.previous_label is not None and result.overall.previous is not None:
        text = score_text(result.overall.previous, True)
        lines.append((f"Average {where} score {result.previous_label}", Cell(text)))
    lines.append((f"Average {where} score {result.round_label}", cell(result.overall, minimum, overall=True)))
    lines.append(("People who completed", count_cell(result.completed, minimum)))
    if result.overall_rank is not None:
        lines.append(("Overall rank", Cell(result.overall_rank.text())))
    return tuple(lines)


def build_report(
    definition: SurveyDefinition,
    result: LevelResult,
    *,
    framework_id: str,
    region: LevelResult | None = None,
    national: LevelResult | None = None,
    regions: Sequence[RegionRow] = (),
    strips: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    plans: Sequence[StandardPlan] = (),
) -> LevelReport:
    """The report of one level. `region`/`national` are the averages an organisation (or a region) is
    compared with; `regions` the national report's rows by region; `strips` the ranked figures of the
    organisation's kind by "overall" and section id; `plans` its partner's plans for this survey."""
    minimum = definition.min_group_size
    overall_label, overall_sections = _overall_label(definition)
    title = LEVEL_TITLES[result.level] + ("" if result.level == "national" else f": {result.name}")
    org = result.organisation
    base = LevelReport(
        framework_id=framework_id,
        survey_id=definition.id,
        survey_title=definition.title,
        level=result.level,
        key=result.key,
        name=result.name,
        title=title,
        round_label=result.round_label,
        previous_label=result.previous_label,
        minimum=minimum,
        reportable=result.reportable,
        why_not=result.why_not,
        completed=count_cell(result.completed, minimum),
        overall_label=overall_label,
        overall_sections=overall_sections,
        bands=band_key(definition.bands),
        scale=definition.bands,
        kind="" if org is None else kind_label(org.kind),
        kind_plural="" if org is None else kind_label(org.kind, plural=True),
        region_name="" if org is None else org.region,
    )
    if not result.reportable:
        return base  # says why and nothing else
    needs, agreed = _plans(definition, result, minimum, plans) if result.level == "org" else ((), ())
    where = {"national": "national", "region": "regional", "org": "local"}[result.level]
    return replace(
        base,
        glance=_glance(result, minimum, where),
        notes=_notes(result),
        completed_by=count_tables(result.completed_by, minimum),
        standards=_standards(result, minimum, overall_label, region, national),
        regions=_regions(regions, definition, minimum),
        section_labels=tuple(short_title(s.title) for s in result.sections),
        service_areas=group_tables(result, "breakdowns", minimum, overall_label),
        questions=_questions(result, minimum),
        characteristics=group_tables(result, "characteristics", minimum, overall_label),
        strips=_strips(result, overall_label, strips or {}) if result.level == "org" else (),
        needs_plan=needs,
        plans=agreed,
    )


__all__ = ["Cell", "CountTable", "GroupTable", "LevelReport", "StandardPlan", "build_report", "value_label"]

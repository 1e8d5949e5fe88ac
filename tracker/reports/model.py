"""The report as plain values: built once from `ratings_for`, rendered as the web page and the PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from tracker.domain.agenda import AgendaTheme, OutcomeData, data_development_agenda
from tracker.domain.evidence import EvidenceItem
from tracker.domain.evidence_input import SOURCE_TYPE_LABELS
from tracker.domain.formats import NO_DATA, kpi_target, kpi_value, signed_change
from tracker.domain.framework import QUADRANT_QUESTIONS, QUADRANTS, Framework, Kpi, Theme
from tracker.domain.kpi import KpiStatus, TimelinePoint, timeline
from tracker.domain.logic_model import LogicModel
from tracker.domain.rules import RATING_CODES
from tracker.domain.vocabulary import KPI_STATUS_LABELS, RATING_LABELS
from tracker.events.reading import ShownEvent
from tracker.plans.curve_pages import KpiCurve
from tracker.plans.reading import ShownPlan
from tracker.ratings.rating_set import RatingSet
from tracker.ratings.stored import REPORT_REASONS, ListedItem
from tracker.reports import logic_model_blocks
from tracker.reports.curve_blocks import CurveBlock, curve_block
from tracker.reports.event_blocks import EventBlock, event_block
from tracker.reports.plan_blocks import PlanSection, plan_section
from tracker.reports.survey_blocks import SurveyBlock, survey_blocks
from tracker.services.surveys import LatestRound

if TYPE_CHECKING:  # output_blocks builds its sections from this module's rows
    from tracker.reports.output_blocks import OutputSection

ARROWS = {"up": "↑", "down": "↓", "same": "→"}
# The PDF lists this many items per outcome (the strongest first) and says how many more the web report
# lists: a board reads the evidence that carries each rating, and the PDF stays short enough to render fast.
PRINT_EVIDENCE_LIMIT = 6
# The web page lists this many (a national framework links hundreds of items to an outcome); the rest are in
# the evidence list, which the page links to.
WEB_EVIDENCE_LIMIT = 50


class EvidenceLine(NamedTuple):
    """An evidence item as the report lists it (a named tuple: a national report makes 4,000)."""

    id: int
    title: str
    source: str
    n: str
    collected_on: date
    tier: str
    counts: bool
    finding: str
    quote: str


@dataclass(frozen=True)
class OutcomeSection:
    id: str
    text: str
    quadrant: str
    term: str
    expected_by: date | None
    rating: str
    rating_label: str
    computed: str
    overridden: bool
    stale: bool
    rule: str
    reasons: tuple[str, ...]
    evidence: tuple[EvidenceLine, ...]  # strongest first: counted items by tier, then illustrations
    evidence_total: int = 0  # every accepted item linked; the web page lists `evidence`, at most 50
    print_limit: int = PRINT_EVIDENCE_LIMIT
    next_steps: tuple[str, ...] = ()  # what would raise the computed rating one step

    @property
    def not_printed(self) -> int:
        return max(0, max(self.evidence_total, len(self.evidence)) - self.print_limit)

    @property
    def not_listed(self) -> int:
        return max(0, self.evidence_total - len(self.evidence))


@dataclass(frozen=True)
class KpiRow:
    id: str
    name: str
    unit: str
    direction: str
    baseline: str
    latest: str
    change: str
    arrow: str
    target: str
    status: str
    reason: str
    series: tuple[tuple[str, float], ...]
    baseline_point: tuple[str, float] | None
    target_value: float | None
    status_code: str = "no_data"
    curve: CurveBlock | None = None  # its turn-the-curve note and plans, printed beside its chart

    @property
    def timeline(self) -> tuple[TimelinePoint, ...]:
        """Each period once, the baseline marked: what the KPI's chart draws."""
        return timeline(self.series, self.baseline_point)

    @property
    def has_trend(self) -> bool:
        """Two periods or more (the baseline once): one value is a figure in the table, not a curve."""
        return len(self.timeline) >= 2


@dataclass(frozen=True)
class QuadrantBlock:
    code: str
    title: str
    question: str
    outputs: tuple[str, ...]
    outcomes: tuple[tuple[str, str, str], ...]  # (outcome id, text, rating code)


@dataclass(frozen=True)
class Recommendation:
    outcome_id: str
    outcome: str
    theme: str
    rating: str
    missing: str


@dataclass(frozen=True)
class ThemeSection:
    id: str
    number: int
    title: str
    summary: str
    aims: tuple[str, ...]
    activities: tuple[str, ...]
    quadrants: tuple[QuadrantBlock, ...]
    outcomes: tuple[OutcomeSection, ...]
    kpis: tuple[KpiRow, ...]
    counts: dict[str, int]
    recommendations: tuple[Recommendation, ...]
    outputs: tuple[OutputSection, ...] = ()  # added by `output_blocks.add_outputs`


@dataclass(frozen=True)
class ReportModel:
    framework_id: str
    title: str
    version: int
    vision: str
    description: str
    source: str
    period_start: date
    period_end: date
    as_of: date
    generated_at: datetime
    counts: dict[str, int]
    themes: tuple[ThemeSection, ...]
    recommendations: tuple[Recommendation, ...]
    overrides: int
    evidence_total: int
    surveys: tuple[SurveyBlock, ...] = ()
    agenda: tuple[AgendaTheme, ...] = ()  # the data development agenda, by theme
    events: tuple[EventBlock, ...] = ()  # the events that ended by the as-of date, earliest first
    plans: PlanSection | None = None  # the action plans and the targets needing one, when read
    logic_model: LogicModel | None = None  # each theme's aims, activities, outputs and outcomes, by status
    labels: dict[str, str] = field(default_factory=lambda: dict(RATING_LABELS))
    codes: tuple[str, ...] = RATING_CODES


def _change(k: KpiStatus) -> tuple[str, str]:
    if k.change is None:
        return "", ""
    value = k.change.value
    arrow = ARROWS["up"] if value > 0 else ARROWS["down"] if value < 0 else ARROWS["same"]
    return signed_change(value, k.change.unit), arrow


def _kpi_row(
    k: KpiStatus, target_text: str, target_value: float | None, curve: CurveBlock | None = None
) -> KpiRow:
    change, arrow = _change(k)
    return KpiRow(
        id=k.kpi_id,
        name=k.name,
        unit=k.unit,
        direction=k.direction,
        baseline=f"{kpi_value(k.baseline[1], k.unit)} ({k.baseline[0]})" if k.baseline else "not given",
        latest=f"{kpi_value(k.latest[1], k.unit)} ({k.latest[0]})" if k.latest else NO_DATA,
        change=change,
        arrow=arrow,
        target=target_text,
        status=KPI_STATUS_LABELS[k.status],
        reason=k.reason,
        series=tuple((point[0], point[2]) for point in k.series),
        baseline_point=k.baseline,
        target_value=target_value,
        status_code=k.status,
        curve=curve,
    )


def kpi_row(k: KpiStatus, kpi: Kpi, curve: CurveBlock | None = None) -> KpiRow:
    """A KPI's row as the report's tables show it: status, target in words, turn-the-curve note."""
    target = kpi_target(kpi.target, kpi.unit, kpi.direction) if kpi.target else ""
    return _kpi_row(k, target, kpi.target.value if kpi.target else None, curve)


def _n(respondents: int | None, population: int | None) -> str:
    if respondents is None:
        return ""
    return f"{respondents} of {population}" if population else str(respondents)


@dataclass(frozen=True)
class OutcomeResult:
    """One outcome's rating as the report shows it, from a rating made now or a stored one."""

    rating: str
    computed: str
    overridden: bool
    stale: bool
    rule: str
    reasons: tuple[str, ...]
    missing: str
    evidence: tuple[EvidenceLine, ...]  # strongest first
    evidence_total: int
    next_steps: tuple[str, ...] = ()
    too_early: tuple[str, ...] = ()
    effort_only: bool = False


def evidence_line(item: EvidenceItem | ListedItem, tier: str, counts: bool) -> EvidenceLine:
    """An item as the report lists it (from the live rating's items or the stored rating's listed ones)."""
    return EvidenceLine(
        item.id,
        item.title,
        SOURCE_TYPE_LABELS.get(item.source_type, item.source_type),
        _n(item.respondents, item.population),
        item.collected_on,
        tier,
        counts,
        item.finding.replace("_", " "),
        item.quote,
    )


def build(
    rated: RatingSet,
    generated_at: datetime,
    surveys: Sequence[LatestRound] = (),
    events: Sequence[ShownEvent] = (),
    curves: Mapping[str, KpiCurve] | None = None,
    *,
    plans: Sequence[ShownPlan] | None = None,
) -> ReportModel:
    """The whole report from `ratings_for(..., for_report=True)` (and survey results, the events' measures,
    `tracker.events.bulk.framework_events`, the KPIs' turn-the-curve notes and plans,
    `tracker.plans.curve_pages.report_curves`, and the plans, `plan_blocks.read_plans`, read beside it)."""
    if rated.evidence_total is None:
        raise ValueError("the report needs the report's inputs: read the ratings with for_report=True")
    results = {
        r.outcome_id: OutcomeResult(
            r.rating,
            r.computed,
            r.override is not None,
            r.stale,
            r.rule,
            r.reasons[:REPORT_REASONS],
            r.missing,
            tuple(evidence_line(i, i.tier, i.counts) for i in r.items),
            r.items_total,
            r.next_steps,
            r.too_early,
            r.effort_only,
        )
        for r in rated.ratings
    }
    model = assemble(
        rated.framework,
        rated.as_of,
        results,
        rated.kpis,
        rated.evidence_total,
        generated_at,
        survey_blocks(surveys),
        tuple(event_block(e) for e in events),
        {kpi: curve_block(c) for kpi, c in (curves or {}).items()},
    )
    return model if plans is None else replace(model, plans=plan_section(rated, plans, surveys))


def assemble(
    f: Framework,
    as_of: date,
    results: Mapping[str, OutcomeResult],
    kpis: Sequence[KpiStatus],
    evidence_total: int,
    generated_at: datetime,
    surveys: tuple[SurveyBlock, ...] = (),
    events: tuple[EventBlock, ...] = (),
    curves: Mapping[str, CurveBlock] | None = None,
) -> ReportModel:
    """The report from each outcome's result and each KPI's status, however they were obtained."""
    kpi_status = {k.kpi_id: k for k in kpis}
    themes: list[ThemeSection] = []
    recommendations: list[Recommendation] = []
    for number_, theme in enumerate(f.themes, start=1):
        themes.append(_theme(theme, number_, results, kpi_status, recommendations, curves or {}))
    counts = {code: sum(r.rating == code for r in results.values()) for code in RATING_CODES}
    return ReportModel(
        framework_id=f.id,
        title=f.title,
        version=f.version,
        vision=f.vision,
        description=f.description,
        source=f.source,
        period_start=f.period.start,
        period_end=f.period.end,
        as_of=as_of,
        generated_at=generated_at,
        counts={str(code): n for code, n in counts.items()},
        themes=tuple(themes),
        recommendations=tuple(recommendations),
        overrides=sum(r.overridden for r in results.values()),
        evidence_total=evidence_total,
        surveys=surveys,
        events=events,
        agenda=data_development_agenda(
            f,
            {o: OutcomeData(r.rating, r.too_early, r.effort_only) for o, r in results.items()},
            kpi_status,
            as_of,
        ),
        logic_model=logic_model_blocks.build(f, {o: r.rating for o, r in results.items()}, kpis),
    )


def _theme(
    theme: Theme,
    number_: int,
    results: Mapping[str, OutcomeResult],
    kpi_status: dict[str, KpiStatus],
    recommendations: list[Recommendation],
    curves: Mapping[str, CurveBlock],
) -> ThemeSection:
    outcomes: list[OutcomeSection] = []
    own: list[Recommendation] = []
    for outcome in theme.outcomes:
        r = results[outcome.id]
        outcomes.append(
            OutcomeSection(
                id=outcome.id,
                text=outcome.text,
                quadrant=outcome.quadrant,
                term=outcome.term,
                expected_by=outcome.expected_by,
                rating=r.rating,
                rating_label=RATING_LABELS[r.rating],
                computed=r.computed,
                overridden=r.overridden,
                stale=r.stale,
                rule=r.rule,
                reasons=r.reasons,
                evidence=r.evidence[:WEB_EVIDENCE_LIMIT],
                evidence_total=r.evidence_total,
                next_steps=r.next_steps,
            )
        )
        if r.rating in {"insufficient", "none"}:
            own.append(Recommendation(outcome.id, outcome.text, theme.title, r.rating, r.missing))
    recommendations.extend(own)
    quadrants = tuple(
        QuadrantBlock(
            code=q,
            title=q.replace("-", " ").capitalize(),
            question=QUADRANT_QUESTIONS[q],
            outputs=tuple(o.text for o in theme.outputs if o.quadrant == q),
            outcomes=tuple((o.id, o.text, results[o.id].rating) for o in theme.outcomes if o.quadrant == q),
        )
        for q in QUADRANTS
    )
    kpis = tuple(kpi_row(kpi_status[k.id], k, curves.get(k.id)) for k in theme.kpis)
    return ThemeSection(
        id=theme.id,
        number=number_,
        title=theme.title,
        summary=theme.summary,
        aims=tuple(a.text for a in theme.aims),
        activities=tuple(a.text for a in theme.activities),
        quadrants=quadrants,
        outcomes=tuple(outcomes),
        kpis=kpis,
        counts={code: sum(o.rating == code for o in outcomes) for code in RATING_CODES},
        recommendations=tuple(own),
    )

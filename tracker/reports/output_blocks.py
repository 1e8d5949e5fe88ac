"""The report's outputs, as the 2020 evaluation reports them: each output with its RBA quadrant, its How-much
figures (its KPIs, and the counts of the events that feed it) and the accepted evidence linked to it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tracker.domain import formats
from tracker.domain.evidence import EvidenceItem, ItemAssessment, item_assessor, strength_order
from tracker.domain.framework import QUADRANT_QUESTIONS, Framework
from tracker.domain.kpi import KpiStatus
from tracker.events.reading import ShownEvent
from tracker.reports.event_blocks import event_period
from tracker.reports.model import (
    PRINT_EVIDENCE_LIMIT,
    WEB_EVIDENCE_LIMIT,
    EvidenceLine,
    KpiRow,
    ReportModel,
    evidence_line,
    kpi_row,
)

NOT_GIVEN = "not given"


@dataclass(frozen=True)
class OutputEvent:
    """An event that feeds the output, with its How-much counts (from its latest load)."""

    id: str
    title: str
    period: str
    sessions: str
    signups: str  # "not published" when no session gives them
    attended: str
    unique_attendees: str  # "100 (an estimate)", or "not given"


@dataclass(frozen=True)
class OutputSection:
    id: str
    text: str
    quadrant: str
    quadrant_title: str  # "Effort quantity"
    question: str  # the RBA question the quadrant answers
    kpis: tuple[KpiRow, ...]
    events: tuple[OutputEvent, ...]
    evidence: tuple[EvidenceLine, ...]  # strongest first, at most WEB_EVIDENCE_LIMIT
    evidence_total: int = 0  # every accepted item linked by the as-of date
    print_limit: int = PRINT_EVIDENCE_LIMIT

    @property
    def has_figures(self) -> bool:
        return bool(self.kpis or self.events)

    @property
    def not_printed(self) -> int:
        return max(0, self.evidence_total - self.print_limit)

    @property
    def not_listed(self) -> int:
        return max(0, self.evidence_total - len(self.evidence))


def quadrant_title(code: str) -> str:
    """'effort-quantity' -> 'Effort quantity', as the report's quadrant boxes name it."""
    return code.replace("-", " ").capitalize()


def output_event(shown: ShownEvent) -> OutputEvent:
    d, m = shown.definition, shown.measures
    unique = m.unique_attendees
    return OutputEvent(
        id=d.id,
        title=d.title,
        period=event_period(d),
        sessions=formats.number(m.sessions),
        signups=formats.figure(m.signups),
        attended=formats.figure(m.attended),
        unique_attendees=NOT_GIVEN
        if unique is None
        else formats.number(unique.value) + (" (an estimate)" if unique.estimated else ""),
    )


def _evidence(
    items: Sequence[EvidenceItem], assess: Callable[[EvidenceItem], ItemAssessment]
) -> list[EvidenceLine]:
    """The items as lines, strongest first (as under each outcome), at most WEB_EVIDENCE_LIMIT."""
    judged = sorted(
        ((item, assess(item)) for item in items),
        key=lambda pair: strength_order(pair[1].counts, pair[1].tier, pair[0].collected_on, pair[0].id),
    )
    return [evidence_line(item, a.tier, a.counts) for item, a in judged[:WEB_EVIDENCE_LIMIT]]


def output_sections(
    f: Framework,
    kpis: Sequence[KpiStatus],
    events: Sequence[ShownEvent],
    evidence: Mapping[str, Sequence[EvidenceItem]],
) -> dict[str, tuple[OutputSection, ...]]:
    """Each theme's outputs, by theme id, from what the report already read (the KPI statuses and the events
    that ended by the as-of date) and the outputs' evidence (`services.output_evidence`)."""
    status = {k.kpi_id: k for k in kpis}
    rows = {k.id: kpi_row(status[k.id], k) for k in f.kpis if k.id in status}
    outputs = {o.id for t in f.themes for o in t.outputs}
    fed: dict[str, list[OutputEvent]] = {}
    for shown in events:  # earliest first, as the events chapter lists them
        feeds = outputs.intersection(shown.definition.links)
        if feeds:
            made = output_event(shown)
            for output_id in feeds:
                fed.setdefault(output_id, []).append(made)
    assess = item_assessor(f.settings)
    return {
        theme.id: tuple(
            OutputSection(
                id=o.id,
                text=o.text,
                quadrant=o.quadrant,
                quadrant_title=quadrant_title(o.quadrant),
                question=QUADRANT_QUESTIONS[o.quadrant],
                kpis=tuple(rows[k] for k in o.kpis if k in rows),
                events=tuple(fed.get(o.id, ())),
                evidence=tuple(_evidence(evidence.get(o.id, ()), assess)),
                evidence_total=len(evidence.get(o.id, ())),
            )
            for o in theme.outputs
        )
        for theme in f.themes
    }


def add_outputs(model: ReportModel, sections: Mapping[str, tuple[OutputSection, ...]]) -> ReportModel:
    """The model with each theme's outputs section filled in."""
    themes = tuple(dataclasses.replace(t, outputs=sections.get(t.id, ())) for t in model.themes)
    return dataclasses.replace(model, themes=themes)

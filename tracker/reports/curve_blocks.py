"""A KPI's turn-the-curve note as the report prints it beside the KPI's chart: plain values, so the model
stays frozen and its fingerprint (the PDF cache key) changes when a new version is saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.action_plans import PLAN_STATUS_LABELS, PRIORITY_LABELS
from tracker.plans.curve_pages import KpiCurve


@dataclass(frozen=True)
class PlanLine:
    """One action plan that targets the KPI: its proposed actions, named as the plans section names it."""

    number: int
    title: str
    status: str  # words: "In progress"
    priority: str  # words: "Red: high priority"
    is_open: bool


@dataclass(frozen=True)
class CurveBlock:
    """The story behind the curve, partners with a role to play, what works (with its evidence), the plans,
    and which version it is; `version` 0 when the KPI has plans but no note yet."""

    version: int
    story: str
    partners: str
    what_works: str
    evidence: tuple[tuple[int, str], ...]  # (id, title) of each item still accepted, in the note's order
    saved_by: str
    saved_on: date | None
    source: str
    plans: tuple[PlanLine, ...]

    @property
    def has_note(self) -> bool:
        return self.version > 0


def curve_block(curve: KpiCurve) -> CurveBlock:
    """The report's block for a KPI with a note or a plan (`curve_pages.kpi_curves`)."""
    note = curve.note
    plans = tuple(
        PlanLine(
            plan.number,
            plan.content.title,
            PLAN_STATUS_LABELS.get(plan.status, plan.status),
            PRIORITY_LABELS.get(plan.priority, plan.priority),
            plan.is_open,
        )
        for plan in curve.plans
    )
    if note is None:
        return CurveBlock(0, "", "", "", (), "", None, "", plans)
    return CurveBlock(
        version=note.version,
        story=note.story,
        partners=note.partners,
        what_works=note.what_works,
        evidence=tuple((e.id, e.title) for e in curve.evidence if e.accepted),
        saved_by=note.saved_by,
        saved_on=note.saved_at.date(),
        source=note.source,
        plans=plans,
    )

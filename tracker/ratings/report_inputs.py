"""What the report reads beside the stored ratings (which list each outcome's strongest items)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from tracker.db.models import Element, Evidence, EvidenceLink
from tracker.domain.kpi import KpiStatus, framework_kpi_statuses
from tracker.ratings.compute import accepted_and_linked, kpi_actuals
from tracker.ratings.snapshots import RatingsSummary


@dataclass(frozen=True)
class ReportInputs:
    summary: RatingsSummary
    kpis: tuple[KpiStatus, ...]
    evidence_total: int  # accepted items linked to an outcome, collected by the as-of date
    counted_now: bool = False  # the total was counted, not read beside the stored ratings: keep it


def report_inputs(session: Session, summary: RatingsSummary) -> ReportInputs:
    """Two queries whatever the size of the framework (elements, KPI values; the listed items are stored
    with the ratings), and a count of the linked items unless the summary read it beside the ratings."""
    if not summary.for_report:
        raise ValueError("the report needs the stored reasons and items: read them with for_report=True")
    row, framework, as_of = summary.row, summary.framework, summary.as_of
    slugs = dict(
        session.execute(select(Element.id, Element.slug).where(Element.framework_id == row.id)).all()
    )
    statuses = framework_kpi_statuses(
        framework, kpi_actuals(session, row.id, as_of, slugs), as_of, framework.settings
    )
    if summary.linked_items is not None:
        return ReportInputs(summary, statuses, summary.linked_items)
    outcome_elements = [summary.element_ids[o.id] for o in framework.outcomes if o.id in summary.element_ids]
    total = session.scalar(
        select(func.count(distinct(Evidence.id)))
        .join(EvidenceLink, EvidenceLink.evidence_id == Evidence.id)
        .where(*accepted_and_linked(row.id, as_of, outcome_elements))
    )
    return ReportInputs(summary, statuses, total or 0, counted_now=True)

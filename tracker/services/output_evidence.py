"""The accepted evidence linked to a framework's outputs, read for all of them at once (the report's
outputs section): one statement, however many outputs and items."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Element, Evidence, EvidenceLink
from tracker.domain.evidence import EvidenceItem


def output_evidence(
    session: Session, framework_id: int, output_ids: Collection[str], as_of: date
) -> dict[str, list[EvidenceItem]]:
    """By output id, its accepted items collected by `as_of` (as the ratings weigh outcomes' items), in no
    order: the report orders and caps each list. An output with none is absent."""
    wanted = sorted(set(output_ids))
    found: dict[str, list[EvidenceItem]] = {}
    if not wanted:
        return found
    rows = session.execute(
        select(
            Element.slug,
            Evidence.id,
            Evidence.title,
            Evidence.source_type,
            Evidence.collected_on,
            Evidence.finding,
            Evidence.respondents,
            Evidence.population,
            Evidence.positive,
            Evidence.collection,
            Evidence.respondent_group,
            Evidence.independent,
            Evidence.flags,
            Evidence.row_version,
            Evidence.quote,
            Evidence.shows,
            Evidence.kpi,
        )
        .join(EvidenceLink, EvidenceLink.evidence_id == Evidence.id)
        .join(Element, Element.id == EvidenceLink.element_id)
        .where(
            Element.framework_id == framework_id,
            Element.kind == "output",
            Element.slug.in_(wanted),
            # `+ 0`: not by the evidence's (framework, status, date) index, which SQLite chose, reading every
            # accepted item of the framework once per output; from the outputs' links, an item at a time.
            Evidence.framework_id + 0 == framework_id,
            Evidence.status == "accepted",
            Evidence.collected_on <= as_of,
        )
    )
    items: dict[int, EvidenceItem] = {}  # an item linked to several outputs is built once
    for row in rows:
        item = items.get(row.id)
        if item is None:
            item = items[row.id] = EvidenceItem(
                id=row.id,
                title=row.title,
                source_type=row.source_type,
                collected_on=row.collected_on,
                finding=row.finding,
                respondents=row.respondents,
                population=row.population,
                positive=row.positive,
                collection=row.collection,
                group=row.respondent_group,
                independent=row.independent,
                flags=frozenset(row.flags or ()),
                revision=row.row_version,
                quote=row.quote,
                shows=row.shows,
                kpi=row.kpi,
            )
        found.setdefault(row.slug, []).append(item)
    return found

"""Evidence items as their page shows them, as JSON-ready values for the API (a service: it queries).

Which items a token sees is the web's rule itself: the list starts from `evidence_queries.filtered` (the
evidence list's query, `evidence_visible`) and one item is checked with `can_view_evidence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from tracker.api.reading_frameworks import iso
from tracker.db.models import Attachment, Element, Evidence, EvidenceLink, Framework, Partner
from tracker.services import evidence_queries
from tracker.services.evidence_queries import EvidenceFilters
from tracker.services.permissions import Principal, can_view_evidence

# The kinds of element an item may bear on, and the key of each in `links`.
LINK_KEYS = {"outcome": "outcomes", "output": "outputs", "kpi": "kpis"}


def framework_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(Framework.id).where(Framework.slug == slug))


def evidence_page(
    session: Session,
    framework: int,
    p: Principal,
    filters: EvidenceFilters,
    before: tuple[date, int] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The items this principal may see in the evidence list's order (newest collected first, then newest
    logged) after the item `before` (its date and id), at most limit + 1: four statements whatever the page's
    size, and a range of the list's own index whatever the page's depth."""
    query = evidence_queries.filtered(framework, p, filters)
    if before is not None:
        query = query.where(tuple_(Evidence.collected_on, Evidence.id) < tuple_(*before))
    items = session.scalars(
        query.order_by(Evidence.collected_on.desc(), Evidence.id.desc()).limit(limit + 1)
    ).all()
    return entries(session, items)


def position(entry: dict[str, Any]) -> list[Any]:
    """An item's place in the list, for the cursor: its date and id."""
    return [entry["collected_on"], entry["id"]]


def visible_item(session: Session, framework: int, p: Principal, evidence_id: int) -> dict[str, Any] | None:
    """One item of this framework, or None when there is none or this principal may not see it: the API
    answers both alike (404), so ids do not leak."""
    evidence = evidence_queries.evidence_by_id(session, evidence_id)
    if evidence is None or evidence.framework_id != framework or not can_view_evidence(p, evidence):
        return None
    return entries(session, [evidence])[0]


def entries(session: Session, items: Sequence[Evidence]) -> list[dict[str, Any]]:
    """The items with what they bear on, their partner and their attachments (names and sizes), in three
    more statements."""
    ids = [e.id for e in items]
    if not ids:
        return []
    links: dict[int, dict[str, list[str]]] = {i: {key: [] for key in LINK_KEYS.values()} for i in ids}
    for evidence_id, slug, kind in session.execute(
        select(EvidenceLink.evidence_id, Element.slug, Element.kind)
        .join(Element, Element.id == EvidenceLink.element_id)
        .where(EvidenceLink.evidence_id.in_(ids))
        .order_by(Element.position)
    ):
        if kind in LINK_KEYS:
            links[evidence_id][LINK_KEYS[kind]].append(slug)
    partner_ids = {e.partner_id for e in items if e.partner_id is not None}
    partners = {
        pid: {"id": slug, "name": name}
        for pid, slug, name in session.execute(
            select(Partner.id, Partner.slug, Partner.name).where(Partner.id.in_(partner_ids))
        )
    }
    files: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for evidence_id, name, size in session.execute(
        select(Attachment.evidence_id, Attachment.original_name, Attachment.size)
        .where(Attachment.evidence_id.in_(ids))
        .order_by(Attachment.id)
    ):
        files[evidence_id].append({"name": name, "size": size})
    return [
        {
            "id": e.id,
            "title": e.title,
            "summary": e.summary,
            "source_type": e.source_type or None,
            "collected_on": e.collected_on.isoformat(),
            "finding": e.finding or None,
            "shows": e.shows or None,
            "kpi": e.kpi or None,
            "respondents": e.respondents,
            "population": e.population,
            "positive": e.positive,
            "respondent_group": e.respondent_group,
            "collection": e.collection,
            "independent": e.independent,
            "status": e.status,
            "review_note": e.review_note,
            "partner": partners.get(e.partner_id) if e.partner_id is not None else None,
            "quote": e.quote,
            "url": e.url,
            "flags": list(e.flags or []),
            "links": links[e.id],
            "attachments": files[e.id],
            "created_at": iso(e.created_at),
            "updated_at": iso(e.updated_at),
            "accepted_at": iso(e.accepted_at),
        }
        for e in items
    ]

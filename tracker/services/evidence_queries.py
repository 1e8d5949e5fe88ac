"""Reading evidence for lists, item pages and CSV downloads, in a fixed number of queries per page."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from tracker.db.models import Attachment, AuditEvent, Element, Evidence, EvidenceLink, Partner
from tracker.domain.evidence_input import EVIDENCE_COLUMNS
from tracker.services.permissions import Principal, evidence_visible

PAGE_SIZE = 25
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class EvidenceFilters:
    theme: str = ""
    element: str = ""
    source_type: str = ""
    status: str = ""
    partner: str = ""
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""


@dataclass(frozen=True)
class EvidenceRow:
    evidence: Evidence
    links: tuple[str, ...]
    partner: str
    link_texts: tuple[str, ...] = ()
    partner_name: str = ""
    kpi_name: str = ""  # the name of the KPI it reports (item pages only; lists leave it out)


@dataclass(frozen=True)
class EvidencePage:
    rows: list[EvidenceRow]
    total: int
    page: int
    pages: int


def filtered(framework_id: int, p: Principal, f: EvidenceFilters) -> Select[Evidence]:
    """The items of a framework this principal may see (`evidence_visible`), filtered: the list, its CSV and
    the API's evidence pages all start here, so they show the same items."""
    query = select(Evidence).where(Evidence.framework_id == framework_id, evidence_visible(p))
    if f.element or f.theme:
        linked = select(EvidenceLink.id).join(Element, Element.id == EvidenceLink.element_id)
        linked = linked.where(EvidenceLink.evidence_id == Evidence.id)
        if f.element:
            linked = linked.where(Element.slug == f.element, Element.framework_id == framework_id)
        if f.theme:
            linked = linked.where(Element.theme_slug == f.theme, Element.framework_id == framework_id)
        query = query.where(exists(linked))
    if f.source_type:
        query = query.where(Evidence.source_type == f.source_type)
    if f.status:
        query = query.where(Evidence.status == f.status)
    if f.partner:
        query = query.where(
            Evidence.partner_id == select(Partner.id).where(Partner.slug == f.partner).scalar_subquery()
        )
    if f.date_from:
        query = query.where(Evidence.collected_on >= f.date_from)
    if f.date_to:
        query = query.where(Evidence.collected_on <= f.date_to)
    if f.text:
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Evidence.title.ilike(pattern, escape="\\"),
                Evidence.summary.ilike(pattern, escape="\\"),
                Evidence.quote.ilike(pattern, escape="\\"),
            )
        )
    return query


def _with_links(session: Session, items: Sequence[Evidence]) -> list[EvidenceRow]:
    """The items with the ids and texts of what they bear on and their partner, in two more queries."""
    ids = [e.id for e in items]
    links: dict[int, list[tuple[str, str]]] = {}
    partners: dict[int, tuple[str, str]] = {}
    kinds = {"outcome": "Outcome", "output": "Output", "kpi": "KPI"}
    if ids:
        for evidence_id, slug, kind, text in session.execute(
            select(EvidenceLink.evidence_id, Element.slug, Element.kind, Element.text)
            .join(Element, Element.id == EvidenceLink.element_id)
            .where(EvidenceLink.evidence_id.in_(ids))
            .order_by(Element.position)
        ):
            links.setdefault(evidence_id, []).append((slug, f"{kinds.get(kind, kind)}: {text}"))
        partner_ids = {e.partner_id for e in items if e.partner_id}
        if partner_ids:
            partners = {
                pid: (slug, name)
                for pid, slug, name in session.execute(
                    select(Partner.id, Partner.slug, Partner.name).where(Partner.id.in_(partner_ids))
                )
            }
    rows = []
    for e in items:
        linked = links.get(e.id, [])
        slug, name = partners.get(e.partner_id or 0, ("", ""))
        rows.append(EvidenceRow(e, tuple(s for s, _ in linked), slug, tuple(t for _, t in linked), name))
    return rows


def list_page(
    session: Session, framework_id: int, p: Principal, f: EvidenceFilters, page: int
) -> EvidencePage:
    query = filtered(framework_id, p, f)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    items = session.scalars(
        query.order_by(Evidence.collected_on.desc(), Evidence.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return EvidencePage(_with_links(session, items), total, page, pages)


def neutralise(value: str) -> str:
    """Spreadsheet programs run cells that start like a formula; a leading apostrophe stops that."""
    return "'" + value if value.startswith(FORMULA_START) else value


def as_csv(session: Session, framework_id: int, p: Principal, f: EvidenceFilters) -> str:
    """Every matching item in the import format (plus id), safe to open in a spreadsheet."""
    items = session.scalars(filtered(framework_id, p, f).order_by(Evidence.collected_on, Evidence.id)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", *EVIDENCE_COLUMNS])
    for row in _with_links(session, items):
        e = row.evidence
        values = [
            e.title,
            e.summary,
            e.source_type,
            e.collected_on.isoformat(),
            ";".join(row.links),
            e.finding,
            "" if e.respondents is None else str(e.respondents),
            "" if e.population is None else str(e.population),
            "" if e.positive is None else str(e.positive),
            e.collection,
            e.respondent_group,
            "true" if e.independent else "false",
            row.partner,
            e.quote,
            e.url,
            ";".join(e.flags),
            e.status,
            e.shows,
            e.kpi,
        ]
        writer.writerow([str(e.id), *(neutralise(v) for v in values)])
    return out.getvalue()


def item_details(
    session: Session, evidence: Evidence
) -> tuple[EvidenceRow, list[Attachment], list[AuditEvent]]:
    row = _with_links(session, [evidence])[0]
    if evidence.kpi:
        name = session.scalar(
            select(Element.text).where(
                Element.framework_id == evidence.framework_id, Element.slug == evidence.kpi
            )
        )
        row = replace(row, kpi_name=name or evidence.kpi)
    files = list(
        session.scalars(
            select(Attachment).where(Attachment.evidence_id == evidence.id).order_by(Attachment.id)
        )
    )
    history = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "evidence", AuditEvent.object_id == str(evidence.id))
            .order_by(AuditEvent.id)
        )
    )
    return row, files, history


def review_queue(session: Session, p: Principal) -> list[EvidenceRow]:
    """Evaluators: everything submitted. Leads: their items returned for changes."""
    if p.role in {"evaluator", "admin"}:
        query = select(Evidence).where(Evidence.status == "submitted")
    elif p.role == "lead":
        query = select(Evidence).where(Evidence.status == "returned", Evidence.partner_id == p.partner_id)
    else:
        return []
    return _with_links(session, session.scalars(query.order_by(Evidence.updated_at).limit(200)).all())


def evidence_by_id(session: Session, evidence_id: int) -> Evidence | None:
    return session.get(Evidence, evidence_id)


def attachment_by_id(session: Session, attachment_id: int) -> Attachment | None:
    return session.get(Attachment, attachment_id)

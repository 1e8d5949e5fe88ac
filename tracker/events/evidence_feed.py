"""Evidence from an event's feedback (issue 19): each load with feedback makes, or refreshes in place, one
submitted feedback-form item per rating question (tracker/domain/event_evidence.py says what it holds),
through the evidence service's own functions, so the audit trail, the item's history and the ratings'
upkeep happen as for any item. An item is never deleted, and what people added to it is kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import EventEvidence, Evidence
from tracker.domain.event_evidence import FeedbackItem, feedback_items, figures_changed
from tracker.domain.event_measures import compute_measures
from tracker.domain.events import AnswerCount, EventDefinition
from tracker.domain.evidence_input import EvidenceFields
from tracker.services import evidence as evidence_service
from tracker.services.audit import Actor
from tracker.services.evidence import FrameworkContext
from tracker.services.permissions import Principal


@dataclass(frozen=True)
class EvidenceOutcome:
    """What a load did to its event's feedback items."""

    made: int = 0
    refreshed: int = 0
    unchanged: int = 0
    reviewed_again: int = 0  # accepted items whose figures changed: waiting for an evaluator again
    outputs: tuple[str, ...] = ()  # the outputs they link to (none: the event links no output)

    @property
    def items(self) -> int:
        return self.made + self.refreshed + self.unchanged


def _as_feed(p: Principal) -> Principal:
    """Who writes the items: the person loading, with the standing to keep the event's own items in step
    (they were allowed to load it; an item whose figures change waits for an evaluator again)."""
    return Principal(p.user_id, p.email, "admin", None)


def _stored(row: Evidence, links: Sequence[str], partner: str) -> EvidenceFields:
    return EvidenceFields(
        title=row.title,
        summary=row.summary,
        source_type=row.source_type,
        collected_on=row.collected_on,
        links=tuple(links),
        finding=row.finding,
        respondents=row.respondents,
        population=row.population,
        positive=row.positive,
        collection=row.collection,
        group=row.respondent_group,
        independent=row.independent,
        partner=partner,
        quote=row.quote,
        url=row.url,
        flags=tuple(row.flags),
        status=row.status,
        shows=row.shows,
        kpi=row.kpi,
    )


def _refreshed(stored: EvidenceFields, item: FeedbackItem) -> EvidenceFields:
    """The stored item with the figures the feedback gives now; links added, never removed, and everything
    else (a quote, a partner, an evaluator's outcome links) kept."""
    new = item.fields
    links = (*stored.links, *(o for o in new.links if o not in stored.links))
    return replace(
        stored,
        title=new.title,
        summary=new.summary,
        source_type=new.source_type,
        collected_on=new.collected_on,
        finding=new.finding,
        respondents=new.respondents,
        positive=new.positive,
        collection=new.collection,
        links=links,
    )


def refresh_evidence(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    event_pk: int,
    definition: EventDefinition,
    counts: Sequence[AnswerCount],
) -> EvidenceOutcome:
    """Make or refresh the event's feedback items from its current answers (`counts`)."""
    outputs = tuple(
        link
        for link in definition.links
        if link in ctx.elements
        and ctx.elements[link].kind == "output"
        and ctx.elements[link].archived_at is None
    )
    measures = compute_measures(definition, (), counts)
    items = feedback_items(definition, measures.ratings, outputs)
    if not items:
        return EvidenceOutcome(outputs=outputs)
    made_for = dict(
        session.execute(
            select(EventEvidence.question, EventEvidence.evidence_id).where(
                EventEvidence.event_id == event_pk
            )
        ).all()
    )
    rows = {
        row.id: row
        for row in session.scalars(select(Evidence).where(Evidence.id.in_(list(made_for.values()))))
    }
    writer = _as_feed(p)
    made = refreshed = unchanged = again = 0
    for item in items:
        row = rows.get(made_for.get(item.question, -1))
        if row is None:
            created = evidence_service.create(session, actor, writer, ctx, item.fields, status="submitted")
            session.add(EventEvidence(event_id=event_pk, question=item.question, evidence_id=created.id))
            made += 1
            continue
        stored = _stored(row, evidence_service.link_slugs(session, row.id), ctx.partner_slug(row.partner_id))
        fields = _refreshed(stored, item)
        if fields == stored:
            unchanged += 1
            continue
        changed = figures_changed(stored, fields)
        again += changed and row.status == "accepted"
        evidence_service.update(
            session,
            actor,
            writer,
            ctx,
            row,
            fields,
            expected_version=row.row_version,
            submit=changed,
            review_again=changed,
        )
        refreshed += 1
    session.flush()
    return EvidenceOutcome(made, refreshed, unchanged, again, outputs)

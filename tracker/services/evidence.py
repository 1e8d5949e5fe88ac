"""Evidence: create, edit with optimistic locking, attach files, move through the review workflow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, NoReturn

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.db.models import (
    Attachment,
    Element,
    Evidence,
    EvidenceLink,
    Framework,
    FrameworkPartner,
    Partner,
    User,
    utcnow,
)
from tracker.domain import text_limits
from tracker.domain.evidence_input import LINKABLE_KINDS, EvidenceFields, missing_for_review
from tracker.ratings import upkeep
from tracker.services import attachments
from tracker.services.audit import Actor, record
from tracker.services.permissions import Principal, can_create_evidence, can_edit_evidence, can_move
from tracker.storage import BlobStore, LocalStore, default_root


class Refused(PermissionError):
    """The acting user may not do this; nothing was written."""


class EditConflict(Exception):
    """Someone else saved the item after this user opened it; their save is kept."""


class Incomplete(ValueError):
    """A draft lacks fields an evaluator needs; it stays a draft until it is edited to have them."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__(
            f"It cannot be submitted for review yet; it still needs: {', '.join(missing)}. "
            "Edit it to fill them in."
        )
        self.missing = tuple(missing)


KIND_TITLES: tuple[tuple[str, str], ...] = (("outcome", "Outcomes"), ("output", "Outputs"), ("kpi", "KPIs"))


@dataclass(frozen=True)
class LinkKind:
    """One kind of element (outcomes, outputs, KPIs) within a theme: what the form groups checkboxes by."""

    kind: str
    title: str
    options: list[tuple[str, str]]  # (element id, its text)


@dataclass(frozen=True)
class LinkTheme:
    slug: str
    title: str
    kinds: list[LinkKind]


@dataclass
class FrameworkContext:
    """What forms and imports need to know about one framework, read in a fixed number of queries."""

    framework: Framework
    elements: dict[str, Element]
    theme_titles: dict[str, str]
    partners: dict[str, Partner] = field(default_factory=dict)

    @property
    def linkable(self) -> dict[str, str]:
        return {slug: e.kind for slug, e in self.elements.items() if e.archived_at is None}

    @property
    def partner_ids(self) -> set[int]:
        return {p.id for p in self.partners.values()}

    def partner_slug(self, partner_id: int | None) -> str:
        for slug, partner in self.partners.items():
            if partner.id == partner_id:
                return slug
        return ""

    def link_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Linkable elements grouped by theme, in framework order, for the form."""
        kinds = {"outcome": "Outcome", "output": "Output", "kpi": "KPI"}
        groups: dict[str, list[tuple[str, str]]] = {}
        for slug, element in sorted(self.elements.items(), key=lambda item: item[1].position):
            if element.archived_at is None and element.kind in kinds and element.theme_slug:
                groups.setdefault(element.theme_slug, []).append(
                    (slug, f"{kinds[element.kind]}: {element.text}")
                )
        return [(self.theme_titles.get(theme, theme), options) for theme, options in groups.items()]

    def link_tree(self) -> list[LinkTheme]:
        """Linkable elements by theme (framework order), then by kind, for the form's grouped checkboxes."""
        found: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for slug, element in sorted(self.elements.items(), key=lambda item: item[1].position):
            if element.archived_at is None and element.kind in LINKABLE_KINDS and element.theme_slug:
                kinds = found.setdefault(element.theme_slug, {})
                kinds.setdefault(element.kind, []).append((slug, element.text))
        return [
            LinkTheme(
                theme,
                self.theme_titles.get(theme, theme),
                [LinkKind(kind, title, kinds[kind]) for kind, title in KIND_TITLES if kind in kinds],
            )
            for theme, kinds in found.items()
        ]


def framework_context(session: Session, slug: str) -> FrameworkContext | None:
    framework = session.scalars(select(Framework).where(Framework.slug == slug)).one_or_none()
    if framework is None:
        return None
    elements = {
        e.slug: e for e in session.scalars(select(Element).where(Element.framework_id == framework.id))
    }
    themes = {slug: e.text for slug, e in elements.items() if e.kind == "theme"}
    partners = {
        fp.partner.slug: fp.partner
        for fp in session.scalars(
            select(FrameworkPartner).where(
                FrameworkPartner.framework_id == framework.id, FrameworkPartner.archived_at.is_(None)
            )
        )
    }
    return FrameworkContext(framework, elements, themes, partners)


def snapshot(evidence: Evidence, links: Sequence[str], partner_slug: str) -> dict[str, object]:
    """The item's values as the audit trail keeps them."""
    return {
        "title": evidence.title,
        "summary": evidence.summary,
        "source_type": evidence.source_type,
        "collected_on": evidence.collected_on.isoformat() if evidence.collected_on else None,
        "links": sorted(links),
        "finding": evidence.finding,
        "respondents": evidence.respondents,
        "population": evidence.population,
        "positive": evidence.positive,
        "collection": evidence.collection,
        "group": evidence.respondent_group,
        "independent": evidence.independent,
        "partner": partner_slug,
        "quote": evidence.quote,
        "url": evidence.url,
        "flags": list(evidence.flags),
        "status": evidence.status,
        "review_note": evidence.review_note,
        "shows": evidence.shows,
        "kpi": evidence.kpi,
    }


def review_values(evidence: Evidence) -> dict[str, object]:
    """The fields `missing_for_review` checks, but the links (the caller has them or reads them)."""
    return {
        "title": evidence.title,
        "source_type": evidence.source_type,
        "collected_on": evidence.collected_on,
        "finding": evidence.finding,
    }


def link_slugs(session: Session, evidence_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Element.slug)
            .join(EvidenceLink, EvidenceLink.element_id == Element.id)
            .where(EvidenceLink.evidence_id == evidence_id)
            .order_by(Element.position)
        )
    )


def _check_lengths(fields: EvidenceFields) -> None:
    """Refuse over-long text even from a caller that skipped `parse_evidence` (TextTooLong names it)."""
    for name, limit in text_limits.EVIDENCE_FIELDS.items():
        text_limits.check(name, getattr(fields, name), limit)


def _apply(evidence: Evidence, fields: EvidenceFields, partner_id: int | None) -> None:
    _check_lengths(fields)
    evidence.title = fields.title
    evidence.summary = fields.summary
    evidence.source_type = fields.source_type
    evidence.collected_on = fields.collected_on
    evidence.finding = fields.finding
    evidence.respondents = fields.respondents
    evidence.population = fields.population
    evidence.positive = fields.positive
    evidence.collection = fields.collection
    evidence.respondent_group = fields.group
    evidence.independent = fields.independent
    evidence.partner_id = partner_id
    evidence.quote = fields.quote
    evidence.url = fields.url
    evidence.flags = list(fields.flags)
    evidence.shows = fields.shows
    evidence.kpi = fields.kpi


def _partner_id(p: Principal, ctx: FrameworkContext, fields: EvidenceFields) -> int | None:
    """A lead's evidence is always its own partner's; others may name any partner of the framework."""
    if p.role == "lead":
        return p.partner_id
    return ctx.partners[fields.partner].id if fields.partner else None


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: IO[bytes]


def _attach(
    session: Session,
    actor: Actor,
    evidence: Evidence,
    uploads: Sequence[Upload],
    upload_dir: Path,
    max_bytes: int,
    blobs: BlobStore | None,
) -> list[str]:
    # Without a store given, the default: the local folder under the upload folder.
    store = blobs if blobs is not None else LocalStore(default_root(upload_dir))
    names = []
    for upload in uploads:
        stored = attachments.store(session, store, upload_dir, upload.filename, upload.stream, max_bytes)
        session.add(
            Attachment(
                evidence_id=evidence.id,
                original_name=stored.original_name,
                stored_name=stored.stored_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by_id=actor.user_id,
            )
        )
        record(
            session,
            actor,
            "attachment.upload",
            object_type="evidence",
            object_id=evidence.id,
            framework_id=evidence.framework_id,
            after={"name": stored.original_name, "size": stored.size, "sha256": stored.sha256},
        )
        names.append(stored.original_name)
    return names


def create(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    fields: EvidenceFields,
    *,
    status: str,
    uploads: Sequence[Upload] = (),
    upload_dir: Path | None = None,
    max_bytes: int = 0,
    blobs: BlobStore | None = None,
) -> Evidence:
    if not can_create_evidence(p, ctx.partner_ids):
        raise Refused("you may not log evidence for this framework")
    if status == "accepted" and p.role not in {"admin", "evaluator"}:
        raise Refused("only an evaluator can accept evidence")
    now = utcnow()
    evidence = Evidence(
        framework_id=ctx.framework.id, status=status, created_by_id=p.user_id, updated_by_id=p.user_id
    )
    _apply(evidence, fields, _partner_id(p, ctx, fields))
    if status == "accepted":
        evidence.accepted_at = now
        evidence.reviewed_at = now
    session.add(evidence)
    session.flush()
    for slug in fields.links:
        session.add(EvidenceLink(evidence_id=evidence.id, element_id=ctx.elements[slug].id))
    upkeep.inputs_changed(session, ctx.framework.id, evidence_ids=[evidence.id])
    record(
        session,
        actor,
        "evidence.create",
        object_type="evidence",
        object_id=evidence.id,
        framework_id=ctx.framework.id,
        after=snapshot(evidence, fields.links, ctx.partner_slug(evidence.partner_id)),
    )
    if uploads and upload_dir is not None:
        _attach(session, actor, evidence, uploads, upload_dir, max_bytes, blobs)
    return evidence


def _conflict_message(session: Session, evidence: Evidence) -> str:
    who = session.get(User, evidence.updated_by_id) if evidence.updated_by_id else None
    name = who.email if who else "someone else"
    when = evidence.updated_at.strftime("%-d %B %Y at %H:%M UTC")
    return (
        f"{name} changed this item on {when}, after you opened it. Your changes were not saved; "
        "their version is shown below. Make your changes again if they are still needed."
    )


def _raise_conflict(session: Session, evidence_id: int, error: Exception) -> NoReturn:
    """A save that lost a race: on PostgreSQL the version check fails; SQLite refuses a stale snapshot."""
    if isinstance(error, OperationalError) and "locked" not in str(error.orig):
        raise error
    session.rollback()
    current = session.get(Evidence, evidence_id)
    if current is None:
        raise EditConflict("This item was changed by someone else while you were saving.") from None
    raise EditConflict(_conflict_message(session, current)) from None


def update(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    evidence: Evidence,
    fields: EvidenceFields,
    *,
    expected_version: int,
    submit: bool = False,
    review_again: bool = False,
    uploads: Sequence[Upload] = (),
    upload_dir: Path | None = None,
    max_bytes: int = 0,
    blobs: BlobStore | None = None,
) -> Evidence:
    """Save an edit made from `expected_version`; a save from an older version is refused, never merged.

    `submit`: a draft or returned item goes for review; `review_again`: even an accepted one does (its figures
    changed where they came from, e.g. an event's feedback loaded again)."""
    if not can_edit_evidence(p, evidence):
        raise Refused("you may not edit this evidence")
    evidence_id = evidence.id
    if evidence.row_version != expected_version:
        raise EditConflict(_conflict_message(session, evidence))
    old_links = link_slugs(session, evidence.id)
    before = snapshot(evidence, old_links, ctx.partner_slug(evidence.partner_id))
    old_kpi = evidence.kpi
    _apply(evidence, fields, evidence.partner_id if p.role == "lead" else _partner_id(p, ctx, fields))
    if not fields.kpi and old_kpi in ctx.elements and ctx.elements[old_kpi].archived_at is not None:
        evidence.kpi = old_kpi  # as with links, an archived KPI the form cannot offer is kept, not lost
    if submit and evidence.status in {"draft", "returned"}:
        evidence.status = "submitted"
    if review_again and evidence.status == "accepted":
        evidence.status = "submitted"
        evidence.accepted_at = None
    evidence.updated_by_id = p.user_id
    evidence.updated_at = utcnow()
    wanted = set(fields.links)
    try:
        with session.no_autoflush:
            links = session.scalars(select(EvidenceLink).where(EvidenceLink.evidence_id == evidence.id)).all()
            for link in links:
                slug = next((s for s, e in ctx.elements.items() if e.id == link.element_id), None)
                if slug not in wanted and (slug is None or ctx.elements[slug].archived_at is None):
                    session.delete(link)
            for slug in wanted - set(old_links):
                session.add(EvidenceLink(evidence_id=evidence.id, element_id=ctx.elements[slug].id))
        session.flush()
    except (StaleDataError, OperationalError) as error:
        _raise_conflict(session, evidence_id, error)
    upkeep.inputs_changed(
        session, evidence.framework_id, (link.element_id for link in links), evidence_ids=[evidence.id]
    )
    after = snapshot(evidence, link_slugs(session, evidence.id), ctx.partner_slug(evidence.partner_id))
    record(
        session,
        actor,
        "evidence.edit",
        object_type="evidence",
        object_id=evidence.id,
        framework_id=evidence.framework_id,
        before=before,
        after=after,
    )
    if uploads and upload_dir is not None:
        _attach(session, actor, evidence, uploads, upload_dir, max_bytes, blobs)
    return evidence


def move(
    session: Session,
    actor: Actor,
    p: Principal,
    evidence: Evidence,
    to_status: str,
    *,
    note: str = "",
    expected_version: int | None = None,
) -> Evidence:
    """One step of the review workflow; returning an item needs a note saying what to change."""
    if not can_move(p, evidence, to_status):
        raise Refused(f"you may not move evidence from {evidence.status} to {to_status}")
    evidence_id = evidence.id
    if expected_version is not None and evidence.row_version != expected_version:
        raise EditConflict(_conflict_message(session, evidence))
    if to_status == "submitted":
        missing = missing_for_review({**review_values(evidence), "links": link_slugs(session, evidence.id)})
        if missing:
            raise Incomplete(missing)
    note = note.strip()
    if to_status == "returned" and len(note) < 10:
        raise ValueError("Say what needs to change (at least 10 characters) when returning evidence.")
    text_limits.check("Review note", note, text_limits.REVIEW_NOTE)
    before = {"status": evidence.status, "review_note": evidence.review_note}
    now = utcnow()
    evidence.status = to_status
    if to_status in {"accepted", "returned"}:
        evidence.review_note = note
        evidence.reviewed_at = now
    evidence.accepted_at = now if to_status == "accepted" else None
    evidence.updated_by_id = p.user_id
    evidence.updated_at = now
    try:
        session.flush()
    except (StaleDataError, OperationalError) as error:
        _raise_conflict(session, evidence_id, error)
    upkeep.inputs_changed(session, evidence.framework_id, evidence_ids=[evidence.id])
    record(
        session,
        actor,
        f"evidence.{to_status}",
        object_type="evidence",
        object_id=evidence.id,
        framework_id=evidence.framework_id,
        before=before,
        after={"status": evidence.status, "review_note": evidence.review_note},
    )
    return evidence


def counts_for(evidence: Evidence, as_of: date) -> bool:
    """Only accepted evidence collected by the as-of date counts towards ratings."""
    return evidence.status == "accepted" and evidence.collected_on <= as_of

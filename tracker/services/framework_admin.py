"""Loading a framework file from the web: preview what loading it would do without writing anything, and load
exactly the previewed text on confirmation, through the same `load_version` (and audit action) as
`tracker framework load`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.db.models import (
    Element,
    Evidence,
    EvidenceLink,
    Framework,
    FrameworkPartner,
    FrameworkVersion,
    KpiValue,
    Partner,
)
from tracker.domain import framework as fw
from tracker.domain.loader import parse_framework
from tracker.domain.rules import RatingCode
from tracker.services.audit import Actor
from tracker.services.framework_history import (
    Changed,
    Content,
    Item,
    changed_item,
    file_contents,
    partner_attrs,
)
from tracker.services.frameworks import FrameworkRefused, LoadSummary, framework_of, load_version

SEAL_SALT = "tracker.framework-upload"
SEAL_MAX_AGE_SECONDS = 8 * 3600  # as long as a form's CSRF token lasts


# -- carrying the checked text to the confirmation ---------------------------------------------------------


@dataclass(frozen=True)
class Sealed:
    """What the preview showed, as the confirmation brings it back: the file's text and name, and the
    framework's version and content when the preview was made (None: it was not loaded then)."""

    text: str
    name: str
    base: tuple[int, str] | None


def seal(secret: str, sealed: Sealed) -> str:
    """The preview's text, name and base, signed with the app's secret (and dated) for a hidden field."""
    payload = {"text": sealed.text, "name": sealed.name, "base": list(sealed.base) if sealed.base else None}
    return URLSafeTimedSerializer(secret, salt=SEAL_SALT).dumps(payload)


def unseal(secret: str, token: str) -> Sealed | None:
    """The sealed preview, or None when the token was not made here, was changed, or is too old."""
    try:
        payload: Any = URLSafeTimedSerializer(secret, salt=SEAL_SALT).loads(
            token, max_age=SEAL_MAX_AGE_SECONDS
        )
        base = payload["base"]
        return Sealed(
            str(payload["text"]), str(payload["name"]), None if base is None else (int(base[0]), str(base[1]))
        )
    except (BadData, KeyError, TypeError, ValueError, IndexError):
        return None


# -- the preview --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Current:
    """The framework's newest loaded version, as the preview compares against it."""

    version: int
    content_sha256: str
    loaded_at: datetime  # UTC
    loaded_by: str
    title: str


@dataclass(frozen=True)
class Archived:
    """An element or partner the load would archive, and what hangs on it (kept, no longer shown)."""

    item: Item
    evidence: int
    kpi_values: int


@dataclass(frozen=True)
class LoadPreview:
    """What `load_version` would do with the file: computed by running it and rolling it back."""

    slug: str
    title: str
    version: int
    name: str
    current: Current | None
    unchanged: bool
    added: tuple[Item, ...]
    changed: tuple[Changed, ...]
    archived: tuple[Archived, ...]
    restored: tuple[Item, ...]

    @property
    def base(self) -> tuple[int, str] | None:
        return None if self.current is None else (self.current.version, self.current.content_sha256)

    def elements(self, group: str) -> tuple[Any, ...]:
        """One group's entries other than partners (`added`, `changed`, `archived`, `restored`)."""
        return tuple(e for e in getattr(self, group) if _item_of(e).kind != "partner")

    def partners(self, group: str) -> tuple[Any, ...]:
        return tuple(e for e in getattr(self, group) if _item_of(e).kind == "partner")


def _item_of(entry: Item | Changed | Archived) -> Item:
    return entry if isinstance(entry, Item) else entry.item


def current(session: Session, slug: str, *, lock: bool = False) -> tuple[int, Current] | None:
    """The framework's id and newest version (`lock`: held until the transaction ends, where supported)."""
    query = select(Framework).where(Framework.slug == slug)
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        return None
    version = session.scalars(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == row.id, FrameworkVersion.version == row.current_version
        )
    ).one()
    return row.id, Current(
        version.version, version.content_sha256, version.loaded_at, version.loaded_by, version.title
    )


def _stored_contents(session: Session, framework_id: int) -> tuple[dict[str, Content], dict[str, Content]]:
    """The framework's stored elements and partner memberships (archived ones too), by id."""
    elements = {
        e.slug: Content(
            e.kind, {**e.attrs, **({} if e.kind == "theme" else {"theme": e.theme_slug})}, e.text, e.id
        )
        for e in session.scalars(select(Element).where(Element.framework_id == framework_id))
    }
    partners = {
        partner.slug: Content(
            "partner", partner_attrs(partner.name, partner.kind, m.tier, m.note), partner.name, partner.id
        )
        for m, partner in session.execute(
            select(FrameworkPartner, Partner)
            .join(Partner, Partner.id == FrameworkPartner.partner_id)
            .where(FrameworkPartner.framework_id == framework_id)
        )
    }
    return elements, partners


def _hanging(
    session: Session, framework_id: int, elements: Collection[int], partners: Collection[int]
) -> dict[tuple[str, int], tuple[int, int]]:
    """(evidence items, current KPI values) on each element ("element", id) and partner ("partner", id)."""
    evidence: dict[tuple[str, int], int] = {}
    values: dict[tuple[str, int], int] = {}
    if elements:
        linked = (
            select(EvidenceLink.element_id, func.count(func.distinct(EvidenceLink.evidence_id)))
            .where(EvidenceLink.element_id.in_(list(elements)))
            .group_by(EvidenceLink.element_id)
        )
        evidence.update({("element", i): n for i, n in session.execute(linked)})
        current_values = (
            select(KpiValue.element_id, func.count())
            .where(KpiValue.element_id.in_(list(elements)), KpiValue.superseded_at.is_(None))
            .group_by(KpiValue.element_id)
        )
        values.update({("element", i): n for i, n in session.execute(current_values)})
    if partners:
        by_partner = (
            select(Evidence.partner_id, func.count())
            .where(Evidence.framework_id == framework_id, Evidence.partner_id.in_(list(partners)))
            .group_by(Evidence.partner_id)
        )
        evidence.update({("partner", i or 0): n for i, n in session.execute(by_partner)})
        partner_values = (
            select(KpiValue.partner_id, func.count())
            .where(
                KpiValue.framework_id == framework_id,
                KpiValue.partner_id.in_(list(partners)),
                KpiValue.superseded_at.is_(None),
            )
            .group_by(KpiValue.partner_id)
        )
        values.update({("partner", i or 0): n for i, n in session.execute(partner_values)})
    keys = [("element", i) for i in elements] + [("partner", i) for i in partners]
    return {key: (evidence.get(key, 0), values.get(key, 0)) for key in keys}


def _dry_run(session: Session, actor: Actor, framework: fw.Framework, text: str, name: str) -> LoadSummary:
    """The real `load_version` inside a savepoint that is always rolled back: its summary, nothing kept (its
    note to re-rate goes too: the request that previews writes nothing else)."""
    from tracker.ratings import upkeep

    nested = session.begin_nested()
    try:
        return load_version(session, framework, text, actor, source_name=name)
    finally:
        nested.rollback()
        upkeep.forget(session)


def _entries(names: list[str]) -> list[tuple[str, str]]:
    return [(kind, slug) for kind, _space, slug in (entry.partition(" ") for entry in names)]


def preview_load(
    session: Session, actor: Actor, framework: fw.Framework, text: str, name: str
) -> LoadPreview:
    """What loading the file would add, change (before and after), archive (with what hangs on each) and
    restore; FrameworkRefused when `load_version` would refuse it. Nothing is written."""
    found = current(session, framework.id)
    stored: tuple[dict[str, Content], dict[str, Content]] = ({}, {})
    if found is not None:
        stored = _stored_contents(session, found[0])
    summary = _dry_run(session, actor, framework, text, name)
    new = file_contents(framework)

    def pick(contents: tuple[dict[str, Content], dict[str, Content]], kind: str, slug: str) -> Content:
        return contents[1 if kind == "partner" else 0][slug]

    added = tuple(Item(k, s, pick(new, k, s).text) for k, s in _entries(summary.added))
    restored = tuple(Item(k, s, pick(new, k, s).text) for k, s in _entries(summary.restored))
    changed = tuple(
        changed_item(s, pick(stored, k, s), pick(new, k, s)) for k, s in _entries(summary.changed)
    )
    gone = [(kind, slug, pick(stored, kind, slug)) for kind, slug in _entries(summary.archived)]
    hanging = _hanging(
        session,
        found[0] if found else 0,
        [c.row_id for kind, _s, c in gone if kind != "partner"],
        [c.row_id for kind, _s, c in gone if kind == "partner"],
    )
    archived = tuple(
        Archived(
            Item(kind, slug, c.text), *hanging[("partner" if kind == "partner" else "element", c.row_id)]
        )
        for kind, slug, c in gone
    )
    return LoadPreview(
        framework.id,
        framework.title,
        framework.version,
        name,
        None if found is None else found[1],
        summary.unchanged,
        added,
        changed,
        archived,
        restored,
    )


@dataclass(frozen=True)
class RatingChange:
    outcome: str
    text: str
    before: RatingCode
    after: RatingCode


@dataclass(frozen=True)
class RatingChanges:
    """The outcomes (in both versions) whose computed rating the new version would change, and the dates
    each version is rated as of."""

    as_of_before: date
    as_of_after: date
    compared: int
    changes: tuple[RatingChange, ...]


def rating_changes(session: Session, framework: fw.Framework, today: date) -> RatingChanges | None:
    """Each outcome's computed rating now and with the file's version, read from the same rows (only reads);
    None for a framework not loaded yet."""
    from tracker.ratings import compute

    found = session.execute(
        select(Framework.id, FrameworkVersion)
        .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
        .where(Framework.slug == framework.id, FrameworkVersion.version == Framework.current_version)
    ).one_or_none()
    if found is None:
        return None
    framework_id, version = found
    old = framework_of(version)
    before_as_of, after_as_of = old.default_as_of(today), framework.default_as_of(today)
    was = {r.outcome_id: r.computed for r in compute.rate(session, framework_id, old, before_as_of).ratings}
    texts = {o.id: o.text for o in framework.outcomes}
    now = compute.rate(session, framework_id, framework, after_as_of).ratings
    changes = tuple(
        RatingChange(r.outcome_id, texts[r.outcome_id], was[r.outcome_id], r.computed)
        for r in now
        if r.outcome_id in was and was[r.outcome_id] != r.computed
    )
    return RatingChanges(before_as_of, after_as_of, sum(1 for r in now if r.outcome_id in was), changes)


# -- loading on confirmation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmed:
    """A confirmation's result: the load's summary, or (when the framework moved on since the preview, so
    nothing was loaded) the framework the file holds, to preview again."""

    summary: LoadSummary | None
    framework: fw.Framework
    moved_to: Current | None = None


def confirm(session: Session, actor: Actor, sealed: Sealed) -> Confirmed:
    """Load exactly the previewed text, unless the framework changed since the preview; FrameworkRefused
    when the file no longer validates or `load_version` refuses it."""
    result = parse_framework(sealed.text, sealed.name)
    if result.framework is None:
        raise FrameworkRefused(f"the file no longer validates: {result.problems[0]}; nothing was changed")
    found = current(session, result.framework.id, lock=True)
    now = None if found is None else (found[1].version, found[1].content_sha256)
    if now != sealed.base:
        return Confirmed(None, result.framework, None if found is None else found[1])
    try:
        with session.begin_nested():  # a unique-key clash leaves the request's transaction usable
            summary = load_version(session, result.framework, sealed.text, actor, source_name=sealed.name)
    except IntegrityError:
        # Two admins adding the same new framework at once (no row existed to lock): the other one won.
        raise FrameworkRefused(
            f"{result.framework.id} was loaded by someone else at the same moment; nothing was changed: "
            "upload the file again to see what it would do now"
        ) from None
    return Confirmed(summary, result.framework)

"""What the audit trail page reads: one filtered page of entries, with names for its ids in a few queries.

Names are read for the whole page at once (one query per kind of object shown, never one per entry), so a
page costs the same number of statements whatever it lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from tracker.db.models import (
    Attachment,
    AuditEvent,
    Element,
    Evidence,
    Framework,
    FrameworkVersion,
    KpiValue,
    Partner,
    User,
)
from tracker.services import audit_words
from tracker.services.audit_words import COMMAND_LINE, Names
from tracker.services.frameworks import framework_of

WHO_COMMAND_LINE = "command-line"  # the filter's value for entries made with the `tracker` command
MAX_NAMES = 500  # ids looked up per kind for one page: far more than a page of 50 entries names


@dataclass(frozen=True)
class AuditFilters:
    """Which entries to list: by whom ("" anyone, a user id, or WHO_COMMAND_LINE), what, on what, when."""

    who: str = ""
    action: str = ""
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.who == WHO_COMMAND_LINE:
            found.append(and_(AuditEvent.actor_id.is_(None), AuditEvent.actor == COMMAND_LINE))
        elif (user_id := _number(self.who)) is not None:
            found.append(AuditEvent.actor_id == user_id)
        if self.action:
            found.append(AuditEvent.action == self.action)
        if self.object_type:
            found.append(AuditEvent.object_type == self.object_type)
        if self.date_from is not None:  # days are UTC days, as the page shows the times
            found.append(AuditEvent.at >= datetime.combine(self.date_from, time(), UTC))
        if self.date_to is not None:
            found.append(AuditEvent.at < datetime.combine(self.date_to + timedelta(days=1), time(), UTC))
        return found


@dataclass(frozen=True)
class ObjectRef:
    """What an entry acted on: its kind in words, its name, and the page that shows it (endpoint, args)."""

    kind: str
    name: str
    endpoint: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str
    who_user_id: int | None
    role: str
    action: str
    action_code: str
    object: ObjectRef | None
    detail: str
    changes: list[str]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def people(session: Session) -> list[tuple[int, str]]:
    """(id, email) of every account, by email: the choices of the page's "Who" filter."""
    return [
        (user_id, email)
        for user_id, email in session.execute(select(User.id, User.email).order_by(User.email))
    ]


def audit_page(session: Session, filters: AuditFilters, page: int, size: int) -> AuditPage:
    """One page of the entries that pass the filters, newest first, and how many pass in all."""
    conditions = filters.conditions()
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    events = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    lookup = _Lookup.read(session, events)
    return AuditPage([lookup.row(e) for e in events], total, page, max(1, -(-total // size)))


def _number(text: str) -> int | None:
    """An id written in digits 0-9 (an id from an address may hold digits such as '²' that int() refuses)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _ids(events: Iterable[AuditEvent], kind: str) -> list[int]:
    numbers = {_number(e.object_id) for e in events if e.object_type == kind}
    return sorted(n for n in numbers if n is not None)[:MAX_NAMES]


def _values(events: Iterable[AuditEvent], key: str) -> Iterable[Any]:
    for event in events:
        for side in (event.before, event.after):
            if isinstance(side, dict) and key in side:
                yield side[key]


@dataclass
class _Lookup:
    """Every name one page of entries needs, each kind read in one query."""

    evidence: dict[int, str] = field(default_factory=dict)
    attachments: dict[int, tuple[str, int]] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    kpi_values: dict[int, tuple[str, str, int]] = field(default_factory=dict)
    frameworks: dict[int, tuple[str, str]] = field(default_factory=dict)
    framework_ids: dict[str, int] = field(default_factory=dict)
    surveys: dict[tuple[int, str], str] = field(default_factory=dict)
    names: Names = field(default_factory=Names)

    @classmethod
    def read(cls, session: Session, events: Sequence[AuditEvent]) -> _Lookup:
        found = cls()
        if not events:
            return found
        if ids := _ids(events, "evidence"):
            found.evidence = {
                key: name
                for key, name in session.execute(
                    select(Evidence.id, Evidence.title).where(Evidence.id.in_(ids))
                )
            }
        if ids := _ids(events, "attachment"):
            attachments = session.execute(
                select(Attachment.id, Attachment.original_name, Attachment.evidence_id).where(
                    Attachment.id.in_(ids)
                )
            )
            found.attachments = {key: (name, evidence_id) for key, name, evidence_id in attachments}
        if ids := _ids(events, "user"):
            found.users = {
                key: name
                for key, name in session.execute(select(User.id, User.email).where(User.id.in_(ids)))
            }
        if ids := _ids(events, "kpi_value"):
            values = session.execute(
                select(KpiValue.id, Element.text, KpiValue.period, KpiValue.framework_id)
                .join(Element, Element.id == KpiValue.element_id)
                .where(KpiValue.id.in_(ids))
            )
            found.kpi_values = {key: (text, period, fid) for key, text, period, fid in values}
        found._read_frameworks(session, events)
        found._read_names(session, events)
        found._read_surveys(session, events)
        return found

    def _read_frameworks(self, session: Session, events: Sequence[AuditEvent]) -> None:
        ids = {e.framework_id for e in events if e.framework_id is not None}
        ids |= {fid for _text, _period, fid in self.kpi_values.values()}
        slugs = {e.object_id for e in events if e.object_type in {"framework", "archive"} and e.object_id}
        rows = session.execute(
            select(Framework.id, Framework.slug, Framework.title).where(
                or_(Framework.id.in_(sorted(ids)[:MAX_NAMES]), Framework.slug.in_(sorted(slugs)[:MAX_NAMES]))
            )
        )
        for fid, slug, title in rows:
            self.frameworks[fid] = (slug, title)
            self.framework_ids[slug] = fid

    def _read_names(self, session: Session, events: Sequence[AuditEvent]) -> None:
        """Element texts for outcomes acted on and for the elements and KPIs values name; partner names."""
        slugs = {e.object_id for e in events if e.object_type == "outcome"}
        for links in _values(events, "links"):
            if isinstance(links, list):
                slugs.update(str(link) for link in links)
        slugs.update(str(kpi) for kpi in _values(events, "kpi"))
        elements: dict[tuple[int | None, str], str] = {}
        if slugs:
            rows = session.execute(
                select(Element.framework_id, Element.slug, Element.text).where(
                    Element.slug.in_(sorted(slugs)[:MAX_NAMES])
                )
            )
            by_slug: dict[str, list[str]] = {}
            for fid, slug, text in rows:
                elements[(fid, slug)] = text
                by_slug.setdefault(slug, []).append(text)
            # An entry that names no framework (a refusal) takes the element when only one has that id.
            for slug, texts in by_slug.items():
                if len(texts) == 1:
                    elements[(None, slug)] = texts[0]
        partners: dict[str, str] = {}
        wanted = sorted({str(p) for p in _values(events, "partner") if p})[:MAX_NAMES]
        if wanted:
            partners = {
                key: name
                for key, name in session.execute(
                    select(Partner.slug, Partner.name).where(Partner.slug.in_(wanted))
                )
            }
        self.names = Names(elements, partners)

    def _read_surveys(self, session: Session, events: Sequence[AuditEvent]) -> None:
        """Survey titles from each framework's current version (parsed once and kept by `framework_of`)."""
        ids = sorted(
            {e.framework_id for e in events if e.object_type == "survey" and e.framework_id is not None}
        )
        if not ids:
            return
        versions = session.scalars(
            select(FrameworkVersion)
            .join(
                Framework,
                and_(
                    Framework.id == FrameworkVersion.framework_id,
                    Framework.current_version == FrameworkVersion.version,
                ),
            )
            .where(Framework.id.in_(ids))
        )
        for version in versions:
            for survey in framework_of(version).surveys:
                self.surveys[(version.framework_id, survey.id)] = survey.title

    def row(self, event: AuditEvent) -> AuditRow:
        command_line = event.actor_id is None and event.actor == COMMAND_LINE
        return AuditRow(
            at=event.at,
            who="The command line" if command_line else event.actor,
            who_user_id=event.actor_id,
            role="" if command_line else event.role.capitalize(),
            action=audit_words.action_label(event.action),
            action_code=event.action,
            object=self.object_of(event),
            detail=audit_words.detail_text(event.action, event.detail),
            changes=audit_words.changes(event.before, event.after, self.names, event.framework_id),
        )

    def object_of(self, event: AuditEvent) -> ObjectRef | None:
        """The object's name and page; its kind and id in words when it has no name (or no longer exists)."""
        kind, key = event.object_type, event.object_id
        if not kind:
            return None
        label = audit_words.object_label(kind)
        number = _number(key)
        framework = self.frameworks.get(event.framework_id) if event.framework_id is not None else None
        if number is not None and kind == "evidence" and number in self.evidence:
            return ObjectRef(label, self.evidence[number], "evidence.show", {"evidence_id": number})
        if number is not None and kind == "attachment" and number in self.attachments:
            name, evidence_id = self.attachments[number]
            return ObjectRef(label, name, "evidence.show", {"evidence_id": evidence_id})
        if number is not None and kind == "user" and number in self.users:
            return ObjectRef(label, self.users[number], "admin.edit_user", {"user_id": number})
        if number is not None and kind == "kpi_value" and number in self.kpi_values:
            text, period, fid = self.kpi_values[number]
            slug = self.frameworks.get(fid, ("", ""))[0]
            return ObjectRef(label, f"{text}, {period}", "kpis.index" if slug else None, {"slug": slug})
        if kind in {"framework", "archive"} and key in self.framework_ids:
            slug, title = self.frameworks[self.framework_ids[key]]
            return ObjectRef(label, title, "frameworks.show", {"slug": slug})
        if kind == "outcome" and framework is not None:
            text = self.names.element(event.framework_id, key)
            return ObjectRef(label, text, "ratings.outcome", {"slug": framework[0], "outcome_id": key})
        if kind == "outcome":
            return ObjectRef(label, self.names.element(None, key))
        survey = self.surveys.get((event.framework_id or 0, key)) if kind == "survey" else None
        if survey and framework is not None:
            return ObjectRef(label, survey, "surveys.show", {"slug": framework[0], "survey_id": key})
        return ObjectRef(label, f"no. {key}" if number is not None else key)

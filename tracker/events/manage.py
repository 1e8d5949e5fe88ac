"""Events from the web (issue 19): who may manage an event, a new event from the form's values, and new
sessions or feedback files for an event. Both go through `check_files` and `write_checked` (all or nothing,
audited) as `tracker event load` does; these only add the web's permission rule and its two checks.

Who may manage an event: admins, and leads of its host partner, the partner most of its current sessions
name (every partner tied at the top, on a tie). While no session names a partner, as for a new event, the
leads of every partner of the framework may: any of them could be hosting it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Event, Framework, FrameworkPartner, Partner
from tracker.domain.event_files import FrameworkIds, check_framework, parse_event_bytes
from tracker.domain.events import SessionRow
from tracker.domain.yaml_source import Problem
from tracker.events.reading import find_event, latest_load, sessions_of
from tracker.events.service import LINKABLE, CheckedEvent, NamedFile, check_files
from tracker.services.evidence import FrameworkContext, Refused, framework_context
from tracker.services.permissions import Principal, can_manage_event

FORM_FILE = "the event form"  # the name a new event's YAML is loaded under (and its problems located in)


def host_partners(sessions: Iterable[SessionRow]) -> frozenset[str]:
    """The partner ids named by the most sessions (all of those tied); none when no session names one."""
    named = Counter(s.partner for s in sessions if s.partner)
    if not named:
        return frozenset()
    most = max(named.values())
    return frozenset(partner for partner, count in named.items() if count == most)


def may_manage(p: Principal, partners: Mapping[str, int], sessions: Iterable[SessionRow]) -> bool:
    """Whether this user may create events and load files for this event; `partners` are the framework's
    partners (id -> database id)."""
    hosts = {partners[slug] for slug in host_partners(sessions) if slug in partners}
    if host_partners(sessions) and not hosts:  # hosted by a partner no longer in the framework: admins only
        return p.role == "admin"
    return can_manage_event(p, set(partners.values()), hosts)


@dataclass(frozen=True)
class PartnerName:
    id: int
    name: str


def framework_partners(session: Session, framework: str) -> dict[str, PartnerName]:
    """The framework's current partners by id, with their names: one statement."""
    rows = session.execute(
        select(Partner.slug, Partner.id, Partner.name)
        .join(FrameworkPartner, FrameworkPartner.partner_id == Partner.id)
        .join(Framework, Framework.id == FrameworkPartner.framework_id)
        .where(Framework.slug == framework, FrameworkPartner.archived_at.is_(None))
    )
    return {slug: PartnerName(pk, name) for slug, pk, name in rows}


def _context(session: Session, framework: str) -> FrameworkContext:
    ctx = framework_context(session, framework)
    if ctx is None:
        raise LookupError(f"no framework has the id '{framework}'")
    return ctx


def _partners(ctx: FrameworkContext) -> dict[str, int]:
    return {slug: partner.id for slug, partner in ctx.partners.items()}


def check_new_event(
    session: Session, p: Principal, framework: str, event_id: str, yaml_text: str
) -> CheckedEvent:
    """The form's event checked as a new event of this framework; Refused if this user may not create events
    here. An id already used is a problem of the id (with the other problems of the form's own values: not
    those of loading it over the event that has the id)."""
    ctx = _context(session, framework)
    if not may_manage(p, _partners(ctx), ()):
        raise Refused(f"you may not create events in the framework '{framework}'")
    yaml = NamedFile(FORM_FILE, yaml_text.encode("utf-8"))
    taken = session.scalar(
        select(Event.id).where(Event.framework_id == ctx.framework.id, Event.slug == event_id)
    )
    if taken is None:
        return check_files(session, p, yaml)
    links = frozenset(s for s, e in ctx.elements.items() if e.kind in LINKABLE and e.archived_at is None)
    own = check_framework(
        parse_event_bytes(yaml.raw, yaml.name), FrameworkIds(framework, links, frozenset(ctx.partners))
    )
    message = (
        f"id: the framework already has an event with the id '{event_id}': choose another id, or load new "
        "files for that event from its page"
    )
    return CheckedEvent(yaml, None, None, (Problem(1, 1, message, FORM_FILE), *own.problems))


def check_upload(
    session: Session,
    p: Principal,
    framework: str,
    event_id: str,
    sessions_file: NamedFile | None,
    feedback_file: NamedFile | None,
) -> CheckedEvent:
    """New sessions and/or feedback files for an event, checked with the event's YAML as last loaded;
    Refused if this user may not manage the event, or if a lead's sessions file names another partner;
    EventNotFound if there is no such event."""
    event, _framework = find_event(session, event_id, framework)
    ctx = _context(session, framework)
    latest = latest_load(session, event.id)
    current = sessions_of(session, latest[0].sessions_load_id) if latest is not None else ()
    if not may_manage(p, _partners(ctx), current):
        raise Refused(f"you may not load files for the event '{event_id}'")
    yaml = NamedFile(f"{event_id}.yaml", event.yaml_text.encode("utf-8"))
    # A lead's sessions file naming another partner is Refused here too, as a CSV import's rows are.
    return check_files(session, p, yaml, sessions_file, feedback_file)

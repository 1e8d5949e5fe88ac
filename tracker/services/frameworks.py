"""Loads framework versions into the database: add, update, archive; never delete; keep every text."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Element, Framework, FrameworkPartner, FrameworkVersion, Partner, utcnow
from tracker.domain import framework as fw
from tracker.domain.loader import parse_framework
from tracker.services.audit import Actor, record


class FrameworkRefused(Exception):
    """A load that would lose or confuse history; nothing was written."""


@dataclass
class LoadSummary:
    framework_id: str
    version: int
    created: bool = False
    unchanged: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in {"framework_id", "version"}}


def _plain(value: Any) -> Any:
    """JSON-ready values; walks dataclasses by their fields (asdict would deep-copy read-only mappings)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    return value


def element_attrs(element: fw.Element) -> dict[str, Any]:
    """The element's own fields as JSON-ready values (a theme without its children)."""
    if isinstance(element, fw.Theme):
        return {"id": element.id, "title": element.title, "summary": element.summary, "ref": element.ref}
    attrs: dict[str, Any] = _plain(asdict(element))
    if isinstance(element, fw.Kpi) and element.source is None:
        del attrs["source"]  # as before KPIs could have one: stored attrs and content fingerprints stay put
    return attrs


def element_text(element: fw.Element) -> str:
    if isinstance(element, fw.Theme):
        return element.title
    if isinstance(element, fw.Kpi | fw.Partner):
        return element.name
    return element.text


# survey keys added after frameworks were stored (issue 21), left out at their defaults
_LATER_SURVEY_DEFAULTS: dict[str, Any] = {"organisations": False, "characteristics": [], "overall": []}


def _survey_attrs(survey: Any) -> dict[str, Any]:
    """A survey's fields without later keys at their defaults, so stored fingerprints stay put."""
    attrs: dict[str, Any] = _plain(survey)
    return {
        k: v for k, v in attrs.items() if k not in _LATER_SURVEY_DEFAULTS or v != _LATER_SURVEY_DEFAULTS[k]
    }


def content_fingerprint(framework: fw.Framework) -> str:
    """What the file means, not how it is written: comments and layout do not change it."""
    document = {
        "id": framework.id,
        "title": framework.title,
        "version": framework.version,
        "vision": framework.vision,
        "description": framework.description,
        "source": framework.source,
        "period": [framework.period.start, framework.period.end],
        "as_of": framework.as_of,
        "rules": dict(framework.rules),
        "elements": [[fw.element_kind(e), element_attrs(e)] for e in framework.elements()],
        "surveys": [_survey_attrs(survey) for survey in framework.surveys],
    }
    canonical = json.dumps(_plain(document), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@lru_cache(maxsize=64)
def _parse_cached(text: str, name: str) -> fw.Framework:
    result = parse_framework(text, name)
    if result.framework is None:  # a stored version always validated when it was loaded
        raise FrameworkRefused(f"stored framework {name} no longer validates: {result.problems[0]}")
    return result.framework


_BY_CONTENT: dict[str, fw.Framework] = {}  # the frameworks parsed here, by content hash; oldest first
_KEPT = 64
_by_content_lock = threading.Lock()


def framework_of(version: FrameworkVersion) -> fw.Framework:
    """The domain framework of a stored version (parsed once per process and text)."""
    found = _parse_cached(version.yaml_text, f"{version.title} v{version.version}")
    with _by_content_lock:
        if version.content_sha256 not in _BY_CONTENT:
            while len(_BY_CONTENT) >= _KEPT:
                _BY_CONTENT.pop(next(iter(_BY_CONTENT)))
            _BY_CONTENT[version.content_sha256] = found
    return found


def parsed_framework(content_sha256: str) -> fw.Framework | None:
    """The framework with this content hash if this process has parsed it (the hash covers all it means)."""
    return _BY_CONTENT.get(content_sha256)


def load_version(
    session: Session, framework: fw.Framework, yaml_text: str, actor: Actor, source_name: str = ""
) -> LoadSummary:
    """Add a framework or a newer version of it. Refuses lower versions and same-numbered changes."""
    fingerprint = content_fingerprint(framework)
    row = session.scalars(select(Framework).where(Framework.slug == framework.id)).one_or_none()
    summary = LoadSummary(framework.id, framework.version)
    if row is not None:
        latest = session.scalars(
            select(FrameworkVersion)
            .where(FrameworkVersion.framework_id == row.id)
            .order_by(FrameworkVersion.version.desc())
            .limit(1)
        ).one()
        if framework.version < latest.version:
            raise FrameworkRefused(
                f"{framework.id}: version {framework.version} is lower than the loaded version "
                f"{latest.version}; nothing was changed"
            )
        if framework.version == latest.version:
            if latest.content_sha256 == fingerprint:
                summary.unchanged = True
                return summary
            raise FrameworkRefused(
                f"{framework.id}: version {framework.version} is already loaded with different content; "
                f"raise 'version' to {latest.version + 1} to load the change; nothing was changed"
            )
    else:
        row = Framework(slug=framework.id, title=framework.title, current_version=framework.version)
        session.add(row)
        session.flush()
        summary.created = True

    _sync_elements(session, row, framework, summary)
    _sync_partners(session, row, framework, summary)
    row.title = framework.title
    row.current_version = framework.version
    session.add(
        FrameworkVersion(
            framework_id=row.id,
            version=framework.version,
            title=framework.title,
            yaml_text=yaml_text,
            content_sha256=fingerprint,
            source_name=source_name,
            changes=summary.as_dict(),
            loaded_by=actor.label,
        )
    )
    from tracker.ratings import upkeep  # the ratings read frameworks through this module

    upkeep.inputs_changed(session, row.id, upkeep.ALL)
    record(
        session,
        actor,
        "framework.load",
        object_type="framework",
        object_id=framework.id,
        framework_id=row.id,
        after={"version": framework.version, **summary.as_dict()},
        detail=source_name,
    )
    session.flush()
    return summary


def _sync_elements(session: Session, row: Framework, framework: fw.Framework, summary: LoadSummary) -> None:
    existing = {e.slug: e for e in session.scalars(select(Element).where(Element.framework_id == row.id))}
    now = utcnow()
    seen: set[str] = set()
    position = 0
    for theme in framework.themes:
        elements: tuple[fw.Element, ...] = (
            theme,
            *theme.aims,
            *theme.activities,
            *theme.outputs,
            *theme.outcomes,
            *theme.kpis,
        )
        for element in elements:
            position += 1
            seen.add(element.id)
            kind = fw.element_kind(element)
            attrs = element_attrs(element)
            text = element_text(element)
            theme_slug = None if isinstance(element, fw.Theme) else theme.id
            current = existing.get(element.id)
            if current is None:
                session.add(
                    Element(
                        framework_id=row.id,
                        slug=element.id,
                        kind=kind,
                        theme_slug=theme_slug,
                        text=text,
                        attrs=attrs,
                        position=position,
                        added_in_version=framework.version,
                        changed_in_version=framework.version,
                    )
                )
                summary.added.append(f"{kind} {element.id}")
                continue
            if current.archived_at is not None:
                current.archived_at = None
                current.archived_in_version = None
                summary.restored.append(f"{kind} {element.id}")
            if (current.kind, current.attrs, current.theme_slug) != (kind, attrs, theme_slug):
                summary.changed.append(f"{kind} {element.id}")
                current.changed_in_version = framework.version
            current.kind, current.attrs, current.text, current.theme_slug = kind, attrs, text, theme_slug
            current.position = position
    for slug, element_row in existing.items():
        if slug not in seen and element_row.archived_at is None:
            element_row.archived_at = now
            element_row.archived_in_version = framework.version
            summary.archived.append(f"{element_row.kind} {slug}")


def _sync_partners(session: Session, row: Framework, framework: fw.Framework, summary: LoadSummary) -> None:
    slugs = [p.id for p in framework.partners]
    partners = {p.slug: p for p in session.scalars(select(Partner).where(Partner.slug.in_(slugs)))}
    memberships = {
        m.partner.slug: m
        for m in session.scalars(select(FrameworkPartner).where(FrameworkPartner.framework_id == row.id))
    }
    for partner in framework.partners:
        org = partners.get(partner.id)
        if org is None:
            org = Partner(slug=partner.id, name=partner.name, kind=partner.kind)
            session.add(org)
            session.flush()
        else:
            org.name, org.kind = partner.name, partner.kind
        membership = memberships.get(partner.id)
        if membership is None:
            session.add(
                FrameworkPartner(framework_id=row.id, partner_id=org.id, tier=partner.tier, note=partner.note)
            )
            summary.added.append(f"partner {partner.id}")
            continue
        if membership.archived_at is not None:
            membership.archived_at = None
            summary.restored.append(f"partner {partner.id}")
        if (membership.tier, membership.note) != (partner.tier, partner.note):
            membership.tier, membership.note = partner.tier, partner.note
            summary.changed.append(f"partner {partner.id}")
    for slug, membership in memberships.items():
        if slug not in slugs and membership.archived_at is None:
            membership.archived_at = utcnow()
            summary.archived.append(f"partner {slug}")


@dataclass(frozen=True)
class FrameworkListing:
    slug: str
    title: str
    version: int
    versions: int
    loaded_at: datetime  # UTC


def list_frameworks(session: Session) -> list[FrameworkListing]:
    rows = session.execute(
        select(Framework, FrameworkVersion)
        .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
        .order_by(Framework.slug, FrameworkVersion.version)
    ).all()
    by_slug: dict[str, list[tuple[Framework, FrameworkVersion]]] = {}
    for framework_row, version_row in rows:
        by_slug.setdefault(framework_row.slug, []).append((framework_row, version_row))
    listings = []
    for slug, pairs in by_slug.items():
        framework_row, latest = pairs[-1]
        listings.append(
            FrameworkListing(slug, framework_row.title, latest.version, len(pairs), latest.loaded_at)
        )
    return listings


def current_version(session: Session, slug: str) -> tuple[Framework, FrameworkVersion] | None:
    """The framework row and its newest version, in one query."""
    found = session.execute(
        select(Framework, FrameworkVersion)
        .join(FrameworkVersion, FrameworkVersion.framework_id == Framework.id)
        .where(Framework.slug == slug, FrameworkVersion.version == Framework.current_version)
    ).one_or_none()
    return None if found is None else (found[0], found[1])


def framework_by_id(session: Session, framework_id: int) -> Framework | None:
    return session.get(Framework, framework_id)


def framework_titles(session: Session) -> dict[int, str]:
    """Framework id -> title, for naming each item's framework in a list that spans them."""
    return {
        framework_id: title for framework_id, title in session.execute(select(Framework.id, Framework.title))
    }

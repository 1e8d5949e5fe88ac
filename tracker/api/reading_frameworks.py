"""Frameworks, their versions and their themes as JSON-ready values for the API (a service: it queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Framework, FrameworkVersion
from tracker.domain import framework as fw
from tracker.services import frameworks as framework_service


def iso(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC, with its Z."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return utc.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def version_summary(row: FrameworkVersion) -> dict[str, Any]:
    return {
        "version": row.version,
        "title": row.title,
        "loaded_at": iso(row.loaded_at),
        "loaded_by": row.loaded_by,
        "content_sha256": row.content_sha256,
    }


def version_detail(row: FrameworkVersion) -> dict[str, Any]:
    changes = row.changes or {}
    return {
        **version_summary(row),
        "source_name": row.source_name,
        "created": bool(changes.get("created", False)),
        "changes": {k: list(changes.get(k, [])) for k in ("added", "changed", "archived", "restored")},
    }


def framework_versions(session: Session, after: str | None, limit: int) -> list[dict[str, Any]]:
    """Frameworks by slug after the cursor, each with every version it has been through (two statements)."""
    query = select(Framework).order_by(Framework.slug).limit(limit + 1)
    if after is not None:
        query = query.where(Framework.slug > after)
    rows = list(session.scalars(query))
    by_framework: dict[int, list[FrameworkVersion]] = {r.id: [] for r in rows}
    if rows:
        for version in session.scalars(
            select(FrameworkVersion)
            .where(FrameworkVersion.framework_id.in_(by_framework))
            .order_by(FrameworkVersion.version)
        ):
            by_framework[version.framework_id].append(version)
    return [
        {
            "slug": row.slug,
            "title": row.title,
            "current_version": row.current_version,
            "versions": [version_summary(v) for v in by_framework[row.id]],
        }
        for row in rows
    ]


@dataclass(frozen=True)
class Current:
    row: Framework
    version: FrameworkVersion
    framework: fw.Framework


def current(session: Session, slug: str) -> Current | None:
    found = framework_service.current_version(session, slug)
    if found is None:
        return None
    return Current(found[0], found[1], framework_service.framework_of(found[1]))


def framework_detail(session: Session, found: Current) -> dict[str, Any]:
    f = found.framework
    versions = session.scalars(
        select(FrameworkVersion)
        .where(FrameworkVersion.framework_id == found.row.id)
        .order_by(FrameworkVersion.version)
    )
    return {
        "slug": found.row.slug,
        "title": f.title,
        "current_version": f.version,
        "vision": f.vision,
        "description": f.description,
        "period": {"start": f.period.start.isoformat(), "end": f.period.end.isoformat()},
        "as_of": f.as_of.isoformat() if f.as_of else None,
        "partners": [{"id": p.id, "name": p.name, "kind": p.kind, "tier": p.tier} for p in f.partners],
        "counts": {"themes": len(f.themes), "outcomes": len(f.outcomes), "kpis": len(f.kpis)},
        "versions": [version_summary(v) for v in versions],
    }


def one_version(session: Session, framework_id: int, version: int) -> FrameworkVersion | None:
    return session.scalars(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework_id, FrameworkVersion.version == version
        )
    ).one_or_none()


def theme_entry(theme: fw.Theme) -> dict[str, Any]:
    return {
        "id": theme.id,
        "title": theme.title,
        "summary": theme.summary,
        "aims": [{"id": a.id, "text": a.text} for a in theme.aims],
        "activities": [{"id": a.id, "text": a.text, "aims": list(a.aims)} for a in theme.activities],
        "outputs": [
            {"id": o.id, "text": o.text, "quadrant": o.quadrant, "kpis": list(o.kpis)} for o in theme.outputs
        ],
        "outcomes": [o.id for o in theme.outcomes],
        "kpis": [k.id for k in theme.kpis],
    }

"""GET /frameworks, one framework, one of its versions, and its themes."""

from __future__ import annotations

from typing import Any

from flask import Response

from tracker.api import reading_frameworks as reading
from tracker.api.core import api_get, not_found, page_args, paged, respond
from tracker.api.openapi import DATE, DATE_TIME, get, obj, page_of, ref
from tracker.extensions import db


@api_get("/frameworks")
def frameworks() -> Response:
    page = page_args()
    after = page.after if isinstance(page.after, str) else None
    rows = reading.framework_versions(db.session, after, page.limit)
    return respond(lambda: paged(rows, page, lambda item: item["slug"]))


def current_or_404(slug: str) -> reading.Current:
    found = reading.current(db.session, slug)
    if found is None:
        not_found(f"framework {slug!r}")
    return found


@api_get("/frameworks/<slug>")
def framework(slug: str) -> Response:
    found = current_or_404(slug)
    return respond(lambda: reading.framework_detail(db.session, found))


@api_get("/frameworks/<slug>/versions/<int:version>")
def framework_version(slug: str, version: int) -> Response:
    found = current_or_404(slug)
    row = reading.one_version(db.session, found.row.id, version)
    if row is None:
        not_found(f"version {version} of framework {slug!r}")
    return respond(lambda: reading.version_detail(row))


@api_get("/frameworks/<slug>/themes")
def themes(slug: str) -> Response:
    found = current_or_404(slug)
    return respond(lambda: {"data": [reading.theme_entry(t) for t in found.framework.themes]})


VERSION = obj(
    {
        "version": {"type": "integer"},
        "title": {"type": "string"},
        "loaded_at": DATE_TIME,
        "loaded_by": {"type": "string"},
        "content_sha256": {"type": "string"},
    }
)
_ITEMS = {"type": "array", "items": {"type": "string"}}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "VersionSummary": VERSION,
    "VersionDetail": obj(
        {
            **VERSION["properties"],
            "source_name": {"type": "string"},
            "created": {"type": "boolean"},
            "changes": obj({k: _ITEMS for k in ("added", "changed", "archived", "restored")}),
        }
    ),
    "FrameworkListed": obj(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "current_version": {"type": "integer"},
            "versions": {"type": "array", "items": ref("VersionSummary")},
        }
    ),
    "Framework": obj(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "current_version": {"type": "integer"},
            "vision": {"type": "string"},
            "description": {"type": "string"},
            "period": obj({"start": DATE, "end": DATE}),
            "as_of": {"oneOf": [DATE, {"type": "null"}]},
            "partners": {
                "type": "array",
                "items": obj(
                    {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "kind": {"type": "string"},
                        "tier": {"type": "string"},
                    }
                ),
            },
            "counts": obj(
                {"themes": {"type": "integer"}, "outcomes": {"type": "integer"}, "kpis": {"type": "integer"}}
            ),
            "versions": {"type": "array", "items": ref("VersionSummary")},
        }
    ),
    "Theme": obj(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "aims": {"type": "array", "items": obj({"id": {"type": "string"}, "text": {"type": "string"}})},
            "activities": {
                "type": "array",
                "items": obj({"id": {"type": "string"}, "text": {"type": "string"}, "aims": _ITEMS}),
            },
            "outputs": {
                "type": "array",
                "items": obj(
                    {
                        "id": {"type": "string"},
                        "text": {"type": "string"},
                        "quadrant": {"type": "string"},
                        "kpis": _ITEMS,
                    }
                ),
            },
            "outcomes": _ITEMS,
            "kpis": _ITEMS,
        }
    ),
}
OPENAPI_PATHS: dict[str, Any] = {
    "/frameworks": get(
        "The frameworks, each with every version it has been through",
        page_of("FrameworkListed"),
        paged=True,
        tag="frameworks",
    ),
    "/frameworks/{slug}": get(
        "One framework: its current version, partners and versions",
        ref("Framework"),
        parameters=("slug",),
        tag="frameworks",
    ),
    "/frameworks/{slug}/versions/{version}": get(
        "One version: who loaded it, when, and what it changed (the YAML itself is on the web, for admins)",
        ref("VersionDetail"),
        parameters=("slug", "version"),
        tag="frameworks",
    ),
    "/frameworks/{slug}/themes": get(
        "The current version's themes: aims, activities and outputs, and their outcomes' and KPIs' ids",
        obj({"data": {"type": "array", "items": ref("Theme")}}),
        parameters=("slug",),
        tag="frameworks",
    ),
}

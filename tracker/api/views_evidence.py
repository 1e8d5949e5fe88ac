"""GET a framework's evidence items, newest logged first, and one item, with the web's visibility: a board
token reads accepted items only, a lead's its own partner's drafts too; what a token may not read is 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, request

from tracker.api import reading_evidence as reading
from tracker.api.core import Page, api_get, not_found, page_args, paged, principal, problem, respond
from tracker.api.openapi import DATE, DATE_TIME, get, nullable, obj, page_of, ref
from tracker.domain.evidence_input import FINDING_LABELS, FLAGS, SHOWS_LABELS, SOURCE_TYPE_LABELS, STATUSES
from tracker.extensions import db
from tracker.services.evidence_queries import EvidenceFilters


def _framework(slug: str) -> int:
    found = reading.framework_id(db.session, slug)
    if found is None:
        not_found(f"framework {slug!r}")
    return found


def _filters() -> EvidenceFilters:
    status = request.args.get("status", "")
    if status and status not in STATUSES:
        problem(400, "Bad Request", f"status must be one of {', '.join(STATUSES)}; got {status[:40]!r}.")
    return EvidenceFilters(status=status, element=request.args.get("outcome", "")[:64])


def _after(page: Page) -> tuple[date, int] | None:
    """The cursor: the date and id of the last item of the page before."""
    if page.after is None:
        return None
    try:
        day, last = page.after
        if type(last) is not int or type(day) is not str:
            raise TypeError(day)
        return date.fromisoformat(day), last
    except (TypeError, ValueError):
        problem(400, "Bad Request", "cursor is not one this API gave out: use next_cursor as it came.")


@api_get("/frameworks/<slug>/evidence")
def evidence(slug: str) -> Response:
    page = page_args()
    after = _after(page)
    filters = _filters()
    rows = reading.evidence_page(db.session, _framework(slug), principal(), filters, after, page.limit)
    return respond(lambda: paged(rows, page, reading.position))


@api_get("/frameworks/<slug>/evidence/<evidence_id>")
def evidence_item(slug: str, evidence_id: str) -> Response:
    # Any text matches, so every path of the document is a route (a write to it is a 405, not a 404).
    framework = _framework(slug)
    whole = evidence_id.isascii() and evidence_id.isdigit() and len(evidence_id) < 10  # an int4 at most
    number = int(evidence_id) if whole else 0
    found = reading.visible_item(db.session, framework, principal(), number) if number else None
    if found is None:
        not_found(f"evidence item {evidence_id[:20]!r} in framework {slug!r}")
    return respond(lambda: found)


def _one_of(values: Any) -> dict[str, Any]:
    return {"type": ["string", "null"], "enum": [*values, None]}


_STRINGS = {"type": "array", "items": {"type": "string"}}
_COUNT = {"type": ["integer", "null"]}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "Evidence": obj(
        {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "source_type": _one_of(SOURCE_TYPE_LABELS),
            "collected_on": DATE,
            "finding": _one_of(FINDING_LABELS),
            "shows": {**_one_of(SHOWS_LABELS), "description": "The RBA question it answers, if said."},
            "kpi": {"type": ["string", "null"], "description": "The id of the KPI whose value it reports."},
            "respondents": _COUNT,
            "population": _COUNT,
            "positive": _COUNT,
            "respondent_group": {"type": "string"},
            "collection": {"type": "string"},
            "independent": {"type": "boolean", "description": "Collected by the external evaluator."},
            "status": {"type": "string", "enum": list(STATUSES)},
            "review_note": {"type": "string"},
            "partner": nullable(obj({"id": {"type": "string"}, "name": {"type": "string"}})),
            "quote": {"type": "string"},
            "url": {"type": "string"},
            "flags": {"type": "array", "items": {"type": "string", "enum": list(FLAGS)}},
            "links": obj({key: _STRINGS for key in reading.LINK_KEYS.values()}),
            "attachments": {
                "type": "array",
                "description": "The files' names and sizes in bytes (the files themselves are on the web).",
                "items": obj({"name": {"type": "string"}, "size": {"type": "integer"}}),
            },
            "created_at": DATE_TIME,
            "updated_at": DATE_TIME,
            "accepted_at": nullable(DATE_TIME),
        }
    ),
}
_ORDER = " Items collected on the same day come newest logged (highest id) first."
_VISIBILITY = (
    "Visibility is the web's: accepted items for every role; a lead's token also its own partner's items in "
    "any status; an evaluator's submitted and returned items too, never drafts; an admin's every item."
)
EVIDENCE_ID = {
    "name": "evidence_id",
    "in": "path",
    "required": True,
    "description": "An evidence item's number.",
    "schema": {"type": "integer"},
}
_FILTERS = [
    {
        "name": "status",
        "in": "query",
        "description": "Only items in this status (of those the token may see).",
        "schema": {"type": "string", "enum": list(STATUSES)},
    },
    {
        "name": "outcome",
        "in": "query",
        "description": "Only items linked to this outcome (an output's or KPI's id works too).",
        "schema": {"type": "string"},
    },
]


def _listing() -> dict[str, Any]:
    path = get(
        "The evidence items this token may read, in the evidence list's order: newest collected first",
        page_of("Evidence"),
        description=_VISIBILITY + _ORDER,
        parameters=("slug",),
        paged=True,
        tag="evidence",
    )
    path["get"]["parameters"][1:1] = _FILTERS
    return path


def _item() -> dict[str, Any]:
    path = get(
        "One evidence item; 404 when there is none or this token may not read it (ids do not leak)",
        ref("Evidence"),
        description=_VISIBILITY,
        parameters=("slug",),
        tag="evidence",
    )
    path["get"]["parameters"].insert(1, EVIDENCE_ID)
    return path


OPENAPI_PATHS: dict[str, Any] = {
    "/frameworks/{slug}/evidence": _listing(),
    "/frameworks/{slug}/evidence/{evidence_id}": _item(),
}

"""GET a framework's events (paged, earliest first) and one event's measures, as its page and `tracker event
show --json` give them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response

from tracker.api import reading_events as reading
from tracker.api.core import api_get, not_found, page_args, paged, problem, respond
from tracker.api.openapi import DATE, DATE_TIME, NULLABLE_STRING, get, nullable, obj, page_of, ref
from tracker.api.views_frameworks import current_or_404
from tracker.extensions import db


def _after(raw: Any) -> tuple[date, str] | None:
    """The cursor's key: the last event's start date and id."""
    if raw is None:
        return None
    if isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, str) for v in raw):
        try:
            return date.fromisoformat(raw[0]), raw[1]
        except ValueError:
            pass
    problem(400, "Bad Request", "cursor is not one this API gave out: use next_cursor as it came.")


@api_get("/frameworks/<slug>/events")
def events(slug: str) -> Response:
    current_or_404(slug)
    page = page_args()
    rows = reading.events_page(db.session, slug, _after(page.after), page.limit)
    return respond(lambda: paged(rows, page, lambda e: [e["starts_on"], e["id"]]))


@api_get("/frameworks/<slug>/events/<event_id>")
def event(slug: str, event_id: str) -> Response:
    current_or_404(slug)
    shown = reading.event(db.session, slug, event_id)
    if shown is None:
        not_found(f"event {event_id[:100]!r} in framework {slug!r}")
    return respond(lambda: reading.event_detail(shown))


# -- the document ------------------------------------------------------------------------------------------

_INT = {"type": "integer"}
_COUNT = {"type": ["integer", "null"]}
_NUMBER = {"type": ["number", "null"]}
_TEXT = {"type": "string"}
_SHARE = {"type": ["number", "null"], "minimum": 0}  # a fraction (conversion may pass 1)
_UNIQUE = nullable(obj({"value": _INT, "estimated": {"type": "boolean"}}))


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def _keyed(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": value}


OPENAPI_SCHEMAS: dict[str, Any] = {
    "EventListed": obj(
        {
            "id": _TEXT,
            "title": _TEXT,
            "starts_on": DATE,
            "ends_on": DATE,
            "sessions": _INT,
            "attended": _COUNT,
            "unique_attendees": _UNIQUE,
            "answers": _INT,
            "loads": _INT,
            "loaded_at": nullable(DATE_TIME),
        }
    ),
    # The contract of `tracker event show ID --json` (DESIGN.md, "Events"): shares are fractions 0-1.
    "EventMeasures": obj(
        {
            "event": _TEXT,
            "title": _TEXT,
            "sessions": _INT,
            "sold_out": _INT,
            "signups": _COUNT,
            "attended": _COUNT,
            "conversion": _SHARE,
            "unique_attendees": _UNIQUE,
            "ratings": _keyed(obj({"mean": _NUMBER, "n": _INT})),
            "choices": _keyed(_keyed(_SHARE)),
            "cost_per_attendee": nullable(
                obj({"value": {"type": "number"}, "basis": {"enum": ["unique", "attended"]}})
            ),
            "full_cost_per_attendee": _NUMBER,
            "full_cost_per_member": _NUMBER,
            "top_sessions": _array(obj({"title": _TEXT, "attended": _INT})),
            "by_theme": _keyed(obj({"sessions": _INT, "attended": _COUNT})),
        }
    ),
    "Event": obj(
        {
            "id": _TEXT,
            "title": _TEXT,
            "starts_on": DATE,
            "ends_on": DATE,
            "source": _TEXT,
            "links": _array(_TEXT),
            "population": nullable(obj({"name": _TEXT, "size": _INT})),
            "costs": obj(
                {"direct": _NUMBER, "full": _NUMBER, "currency": {"const": "GBP"}, "staff_hours": _NUMBER}
            ),
            "min_group_size": _INT,
            "load": nullable(
                obj(
                    {
                        "number": _INT,
                        "loaded_at": DATE_TIME,
                        "loaded_by": _TEXT,
                        "sessions_from": _COUNT,
                        "feedback_from": _COUNT,
                    }
                )
            ),
            "measures": ref("EventMeasures"),
            "agreement": _array(
                obj({"question": _TEXT, "agreeing": _INT, "n": _INT, "answered": _INT, "share": _SHARE})
            ),
            "comments": _array(obj({"question": _TEXT, "answers": _INT})),
            "by_format": _array(obj({"format": NULLABLE_STRING, "sessions": _INT, "attended": _COUNT})),
            "per_session": _array(
                obj(
                    {
                        "id": _TEXT,
                        "title": _TEXT,
                        "theme": _TEXT,
                        "starts_at": NULLABLE_STRING,
                        "format": {"enum": ["online", "in_person", "hybrid", None]},
                        "partner": NULLABLE_STRING,
                        "capacity": _COUNT,
                        "signups": _COUNT,
                        "attended": _COUNT,
                        "sold_out": {"type": "boolean"},
                        "conversion": _NUMBER,
                        "ratings": _array(
                            obj(
                                {
                                    "question": _TEXT,
                                    "mean": _NUMBER,
                                    "n": _COUNT,
                                    "suppressed": {"type": "boolean"},
                                }
                            )
                        ),
                    }
                )
            ),
        }
    ),
}

OPENAPI_PATHS: dict[str, Any] = {
    "/frameworks/{slug}/events": get(
        "The framework's events, earliest first, with their sessions, attendance and feedback answers",
        page_of("EventListed"),
        parameters=("slug",),
        paged=True,
        tag="events",
    ),
    "/frameworks/{slug}/events/{event_id}": get(
        "One event: its measures as `tracker event show --json` prints them, and its sessions",
        ref("Event"),
        description=(
            "`measures` is the command's JSON (shares and conversion are fractions 0-1; money in pounds). "
            "`per_session` is the page's sessions table in the file's order; a session's mean rating from "
            "fewer than `min_group_size` answers has no mean and no n (`suppressed` true)."
        ),
        parameters=("slug", "event_id"),
        tag="events",
    ),
}

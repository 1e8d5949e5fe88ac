"""GET a framework's outcomes with their ratings, and one outcome with every reason, item and linked KPI.

The list reads the stored ratings as the dashboard and the report do (`ratings_for`); on the framework's own
as-of date its ETag is the ratings' head key, so a 304 is answered after one statement of the view's own.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from tracker.api import reading_ratings as reading
from tracker.api.core import Page, api_get, as_of_arg, not_found, page_args, paged, problem, respond
from tracker.api.openapi import DATE, DATE_TIME, get, nullable, obj, page_of, ref
from tracker.domain.evidence import TIERS
from tracker.domain.framework import OUTCOME_KINDS, QUADRANTS, TERMS, UNITS
from tracker.domain.kpi import KPI_STATUSES
from tracker.domain.rules import RATING_CODES
from tracker.extensions import db
from tracker.ratings.snapshots import RatingsHead
from tracker.web.as_of import ratings_or_abort


def position_after(page: Page) -> int | None:
    """The cursor of a list in framework order: the position of the last item of the page before."""
    if page.after is None:
        return None
    if type(page.after) is not int or page.after < 0:
        problem(400, "Bad Request", "cursor is not one this API gave out: use next_cursor as it came.")
    return int(page.after)


def _head(slug: str) -> RatingsHead:
    found = reading.head(db.session, slug, as_of_arg())
    if found is None:
        not_found(f"framework {slug!r}")
    return found


@api_get("/frameworks/<slug>/outcomes")
def outcomes(slug: str) -> Response:
    page = page_args()
    after = position_after(page)
    found = _head(slug)

    def build() -> dict[str, Any]:
        rated, _kept = ratings_or_abort(slug, stored_reasons=True, head=found)
        body = paged(reading.outcome_list(rated, after, page.limit), page, lambda row: row[0])
        body["data"] = [entry for _position, entry in body["data"]]
        return body

    return respond(build, etag_key=found.key)


@api_get("/frameworks/<slug>/outcomes/<outcome_id>")
def outcome(slug: str, outcome_id: str) -> Response:
    found = _head(slug)
    chosen = reading.outcome_of(found, outcome_id)
    if chosen is None:
        not_found(f"outcome {outcome_id!r} in framework {slug!r}")

    def build() -> dict[str, Any]:
        rated, _kept = ratings_or_abort(slug, outcomes=[chosen.id], detail=True, head=found)
        return reading.outcome_detail(rated, chosen)

    return respond(build, etag_key=found.key)


# -- the OpenAPI description ---------------------------------------------------------------------------------

_STRINGS = {"type": "array", "items": {"type": "string"}}
_LINE_COUNTS = ("positive", "negative", "robust_positive", "robust_negative")  # the rules' line counts
RATING = {"type": "string", "enum": list(RATING_CODES)}
_OUTCOME = {
    "id": {"type": "string"},
    "theme": {"type": "string", "description": "The id of its theme."},
    "text": {"type": "string"},
    "kind": {"type": "string", "enum": list(OUTCOME_KINDS)},
    "quadrant": {"type": "string", "enum": list(QUADRANTS)},
    "term": {"type": "string", "enum": list(TERMS)},
    "expected_by": nullable(DATE),
    "kpis": {**_STRINGS, "description": "The ids of the KPIs that measure it."},
    "rating": {**RATING, "description": "The rating shown: the override's when one applies."},
    "computed_rating": {**RATING, "description": "What the rules alone give."},
    "override": nullable(ref("Override")),
    "rule": {"type": "string", "description": "The rule that decided the rating (R0-override for one)."},
    "computed_rule": {"type": "string", "description": "The rule that decided the computed rating."},
    "stale": {"type": "boolean", "description": "The evidence changed since the override was made."},
    "headline": {"type": "string", "description": "The deciding rule's own reason."},
    "reasons": {**_STRINGS, "description": "Why, in the engine's words."},
    "next": {**_STRINGS, "description": "What would raise the computed rating one step."},
    "lines": obj({k: {"type": "integer"} for k in _LINE_COUNTS}),
    "items_total": {"type": "integer", "description": "Accepted items linked to it by the as-of date."},
    "as_of": DATE,
}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "Override": obj(
        {
            "rating": RATING,
            "rationale": {"type": "string"},
            "by": {"type": "string", "description": "The evaluator's email."},
            "at": DATE_TIME,
            "applies_from": DATE,
        }
    ),
    "Outcome": obj(_OUTCOME),
    "OutcomeDetail": obj(
        {
            **_OUTCOME,
            "evidence": {
                "type": "array",
                "items": obj(
                    {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "source_type": {"type": "string"},
                        "collected_on": DATE,
                        "finding": {"type": "string"},
                        "respondents": {"type": ["integer", "null"]},
                        "population": {"type": ["integer", "null"]},
                        "tier": {"type": "string", "enum": list(TIERS)},
                        "counts": {"type": "boolean"},
                        "reason": {"type": "string"},
                    }
                ),
            },
            "linked_kpis": {
                "type": "array",
                "description": "The status of each KPI in `kpis` as of the date, as its page lists them.",
                "items": obj(
                    {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "unit": {"type": "string", "enum": list(UNITS)},
                        "direction": {"type": "string"},
                        "status": {"type": "string", "enum": list(KPI_STATUSES)},
                        "latest": nullable(ref("KpiValuePoint")),
                        "change": nullable(ref("KpiChange")),
                        "reason": {"type": "string"},
                    }
                ),
            },
        }
    ),
}
OUTCOME_ID = {
    "name": "outcome_id",
    "in": "path",
    "required": True,
    "description": "An outcome's id, as in the framework's YAML file.",
    "schema": {"type": "string"},
}


def _with_outcome_id(path: dict[str, Any]) -> dict[str, Any]:
    path["get"]["parameters"].insert(1, OUTCOME_ID)
    return path


OPENAPI_PATHS: dict[str, Any] = {
    "/frameworks/{slug}/outcomes": get(
        "The outcomes in framework order, each with its rating, override, rule, first reasons and next steps",
        page_of("Outcome"),
        description=(
            "As the dashboard and the report show them: `reasons` holds the report's first "
            f"{reading.LIST_REASONS} (the outcome itself has them all). Every role reads every outcome."
        ),
        parameters=("slug",),
        paged=True,
        as_of=True,
        tag="ratings",
    ),
    "/frameworks/{slug}/outcomes/{outcome_id}": _with_outcome_id(
        get(
            "One outcome as its page shows it: every reason, the items weighed with their tier, its KPIs",
            ref("OutcomeDetail"),
            parameters=("slug",),
            as_of=True,
            tag="ratings",
        )
    ),
}

"""GET a framework's KPIs as the KPI page shows them: status, target, latest value and every value given."""

from __future__ import annotations

from typing import Any

from flask import Response

from tracker.api import reading_kpis as reading
from tracker.api.core import api_get, as_of_arg, not_found, page_args, paged, respond
from tracker.api.openapi import DATE, get, nullable, obj, page_of, ref
from tracker.api.views_ratings import position_after
from tracker.domain.framework import DIRECTIONS, UNITS
from tracker.domain.kpi import KPI_STATUSES
from tracker.extensions import db


@api_get("/frameworks/<slug>/kpis")
def kpis(slug: str) -> Response:
    page = page_args()
    after = position_after(page)
    as_of = as_of_arg()
    ctx = reading.context(db.session, slug)
    if ctx is None:
        not_found(f"framework {slug!r}")
    rows = reading.kpi_list(db.session, ctx, as_of, after, page.limit)
    if rows is None:
        not_found(f"framework {slug!r}")

    def build() -> dict[str, Any]:
        body = paged(rows, page, lambda row: row[0])
        body["data"] = [entry for _position, entry in body["data"]]
        return body

    return respond(build)


_NUMBER = {"type": "number"}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "KpiValuePoint": obj({"period": {"type": "string"}, "value": _NUMBER}),
    "KpiChange": obj(
        {
            "value": _NUMBER,
            "unit": {
                "type": "string",
                "enum": sorted(set(reading.CHANGE_UNITS.values())),
                "description": "percentage_points for percent KPIs, points for scores, percent (relative) "
                "for counts, numbers and money.",
            },
        }
    ),
    "KpiTarget": obj(
        {
            "value": {"type": ["number", "null"], "description": "A level to reach."},
            "change": {"type": ["number", "null"], "description": "A change to make, in the change's unit."},
            "per_period": {"type": "boolean"},
            "tolerance": {"type": ["number", "null"]},
            "period": {"type": ["string", "null"]},
            "note": {"type": "string"},
        }
    ),
    "Kpi": obj(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "theme": {"type": "string"},
            "unit": {"type": "string", "enum": list(UNITS)},
            "direction": {"type": "string", "enum": list(DIRECTIONS)},
            "per_partner": {"type": "boolean"},
            "baseline": nullable(ref("KpiValuePoint")),
            "target": nullable(ref("KpiTarget")),
            "status": {"type": "string", "enum": list(KPI_STATUSES)},
            "reason": {"type": "string", "description": "The status in one sentence."},
            "latest": nullable(ref("KpiValuePoint")),
            "change": nullable(ref("KpiChange")),
            "values": {
                "type": "array",
                "description": "Every current value given, in period order (a correction replaces one).",
                "items": obj(
                    {
                        "period": {"type": "string"},
                        "period_end": DATE,
                        "value": _NUMBER,
                        "partner": {"type": ["string", "null"], "description": "The partner's id."},
                        "note": {"type": "string"},
                    }
                ),
            },
            "source": nullable(
                obj(
                    {
                        "event": {"type": "string"},
                        "measure": {"type": "string"},
                        "event_title": {"type": ["string", "null"]},
                        "event_ends_on": nullable(DATE),
                        "value": {"type": ["number", "null"]},
                        "problem": {"type": ["string", "null"]},
                    }
                )
            ),
            "as_of": DATE,
        }
    ),
}
OPENAPI_PATHS: dict[str, Any] = {
    "/frameworks/{slug}/kpis": get(
        "The current KPIs in framework order: baseline, target, status, latest value and every value given",
        page_of("Kpi"),
        description=(
            "As the KPI page shows them to every role. A KPI with a `source` takes its value from an event: "
            "`values` then lists what was typed before, which is not read."
        ),
        parameters=("slug",),
        paged=True,
        as_of=True,
        tag="kpis",
    ),
}

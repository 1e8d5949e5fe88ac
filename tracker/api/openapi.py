"""The OpenAPI 3.1 document, assembled from the paths and schemas each views module declares beside its
routes, so a route and its description change together (a test validates every API response against it)."""

from __future__ import annotations

import hashlib
import importlib
from functools import cache
from typing import Any

from flask import Response, json

from tracker.api.core import MAX_LIMIT, api_get, etag_matches, not_modified

# Each module registers its routes on import and declares OPENAPI_PATHS and OPENAPI_SCHEMAS.
VIEW_MODULES = (
    "tracker.api.views_frameworks",
    "tracker.api.views_ratings",
    "tracker.api.views_kpis",
    "tracker.api.views_evidence",
    "tracker.api.views_surveys",
    "tracker.api.views_events",
    "tracker.api.views_plans",
)

NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object schema with exactly these properties, all required but `optional`: nothing undocumented."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def page_of(item: str) -> dict[str, Any]:
    return obj({"data": {"type": "array", "items": ref(item)}, "next_cursor": NULLABLE_STRING})


def param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def get(
    summary: str,
    schema: dict[str, Any],
    *,
    description: str = "",
    parameters: tuple[str, ...] = (),
    paged: bool = False,
    as_of: bool = False,
    tag: str = "",
) -> dict[str, Any]:
    """A GET operation: its 200 body, and the answers every token-protected call may give."""
    names = [*parameters, *(("limit", "cursor") if paged else ()), *(("as_of",) if as_of else ())]
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": [param(n) for n in (*names, "if_none_match")],
        "responses": {
            "200": {
                "description": "OK",
                "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                "content": {"application/json": {"schema": schema}},
            },
            "304": {"$ref": "#/components/responses/NotModified"},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "405": {"$ref": "#/components/responses/MethodNotAllowed"},
            "429": {"$ref": "#/components/responses/TooManyRequests"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }
    if description:
        operation["description"] = description
    if tag:
        operation["tags"] = [tag]
    return {"get": operation}


def _problem_response(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def _path_parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


PARAMETERS: dict[str, Any] = {
    "slug": _path_parameter("slug", "The framework's id, as in its YAML file.", {"type": "string"}),
    "version": _path_parameter("version", "A version number of the framework.", {"type": "integer"}),
    "survey": _path_parameter("survey", "A survey's id, as in the framework's YAML.", {"type": "string"}),
    "round": _path_parameter(
        "round",
        "A current round's id, as the survey lists it (a new id when the round is imported again).",
        {"type": "integer"},
    ),
    "level": _path_parameter(
        "level", "`national`, `region:<name>` or `org:<id>` (the organisation's id).", {"type": "string"}
    ),
    "event_id": _path_parameter("event_id", "An event's id, as in its YAML file.", {"type": "string"}),
    "number": _path_parameter("number", "A plan's number in its framework (Plan 3).", {"type": "integer"}),
    "by": {
        "name": "by",
        "in": "query",
        "description": "A breakdown of the survey (its `breakdowns`): each section's results by its groups.",
        "schema": {"type": "string"},
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "description": f"Items per page, 1 to {MAX_LIMIT} (default 100).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100},
    },
    "cursor": {
        "name": "cursor",
        "in": "query",
        "description": "The next_cursor of the page before, as it came.",
        "schema": {"type": "string"},
    },
    "as_of": {
        "name": "as_of",
        "in": "query",
        "description": "Rate as of this date (YYYY-MM-DD); by default the framework's as-of date, or today.",
        "schema": DATE,
    },
    "if_none_match": {
        "name": "If-None-Match",
        "in": "header",
        "description": "The ETag of a copy you hold: 304 Not Modified if it is still current.",
        "schema": {"type": "string"},
    },
}

COMMON_SCHEMAS: dict[str, Any] = {
    "Problem": obj(
        {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        }
    ),
}


def _document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = dict(COMMON_SCHEMAS)
    for name in VIEW_MODULES:
        module = importlib.import_module(name)
        paths.update(module.OPENAPI_PATHS)
        schemas.update(module.OPENAPI_SCHEMAS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Outcomes tracker API",
            "version": "1",
            "description": (
                "Read-only JSON: frameworks, ratings, KPIs, evidence, surveys, events and action plans, as "
                "the token's user sees them on the web. Send `Authorization: Bearer TOKEN` (`tracker "
                "api-token create --user EMAIL`). Lists are paged with `limit` and `cursor`; every answer "
                "has an ETag (send it back in If-None-Match for a 304); errors are application/problem+json."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This document (no token needed)",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "304": {"$ref": "#/components/responses/NotModified"},
                        "405": {"$ref": "#/components/responses/MethodNotAllowed"},
                        "429": {"$ref": "#/components/responses/TooManyRequests"},
                    },
                }
            },
            **paths,
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "parameters": PARAMETERS,
            "headers": {
                "ETag": {"description": "The version of this answer.", "schema": {"type": "string"}},
            },
            "responses": {
                "NotModified": {
                    "description": "Your copy (If-None-Match) is current; no body.",
                    "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                },
                "BadRequest": _problem_response("A parameter is not valid; `detail` names it."),
                "Unauthorized": _problem_response(
                    "No valid token (missing, unknown or revoked).",
                    {"WWW-Authenticate": {"schema": {"type": "string"}}},
                ),
                "NotFound": _problem_response("No such resource, or not one this token may read."),
                "MethodNotAllowed": _problem_response(
                    "The API is read only.", {"Allow": {"schema": {"type": "string"}}}
                ),
                "TooManyRequests": _problem_response(
                    "Over the token's rate limit.", {"Retry-After": {"schema": {"type": "integer"}}}
                ),
                "Unavailable": _problem_response("The database is not answering; retry shortly."),
            },
        },
    }


@cache
def document_bytes() -> bytes:
    return json.dumps(_document(), indent=1).encode()


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(document_bytes())
    return loaded


def load_views() -> None:
    for name in VIEW_MODULES:
        importlib.import_module(name)


@api_get("/openapi.json", endpoint="openapi_document")
def openapi_document() -> Response:
    body = document_bytes()
    etag = hashlib.sha256(body).hexdigest()[:32]
    if etag_matches(etag):
        return not_modified(etag)
    response = Response(body, content_type="application/json")
    response.set_etag(etag)
    return response

"""Every /api/v1 response of the suite, checked against the served OpenAPI document with jsonschema.

The app fixture's test client is `CheckedClient`: a response the document does not describe (an undocumented
path, method or status, a body off its schema, a 200 without an ETag) fails the test that received it.
`CHECKED` counts what was checked, so a test can prove the checking ran.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

PREFIX = "/api/v1"
URN = "urn:tracker-openapi"
CHECKED: Counter[str] = Counter()  # "METHOD template status" -> times checked in this process


class ContractBroken(AssertionError):
    pass


@cache
def _document_and_registry(
    document_json: str,
) -> tuple[dict[str, Any], Registry, list[tuple[re.Pattern[str], str]]]:
    import json

    document: dict[str, Any] = json.loads(document_json)
    registry: Registry = Registry().with_resource(URN, Resource.from_contents(document, DRAFT202012))
    templates = []
    for template in document["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        templates.append((re.compile(pattern), template))
    return document, registry, templates


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A response object, following one $ref to components, with its JSON pointer parts."""
    if "$ref" in node:
        parts = node["$ref"].removeprefix("#/").split("/")
        found: Any = document
        for part in parts:
            found = found[part]
        return found, parts
    return node, []


def _validate(registry: Registry, pointer: str, value: Any, where: str) -> None:
    validator = Draft202012Validator({"$ref": f"{URN}#/{pointer}"}, registry=registry)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        path = "/".join(str(p) for p in first.absolute_path) or "(the body)"
        raise ContractBroken(f"{where}: {path}: {first.message}")


def check(document_json: str, method: str, path: str, response: TestResponse) -> str:
    """Raises ContractBroken unless the document describes this response; returns what was checked."""
    document, registry, templates = _document_and_registry(document_json)
    local = path.removeprefix(PREFIX)
    status = str(response.status_code)
    where = f"{method} {path} -> {status}"
    matched = next((template for pattern, template in templates if pattern.match(local)), None)
    if matched is None:
        # A path the API does not have: a problem+json 404 (or 405, 401) it still must be.
        if status not in {"404", "405", "401", "429"}:
            raise ContractBroken(f"{where}: not a documented path, yet not an error")
        _validate(registry, "components/schemas/Problem", response.get_json(), where)
        return f"{method} (no such path) {status}"
    operations = document["paths"][matched]
    operation = operations.get("get" if method in {"GET", "HEAD"} else method.lower())
    if operation is None:
        if status != "405":
            raise ContractBroken(f"{where}: {method} is not documented and was not refused with 405")
        _validate(registry, "components/schemas/Problem", response.get_json(), where)
        return f"{method} {matched} 405"
    declared = operation["responses"].get(status)
    if declared is None:
        raise ContractBroken(f"{where}: status {status} is not documented for {matched}")
    answer, ref_parts = _resolve(document, declared)
    base = ref_parts or ["paths", matched, "get", "responses", status]
    for header in answer.get("headers", {}):
        if header not in response.headers:
            raise ContractBroken(f"{where}: the documented header {header} is missing")
    content = answer.get("content")
    if not content:
        if response.data and method != "HEAD":
            raise ContractBroken(f"{where}: a body where the document says there is none")
        return f"{method} {matched} {status}"
    mimetype = response.mimetype
    if mimetype not in content:
        raise ContractBroken(f"{where}: content type {mimetype} is not one of {sorted(content)}")
    if method == "HEAD":
        return f"{method} {matched} {status}"
    pointer = _pointer(*base, "content", mimetype, "schema")
    _validate(registry, pointer, response.get_json(), where)
    return f"{method} {matched} {status}"


class CheckedClient(FlaskClient):
    """The suite's test client: every /api/v1 response is checked against the app's own OpenAPI document."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response: TestResponse = super().open(*args, **kwargs)
        request = response.request
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            from tracker.api.openapi import document_bytes

            checked = check(document_bytes().decode(), request.method, request.path, response)
            CHECKED[checked] += 1
        return response

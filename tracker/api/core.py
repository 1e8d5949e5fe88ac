"""The API's blueprint and the rules of every call: a bearer token, problem+json errors, ETags, cursors,
a rate limit per token and an audit row per call. Views register with `api_get` and answer with `respond`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from flask import Blueprint, Flask, Response, current_app, g, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.api import tokens
from tracker.db.base import utcnow
from tracker.extensions import csrf, db, limiter
from tracker.services.accounts import client_key
from tracker.services.audit import Actor, record
from tracker.services.permissions import Principal

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
PUBLIC = frozenset({"api.openapi_document"})  # answered without a token
ALLOWED = "GET, HEAD"

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # no cookie is read and nothing is written: there is no request to forge


class ApiProblem(HTTPException):
    """An error the API answers as application/problem+json with its own title and detail."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.extra_headers = headers or {}


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> NoReturn:
    raise ApiProblem(status, title, detail, headers)


def not_found(what: str) -> NoReturn:
    """404 for what does not exist and for what this token may not see alike: ids do not leak."""
    problem(404, "Not Found", f"There is no {what} here that this token may read.")


def problem_response(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    response = Response(body, status=status, content_type=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def error_response(error: Exception) -> Response:
    """Any error of an API path as problem+json (the web's handlers call this for /api/ paths)."""
    if isinstance(error, ApiProblem):
        return problem_response(error.code or 500, error.title, error.description or "", error.extra_headers)
    if isinstance(error, RateLimitExceeded):
        return problem_response(
            429,
            "Too Many Requests",
            f"This token has made more than {error.limit.limit} requests; wait, then retry.",
        )
    if isinstance(error, HTTPException):
        code = error.code or 500
        if code == 405:
            return problem_response(
                405, "Method Not Allowed", "The API is read only: use GET.", {"Allow": ALLOWED}
            )
        if code == 404:
            return problem_response(404, "Not Found", "There is no such resource in the API.")
        return problem_response(code, error.name, error.description or error.name)
    return problem_response(500, "Internal Server Error", InternalServerError.description or "")


# -- the rules of every call -------------------------------------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _rate_key() -> str:
    """Counted by token (a hash of it, before the database is touched); calls without one by address."""
    raw = _bearer()
    if raw is None:
        return "api-address:" + client_key(request.remote_addr or "")
    return "api-token:" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


limiter.limit(_rate_limit, key_func=_rate_key)(bp)


@bp.before_request
def _authenticate() -> None:
    if request.method not in ("GET", "HEAD"):
        problem(405, "Method Not Allowed", "The API is read only: use GET.", {"Allow": ALLOWED})
    if request.endpoint in PUBLIC:
        return
    raw = _bearer()
    found = tokens.authenticate(db.session, raw) if raw else None
    if found is None:
        db.session.rollback()
        problem(
            401,
            "Unauthorized",
            "Send a valid API token: Authorization: Bearer TOKEN (an admin creates one).",
            {"WWW-Authenticate": 'Bearer realm="tracker"'},
        )
    g.api = found


@bp.after_request
def _audit(response: Response) -> Response:
    """One audit row for every call made with a token, and its last use, in a transaction of their own."""
    found: tokens.TokenPrincipal | None = g.get("api")
    if found is None:
        return response
    who = found.principal
    query = request.query_string.decode("utf-8", "replace")
    detail = f"{request.method} {request.path}{'?' + query if query else ''} -> {response.status_code}"
    # The request's own transaction ends first (committed as the app would, or rolled back): on SQLite a
    # request that wrote would otherwise hold the lock this transaction waits for.
    db.finish_request(response)
    with db.side_transaction() as session:
        tokens.note_use(session, found.token_id, utcnow())
        record(
            session,
            Actor(f"{who.email} (token {found.token_id})", who.role, who.user_id, request.remote_addr or ""),
            "api.read",
            object_type="api_token",
            object_id=found.token_id,
            detail=detail,
        )
    return response


def _cache_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers.pop("Pragma", None)
    response.headers["Vary"] = "Authorization"
    return response


def register_api(app: Flask) -> None:
    """Every route (imported once, before the blueprint is first registered), then the blueprint."""
    from tracker.api import openapi

    openapi.load_views()
    app.register_blueprint(bp)
    app.after_request(_api_headers)


def _api_headers(response: Response) -> Response:
    """After the web's own headers: revalidated caching for API answers instead of no-store."""
    return _cache_headers(response) if is_api_request() else response


# -- what views use ----------------------------------------------------------------------------------------


def api_get(
    rule: str, endpoint: str | None = None
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Registers a read-only route (GET, and HEAD with it)."""
    return bp.get(rule, endpoint=endpoint)


def principal() -> Principal:
    found: tokens.TokenPrincipal = g.api
    return found.principal


@dataclass(frozen=True)
class Page:
    limit: int
    after: Any  # the decoded cursor: the key of the last item of the page before, or None


def page_args() -> Page:
    raw_limit = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        problem(400, "Bad Request", f"limit must be a whole number from 1 to {MAX_LIMIT}; got {raw_limit!r}.")
    raw_cursor = request.args.get("cursor")
    after = None
    if raw_cursor:
        try:
            after = json.loads(base64.urlsafe_b64decode(raw_cursor.encode() + b"=" * (-len(raw_cursor) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            problem(400, "Bad Request", "cursor is not one this API gave out: use next_cursor as it came.")
    return Page(int(raw_limit), after)


def cursor_for(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def paged(items: Iterable[Any], page: Page, key: Callable[[Any], Any]) -> dict[str, Any]:
    """A list envelope from items already after the cursor and at most limit + 1 long."""
    rows = list(items)
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return {"data": rows, "next_cursor": cursor_for(key(rows[-1])) if more and rows else None}


def as_of_arg() -> date | None:
    raw = request.args.get("as_of")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problem(400, "Bad Request", f"as_of must be a date as YYYY-MM-DD; got {raw!r}.")


def _scope() -> tuple[Any, ...]:
    found = principal() if g.get("api") is not None else None
    return (found.role, found.partner_id) if found else ()


def etag_matches(etag: str) -> bool:
    return request.if_none_match.contains(etag) or request.if_none_match.star_tag


def respond(build: Callable[[], Any], etag_key: tuple[Any, ...] | None = None) -> Response:
    """JSON with a strong ETag; with `etag_key` (a cheap version of everything the body rests on) a matching
    If-None-Match is answered 304 before the body is built, else the ETag is the body's digest."""
    etag = None
    if etag_key is not None:
        seed = repr((etag_key, _scope(), request.path, sorted(request.args.items(multi=True))))
        etag = hashlib.sha256(seed.encode()).hexdigest()[:32]
        if etag_matches(etag):
            return not_modified(etag)
    body = json.dumps(build(), ensure_ascii=False, separators=(",", ":")).encode()
    if etag is None:
        etag = hashlib.sha256(body).hexdigest()[:32]
        if etag_matches(etag):
            return not_modified(etag)
    response = Response(body, status=200, content_type="application/json")
    response.set_etag(etag)
    return response


def not_modified(etag: str) -> Response:
    response = Response(status=304)
    response.set_etag(etag)
    return response


@bp.errorhandler(HTTPException)
def _problem(error: HTTPException) -> Response:
    return error_response(error)

"""Blueprints and the cross-cutting web concerns: security headers, caching, URL ids and error pages."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map

from tracker import formatting
from tracker.api.core import error_response, is_api_request, problem_response
from tracker.web.form_parts import too_large_page

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

PLAIN_SERVER_ERROR = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Something went wrong - '
    "Outcomes tracker</title></head><body><h1>Something went wrong</h1><p>The tracker could not show this "
    "page. Nothing you saved is lost. Please try again; if this goes on, tell your administrator.</p>"
    "</body></html>"
)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static" and not is_api_request():  # the API revalidates with ETags
        # Pages, CSV and PDF downloads are never kept by a browser or proxy (a shared computer's
        # history after sign-out); only the stylesheets and other static files are cached.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: a number no INTEGER id column can hold (32-bit on PostgreSQL, 64 on SQLite)
    is no id of ours, so 404 instead of an overflow in the database driver."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _error_page(error: HTTPException) -> ResponseReturnValue:
    if is_api_request():
        return error_response(error)
    code = error.code or 500
    return render_template("error.html", code=code, title=error.name, message=error.description), code


def _too_many_requests(error: RateLimitExceeded) -> ResponseReturnValue:
    """A readable page in the site's layout (the limiter adds Retry-After) for a client over the limit."""
    if is_api_request():
        return error_response(error)
    page = render_template(
        "error.html",
        code=429,
        title="Too many attempts",
        message="There have been too many sign-in attempts from your network address. "
        "Wait a minute, then try again.",
    )
    return page, 429


def _server_error(error: InternalServerError) -> ResponseReturnValue:
    """The generic page, never the exception; if even the layout fails, a plain page that needs nothing."""
    if is_api_request():
        return error_response(error)
    try:
        from tracker.extensions import db

        db.session.rollback()  # a failed statement must not break the layout's own look-ups
        return _error_page(InternalServerError())
    except Exception:
        log.exception("the error page itself failed")
        return PLAIN_SERVER_ERROR, 500


def _database_unavailable(error: OperationalError) -> ResponseReturnValue:
    """A plain page that needs no database (the layout would look up the signed-in user)."""
    log.error("database unavailable: %s", str(error.orig or error).splitlines()[0])
    if is_api_request():
        return problem_response(503, "Service Unavailable", "The database is not answering; retry shortly.")
    # Straight from the Jinja environment: render_template would run Flask-Login's context processor,
    # which looks the user up in the database that just failed.
    return current_app.jinja_env.get_template("unavailable.html").render(), 503


def register_web(app: Flask) -> None:
    # Importing the override views adds their routes (ratings.override, ratings.disagreements) to ratings.bp.
    from tracker.events import views as events
    from tracker.overrides import views as _override_views  # noqa: F401
    from tracker.plans import curve_views
    from tracker.plans import views as plans
    from tracker.web import (
        admin,
        api_tokens,
        auth,
        evidence,
        framework_admin,
        frameworks,
        health,
        imports,
        kpis,
        ratings,
        reports,
        survey_levels,
        survey_orgs,
        surveys,
    )

    app.url_map.converters["int"] = DatabaseId  # before any route is added
    auth.init_auth(app)
    for blueprint in (
        health.bp,
        auth.bp,
        frameworks.bp,
        framework_admin.bp,
        ratings.bp,
        reports.bp,
        surveys.bp,
        survey_levels.bp,
        survey_orgs.bp,
        evidence.bp,
        kpis.bp,
        curve_views.bp,
        imports.bp,
        events.bp,
        plans.bp,
        admin.bp,
        api_tokens.bp,
    ):
        app.register_blueprint(blueprint)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(RequestEntityTooLarge, too_large_page)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    formatting.register(app)

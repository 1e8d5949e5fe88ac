"""No GET route changes anything: every page an admin can open leaves every row of every table as it was."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from tracker.api import tokens as api_tokens
from tracker.extensions import db
from tracker.services.audit import Actor

from ..digest import table_digests
from .plan_forms import make_plan
from .test_event_pages import load as load_event

# Stored ratings and stored survey level results are caches of an engine's answer that a reader may fill
# (see ratings/snapshots.py and services/survey_levels.py); they hold nothing a user saved.
DERIVED = ("rating_snapshot", "rating_state", "survey_level_result")

# The status each GET route answers an admin with, for the values below. A new GET route must be added here,
# so that it is both visited and checked ("none" and 999 name no survey and no attachment: a 404).
EXPECTED_STATUS = {
    "static": 200,
    "health.healthz": 200,
    "auth.login": 302,  # already signed in
    "frameworks.index": 200,
    "frameworks.show": 200,
    "frameworks.logic_model": 200,
    "ratings.dashboard": 200,
    "ratings.outcome": 200,
    "ratings.disagreements": 200,
    "reports.html": 200,
    "reports.agenda": 200,
    "reports.pdf": 200,
    "surveys.show": 404,
    "surveys.download": 404,
    "survey_levels.national": 404,
    "survey_levels.national_pdf": 404,
    "survey_levels.national_csv": 404,
    "survey_levels.region": 404,
    "survey_levels.region_pdf": 404,
    "survey_levels.region_csv": 404,
    "survey_levels.org": 404,
    "survey_levels.org_pdf": 404,
    "survey_levels.org_csv": 404,
    "survey_levels.reports": 404,
    "survey_levels.download": 404,
    "survey_orgs.new": 404,
    "evidence.index": 200,
    "evidence.download_csv": 200,
    "evidence.create": 200,
    "evidence.show": 200,
    "evidence.edit": 200,
    "evidence.download": 404,
    "evidence.queue": 200,
    "kpis.index": 200,
    "curve.edit": 200,
    "curve.history": 200,
    "imports.upload": 200,
    "imports.evidence_sample": 200,
    "imports.kpi_sample": 200,
    "imports.survey_sample": 404,
    "imports.formats": 200,
    "events.index": 200,
    "events.show": 200,
    "events.create": 200,
    "events.upload": 200,
    "plans.index": 200,
    "plans.download_csv": 200,
    "plans.create": 200,
    "plans.show": 200,
    "plans.revision": 200,
    "plans.edit": 200,
    "admin.users": 200,
    "admin.edit_user": 200,
    "admin.audit": 200,
    "api_tokens.index": 200,
    "api_tokens.revoke": 200,  # the confirmation page: revoking is its form's POST
    "framework_admin.upload": 200,
    "framework_admin.history": 200,
    "framework_admin.download": 200,
    "framework_admin.diff": 200,
}
NOT_VISITED = {"auth.logout"}  # a GET that signs out, by design


def test_every_get_route_is_read_only(app: Flask, as_role: Any, make_evidence: Any, make_user: Any) -> None:
    item = make_evidence(status="submitted")
    load_event(app)  # an event with sessions and feedback, so its pages are read, not 404
    make_plan(app, make_user("lead"))  # plan 1, so its pages are read, not 404
    with app.app_context(), db.unit_of_work() as session:  # token 1, so its revoke page is read, not 404
        api_tokens.create_token(session, Actor("test", "admin"), make_user("board"), "Read-only walk")
    client = as_role("admin")
    client.get("/")  # clears the sign-in message
    before = table_digests(app, exclude=DERIVED)
    values = {"slug": "tiny-partnership", "evidence_id": item, "outcome_id": "educators-supported",
              "user_id": 1, "attachment_id": 999, "survey_id": "none", "filename": "app.css",
              "event_id": "week-2021", "kpi": "statutory-share",
              "number": 1, "revision": 1, "region": "North", "org": "x", "round_slug": "x",
              "name": "national.pdf", "token_id": 1}  # fmt: skip
    answered = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint in NOT_VISITED:
            continue
        known = {k: v for k, v in values.items() if k in rule.arguments}
        # The API's own arguments (its routes are many): a number where it takes one, else a word.
        for name in rule.arguments - known.keys():
            known[name] = 1 if isinstance(rule._converters[name], IntegerConverter) else "x"
        url = rule.build(known, append_unknown=False)[1]
        response = client.get(url)
        response.close()
        answered[rule.endpoint] = (url, response.status_code)
    # The API refuses a session cookie (401, nothing written); only its OpenAPI document is open to all.
    api = {e: 200 if e == "api.openapi_document" else 401 for e in answered if e.startswith("api.")}
    assert len(api) > 3
    assert {endpoint: status for endpoint, (_, status) in answered.items()} == EXPECTED_STATUS | api, answered
    assert table_digests(app, exclude=DERIVED) == before

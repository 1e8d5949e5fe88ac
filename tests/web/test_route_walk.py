"""Every POST route, walked with every role and a lead of a partner outside the framework.

A role the route does not allow gets 403, the refusal is the only thing written (one audit row), and a
digest of every row of every other table is unchanged. The table must name every POST route the app has,
so a new route cannot skip the walk.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import PASSWORD, sign_in
from tests.digest import audit_since, last_audit_id, table_digests
from tests.integration.test_events import SESSIONS
from tests.integration.test_surveys_flow import SURVEY
from tests.web.plan_forms import make_plan, plan_form
from tests.web.test_event_pages import load as load_event
from tests.web.test_permission_matrix import evidence_form
from tracker.api import tokens as api_tokens
from tracker.db.models import Evidence, User
from tracker.extensions import db
from tracker.reports import survey_level_jobs
from tracker.services import evidence as evidence_service
from tracker.services import framework_admin, framework_history, survey_orgs
from tracker.services import surveys as survey_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

SLUG = "tiny-partnership"
ROLES = ("admin", "lead", "outsider", "evaluator", "board", "anonymous")
# Sign-in and sign-out act on the requester's own session, not on an object: tested in test_auth.py.
NOT_WALKED = {"auth.login", "auth.logout"}


# A survey with participating organisations and a round, for the administrators' "all reports" job.
NATIONAL_SURVEY = """\
  - id: hc-walk
    title: Health Check (walked)
    scale: agree5
    organisations: true
    sections:
      - id: hc-s1
        title: Standard 1
        questions: {h1: I know the framework}
"""
WALKED_SESSIONS = SESSIONS.replace(",other-council\n", ",tiny-council\n")


def survey_csv(answer: str) -> bytes:
    lines = ["respondent,employer,q1,q2"] + [f"R{i},council,{answer},{answer}" for i in range(12)]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class World:
    app: Flask
    items: dict[str, int]
    user_id: int
    token_id: int


@dataclass(frozen=True)
class Walk:
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    allowed: frozenset[str]
    audited: str = ""  # an allowed request that writes only this audit entry (it starts a job)
    checks_only: bool = False  # an allowed request that writes nothing at all (a preview)


def _framework_v3(world: World) -> str:
    """The walked framework's next version (its version 2, with one outcome's text changed)."""
    with world.app.app_context():
        found = framework_history.version_file(db.session, SLUG, 2)
        assert found is not None
        return (
            found.data.decode()
            .replace("version: 2", "version: 3")
            .replace("Graduates stay", "Graduates remain")
        )


def _current_base(world: World) -> tuple[int, str] | None:
    with world.app.app_context():
        found = framework_admin.current(db.session, SLUG)
        return None if found is None else (found[1].version, found[1].content_sha256)


def _version(world: World, key: str) -> str:
    with world.app.app_context():
        item = db.session.get(Evidence, world.items[key])
        assert item is not None
        return str(item.row_version)


WALKS: dict[str, Walk] = {
    "ratings.override": Walk(
        lambda w: f"/f/{SLUG}/outcomes/educators-supported/override",
        lambda w: {
            "rating": "some",
            "rationale": "r" * 120,
            "as_of": "2023-04-30",
            "evidence": [str(w.items["accepted"])],
        },
        frozenset({"admin", "evaluator"}),
    ),
    "surveys.upload": Walk(
        lambda w: f"/f/{SLUG}/surveys/pe-survey",
        lambda w: {
            "label": "2022-23",
            "collected_on": "2023-03-01",
            "replace": "y",
            "file": (io.BytesIO(survey_csv("Strongly disagree")), "round.csv"),
        },
        frozenset({"admin", "lead"}),
    ),
    "survey_levels.start": Walk(
        lambda w: f"/f/{SLUG}/surveys/hc-walk/reports?round=2023-24",
        lambda w: {},
        frozenset({"admin"}),
        audited="survey_reports.start",
    ),
    "survey_orgs.add": Walk(
        lambda w: f"/f/{SLUG}/surveys/hc-walk/orgs/new",
        lambda w: {
            "org": "y",
            "name": "Y Council",
            "kind": "local_authority",
            "region": "North",
            "partner": "",
        },
        frozenset({"admin"}),
    ),
    "evidence.create": Walk(
        lambda w: f"/f/{SLUG}/evidence/new", lambda w: evidence_form(), frozenset({"admin", "lead"})
    ),
    "evidence.edit": Walk(
        lambda w: f"/evidence/{w.items['submitted']}/edit",
        lambda w: evidence_form(title="Edited by the walk", row_version=_version(w, "submitted")),
        frozenset({"admin", "lead"}),
    ),
    "evidence.change_status": Walk(
        lambda w: f"/evidence/{w.items['submitted']}/status",
        lambda w: {"to": "accepted", "row_version": _version(w, "submitted"), "note": "Looks right to me."},
        frozenset({"admin", "evaluator"}),
    ),
    "kpis.add": Walk(
        lambda w: f"/f/{SLUG}/kpis",
        lambda w: {"kpi": "statutory-share", "period": "2022/23", "period_end": "2023-03-31", "value": "80"},
        frozenset({"admin", "lead"}),
    ),
    "curve.edit": Walk(
        lambda w: f"/f/{SLUG}/kpis/statutory-share/curve",
        lambda w: {"story": "Placements rose as the allocation days began.", "version": "0"},
        frozenset({"admin", "lead"}),
    ),
    "imports.upload": Walk(
        lambda w: f"/f/{SLUG}/import",
        lambda w: {
            "kind": "evidence",
            "file": (
                io.BytesIO(
                    b"title,source_type,collected_on,links,finding,status\n"
                    b"Imported notes,interview,2023-01-10,educators-supported,supports,draft\n"
                ),
                "evidence.csv",
            ),
        },
        frozenset({"admin", "lead"}),
    ),
    "events.create": Walk(
        lambda w: f"/f/{SLUG}/new-event",
        lambda w: {"event_id": "walked-day", "title": "Walked day", "starts_on": "2023-04-20"},
        frozenset({"admin", "lead"}),
    ),
    "events.upload": Walk(  # the event's sessions are Tiny Council's: its lead hosts it
        lambda w: f"/f/{SLUG}/events/week-2021/files",
        lambda w: {"sessions": (io.BytesIO(WALKED_SESSIONS.encode()), "sessions.csv")},
        frozenset({"admin", "lead"}),
    ),
    "plans.create": Walk(
        lambda w: f"/f/{SLUG}/plans/new", lambda w: plan_form(), frozenset({"admin", "lead"})
    ),
    "plans.edit": Walk(  # plan 1 is Tiny Council's
        lambda w: f"/f/{SLUG}/plans/1/edit",
        lambda w: plan_form(title="Edited by the walk", seen_revision="1"),
        frozenset({"admin", "lead"}),
    ),
    "plans.comment": Walk(
        lambda w: f"/f/{SLUG}/plans/1/comments",
        lambda w: {"body": "Walked: the steps need owners."},
        frozenset({"admin", "evaluator"}),
    ),
    "framework_admin.upload": Walk(  # a preview: checked and shown, nothing written
        lambda w: "/frameworks/admin/upload",
        lambda w: {"file": (io.BytesIO(_framework_v3(w).encode()), "v3.yaml")},
        frozenset({"admin"}),
        checks_only=True,
    ),
    "framework_admin.confirm": Walk(
        lambda w: "/frameworks/admin/confirm",
        lambda w: {
            "sealed": framework_admin.seal(
                w.app.config["SECRET_KEY"],
                framework_admin.Sealed(_framework_v3(w), "v3.yaml", _current_base(w)),
            )
        },
        frozenset({"admin"}),
    ),
    "admin.add_user": Walk(
        lambda w: "/admin/users",
        lambda w: {
            "email": "walked@example.org",
            "role": "board",
            "partner": "",
            "password": "a long good pass 42",
        },
        frozenset({"admin"}),
    ),
    "admin.edit_user": Walk(
        lambda w: f"/admin/users/{w.user_id}",
        lambda w: {"role": "lead", "partner": "tiny-council"},
        frozenset({"admin"}),
    ),
    "api_tokens.create": Walk(
        lambda w: "/admin/api-tokens",
        lambda w: {"user": "target.lead@example.org", "name": "Walked"},
        frozenset({"admin"}),
    ),
    "api_tokens.revoke": Walk(
        lambda w: f"/admin/api-tokens/{w.token_id}/revoke", lambda w: {}, frozenset({"admin"})
    ),
}


def test_every_post_route_is_walked(app: Flask) -> None:
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or set())}
    assert posts - NOT_WALKED == set(WALKS), "add the new POST route to WALKS with the roles it allows"


@pytest.fixture
def world(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, make_evidence: Any, make_user: Any
) -> World:
    """The tiny framework with a survey and an accepted round, and another framework with its own partner."""
    two_partners = tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(two_partners.replace("version: 1", "version: 2") + SURVEY + NATIONAL_SURVEY)
    load_framework(
        tiny_yaml.replace("id: tiny-partnership", "id: outside-partnership")
        .replace("tiny-council", "outside-trust")
        .replace("Tiny Council", "Outside Trust")
    )
    items = {
        "draft": make_evidence(status="draft", title="Tiny draft"),
        "submitted": make_evidence(status="submitted", title="Tiny submitted"),
        "accepted": make_evidence(status="accepted", title="Tiny accepted"),
    }
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, SLUG)
        assert ctx is not None
        result = survey_service.import_round(
            session, Actor("test", "admin"), Principal(None, "test", "admin", None), ctx, "pe-survey",
            "2022-23", survey_csv("Strongly agree"), collected_on=date(2023, 3, 1),
        )  # fmt: skip
        assert result.ok and result.evidence_added == 1, result.problems
        loaded = survey_orgs.load_orgs(
            session, Actor("test", "admin"), Principal(None, "test", "admin", None), SLUG, "hc-walk",
            b"org,name,kind,region\nx,X Council,local_authority,North\n",
        )  # fmt: skip
        assert loaded.ok, loaded.problems
        rows = "org,h1\n" + "x,Agree\n" * 12
        result = survey_service.import_round(
            session, Actor("test", "admin"), Principal(None, "test", "admin", None), ctx, "hc-walk",
            "2023-24", rows.encode(), collected_on=date(2024, 3, 28),
        )  # fmt: skip
        assert result.ok, result.problems
    app.extensions[survey_level_jobs.RUNNER] = lambda *args: None  # the job itself is tested on its own
    load_event(app, sessions=WALKED_SESSIONS)
    target = make_user("lead", email="target.lead@example.org")
    make_plan(app, target)  # Tiny Council's plan 1
    with app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.email == target)).one()
    with app.app_context(), db.unit_of_work() as session:
        token, _raw = api_tokens.create_token(session, Actor("test", "admin"), target, "The target's sheet")
        token_id = token.id
    return World(app, items, user_id, token_id)


def _client(world: World, make_user: Any, role: str) -> Any:
    client = world.app.test_client()
    if role == "anonymous":
        return client
    if role == "outsider":
        sign_in(client, make_user("lead", partner="outside-trust"), PASSWORD)
    else:
        sign_in(client, make_user(role), PASSWORD)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(WALKS))
def test_walk(world: World, make_user: Any, endpoint: str, role: str) -> None:
    walk = WALKS[endpoint]
    client = _client(world, make_user, role)
    before, last = table_digests(world.app), last_audit_id(world.app)
    response = client.post(walk.url(world), data=walk.data(world), content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    after = table_digests(world.app)
    assert response.status_code < 500, body[:800]
    if role == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        assert after == before
        assert audit_since(world.app, last) == []
    elif role in walk.allowed and walk.checks_only:
        assert response.status_code == 200, body[:800]
        assert after == before
        assert audit_since(world.app, last) == []
    elif role in walk.allowed and walk.audited:
        assert response.status_code in {200, 302, 303}, body[:800]
        assert after == before
        assert [action for action, _t, _d in audit_since(world.app, last)] == [walk.audited]
    elif role in walk.allowed:
        assert response.status_code in {200, 302, 303}, body[:800]
        assert after != before, "an allowed request changed nothing"
        assert all(action != "refused" for action, _t, _d in audit_since(world.app, last))
    else:
        assert response.status_code == 403, body[:800]
        changed = [name for name in before if before[name] != after[name]]
        assert changed == [], f"a refused request wrote to {changed}"
        assert [action for action, _t, _d in audit_since(world.app, last)] == ["refused"]


def test_outsider_survey_replace_leaves_accepted_evidence_alone(world: World, make_user: Any) -> None:
    """The probe's case: a lead of another framework's partner re-imports a Health-Check-like round."""
    client = _client(world, make_user, "outsider")
    with world.app.app_context():
        before = [
            (e.id, e.status, e.finding) for e in db.session.scalars(select(Evidence).order_by(Evidence.id))
        ]
    response = client.post(
        f"/f/{SLUG}/surveys/pe-survey",
        data=WALKS["surveys.upload"].data(world),
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    with world.app.app_context():
        after = [
            (e.id, e.status, e.finding) for e in db.session.scalars(select(Evidence).order_by(Evidence.id))
        ]
    assert after == before and ("accepted", "supports") in {(s, f) for _i, s, f in after}

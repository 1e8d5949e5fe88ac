"""Every role against every state-changing route: the status code, and nothing written when refused.

The table below is the policy: one row per request, one column per role. A refused request (403) must
leave every table as it was (apart from one audit row with action "refused"); an anonymous request is
sent to the sign-in page and writes nothing; an allowed request has exactly its intended effect.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tracker.db.models import Attachment, AuditEvent, Evidence, EvidenceLink, KpiValue, User
from tracker.extensions import db

from ..page import Page

SLUG = "tiny-partnership"
ROLES = ("admin", "lead", "lead-other", "evaluator", "board", "anonymous")
COUNTED = (Evidence, EvidenceLink, KpiValue, User, Attachment)
NOTE = "Please add how many people were asked."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    """The objects every request is made against, created before the acting user signs in."""

    app: Flask
    items: dict[str, int]
    attachment_id: int
    target_user_id: int


@dataclass(frozen=True)
class Snapshot:
    counts: dict[str, int]
    items: dict[int, tuple[str, int, str, str]]
    users: dict[int, tuple[str, bool, int | None]]
    last_audit_id: int


def snapshot(app: Flask) -> Snapshot:
    with app.app_context():
        session = db.session
        counts = {m.__name__: session.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED}
        items = {
            e.id: (e.status, e.row_version, e.title, e.review_note)
            for e in session.scalars(select(Evidence).order_by(Evidence.id))
        }
        users = {u.id: (u.role, u.active, u.partner_id) for u in session.scalars(select(User))}
        last = session.scalar(select(func.max(AuditEvent.id))) or 0
    return Snapshot(counts, items, users, last)


def audit_since(app: Flask, last_id: int) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (e.action, e.actor, e.detail)
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            )
        ]


def evidence_form(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Allocation day feedback",
        "summary": "Students said the day helped them choose",
        "source_type": "feedback_form",
        "collected_on": "2023-02-01",
        "links": ["educators-supported"],
        "finding": "supports",
        "respondents": "12",
        "partner": "tiny-council",
        "action": "draft",
        **overrides,
    }


IMPORT_CSV = (
    "title,source_type,collected_on,links,finding,status\n"
    "Imported interview notes,interview,2023-01-10,educators-supported;more-statutory,supports,draft\n"
)


@dataclass(frozen=True)
class Route:
    """One request; `delta` is the change in row counts and `changes` checks the rest when it is allowed."""

    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None
    delta: dict[str, int] = field(default_factory=dict)
    target: str = ""  # the evidence item (key of World.items) the request may change
    changes: Callable[[World, Snapshot, Snapshot], None] | None = None


def _changed(
    key: str, status: str | None = None, title: str | None = None
) -> Callable[[World, Snapshot, Snapshot], None]:
    """The item `key` moved to `status` (or was retitled) with its row version raised; no other item changed."""

    def check(world: World, before: Snapshot, after: Snapshot) -> None:
        for name, evidence_id in world.items.items():
            old, new = before.items[evidence_id], after.items[evidence_id]
            if name != key:
                assert new == old, name
                continue
            assert new[1] == old[1] + 1, "the row version is raised by every change"
            assert new[0] == (status or old[0])
            assert new[2] == (title or old[2])

    return check


def _disabled(world: World, before: Snapshot, after: Snapshot) -> None:
    assert before.users[world.target_user_id][1] is True
    assert after.users[world.target_user_id][1] is False


def _status(to: str, key: str) -> Route:
    def data(world: World) -> dict[str, Any]:
        with world.app.app_context():
            evidence = db.session.get(Evidence, world.items[key])
            assert evidence is not None
            version = evidence.row_version
        return {"to": to, "row_version": str(version), "note": NOTE}

    return Route(
        "POST",
        lambda w: f"/evidence/{w.items[key]}/status",
        data,
        target=key,
        changes=_changed(key, status=to),
    )


def _edit(key: str) -> Route:
    return Route(
        "POST",
        lambda w: f"/evidence/{w.items[key]}/edit",
        lambda w: evidence_form(title="Edited by the matrix", row_version="1", action="save"),
        target=key,
        changes=_changed(key, title="Edited by the matrix"),
    )


ROUTES: dict[str, Route] = {
    "create evidence": Route(
        "POST",
        lambda w: f"/f/{SLUG}/evidence/new",
        lambda w: evidence_form(),
        {"Evidence": 1, "EvidenceLink": 1},
    ),
    "edit own partner's submitted item": _edit("submitted"),
    "edit accepted item": _edit("accepted"),
    "submit a draft": _status("submitted", "draft"),
    "withdraw a submitted item to draft": _status("draft", "submitted"),
    "accept a submitted item": _status("accepted", "submitted"),
    "return a submitted item": _status("returned", "submitted"),
    "resubmit a returned item": _status("submitted", "returned"),
    "return an accepted item": _status("returned", "accepted"),
    "accept a returned item directly": _status("accepted", "returned"),
    "accept a draft directly": _status("accepted", "draft"),
    "add a KPI value": Route(
        "POST",
        lambda w: f"/f/{SLUG}/kpis",
        lambda w: {"kpi": "statutory-share", "period": "2022/23", "period_end": "2023-03-31", "value": "80"},
        {"KpiValue": 1},
    ),
    "import a CSV": Route(
        "POST",
        lambda w: f"/f/{SLUG}/import",
        lambda w: {"kind": "evidence", "file": (io.BytesIO(IMPORT_CSV.encode()), "evidence.csv")},
        {"Evidence": 1, "EvidenceLink": 2},
    ),
    "add a user": Route(
        "POST",
        lambda w: "/admin/users",
        lambda w: {
            "email": "new.person@example.org",
            "role": "board",
            "partner": "",
            "password": "a long good passphrase 42",
        },
        {"User": 1},
    ),
    "disable a user": Route(
        "POST",
        lambda w: f"/admin/users/{w.target_user_id}",
        lambda w: {"role": "lead", "partner": "tiny-council"},  # no "active": the box is unticked
        changes=_disabled,
    ),
    "read the audit trail": Route("GET", lambda w: "/admin/audit"),
    "read the user list": Route("GET", lambda w: "/admin/users"),
    "download an attachment of a submitted item": Route("GET", lambda w: f"/attachments/{w.attachment_id}"),
    "read another partner's accepted item": Route("GET", lambda w: f"/evidence/{w.items['other-accepted']}"),
    "open the evidence form": Route("GET", lambda w: f"/f/{SLUG}/evidence/new"),
}

# The policy.       admin lead  lead-other evaluator board anonymous
MATRIX: dict[str, tuple[int, int, int, int, int, int]] = {
    "create evidence": (302, 302, 302, 403, 403, 302),
    "edit own partner's submitted item": (302, 302, 403, 403, 403, 302),
    "edit accepted item": (302, 403, 403, 403, 403, 302),
    "submit a draft": (302, 302, 403, 403, 403, 302),
    "withdraw a submitted item to draft": (302, 302, 403, 403, 403, 302),
    "accept a submitted item": (302, 403, 403, 302, 403, 302),
    "return a submitted item": (302, 403, 403, 302, 403, 302),
    "resubmit a returned item": (302, 302, 403, 403, 403, 302),
    "return an accepted item": (302, 403, 403, 302, 403, 302),
    "accept a returned item directly": (403, 403, 403, 403, 403, 302),
    "accept a draft directly": (403, 403, 403, 403, 403, 302),
    "add a KPI value": (302, 302, 302, 403, 403, 302),
    "import a CSV": (302, 302, 302, 403, 403, 302),
    "add a user": (302, 403, 403, 403, 403, 302),
    "disable a user": (302, 403, 403, 403, 403, 302),
    "read the audit trail": (200, 403, 403, 403, 403, 302),
    "read the user list": (200, 403, 403, 403, 403, 302),
    "download an attachment of a submitted item": (200, 200, 403, 200, 403, 302),
    "read another partner's accepted item": (200, 200, 200, 200, 200, 302),
    "open the evidence form": (200, 200, 200, 403, 403, 302),
}
assert set(MATRIX) == set(ROUTES)

CASES = [
    pytest.param(route, role, status, id=f"{role}-{route.replace(' ', '-')}-{status}")
    for route, statuses in MATRIX.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.fixture
def world(app: Flask, framework: str, make_evidence: Any, make_user: Any) -> World:
    items = {
        "draft": make_evidence(status="draft", title="Tiny draft"),
        "submitted": make_evidence(status="submitted", title="Tiny submitted"),
        "returned": make_evidence(
            status="returned", title="Tiny returned", review_note="Add the response rate please"
        ),
        "accepted": make_evidence(status="accepted", title="Tiny accepted"),
        "other-accepted": make_evidence(status="accepted", title="Other accepted", partner="other-council"),
    }
    upload_dir = Path(app.config["UPLOAD_FOLDER"])
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / "0123456789abcdef0123456789abcdef").write_bytes(PDF)
    target_email = make_user("lead", email="target.lead@example.org")
    with app.app_context(), db.unit_of_work() as session:
        attachment = Attachment(
            evidence_id=items["submitted"], original_name="survey.pdf",
            stored_name="0123456789abcdef0123456789abcdef", content_type="application/pdf",
            size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest(),
        )  # fmt: skip
        session.add(attachment)
        session.flush()
        attachment_id = attachment.id
        target = session.scalars(select(User).where(User.email == target_email)).one()
        target_id = target.id
    return World(app, items, attachment_id, target_id)


def _client(app: Flask, as_role: Any, role: str) -> tuple[FlaskClient, str]:
    if role == "anonymous":
        return app.test_client(), ""
    client = as_role("lead", partner="other-council") if role == "lead-other" else as_role(role)
    with client.session_transaction() as session:
        user_id = int(session["_user_id"].split(":")[0])
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return client, user.email


@pytest.mark.parametrize(("route_name", "role", "expected"), CASES)
def test_permission_matrix(world: World, as_role: Any, route_name: str, role: str, expected: int) -> None:
    app = world.app
    route = ROUTES[route_name]
    client, email = _client(app, as_role, role)
    before = snapshot(app)
    data = route.data(world) if route.data else None
    response = client.open(route.url(world), method=route.method, data=data)
    response.close()
    after = snapshot(app)
    assert response.status_code == expected, response.get_data(as_text=True)[:800]
    new_audit = audit_since(app, before.last_audit_id)

    if role == "anonymous":
        assert response.headers["Location"].startswith("/login")
        assert after.counts == before.counts and after.items == before.items and after.users == before.users
        assert [a for a in new_audit if a[0] != "refused"] == []
        return

    if expected == 403:
        assert after.counts == before.counts, "a refused request wrote rows"
        assert after.items == before.items, (
            "a refused request changed an evidence item (status or row_version)"
        )
        assert after.users == before.users
        assert [a[:2] for a in new_audit] == [("refused", email)], new_audit
        return

    assert not [a for a in new_audit if a[0] == "refused"], new_audit
    expected_counts = {name: count + route.delta.get(name, 0) for name, count in before.counts.items()}
    assert after.counts == expected_counts
    if route.changes is not None:
        route.changes(world, before, after)
    else:
        assert {k: after.items[k] for k in before.items} == before.items
    if route.method == "GET":
        assert after.users == before.users
        assert not [a for a in new_audit if a[0] != "refused"], "a page view wrote to the audit trail"
    else:
        assert new_audit, "an allowed change left no audit row"


def test_lead_cannot_accept_own_evidence_even_when_posting_a_version(world: World, as_role: Any) -> None:
    """The headline case, spelled out: a lead accepting its own partner's submitted item."""
    lead = as_role("lead")
    evidence_id = world.items["submitted"]
    before = snapshot(world.app)
    response = lead.post(f"/evidence/{evidence_id}/status", data={"to": "accepted", "row_version": "1"})
    page = Page.of(response, 403)
    assert page.h1 == "Forbidden" and page.text("main h1 + p") == "You do not have permission to do that."
    after = snapshot(world.app)
    assert after.items[evidence_id] == before.items[evidence_id] == ("submitted", 1, "Tiny submitted", "")
    refused = audit_since(world.app, before.last_audit_id)
    assert len(refused) == 1 and refused[0][0] == "refused" and "accepted" in refused[0][2]


def test_board_cannot_post_anything(world: World, as_role: Any) -> None:
    """Board members read: every POST in the table answers 403 and changes nothing."""
    board = as_role("board")
    for name, route in ROUTES.items():
        if route.method != "POST":
            continue
        before = snapshot(world.app)
        response = board.post(route.url(world), data=route.data(world) if route.data else None)
        assert response.status_code == 403, name
        after = snapshot(world.app)
        assert (after.counts, after.items, after.users) == (before.counts, before.items, before.users), name
        assert [a[0] for a in audit_since(world.app, before.last_audit_id)] == ["refused"], name

"""The review workflow: draft -> submitted -> returned (with a note) -> edited and resubmitted -> accepted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tracker.db.models import AuditEvent, Evidence, EvidenceLink
from tracker.extensions import db

from ..page import Page

SLUG = "tiny-partnership"
NOTE = "Please give the number of people asked, not only those who answered."


def item(app: Flask, evidence_id: int) -> dict[str, Any]:
    with app.app_context():
        e = db.session.get(Evidence, evidence_id)
        assert e is not None
        return {
            "status": e.status,
            "row_version": e.row_version,
            "title": e.title,
            "review_note": e.review_note,
            "accepted_at": e.accepted_at,
            "reviewed_at": e.reviewed_at,
            "population": e.population,
        }


def audit_actions(app: Flask, evidence_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (a.action, a.role)
            for a in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == "evidence", AuditEvent.object_id == str(evidence_id))
                .order_by(AuditEvent.id)
            )
        ]


def refused_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.action == "refused")) or 0


def queue(client: FlaskClient) -> list[tuple[str, str]]:
    """The review queue a user sees: each row's title and its last column (the partner, or a lead's note)."""
    page = Page.of(client.get("/review"), 200)
    if not page.has("table"):
        assert page.texts("main .empty-state p")[0].startswith(("No evidence is waiting", "Nothing has been"))
        return []
    return [(row[0], row[-1]) for row in page.rows("Items")]


def move(client: FlaskClient, evidence_id: int, to: str, version: int, note: str = "") -> Any:
    return client.post(
        f"/evidence/{evidence_id}/status", data={"to": to, "row_version": str(version), "note": note}
    )


def form(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Practice educator survey 2023",
        "summary": "Most practice educators felt supported by the partnership",
        "source_type": "survey",
        "collected_on": "2023-02-14",
        "links": ["educators-supported"],
        "finding": "supports",
        "respondents": "18",
        "positive": "15",
        "quote": "The workshops made a real difference.",
        **overrides,
    }


def test_full_journey(app: Flask, as_role: Any) -> None:
    lead, evaluator = as_role("lead"), as_role("evaluator")

    created = lead.post(f"/f/{SLUG}/evidence/new", data=form(action="draft"))
    assert created.status_code == 302
    evidence_id = int(re.fullmatch(r"/evidence/(\d+)", created.headers["Location"]).group(1))  # type: ignore[union-attr]
    assert item(app, evidence_id)["status"] == "draft"
    # The evaluator cannot see a draft yet.
    assert evaluator.get(f"/evidence/{evidence_id}").status_code == 403

    assert move(lead, evidence_id, "submitted", 1).status_code == 302
    assert item(app, evidence_id)["status"] == "submitted"
    assert item(app, evidence_id)["row_version"] == 2
    assert queue(evaluator) == [("Practice educator survey 2023", "Tiny Council")]

    # Returning needs a note of at least 10 characters: a short one changes nothing.
    short = move(evaluator, evidence_id, "returned", 2, note="fix it")
    refused = Page.of(short, 400)
    refused.assert_error_at("note", "at least 10 characters")
    assert refused.value("note") == "fix it"
    assert item(app, evidence_id)["status"] == "submitted" and item(app, evidence_id)["row_version"] == 2
    blank = move(evaluator, evidence_id, "returned", 2, note="   ")
    assert blank.status_code == 400
    assert item(app, evidence_id)["status"] == "submitted"

    returned = move(evaluator, evidence_id, "returned", 2, note=NOTE)
    assert returned.status_code == 302
    state = item(app, evidence_id)
    assert state["status"] == "returned" and state["review_note"] == NOTE and state["reviewed_at"] is not None
    assert state["row_version"] == 3

    # The lead sees what came back, and why; the evaluator's queue no longer lists it.
    assert queue(lead) == [("Practice educator survey 2023", NOTE)]
    assert queue(evaluator) == []
    edit_page = Page.of(lead.get(f"/evidence/{evidence_id}/edit"), 200)
    assert edit_page.texts("div.notice-error") == [f"Returned for changes {NOTE}"]
    version = edit_page.one("form input[name=row_version]")
    assert (version["type"], version["value"]) == ("hidden", "3")

    resubmitted = lead.post(
        f"/evidence/{evidence_id}/edit", data=form(population="30", row_version="3", action="submit")
    )
    assert resubmitted.status_code == 302
    state = item(app, evidence_id)
    assert state["status"] == "submitted" and state["population"] == 30 and state["row_version"] == 4
    assert queue(lead) == []
    assert queue(evaluator) == [("Practice educator survey 2023", "Tiny Council")]

    accepted = move(evaluator, evidence_id, "accepted", 4, note="Thank you.")
    assert accepted.status_code == 302
    state = item(app, evidence_id)
    assert state["status"] == "accepted" and state["accepted_at"] is not None

    assert audit_actions(app, evidence_id) == [
        ("evidence.create", "lead"),
        ("refused", "evaluator"),  # the evaluator's look at the draft
        ("evidence.submitted", "lead"),
        ("evidence.returned", "evaluator"),
        ("evidence.edit", "lead"),
        ("evidence.accepted", "evaluator"),
    ]
    # The history is shown on the item: who did what, one row per audit event.
    page = Page.of(evaluator.get(f"/evidence/{evidence_id}"), 200)
    history = page.rows("Changes to this item")
    assert [(who.rsplit(" ", 1)[1], what) for _when, who, what in history] == [
        ("(lead)", "Logged"),
        ("(evaluator)", "Refused view evidence"),
        ("(lead)", "Submitted for review: status"),
        ("(evaluator)", "Returned for changes: status, review note"),
        ("(lead)", "Edited: population, status"),
        ("(evaluator)", "Accepted: status, review note"),
    ]


def test_withdraw_a_submitted_item_to_draft(app: Flask, as_role: Any, make_evidence: Any) -> None:
    lead = as_role("lead")
    evidence_id = make_evidence(status="submitted")
    assert move(lead, evidence_id, "draft", 1).status_code == 302
    assert item(app, evidence_id)["status"] == "draft"


def test_evaluator_can_return_accepted_evidence(app: Flask, as_role: Any, make_evidence: Any) -> None:
    evaluator = as_role("evaluator")
    evidence_id = make_evidence(status="accepted")
    assert move(evaluator, evidence_id, "returned", 1, note=NOTE).status_code == 302
    state = item(app, evidence_id)
    assert state["status"] == "returned" and state["accepted_at"] is None and state["review_note"] == NOTE


FORBIDDEN = [
    pytest.param("lead", "tiny-council", "submitted", "accepted", id="lead-accepts-own-evidence"),
    pytest.param("lead", "tiny-council", "submitted", "returned", id="lead-returns-own-evidence"),
    pytest.param("lead", "tiny-council", "accepted", "returned", id="lead-returns-accepted"),
    pytest.param("lead", "tiny-council", "accepted", "draft", id="lead-withdraws-accepted"),
    pytest.param("lead", "other-council", "draft", "submitted", id="lead-submits-other-partners-draft"),
    pytest.param("lead", "other-council", "submitted", "draft", id="lead-withdraws-other-partners-item"),
    pytest.param("evaluator", None, "draft", "submitted", id="evaluator-submits-draft"),
    pytest.param("evaluator", None, "draft", "accepted", id="evaluator-accepts-draft"),
    pytest.param("evaluator", None, "draft", "returned", id="evaluator-returns-draft"),
    pytest.param("evaluator", None, "returned", "accepted", id="returned-to-accepted-directly"),
    pytest.param("evaluator", None, "submitted", "draft", id="evaluator-withdraws-to-draft"),
    pytest.param("evaluator", None, "submitted", "bogus", id="unknown-status"),
    pytest.param("admin", None, "returned", "accepted", id="admin-returned-to-accepted-directly"),
    pytest.param("board", None, "accepted", "returned", id="board-returns"),
    pytest.param("board", None, "submitted", "accepted", id="board-accepts"),
    pytest.param("board", None, "draft", "submitted", id="board-submits"),
]


@pytest.mark.parametrize(("role", "partner", "from_status", "to_status"), FORBIDDEN)
def test_forbidden_moves_answer_403_and_change_nothing(
    app: Flask,
    as_role: Any,
    make_evidence: Any,
    role: str,
    partner: str | None,
    from_status: str,
    to_status: str,
) -> None:
    client = as_role(role, partner=partner or "tiny-council")
    # Every item belongs to tiny-council: its own lead, the other partner's lead and the rest act on it.
    evidence_id = make_evidence(
        status=from_status, partner="tiny-council", review_note="Old note from review"
    )
    before, refused = item(app, evidence_id), refused_count(app)
    with app.app_context():
        links = db.session.scalar(select(func.count()).select_from(EvidenceLink))
    response = move(client, evidence_id, to_status, 1, note=NOTE)
    assert response.status_code == 403
    assert item(app, evidence_id) == before
    assert refused_count(app) == refused + 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceLink)) == links


def test_review_queue_contents(app: Flask, as_role: Any, make_evidence: Any) -> None:
    make_evidence(status="draft", title="Tiny draft item")
    make_evidence(status="submitted", title="Tiny submitted item")
    make_evidence(status="returned", title="Tiny returned item", review_note="Tiny needs the response rate")
    make_evidence(status="accepted", title="Tiny accepted item")
    make_evidence(status="submitted", title="Other submitted item", partner="other-council")
    make_evidence(
        status="returned",
        title="Other returned item",
        partner="other-council",
        review_note="Other needs dates",
    )
    assert queue(as_role("evaluator")) == [
        ("Tiny submitted item", "Tiny Council"),
        ("Other submitted item", "Other Council"),
    ]
    assert queue(as_role("lead")) == [("Tiny returned item", "Tiny needs the response rate")]
    board = Page.of(as_role("board").get("/review"), 200)
    assert (
        board.h1 == "Returned to you"
        and not board.has("table")
        and board.texts("main .empty-state p")[0]
        == "Evidence already logged is in each framework's evidence list:"
    )
    for title in ("Tiny submitted item", "Tiny returned item", "Tiny accepted item"):
        assert title not in board.body


VISIBILITY = [
    # (role, partner of the viewer, status, item's partner, may see)
    ("lead", "tiny-council", "draft", "tiny-council", True),
    ("lead", "tiny-council", "draft", "other-council", False),
    ("lead", "tiny-council", "submitted", "other-council", False),
    # Accepted items are open to every signed-in user: the outcome pages and the report list them.
    ("lead", "tiny-council", "accepted", "other-council", True),
    ("lead", "tiny-council", "returned", "other-council", False),
    ("evaluator", None, "draft", "tiny-council", False),
    ("evaluator", None, "submitted", "tiny-council", True),
    ("evaluator", None, "returned", "tiny-council", True),
    ("evaluator", None, "accepted", "other-council", True),
    ("board", None, "draft", "tiny-council", False),
    ("board", None, "submitted", "tiny-council", False),
    ("board", None, "returned", "tiny-council", False),
    ("board", None, "accepted", "tiny-council", True),
    ("admin", None, "draft", "other-council", True),
]


@pytest.mark.parametrize(("role", "partner", "status", "owner", "visible"), VISIBILITY)
def test_who_sees_what(
    app: Flask,
    as_role: Any,
    make_evidence: Any,
    role: str,
    partner: str | None,
    status: str,
    owner: str,
    visible: bool,
) -> None:
    client = as_role(role, partner=partner or "tiny-council")
    evidence_id = make_evidence(status=status, partner=owner, title="The item in question")
    response = client.get(f"/evidence/{evidence_id}")
    assert response.status_code == (200 if visible else 403)
    listing = Page.of(client.get(f"/f/{SLUG}/evidence"), 200)
    assert listing.texts("table tbody td:first-child > a") == (["The item in question"] if visible else [])
    if not visible:
        assert "The item in question" not in listing.body
    csv_text = client.get(f"/f/{SLUG}/evidence.csv").get_data(as_text=True)
    assert ("The item in question" in csv_text) is visible


def test_lead_cannot_edit_accepted_evidence_or_set_status_through_the_form(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    lead = as_role("lead")
    accepted = make_evidence(status="accepted")
    before = item(app, accepted)
    response = lead.post(f"/evidence/{accepted}/edit", data=form(row_version="1", action="save"))
    assert response.status_code == 403
    assert item(app, accepted) == before
    # A status field smuggled into the form does not move a draft to accepted.
    draft = make_evidence(status="draft")
    response = lead.post(
        f"/evidence/{draft}/edit", data=form(row_version="1", action="submit", status="accepted")
    )
    assert response.status_code == 302
    assert item(app, draft)["status"] == "submitted"
    created = lead.post(f"/f/{SLUG}/evidence/new", data=form(action="submit", status="accepted"))
    assert created.status_code == 302
    with app.app_context():
        statuses = db.session.scalars(select(Evidence.status).order_by(Evidence.id)).all()
    assert "accepted" not in statuses[-1:]

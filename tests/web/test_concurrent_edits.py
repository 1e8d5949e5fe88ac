"""Two saves from the same starting version: the second is refused (409) naming who saved first; nothing is overwritten."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tracker.db.models import AuditEvent, Evidence, EvidenceLink, User
from tracker.domain.evidence_input import parse_evidence
from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services.audit import Actor
from tracker.services.evidence import EditConflict
from tracker.services.permissions import Principal

from ..conftest import sign_in
from ..page import Page

SLUG = "tiny-partnership"


def row_version(page: Page) -> str:
    """The version the edit form starts from: its hidden row_version field."""
    field = page.form().element.select_one("input[name=row_version]")
    assert field is not None and field["type"] == "hidden"
    return str(field["value"])


def conflict(response: Any) -> str:
    """The 409 page's one message, at the top of the form, naming who saved first."""
    page = Page.of(response, 409)
    [(target, message)] = page.error_summary
    assert target is None and page.title_parts[0].startswith("Error: ")
    return message


def form(version: str, **overrides: Any) -> dict[str, Any]:
    return {
        "title": "Practice educator survey",
        "summary": "Most felt supported",
        "source_type": "survey",
        "collected_on": "2023-03-01",
        "links": ["educators-supported"],
        "finding": "supports",
        "respondents": "18",
        "population": "30",
        "positive": "15",
        "row_version": version,
        "action": "save",
        **overrides,
    }


def stored(app: Flask, evidence_id: int) -> tuple[str, str, int, int | None, list[int]]:
    with app.app_context():
        e = db.session.get(Evidence, evidence_id)
        assert e is not None
        links = sorted(
            db.session.scalars(select(EvidenceLink.element_id).where(EvidenceLink.evidence_id == e.id))
        )
        return e.title, e.summary, e.row_version, e.updated_by_id, links


def edits(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.action == "evidence.edit")) or 0


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.email == email)).one()


def test_second_save_from_the_same_version_is_refused(
    app: Flask, framework: str, make_user: Any, make_evidence: Any
) -> None:
    evidence_id = make_evidence(status="submitted")
    first_email = make_user("lead", email="first.lead@example.org")
    second_email = make_user("lead", email="second.lead@example.org")
    first, second = app.test_client(), app.test_client()
    sign_in(first, first_email)
    sign_in(second, second_email)

    # Both open the form of the same version.
    versions = []
    for client in (first, second):
        versions.append(row_version(Page.of(client.get(f"/evidence/{evidence_id}/edit"), 200)))
    assert versions == ["1", "1"]

    saved = first.post(
        f"/evidence/{evidence_id}/edit", data=form(versions[0], title="Title from the first lead")
    )
    assert saved.status_code == 302
    after_first = stored(app, evidence_id)
    assert after_first[0] == "Title from the first lead" and after_first[2] == 2

    refused = second.post(
        f"/evidence/{evidence_id}/edit",
        data=form(versions[1], title="Title from the second lead", summary="The second lead's summary",
                  links=["more-statutory"]),
    )  # fmt: skip
    message = conflict(refused)
    assert "first.lead@example.org changed this item" in message and "Your changes were not saved" in message
    # The form now shows the stored version (the first lead's), with the new row version to start from.
    page = Page(refused.get_data(as_text=True))
    assert (
        page.value("title") == "Title from the first lead" and page.value("summary") == "Most felt supported"
    )
    assert page.checked("links-educators-supported") and not page.checked("links-more-statutory")
    assert row_version(page) == "2"
    assert stored(app, evidence_id) == after_first
    assert after_first[3] == user_id(app, first_email)
    assert edits(app) == 1

    # Starting again from the version shown, the second lead's save goes through.
    retried = second.post(f"/evidence/{evidence_id}/edit", data=form("2", title="Title from the second lead"))
    assert retried.status_code == 302
    assert stored(app, evidence_id)[0] == "Title from the second lead"
    assert stored(app, evidence_id)[2] == 3


def test_missing_or_garbled_version_is_refused(app: Flask, as_role: Any, make_evidence: Any) -> None:
    evidence_id = make_evidence(status="draft")
    lead = as_role("lead")
    before = stored(app, evidence_id)
    for version in ("", "abc", "-1", "0"):
        response = lead.post(f"/evidence/{evidence_id}/edit", data=form(version, title="Should not be saved"))
        assert response.status_code in (400, 409), version
        assert stored(app, evidence_id) == before


def test_status_change_from_an_old_version_is_refused(app: Flask, as_role: Any, make_evidence: Any) -> None:
    """An evaluator accepting a page opened before the lead edited the item does not accept the new text."""
    evidence_id = make_evidence(status="submitted")
    lead, evaluator = as_role("lead"), as_role("evaluator")
    assert (
        lead.post(
            f"/evidence/{evidence_id}/edit", data=form("1", title="Changed after the review began")
        ).status_code
        == 302
    )
    response = evaluator.post(f"/evidence/{evidence_id}/status", data={"to": "accepted", "row_version": "1"})
    assert response.status_code in (303, 409)
    with app.app_context():
        e = db.session.get(Evidence, evidence_id)
        assert e is not None and e.status == "submitted" and e.row_version == 2


def _context(app: Flask, email: str) -> tuple[Session, Principal, Actor, evidence_service.FrameworkContext]:
    session = db.session
    user = session.scalars(select(User).where(User.email == email)).one()
    ctx = evidence_service.framework_context(session, SLUG)
    assert ctx is not None
    return session, Principal.of(user), Actor(user.email, user.role, user.id), ctx


def _other_transaction_saves(app: Flask, evidence_id: int, by_user: int) -> None:
    """Another request commits an edit to the row, through its own connection."""
    with Session(db.engine) as other:
        other.execute(
            update(Evidence)
            .where(Evidence.id == evidence_id)
            .values(
                title="Saved by the other transaction",
                row_version=Evidence.row_version + 1,
                updated_by_id=by_user,
            )
        )
        other.commit()


def test_race_between_version_check_and_flush_is_an_edit_conflict(
    app: Flask, framework: str, make_user: Any, make_evidence: Any
) -> None:
    """The version check passes, then another transaction commits first: the UPDATE must not overwrite it."""
    evidence_id = make_evidence(status="submitted")
    mine = make_user("lead", email="mine@example.org")
    theirs = make_user("lead", email="theirs@example.org")
    theirs_id = user_id(app, theirs)
    with app.app_context():
        session, principal, actor, ctx = _context(app, mine)
        evidence = session.get(Evidence, evidence_id)
        assert evidence is not None and evidence.row_version == 1
        fields, problems = parse_evidence(
            {"title": "My late title", "source_type": "survey", "collected_on": "2023-03-01",
             "links": "more-statutory", "finding": "supports"},
            ctx.linkable, set(ctx.partners), date.today(),
        )  # fmt: skip
        assert fields is not None, problems
        _other_transaction_saves(app, evidence_id, theirs_id)
        with pytest.raises(EditConflict, match=re.escape("theirs@example.org")):
            evidence_service.update(session, actor, principal, ctx, evidence, fields, expected_version=1)
        session.rollback()
    title, _summary, version, updated_by, links = stored(app, evidence_id)
    assert title == "Saved by the other transaction"
    assert version == 2 and updated_by == theirs_id
    with app.app_context():
        educators = db.session.scalars(
            select(EvidenceLink.element_id).where(EvidenceLink.evidence_id == evidence_id)
        ).all()
    assert links == sorted(educators) and len(links) == 1, "the links were changed by the refused save"
    assert edits(app) == 0


def test_race_on_a_status_change_is_an_edit_conflict(
    app: Flask, framework: str, make_user: Any, make_evidence: Any
) -> None:
    """Two evaluators: one returns the item while the other's accept is between its check and its write."""
    evidence_id = make_evidence(status="submitted")
    mine = make_user("evaluator", email="accepting@example.org")
    theirs_id = user_id(app, make_user("evaluator", email="returning@example.org"))
    with app.app_context():
        session, principal, actor, _ctx = _context(app, mine)
        evidence = session.get(Evidence, evidence_id)
        assert evidence is not None
        _other_transaction_saves(app, evidence_id, theirs_id)
        with pytest.raises(EditConflict):
            evidence_service.move(session, actor, principal, evidence, "accepted", expected_version=1)
        session.rollback()
    with app.app_context():
        e = db.session.get(Evidence, evidence_id)
        assert e is not None and e.status == "submitted" and e.row_version == 2 and e.accepted_at is None


def test_conflict_page_is_shown_for_the_web_race(
    app: Flask, framework: str, make_user: Any, make_evidence: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same race through the web: the other transaction commits just before this request's write."""
    if app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip(
            "on SQLite a writing request holds the write lock from its first statement (BEGIN IMMEDIATE), so "
            "another save cannot commit in the middle of it: it waits, then its version check refuses it "
            "(test_second_save_from_the_same_version_is_refused)"
        )
    evidence_id = make_evidence(status="submitted")
    theirs_id = user_id(app, make_user("lead", email="racer@example.org"))
    client = app.test_client()
    sign_in(client, make_user("lead", email="slow@example.org"))
    original = evidence_service.link_slugs

    def link_slugs_then_race(session: Session, eid: int) -> list[str]:
        result = original(session, eid)
        if not getattr(link_slugs_then_race, "done", False):
            link_slugs_then_race.done = True  # type: ignore[attr-defined]
            _other_transaction_saves(app, evidence_id, theirs_id)
        return result

    monkeypatch.setattr(evidence_service, "link_slugs", link_slugs_then_race)
    response = client.post(f"/evidence/{evidence_id}/edit", data=form("1", title="The slow lead's title"))
    assert "racer@example.org changed this item" in conflict(response)
    assert stored(app, evidence_id)[0] == "Saved by the other transaction"

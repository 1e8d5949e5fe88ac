"""Writing action plans (issue 20): who may, what is kept, and that a refused save writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.digest import table_digests
from tests.unit.test_action_plans import action, plan
from tracker.db.models import ActionPlanRevision, AuditEvent, Framework, User
from tracker.extensions import db
from tracker.plans import reading, service
from tracker.plans.targets import domain_framework
from tracker.services.audit import Actor
from tracker.services.evidence import EditConflict, Refused
from tracker.services.permissions import Principal


def tiny_plan(**more: Any) -> dict[str, Any]:
    return plan(**({"target_kind": "outcome", "target_id": "educators-supported"} | more))


def principal(email: str) -> tuple[Principal, Actor]:
    user = db.session.scalars(select(User).where(User.email == email)).one()
    return Principal.of(user), Actor(user.email, user.role, user.id)


def the_framework(slug: str) -> Framework:
    return db.session.scalars(select(Framework).where(Framework.slug == slug)).one()


def test_a_lead_creates_and_progresses_a_plan_and_every_revision_is_kept(
    app: Flask, framework: str, make_user: Any
) -> None:
    email = make_user("lead")
    with app.app_context(), db.unit_of_work() as session:
        p, actor = principal(email)
        saved = service.create_plan(session, actor, p, the_framework(framework), tiny_plan())
        assert saved.plan.number == 1 and saved.plan.partner_id == p.partner_id
    with app.app_context(), db.unit_of_work() as session:
        p, actor = principal(email)
        f = the_framework(framework)
        found = reading.plan_by_number(session, f, 1)
        assert found is not None
        done = tiny_plan(status="in_progress")
        done["actions"][0]["steps"][0]["status"] = "done"
        saved = service.update_plan(session, actor, p, f, found, done, seen_revision=1)
        assert saved.revision.note == "status Draft → In progress; steps done 0 → 1"
    with app.app_context():
        f = the_framework(framework)
        (shown,) = reading.plans_of(db.session, f, domain_framework(db.session, f))
        assert (shown.revision, shown.status, shown.partner) == (2, "in_progress", "Tiny Council")
        assert shown.target_label == "Practice educators feel supported"
        bodies = db.session.scalars(select(ActionPlanRevision.body).order_by(ActionPlanRevision.number)).all()
        assert [b["status"] for b in bodies] == ["draft", "in_progress"]
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "action_plan"))
        assert list(actions) == ["plan.create", "plan.update"]


def test_a_stale_save_is_refused_and_writes_nothing(app: Flask, framework: str, make_user: Any) -> None:
    email = make_user("lead")
    with app.app_context(), db.unit_of_work() as session:
        p, actor = principal(email)
        f = the_framework(framework)
        saved = service.create_plan(session, actor, p, f, tiny_plan())
        service.update_plan(session, actor, p, f, saved.plan, tiny_plan(priority="amber"), seen_revision=1)
    before = table_digests(app)
    with app.app_context(), pytest.raises(EditConflict), db.unit_of_work() as session:
        p, actor = principal(email)
        f = the_framework(framework)
        found = reading.plan_by_number(session, f, 1)
        assert found is not None
        service.update_plan(session, actor, p, f, found, tiny_plan(priority="green"), seen_revision=1)
    assert table_digests(app) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"actions": [action(), action(), action(), action("Fourth")]}, "actions"),
        (
            {"actions": [action(steps=1) | {"steps": [{"text": "t", "due_on": "2024-01-01"}]}]},
            "actions-1-steps-1-due_on",
        ),
        ({"actions": [action(cost="a lot")]}, "actions-1-cost"),
        ({"target_id": "no-such-outcome"}, "target_id"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
    app: Flask, framework: str, make_user: Any, change: dict[str, Any], field: str
) -> None:
    email = make_user("lead")
    before = table_digests(app)
    with app.app_context(), pytest.raises(service.PlanInvalid) as refused, db.unit_of_work() as session:
        p, actor = principal(email)
        service.create_plan(session, actor, p, the_framework(framework), tiny_plan(**change))
    assert field in {problem.field for problem in refused.value.problems}
    assert table_digests(app) == before


def test_a_lead_of_a_partner_outside_the_framework_is_refused_at_the_target(
    app: Flask, framework: str, make_user: Any
) -> None:
    from tracker.db.models import Partner

    with app.app_context(), db.unit_of_work() as session:
        session.add(Partner(slug="far-council", name="Far Council", kind="local_authority"))
    email = make_user("lead", partner="far-council")
    before = table_digests(app)
    with app.app_context(), pytest.raises(service.PlanInvalid) as refused, db.unit_of_work() as session:
        p, actor = principal(email)
        service.create_plan(session, actor, p, the_framework(framework), tiny_plan())
    assert [problem.field for problem in refused.value.problems] == ["target_id"]
    assert table_digests(app) == before


def test_another_partners_lead_may_not_edit_and_only_evaluators_comment(
    app: Flask, framework: str, make_user: Any
) -> None:
    own, other, evaluator, board = (
        make_user("lead"),
        make_user("lead", partner="other-council"),
        make_user("evaluator"),
        make_user("board"),
    )
    with app.app_context(), db.unit_of_work() as session:
        p, actor = principal(own)
        service.create_plan(session, actor, p, the_framework(framework), tiny_plan())
    before = table_digests(app)
    with app.app_context(), pytest.raises(Refused), db.unit_of_work() as session:
        p, actor = principal(other)
        f = the_framework(framework)
        found = reading.plan_by_number(session, f, 1)
        assert found is not None
        service.update_plan(session, actor, p, f, found, tiny_plan(title="Taken over"), seen_revision=1)
    for who in (own, board):
        with app.app_context(), pytest.raises(Refused), db.unit_of_work() as session:
            p, actor = principal(who)
            found = reading.plan_by_number(session, the_framework(framework), 1)
            assert found is not None
            service.comment_on_plan(session, actor, p, found, "Looks thin")
    assert table_digests(app) == before
    with app.app_context(), db.unit_of_work() as session:
        p, actor = principal(evaluator)
        found = reading.plan_by_number(session, the_framework(framework), 1)
        assert found is not None
        service.comment_on_plan(session, actor, p, found, "Step 2 needs a date agreed with the university")
    with app.app_context():
        found = reading.plan_by_number(db.session, the_framework(framework), 1)
        assert found is not None
        assert [c.body for c in reading.comments(db.session, found)] == [
            "Step 2 needs a date agreed with the university"
        ]


def test_turn_the_curve_notes_are_versioned_and_checked(
    app: Flask, framework: str, make_user: Any, make_evidence: Any
) -> None:
    from tracker.plans import curve

    email, board = make_user("lead"), make_user("board")
    item = make_evidence()
    draft = make_evidence(status="draft")
    with app.app_context(), db.unit_of_work() as session:
        p, actor = principal(email)
        f = the_framework(framework)
        curve.save_curve_note(
            session, actor, p, f, "statutory-share", story="Fewer statutory teams", partners="", what_works=""
        )
        curve.save_curve_note(
            session,
            actor,
            p,
            f,
            "statutory-share",
            story="Teams recovered",
            partners="Tiny Council",
            what_works="Allocation days",
            evidence_ids=[item],
        )
    before = table_digests(app)
    for who, kwargs, error in (
        (email, {"kpi": "no-kpi", "story": "x"}, curve.PlanInvalid),
        (email, {"kpi": "statutory-share", "story": "", "evidence_ids": []}, curve.PlanInvalid),
        (email, {"kpi": "statutory-share", "story": "x", "evidence_ids": [draft]}, curve.PlanInvalid),
        (board, {"kpi": "statutory-share", "story": "x"}, Refused),
    ):
        with app.app_context(), pytest.raises(error), db.unit_of_work() as session:
            p, actor = principal(who)
            kpi = str(kwargs.pop("kpi"))
            curve.save_curve_note(
                session, actor, p, the_framework(framework), kpi, partners="", what_works="", **kwargs
            )
    assert table_digests(app) == before
    with app.app_context():
        f = the_framework(framework)
        current = curve.current_notes(db.session, f)
        assert (current["statutory-share"].version, current["statutory-share"].story) == (
            2,
            "Teams recovered",
        )
        assert current["statutory-share"].evidence_ids == (item,)
        assert [n.story for n in curve.note_history(db.session, f, "statutory-share")] == [
            "Teams recovered",
            "Fewer statutory teams",
        ]

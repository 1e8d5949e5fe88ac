"""GET /frameworks/{slug}/plans and /plans/{number}: every role reads every plan as the plans pages show them
(drafts, history and evaluators' comments too), steps overdue by today's date, pages that survive a new plan,
an ETag that changes with a save or a comment, and the same statements for 2 plans or 12."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.db.models import ActionPlan, Framework, User
from tracker.extensions import db
from tracker.plans import service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..page import Page
from ..querycount import count_statements
from .plan_forms import SLUG, make_plan, raw_plan

PLANS = f"/api/v1/frameworks/{SLUG}/plans"
ROLES = ("admin", "evaluator", "board", "lead")
LATE = (date.today() - timedelta(days=30)).isoformat()
SOON = (date.today() + timedelta(days=30)).isoformat()
STEPS = [
    {"text": "Agree a timetable", "due_on": "2024-07-01", "owner": "", "status": "done"},
    {"text": "Book the rooms", "due_on": LATE, "owner": "Office manager", "status": "in_progress"},
    {"text": "Tell the educators", "due_on": SOON, "owner": "", "status": "not_started"},
]


def user(app: Flask, email: str) -> tuple[Actor, Principal]:
    with app.app_context():
        found = db.session.scalars(select(User).where(User.email == email)).one()
        return Actor(found.email, found.role, found.id), Principal.of(found)


def comment(app: Flask, email: str, number: int, text: str) -> None:
    actor, principal = user(app, email)
    with app.app_context(), db.unit_of_work() as session:
        framework = session.scalars(select(Framework).where(Framework.slug == SLUG)).one()
        plan = session.scalars(
            select(ActionPlan).where(ActionPlan.framework_id == framework.id, ActionPlan.number == number)
        ).one()
        service.comment_on_plan(session, actor, principal, plan, text)


def revise(app: Flask, email: str, number: int, **fields: Any) -> None:
    actor, principal = user(app, email)
    with app.app_context(), db.unit_of_work() as session:
        framework = session.scalars(select(Framework).where(Framework.slug == SLUG)).one()
        plan = session.scalars(
            select(ActionPlan).where(ActionPlan.framework_id == framework.id, ActionPlan.number == number)
        ).one()
        service.update_plan(session, actor, principal, framework, plan, raw_plan(**fields), plan.revision)


@pytest.fixture
def plans(app: Flask, framework: str, make_user: Any) -> dict[str, str]:
    """Tiny Council's agreed plan 1 (one step overdue) and a framework-wide draft, plan 2, with a comment."""
    lead, admin, evaluator = make_user("lead"), make_user("admin"), make_user("evaluator")
    action = {
        "title": "Monthly supervision",
        "owner": "Practice lead",
        "cost": "1,200.50",
        "status": "in_progress",
    }
    make_plan(app, lead, actions=[{**action, "steps": STEPS}])
    make_plan(
        app, admin, title="Count the placements", status="draft", priority="red", target_kind="kpi",
        target_id="statutory-share", lead_name="", lead_user_id=user(app, admin)[1].user_id, actions=[],
    )  # fmt: skip
    comment(app, evaluator, 2, "Who will count them?\nAnd by when?")
    return {"lead": lead, "admin": admin, "evaluator": evaluator}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_plan_drafts_too(plans: dict[str, str], api_as: Any, role: str) -> None:
    body = api_as(role).get(PLANS).get_json()
    assert body["next_cursor"] is None
    assert [(p["number"], p["status"], p["title"]) for p in body["data"]] == [
        (1, "agreed", "Support for practice educators"),
        (2, "draft", "Count the placements"),
    ]


def test_a_plan_as_its_page_shows_it(plans: dict[str, str], api_as: Any, as_role: Any) -> None:
    body = api_as("board").get(f"{PLANS}/1").get_json()
    assert {k: v for k, v in body.items() if k not in {"actions", "history", "comments", "created_at", "updated_at"}} == {
        "number": 1,
        "title": "Support for practice educators",
        "target": {"kind": "outcome", "id": "educators-supported", "label": body["target"]["label"]},
        "partner": "Tiny Council",
        "lead": "Practice lead",
        "priority": "amber",
        "status": "agreed",
        "open": True,
        "starts_on": "2024-06-01",
        "measures": "Every educator has supervision",
        "measure_kpis": [],
        "total_cost": 1200.5,
        "currency": "GBP",
        "overdue_steps": 1,
        "revision": 1,
    }  # fmt: skip
    (action,) = body["actions"]
    assert action == {
        "number": 1,
        "title": "Monthly supervision",
        "owner": "Practice lead",
        "cost": 1200.5,
        "status": "in_progress",
        "steps": [
            {"number": 1, "text": "Agree a timetable", "due_on": "2024-07-01", "owner": None, "status": "done",
             "overdue": False},
            {"number": 2, "text": "Book the rooms", "due_on": LATE, "owner": "Office manager",
             "status": "in_progress", "overdue": True},
            {"number": 3, "text": "Tell the educators", "due_on": SOON, "owner": None, "status": "not_started",
             "overdue": False},
        ],
    }  # fmt: skip
    assert [h["revision"] for h in body["history"]] == [1] and body["comments"] == []
    # The page says the same: its target, its lead, the one overdue step.
    page = Page.of(as_role("board").get(f"/f/{SLUG}/plans/1"), 200)
    assert page.text("#overdue-notice").startswith("Overdue: 1 step")
    assert body["target"]["label"] in page.text("dl.plan-facts")
    assert [row[0] for row in page.rows(table=page.one("table.plan-steps"))] == [
        f"{s['number']}. {s['text']}" for s in action["steps"]
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_evaluators_comments(plans: dict[str, str], api_as: Any, role: str) -> None:
    body = api_as(role).get(f"{PLANS}/2").get_json()
    assert [(c["author"], c["revision"], c["body"]) for c in body["comments"]] == [
        (plans["evaluator"], 1, "Who will count them?\nAnd by when?")
    ]
    assert body["target"]["kind"] == "kpi" and body["lead"] == plans["admin"] and body["partner"] is None
    assert body["total_cost"] is None and body["actions"] == [] and body["overdue_steps"] == 0


@pytest.mark.parametrize("path", ["/3", "/0", "/x"])
def test_no_such_plan_is_404(plans: dict[str, str], api_as: Any, path: str) -> None:
    response = api_as("admin").get(PLANS + path)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_another_frameworks_plan_is_404_here(
    app: Flask, plans: dict[str, str], api_as: Any, load_framework: Any, tiny_yaml: str
) -> None:
    load_framework(tiny_yaml.replace("id: tiny-partnership", "id: other-partnership", 1))
    assert api_as("admin").get("/api/v1/frameworks/other-partnership/plans").get_json()["data"] == []
    assert api_as("admin").get("/api/v1/frameworks/other-partnership/plans/1").status_code == 404
    assert api_as("admin").get("/api/v1/frameworks/nowhere/plans").status_code == 404


def test_the_pages_walk_every_plan_once_even_when_one_is_added_midway(
    app: Flask, plans: dict[str, str], api_as: Any
) -> None:
    for n in range(3):
        make_plan(app, plans["lead"], title=f"Plan {n + 3}")
    client = api_as("evaluator")
    seen: list[int] = []
    url = f"{PLANS}?limit=2"
    while True:
        body = client.get(url).get_json()
        assert len(body["data"]) <= 2
        seen += [p["number"] for p in body["data"]]
        if len(seen) == 2:
            make_plan(app, plans["lead"], title="Added while reading")  # plan 6
        if body["next_cursor"] is None:
            break
        url = f"{PLANS}?limit=2&cursor={body['next_cursor']}"
    assert seen == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("cursor", ["WyJ4Il0", "LTE", "dHJ1ZQ"])  # ["x"], -1, true
def test_a_cursor_not_given_out_is_400(plans: dict[str, str], api_as: Any, cursor: str) -> None:
    response = api_as("board").get(f"{PLANS}?cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.get_json()["detail"]


def test_etags_answer_304_until_a_save_or_a_comment(app: Flask, plans: dict[str, str], api_as: Any) -> None:
    client = api_as("board")
    listed, one = client.get(PLANS).headers["ETag"], client.get(f"{PLANS}/1").headers["ETag"]
    assert client.get(PLANS, headers={"If-None-Match": listed}).status_code == 304
    assert client.get(f"{PLANS}/1", headers={"If-None-Match": one}).status_code == 304
    comment(app, plans["evaluator"], 1, "Good start.")
    again = client.get(f"{PLANS}/1", headers={"If-None-Match": one})
    assert again.status_code == 200 and again.headers["ETag"] != one
    assert client.get(PLANS, headers={"If-None-Match": listed}).status_code == 304  # lists no comments
    revise(app, plans["lead"], 1, title="Supervision for every educator")
    response = client.get(PLANS, headers={"If-None-Match": listed})
    assert response.status_code == 200 and response.headers["ETag"] != listed
    assert response.get_json()["data"][0]["title"] == "Supervision for every educator"


def test_a_done_plan_marks_late_steps_but_counts_none(app: Flask, plans: dict[str, str], api_as: Any) -> None:
    revise(app, plans["lead"], 1, status="done", actions=[{"title": "Monthly supervision", "steps": STEPS}])
    body = api_as("board").get(f"{PLANS}/1").get_json()
    assert body["open"] is False and body["overdue_steps"] == 0
    assert [s["overdue"] for s in body["actions"][0]["steps"]] == [
        False,
        True,
        False,
    ]  # as its page marks them
    assert [h["revision"] for h in body["history"]] == [2, 1]


def test_the_list_sends_the_same_statements_for_2_plans_or_12(
    app: Flask, plans: dict[str, str], api_as: Any
) -> None:
    client = api_as("board")
    counts = []
    for more in (0, 10):
        for n in range(more):
            make_plan(app, plans["lead"], title=f"More {n}", actions=[{"title": "An action", "steps": STEPS}])
        client.get(PLANS)  # the first read may fill caches
        with app.app_context(), count_statements(db.engine) as counter:
            assert len(client.get(PLANS).get_json()["data"]) == 2 + more
        counts.append(counter.count)
    assert counts[0] == counts[1], counts

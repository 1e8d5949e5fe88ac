"""The action plan pages (issue 20) through the web: start a plan from the form, read it, revise it, comment,
and every kind of bad input answered at its field with nothing written."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.db.models import AuditEvent, Partner, User
from tracker.extensions import db

from ..conftest import PASSWORD, sign_in
from ..digest import table_digests
from ..page import Page
from .plan_forms import SLUG, make_plan, plan_form

PLANS = f"/f/{SLUG}/plans"


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return int(db.session.scalars(select(User.id).where(User.email == email)).one())


def test_a_lead_starts_a_plan_of_three_actions_of_three_steps_and_reads_it(
    app: Flask, make_user: Any, framework: str
) -> None:
    email = make_user("lead")
    client = app.test_client()
    sign_in(client, email, PASSWORD)
    form = Page.of(client.get(f"{PLANS}/new?kind=outcome&target=more-statutory"), 200)
    assert form.h1 == "Start an action plan"
    assert form.value("target") == "outcome:more-statutory"
    assert form.value("lead_user_id") == str(user_id(app, email))  # the lead leads it unless they say
    assert form.value("starts_on") == date.today().isoformat()
    # The outcome's "what would raise it" guidance starts the measures of success.
    assert form.value("measures").startswith("What would raise the rating:\n- ")
    assert form.text("#guidance").startswith("What would raise the outcome's rating")
    assert [g.text for g in form.all("#target optgroup")] != []
    assert [str(g["label"]) for g in form.all("#target optgroup")] == ["Outcomes", "KPIs"]
    assert form.all("fieldset.plan-action-fields") and len(form.all("fieldset.plan-action-fields")) == 3
    assert len(form.all("fieldset.plan-step-fields")) == 9

    response = client.post(f"{PLANS}/new", data=plan_form())
    assert response.status_code == 302 and response.headers["Location"] == f"{PLANS}/1"
    page = Page.of(client.get(f"{PLANS}/1"), 200)
    assert page.flashes == ["Plan 1 is saved (draft)."]
    assert page.h1 == "Plan 1: Statutory placements for every student"
    facts = dict(zip(page.texts(".plan-facts dt"), page.texts(".plan-facts dd"), strict=True))
    assert facts == {
        "What it addresses": "Outcome: More students have statutory placements",
        "Priority": "Red: high priority",
        "Status": "Draft",
        "Lead": "Principal social worker",
        "Whose plan": "Tiny Council",
        "Starts on": "1 June 2024",
        "Total cost": "£6,000.00",
    }
    assert page.links(".plan-facts a") == [
        ("More students have statutory placements", f"/f/{SLUG}/outcomes/more-statutory")
    ]
    assert page.texts("section.plan-action h3") == [f"Action {a}: Action {a} of the plan" for a in (1, 2, 3)]
    steps = page.rows("Steps of action 2")
    assert steps[0] == ["1. Step 1 of action 2", "12 July 2024 Overdue", "Team 1", "Not started"]
    assert len(steps) == 3 and all(row[1].endswith("Overdue") for row in steps)  # all due in 2024
    assert page.has("tr.step-overdue strong.overdue")  # marked in words and in style
    assert page.text("#overdue-notice") == "Overdue: 9 steps past their due date and not done."
    assert page.rows("Every revision of plan 1, newest first") == [
        ["Revision 1 (current)", page.rows("Every revision of plan 1, newest first")[0][1], email, "Created"]
    ]
    assert page.hrefs("a.button") == [f"{PLANS}/1/edit"]  # the lead may edit their own partner's plan
    assert not page.has("form textarea#body")  # only evaluators and admins comment
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "action_plan"))
        assert list(actions) == ["plan.create"]


def test_a_kpi_target_is_ticked_as_the_measure_and_an_unknown_target_is_not_chosen(as_role: Any) -> None:
    client = as_role("admin")
    kpi = Page.of(client.get(f"{PLANS}/new?kind=kpi&target=statutory-share"), 200)
    assert kpi.value("target") == "kpi:statutory-share"
    assert kpi.checked("measure_kpis-statutory-share")
    assert not kpi.has("#guidance")
    unknown = Page.of(client.get(f"{PLANS}/new?kind=outcome&target=nowhere"), 200)
    assert unknown.value("target") == "" and unknown.value("measures") == ""


def test_editing_saves_a_revision_and_every_revision_can_be_read(
    app: Flask, make_user: Any, framework: str
) -> None:
    email = make_user("lead")
    client = app.test_client()
    sign_in(client, email, PASSWORD)
    client.post(f"{PLANS}/new", data=plan_form())
    form = Page.of(client.get(f"{PLANS}/1/edit"), 200)
    assert form.h1 == "Edit plan 1: Statutory placements for every student"
    assert form.value("actions-2-steps-3-text") == "Step 3 of action 2"
    assert form.value("actions-3-cost") == "3000.00" and form.value("seen_revision") == "1"
    moved = plan_form(status="in_progress", seen_revision="1") | {"actions-1-steps-1-status": "done"}
    response = client.post(f"{PLANS}/1/edit", data=moved)
    assert response.status_code == 302
    page = Page.of(client.get(f"{PLANS}/1"), 200)
    assert page.flashes == ["Plan 1 is saved: revision 2 (status Draft → In progress; steps done 0 → 1)."]
    assert "Status In progress" in page.text(".plan-facts")
    history = page.rows("Every revision of plan 1, newest first")
    assert [(row[0], row[3]) for row in history] == [
        ("Revision 2 (current)", "status Draft → In progress; steps done 0 → 1"),
        ("Revision 1", "Created"),
    ]
    assert page.rows("Steps of action 1")[0][1] == "11 July 2024"  # done: no longer overdue
    first = Page.of(client.get(f"{PLANS}/1/revisions/1"), 200)
    assert first.h1 == "Plan 1: Statutory placements for every student (revision 1)"
    assert "An earlier revision: revision 2 is the current one." in first.text("#revision-notice")
    assert "Status Draft" in first.text(".plan-facts")
    assert "Overdue" not in first.main  # an earlier revision is read as it was saved, not judged today
    assert client.get(f"{PLANS}/1/revisions/3").status_code == 404
    assert client.get(f"{PLANS}/2").status_code == 404
    assert client.get("/f/no-such/plans").status_code == 404


def test_a_stale_save_keeps_what_was_typed_and_says_what_happened(
    app: Flask, make_user: Any, framework: str
) -> None:
    first, second = app.test_client(), app.test_client()
    email = make_user("lead")
    sign_in(first, email, PASSWORD)
    sign_in(second, make_user("admin"), PASSWORD)
    first.post(f"{PLANS}/new", data=plan_form())
    assert (
        first.post(f"{PLANS}/1/edit", data=plan_form(priority="amber", seen_revision="1")).status_code == 302
    )
    before = table_digests(app)
    stale = plan_form(title="The admin's better title", seen_revision="1")
    page = Page.of(second.post(f"{PLANS}/1/edit", data=stale), 409)
    assert table_digests(app) == before
    assert page.title.startswith("Error: ")
    [(target, message)] = page.error_summary
    assert target is None and message.startswith("Someone saved this plan (revision 2) after you opened it")
    assert page.value("title") == "The admin's better title"  # nothing typed is lost
    assert page.value("seen_revision") == "2"  # saving again now replaces revision 2, knowingly
    assert second.post(f"{PLANS}/1/edit", data=stale | {"seen_revision": "2"}).status_code == 302
    shown = Page.of(second.get(f"{PLANS}/1"), 200)
    assert shown.h1 == "Plan 1: The admin's better title"


def outside_lead(app: Flask, make_user: Any) -> str:
    """A lead of a partner that is not one of the framework's."""
    with app.app_context(), db.unit_of_work() as session:
        session.add(Partner(slug="far-council", name="Far Council", kind="local_authority"))
    return str(make_user("lead", partner="far-council"))


BAD_INPUT = [
    pytest.param(
        {
            "actions-4-title": "A fourth action",
            "actions-4-steps-1-text": "Its step",
            "actions-4-steps-1-due_on": "2024-09-01",
        },
        "actions",
        "a plan has at most 3 actions; this one has 4",
        id="fourth-action",
    ),
    pytest.param(
        {"actions-2-steps-1-due_on": "2024-05-31"},
        "actions-2-steps-1-due_on",
        "step 1 of action 2 is due on 2024-05-31, before the plan starts (2024-06-01)",
        id="step-before-start",
    ),
    pytest.param(
        {"actions-3-cost": "about a grand"},
        "actions-3-cost",
        "'about a grand' is not an amount of money",
        id="cost-not-a-number",
    ),
    pytest.param(
        {"target": "outcome:no-such-outcome"},
        "target",
        "this framework has no outcome 'no-such-outcome'",
        id="no-such-target",
    ),
    pytest.param(
        {"lead_user_id": "OUTSIDE"},
        "lead_user_id",
        "choose a lead from the list, or name an officer",
        id="lead-outside-the-framework",
    ),
]


@pytest.mark.parametrize(("change", "field_id", "message"), BAD_INPUT)
def test_bad_input_is_answered_at_its_field_and_nothing_is_written(
    app: Flask, make_user: Any, framework: str, change: dict[str, str], field_id: str, message: str
) -> None:
    client = app.test_client()
    sign_in(client, make_user("lead"), PASSWORD)
    if change.get("lead_user_id") == "OUTSIDE":
        change = {"lead_user_id": str(user_id(app, outside_lead(app, make_user)))}
    before = table_digests(app)
    response = client.post(f"{PLANS}/new", data=plan_form(title="Kept as typed") | change)
    page = Page.of(response, 400)
    assert table_digests(app) == before
    page.assert_error_at(field_id, message[1:])  # a sentence beside it; after its place in the summary
    if page.field(field_id).name != "fieldset":
        assert page.field(field_id).get("aria-invalid") == "true"
    assert page.value("title") == "Kept as typed"
    assert page.value("actions-3-steps-3-text") == "Step 3 of action 3"
    # The same problems on an edit: nothing written there either.
    client.post(f"{PLANS}/new", data=plan_form())
    before = table_digests(app)
    edited = client.post(f"{PLANS}/1/edit", data=plan_form(seen_revision="1") | change)
    Page.of(edited, 400).assert_error_at(field_id, message[1:])
    assert table_digests(app) == before


def test_a_lead_of_a_partner_outside_the_framework_may_not_start_one(
    app: Flask, make_user: Any, framework: str
) -> None:
    client = app.test_client()
    sign_in(client, outside_lead(app, make_user), PASSWORD)
    assert client.get(f"{PLANS}/new").status_code == 403
    before = table_digests(app)
    assert client.post(f"{PLANS}/new", data=plan_form()).status_code == 403
    assert table_digests(app) == before
    assert not Page.of(client.get(PLANS), 200).has(f'a[href="{PLANS}/new"]')


def test_empty_slots_move_up_so_a_problem_is_at_the_action_it_names(as_role: Any, app: Flask) -> None:
    """Action 1 left empty and action 2 filled in: the action is the plan's first, and is shown so."""
    client = as_role("lead")
    posted = plan_form(actions=0) | {
        "actions-2-title": "The only action",
        "actions-2-cost": "lots",
        "actions-2-steps-2-text": "Its only step",
        "actions-2-steps-2-due_on": "2024-08-01",
    }
    page = Page.of(client.post(f"{PLANS}/new", data=posted), 400)
    page.assert_error_at("actions-1-cost", "'lots' is not an amount of money")
    assert page.value("actions-1-title") == "The only action"
    assert page.value("actions-1-steps-1-text") == "Its only step"
    assert page.value("actions-2-title") == ""


def test_evaluators_comment_and_an_empty_comment_is_refused_at_its_field(
    app: Flask, as_role: Any, make_user: Any
) -> None:
    lead = make_user("lead")
    make_plan(app, lead)
    evaluator = as_role("evaluator")
    page = Page.of(evaluator.get(f"{PLANS}/1"), 200)
    assert not page.has(f'a[href="{PLANS}/1/edit"]')
    assert page.form(f"{PLANS}/1/comments")
    before = table_digests(app)
    empty = Page.of(evaluator.post(f"{PLANS}/1/comments", data={"body": "  "}), 400)
    empty.assert_error_at("body", "rite the comment")
    assert table_digests(app) == before
    response = evaluator.post(
        f"{PLANS}/1/comments", data={"body": "Step 1 needs a date\nagreed with the university"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#comments")
    page = Page.of(evaluator.get(f"{PLANS}/1"), 200)
    [comment] = page.all(".plan-comment")
    assert [p.get_text() for p in comment.select("p")][1:] == [
        "Step 1 needs a date",
        "agreed with the university",
    ]
    assert "(on revision 1)" in comment.select_one("p").get_text()
    board = Page.of(as_role("board").get(f"{PLANS}/1"), 200)
    assert board.forms() == [] and board.texts(".plan-comment p")[1] == "Step 1 needs a date"


def test_the_list_shows_open_plans_by_priority_with_next_steps_and_summarises_closed_ones(
    app: Flask, as_role: Any, make_user: Any
) -> None:
    lead = make_user("lead")
    make_plan(app, lead, priority="green", title="Green plan")
    make_plan(
        app,
        lead,
        priority="red",
        title="Red plan",
        actions=[
            {
                "title": "Recruit",
                "owner": "HR",
                "cost": "",
                "status": "in_progress",
                "steps": [
                    {"text": "Advertise", "due_on": "2024-07-01", "owner": "", "status": "not_started"},
                    {"text": "Interview", "due_on": "2999-01-01", "owner": "Panel", "status": "not_started"},
                    {"text": "Plan the posts", "due_on": "2024-06-15", "owner": "", "status": "done"},
                ],
            }
        ],
    )
    make_plan(app, lead, status="done", title="Finished plan")
    make_plan(app, lead, status="dropped", title="Dropped plan")
    board = Page.of(as_role("board").get(PLANS), 200)
    rows = board.rows("Open plans by priority, with their next steps")
    assert [row[0].split(" Outcome:")[0] for row in rows] == ["2. Red plan", "1. Green plan"]
    assert rows[0][1:4] == ["Red: high priority", "Agreed", "Practice lead"]
    assert rows[0][4] == (
        "Advertise (action 1) · due 1 July 2024 Overdue · HR "
        "Interview (action 1) · due 1 January 2999 · Panel"
    )
    assert rows[0][5] == "1" and rows[1][5] == "0"
    assert "Overdue: 1 step past its due date." in board.main
    assert board.texts(".plan-closed li") == [
        f"3. Finished plan · Done · Outcome: Practice educators feel supported · last saved {t}"
        for t in board.texts(".plan-closed li .date")[:1]
    ] + [
        f"4. Dropped plan · Dropped · Outcome: Practice educators feel supported · last saved {t}"
        for t in board.texts(".plan-closed li .date")[1:]
    ]
    assert "1 done, 1 dropped." in board.main
    assert not board.has(f'a[href="{PLANS}/new"]')  # a board member reads
    assert board.has(f'a[href="{PLANS}.csv"]')
    assert "Plans" in board.texts("nav.subnav a[aria-current=page]")
    led = Page.of(as_role("lead").get(PLANS), 200)
    assert led.has(f'a[href="{PLANS}/new"]')


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_one_row_a_step_and_no_formula_can_run(app: Flask, as_role: Any, make_user: Any) -> None:
    lead = make_user("lead")
    make_plan(app, lead, title='=HYPERLINK("http://x")', measures="+1 more\nsecond line")
    make_plan(
        app,
        lead,
        title="No actions yet",
        actions=[],
        target_kind="kpi",
        target_id="statutory-share",
    )
    make_plan(
        app,
        lead,
        title="Two steps",
        actions=[
            {
                "title": "A",
                "owner": "",
                "cost": "1,250.5",
                "status": "not_started",
                "steps": [
                    {"text": "@first", "due_on": "2024-07-01", "owner": "O", "status": "done"},
                    {"text": "second", "due_on": "2999-07-01", "owner": "", "status": "in_progress"},
                ],
            },
            {"title": "B, stepless", "owner": "", "cost": "", "status": "dropped", "steps": []},
        ],
    )
    response = as_role("board").get(f"{PLANS}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "tiny-partnership-plans.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == (
        "plan_number,title,target_kind,target_id,target,partner,lead,priority,status,starts_on,measures,"
        "action_number,action_title,action_owner,action_cost,action_status,step_number,step_text,step_due,"
        "step_owner,step_status,overdue,revision,updated_at"
    )
    rows = csv_rows(text)
    assert [(r["plan_number"], r["action_number"], r["step_number"]) for r in rows] == [
        ("1", "1", "1"),
        ("2", "", ""),
        ("3", "1", "1"),
        ("3", "1", "2"),
        ("3", "2", ""),
    ]
    first = rows[0]
    assert first["title"] == '\'=HYPERLINK("http://x")' and first["measures"] == "'+1 more\nsecond line"
    assert (first["target_kind"], first["target_id"], first["target"]) == (
        "outcome",
        "educators-supported",
        "Practice educators feel supported",
    )
    assert (first["partner"], first["lead"], first["priority"], first["status"]) == (
        "Tiny Council",
        "Practice lead",
        "amber",
        "agreed",
    )
    assert (first["action_cost"], first["step_due"], first["step_status"], first["overdue"]) == (
        "500.00",
        "2024-07-01",
        "done",
        "no",
    )
    assert first["revision"] == "1" and first["updated_at"][:4].isdigit()
    assert rows[1]["target"] == "Share of placements that are statutory" and rows[1]["action_title"] == ""
    assert (rows[2]["step_text"], rows[2]["action_cost"], rows[2]["overdue"]) == ("'@first", "1250.50", "no")
    assert (rows[3]["step_status"], rows[3]["overdue"]) == ("in_progress", "no")
    assert (rows[4]["action_title"], rows[4]["action_status"], rows[4]["step_text"]) == (
        "B, stepless",
        "dropped",
        "",
    )

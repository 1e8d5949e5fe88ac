"""The report's action plans (issue 20): every open plan with its next steps and owners by priority, the rest
summarised, the targets needing a plan exactly as the rule gives them, on the page and in the PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from tracker.db.models import ActionPlan, Framework, User
from tracker.domain.action_plans import TARGET_KIND_LABELS
from tracker.domain.formats import long_date, sentence
from tracker.extensions import db
from tracker.plans import reading, service
from tracker.ratings import ratings_for
from tracker.reports import model as report_model
from tracker.reports import plan_blocks
from tracker.reports.pdf import render_in_process
from tracker.reports.render import model_fingerprint, render_html
from tracker.resources import static_dir
from tracker.services import surveys as survey_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..page import Page, text_of
from ..querycount import count_statements
from .test_ratings_service import add_kpi_value
from .test_surveys_flow import SURVEY, rows, run_import

SLUG = "tiny-partnership"


def raw_plan(title: str, priority: str, status: str, kind: str, target: str, **more: Any) -> dict[str, Any]:
    """A plan of one action of three steps (one due before the report's as-of date, 30 April 2023)."""
    return {
        "title": title,
        "target_kind": kind,
        "target_id": target,
        "priority": priority,
        "status": status,
        "starts_on": "2023-01-01",
        "measures": f"{title}: measured",
        "lead_name": f"Lead of {title}",
        "actions": [
            {
                "title": f"{title} action",
                "owner": f"Owner of {title}",
                "cost": "1200",
                "status": "in_progress",
                "steps": [
                    {"text": f"{title} first", "due_on": "2023-02-01", "owner": "Team manager"},
                    {"text": f"{title} second", "due_on": "2023-03-01", "status": "done"},
                    {"text": f"{title} third", "due_on": "2023-06-01", "owner": ""},
                ],
            }
        ],
        **more,
    }


def create(app: Flask, email: str, raw: dict[str, Any]) -> int:
    with app.app_context(), db.unit_of_work() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        row = session.scalars(select(Framework).where(Framework.slug == SLUG)).one()
        saved = service.create_plan(
            session, Actor(user.email, user.role, user.id), Principal.of(user), row, raw
        )
        return saved.plan.number


@pytest.fixture
def planned(
    app: Flask,
    framework: str,
    load_framework: Any,
    tiny_yaml: str,
    runner: Any,
    tmp_path: Any,
    make_user: Any,
) -> dict[str, int]:
    """The tiny framework with a survey whose standard is in the poor band, a missed KPI, and five plans:
    open ones of each priority (made green first, so number order is not priority order), one done, one
    dropped."""
    load_framework(tiny_yaml.replace("version: 1", "version: 2") + SURVEY)
    assert run_import(runner, tmp_path, "r.csv", rows(0, 12), "2022-23").exit_code == 0
    add_kpi_value(app, "statutory-share", "2022/23", date(2023, 3, 31), 60)
    lead, admin = make_user("lead"), make_user("admin")
    return {
        "green": create(app, lead, raw_plan("Green plan", "green", "draft", "outcome", "more-statutory")),
        "amber": create(app, admin, raw_plan("Amber plan", "amber", "agreed", "kpi", "statutory-share")),
        "red": create(
            app, lead, raw_plan("Red plan", "red", "in_progress", "outcome", "educators-supported")
        ),
        "done": create(app, lead, raw_plan("Done plan", "red", "done", "standard", "pe-survey/support")),
        "dropped": create(app, lead, raw_plan("Dropped plan", "green", "dropped", "outcome", "retention")),
    }


def expected_needed(app: Flask) -> list[tuple[str, str, str, str]]:
    """What tracker.plans.reading.plans_needed gives, as the report's table should show it."""
    with app.app_context():
        rated = ratings_for(db.session, SLUG, for_report=True)
        assert rated is not None
        plans = plan_blocks.read_plans(db.session, rated)
        owed = reading.plans_needed(rated, plans, survey_service.report_blocks(db.session, SLUG))
        chosen = reading.labels(rated.framework)
    return [
        (
            TARGET_KIND_LABELS[o.kind],
            f"{chosen[(o.kind, o.target_id)].label} ({chosen[(o.kind, o.target_id)].theme})",
            sentence(o.reason),
            f"Draft plan {o.draft}" if o.draft else "None yet",
        )
        for o in owed
    ]


def saved_on(app: Flask, number: int) -> str:
    with app.app_context():
        moment = db.session.scalars(select(ActionPlan.updated_at).where(ActionPlan.number == number)).one()
    return long_date(moment.date())


def open_plans(page: Page) -> list[dict[str, Any]]:
    found = []
    for article in page.all("section#plans article.plan"):
        assert article.h4 is not None
        priority = article.select_one("span.priority")
        assert priority is not None
        found.append(
            {
                "heading": text_of(article.h4),
                "priority": (priority["class"], text_of(priority)),
                "facts": {text_of(d.dt): text_of(d.dd) for d in article.select("dl.plan-facts > div")},
                "steps": page.rows(table=article.select_one("table.plan-steps")),
            }
        )
    return found


def check_the_section(
    app: Flask, page: Page, planned: dict[str, int], needed: list[tuple[str, str, str, str]]
) -> None:
    assert "#plans" in page.hrefs("nav.toc a")
    plans = open_plans(page)
    n = planned
    assert [p["heading"] for p in plans] == [
        f"Plan {n['red']}: Red plan",
        f"Plan {n['amber']}: Amber plan",
        f"Plan {n['green']}: Green plan",
    ]
    assert [p["priority"] for p in plans] == [
        (["priority", "priority-red"], "Red: high priority"),
        (["priority", "priority-amber"], "Amber: medium priority"),
        (["priority", "priority-green"], "Green: low priority"),
    ]
    red = plans[0]
    assert red["facts"] == {
        "Target": "Outcome Practice educators feel supported (Student placements)",
        "Partner": "Tiny Council",
        "Lead": "Lead of Red plan",
        "Steps done": "1 of 3; 1 overdue",
        "Total cost": "£1,200",
    }
    assert plans[1]["facts"]["Partner"] == "Framework-wide"  # an admin's plan
    for plan, title in zip(plans, ("Red plan", "Amber plan", "Green plan"), strict=True):
        assert plan["steps"] == [
            [f"{title} first ({title} action)", "1 February 2023 overdue", "Team manager", "Not started"],
            [f"{title} third ({title} action)", "1 June 2023", f"Owner of {title}", "Not started"],
        ]
    n = planned
    assert page.texts("section#plans ul.plans-closed li") == [
        f"Plan {n['done']}: Done plan (Survey standard: Feeling supported): done, 1 of 3 steps done; "
        f"last saved {saved_on(app, n['done'])}.",
        f"Plan {n['dropped']}: Dropped plan (Outcome: Graduates stay in the region): dropped, 1 of 3 steps "
        f"done; last saved {saved_on(app, n['dropped'])}.",
    ]
    shown_needed = page.rows("Targets that need a plan")
    assert shown_needed == [[f"{kind} {text}", reason, plan] for kind, text, reason, plan in needed]


def test_the_report_lists_every_open_plan_by_priority_with_next_steps_and_owners(
    app: Flask, planned: dict[str, int], as_role: Any
) -> None:
    needed = expected_needed(app)
    assert [(kind, text, plan) for kind, text, _why, plan in needed] == [
        (
            "Outcome",
            "More students have statutory placements (Student placements)",
            f"Draft plan {planned['green']}",
        ),
        ("Survey standard", "Feeling supported (Practice educator survey)", "None yet"),  # its plan is done
    ]  # the KPI was missed, but its plan is agreed; the red plan's outcome is answered
    with app.app_context():
        rated = ratings_for(db.session, SLUG, for_report=True)
        assert rated is not None and [k.status for k in rated.kpis] == ["missed"]
    page = Page.of(as_role("board").get(f"/f/{SLUG}/report"), 200)
    check_the_section(app, page, planned, needed)
    n = planned
    assert page.hrefs("section#plans article.plan h4 a") == [
        f"/f/{SLUG}/plans/{n['red']}",
        f"/f/{SLUG}/plans/{n['amber']}",
        f"/f/{SLUG}/plans/{n['green']}",
    ]  # the web page links each plan to its page (the PDF names it)
    assert page.hrefs("table.plans-needed a") == [f"/f/{SLUG}/plans/{n['green']}"]  # the draft


def test_the_pdf_draws_the_same_section(app: Flask, planned: dict[str, int]) -> None:
    with app.app_context(), app.test_request_context():
        rated = ratings_for(db.session, SLUG, for_report=True)
        assert rated is not None
        model = report_model.build(
            rated,
            datetime.now(UTC),
            survey_service.report_blocks(db.session, SLUG),
            plans=plan_blocks.read_plans(db.session, rated),
        )
        html = render_html(model, for_pdf=True)
    check_the_section(app, Page(html), planned, expected_needed(app))
    pdf = render_in_process(html, static_dir()).pdf
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for words in (
        "Action plans",
        "Needs a plan",
        f"Plan {planned['red']}: Red plan",
        "Red: high priority",
        "overdue",
    ):
        assert words in text


def test_a_plan_change_changes_the_pdf_cache_key(app: Flask, planned: dict[str, int], make_user: Any) -> None:
    def key() -> str:
        with app.app_context():
            rated = ratings_for(db.session, SLUG, for_report=True)
            assert rated is not None
            plans = plan_blocks.read_plans(db.session, rated)
            return model_fingerprint(report_model.build(rated, datetime.now(UTC), plans=plans))

    before = key()
    assert key() == before
    admin = make_user("admin")
    with app.app_context(), db.unit_of_work() as session:
        user = session.scalars(select(User).where(User.email == admin)).one()
        row = session.scalars(select(Framework).where(Framework.slug == SLUG)).one()
        plan = reading.plan_by_number(session, row, planned["amber"])
        assert plan is not None
        changed = raw_plan("Amber plan", "amber", "agreed", "kpi", "statutory-share")
        changed["actions"][0]["steps"][0]["status"] = "done"
        actor = Actor(user.email, user.role, user.id)
        service.update_plan(session, actor, Principal.of(user), row, plan, changed, seen_revision=1)
    assert key() != before


def test_the_report_reads_as_many_statements_for_many_plans_as_for_one(
    app: Flask, framework: str, make_user: Any, as_role: Any
) -> None:
    lead, admin = make_user("lead"), make_user("admin")
    with app.app_context():
        lead_id = db.session.scalars(select(User.id).where(User.email == lead)).one()
    client = as_role("board")
    counts = []
    for extra in (1, 8):
        for n in range(extra):
            who = admin if n % 2 else lead  # a partner's plans and framework-wide ones, led by a user
            create(app, who, raw_plan(f"Plan {n}", ("red", "amber", "green")[n % 3], "agreed", "outcome",
                                      "educators-supported", lead_user_id=str(lead_id)))  # fmt: skip
        client.get(f"/f/{SLUG}/report")
        with app.app_context():
            engine = db.engine
        with count_statements(engine) as counter:
            page = Page.of(client.get(f"/f/{SLUG}/report"), 200)
        counts.append(counter.count)
        assert len(page.all("section#plans article.plan")) == {1: 1, 8: 9}[extra]
    assert counts[0] == counts[1]

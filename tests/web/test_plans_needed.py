"""The dashboard's "needs a plan" list (issue 20): exactly the targets the rule selects, with a way to start
(or continue) a plan for those who may write one, in a bounded number of statements."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask

from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services import surveys as survey_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..integration.test_surveys_flow import SURVEY
from ..page import Page
from ..querycount import count_statements
from .plan_forms import SLUG, make_plan

DASHBOARD = f"/f/{SLUG}/dashboard"
PLANS = f"/f/{SLUG}/plans"


def survey_rows(answer: str) -> bytes:
    lines = ["respondent,employer,q1,q2"] + [f"R{i},council,{answer},{answer}" for i in range(12)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def below_the_line(app: Flask, framework: str, load_framework: Any, tiny_yaml: str, as_role: Any) -> Flask:
    """Tiny, with a survey whose standard is in the poor band and a KPI that missed its target."""
    two_partners = tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(two_partners.replace("version: 1", "version: 2") + SURVEY)
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, SLUG)
        assert ctx is not None
        result = survey_service.import_round(
            session, Actor("test", "admin"), Principal(None, "test", "admin", None), ctx, "pe-survey",
            "2022-23", survey_rows("Strongly disagree"), collected_on=date(2023, 3, 1),
        )  # fmt: skip
        assert result.ok, result.problems
    missed = {"kpi": "statutory-share", "period": "2022/23", "period_end": "2023-03-31", "value": "70"}
    assert as_role("admin").post(f"/f/{SLUG}/kpis", data=missed).status_code == 302
    return app


def needed(page: Page) -> list[list[str]]:
    return page.rows("Targets that need an action plan, and why")


STATUTORY = "Outcome: More students have statutory placements (Student placements)"
EDUCATORS = "Outcome: Practice educators feel supported (Student placements)"
KPI = "KPI: Share of placements that are statutory (Student placements)"
STANDARD = "Survey standard: Feeling supported (Practice educator survey)"


def test_the_list_is_exactly_the_targets_below_the_line_without_an_agreed_plan(
    below_the_line: Flask, as_role: Any, make_user: Any
) -> None:
    app = below_the_line
    lead = as_role("lead")
    page = Page.of(lead.get(DASHBOARD), 200)
    assert [row[:2] for row in needed(page)] == [
        [STATUTORY, "Rated No evidence of progress made"],
        [EDUCATORS, "Rated No evidence of progress made"],
        [KPI, "KPI target missed"],
        [STANDARD, "Survey result in the poor (red) band"],
    ]
    assert page.links(".plans-needed td a.button") == [
        (
            "Start a plan for More students have statutory placements",
            f"{PLANS}/new?kind=outcome&target=more-statutory",
        ),
        (
            "Start a plan for Practice educators feel supported",
            f"{PLANS}/new?kind=outcome&target=educators-supported",
        ),
        (
            "Start a plan for Share of placements that are statutory",
            f"{PLANS}/new?kind=kpi&target=statutory-share",
        ),
        ("Start a plan for Feeling supported", f"{PLANS}/new?kind=standard&target=pe-survey/support"),
    ]
    started = Page.of(lead.get(page.hrefs(".plans-needed td a.button")[3]), 200)
    assert started.value("target") == "standard:pe-survey/support"

    # An agreed plan answers its target; a draft does not (the list points to it); nor does a finished or
    # a dropped plan, as the target is still below the line.
    owner = make_user("lead")
    make_plan(app, owner)  # 1: agreed, for the educators outcome
    make_plan(app, owner, status="draft", target_kind="kpi", target_id="statutory-share")  # 2
    make_plan(app, owner, status="done", target_kind="standard", target_id="pe-survey/support")  # 3
    make_plan(app, owner, status="dropped", target_kind="outcome", target_id="more-statutory")  # 4
    page = Page.of(lead.get(DASHBOARD), 200)
    assert needed(page) == [
        [
            STATUTORY,
            "Rated No evidence of progress made",
            "Start a plan for More students have statutory placements",
        ],
        [KPI, "KPI target missed", "Continue the draft plan 2"],
        [STANDARD, "Survey result in the poor (red) band", "Start a plan for Feeling supported"],
    ]
    assert page.links(".plans-needed td a")[1] == ("Continue the draft plan 2", f"{PLANS}/2/edit")
    # Another partner's lead may start their own plan but not continue Tiny Council's draft: they read it.
    other = Page.of(as_role("lead", partner="other-council").get(DASHBOARD), 200)
    assert other.links(".plans-needed td a")[1] == ("Draft plan 2", f"{PLANS}/2")
    assert len(other.all(".plans-needed td a.button")) == 2
    # Readers see the list, without buttons.
    for role in ("board", "evaluator"):
        read = Page.of(as_role(role).get(DASHBOARD), 200)
        assert [row[:2] for row in needed(read)] == [row[:2] for row in needed(page)]
        assert read.all(".plans-needed a.button") == []
        assert [row[2] for row in needed(read)] == ["None yet", "Draft plan 2", "None yet"]


def test_nothing_below_the_line_says_so(as_role: Any) -> None:
    page = Page.of(as_role("board").get(DASHBOARD + "?as_of=2022-01-01"), 200)
    assert needed(page)[0][0] == "Outcome: More students have statutory placements (Student placements)"
    make = as_role("admin")
    for outcome in ("more-statutory", "educators-supported"):
        data = {
            "title": "x", "target": f"outcome:{outcome}", "priority": "red", "status": "in_progress",
            "starts_on": "2024-01-01", "lead_name": "Someone",
        }  # fmt: skip
        assert make.post(f"{PLANS}/new", data=data).status_code == 302
    page = Page.of(as_role("board").get(DASHBOARD), 200)
    assert page.text(".plans-needed p").startswith("Nothing needs a plan")


def test_a_repeat_view_reads_plans_and_rounds_only_and_plans_cost_no_more_statements(
    below_the_line: Flask, as_role: Any, make_user: Any
) -> None:
    app = below_the_line
    board = as_role("board")
    board.get(DASHBOARD)
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as again:
        assert board.get(DASHBOARD).status_code == 200
    statements = [" ".join(s.split()) for s in again.statements]
    assert not any("rating_snapshot" in s or "survey_response" in s for s in statements)  # kept, not read
    assert sum("FROM action_plan" in s for s in statements) == 1
    assert sum("FROM survey_round" in s for s in statements) == 1
    owner = make_user("lead")
    for n in range(5):
        make_plan(app, owner, status="draft", title=f"Plan {n}")
    with count_statements(engine) as more:
        page = Page.of(board.get(DASHBOARD), 200)
    assert more.count == again.count, (again.statements, more.statements)
    assert "Draft plan 5" in page.text(".plans-needed")

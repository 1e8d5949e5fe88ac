"""The action plan's checks (issue 20), field by field, as tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tracker.domain.action_plans import PlanContent, Targets, check_plan, parse_cost
from tracker.domain.plan_prompts import PlanOwed, needing_plans, prompting_targets

TARGETS = Targets(outcomes={"o1", "o2"}, kpis={"k1"}, standards={"hc/s3"}, users={7})


def step(text: str = "Draft the brief", due: str = "2024-07-01", **more: str) -> dict[str, str]:
    return {"text": text, "due_on": due, "owner": "", "status": "not_started", **more}


def action(title: str = "Review caseloads", steps: int = 3, **more: Any) -> dict[str, Any]:
    return {
        "title": title,
        "owner": "Head of service",
        "cost": "",
        "status": "not_started",
        "steps": [step(f"Step {i}") for i in range(1, steps + 1)],
        **more,
    }


def plan(**more: Any) -> dict[str, Any]:
    return {
        "title": "Safe workloads",
        "target_kind": "standard",
        "target_id": "hc/s3",
        "priority": "red",
        "status": "draft",
        "starts_on": "2024-06-01",
        "measures": "Standard 3 at 75 or more",
        "lead_name": "Principal social worker",
        "actions": [action(), action("Second"), action("Third")],
        **more,
    }


def test_a_full_plan_of_three_actions_of_three_steps_is_accepted_and_round_trips() -> None:
    content, problems = check_plan(plan(), TARGETS)
    assert problems == ()
    assert content is not None
    assert [len(a.steps) for a in content.actions] == [3, 3, 3]
    assert PlanContent.from_dict(content.as_dict()) == content


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"actions": [action(), action(), action(), action("Fourth")]}, "actions", "at most 3 actions"),
        ({"actions": [action(steps=4)]}, "actions-1-steps", "at most 3 steps"),
        (
            {"actions": [action(steps=1) | {"steps": [step(due="2024-05-31")]}]},
            "actions-1-steps-1-due_on",
            "before the plan starts (2024-06-01)",
        ),
        ({"actions": [action(cost="lots")]}, "actions-1-cost", "not an amount of money"),
        ({"actions": [action(cost="-5")]}, "actions-1-cost", "not an amount of money"),
        ({"target_id": "nowhere"}, "target_id", "no survey standard 'nowhere'"),
        ({"target_kind": "outcome", "target_id": "k1"}, "target_id", "no outcome 'k1'"),
        ({"target_kind": "aim"}, "target_kind", "an outcome, a KPI or a standard"),
        ({"priority": "purple"}, "priority", "red, amber, green"),
        ({"status": "finished"}, "status", "draft, agreed"),
        ({"starts_on": "June"}, "starts_on", "YYYY-MM-DD"),
        ({"title": " "}, "title", "title"),
        ({"lead_name": "", "lead_user_id": None}, "lead_name", "name the plan's lead"),
        ({"lead_user_id": "99"}, "lead_user_id", "choose a lead"),
        ({"measure_kpis": ["k9"]}, "measure_kpis", "no KPI 'k9'"),
        ({"actions": [action(title="")]}, "actions-1-title", "say what action 1 is"),
        (
            {"actions": [action(steps=1) | {"steps": [step(due="soon")]}]},
            "actions-1-steps-1-due_on",
            "YYYY-MM-DD",
        ),
        (
            {"actions": [action(steps=1) | {"steps": [step(status="half")]}]},
            "actions-1-steps-1-status",
            "one of",
        ),
        ({"title": "x" * 301}, "title", "at most 300 characters"),
    ],
)
def test_each_problem_is_located_at_its_field(change: dict[str, Any], field: str, words: str) -> None:
    content, problems = check_plan(plan(**change), TARGETS)
    assert content is None
    assert field in {p.field for p in problems}, problems
    assert any(words in p.message for p in problems if p.field == field), problems


def test_blank_slots_are_left_out_and_a_step_on_the_start_date_is_fine() -> None:
    blank = {"title": "", "owner": "", "cost": "", "status": "not_started", "steps": [step("", "")] * 3}
    raw = plan(actions=[action(steps=1) | {"steps": [step(due="2024-06-01")]}, blank, blank])
    content, problems = check_plan(raw, TARGETS)
    assert problems == () and content is not None
    assert len(content.actions) == 1 and content.actions[0].steps[0].due_on == date(2024, 6, 1)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1200", Decimal("1200.00")),
        ("1,200.50", Decimal("1200.50")),
        ("£300", Decimal("300.00")),
        ("0", Decimal("0.00")),
        ("", None),
    ],
)
def test_costs_are_pounds(text: str, value: Decimal | None) -> None:
    assert parse_cost(text) == (value, "")


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        ("not_started", "2024-06-30", True),
        ("in_progress", "2024-06-30", True),
        ("done", "2024-06-30", False),
        ("dropped", "2024-06-30", False),
        ("not_started", "2024-07-01", False),
        ("not_started", "", False),
    ],
)
def test_a_step_is_overdue_when_past_due_and_unfinished(status: str, due: str, overdue: bool) -> None:
    content, _ = check_plan(
        plan(actions=[action(steps=1) | {"steps": [step(due=due, status=status)]}]), TARGETS
    )
    assert content is not None
    assert bool(content.overdue_steps(date(2024, 7, 1))) is overdue


OUTCOMES = [
    ("o-strong", "strong"),
    ("o-some", "some"),
    ("o-ins", "insufficient"),
    ("o-none", "none"),
    ("o-later", "not_yet"),
]
KPIS = [
    ("k-met", "met"),
    ("k-partly", "partly_met"),
    ("k-missed", "missed"),
    ("k-nodata", "no_data"),
    ("k-early", "too_early"),
    ("k-notarget", "no_target"),
]
STANDARDS = [("hc/s1", "good"), ("hc/s2", "moderate"), ("hc/s3", "poor"), ("hc/s4", None)]
BELOW_THE_LINE = [
    ("outcome", "o-ins", "insufficient"),
    ("outcome", "o-none", "none"),
    ("kpi", "k-missed", "missed"),
    ("standard", "hc/s3", "poor"),
]


@pytest.mark.parametrize(
    ("plans", "expected"),
    [
        ([], [(k, t, c, None) for k, t, c in BELOW_THE_LINE]),
        # An agreed or running plan answers its target; a draft names itself; done or dropped do not answer.
        ([("outcome", "o-ins", "agreed", 1)], [(k, t, c, None) for k, t, c in BELOW_THE_LINE[1:]]),
        (
            [("kpi", "k-missed", "in_progress", 2)],
            [(k, t, c, None) for k, t, c in BELOW_THE_LINE if t != "k-missed"],
        ),
        (
            [("standard", "hc/s3", "draft", 4), ("standard", "hc/s3", "draft", 6)],
            [(k, t, c, 6 if t == "hc/s3" else None) for k, t, c in BELOW_THE_LINE],
        ),
        (
            [("outcome", "o-none", "done", 3), ("outcome", "o-none", "dropped", 5)],
            [(k, t, c, None) for k, t, c in BELOW_THE_LINE],
        ),
        # A plan for a target above the line changes nothing.
        ([("outcome", "o-strong", "agreed", 1)], [(k, t, c, None) for k, t, c in BELOW_THE_LINE]),
    ],
)
def test_needs_a_plan_is_exactly_the_targets_below_the_line_without_an_agreed_plan(
    plans: list[tuple[str, str, str, int]], expected: list[tuple[str, str, str, int | None]]
) -> None:
    owed = needing_plans(OUTCOMES, KPIS, STANDARDS, plans)
    assert owed == tuple(PlanOwed(*row) for row in expected)


def test_only_the_plans_of_the_prompting_targets_are_needed_to_find_what_needs_a_plan() -> None:
    """The dashboard reads only the plans of `prompting_targets`: leaving out every other plan changes nothing."""
    wanted = prompting_targets(OUTCOMES, KPIS, STANDARDS)
    assert wanted == {(kind, target) for kind, target, _code in BELOW_THE_LINE}
    plans = [
        ("outcome", "o-strong", "agreed", 1),
        ("outcome", "o-ins", "agreed", 2),
        ("kpi", "k-missed", "draft", 3),
        ("kpi", "k-met", "draft", 4),
        ("standard", "hc/s1", "in_progress", 5),
    ]
    kept = [p for p in plans if (p[0], p[1]) in wanted]
    assert kept == plans[1:3]
    assert needing_plans(OUTCOMES, KPIS, STANDARDS, kept) == needing_plans(OUTCOMES, KPIS, STANDARDS, plans)
    assert prompting_targets([], [], []) == frozenset()


def test_an_undated_step_is_kept_never_overdue_and_listed_after_dated_ones() -> None:
    raw = plan(
        actions=[action(steps=1) | {"steps": [step("Undated", due=""), step("Dated", due="2024-09-01")]}]
    )
    content, problems = check_plan(raw, TARGETS)
    assert problems == () and content is not None
    assert [s.due_on for s in content.actions[0].steps] == [None, date(2024, 9, 1)]
    assert [e[3].text for e in content.next_steps(date(2025, 1, 1))] == ["Dated", "Undated"]
    assert PlanContent.from_dict(content.as_dict()) == content

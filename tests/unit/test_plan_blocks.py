"""The report's action plan blocks (issue 20) from plain values: order, next steps, owners, overdue, lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tracker.domain.action_plans import PlanAction, PlanContent, PlanStep
from tracker.domain.framework import Framework
from tracker.domain.loader import parse_framework
from tracker.domain.plan_prompts import PlanOwed
from tracker.plans.reading import ShownPlan
from tracker.reports.plan_blocks import FRAMEWORK_WIDE, StepLine, Target, section

from ..conftest import REPO

AS_OF = date(2023, 4, 30)


@pytest.fixture(scope="module")
def tiny() -> Framework:
    text = (REPO / "tests" / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
    result = parse_framework(text, "tiny.yaml")
    assert result.framework is not None
    return result.framework


def shown(
    number: int,
    priority: str = "red",
    status: str = "agreed",
    actions: tuple[PlanAction, ...] = (),
    *,
    kind: str = "outcome",
    target: str = "educators-supported",
    partner: str = "Tiny Council",
    **more: object,
) -> ShownPlan:
    content = PlanContent(
        title=f"Plan of {number}",
        target_kind=kind,
        target_id=target,
        priority=priority,
        status=status,
        starts_on=date(2023, 1, 1),
        actions=actions,
        **more,  # type: ignore[arg-type]
    )
    saved = datetime(2023, 3, 14, 9, 30, tzinfo=UTC)
    return ShownPlan(
        number, number, kind, target, "as stored", partner, None, "Ann Lead", content, 1, saved, saved
    )


STEPS = (
    PlanAction(
        "Review caseloads",
        owner="Head of service",
        cost=Decimal("1200"),
        steps=(
            PlanStep("Agree the brief", date(2023, 2, 1), "Team manager"),  # overdue
            PlanStep("Run the audit", date(2023, 3, 1), status="done"),
            PlanStep("Report to the board", date(2023, 6, 1)),  # the action's owner owns it
        ),
    ),
    PlanAction(
        "Protect time",
        cost=Decimal("300.50"),
        steps=(PlanStep("Write the policy", date(2023, 5, 1), "HR", "in_progress"),),
    ),
)


def test_open_plans_come_by_priority_with_their_next_steps_owners_and_overdue_in_words(
    tiny: Framework,
) -> None:
    plans = [
        shown(1, "green"),
        shown(2, "amber", "in_progress", kind="kpi", target="statutory-share"),
        shown(3, "red", "draft", STEPS, partner="", measure_kpis=("statutory-share",), measures="All seen"),
        shown(4, "red", "done", STEPS),
        shown(5, "amber", "dropped", kind="outcome", target="gone-outcome"),
    ]
    blocks = section(plans, (), AS_OF, tiny)
    assert [p.number for p in blocks.open] == [3, 2, 1]
    red = blocks.open[0]
    assert (red.priority, red.priority_label, red.status) == ("red", "Red: high priority", "Draft")
    assert red.partner == FRAMEWORK_WIDE and red.lead == "Ann Lead"
    assert red.target == Target("Outcome", "Practice educators feel supported", "Student placements")
    assert red.measures == "All seen" and red.measure_kpis == ("Share of placements that are statutory",)
    assert red.next_steps == (
        StepLine(
            "Agree the brief", "Review caseloads", "1 February 2023", "Team manager", "Not started", True
        ),
        StepLine("Write the policy", "Protect time", "1 May 2023", "HR", "In progress", False),
        StepLine(
            "Report to the board", "Review caseloads", "1 June 2023", "Head of service", "Not started", False
        ),
    )
    assert (red.steps_done, red.steps_total, red.overdue, red.cost) == (1, 4, 1, "£1,500.50")
    assert blocks.overdue == 1
    amber = blocks.open[1]
    assert amber.target == Target("KPI", "Share of placements that are statutory", "Student placements")
    assert amber.priority_label == "Amber: medium priority" and amber.cost == "" and amber.next_steps == ()
    assert [(c.number, c.status, c.steps_done, c.steps_total, c.saved) for c in blocks.closed] == [
        (4, "Done", 1, 4, "14 March 2023"),
        (5, "Dropped", 0, 0, "14 March 2023"),
    ]
    assert blocks.closed[1].target.text == "as stored"  # no longer in the framework: the stored label


@pytest.mark.parametrize(
    ("costs", "shown_as"),
    [((), ""), ((Decimal("1200"),), "£1,200"), ((Decimal("1200"), Decimal("0.5")), "£1,200.50")],
)
def test_the_total_cost_is_money_with_pence_only_when_there_are_any(
    tiny: Framework, costs: tuple[Decimal, ...], shown_as: str
) -> None:
    actions = tuple(PlanAction(f"Action {n}", cost=c) for n, c in enumerate(costs))
    (block,) = section([shown(1, actions=actions)], (), AS_OF, tiny).open
    assert block.cost == shown_as


def test_the_needed_list_keeps_the_rules_order_with_words_and_any_draft(tiny: Framework) -> None:
    owed = (
        PlanOwed("outcome", "more-statutory", "none", draft=7),
        PlanOwed("kpi", "statutory-share", "missed"),
    )
    needed = section((), owed, AS_OF, tiny).needed
    assert [(n.target.kind, n.target.text, n.reason, n.draft) for n in needed] == [
        ("Outcome", "More students have statutory placements", "rated No evidence of progress made", 7),
        ("KPI", "Share of placements that are statutory", "KPI target missed", None),
    ]


def test_a_step_with_no_date_is_never_overdue_and_comes_after_the_dated_ones(tiny: Framework) -> None:
    undated = PlanAction(
        "Protect time",
        owner="HR",
        steps=(PlanStep("Agree the policy", None), PlanStep("Brief the teams", date(2023, 1, 15))),
    )
    (block,) = section([shown(1, actions=(undated,))], (), AS_OF, tiny).open
    assert [(s.text, s.due, s.overdue) for s in block.next_steps] == [
        ("Brief the teams", "15 January 2023", True),
        ("Agree the policy", "no date yet", False),
    ]
    assert block.overdue == 1

"""End to end in headless Chromium (issue 20): a lead starts a plan from the dashboard's "needs a plan" list
with three actions of three steps, edits it, marks its steps done, moves it to in progress and closes it.

axe checks the dashboard's list, the plan form (empty, and with errors), the plan page, a revision and the
plan list; serious and critical violations fail the test at the end, all of them reported together.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from .test_evidence_journey import Accessibility, sign_in, sign_out

pytestmark = pytest.mark.browser

FRAMEWORK = "tiny-partnership"
PLANS = f"/f/{FRAMEWORK}/plans"
TITLE = "Statutory placements for every student"
SHOTS = Path("/tmp/plan-screenshots")  # where a person looks at them after a run (not kept in the repo)


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def fill_actions(page: Any, cost_of_action_2: str = "2,000") -> None:
    """Three actions of three steps, every field typed as a person would."""
    for a in (1, 2, 3):
        action = page.get_by_role("group", name=f"Action {a}", exact=True)
        action.get_by_label("What will be done").fill(f"Action {a}: agree placements with team {a}")
        action.get_by_label("Lead officer").fill(f"Team manager {a}")
        action.get_by_label("Cost").fill(cost_of_action_2 if a == 2 else f"{a},000")
        for s in (1, 2, 3):
            step = action.get_by_role("group", name=f"Step {s}", exact=True)
            step.get_by_label("What the step is").fill(f"Step {s} of action {a}")
            step.get_by_label("Due on").fill(f"2024-0{6 + s}-1{a}")
            step.get_by_label("Owner").fill(f"Officer {s}")


def set_statuses(page: Any, plan_status: str, done_steps: set[tuple[int, int]]) -> None:
    page.get_by_label("Status", exact=True).first.select_option(label=plan_status)
    for a, s in done_steps:
        step = page.get_by_role("group", name=f"Action {a}", exact=True).get_by_role(
            "group", name=f"Step {s}", exact=True
        )
        step.get_by_label("Status").select_option(label="Done")


def save(page: Any, flash: str) -> None:
    expect = _expect()
    page.get_by_role("button", name="Save plan").click()
    expect(page).to_have_url(re.compile(rf"{PLANS}/1(#[-a-z0-9]+)?$"))  # a link followed keeps its #
    expect(page.get_by_text(flash)).to_be_visible()


def test_a_lead_creates_progresses_and_closes_a_plan(
    new_page: Any, make_user: Any, framework: str, tmp_path: Path
) -> None:
    expect = _expect()
    lead = make_user("lead", partner="tiny-council", email="lead@tiny-council.example.org")
    a11y = Accessibility()
    page = new_page()
    sign_in(page, lead)

    # The dashboard says what needs a plan; the lead starts one for the statutory placements outcome.
    page.goto(f"/f/{FRAMEWORK}/dashboard")
    needed = page.get_by_role("region", name="Needs a plan")
    expect(needed).to_contain_text("More students have statutory placements")
    a11y.check(page, "dashboard with its needs-a-plan list")
    needed.screenshot(path=str(tmp_path / "needs-a-plan.png"))
    needed.get_by_role("link", name="Start a plan for More students have statutory placements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start an action plan")
    expect(page.get_by_label("What it addresses")).to_have_value("outcome:more-statutory")
    expect(page.get_by_label("Measures of success")).to_have_value(
        re.compile(r"^What would raise the rating:")
    )
    a11y.check(page, "plan form (new, prefilled)")

    # A cost that is not money: the error is at its field and in the summary; nothing is saved.
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_role("radio", name="Red: high priority").check()
    page.get_by_label("Starts on").fill("2024-06-01")
    fill_actions(page, cost_of_action_2="about two grand")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Action 2, cost: 'about two grand' is not an amount")
    expect(page).to_have_title(re.compile(r"^Error: Start an action plan"))
    cost = page.get_by_role("group", name="Action 2", exact=True).get_by_label("Cost")
    expect(cost).to_have_attribute("aria-invalid", "true")
    a11y.check(page, "plan form with errors")
    page.get_by_role("link", name=re.compile(r"Action 2, cost")).click()
    expect(cost).to_be_focused()
    cost.fill("2,000")
    expect(
        page.get_by_role("group", name="Action 3", exact=True).get_by_label("What will be done")
    ).to_have_value("Action 3: agree placements with team 3")
    page.screenshot(path=str(tmp_path / "plan-form.png"), full_page=True)
    save(page, "Plan 1 is saved (draft).")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Plan 1: {TITLE}")
    expect(page.locator(".plan-facts div").filter(has_text="Total cost")).to_contain_text("£6,000.00")
    for a in (1, 2, 3):
        expect(page.get_by_role("table", name=f"Steps of action {a}").get_by_role("row")).to_have_count(4)
    expect(page.locator("#overdue-notice")).to_have_text("Overdue: 9 steps past their due date and not done.")
    page.screenshot(path=str(tmp_path / "plan-page.png"), full_page=True)
    a11y.check(page, "plan page (draft, every step overdue)")

    # Agreed, then under way with action 1 done, then closed with every step done.
    page.get_by_role("link", name="Edit this plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit plan 1: {TITLE}")
    a11y.check(page, "plan form (edit)")
    page.get_by_label("Title", exact=True).fill(f"{TITLE} by March")
    set_statuses(page, "Agreed", set())
    save(page, "Plan 1 is saved: revision 2 (status Draft → Agreed).")
    page.get_by_role("link", name="Edit this plan").click()
    set_statuses(page, "In progress", {(1, 1), (1, 2), (1, 3)})
    save(page, "Plan 1 is saved: revision 3 (status Agreed → In progress; steps done 0 → 3).")
    expect(page.locator("#overdue-notice")).to_have_text("Overdue: 6 steps past their due date and not done.")
    page.goto(PLANS)
    expect(page.get_by_role("table", name="Open plans by priority, with their next steps")).to_contain_text(
        f"1. {TITLE} by March"
    )
    a11y.check(page, "plan list (one open plan)")
    page.screenshot(path=str(tmp_path / "plan-list.png"), full_page=True)
    page.get_by_role("link", name=f"1. {TITLE} by March").click()
    page.get_by_role("link", name="Edit this plan").click()
    set_statuses(page, "Done", {(a, s) for a in (2, 3) for s in (1, 2, 3)})
    save(page, "Plan 1 is saved: revision 4 (status In progress → Done; steps done 3 → 9).")
    expect(page.locator("#overdue-notice")).to_have_count(0)
    expect(page.get_by_role("main").get_by_text("Overdue")).to_have_count(0)
    history = page.get_by_role("table", name="Every revision of plan 1, newest first")
    expect(history.get_by_role("row")).to_have_count(5)
    a11y.check(page, "plan page (done)")
    history.get_by_role("link", name="Revision 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Plan 1: {TITLE} (revision 1)")
    a11y.check(page, "plan revision 1")

    page.goto(PLANS)
    expect(page.get_by_text("No plan is open.")).to_be_visible()
    expect(page.locator(".plan-closed")).to_contain_text(f"1. {TITLE} by March · Done")
    a11y.check(page, "plan list (closed plan)")
    page.goto(f"/f/{FRAMEWORK}/dashboard")
    expect(page.get_by_role("region", name="Needs a plan")).to_contain_text(
        "More students have statutory placements"  # a finished plan does not answer a target still below
    )
    sign_out(page)

    SHOTS.mkdir(exist_ok=True)
    for name in ("plan-form.png", "plan-page.png", "plan-list.png", "needs-a-plan.png"):
        shutil.copy(tmp_path / name, SHOTS / name)
    a11y.assert_clean()

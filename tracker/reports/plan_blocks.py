"""The report's action plans (issue 20) as plain blocks: open plans with their next steps, the rest in a
line, and the targets that still need a plan; the web page and the PDF draw the same blocks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from tracker.db.models import Framework as FrameworkRow
from tracker.domain.action_plans import (
    PLAN_STATUS_LABELS,
    PRIORITY_LABELS,
    TARGET_KIND_LABELS,
    WORK_STATUS_LABELS,
    PlanAction,
    PlanStep,
)
from tracker.domain.formats import long_date, money
from tracker.domain.framework import Framework
from tracker.domain.plan_prompts import PlanOwed
from tracker.plans.reading import ShownPlan, labels, order, plans_needed, plans_of
from tracker.plans.targets import TargetChoice
from tracker.ratings.rating_set import RatingSet
from tracker.services.surveys import LatestRound

FRAMEWORK_WIDE = "Framework-wide"
NO_DATE = "no date yet"  # a step whose source gives no date: never overdue, listed after dated ones


@dataclass(frozen=True)
class StepLine:
    """One next step as a board reads it: what, by when, who, and whether it is overdue."""

    text: str
    action: str  # the action the step belongs to
    due: str  # its date in words, or NO_DATE
    owner: str  # the step's owner, or else its action's
    status: str
    overdue: bool


@dataclass(frozen=True)
class Target:
    """What a plan addresses, in words: its kind, its text and where it sits (theme or survey)."""

    kind: str
    text: str
    where: str


@dataclass(frozen=True)
class OpenPlan:
    number: int
    title: str
    target: Target
    partner: str
    lead: str
    priority: str  # red, amber or green: the colour class, always shown with `priority_label`
    priority_label: str
    status: str
    measures: str
    measure_kpis: tuple[str, ...]  # the names of the KPIs it expects to move
    next_steps: tuple[StepLine, ...]
    steps_done: int
    steps_total: int
    overdue: int  # overdue steps, next or not
    cost: str  # the actions' total cost, or "" when none is given


@dataclass(frozen=True)
class ClosedPlan:
    """A done or dropped plan in one line."""

    number: int
    title: str
    target: Target
    status: str
    steps_done: int
    steps_total: int
    saved: str  # when its last revision was saved


@dataclass(frozen=True)
class PlanNeeded:
    target: Target
    reason: str
    draft: int | None  # the number of a draft plan for it


@dataclass(frozen=True)
class PlanSection:
    open: tuple[OpenPlan, ...]  # red, amber, green, then by number
    closed: tuple[ClosedPlan, ...]
    needed: tuple[PlanNeeded, ...]  # tracker.plans.reading.plans_needed, in the framework's order

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.open)


def read_plans(session: Session, rated: RatingSet) -> tuple[ShownPlan, ...]:
    """The framework's plans for its report (a fixed number of statements however many plans there are)."""
    row = session.get(FrameworkRow, rated.framework_id)
    return () if row is None else plans_of(session, row, rated.framework)


def plan_section(rated: RatingSet, plans: Sequence[ShownPlan], surveys: Sequence[LatestRound]) -> PlanSection:
    """The report's section from the plans read beside the ratings (`read_plans`) and the surveys' rounds."""
    return section(plans, plans_needed(rated, plans, surveys), rated.as_of, rated.framework)


def section(plans: Sequence[ShownPlan], owed: Sequence[PlanOwed], as_of: date, f: Framework) -> PlanSection:
    """The blocks from plain values: `as_of` decides which steps are overdue."""
    chosen = labels(f)
    kpi_names = {k.id: k.name for t in f.themes for k in t.kpis}
    ordered = sorted(plans, key=order)
    return PlanSection(
        open=tuple(_open(p, as_of, chosen, kpi_names) for p in ordered if p.is_open),
        closed=tuple(_closed(p, chosen) for p in ordered if not p.is_open),
        needed=tuple(PlanNeeded(_target(o.kind, o.target_id, chosen, ""), o.reason, o.draft) for o in owed),
    )


def _target(kind: str, target_id: str, chosen: Mapping[tuple[str, str], TargetChoice], label: str) -> Target:
    found = chosen.get((kind, target_id))
    text = found.label if found else label or f"{target_id} (no longer in the framework)"
    return Target(TARGET_KIND_LABELS.get(kind, kind), text, found.theme if found else "")


def _step(action: PlanAction, step: PlanStep, as_of: date) -> StepLine:
    return StepLine(
        text=step.text,
        action=action.title,
        due=long_date(step.due_on) if step.due_on else NO_DATE,
        owner=step.owner or action.owner,
        status=WORK_STATUS_LABELS.get(step.status, step.status),
        overdue=step.overdue(as_of),
    )


def _cost(total: Decimal | None) -> str:
    if total is None:
        return ""
    return money(float(total), pence=total != total.to_integral_value())


def _steps(plan: ShownPlan) -> tuple[PlanStep, ...]:
    return tuple(step for action in plan.content.actions for step in action.steps)


def _open(
    plan: ShownPlan,
    as_of: date,
    chosen: Mapping[tuple[str, str], TargetChoice],
    kpi_names: Mapping[str, str],
) -> OpenPlan:
    content = plan.content
    steps = _steps(plan)
    return OpenPlan(
        number=plan.number,
        title=content.title,
        target=_target(plan.target_kind, plan.target_id, chosen, plan.target_label),
        partner=plan.partner or FRAMEWORK_WIDE,
        lead=plan.lead,
        priority=plan.priority,
        priority_label=PRIORITY_LABELS.get(plan.priority, plan.priority),
        status=PLAN_STATUS_LABELS.get(plan.status, plan.status),
        measures=content.measures,
        measure_kpis=tuple(kpi_names.get(k, k) for k in content.measure_kpis),
        next_steps=tuple(_step(a, s, as_of) for _a, _s, a, s in content.next_steps(as_of)),
        steps_done=sum(s.status == "done" for s in steps),
        steps_total=len(steps),
        overdue=sum(s.overdue(as_of) for s in steps),
        cost=_cost(content.total_cost),
    )


def _closed(plan: ShownPlan, chosen: Mapping[tuple[str, str], TargetChoice]) -> ClosedPlan:
    steps = _steps(plan)
    return ClosedPlan(
        number=plan.number,
        title=plan.content.title,
        target=_target(plan.target_kind, plan.target_id, chosen, plan.target_label),
        status=PLAN_STATUS_LABELS.get(plan.status, plan.status),
        steps_done=sum(s.status == "done" for s in steps),
        steps_total=len(steps),
        saved=long_date(plan.updated_at.date()),
    )

"""The dashboard's "needs a plan" list (issue 20): the targets below the line with no agreed plan, read in a
fixed number of statements however many plans, outcomes or survey answers there are.

What the rule reads changes at different times, so each part is read or kept on its own terms:
- outcomes' ratings and KPIs' statuses change only with the rating inputs, so they are worked out when the
  dashboard's tiles are drawn and kept with them (`BelowTheLine`, under the tiles' key);
- a survey standard's band changes only with a new round: kept per worker by the latest rounds' ids, so a
  view reads one row per survey instead of scoring every answer again;
- plans change at any time: read on every view (one statement, only those of the targets below the line).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tracker.db.models import ActionPlan, SurveyRound
from tracker.domain.action_plans import TARGET_KIND_LABELS
from tracker.domain.kpi import framework_kpi_statuses
from tracker.domain.plan_prompts import PlanOwed, needing_plans, prompting_targets
from tracker.plans.reading import standard_bands
from tracker.plans.targets import TargetChoice, framework_partner_ids, target_choices
from tracker.ratings import compute
from tracker.ratings.fragments import FragmentCache
from tracker.ratings.rating_set import RatingSet
from tracker.ratings.snapshots import RatingsHead
from tracker.services.permissions import Principal, can_write_plan
from tracker.services.surveys import report_blocks


@dataclass(frozen=True)
class BelowTheLine:
    """Each outcome's rating and each KPI's status as of the dashboard's date, in framework order: what
    the needs-a-plan rule reads of the ratings (plain values, kept beside the tiles drawn from them)."""

    outcomes: tuple[tuple[str, str], ...]
    kpis: tuple[tuple[str, str], ...]


def below_the_line(session: Session, rated: RatingSet) -> BelowTheLine:
    """From the ratings just read; the KPIs' statuses as the ratings judge them (their values: one query,
    unless the ratings were read with them)."""
    f = rated.framework
    statuses = rated.kpis
    if not statuses and f.kpis:
        actuals = compute.kpi_actuals(session, rated.framework_id, rated.as_of, framework=f)
        statuses = framework_kpi_statuses(f, actuals, rated.as_of, f.settings)
    by_outcome = {r.outcome_id: str(r.rating) for r in rated.ratings}
    by_kpi = {k.kpi_id: str(k.status) for k in statuses}
    return BelowTheLine(
        tuple((o.id, by_outcome[o.id]) for t in f.themes for o in t.outcomes if o.id in by_outcome),
        tuple((k.id, by_kpi[k.id]) for t in f.themes for k in t.kpis if k.id in by_kpi),
    )


@dataclass(frozen=True)
class _Labels:
    by_target: dict[tuple[str, str], TargetChoice]


def _labels(head: RatingsHead, cache: FragmentCache | None) -> dict[tuple[str, str], TargetChoice]:
    """Every target's label by (kind, id): made once per framework version, not on every view."""
    key: Hashable = ("plan-labels", head.framework_id, head.version_id)
    kept = cache.get_value(key, _Labels) if cache is not None else None
    if kept is None:
        kept = _Labels({(c.kind, c.id): c for c in target_choices(head.framework)})
        if cache is not None:
            cache.put(key, kept)
    return kept.by_target


@dataclass(frozen=True)
class _Bands:
    bands: tuple[tuple[str, str | None], ...]


def _bands(session: Session, head: RatingsHead, cache: FragmentCache | None) -> list[tuple[str, str | None]]:
    """Each standard's band in its survey's latest round; scored again only when a round is added."""
    if not head.framework.surveys:
        return []
    latest = tuple(
        (slug, round_id)
        for slug, round_id in session.execute(
            select(SurveyRound.survey_slug, func.max(SurveyRound.id))
            .where(SurveyRound.framework_id == head.framework_id, SurveyRound.replaced_at.is_(None))
            .group_by(SurveyRound.survey_slug)
            .order_by(SurveyRound.survey_slug)
        )
    )
    if not latest:
        return []
    key: Hashable = ("plan-bands", head.framework_id, head.version_id, latest)
    kept = cache.get_value(key, _Bands) if cache is not None else None
    if kept is None:
        kept = _Bands(tuple(standard_bands(report_blocks(session, head.slug))))
        if cache is not None:
            cache.put(key, kept)
    return list(kept.bands)


# Built once: every dashboard view runs it. Only the plans of targets that may need one are read (a national
# framework has hundreds of plans, and a handful of targets below the line).
_PLANS_OF_TARGETS = select(
    ActionPlan.target_kind,
    ActionPlan.target_id,
    ActionPlan.status,
    ActionPlan.number,
    ActionPlan.partner_id,
).where(
    ActionPlan.framework_id == bindparam("framework_id"),
    ActionPlan.target_id.in_(bindparam("targets", expanding=True)),
)


@dataclass(frozen=True)
class Prompt:
    """One row of the list: the target, why it needs a plan, and the draft plan for it, if any."""

    owed: PlanOwed
    kind_label: str
    label: str
    group: str  # the target's theme, or its survey for a standard
    draft_editable: bool  # the reader may continue the draft (it is their partner's, or they are an admin)


@dataclass(frozen=True)
class DashboardPrompts:
    rows: tuple[Prompt, ...]
    may_write: bool  # the reader may start a plan in this framework


def dashboard_prompts(
    session: Session,
    head: RatingsHead,
    below: BelowTheLine,
    p: Principal,
    cache: FragmentCache | None = None,
) -> DashboardPrompts:
    """The targets that need a plan now, for this reader: one statement for the plans of the targets below
    the line (run when none is too: the count stays the same), one for the surveys' latest rounds when the
    framework has surveys, one for its partners when the reader is a lead and a target needs a plan."""
    bands = _bands(session, head, cache)
    wanted = prompting_targets(below.outcomes, below.kpis, bands)
    plans = [
        plan
        for plan in session.execute(
            _PLANS_OF_TARGETS,
            {"framework_id": head.framework_id, "targets": sorted({target for _kind, target in wanted})},
        )
        if (plan[0], plan[1]) in wanted
    ]
    owed = needing_plans(
        below.outcomes,
        below.kpis,
        bands,
        [(kind, target, status, number) for kind, target, status, number, _partner in plans],
    )
    partner_ids = framework_partner_ids(session, head.framework_id) if p.role == "lead" and owed else set()
    own = p.partner_id if p.role == "lead" else None
    partner_of = {number: partner for _k, _t, _s, number, partner in plans}
    labels = _labels(head, cache) if owed else {}
    rows = []
    for o in owed:
        choice = labels.get((o.kind, o.target_id))
        rows.append(
            Prompt(
                o,
                TARGET_KIND_LABELS[o.kind],
                choice.label if choice else o.target_id,
                choice.theme if choice else "",
                o.draft is not None and can_write_plan(p, partner_ids, partner_of.get(o.draft)),
            )
        )
    return DashboardPrompts(tuple(rows), can_write_plan(p, partner_ids, own))

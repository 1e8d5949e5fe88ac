"""Which targets need a plan (issue 20): the rule as a function of plain values, so a table test pins it.

A target needs a plan when its outcome is rated `insufficient` or `none`, its KPI is `missed`, or its survey
standard's latest overall result is in the poor (red) band, and no plan for it is agreed or in progress. A
draft does not answer it (the prompt then points to the draft); nor does a finished or dropped plan, since
the target is still below the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from tracker.domain.action_plans import ANSWERING

PROMPTING_RATINGS: frozenset[str] = frozenset({"insufficient", "none"})
PROMPTING_KPI_STATUSES: frozenset[str] = frozenset({"missed"})
PROMPTING_BANDS: frozenset[str] = frozenset({"poor"})
REASONS: Mapping[str, str] = MappingProxyType(
    {
        "insufficient": "rated Insufficient evidence",
        "none": "rated No evidence of progress made",
        "missed": "KPI target missed",
        "poor": "survey result in the poor (red) band",
    }
)


@dataclass(frozen=True, slots=True)
class PlanOwed:
    """A target that needs a plan: why (`code`, a rating, KPI status or band) and any draft plan for it."""

    kind: str
    target_id: str
    code: str
    draft: int | None = None  # the number of a draft plan for it, when there is one

    @property
    def reason(self) -> str:
        return REASONS[self.code]


def _prompting(
    outcomes: Sequence[tuple[str, str]],
    kpis: Sequence[tuple[str, str]],
    standards: Sequence[tuple[str, str | None]],
) -> Iterator[tuple[str, str, str]]:
    """(kind, target id, code) of each target below the line, in the framework's order, before any plan."""
    for kind, rows, prompting in (
        ("outcome", outcomes, PROMPTING_RATINGS),
        ("kpi", kpis, PROMPTING_KPI_STATUSES),
        ("standard", standards, PROMPTING_BANDS),
    ):
        for target_id, code in rows:
            if code in prompting:
                yield kind, target_id, str(code)


def prompting_targets(
    outcomes: Sequence[tuple[str, str]],
    kpis: Sequence[tuple[str, str]],
    standards: Sequence[tuple[str, str | None]],
) -> frozenset[tuple[str, str]]:
    """The (kind, target id) that need a plan unless one answers them: only their plans need reading."""
    return frozenset((kind, target_id) for kind, target_id, _code in _prompting(outcomes, kpis, standards))


def needing_plans(
    outcomes: Sequence[tuple[str, str]],
    kpis: Sequence[tuple[str, str]],
    standards: Sequence[tuple[str, str | None]],
    plans: Iterable[tuple[str, str, str, int]],
) -> tuple[PlanOwed, ...]:
    """Outcomes (id, rating), KPIs (id, status) and standards (key, band or None) in the framework's order,
    less those a plan (kind, target id, status, number) answers; the newest draft is named."""
    answered: set[tuple[str, str]] = set()
    drafts: dict[tuple[str, str], int] = {}
    for kind, target_id, status, number in plans:
        if status in ANSWERING:
            answered.add((kind, target_id))
        elif status == "draft":
            drafts[(kind, target_id)] = max(number, drafts.get((kind, target_id), 0))
    return tuple(
        PlanOwed(kind, target_id, code, drafts.get((kind, target_id)))
        for kind, target_id, code in _prompting(outcomes, kpis, standards)
        if (kind, target_id) not in answered
    )

"""Rate outcomes: tier the items, judge the KPIs, build lines of evidence, apply the first matching rule.

Plain values in, plain values out. The caller passes accepted evidence and KPI values; the engine still
drops anything dated after the as-of date, so a rating as of a past date only uses what was known then.
An evaluator override (rule R0) sets the final rating while the computed one is kept alongside; when the
evidence has changed since the override was made (its fingerprint differs) it still applies but is
flagged "stale: review".
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, compress
from operator import attrgetter, not_
from types import MappingProxyType

from tracker.domain.evidence import (
    EFFORT_SHOWS,
    EvidenceItem,
    ItemAssessment,
    assess_item,
    describe_item,
    item_assessor,
)
from tracker.domain.evidence_lines import (
    Cluster,
    Line,
    LineSummary,
    build_clusters,
    build_lines,
    summarise,
)
from tracker.domain.framework import Framework, Kpi, Outcome
from tracker.domain.guidance import next_steps
from tracker.domain.kpi import KpiActual, KpiStatus, kpi_status
from tracker.domain.rules import (
    OVERRIDE_RULE_ID,
    RATING_CODES,
    RULE_IDS,
    RULES,
    Facts,
    RatingCode,
    Rule,
    first_match,
    shows_effort_only,
)
from tracker.domain.settings import DEFAULT_SETTINGS, RuleSettings
from tracker.domain.vocabulary import RATING_LABELS

__all__ = [
    "OVERRIDE_RULE_ID",
    "RATING_CODES",
    "RATING_LABELS",
    "RULES",
    "RULE_IDS",
    "OverrideInput",
    "Rating",
    "Rule",
    "evidence_fingerprint",
    "rate_framework",
    "rate_outcome",
]


@dataclass(frozen=True, slots=True)
class OverrideInput:
    """An evaluator's current override of one outcome, with the fingerprint of the evidence it saw."""

    rating: str
    rationale: str
    evidence_ids: tuple[int, ...] = ()
    fingerprint: str = ""
    by: str = ""

    def __post_init__(self) -> None:
        """Refuse a rating code the report could not colour."""
        if self.rating not in RATING_CODES:
            raise ValueError(f"unknown rating {self.rating!r}; expected one of {RATING_CODES}")


@dataclass(frozen=True, slots=True)
class Rating:
    """One outcome's rating as of a date: final and computed codes, the rule that fired, and why."""

    outcome_id: str
    theme_id: str
    rating: RatingCode
    computed: RatingCode
    override: RatingCode | None
    rule: str
    computed_rule: str
    reasons: tuple[str, ...]
    computed_reasons: tuple[str, ...]
    items: tuple[ItemAssessment, ...]
    lines: LineSummary
    evidence_lines: tuple[Line, ...]
    kpis: tuple[KpiStatus, ...]
    next_steps: tuple[str, ...]  # what would raise the computed rating one step (`next` in JSON)
    too_early: tuple[str, ...]  # titles of the items that found the effect too early to measure
    effort_only: bool  # an effect outcome supported by evidence of effort only (the agenda lists it)
    stale: bool
    fingerprint: str
    as_of: date

    @property
    def label(self) -> str:
        return RATING_LABELS[self.rating]

    @property
    def missing(self) -> str:
        """What further evidence would settle the rating, in the rules' own words where they give them."""
        for reason in self.computed_reasons:
            if "would help" in reason or "would settle" in reason:
                return reason
        return self.computed_reasons[0] if self.computed_reasons else ""

    def to_json(self) -> dict[str, object]:
        """The object `tracker rate --json` prints, in the shape DESIGN.md fixes."""
        return {
            "outcome": self.outcome_id,
            "theme": self.theme_id,
            "rating": self.rating,
            "computed": self.computed,
            "override": self.override,
            "rule": self.rule,
            "reasons": list(self.reasons),
            "next": list(self.next_steps),
        }


_NO_OVERRIDES: Mapping[str, OverrideInput] = MappingProxyType({})
_ID_REVISION = attrgetter("id", "revision")
ILLUSTRATIONS_NAMED = 8  # the "Not counted" reason names this many items, then counts the rest


def evidence_fingerprint(items: Iterable[EvidenceItem], actuals: Mapping[str, Iterable[KpiActual]]) -> str:
    """A sha256 of item ids, revisions and KPI values, so a changed evidence set marks overrides stale.

    The hashed text is the compact, key-sorted JSON of {"items": [[id, revision], ...], "kpis": [...]}
    (overrides store this hash, so it must not change); the items part is written by hand, as
    `json.dumps` of tens of thousands of small lists was a tenth of a national rating, and in one `%`
    format of all the pairs (`%d` writes an id as `int` does).
    """
    pairs = sorted(map(_ID_REVISION, items))
    kpis = sorted(
        [kpi_id, a.period, a.period_end.isoformat(), repr(float(a.value)), a.partner or ""]
        for kpi_id, values in actuals.items()
        for a in values
    )
    text = (
        '{"items":['
        + ("[%d,%d]," * len(pairs))[:-1] % tuple(chain.from_iterable(pairs))
        + '],"kpis":'
        + json.dumps(kpis, separators=(",", ":"))
        + "}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ID = attrgetter("id")
_COLLECTED_ON = attrgetter("collected_on")
_COUNTS = attrgetter("counts")
_FINDING = attrgetter("finding")
_KPI = attrgetter("kpi")


def _any_too_early(items: Sequence[EvidenceItem]) -> bool:
    """Whether any item finds the effect too early to measure (a C-speed scan: it runs for every outcome)."""
    return "too_early" in map(_FINDING, items)


def _for_this_outcome(
    outcome: Outcome,
    items: Sequence[EvidenceItem],
    assessments: tuple[ItemAssessment, ...],
    kpis: Sequence[KpiStatus],
    settings: RuleSettings,
) -> tuple[tuple[ItemAssessment, ...], tuple[tuple[EvidenceItem, str], ...]]:
    """What only this outcome changes about an item's weight, and the items its KPI lines stand for.

    An item that reports a linked KPI's value (its `kpi`) is not a line of its own when that KPI is judged:
    the KPI's line stands for it, so one figure is not counted twice. A supporting document linked to a
    deliverable outcome is the deliverable itself: robust evidence that it exists (unless a flag lowers it).
    """
    deliverable = outcome.kind == "deliverable" and settings.deliverable_document_robust
    judged = {k.kpi_id: k.name for k in kpis if k.has_data}
    if not deliverable and not (judged and any(map(_KPI, items))):
        return assessments, ()
    changed = list(assessments)
    through: list[tuple[EvidenceItem, str]] = []
    for n, (item, a) in enumerate(zip(items, assessments, strict=True)):
        if item.kpi and item.kpi in judged:
            if a.counts:
                changed[n] = ItemAssessment(
                    a.item_id,
                    a.tier,
                    False,
                    f'{a.reason} It reports the KPI "{judged[item.kpi]}", whose line stands for it, so the '
                    "figure is not counted twice.",
                )
                through.append((item, judged[item.kpi]))
        elif deliverable and item.source_type == "document" and item.finding == "supports" and not item.flags:
            changed[n] = ItemAssessment(
                a.item_id,
                "robust",
                True,
                "Document that is the deliverable itself: robust evidence that it exists.",
            )
    return tuple(changed), tuple(through)


def _set_aside(
    items: Sequence[EvidenceItem],
    assessments: Sequence[ItemAssessment],
    too_early: Sequence[EvidenceItem],
    through_kpi: Sequence[tuple[EvidenceItem, str]],
) -> tuple[str, ...]:
    """The reasons naming items that do not count: too early, counted through a KPI, or anecdotal."""
    reasons = []
    if too_early:
        reasons.append(f"Too early to measure (counts neither for nor against): {_named(too_early)}.")
    if through_kpi:
        reasons.append(
            "Counted through their KPI's line, not twice: "
            + "; ".join(
                f'{describe_item(i)} reports the KPI "{name}"'
                for i, name in through_kpi[:ILLUSTRATIONS_NAMED]
            )
            + "."
        )
    set_apart = {i.id for i in too_early} | {i.id for i, _ in through_kpi}
    uncounted = compress(items, map(not_, map(_COUNTS, assessments)))  # in C: it runs for every outcome
    anecdotal = [i for i in uncounted if i.id not in set_apart] if set_apart else list(uncounted)
    if anecdotal:
        reasons.append(f"Not counted (anecdotal, shown for illustration only): {_named(anecdotal)}.")
    return tuple(reasons)


def _named(items: Sequence[EvidenceItem]) -> str:
    """A few items by name, then how many more."""
    named = ", ".join(describe_item(i) for i in items[:ILLUSTRATIONS_NAMED])
    rest = len(items) - ILLUSTRATIONS_NAMED
    return named + (f" and {rest} more" if rest > 0 else "")


def _known_on(as_of: date, items: Iterable[EvidenceItem]) -> tuple[EvidenceItem, ...]:
    """Items collected on or before the as-of date, oldest first (defence in depth: callers filter too):
    the first ones once in order, found by bisection (not a pass over every item).

    By day then id in two stable sorts on plain keys, not one on a tuple made for each item: the caller's
    items often come by id already, which the first sort then only checks.
    """
    ordered = sorted(sorted(items, key=_ID), key=_COLLECTED_ON)
    return tuple(ordered[: bisect_right(ordered, as_of, key=_COLLECTED_ON)])


def _override_reasons(
    override: OverrideInput, computed_rule: Rule, stale: bool, items: Sequence[EvidenceItem]
) -> tuple[str, ...]:
    """What the evaluator decided and why, then (by the caller) what the rules alone would give."""
    who = f" by {override.by}" if override.by else ""
    stale_note = (
        " Flagged stale: review - the evidence has changed since the override was made." if stale else ""
    )
    computed = f'"{RATING_LABELS[computed_rule.rating]}": {computed_rule.summary}'
    reasons = [
        f"Evaluator override{who}: {RATING_LABELS[override.rating]} "
        f"(the rules alone give {computed}).{stale_note}",
        f"Rationale: {override.rationale.strip()}",
    ]
    if override.evidence_ids:
        by_id = {i.id: i for i in items}
        named = [
            describe_item(by_id[i]) if i in by_id else f"item {i} (not in the current evidence)"
            for i in override.evidence_ids
        ]
        reasons.append("The override rests on " + ", ".join(named) + ".")
    return tuple(reasons)


def rate_outcome(
    outcome: Outcome,
    items: Sequence[EvidenceItem],
    kpis: Sequence[Kpi],
    actuals_by_kpi: Mapping[str, Sequence[KpiActual]],
    as_of: date,
    settings: RuleSettings = DEFAULT_SETTINGS,
    override: OverrideInput | None = None,
    *,
    statuses: Mapping[str, KpiStatus] | None = None,
    assessed: dict[int, ItemAssessment] | None = None,
    assessor: Callable[[EvidenceItem], ItemAssessment] | None = None,
    singles: dict[int, Cluster] | None = None,
) -> Rating:
    """Rate one outcome as of a date.

    `statuses`, `assessed` and `assessor` let `rate_framework` judge each shared KPI and tier each item
    only once, and `singles` make each one-item cluster once.
    """
    known_items = _known_on(as_of, items)
    definitions = {k.id: k for k in kpis}
    linked: list[KpiStatus] = []
    known_actuals: dict[str, tuple[KpiActual, ...]] = {}
    for kpi_id in outcome.kpis:
        if kpi_id not in definitions:
            raise ValueError(f"outcome {outcome.id!r} links KPI {kpi_id!r}, which was not passed in")
        values = tuple(a for a in actuals_by_kpi.get(kpi_id, ()) if a.period_end <= as_of)
        known_actuals[kpi_id] = values
        given = statuses.get(kpi_id) if statuses is not None else None
        linked.append(
            given if given is not None else kpi_status(definitions[kpi_id], values, as_of, settings)
        )

    if assessed is None:
        assessments = tuple(assess_item(i, settings) for i in known_items)
    else:
        assess = assessor or item_assessor(settings)
        for item in known_items:  # the first item of an id is judged; the rest of the framework shares it
            if item.id not in assessed:
                assessed[item.id] = assess(item)
        assessments = tuple(map(assessed.__getitem__, map(_ID, known_items)))
    assessments, through_kpi = _for_this_outcome(outcome, known_items, assessments, linked, settings)
    effort_kpis = {k for k in outcome.kpis if definitions[k].shows in EFFORT_SHOWS}
    lines = build_lines(build_clusters(known_items, assessments, singles), linked, effort_kpis)
    facts = Facts(
        outcome=outcome,
        as_of=as_of,
        items=known_items,
        assessments=assessments,
        lines=lines,
        summary=summarise(lines),
        kpis=tuple(linked),
        too_early=tuple(i for i in known_items if i.finding == "too_early")
        if _any_too_early(known_items)
        else (),
    )
    rule = first_match(facts, settings)
    summary = facts.summary
    computed_reasons = (
        rule.reason(facts, settings),
        f"Lines of evidence: {summary.positive} positive ({summary.robust_positive} robust), "
        f"{summary.negative} negative ({summary.robust_negative} robust).",
        *(line.describe() for line in lines),
        *_set_aside(known_items, assessments, facts.too_early, through_kpi),
    )
    # The same items in any order hash alike: given all known, the caller's order (often by id already,
    # which the fingerprint's sort then only checks) rather than by date.
    fingerprint = evidence_fingerprint(
        items if len(items) == len(known_items) else known_items, known_actuals
    )
    if override is None:
        return Rating(
            outcome_id=outcome.id,
            theme_id=outcome.theme_id,
            rating=rule.rating,
            computed=rule.rating,
            override=None,
            rule=rule.id,
            computed_rule=rule.id,
            reasons=computed_reasons,
            computed_reasons=computed_reasons,
            items=assessments,
            lines=summary,
            evidence_lines=lines,
            kpis=facts.kpis,
            next_steps=next_steps(facts, rule.rating, settings),
            too_early=tuple(i.title for i in facts.too_early),
            effort_only=shows_effort_only(facts),
            stale=False,
            fingerprint=fingerprint,
            as_of=as_of,
        )
    code = next(c for c in RATING_CODES if c == override.rating)
    stale = override.fingerprint != fingerprint
    return Rating(
        outcome_id=outcome.id,
        theme_id=outcome.theme_id,
        rating=code,
        computed=rule.rating,
        override=code,
        rule=OVERRIDE_RULE_ID,
        computed_rule=rule.id,
        reasons=_override_reasons(override, rule, stale, known_items) + computed_reasons,
        computed_reasons=computed_reasons,
        items=assessments,
        lines=summary,
        evidence_lines=lines,
        kpis=facts.kpis,
        next_steps=next_steps(facts, rule.rating, settings),
        too_early=tuple(i.title for i in facts.too_early),
        effort_only=shows_effort_only(facts),
        stale=stale,
        fingerprint=fingerprint,
        as_of=as_of,
    )


def rate_framework(
    framework: Framework,
    items_by_outcome: Mapping[str, Sequence[EvidenceItem]],
    actuals_by_kpi: Mapping[str, Sequence[KpiActual]],
    as_of: date,
    settings: RuleSettings = DEFAULT_SETTINGS,
    overrides: Mapping[str, OverrideInput] = _NO_OVERRIDES,
    outcomes: Collection[str] | None = None,
) -> tuple[Rating, ...]:
    """Every outcome's rating in framework order (or only `outcomes`), judging each KPI and item once."""
    chosen = tuple(o for o in framework.outcomes if outcomes is None or o.id in outcomes)
    kpis = framework.kpis
    needed = {k for o in chosen for k in o.kpis}
    statuses = {
        k.id: kpi_status(k, actuals_by_kpi.get(k.id, ()), as_of, settings) for k in kpis if k.id in needed
    }
    assessed: dict[int, ItemAssessment] = {}
    assessor = item_assessor(settings)
    singles: dict[int, Cluster] = {}
    return tuple(
        rate_outcome(
            outcome,
            items_by_outcome.get(outcome.id, ()),
            kpis,
            actuals_by_kpi,
            as_of,
            settings,
            overrides.get(outcome.id),
            statuses=statuses,
            assessed=assessed,
            assessor=assessor,
            singles=singles,
        )
        for outcome in chosen
    )

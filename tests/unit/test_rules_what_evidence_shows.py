"""Issue 18's fields and rules as tables of cases: what evidence shows, deliverables, too early, KPI items,
the evaluator's own fieldwork, partial coverage, and the advice on what would raise a rating."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from tracker.domain.engine import Rating, rate_outcome
from tracker.domain.evidence import EvidenceItem, assess_item
from tracker.domain.framework import Baseline, Kpi, Outcome, Target
from tracker.domain.kpi import KpiActual
from tracker.domain.settings import RuleSettings

AS_OF = date(2023, 4, 30)
EARLY = date(2023, 2, 1)
EFFECT = Outcome("oc", "Practice improves", "t", "effect-quality", "short", kpis=("cpd", "share"))
EFFORT = dataclasses.replace(EFFECT, quadrant="effort-quantity")
PLAN = Outcome("plan", "A labour market plan", "t", "effect-quality", "short", kind="deliverable")
CPD = Kpi("cpd", "CPD opportunities", "t", "count", "higher_is_better", None, Target(50), shows="how_much")
SHARE = Kpi(
    "share", "Share satisfied", "t", "percent", "higher_is_better", Baseline("2021/22", 70), Target(80)
)
OFF = RuleSettings()

_ids = iter(range(1, 100_000))


def ev(
    source_type: str = "survey", finding: str = "supports", respondents: int | None = 18, **more: Any
) -> EvidenceItem:
    """An item; `group` defaults to one per call so each makes a line of its own unless told otherwise."""
    n = next(_ids)
    values: dict[str, Any] = {
        "id": n,
        "title": f"item {n}",
        "source_type": source_type,
        "collected_on": EARLY,
        "finding": finding,
        "respondents": respondents,
        "group": f"group-{n}",
    }
    values.update(more)
    return EvidenceItem(**values)


def kpi_values(cpd: float | None = None, share: float | None = None) -> dict[str, list[KpiActual]]:
    end = date(2023, 3, 31)
    return {
        "cpd": [] if cpd is None else [KpiActual("2022/23", end, cpd)],
        "share": [] if share is None else [KpiActual("2022/23", end, share)],
    }


def rate(
    outcome: Outcome,
    items: Sequence[EvidenceItem],
    actuals: dict[str, list[KpiActual]] | None = None,
    settings: RuleSettings | None = None,
) -> Rating:
    return rate_outcome(
        outcome, items, [CPD, SHARE], actuals or kpi_values(), AS_OF, settings or RuleSettings()
    )


# -- evidence of effort is not evidence of effect ---------------------------------------------------

EFFORT_CASES: list[tuple[str, Outcome, list[EvidenceItem], dict[str, list[KpiActual]], RuleSettings, str]] = [
    (
        "robust how_much and how_well lines only: capped",
        EFFECT,
        [ev(shows="how_much"), ev(shows="how_well")],
        kpi_values(),
        RuleSettings(),
        "some",
    ),
    (
        "the same plus one robust better_off line",
        EFFECT,
        [ev(shows="how_much"), ev(shows="how_well"), ev(shows="better_off")],
        kpi_values(),
        RuleSettings(),
        "strong",
    ),
    (
        "a line that does not say what it shows lifts the cap (as before issue 18)",
        EFFECT,
        [ev(shows="how_much"), ev()],
        kpi_values(),
        RuleSettings(),
        "strong",
    ),
    (
        "an effort outcome is not capped",
        EFFORT,
        [ev(shows="how_much"), ev(shows="how_well")],
        kpi_values(),
        RuleSettings(),
        "strong",
    ),
    (
        "the switch off: rated as before",
        EFFECT,
        [ev(shows="how_much"), ev(shows="how_well")],
        kpi_values(),
        RuleSettings(effort_caps_effect=False),
        "strong",
    ),
    (
        "a met KPI that shows how much is effort too",
        EFFECT,
        [ev(shows="how_well")],
        kpi_values(cpd=86),
        RuleSettings(),
        "some",
    ),
    (
        "a met KPI that does not say what it shows lifts the cap",
        EFFECT,
        [ev(shows="how_well")],
        kpi_values(share=90),
        RuleSettings(),
        "strong",
    ),
    (
        "a negative better_off line does not lift the cap",
        EFFECT,
        [ev(shows="how_much"), ev(shows="how_well"), ev("interview", "no_change", 3, shows="better_off")],
        kpi_values(),
        RuleSettings(),
        "some",
    ),
    (
        "a collection whose supporting items all show effort is effort",
        EFFECT,
        [
            ev(shows="how_much", collection="c", group="g"),
            ev("admin_data", shows="how_much", collection="c", group="g"),
            ev("admin_data", shows="how_well", group="h"),
        ],
        kpi_values(),
        RuleSettings(),
        "some",
    ),
]


@pytest.mark.parametrize(
    ("outcome", "items", "actuals", "settings", "rating"),
    [c[1:] for c in EFFORT_CASES],
    ids=[c[0] for c in EFFORT_CASES],
)
def test_evidence_of_effort_caps_an_effect_outcome_at_some(
    outcome: Outcome,
    items: list[EvidenceItem],
    actuals: dict[str, list[KpiActual]],
    settings: RuleSettings,
    rating: str,
) -> None:
    assert rate(outcome, items, actuals, settings).rating == rating


def test_the_cap_says_why_and_what_would_lift_it() -> None:
    rated = rate(EFFECT, [ev(shows="how_much"), ev(shows="how_well")])
    assert rated.rule == "R2-some"
    assert "evidence of effort, not yet of effect" in rated.reasons[0]
    assert any("better off" in step for step in rated.next_steps)


# -- deliverables ----------------------------------------------------------------------------------

DELIVERABLE_CASES: list[tuple[str, Outcome, list[EvidenceItem], RuleSettings, str, str]] = [
    (
        "a deliverable with one supporting document",
        PLAN,
        [ev("document", respondents=None)],
        OFF,
        "some",
        "robust",
    ),
    (
        "the same document for a change outcome stays indicative",
        dataclasses.replace(PLAN, kind="change"),
        [ev("document", respondents=None)],
        OFF,
        "insufficient",
        "indicative",
    ),
    (
        "the switch off",
        PLAN,
        [ev("document", respondents=None)],
        RuleSettings(deliverable_document_robust=False),
        "insufficient",
        "indicative",
    ),
    (
        "an indirect document is not the deliverable itself",
        PLAN,
        [ev("document", respondents=None, flags=frozenset({"indirect"}))],
        OFF,
        "insufficient",
        "anecdotal",
    ),
    (
        "a document that does not support it is not the deliverable",
        PLAN,
        [ev("document", "no_change", respondents=None)],
        OFF,
        "insufficient",
        "indicative",
    ),
]


@pytest.mark.parametrize(
    ("outcome", "items", "settings", "rating", "tier"),
    [c[1:] for c in DELIVERABLE_CASES],
    ids=[c[0] for c in DELIVERABLE_CASES],
)
def test_a_deliverable_is_shown_by_the_document_that_is_it(
    outcome: Outcome, items: list[EvidenceItem], settings: RuleSettings, rating: str, tier: str
) -> None:
    rated = rate(outcome, items, settings=settings)
    assert rated.rating == rating
    assert rated.items[0].tier == tier


def test_a_deliverable_is_not_capped_as_effort() -> None:
    rated = rate(PLAN, [ev("document", respondents=None, shows="how_much"), ev(shows="how_much")])
    assert rated.rating == "strong"


# -- too early -------------------------------------------------------------------------------------


def test_a_too_early_item_alone_leaves_the_outcome_insufficient_and_is_named() -> None:
    item = ev("interview", "too_early", 8)
    rated = rate(EFFECT, [item])
    assert (rated.rating, rated.rule) == ("insufficient", "R6-no-usable-evidence")
    assert rated.lines.positive == rated.lines.negative == 0
    assert not rated.items[0].counts
    assert "Too early to measure the effect" in rated.items[0].reason
    assert any(r.startswith("Too early to measure") and item.title in r for r in rated.reasons)
    assert not any(r.startswith("Not counted (anecdotal") for r in rated.reasons)
    assert any("too early to tell" in step for step in rated.next_steps)


@pytest.mark.parametrize(
    ("finding", "rating", "negative"),
    [("too_early", "some", 0), ("no_change", "insufficient", 1)],
    ids=["too early counts neither way", "no change counts against (as before)"],
)
def test_too_early_counts_neither_for_nor_against(finding: str, rating: str, negative: int) -> None:
    rated = rate(EFFECT, [ev(), ev("interview", finding, 8)])
    assert (rated.rating, rated.lines.negative) == (rating, negative)


# -- an item that reports a KPI's value ------------------------------------------------------------


def test_an_item_reporting_a_met_kpi_and_the_kpi_make_one_line() -> None:
    reported = ev("admin_data", respondents=None, kpi="share")
    rated = rate(EFFECT, [reported], kpi_values(share=90))
    assert rated.lines.positive == 1
    assert [line.family for line in rated.evidence_lines] == ["kpi"]
    assert not rated.items[0].counts
    assert 'reports the KPI "Share satisfied"' in rated.items[0].reason
    assert any(r.startswith("Counted through their KPI's line") for r in rated.reasons)
    # without `kpi` the same two sources are two lines (the double count the field removes)
    unmarked = rate(EFFECT, [dataclasses.replace(reported, kpi="")], kpi_values(share=90))
    assert unmarked.lines.positive == 2


@pytest.mark.parametrize(
    ("kpi", "actuals"),
    [("share", kpi_values()), ("elsewhere", kpi_values(share=90))],
    ids=["its KPI has no values yet", "its KPI is not linked to this outcome"],
)
def test_an_item_reporting_a_kpi_with_no_line_here_counts_itself(
    kpi: str, actuals: dict[str, list[KpiActual]]
) -> None:
    rated = rate(EFFECT, [ev("admin_data", respondents=None, kpi=kpi)], actuals)
    assert rated.items[0].counts
    assert "data" in [line.family for line in rated.evidence_lines]


# -- tiers: the evaluator's own fieldwork, partial coverage ------------------------------------------

TIER_CASES: list[tuple[str, EvidenceItem, RuleSettings, str]] = [
    ("evaluator's survey of unknown size", ev(respondents=None, independent=True), OFF, "indicative"),
    (
        "evaluator's interviews of unknown size",
        ev("interview", respondents=None, independent=True),
        OFF,
        "indicative",
    ),
    ("a partner's survey of unknown size (as before)", ev(respondents=None), OFF, "anecdotal"),
    (
        "evaluator's testimonial stays anecdotal",
        ev("testimonial", respondents=None, independent=True),
        OFF,
        "anecdotal",
    ),
    (
        "switch off: evaluator's survey of unknown size",
        ev(respondents=None, independent=True),
        RuleSettings(independent_unknown_size_indicative=False),
        "anecdotal",
    ),
    ("evaluator's survey of a known small size", ev(respondents=3, independent=True), OFF, "anecdotal"),
    ("robust survey, partial coverage", ev(flags=frozenset({"partial_coverage"})), OFF, "indicative"),
    (
        "robust interviews, partial coverage",
        ev("interview", respondents=8, flags=frozenset({"partial_coverage"})),
        OFF,
        "indicative",
    ),
    (
        "indicative survey, partial coverage",
        ev(respondents=7, flags=frozenset({"partial_coverage"})),
        OFF,
        "anecdotal",
    ),
    (
        "partial coverage and indirect",
        ev(flags=frozenset({"partial_coverage", "indirect"})),
        OFF,
        "anecdotal",
    ),
    (
        "evidence against with partial coverage keeps its tier",
        ev("survey", "no_change", flags=frozenset({"partial_coverage"})),
        OFF,
        "robust",
    ),
    (
        "mixed evidence with partial coverage keeps its tier",
        ev("interview", "mixed", 3, flags=frozenset({"partial_coverage"})),
        OFF,
        "indicative",
    ),
    (
        "data, partial coverage (as before)",
        ev("admin_data", respondents=None, flags=frozenset({"partial_coverage"})),
        OFF,
        "indicative",
    ),
    (
        "switch off: survey, partial coverage",
        ev(flags=frozenset({"partial_coverage"})),
        RuleSettings(partial_coverage_lowers=False),
        "robust",
    ),
]


@pytest.mark.parametrize(
    ("item", "settings", "tier"), [c[1:] for c in TIER_CASES], ids=[c[0] for c in TIER_CASES]
)
def test_tiers_of_the_new_cases(item: EvidenceItem, settings: RuleSettings, tier: str) -> None:
    assessed = assess_item(item, settings)
    assert assessed.tier == tier
    assert assessed.reason.split(":")[0]  # every tier says why


@pytest.mark.parametrize("finding", ["no_change", "contradicts", "mixed"])
def test_a_caveat_on_evidence_against_never_raises_a_rating(finding: str) -> None:
    """Partial coverage weakens support; a doubt about part of the population still counts against."""
    support = [ev(), ev("admin_data", respondents=None)]
    doubt = ev("interview", finding, 3)
    plain = rate(EFFORT, [*support, doubt])
    flagged = rate(EFFORT, [*support, dataclasses.replace(doubt, flags=frozenset({"partial_coverage"}))])
    assert plain.rating == flagged.rating == "some"
    assert flagged.lines.negative == 1


def test_partial_coverage_says_why_it_lowers() -> None:
    reason = assess_item(ev(flags=frozenset({"partial_coverage"}))).reason
    assert reason.endswith("robust, but covering only part of the outcome's population, so indicative.")


# -- what would raise a rating ---------------------------------------------------------------------

NEXT_CASES: list[tuple[str, Outcome, list[EvidenceItem], dict[str, list[KpiActual]], str, list[str]]] = [
    ("strong: nothing to add", EFFORT, [ev(), ev()], kpi_values(), "strong", []),
    (
        "one robust line: a second line",
        EFFORT,
        [ev()],
        kpi_values(),
        "some",
        ["one more line of evidence supporting it, of a kind or group not yet heard"],
    ),
    (
        "an indicative survey of 6: at least 10",
        EFFORT,
        [ev(respondents=6, title="Carers survey")],
        kpi_values(),
        "insufficient",
        ['"Carers survey" with at least 10 respondents instead of 6 or one robust line'],
    ),
    (
        "12 of 40: at least 30, or half the population",
        EFFORT,
        [ev(respondents=12, population=40, title="Staff survey")],
        kpi_values(),
        "insufficient",
        [
            '"Staff survey" with at least 30 respondents, or 20 of 40 (50%), instead of 12 of 40 or one robust line'
        ],
    ),
    (
        "a partly met KPI keeps it from strong",
        EFFORT,
        [ev(), ev()],
        kpi_values(share=75),
        "some",
        ['the KPI "Share satisfied" meeting its target in full'],
    ),
    (
        "a line against keeps it from strong",
        EFFORT,
        [ev(), ev(), ev("interview", "no_change", 3, title="Managers")],
        kpi_values(),
        "some",
        ['nothing against it: today "Managers" (interview, 3 participants) points the other way'],
    ),
    (
        "conflict: one robust line makes more for than against (a bigger survey would not)",
        EFFORT,
        [ev(respondents=6), ev("admin_data", "no_change", None)],
        kpi_values(),
        "insufficient",
        ["one robust line of evidence supporting it"],
    ),
    (
        "none: robust against, nothing for",
        EFFORT,
        [ev("admin_data", "no_change", None)],
        kpi_values(),
        "none",
        ["2 lines, one robust, of evidence supporting it"],
    ),
    (
        "no evidence: a KPI's values are one way",
        EFFORT,
        [],
        kpi_values(),
        "insufficient",
        ['values of the KPI "CPD opportunities" that meet its target'],
    ),
    (
        "a long-term aim: when its evidence is expected",
        dataclasses.replace(EFFORT, term="long", expected_by=date(2026, 3, 31)),
        [],
        kpi_values(),
        "not_yet",
        ["the evidence expected from 31 March 2026: a long-term aim is not rated before then"],
    ),
]


@pytest.mark.parametrize(
    ("outcome", "items", "actuals", "rating", "starts"),
    [c[1:] for c in NEXT_CASES],
    ids=[c[0] for c in NEXT_CASES],
)
def test_next_says_what_would_raise_the_rating(
    outcome: Outcome,
    items: list[EvidenceItem],
    actuals: dict[str, list[KpiActual]],
    rating: str,
    starts: list[str],
) -> None:
    rated = rate(outcome, items, actuals)
    assert rated.rating == rating
    assert len(rated.next_steps) == max(len(starts), 1 if rating != "strong" else 0)
    for step, start in zip(rated.next_steps, starts, strict=False):
        assert step.startswith(start) or start in step, step
    assert rated.to_json()["next"] == list(rated.next_steps)

"""The data development agenda: which outcomes missing data holds back, and why, by theme."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.agenda import OutcomeData, data_development_agenda
from tracker.domain.engine import rate_framework
from tracker.domain.evidence import EvidenceItem
from tracker.domain.framework import Framework
from tracker.domain.kpi import KpiStatus, framework_kpi_statuses
from tracker.domain.loader import parse_framework

YAML = """
id: agenda-test
title: Agenda test
version: 1
period: {start: 2022-04-01, end: 2024-03-31}
partners: [{id: uni, name: A university, kind: hei}]
themes:
  - id: practice
    title: Practice
    outcomes:
      - {id: better-practice, text: Practice improves, quadrant: effect-quality, term: short, kpis: [cpd-count]}
      - {id: staying, text: Staff stay, quadrant: effect-quantity, term: long, expected_by: 2026-03-31}
      - {id: supported, text: Educators feel supported, quadrant: effect-quality, term: short}
    kpis:
      - {id: cpd-count, name: CPD opportunities, unit: count, direction: higher_is_better, target: {value: 50}, shows: how_much}
      - {id: vacancy-rate, name: Vacancy rate, unit: percent, direction: lower_is_better}
  - id: brand
    title: Brand
    outcomes:
      - {id: known, text: The partnership is known, quadrant: effect-quality, term: short}
"""
AS_OF = date(2023, 4, 30)


def framework() -> Framework:
    loaded = parse_framework(YAML, "agenda.yaml")
    assert loaded.framework is not None, loaded.problems
    return loaded.framework


def item(n: int, finding: str = "supports", **more: object) -> EvidenceItem:
    values: dict[str, object] = {
        "id": n,
        "title": f"Item {n}",
        "source_type": "survey",
        "collected_on": date(2023, 1, 1),
        "finding": finding,
        "respondents": 20,
        "group": f"group-{n}",
    }
    values.update(more)
    return EvidenceItem(**values)  # type: ignore[arg-type]


def statuses(f: Framework) -> dict[str, KpiStatus]:
    return {s.kpi_id: s for s in framework_kpi_statuses(f, {}, AS_OF, f.settings)}


def test_each_kind_of_missing_data_is_listed_under_its_theme() -> None:
    f = framework()
    outcomes = {
        "better-practice": OutcomeData("some", effort_only=True),
        "staying": OutcomeData("not_yet"),
        "supported": OutcomeData("insufficient", too_early=("Educators' interviews",)),
        "known": OutcomeData("some"),
    }
    agenda = data_development_agenda(f, outcomes, statuses(f), AS_OF)
    assert [t.theme_id for t in agenda] == ["practice"]  # nothing missing for "known"
    (practice,) = agenda
    needs = {e.outcome_id: e.needs for e in practice.entries}
    assert needs["better-practice"] == (
        "The KPI “CPD opportunities”: no values yet.",
        "Evidence of effort only (how much, how well): no measure yet of anyone being better off.",
    )
    assert needs["staying"] == ("A long-term aim: its evidence is expected from 31 March 2026.",)
    assert needs["supported"] == ("Too early to measure the effect, as “Educators' interviews” found.",)
    assert practice.kpis_without_data == ("The KPI “Vacancy rate”: no values yet.",)


def test_a_strong_outcome_is_not_held_back() -> None:
    f = framework()
    outcomes = {"better-practice": OutcomeData("strong", effort_only=True)}
    agenda = data_development_agenda(f, outcomes, statuses(f), AS_OF)
    assert all(e.outcome_id != "better-practice" for t in agenda for e in t.entries)


@pytest.mark.parametrize(("as_of", "listed"), [(date(2026, 3, 30), True), (date(2026, 3, 31), False)])
def test_a_long_term_aim_leaves_the_agenda_when_its_evidence_is_due(as_of: date, listed: bool) -> None:
    f = framework()
    agenda = data_development_agenda(f, {"staying": OutcomeData("insufficient")}, statuses(f), as_of)
    assert any(e.outcome_id == "staying" for t in agenda for e in t.entries) is listed


def test_a_too_early_item_alone_is_on_the_agenda_through_the_engine() -> None:
    """From the engine's own rating: `too_early` and `effort_only` travel from the rules to the agenda."""
    f = framework()
    items = {
        "supported": [item(1, "too_early", title="Educators' interviews")],
        "better-practice": [item(2, shows="how_much"), item(3, shows="how_well")],
    }
    ratings = rate_framework(f, items, {}, AS_OF, f.settings)
    by_id = {r.outcome_id: r for r in ratings}
    assert by_id["supported"].rating == "insufficient"
    assert by_id["supported"].too_early == ("Educators' interviews",)
    assert (by_id["better-practice"].rating, by_id["better-practice"].effort_only) == ("some", True)
    agenda = data_development_agenda(
        f,
        {r.outcome_id: OutcomeData(r.rating, r.too_early, r.effort_only) for r in ratings},
        statuses(f),
        AS_OF,
    )
    entries = {e.outcome_id: e for t in agenda for e in t.entries}
    assert "Too early to measure the effect" in entries["supported"].needs[0]
    assert any("Evidence of effort only" in n for n in entries["better-practice"].needs)

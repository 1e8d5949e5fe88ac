"""The logic model: each theme's aims, activities, outputs and outcomes as boxes with their status, and the
links the YAML declares."""

from __future__ import annotations

import pytest

from tracker.domain.framework import Framework
from tracker.domain.loader import parse_framework
from tracker.domain.logic_model import LinkRef, kpi_counts, logic_model, output_progress
from tracker.domain.vocabulary import OUTPUT_PROGRESS_LABELS, OUTPUT_PROGRESS_SYMBOLS, output_progress_tag

YAML = """
id: lm-test
title: Logic model test
version: 1
period: {start: 2022-04-01, end: 2024-03-31}
partners: [{id: uni, name: A university, kind: hei}]
themes:
  - id: practice
    title: Practice
    aims:
      - {id: aim-ready, text: Students are ready}
      - {id: aim-stay, text: Staff stay}
    activities:
      - {id: act-days, text: Allocation days, aims: [aim-ready]}
      - {id: act-cpd, text: CPD offer, aims: [aim-ready, aim-stay, aim-ready]}
      - {id: act-loose, text: An activity naming no aim}
    outputs:
      - {id: out-days, text: Four days a year, quadrant: effort-quantity, kpis: [k-met, k-none]}
      - {id: out-none, text: A handbook, quadrant: effort-quality}
    outcomes:
      - {id: oc-long, text: Graduates stay, quadrant: effect-quantity, term: long, aims: [aim-stay], expected_by: 2026-03-31}
      - {id: oc-short, text: Students feel ready, quadrant: effect-quality, term: short, aims: [aim-ready, brand-aim]}
      - {id: oc-short-2, text: Educators supported, quadrant: effect-quality, term: short}
    kpis:
      - {id: k-met, name: Met KPI, unit: count, direction: higher_is_better, target: {value: 5}}
      - {id: k-none, name: Empty KPI, unit: count, direction: higher_is_better}
  - id: brand
    title: Brand
    aims:
      - {id: brand-aim, text: The partnership is known}
    outcomes:
      - {id: known, text: The partnership is known, quadrant: effect-quality, term: medium, aims: [brand-aim]}
"""
RATINGS = {"oc-long": "not_yet", "oc-short": "strong", "oc-short-2": "insufficient", "known": "some"}
KPIS = {"k-met": "met", "k-none": "no_data"}


def framework() -> Framework:
    parsed = parse_framework(YAML, "lm.yaml")
    assert parsed.framework is not None, [str(p) for p in parsed.problems]
    return parsed.framework


@pytest.mark.parametrize(
    ("statuses", "progress"),
    [
        ((), "unmeasured"),
        (("met",), "met"),
        (("met", "met"), "met"),
        (("met", "missed"), "missed"),
        (("missed",), "missed"),
        (("no_data", "missed"), "missed"),
        (("met", "no_data"), "progress"),
        (("partly_met",), "progress"),
        (("partly_met", "too_early"), "progress"),
        (("no_data",), "no_data"),
        (("no_data", "no_data"), "no_data"),
        (("too_early",), "not_judged"),
        (("no_target", "no_data"), "not_judged"),
    ],
)
def test_an_outputs_progress_is_read_from_its_kpis(statuses: tuple[str, ...], progress: str) -> None:
    assert output_progress(statuses) == progress


@pytest.mark.parametrize(
    ("statuses", "words"),
    [
        ((), "No KPI measures this output"),
        (("met",), "1 KPI: 1 met"),
        (("no_data", "met", "met"), "3 KPIs: 2 met, 1 no data"),
        (("missed", "partly_met"), "2 KPIs: 1 partly met, 1 missed"),
    ],
)
def test_the_kpis_behind_an_outputs_progress_are_counted_in_words(
    statuses: tuple[str, ...], words: str
) -> None:
    assert kpi_counts(statuses) == words


def test_every_progress_has_a_label_and_a_symbol() -> None:
    assert set(OUTPUT_PROGRESS_LABELS) == set(OUTPUT_PROGRESS_SYMBOLS)
    assert output_progress_tag("met") == "✓ All met"


def test_columns_run_aims_activities_outputs_outcomes_with_outcomes_by_term() -> None:
    theme = logic_model(framework(), RATINGS, KPIS).themes[0]
    assert [c.key for c in theme.columns] == ["aims", "activities", "outputs", "outcomes"]
    assert [c.title for c in theme.columns] == ["Aims", "Activities", "Outputs", "Outcomes"]
    outcomes = theme.column("outcomes")
    assert [(g.title, [b.id for b in g.boxes]) for g in outcomes.groups] == [
        ("Short term", ["oc-short", "oc-short-2"]),
        ("Long term", ["oc-long"]),  # no medium-term outcome: no empty group
    ]
    assert [b.ref for b in theme.boxes()] == [
        "Aim 1",
        "Aim 2",
        "Activity 1",
        "Activity 2",
        "Activity 3",
        "Output 1",
        "Output 2",
        "Outcome 2",
        "Outcome 3",
        "Outcome 1",
    ]


@pytest.mark.parametrize(
    ("box_id", "kind", "status", "label", "detail"),
    [
        ("aim-ready", "aim", "", "", ""),
        ("act-days", "activity", "", "", ""),
        ("out-days", "output", "progress", "Some met", "2 KPIs: 1 met, 1 no data"),
        ("out-none", "output", "unmeasured", "No KPI", "No KPI measures this output"),
        ("oc-short", "outcome", "strong", "Strong", "Strong evidence that outcome was achieved"),
        ("oc-short-2", "outcome", "insufficient", "Insufficient", "Insufficient evidence available to determine progress"),
        ("oc-long", "outcome", "not_yet", "Not yet", "Evidence not available during the evaluation period (long-term aim)"),
        ("known", "outcome", "some", "Some", "Some evidence of progress towards outcome being achieved"),
    ],
)  # fmt: skip
def test_each_box_has_the_status_of_its_kind(
    box_id: str, kind: str, status: str, label: str, detail: str
) -> None:
    box = logic_model(framework(), RATINGS, KPIS).box(box_id)
    assert box is not None
    assert (box.kind, box.status, box.label, box.detail) == (kind, status, label, detail)


def test_a_kpi_without_a_status_counts_as_no_data_and_an_outcome_without_a_rating_is_not_rated() -> None:
    model = logic_model(framework(), {}, {})
    days = model.box("out-days")
    short = model.box("oc-short")
    assert days is not None and short is not None
    assert (days.status, days.detail) == ("no_data", "2 KPIs: 2 no data")
    assert (short.status, short.label) == ("", "Not rated")


@pytest.mark.parametrize(
    ("ratings", "kpis", "message"),
    [
        ({"oc-short": "excellent"}, {}, "unknown rating code 'excellent'"),
        ({}, {"k-met": "done"}, "unknown KPI status 'done'"),
    ],
)
def test_unknown_codes_are_refused(ratings: dict[str, str], kpis: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        logic_model(framework(), ratings, kpis)


def test_links_are_exactly_those_the_yaml_declares_each_once() -> None:
    practice, brand = logic_model(framework(), RATINGS, KPIS).themes
    assert [(link.source, link.target) for link in practice.links] == [
        ("aim-ready", "act-days"),
        ("aim-ready", "act-cpd"),
        ("aim-stay", "act-cpd"),
        ("aim-stay", "oc-long"),
        ("aim-ready", "oc-short"),
        ("brand-aim", "oc-short"),  # an aim of another theme
    ]
    assert [(link.source, link.target) for link in brand.links] == [("brand-aim", "known")]


@pytest.mark.parametrize(
    ("box_id", "linked"),
    [
        ("aim-ready", [("act-days", "Activity 1"), ("act-cpd", "Activity 2"), ("oc-short", "Outcome 2")]),
        ("aim-stay", [("act-cpd", "Activity 2"), ("oc-long", "Outcome 1")]),
        ("act-cpd", [("aim-ready", "Aim 1"), ("aim-stay", "Aim 2")]),
        ("act-loose", []),
        ("out-days", []),
        ("oc-short", [("aim-ready", "Aim 1"), ("brand-aim", "Aim 1 of theme 2")]),
        ("brand-aim", [("oc-short", "Outcome 2 of theme 1"), ("known", "Outcome 1")]),
    ],
)
def test_each_box_names_what_it_links_to(box_id: str, linked: list[tuple[str, str]]) -> None:
    box = logic_model(framework(), RATINGS, KPIS).box(box_id)
    assert box is not None
    assert box.linked == tuple(LinkRef(i, ref) for i, ref in linked)


def test_the_model_is_immutable() -> None:
    model = logic_model(framework(), RATINGS, KPIS)
    box = model.box("aim-ready")
    assert box is not None
    with pytest.raises(AttributeError):
        box.text = "changed"  # type: ignore[misc]
    assert isinstance(model.themes, tuple)

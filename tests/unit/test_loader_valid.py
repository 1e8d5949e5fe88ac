"""A file with every optional key loads into the immutable objects it describes."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tracker.domain.framework import Baseline, Target
from tracker.domain.loader import parse_framework

FULL = """\
id: full-example
title: Full example
version: 3
vision: "To be the best"
description: A framework that uses every optional key.
source: A test
period: {start: 2018-04-01, end: 2020-03-31}
as_of: 2020-05-31
partners:
  - {id: uni, name: A University, kind: hei, tier: primary, note: Lead HEI}
  - {id: council, name: A Council, kind: local_authority, tier: secondary}
  - {id: charity, name: A Charity, kind: pvi}
themes:
  - id: theme-a
    title: Theme A
    summary: What theme A is about.
    ref: "3.1"
    aims:
      - {id: aim-a, text: Aim A, ref: "3.1"}
    activities:
      - {id: act-a, text: Activity A, aims: [aim-a], ref: "3.2"}
    outputs:
      - {id: out-a, text: Output A, quadrant: effort-quantity, kpis: [hits], ref: "3.3"}
    outcomes:
      - id: oc-a
        text: Outcome A
        quadrant: effect-quality
        term: medium
        kpis: [placements, hits]
        aims: [aim-a]
        ref: "3.4"
      - {id: oc-long, text: Long-term aim, quadrant: effect-quantity, term: long, expected_by: 2022-03-31}
    kpis:
      - id: placements
        name: Share of statutory placements
        unit: percent
        direction: higher_is_better
        baseline: {period: 2018/19, value: 75}
        target: {value: 100, tolerance: 5, period: 2019/20, note: Revised to 75 later}
        per_partner: true
        note: From the placement table
        ref: "4.7"
      - id: hits
        name: Website hits
        unit: count
        direction: higher_is_better
        baseline: {period: 2019, value: 1200}
        target: {change: 5, per_period: true}
      - {id: independent, name: Independent practice educators, unit: percent, direction: lower_is_better, target: {value: 20}}
      - {id: cost, name: Cost per attendee, unit: currency, direction: lower_is_better}
      - {id: rating, name: Session rating, unit: score, direction: higher_is_better}
      - {id: tariff, name: Average tariff, unit: number, direction: higher_is_better}
rules: {survey_robust_respondents: 12}
surveys: []
"""


def test_every_optional_key_is_read() -> None:
    result = parse_framework(FULL, "full.yaml")
    assert result.ok, [str(p) for p in result.problems]
    f = result.framework
    assert f is not None
    assert (f.id, f.version, f.vision, f.source) == ("full-example", 3, "To be the best", "A test")
    assert f.period.start == date(2018, 4, 1) and f.as_of == date(2020, 5, 31)
    assert [(p.id, p.kind, p.tier) for p in f.partners] == [
        ("uni", "hei", "primary"),
        ("council", "local_authority", "secondary"),
        ("charity", "pvi", "primary"),
    ]
    theme = f.themes[0]
    assert theme.summary == "What theme A is about." and theme.ref == "3.1"
    assert theme.activities[0].aims == ("aim-a",)
    assert theme.outputs[0].kpis == ("hits",)
    outcome = theme.outcomes[0]
    assert (outcome.quadrant, outcome.term, outcome.kpis, outcome.aims) == (
        "effect-quality",
        "medium",
        ("placements", "hits"),
        ("aim-a",),
    )
    assert theme.outcomes[1].expected_by == date(2022, 3, 31)
    placements = f.get("placements")
    assert placements is not None and placements.baseline == Baseline("2018/19", 75.0)  # type: ignore[union-attr]
    assert placements.target == Target(
        value=100.0, tolerance=5.0, period="2019/20", note="Revised to 75 later"
    )  # type: ignore[union-attr]
    assert placements.per_partner is True  # type: ignore[union-attr]
    hits = f.get("hits")
    assert hits.baseline.period == "2019"  # type: ignore[union-attr]
    assert hits.target == Target(change=5.0, per_period=True)  # type: ignore[union-attr]
    assert [k.unit for k in f.kpis] == ["percent", "count", "percent", "currency", "score", "number"]
    assert [e.id for e in f.elements()][:4] == ["uni", "council", "charity", "theme-a"]
    assert f.settings.survey_robust_respondents == 12 and dict(f.rules) == {"survey_robust_respondents": 12}


def test_framework_objects_are_immutable() -> None:
    f = parse_framework(FULL, "full.yaml").framework
    assert f is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.title = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.themes[0].outcomes[0].text = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        f.rules["x"] = 1  # type: ignore[index]

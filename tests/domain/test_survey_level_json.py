"""Results read back from their JSON are the results written: every level of the hand-made round, each
type alone (a table of figures), and stored JSON that is not a result is refused, not half read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.domain.test_survey_levels import DEFINITION, ORGS, current_rows, previous_rows
from tracker.domain.survey_level_results import (
    Breakdown,
    Figure,
    LevelResult,
    NationalRound,
    Organisation,
    Part,
    QuestionFigure,
    RegionRow,
    SectionLevel,
)
from tracker.domain.survey_levels import national_round
from tracker.domain.survey_ranking import Rank


def through_json(data: dict[str, Any]) -> Any:
    """What a JSON column gives back: the text written, read again."""
    return json.loads(json.dumps(data))


@pytest.fixture(scope="module")
def result() -> NationalRound:
    return national_round(
        DEFINITION, ORGS, current_rows(), previous_rows(), round_label="2023/24", previous_label="2022/23"
    )


def every_level(result: NationalRound) -> list[LevelResult]:
    return [result.national, *result.regions.values(), *result.orgs.values()]


LEVEL_KEYS = ["national:", "region:North", "region:South", "org:a", "org:b", "org:c"]


@pytest.mark.parametrize("where", LEVEL_KEYS)
def test_every_level_round_trips(result: NationalRound, where: str) -> None:
    level, _, key = where.partition(":")
    found = result.level(level, key)  # type: ignore[arg-type]
    assert found is not None
    back = LevelResult.from_json(through_json(found.to_json()))
    assert back == found
    assert back.to_json() == found.to_json()


def test_the_round_covers_what_round_tripping_must_keep(result: NationalRound) -> None:
    """The hand-made round has ranks, distances, withheld characteristics, previous and change, every
    reason, an organisation without a report: so the round trips above exercise each field."""
    levels = every_level(result)
    figures = [level.overall for level in levels] + [s.figure for level in levels for s in level.sections]
    parts = [
        part.figure
        for level in levels
        for section in level.sections
        for breakdown in (*section.breakdowns, *section.characteristics)
        for part in breakdown.parts
    ]
    assert {f.reason for f in figures + parts} == {"", "small", "complementary"}
    assert any(f.change is not None for f in figures)
    assert any(f.agree_pct is not None for f in figures)
    assert any(s.rank is not None and s.vs_region is not None for lv in levels for s in lv.sections)
    assert any(c.withheld for lv in levels for s in lv.sections for c in s.characteristics)
    assert any(not lv.reportable and lv.why_not for lv in levels)
    assert any(lv.overall_rank is not None for lv in levels)
    assert all(lv.previous_label == "2022/23" for lv in levels)


def test_region_rows_round_trip(result: NationalRound) -> None:
    assert result.by_region
    for row in result.by_region:
        assert RegionRow.from_json(through_json(row.to_json())) == row


FIGURES = [
    ("shown", Figure(30, 75.625, "good", "", 70.0, 5.625, 81.25)),
    ("shown, whole numbers", Figure(10, 70.0, "moderate", "")),
    ("a count", Figure(49, None, None, "")),
    ("small", Figure(None, None, None, "small")),
    ("complementary, previous kept", Figure(None, None, None, "complementary", previous=62.5)),
    ("poor, change down", Figure(12, 40.1, "poor", "", 55.5, -15.4)),
]


@pytest.mark.parametrize("figure", [f for _, f in FIGURES], ids=[name for name, _ in FIGURES])
def test_figures_round_trip(figure: Figure) -> None:
    assert Figure.from_json(through_json(figure.to_json())) == figure
    part = Part("children", figure)
    assert Part.from_json(through_json(part.to_json())) == part
    question = QuestionFigure("q1", "I know the framework", figure)
    assert QuestionFigure.from_json(through_json(question.to_json())) == question


def test_whole_number_scores_come_back_as_floats() -> None:
    back = Figure.from_json({**Figure(10, 70.0, "moderate", "").to_json(), "score": 70})
    assert back.score == 70.0 and isinstance(back.score, float)


@pytest.mark.parametrize(
    "thing",
    [
        Rank(12, 151),
        Organisation("la-001", "Barnet", "local_authority", "London"),
        Breakdown("gender", (), "Because of group sizes, differences between groups were not shown locally"),
        Breakdown("service_area", (Part("adults", Figure(21, 100.0, "good", "")),)),
        SectionLevel("s1", "Standard 1", Figure(None, None, None, "small"), (), (), ()),
    ],
    ids=lambda thing: type(thing).__name__,
)
def test_other_types_round_trip(thing: Any) -> None:
    assert type(thing).from_json(through_json(thing.to_json())) == thing


SHOWN = Figure(30, 75.625, "good", "").to_json()
BAD = [
    ("band not a band", Figure, {**SHOWN, "band": "red"}, "band"),
    ("reason not a reason", Figure, {**SHOWN, "reason": "tiny"}, "reason"),
    ("n as text", Figure, {**SHOWN, "n": "30"}, "whole number"),
    ("n a fraction", Figure, {**SHOWN, "n": 30.5}, "whole number"),
    ("score as text", Figure, {**SHOWN, "score": "75"}, "number"),
    ("score true", Figure, {**SHOWN, "score": True}, "number"),
    ("a field missing", Figure, {k: v for k, v in SHOWN.items() if k != "agree_pct"}, "agree_pct"),
    ("rank a fraction", Rank, {"position": 1.5, "of": 3}, "whole numbers"),
    (
        "organisation id a number",
        Organisation,
        {"id": 1, "name": "x", "kind": "other", "region": "y"},
        "text",
    ),
]


@pytest.mark.parametrize(("name", "kind", "data", "words"), BAD, ids=[case[0] for case in BAD])
def test_json_that_is_not_a_result_is_refused(name: str, kind: Any, data: Any, words: str) -> None:
    with pytest.raises((ValueError, KeyError), match=words):
        kind.from_json(data)


def test_a_level_not_a_level_is_refused(result: NationalRound) -> None:
    with pytest.raises(ValueError, match="level"):
        LevelResult.from_json({**result.national.to_json(), "level": "county"})

"""Surveys: answer matching, scoring, bands, suppression, comparisons, distance travelled, definitions
and imports with exact problem locations, and section results as evidence."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from tracker.domain.evidence_input import parse_evidence
from tracker.domain.survey_definitions import parse_surveys
from tracker.domain.survey_evidence import finding_for, section_evidence
from tracker.domain.survey_responses import parse_responses
from tracker.domain.survey_scoring import compare_rounds, distance_travelled, score_round
from tracker.domain.surveys import (
    AGREE5,
    Bands,
    Change,
    DistanceResult,
    Response,
    Scale,
    Section,
    SectionResult,
    SurveyDefinition,
    describe_change,
    rounded_score,
)

WELLBEING = Section(
    id="wellbeing",
    title="Wellbeing",
    questions=(("q1", "I feel supported"), ("q2", "I have the tools I need"), ("q3", "I feel burnt out")),
    reverse=frozenset({"q3"}),
    links=("staff-wellbeing",),
)
SUPERVISION = Section(
    id="supervision",
    title="Supervision",
    questions=(("q4", "My supervision is regular"),),
    links=("staff-wellbeing", "good-supervision"),
)


def survey(min_group_size: int = 10, scale: Scale = AGREE5, **changes: Any) -> SurveyDefinition:
    definition = SurveyDefinition(
        id="health-check",
        title="Health Check",
        scale=scale,
        min_group_size=min_group_size,
        breakdowns=("Service area",),
        sections=(WELLBEING, SUPERVISION),
    )
    return dataclasses.replace(definition, **changes)


def respond(answers: dict[str, str], respondent: str = "", area: str = "", scale: Scale = AGREE5) -> Response:
    """A response from answer labels; questions not given are blank."""
    scored = {q: scale.score(answers.get(q, "")) for q in ("q1", "q2", "q3", "q4")}
    return Response(respondent, scored, {"Service area": area} if area else {})


def many(count: int, answers: dict[str, str], area: str = "", prefix: str = "") -> list[Response]:
    return [respond(answers, f"{prefix}{i}" if prefix else "", area) for i in range(count)]


def result(results: Sequence[SectionResult], section: str) -> SectionResult:
    return next(r for r in results if r.section == section)


# -- the agree5 scale ------------------------------------------------------------------------------

AGREE5_ANSWERS = [
    ("Disagree", 0.0),
    ("Somewhat disagree", 25.0),
    ("Neither agree nor disagree", 50.0),
    ("Somewhat agree", 75.0),
    ("Agree", 100.0),
    ("Strongly disagree", 0.0),
    ("Strongly agree", 100.0),
    ("Neither agree or disagree", 50.0),
    ("  agree ", 100.0),
    ("STRONGLY AGREE", 100.0),
    ("somewhat   disagree", 25.0),
    ("Don't know", None),
    ("don\u2019t know", None),
    ("Not applicable", None),
    ("N/A", None),
    ("n/a", None),
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize(("answer", "score"), AGREE5_ANSWERS)
def test_agree5_scores_answers_case_and_space_insensitively(answer: str, score: float | None) -> None:
    assert AGREE5.id == "agree5"
    assert AGREE5.accepts(answer)
    assert AGREE5.score(answer) == score


@pytest.mark.parametrize("answer", ["Maybe", "Agreed", "5", "Strongly"])
def test_unknown_answers_are_refused_naming_the_allowed_answers(answer: str) -> None:
    assert not AGREE5.accepts(answer)
    with pytest.raises(ValueError, match="expected one of: Disagree, Somewhat disagree") as raised:
        AGREE5.score(answer)
    assert f"'{answer}'" in str(raised.value)
    assert "Don't know" in str(raised.value)


def test_definitions_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        survey().min_group_size = 3  # type: ignore[misc]
    response = respond({"q1": "Agree"})
    with pytest.raises(TypeError):
        response.answers["q1"] = 0.0  # type: ignore[index]


# -- scoring ---------------------------------------------------------------------------------------

SCORING = [
    # (name, answers per respondent, wellbeing score, n, agree_pct)
    ("all agree", [{"q1": "Agree", "q2": "Agree", "q3": "Disagree"}], 100.0, 1, 100.0),
    ("agree and disagree", [{"q1": "Agree", "q2": "Disagree"}], 50.0, 1, 50.0),
    ("reverse item agreed scores 0", [{"q1": "Agree", "q3": "Agree"}], 50.0, 1, 50.0),
    ("reverse item disagreed scores 100", [{"q3": "Strongly disagree"}], 100.0, 1, 100.0),
    ("reverse item somewhat disagree is favourable", [{"q3": "Somewhat disagree"}], 75.0, 1, 100.0),
    ("reverse item neither", [{"q3": "Neither agree nor disagree"}], 50.0, 1, 0.0),
    ("not-scored answers are left out", [{"q1": "Agree", "q2": "Don't know", "q3": "N/A"}], 100.0, 1, 100.0),
    ("somewhat answers", [{"q1": "Somewhat agree", "q2": "Somewhat disagree"}], 50.0, 1, 50.0),
    (
        "mean of question means, not of answers",
        [{"q1": "Agree", "q2": "Disagree"}, {"q1": "Agree"}],
        50.0,
        2,
        200 / 3,
    ),
    (
        "respondents with nothing scored are not in n",
        [{"q1": "Agree"}, {"q1": "Don't know", "q2": ""}, {}],
        100.0,
        1,
        100.0,
    ),
    (
        "question with no scored answers is excluded",
        [{"q1": "Somewhat agree", "q2": "Not applicable"}, {"q1": "Agree"}],
        87.5,
        2,
        100.0,
    ),
    ("nobody answered", [{"q4": "Agree"}], None, 0, None),
]


@pytest.mark.parametrize(
    ("name", "rows", "score", "n", "agree_pct"), SCORING, ids=[case[0] for case in SCORING]
)
def test_section_scores(
    name: str, rows: list[dict[str, str]], score: float | None, n: int, agree_pct: float | None
) -> None:
    results = score_round(survey(min_group_size=1), [respond(row) for row in rows])
    wellbeing = result(results, "wellbeing")
    assert wellbeing.n == n
    assert wellbeing.score == (None if score is None else pytest.approx(score))
    assert wellbeing.agree_pct == (None if agree_pct is None else pytest.approx(agree_pct))
    assert wellbeing.suppressed is (n < 1)


def test_results_follow_the_definition_order() -> None:
    results = score_round(survey(min_group_size=1), [respond({"q1": "Agree", "q4": "Disagree"})])
    assert [(r.section, r.title, r.score) for r in results] == [
        ("wellbeing", "Wellbeing", 100.0),
        ("supervision", "Supervision", 0.0),
    ]


def test_stored_answers_are_not_reversed() -> None:
    responses, problems = parse_responses(
        survey(), ["q1", "q2", "q3", "q4", "Service area"], [["", "", "Agree"]]
    )
    assert problems.total == 0
    assert responses[0].answers["q3"] == 100.0


def test_custom_scale_agree_pct_uses_its_two_highest_scores() -> None:
    scale = Scale("often4", (("Never", 0), ("Sometimes", 40), ("Often", 80), ("Always", 100)), frozenset())
    rows = [{"q1": "Never"}, {"q1": "Sometimes"}, {"q1": "Often"}, {"q1": "Always"}, {"q3": "Sometimes"}]
    responses = [respond(row, scale=scale) for row in rows]
    wellbeing = result(score_round(survey(1, scale), responses), "wellbeing")
    # q1: 2 of 4 answers in the top two; q3 (reverse): 'Sometimes' is among the two lowest, so favourable.
    assert wellbeing.agree_pct == pytest.approx(60.0)
    assert wellbeing.score == pytest.approx((55 + 60) / 2)


# -- bands and rounding ----------------------------------------------------------------------------

BAND_EDGES = [
    # (score, shown, band)
    (100.0, 100, "good"),
    (75.0, 75, "good"),
    (74.5, 75, "good"),
    (74.49999999999999, 75, "good"),
    (74.4, 74, "moderate"),
    (51.0, 51, "moderate"),
    (50.5, 51, "moderate"),
    (50.4, 50, "poor"),
    (50.0, 50, "poor"),
    (0.0, 0, "poor"),
]


@pytest.mark.parametrize(("score", "shown", "band"), BAND_EDGES)
def test_band_edges_round_half_up(score: float, shown: int, band: str) -> None:
    assert rounded_score(score) == shown
    assert Bands().band(shown) == band


EDGE_SCALE = Scale("edges", (("a", 74.5), ("b", 50.5), ("c", 50.4), ("d", 0.0), ("e", 100.0)), frozenset())


@pytest.mark.parametrize(
    ("answer", "score", "shown", "band"),
    [("a", 74.5, 75, "good"), ("b", 50.5, 51, "moderate"), ("c", 50.4, 50, "poor")],
)
def test_band_edges_through_scoring(answer: str, score: float, shown: int, band: str) -> None:
    responses = [respond({"q4": answer}, scale=EDGE_SCALE) for _ in range(10)]
    supervision = result(score_round(survey(scale=EDGE_SCALE), responses), "supervision")
    assert (supervision.score, supervision.rounded, supervision.band) == (score, shown, band)


@pytest.mark.parametrize(
    ("bands", "shown", "band"),
    [(Bands(80, 60), 79, "moderate"), (Bands(80, 60), 80, "good"), (Bands(80, 60), 59, "poor")],
)
def test_bands_are_configurable(bands: Bands, shown: int, band: str) -> None:
    assert bands.band(shown) == band


# -- suppression -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "suppressed"), [(9, True), (10, False), (11, False)])
def test_sections_under_ten_respondents_are_suppressed(count: int, suppressed: bool) -> None:
    wellbeing = result(score_round(survey(), many(count, {"q1": "Agree"})), "wellbeing")
    assert wellbeing.n == count
    assert wellbeing.suppressed is suppressed
    if suppressed:
        assert (wellbeing.score, wellbeing.band, wellbeing.agree_pct, wellbeing.rounded) == (None,) * 4
    else:
        assert (wellbeing.score, wellbeing.band, wellbeing.agree_pct) == (100.0, "good", 100.0)


def test_n_counts_respondents_scored_in_the_section_for_suppression() -> None:
    responses = [*many(9, {"q1": "Agree", "q4": "Agree"}), respond({"q1": "Don't know", "q4": "Agree"})]
    results = score_round(survey(), responses)
    assert result(results, "wellbeing").suppressed
    assert not result(results, "supervision").suppressed


@pytest.mark.parametrize(("minimum", "suppressed"), [(5, False), (6, True)])
def test_minimum_group_size_is_configurable(minimum: int, suppressed: bool) -> None:
    wellbeing = result(score_round(survey(minimum), many(5, {"q1": "Agree"})), "wellbeing")
    assert wellbeing.suppressed is suppressed


def test_breakdown_groups_have_their_own_n_and_suppression() -> None:
    responses = (
        many(10, {"q1": "Agree"}, area="Adults")
        + many(9, {"q1": "Disagree"}, area="Children")
        + [respond({"q1": "Disagree"})]  # no service area given: in the section, in no group
    )
    wellbeing = result(score_round(survey(), responses, by="Service area"), "wellbeing")
    assert wellbeing.n == 20
    assert wellbeing.score == pytest.approx(50.0)
    assert [g.to_json() for g in wellbeing.groups] == [
        {"group": "Adults", "n": 10, "score": 100.0, "band": "good", "suppressed": False},
        {"group": "Children", "n": 9, "score": None, "band": None, "suppressed": True},
    ]


def test_groups_are_suppressed_when_the_whole_section_is() -> None:
    responses = many(5, {"q1": "Agree"}, area="Adults") + many(4, {"q1": "Agree"}, area="Children")
    wellbeing = result(score_round(survey(), responses, by="Service area"), "wellbeing")
    assert wellbeing.suppressed
    assert all(g.suppressed and g.score is None for g in wellbeing.groups)


def test_breaking_down_by_an_undeclared_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a breakdown"):
        score_round(survey(), [], by="Team")


# -- the JSON shape --------------------------------------------------------------------------------


def test_json_shape_of_a_shown_section() -> None:
    responses = many(6, {"q1": "Agree"}, area="Adults") + many(6, {"q1": "Somewhat agree"}, area="Children")
    current = score_round(survey(), responses, by="Service area")
    previous = score_round(survey(), many(10, {"q1": "Neither agree nor disagree"}))
    wellbeing = result(compare_rounds(current, previous, "2022/23"), "wellbeing")
    data = wellbeing.to_json()
    assert data == {
        "section": "wellbeing",
        "n": 12,
        "score": 87.5,
        "band": "good",
        "suppressed": False,
        "agree_pct": 100.0,
        "groups": [
            {"group": "Adults", "n": 6, "score": None, "band": None, "suppressed": True},
            {"group": "Children", "n": 6, "score": None, "band": None, "suppressed": True},
        ],
        "change": {"value": 37.5, "unit": "points", "from_round": "2022/23"},
    }
    assert json.loads(json.dumps(data)) == data


def test_json_shape_of_a_suppressed_section_has_null_scores() -> None:
    wellbeing = result(score_round(survey(), many(9, {"q1": "Agree"})), "wellbeing")
    text = json.dumps(wellbeing.to_json())
    assert json.loads(text) == {
        "section": "wellbeing",
        "n": 9,
        "score": None,
        "band": None,
        "suppressed": True,
        "agree_pct": None,
        "groups": [],
        "change": None,
    }
    assert '"score": null' in text


# -- comparisons -----------------------------------------------------------------------------------

COMPARISONS = [
    # (current count, previous count, change value)
    (10, 10, 25.0),
    (12, 30, 25.0),
    (9, 10, None),
    (10, 9, None),
    (9, 9, None),
]


@pytest.mark.parametrize(("now", "before", "change"), COMPARISONS)
def test_change_only_when_both_rounds_meet_the_minimum(now: int, before: int, change: float | None) -> None:
    current = score_round(survey(), many(now, {"q1": "Agree"}))
    previous = score_round(survey(), many(before, {"q1": "Somewhat agree"}))
    wellbeing = result(compare_rounds(current, previous, "2022/23"), "wellbeing")
    if change is None:
        assert wellbeing.change is None
    else:
        assert wellbeing.change == Change(change, "2022/23")
        assert wellbeing.change.describe() == "up 25 points"
    assert (wellbeing.n, wellbeing.score) == (
        result(current, "wellbeing").n,
        result(current, "wellbeing").score,
    )


def test_a_section_new_this_round_has_no_change() -> None:
    current = score_round(survey(), many(10, {"q1": "Agree", "q4": "Agree"}))
    previous = score_round(survey(sections=(WELLBEING,)), many(10, {"q1": "Agree"}))
    compared = compare_rounds(current, previous, "2022/23")
    assert result(compared, "wellbeing").change == Change(0.0, "2022/23")
    assert result(compared, "supervision").change is None


def test_change_is_current_minus_previous_unrounded() -> None:
    current = (SectionResult("s", "S", 10, 70.4, "moderate", False, 50.0),)
    previous = (SectionResult("s", "S", 10, 75.2, "good", False, 60.0),)
    change = compare_rounds(current, previous, "2023")[0].change
    assert change is not None
    assert change.value == pytest.approx(-4.8)
    assert change.describe() == "broadly unchanged"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0.0, "broadly unchanged"),
        (4.9, "broadly unchanged"),
        (-4.9, "broadly unchanged"),
        (4.94, "broadly unchanged"),
        (4.96, "up 5 points"),
        (5.0, "up 5 points"),
        (-5.0, "down 5 points"),
        (5.25, "up 5.3 points"),
        (-12.0, "down 12 points"),
        (37.5, "up 37.5 points"),
    ],
)
def test_describe_change(value: float, words: str) -> None:
    assert describe_change(value) == words


# -- distance travelled ----------------------------------------------------------------------------


def test_paired_distance_travelled_counts_pairs() -> None:
    pre = [
        *many(10, {"q1": "Somewhat disagree", "q3": "Agree"}, prefix="p"),
        respond({"q1": "Agree"}, "left"),
    ]
    post = [
        *many(10, {"q1": "Somewhat agree", "q3": "Somewhat disagree"}, prefix="p"),
        respond({"q1": "Disagree"}, "joined"),
        respond({"q1": "Agree"}),  # no id: never paired
    ]
    wellbeing, supervision = distance_travelled(survey(), pre, post)
    # Each pair: pre mean(25, 0) = 12.5, post mean(75, 75) = 75, so +62.5.
    assert wellbeing == DistanceResult("wellbeing", "paired", 10, 62.5, False, 11, 12)
    assert supervision == DistanceResult("supervision", "paired", 0, None, True, 0, 0)
    assert wellbeing.to_json()["unit"] == "points"


def test_paired_distance_under_ten_pairs_is_suppressed() -> None:
    pre = many(9, {"q1": "Disagree"}, prefix="p") + many(5, {"q1": "Disagree"}, prefix="x")
    post = many(9, {"q1": "Agree"}, prefix="p") + many(5, {"q1": "Agree"}, prefix="y")
    wellbeing = distance_travelled(survey(), pre, post)[0]
    assert (wellbeing.kind, wellbeing.pairs, wellbeing.value, wellbeing.suppressed) == (
        "paired",
        9,
        None,
        True,
    )


def test_pairs_need_a_scored_answer_in_the_section_in_both_rounds() -> None:
    pre = many(10, {"q1": "Disagree"}, prefix="p")
    post = [*many(9, {"q1": "Agree"}, prefix="p"), respond({"q1": "Don't know"}, "p9")]
    wellbeing = distance_travelled(survey(), pre, post)[0]
    assert (wellbeing.pairs, wellbeing.suppressed) == (9, True)


@pytest.mark.parametrize(("pre_count", "post_count", "value"), [(10, 12, 50.0), (9, 12, None), (10, 9, None)])
def test_unpaired_rounds_are_a_cohort_comparison(
    pre_count: int, post_count: int, value: float | None
) -> None:
    pre = many(pre_count, {"q1": "Somewhat disagree"})
    post = many(post_count, {"q1": "Somewhat agree"})
    wellbeing = distance_travelled(survey(), pre, post)[0]
    assert wellbeing == DistanceResult("wellbeing", "cohort", 0, value, value is None, pre_count, post_count)


def test_a_round_without_ids_makes_it_a_cohort_comparison() -> None:
    pre = many(10, {"q1": "Disagree"}, prefix="p")
    post = many(10, {"q1": "Agree"})
    assert distance_travelled(survey(), pre, post)[0].kind == "cohort"


# -- definitions from the framework YAML -----------------------------------------------------------

OUTCOMES = frozenset({"staff-wellbeing", "good-supervision"})
TAKEN = OUTCOMES | {"theme-1", "workforce"}


def raw_surveys() -> list[dict[str, Any]]:
    """What yaml.safe_load gives for a valid `surveys:` key."""
    return [
        {
            "id": "health-check",
            "title": "Employer Standards Health Check",
            "scale": "agree5",
            "breakdowns": ["Service area"],
            "sections": [
                {
                    "id": "wellbeing",
                    "title": "Standard 4 - Wellbeing",
                    "questions": {"q1": "I feel supported", "q2": "I feel burnt out"},
                    "reverse": ["q2"],
                    "links": ["staff-wellbeing"],
                },
                {
                    "id": "supervision",
                    "title": "Standard 5 - Supervision",
                    "questions": {"q3": "My supervision is regular"},
                    "links": ["good-supervision", "staff-wellbeing"],
                },
            ],
        },
        {
            "id": "consultants",
            "title": "Teaching Consultants",
            "min_group_size": 5,
            "bands": {"good": 80, "moderate": 60},
            "scale": {
                "id": "often4",
                "options": [
                    {"label": "Never", "score": 0},
                    {"label": "Sometimes", "score": 40},
                    {"label": "Often", "score": 80},
                    {"label": "Always", "score": 100},
                ],
                "not_scored": ["Can't say"],
            },
            "sections": [
                {"id": "confidence", "title": "Confidence", "questions": {"c1": "I feel confident"}}
            ],
        },
    ]


def test_valid_definitions_are_parsed() -> None:
    surveys, problems = parse_surveys(raw_surveys(), OUTCOMES, TAKEN)
    assert problems == []
    health, consultants = surveys
    assert health == SurveyDefinition(
        id="health-check",
        title="Employer Standards Health Check",
        scale=AGREE5,
        breakdowns=("Service area",),
        sections=(
            Section(
                "wellbeing",
                "Standard 4 - Wellbeing",
                (("q1", "I feel supported"), ("q2", "I feel burnt out")),
                frozenset({"q2"}),
                ("staff-wellbeing",),
            ),
            Section(
                "supervision",
                "Standard 5 - Supervision",
                (("q3", "My supervision is regular"),),
                frozenset(),
                ("good-supervision", "staff-wellbeing"),
            ),
        ),
    )
    assert (health.min_group_size, health.bands) == (10, Bands(75, 51))
    assert consultants.min_group_size == 5
    assert consultants.bands == Bands(80, 60)
    assert consultants.scale == Scale(
        "often4",
        (("Never", 0.0), ("Sometimes", 40.0), ("Often", 80.0), ("Always", 100.0)),
        frozenset({"Can't say"}),
    )
    assert consultants.scale.score("can't SAY") is None


@pytest.mark.parametrize("raw", [None, []])
def test_no_surveys(raw: object) -> None:
    assert parse_surveys(raw, OUTCOMES, TAKEN) == ((), [])


def _set(raw: list[dict[str, Any]], path: str, value: Any) -> list[dict[str, Any]]:
    """A copy with `value` at a path such as '0.sections.1.reverse' (or deleted when value is DELETE)."""
    raw = copy.deepcopy(raw)
    *parents, last = path.split(".")
    node: Any = raw
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return raw


DELETE = object()

PROBLEMS = [
    # (change: (path in raw, new value), problem path, words the message must contain)
    (("0.colour", "blue"), "surveys[0].colour", ["unknown key 'colour'", "known:"]),
    (("0.titel", "x"), "surveys[0].titel", ["unknown key 'titel'; did you mean 'title'?"]),
    (("0.sections.0.reverse", ["q9"]), "surveys[0].sections[0].reverse[0]", ["unknown question 'q9'"]),
    (
        ("0.sections.1.reverse", ["q1"]),
        "surveys[0].sections[1].reverse[0]",
        ["question of section 'wellbeing'"],
    ),
    (("0.sections.0.reverse", ["q2", "q2"]), "surveys[0].sections[0].reverse[1]", ["listed twice"]),
    (
        ("0.sections.1.links", ["good-supervision", "staff-wellbeeing"]),
        "surveys[0].sections[1].links[1]",
        ["unknown outcome 'staff-wellbeeing'", "did you mean 'staff-wellbeing'"],
    ),
    (("0.sections.0.links", ["workforce"]), "surveys[0].sections[0].links[0]", ["not an outcome"]),
    (("1.id", "health-check"), "surveys[1].id", ["'health-check' is already used by surveys[0]"]),
    (
        ("1.sections.0.id", "wellbeing"),
        "surveys[1].sections[0].id",
        ["already used by surveys[0].sections[0]"],
    ),
    (("0.sections.1.id", "health-check"), "surveys[0].sections[1].id", ["already used by surveys[0]"]),
    (("0.sections.0.id", "theme-1"), "surveys[0].sections[0].id", ["another element of the framework"]),
    (("0.id", "Health Check"), "surveys[0].id", ["not a valid id"]),
    (
        ("0.sections.1.questions", {"q1": "Again"}),
        "surveys[0].sections[1].questions.q1",
        ["already in section 'wellbeing'"],
    ),
    (
        ("0.sections.1.questions", {"Q 3": "Bad id"}),
        "surveys[0].sections[1].questions.Q 3",
        ["not a valid id"],
    ),
    (("0.sections.1.questions", {"q3": ""}), "surveys[0].sections[1].questions.q3", ["must not be empty"]),
    (("0.sections.1.questions", ["q3"]), "surveys[0].sections[1].questions", ["mapping of question id"]),
    (("0.sections.1.questions", {}), "surveys[0].sections[1].questions", ["at least one question"]),
    (("0.sections", []), "surveys[0].sections", ["at least one section"]),
    (("0.title", DELETE), "surveys[0]", ["missing required key 'title'"]),
    (("0.sections.0.questions", DELETE), "surveys[0].sections[0]", ["missing required key 'questions'"]),
    (("0.title", 2024), "surveys[0].title", ["expected text", "put it in quotes"]),
    (("1.bands", {"good": 50, "moderate": 60}), "surveys[1].bands.good", ["must be more than moderate"]),
    (
        ("1.bands", {"moderate": 80}),
        "surveys[1].bands.moderate",
        ["good (75) must be more than moderate (80)"],
    ),
    (("1.bands", {"good": 120}), "surveys[1].bands.good", ["between 0 and 100", "120"]),
    (("1.bands", {"good": "high"}), "surveys[1].bands.good", ["expected a number"]),
    (("1.bands", {"amber": 60}), "surveys[1].bands.amber", ["unknown key 'amber'"]),
    (("0.scale", "agree7"), "surveys[0].scale", ["unknown scale 'agree7'", "did you mean 'agree5'"]),
    (("0.scale", ["agree5"]), "surveys[0].scale", ["expected a scale id"]),
    (("1.scale.id", "agree5"), "surveys[1].scale.id", ["built-in scale"]),
    (("1.scale.options.1.label", "NEVER"), "surveys[1].scale.options[1].label", ["already an answer"]),
    (("1.scale.options.0.score", 120), "surveys[1].scale.options[0].score", ["between 0 and 100"]),
    (("1.scale.options.0.score", True), "surveys[1].scale.options[0].score", ["expected a number"]),
    (("1.scale.options.0.lable", 1), "surveys[1].scale.options[0].lable", ["did you mean 'label'"]),
    (
        ("1.scale.options", [{"label": "Yes", "score": 100}, {"label": "No", "score": 0}]),
        "surveys[1].scale.options",
        ["at least 3 different scores"],
    ),
    (
        ("1.scale.not_scored", ["always"]),
        "surveys[1].scale.not_scored[0]",
        ["already an answer (surveys[1].scale.options[3])"],
    ),
    (("1.min_group_size", 0), "surveys[1].min_group_size", ["at least 1"]),
    (("1.min_group_size", "ten"), "surveys[1].min_group_size", ["expected a whole number"]),
    (("1.min_group_size", 9.5), "surveys[1].min_group_size", ["expected a whole number"]),
    (("0.breakdowns", ["Service area", "service AREA"]), "surveys[0].breakdowns[1]", ["listed twice"]),
    (("0.breakdowns", ["Respondent"]), "surveys[0].breakdowns[0]", ["reserved column"]),
    (("0.breakdowns", ["Q1"]), "surveys[0].breakdowns[0]", ["is a question id"]),
    (("0.breakdowns", ["Team", " "]), "surveys[0].breakdowns[1]", ["must not be empty"]),
    (("0.breakdowns", "Service area"), "surveys[0].breakdowns", ["expected a list"]),
    (("0", "health-check"), "surveys[0]", ["expected a mapping"]),
]


def _exists(raw: object, path: str) -> bool:
    """Whether a problem path names a real key or index of the raw structure."""
    node: Any = {"surveys": raw}
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(node, list) or index >= len(node):
                return False
            node = node[index]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return True


@pytest.mark.parametrize(("change", "path", "words"), PROBLEMS, ids=[case[1] for case in PROBLEMS])
def test_definition_problems_name_the_exact_path(
    change: tuple[str, Any], path: str, words: list[str]
) -> None:
    raw = _set(raw_surveys(), *change)
    _, problems = parse_surveys(raw, OUTCOMES, TAKEN)
    assert [p for p, _ in problems] == [path], problems
    for word in words:
        assert word in problems[0][1]
    assert _exists(raw, path)


def test_surveys_must_be_a_list() -> None:
    assert parse_surveys({"id": "x"}, OUTCOMES, TAKEN) == (
        (),
        [("surveys", "expected a list, found a mapping")],
    )


def test_every_problem_is_reported_at_once() -> None:
    raw = _set(_set(raw_surveys(), "0.colour", 1), "1.bands", {"good": 10, "moderate": 20})
    raw = _set(raw, "0.sections.0.links", ["nowhere"])
    _, problems = parse_surveys(raw, OUTCOMES, TAKEN)
    assert sorted(p for p, _ in problems) == [
        "surveys[0].colour",
        "surveys[0].sections[0].links[0]",
        "surveys[1].bands.good",
    ]


# -- responses from a spreadsheet ------------------------------------------------------------------

HEADER = ["respondent", "q1", "q2", "q3", "q4", "Service area"]


def test_responses_are_read() -> None:
    rows = [
        ["r1", "Agree", " somewhat DISAGREE ", "", "Don't know", "Adults"],
        ["", "", "", "", "", ""],
        ["r2", "Strongly agree", "N/A"],
        ["", "Disagree", "Agree", "Agree", "Agree", "  "],
    ]
    header = ["\ufeffRespondent", "Q1", "q2", " q3 ", "q4", "service area"]
    responses, problems = parse_responses(survey(), header, rows)
    assert problems.total == 0
    assert responses == (
        Response("r1", {"q1": 100.0, "q2": 25.0, "q3": None, "q4": None}, {"Service area": "Adults"}),
        Response("r2", {"q1": 100.0, "q2": None, "q3": None, "q4": None}, {}),
        Response("", {"q1": 0.0, "q2": 100.0, "q3": 100.0, "q4": 100.0}, {}),
    )


def test_the_respondent_column_is_optional() -> None:
    responses, problems = parse_responses(survey(), HEADER[1:], [["Agree", "", "", "", "Adults"]])
    assert problems.total == 0
    assert responses[0].respondent == ""


IMPORT_PROBLEMS = [
    # (header, rows, [(row, column), ...], words the first message must contain)
    (
        HEADER,
        [["r1", "Agree", "", "", "", "A"], ["r2", "Agree", "Maybe", "", "", "A"]],
        (3, "q2"),
        ["'Maybe' is not an answer", "expected one of: Disagree, Somewhat disagree", "Don't know"],
    ),
    (
        [*HEADER, "colour"],
        [["r1", "Agree", "", "", "", "A", "blue"]],
        (1, "colour"),
        ["unknown column 'colour'"],
    ),
    (
        [*HEADER[:-1], "Service aera"],
        [["r1", "Agree", "", "", "", "A"]],
        [(1, "Service aera"), (1, "Service area")],
        ["unknown column", "did you mean 'Service area'"],
    ),
    (
        [h for h in HEADER if h != "q3"],
        [["r1", "Agree", "", "", "A"]],
        (1, "q3"),
        ["missing column 'q3'", "I feel burnt out"],
    ),
    (
        HEADER[:-1],
        [["r1", "Agree", "", "", ""]],
        (1, "Service area"),
        ["missing breakdown column"],
    ),
    (
        [*HEADER, "Q1"],
        [["r1", "Agree", "", "", "", "A", "Agree"]],
        (1, "Q1"),
        ["appears twice (columns B and G)"],
    ),
    (
        [*HEADER, ""],
        [["r1", "Agree", "", "", "", "A", "Agree"]],
        (1, "G"),
        ["no heading"],
    ),
    (
        HEADER,
        [["r1", "Agree", "", "", "", "A", "", "stray"]],
        (2, "H"),
        ["beyond the 6 headed columns"],
    ),
    (
        HEADER,
        [
            ["r1", "Agree", "", "", "", "A"],
            ["r2", "Agree", "", "", "", "A"],
            ["r1", "Agree", "", "", "", "A"],
        ],
        (4, "respondent"),
        ["respondent 'r1' is already on row 2"],
    ),
    (HEADER, [["", "", "", "", "", ""]], (2, ""), ["no responses"]),
    (["", " "], [], (1, ""), ["no header row"]),
]


@pytest.mark.parametrize(
    ("header", "rows", "where", "words"), IMPORT_PROBLEMS, ids=[str(c[2]) for c in IMPORT_PROBLEMS]
)
def test_import_problems_name_row_and_column_and_import_nothing(
    header: list[str], rows: list[list[str]], where: tuple[int, str] | list[tuple[int, str]], words: list[str]
) -> None:
    responses, problems = parse_responses(survey(), header, rows)
    assert responses == ()
    expected = where if isinstance(where, list) else [where]
    first = problems.first()
    assert [(row, column) for row, column, _ in first] == expected, first
    assert problems.total == len(expected)
    for word in words:
        assert word in first[0].message


def test_one_bad_cell_among_good_rows_imports_nothing_and_all_bad_cells_are_reported() -> None:
    good = [[f"r{i}", "Agree", "Agree", "Disagree", "Agree", "A"] for i in range(20)]
    rows = [*good, ["x", "Agreed", "", "", "Yes", "A"]]
    responses, problems = parse_responses(survey(), HEADER, rows)
    assert responses == ()
    assert [(row, column) for row, column, _ in problems.first()] == [(22, "q1"), (22, "q4")]


# -- evidence from results -------------------------------------------------------------------------

FINDINGS = [
    # (band, change, finding)
    ("good", None, "supports"),
    ("good", 4.9, "supports"),
    ("moderate", 5.0, "supports"),
    ("moderate", None, "no_change"),
    ("moderate", 4.9, "no_change"),
    ("moderate", -4.9, "no_change"),
    ("moderate", -5.0, "contradicts"),
    ("poor", None, "contradicts"),
    ("poor", 3.0, "contradicts"),
    ("good", -5.0, "mixed"),
    ("poor", 6.0, "mixed"),
    (None, 10.0, ""),
]


@pytest.mark.parametrize(("band", "change", "finding"), FINDINGS)
def test_finding_from_band_and_change(band: Any, change: float | None, finding: str) -> None:
    assert finding_for(band, change) == finding


def test_section_evidence_fields_pass_the_evidence_checks() -> None:
    current = score_round(survey(), many(12, {"q1": "Agree", "q4": "Somewhat agree"}))
    previous = score_round(survey(), many(10, {"q1": "Somewhat agree", "q4": "Somewhat agree"}))
    supervision = result(compare_rounds(current, previous, "2022/23"), "supervision")
    fields = section_evidence(survey(), supervision, "2023/24", population=40)
    assert fields == {
        "title": "Health Check: Supervision (2023/24)",
        "summary": "Supervision in Health Check 2023/24 scored 75 out of 100 (good) from 12 respondents "
        "of 40; 100% of answers agreed. Broadly unchanged since 2022/23.",
        "source_type": "survey",
        "links": "staff-wellbeing;good-supervision",
        "finding": "supports",
        "respondents": "12",
        "population": "40",
        "collection": "health-check:2023/24",
        "group": "respondents",
    }
    linkable = {"staff-wellbeing": "outcome", "good-supervision": "outcome"}
    checked, problems = parse_evidence(
        {**fields, "collected_on": "2024-03-28"}, linkable, frozenset(), date(2024, 6, 1)
    )
    assert problems == []
    assert checked is not None and checked.collection == "health-check:2023/24"


def test_section_evidence_judges_a_given_change() -> None:
    moderate = result(
        score_round(survey(), many(10, {"q1": "Somewhat agree", "q2": "Neither agree nor disagree"})),
        "wellbeing",
    )
    assert moderate.band == "moderate"
    assert section_evidence(survey(), moderate, "final", change=None)["finding"] == "no_change"
    fields = section_evidence(survey(), moderate, "final", change=-8.0)
    assert fields["finding"] == "contradicts"
    assert fields["summary"].endswith("Down 8 points.")
    assert fields["population"] == ""


def test_suppressed_sections_give_no_finding() -> None:
    wellbeing = result(score_round(survey(), many(9, {"q1": "Agree"})), "wellbeing")
    fields = section_evidence(survey(), wellbeing, "2023/24", population=40, change=12.0)
    assert fields["finding"] == ""
    assert "fewer than 10 responses" in fields["summary"]
    assert "100" not in fields["summary"]
    assert fields["respondents"] == "9"

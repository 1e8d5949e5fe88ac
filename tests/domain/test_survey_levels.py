"""Survey results at national, region and organisation level: a hand-made round checked figure by figure
(n, score, band, suppression and why, ranks, distances, previous round), and equality with `score_round`.

The round: three local authorities, "a" (9 respondents, North), "b" (10, North) and "c" (30, South).
- a: 9 adults, all women, every answer the most favourable (100).
- b: 5 adults and 5 children, all women: q1 75, q2 50, q3 75, q4 (reverse) 100 twice and 75 eight
  times, q5 50, so Standard 1 is 62.5, Standard 2 77.5, Workplace 50 and overall 70.
- c: 21 adults answering 100 everywhere; 9 children answering q1 0, q2 25, q3 50, q4 0, q5 25; genders
  woman 12 (adults), man 10 (9 adults, 1 child), not stated 8 (children); professions 25 social
  workers and 5 occupational therapists. Standard 1 73.75, Standard 2 77.5, Workplace 77.5, overall 75.625.
The previous round: b's 10 answering 75 everywhere, c's 9 (too few) answering 100.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from tracker.domain.survey_levels import (
    Breakdown,
    Figure,
    LevelResult,
    NationalRound,
    Organisation,
    Rank,
    national_round,
    overall_text,
    suppressed_text,
)
from tracker.domain.survey_scoring import score_round
from tracker.domain.surveys import AGREE5, Response, Scale, Section, SurveyDefinition, rounded_score

S1 = Section("s1", "Standard 1", (("q1", "I know the framework"), ("q2", "It is used")))
S2 = Section(
    "s2", "Standard 2", (("q3", "Workloads are safe"), ("q4", "I have too many cases")), frozenset({"q4"})
)
WX = Section("wx", "Workplace experiences", (("q5", "I am treated fairly"),))
DEFINITION = SurveyDefinition(
    id="health-check",
    title="Health Check",
    scale=AGREE5,
    breakdowns=("service_area",),
    sections=(S1, S2, WX),
    organisations=True,
    characteristics=("gender",),
    overall=("s1", "s2"),
)
ORGS = (
    Organisation("c", "Southtown Council", "local_authority", "South"),
    Organisation("a", "Avon Council", "local_authority", "North"),
    Organisation("b", "Beckside Council", "local_authority", "North"),
)
SCORE = {
    0: "Disagree",
    25: "Somewhat disagree",
    50: "Neither agree nor disagree",
    75: "Somewhat agree",
    100: "Agree",
}
TOP = {"q1": 100, "q2": 100, "q3": 100, "q4": 0, "q5": 100}  # q4 is reversed: 0 scores 100
B_MOST = {"q1": 75, "q2": 50, "q3": 75, "q4": 25, "q5": 50}
B_TWO = {**B_MOST, "q4": 0}
C_CHILD = {"q1": 0, "q2": 25, "q3": 50, "q4": 100, "q5": 25}
ALL_75 = {"q1": 75, "q2": 75, "q3": 75, "q4": 25, "q5": 75}


def row(
    org: str, answers: dict[str, int], area: str = "", gender: str = "", job: str = "social_worker"
) -> Response:
    groups = {"org": org, "service_area": area, "gender": gender, "profession": job}
    scored = {qid: AGREE5.score(SCORE[value]) for qid, value in answers.items()}
    return Response("", scored, {name: value for name, value in groups.items() if value})


def current_rows() -> list[Response]:
    rows = [row("a", TOP, "adults", "woman") for _ in range(9)]
    rows += [row("b", B_TWO, "adults", "woman") for _ in range(2)]
    rows += [row("b", B_MOST, "adults", "woman") for _ in range(3)]
    rows += [row("b", B_MOST, "children", "woman") for _ in range(5)]
    rows += [row("c", TOP, "adults", "woman") for _ in range(12)]
    rows += [row("c", TOP, "adults", "man") for _ in range(4)]
    rows += [row("c", TOP, "adults", "man", "occupational_therapist") for _ in range(5)]
    rows += [row("c", C_CHILD, "children", "man")]
    rows += [row("c", C_CHILD, "children") for _ in range(8)]
    return rows


def previous_rows() -> list[Response]:
    return [row("b", ALL_75, "adults", "woman") for _ in range(10)] + [
        row("c", TOP, "adults") for _ in range(9)
    ]


@pytest.fixture(scope="module")
def result() -> NationalRound:
    return national_round(
        DEFINITION, ORGS, current_rows(), previous_rows(), round_label="2023/24", previous_label="2022/23"
    )


def level_of(result: NationalRound, where: str) -> LevelResult:
    """'national', 'region:North' or 'org:b'."""
    kind, _, key = where.partition(":")
    found = result.level(kind, key)  # type: ignore[arg-type]
    assert found is not None
    return found


def figure_of(level: LevelResult, name: str) -> Figure:
    """'completed', 'overall', a section id or 'section/question'."""
    if name == "completed":
        return level.completed
    if name == "overall":
        return level.overall
    section_id, _, question = name.partition("/")
    section = level.section(section_id)
    assert section is not None
    if not question:
        return section.figure
    return next(q.figure for q in section.questions if q.question == question)


# -- every figure of the hand-made round --------------------------------------------------------------

N = 49  # respondents nationally; North 19
FIGURES = [
    # (level, figure, n, score, shown, band)
    ("national", "completed", 49, None, None, None),
    ("national", "s1/q1", 49, 3750 / 49, 77, "good"),
    ("national", "s1/q2", 49, 3725 / 49, 76, "good"),
    ("national", "s1", 49, (3750 / 49 + 3725 / 49) / 2, 76, "good"),
    ("national", "s2/q3", 49, 4200 / 49, 86, "good"),
    ("national", "s2/q4", 49, 3800 / 49, 78, "good"),
    ("national", "s2", 49, (4200 / 49 + 3800 / 49) / 2, 82, "good"),
    ("national", "wx", 49, 3725 / 49, 76, "good"),
    ("national", "overall", 49, ((3750 + 3725) / 98 + (4200 + 3800) / 98) / 2, 79, "good"),
    # North's are suppressed (North minus b is a's 9: see test_north_minus_b_would_show_a), and so South's
    # are (the nation minus South would be North: see test_the_nation_minus_south_would_show_north)
    ("org:b", "completed", 10, None, None, None),
    ("org:b", "s1/q1", 10, 75.0, 75, "good"),
    ("org:b", "s1/q2", 10, 50.0, 50, "poor"),
    ("org:b", "s1", 10, 62.5, 63, "moderate"),
    ("org:b", "s2/q4", 10, 80.0, 80, "good"),
    ("org:b", "s2", 10, 77.5, 78, "good"),
    ("org:b", "wx", 10, 50.0, 50, "poor"),
    ("org:b", "overall", 10, 70.0, 70, "moderate"),
    ("org:c", "completed", 30, None, None, None),
    ("org:c", "s1/q1", 30, 70.0, 70, "moderate"),
    ("org:c", "s1/q2", 30, 77.5, 78, "good"),
    ("org:c", "s1", 30, 73.75, 74, "moderate"),
    ("org:c", "s2/q3", 30, 85.0, 85, "good"),
    ("org:c", "s2/q4", 30, 70.0, 70, "moderate"),
    ("org:c", "s2", 30, 77.5, 78, "good"),
    ("org:c", "wx", 30, 77.5, 78, "good"),
    ("org:c", "overall", 30, 75.625, 76, "good"),
]


@pytest.mark.parametrize(("where", "name", "n", "score", "shown", "band"), FIGURES)
def test_every_shown_figure(
    result: NationalRound,
    where: str,
    name: str,
    n: int,
    score: float | None,
    shown: int | None,
    band: str | None,
) -> None:
    figure = figure_of(level_of(result, where), name)
    assert (figure.n, figure.reason, figure.suppressed, figure.band) == (n, "", False, band)
    assert figure.score == (None if score is None else pytest.approx(score, abs=1e-12))
    assert (None if figure.score is None else rounded_score(figure.score)) == shown


@pytest.mark.parametrize("name", ["completed", "s1", "s1/q1", "s2", "s2/q4", "wx", "overall"])
def test_an_organisation_of_nine_has_every_figure_suppressed_and_no_report(
    result: NationalRound, name: str
) -> None:
    a = level_of(result, "org:a")
    assert (a.reportable, a.overall_rank, a.overall_vs_region, a.overall_vs_national) == (
        False,
        None,
        None,
        None,
    )
    assert a.why_not.startswith("Fewer than 10 people completed the Health Check in Avon Council")
    assert figure_of(a, name) == Figure(None, None, None, "small")
    assert all(s.rank is None and s.vs_region is None and s.vs_national is None for s in a.sections)


@pytest.mark.parametrize("where", ["national", "region:North", "region:South", "org:b", "org:c"])
def test_organisations_of_ten_or_more_and_every_region_are_reportable(
    result: NationalRound, where: str
) -> None:
    level = level_of(result, where)
    assert (level.reportable, level.why_not) == (True, "")


def test_levels_names_and_order(result: NationalRound) -> None:
    assert (result.national.level, result.national.key, result.national.name) == ("national", "", "National")
    assert list(result.regions) == ["North", "South"]
    assert list(result.orgs) == ["a", "b", "c"]
    assert result.orgs["c"].organisation == ORGS[0]
    assert (result.orgs["c"].name, result.regions["South"].name) == ("Southtown Council", "South")
    assert (result.round_label, result.previous_label, result.definition_id) == (
        "2023/24",
        "2022/23",
        "health-check",
    )
    assert (result.national.round_label, result.orgs["b"].previous_label) == ("2023/24", "2022/23")
    assert result.level("region", "Nowhere") is None
    assert result.level("org", "zz") is None


def test_overall_is_the_mean_of_the_overall_sections_only(result: NationalRound) -> None:
    c = level_of(result, "org:c")
    assert c.overall.score == pytest.approx((73.75 + 77.5) / 2)
    assert overall_text(c.overall.score or 0) == "75.6"
    assert overall_text(level_of(result, "org:b").overall.score or 0) == "70"


# -- breakdowns: suppression, complementary suppression, withheld characteristics -------------------------

PARTS = [
    # (level, figure, breakdown, [(value, n, reason)])
    ("org:c", "s1", "service_area", [("adults", None, "complementary"), ("children", None, "small")]),
    ("org:c", "completed", "service_area", [("adults", None, "complementary"), ("children", None, "small")]),
    ("org:c", "overall", "service_area", [("adults", None, "complementary"), ("children", None, "small")]),
    (
        "org:c",
        "completed",
        "profession",
        [("occupational_therapist", None, "small"), ("social_worker", None, "complementary")],
    ),
    ("org:b", "s1", "service_area", [("adults", None, "small"), ("children", None, "small")]),
    ("org:b", "s1", "gender", [("woman", 10, "")]),
    ("org:b", "completed", "profession", [("social_worker", 10, "")]),
    ("org:a", "completed", "service_area", [("adults", None, "small")]),
    ("org:a", "s1", "gender", []),
    ("region:North", "s2", "service_area", [("adults", None, "complementary"), ("children", None, "small")]),
    ("region:North", "s2", "gender", [("woman", None, "complementary")]),  # 19 women, b's 10 shown
    # South is c alone, but a region shows characteristics: the 8 "not stated" are small, the 10 men next;
    # the 12 women go as the nation's 31 women's other part than North's 19 (suppressed)
    ("region:South", "s1", "gender", [("man", None, "complementary"), ("woman", None, "complementary")]),
    ("region:South", "overall", "gender", [("man", None, "complementary"), ("woman", None, "complementary")]),
    ("national", "completed", "service_area", [("adults", 35, ""), ("children", 14, "")]),
    ("national", "s1", "service_area", [("adults", 35, ""), ("children", 14, "")]),
    ("national", "overall", "service_area", [("adults", 35, ""), ("children", 14, "")]),
    ("national", "wx", "gender", [("man", None, "complementary"), ("woman", 31, "")]),
    (
        "national",
        "completed",
        "profession",
        [("occupational_therapist", None, "small"), ("social_worker", None, "complementary")],
    ),
]


def breakdown_of(level: LevelResult, name: str, breakdown: str) -> Breakdown:
    if name == "completed":
        options: Sequence[Breakdown] = level.completed_by
    elif name == "overall":
        options = (*level.overall_breakdowns, *level.overall_characteristics)
    else:
        section = level.section(name)
        assert section is not None
        options = (*section.breakdowns, *section.characteristics)
    return next(b for b in options if b.name == breakdown)


@pytest.mark.parametrize(("where", "name", "breakdown", "parts"), PARTS)
def test_breakdown_parts_and_why_they_are_suppressed(
    result: NationalRound, where: str, name: str, breakdown: str, parts: list[tuple[str, int | None, str]]
) -> None:
    found = breakdown_of(level_of(result, where), name, breakdown)
    assert [(p.value, p.figure.n, p.figure.reason) for p in found.parts] == parts
    for part in found.parts:
        if part.figure.suppressed:
            assert (part.figure.n, part.figure.score, part.figure.band, part.figure.change) == (
                None,
                None,
                None,
                None,
            )
        elif name != "completed":
            assert part.figure.score is not None and part.figure.band is not None
        else:
            assert part.figure.score is None


PART_SCORES = [
    # (level, figure, breakdown, value, score)
    (
        "national",
        "s1",
        "service_area",
        "adults",
        ((900 + 150 + 225 + 2100) / 35 + (900 + 250 + 2100) / 35) / 2,
    ),
    ("national", "s1", "service_area", "children", ((375 + 0) / 14 + (250 + 225) / 14) / 2),
    ("national", "wx", "gender", "woman", (900 + 500 + 1200) / 31),
    ("org:b", "s2", "gender", "woman", 77.5),
]


@pytest.mark.parametrize(("where", "name", "breakdown", "value", "score"), PART_SCORES)
def test_shown_part_scores(
    result: NationalRound, where: str, name: str, breakdown: str, value: str, score: float
) -> None:
    part = next(p for p in breakdown_of(level_of(result, where), name, breakdown).parts if p.value == value)
    assert part.figure.score == pytest.approx(score, abs=1e-12)


def test_national_overall_by_service_area_is_the_mean_of_the_standards_by_service_area(
    result: NationalRound,
) -> None:
    overall = {
        p.value: p.figure.score for p in breakdown_of(result.national, "overall", "service_area").parts
    }
    by_section = [
        {p.value: p.figure.score for p in breakdown_of(result.national, sid, "service_area").parts}
        for sid in ("s1", "s2")
    ]
    for area in ("adults", "children"):
        assert overall[area] == pytest.approx((by_section[0][area] + by_section[1][area]) / 2)


@pytest.mark.parametrize("name", ["s1", "s2", "wx", "overall"])
def test_a_characteristic_with_a_small_group_is_withheld_whole_at_organisation_level(
    result: NationalRound, name: str
) -> None:
    # c's genders: woman 12, man 10 and 8 not stated; "not stated" counts as a group
    gender = breakdown_of(level_of(result, "org:c"), name, "gender")
    assert gender.parts == ()
    assert gender.withheld.startswith(
        "Because of group sizes, differences between groups were not shown locally"
    )
    shown = breakdown_of(level_of(result, "org:b"), name, "gender")
    assert (shown.withheld, [p.value for p in shown.parts]) == ("", ["woman"])


def test_not_stated_is_never_listed(result: NationalRound) -> None:
    text = json.dumps(NationalRoundJson.of(result))
    assert '"value": ""' not in text
    assert [p.value for p in breakdown_of(result.national, "s1", "gender").parts] == ["man", "woman"]


# -- across levels: a parent figure minus one shown child figure ---------------------------------------------

NORTH = [
    # (figure, breakdown, value, North's n, b's n when shown, North's reason): North is a (9) and b (10)
    ("completed", "", "", 19, 10, "complementary"),
    ("s1", "", "", 19, 10, "complementary"),
    ("s1/q1", "", "", 19, 10, "complementary"),
    ("s2/q4", "", "", 19, 10, "complementary"),
    ("wx", "", "", 19, 10, "complementary"),
    ("overall", "", "", 19, 10, "complementary"),
    ("completed", "profession", "social_worker", 19, 10, "complementary"),
    ("s1", "gender", "woman", 19, 10, "complementary"),
    ("overall", "gender", "woman", 19, 10, "complementary"),
    # b's 5 adults and 5 children are not shown, so they give nothing away; within the breakdown the
    # 5 children are too few and the 14 adults their complement
    ("completed", "service_area", "adults", 14, None, "complementary"),
    ("completed", "service_area", "children", 5, None, "small"),
    ("s1", "service_area", "children", 5, None, "small"),
]


def figure_at(level: LevelResult, name: str, breakdown: str, value: str) -> Figure:
    if not breakdown:
        return figure_of(level, name)
    return next(p.figure for p in breakdown_of(level, name, breakdown).parts if p.value == value)


@pytest.mark.parametrize(("name", "breakdown", "value", "north_n", "b_n", "reason"), NORTH)
def test_north_minus_b_would_show_a(
    result: NationalRound, name: str, breakdown: str, value: str, north_n: int, b_n: int | None, reason: str
) -> None:
    assert figure_at(result.orgs["b"], name, breakdown, value).n == b_n
    north = figure_at(result.regions["North"], name, breakdown, value)
    assert (north.n, north.score, north.band, north.change, north.reason) == (None, None, None, None, reason)
    # the same figure with a tenth respondent in a: North minus b is 10, North's totals are shown
    later = national_round(
        DEFINITION, ORGS, [*current_rows(), row("a", TOP, "adults", "woman")], round_label="r"
    )
    if not breakdown:
        assert figure_at(later.regions["North"], name, breakdown, value).n == north_n + 1


def large(spec: Sequence[tuple[str, str, int, int]]) -> tuple[tuple[Organisation, ...], list[Response]]:
    """Organisations (id, region, adults, children), every respondent a woman social worker."""
    orgs = tuple(Organisation(org, org.upper(), "local_authority", region) for org, region, _, _ in spec)
    rows = [
        row(org, answers, area, "woman")
        for org, _, adults, children in spec
        for area, count, answers in (("adults", adults, TOP), ("children", children, B_MOST))
        for _ in range(count)
    ]
    return orgs, rows


def test_a_region_of_large_organisations_is_untouched() -> None:
    spec = [("x", "East", 10, 10), ("y", "East", 12, 11), ("z", "East", 15, 10)]
    orgs, rows = large(spec)
    east = national_round(DEFINITION, orgs, rows, round_label="r")
    for level in (east.regions["East"], east.national, *east.orgs.values()):
        assert [f.reason for f in figures(level) if f.suppressed] == []
    assert east.regions["East"].completed.n == sum(a + c for _, _, a, c in spec)
    assert east.orgs["x"].overall_vs_region is not None


# North: t (4 adults: too few), p (12 adults, 10 children), q (15 and 15); South: r (20 and 20), s (25, 25)
TINY = [("t", "North", 4, 0), ("p", "North", 12, 10), ("q", "North", 15, 15), ("r", "South", 20, 20),
        ("s", "South", 25, 25)]  # fmt: skip


def test_a_tiny_organisation_in_a_large_region_takes_its_smallest_neighbour_with_it() -> None:
    orgs, rows = large(TINY)
    round_ = national_round(DEFINITION, orgs, rows, round_label="r")
    north, p = round_.regions["North"], round_.orgs["p"]
    # only t is too small, and North (71) minus any one organisation is still large: the regions and the
    # nation show everything
    for level in (round_.national, north, round_.regions["South"], *(round_.orgs[o] for o in "qrs")):
        assert [f.reason for f in figures(level) if f.suppressed] == []
    assert {f.reason for f in figures(round_.orgs["t"])} == {"small"}
    # but North's parts are t, p and q: North minus p and q would show t, so wherever t has someone p,
    # the smallest shown part, goes too (completed, every standard, question and overall, adults, women,
    # social workers); p's children are shown, as t has none; p keeps its report but has no rank
    for name in ("completed", "s1", "s1/q1", "s2", "s2/q4", "wx", "overall"):
        assert figure_of(p, name).reason == "complementary"
    for name in ("completed", "s1", "overall"):
        area = breakdown_of(p, name, "service_area").parts
        assert [(part.value, part.figure.n, part.figure.reason) for part in area] == [
            ("adults", None, "complementary"),
            ("children", 10, ""),
        ]
    assert breakdown_of(p, "completed", "profession").parts[0].figure.reason == "complementary"
    assert breakdown_of(p, "s1", "gender").parts[0].figure.reason == "complementary"
    assert (p.reportable, p.overall_rank, p.overall_vs_region) == (True, None, None)
    assert round_.strip(None, "local_authority") == (("q", 84.4), ("r", 84.4), ("s", 84.4))


def test_the_national_figure_against_a_region() -> None:
    # North's 40 are shown, and South's 5 are too few: the nation (45) minus North would show them
    orgs, rows = large([("x", "North", 10, 10), ("y", "North", 10, 10), ("z", "South", 5, 0)])
    both = national_round(DEFINITION, orgs, rows, round_label="r")
    national, north, x = both.national, both.regions["North"], both.orgs["x"]
    for name in ("completed", "s1", "s1/q1", "s2", "wx", "overall"):
        assert figure_of(national, name).reason == "complementary"
        assert not figure_of(north, name).suppressed  # 40 minus x's 20 is 20
        assert not figure_of(x, name).suppressed  # the nation minus x is 25: x alone gives nothing away
    assert [(p.value, p.figure.reason) for p in breakdown_of(national, "s1", "service_area").parts] == [
        ("adults", "complementary"),  # 25 minus North's 20
        ("children", ""),  # North's 20 are all the children
    ]
    assert (x.overall_vs_national, x.overall_vs_region) == (None, 0.0)
    assert north.overall_vs_national is None
    assert both.regions["South"].reportable is False


def test_a_part_suppressed_across_levels_takes_its_complement_within_the_breakdown() -> None:
    # R (50: 25 adults, 25 children) minus p's 20 adults shows q's 5 adults: R's adults go, and then,
    # being the only part gone, R's children too (R's total, 50 minus p's 35 or q's 15, stays shown)
    orgs, rows = large([("p", "R", 20, 15), ("q", "R", 5, 10)])
    round_ = national_round(DEFINITION, orgs, rows, round_label="r")
    for level in (round_.regions["R"], round_.national):
        assert level.completed.n == 50
        for name in ("completed", "s1", "overall"):
            assert not figure_of(level, name).suppressed
            assert [(p.value, p.figure.reason) for p in breakdown_of(level, name, "service_area").parts] == [
                ("adults", "complementary"),
                ("children", "complementary"),
            ]
    q = breakdown_of(round_.orgs["q"], "s1", "service_area").parts
    assert [(p.value, p.figure.reason) for p in q] == [("adults", "small"), ("children", "complementary")]
    p = breakdown_of(round_.orgs["p"], "s1", "service_area").parts
    assert [(p.value, p.figure.n) for p in p] == [("adults", 20), ("children", 15)]


SOUTH = [
    # (figure, breakdown, value, South's reason): the nation's parts are North and South (and no one of
    # an unknown organisation). Where North is suppressed and the nation shown, the nation minus South
    # would be North again, and North minus b is a's 9; so South goes too, though it is c alone
    ("completed", "", "", "complementary"),
    ("s1", "", "", "complementary"),
    ("s1/q1", "", "", "complementary"),
    ("wx", "", "", "complementary"),
    ("overall", "", "", "complementary"),
    ("s1", "gender", "woman", "complementary"),  # the nation's 31 women: North's 19 and South's 12
    # where North's part is already small (5 children) and South's too (9), two parts are suppressed
    ("s1", "service_area", "children", "small"),
    # by the rule within the breakdown, as before (c's 9 children)
    ("s1", "service_area", "adults", "complementary"),
]


@pytest.mark.parametrize(("name", "breakdown", "value", "reason"), SOUTH)
def test_the_nation_minus_south_would_show_north(
    result: NationalRound, name: str, breakdown: str, value: str, reason: str
) -> None:
    south = figure_at(result.regions["South"], name, breakdown, value)
    assert (south.n, south.score, south.reason) == (None, None, reason)
    assert figure_at(result.regions["North"], name, breakdown, value).suppressed
    if not breakdown:  # c's own report still shows it: the nation minus c is North's 19, not a's 9
        assert not figure_at(result.national, name, breakdown, value).suppressed
        assert figure_at(result.orgs["c"], name, breakdown, value).n == 30


def test_a_figure_that_is_its_one_suppressed_part_goes_with_it() -> None:
    # p: 10 social workers, 7 occupational therapists (too few) and 13 not stated, so p's social workers
    # go (the smallest shown part); q: 5 occupational therapists and 1 not stated. R's 10 social workers
    # are p's alone: shown, they would be p's suppressed figure, and with no other part to go instead,
    # R's figure goes (and the nation's, which is R)
    orgs = (Organisation("p", "P", "other", "R"), Organisation("q", "Q", "other", "R"))
    jobs = (("p", "social_worker", 10), ("p", "occupational_therapist", 7), ("p", "", 13),
            ("q", "occupational_therapist", 5), ("q", "", 1))  # fmt: skip
    rows = [row(org, TOP, "adults", "woman", job) for org, job, count in jobs for _ in range(count)]
    round_ = national_round(DEFINITION, orgs, rows, round_label="r")
    for level in (round_.national, round_.regions["R"]):
        assert [
            (p.value, p.figure.n, p.figure.reason)
            for p in breakdown_of(level, "completed", "profession").parts
        ] == [
            ("occupational_therapist", 12, ""),
            ("social_worker", None, "complementary"),
        ]
        assert level.completed.reason == "complementary"  # 36 minus p's 30 would show q's 6
    p = breakdown_of(round_.orgs["p"], "completed", "profession").parts
    assert [(part.value, part.figure.reason) for part in p] == [
        ("occupational_therapist", "small"),
        ("social_worker", "complementary"),
    ]


def test_a_region_of_no_one_known_takes_part_and_can_be_the_complement() -> None:
    # 12 respondents of no loaded organisation: the nation (61) minus South is North and them (31)
    rows = [*current_rows(), *(row("zz", TOP, "adults", "woman") for _ in range(12))]
    counted = national_round(DEFINITION, ORGS, rows, round_label="r")
    assert (counted.national.completed.n, counted.regions["South"].completed.n) == (61, 30)
    assert counted.regions["North"].completed.reason == "complementary"


def test_not_stated_is_worked_out_where_everything_else_is_shown() -> None:
    # A: 20 women, 12 men, 15 not stated; B: 20 women, 12 men, 6 not stated (so B's men go). A reader
    # works out the nation's 21 and A's 15 not stated (each total minus its listed groups): 21 - 15 = 6
    # would be B's; so the nation's not stated counts as shown, goes across levels, and takes its men
    orgs = (Organisation("a", "A", "other", "A"), Organisation("b", "B", "other", "B"))
    rows = [
        row(org, TOP, "adults", gender)
        for org, blank in (("a", 15), ("b", 6))
        for gender, count in (("woman", 20), ("man", 12), ("", blank))
        for _ in range(count)
    ]
    round_ = national_round(DEFINITION, orgs, rows, round_label="r")
    parts = {
        where: [(p.value, p.figure.n, p.figure.reason) for p in breakdown_of(level, "s1", "gender").parts]
        for where, level in (("nation", round_.national), *round_.regions.items())
    }
    assert parts == {
        "nation": [("man", None, "complementary"), ("woman", 40, "")],
        "A": [("man", 12, ""), ("woman", 20, "")],
        "B": [("man", None, "complementary"), ("woman", 20, "")],
    }


def test_the_previous_round_remembers_only_what_was_shown() -> None:
    # last round North was a (9) and b (10): North's figures were suppressed, so they are no one's previous
    before = [row("a", ALL_75, "adults", "woman") for _ in range(9)] + previous_rows()
    later = national_round(DEFINITION, ORGS, current_rows(), before, round_label="r", previous_label="p")
    assert figure_of(later.regions["North"], "s1").previous is None
    assert figure_of(later.orgs["b"], "s1").previous == 75.0


# -- ranks and distances ----------------------------------------------------------------------------------

RANKS = [
    # (org, figure, rank text) among local authorities that are shown: b and c ("a" has no report)
    ("b", "s1", "2nd of 2"),
    ("c", "s1", "1st of 2"),
    ("b", "s2", "1st of 2"),  # 77.5 and 77.5 both show as 78: a tie shares the position
    ("c", "s2", "1st of 2"),
    ("b", "wx", "2nd of 2"),
    ("c", "wx", "1st of 2"),
    ("b", "overall", "2nd of 2"),
    ("c", "overall", "1st of 2"),
    ("a", "s1", None),
    ("a", "overall", None),
]


@pytest.mark.parametrize(("org", "name", "text"), RANKS)
def test_ranks_among_shown_organisations_of_the_same_kind(
    result: NationalRound, org: str, name: str, text: str | None
) -> None:
    level = result.orgs[org]
    section = level.section(name)
    rank = level.overall_rank if name == "overall" else section.rank if section else None
    assert (None if rank is None else rank.text()) == text


def test_regions_and_the_nation_are_not_ranked(result: NationalRound) -> None:
    for level in (result.national, *result.regions.values()):
        assert level.overall_rank is None
        assert all(section.rank is None for section in level.sections)


def test_ranks_are_within_a_kind(result: NationalRound) -> None:
    orgs = (*ORGS[:2], dataclasses.replace(ORGS[2], kind="nhs_trust"))
    other = national_round(DEFINITION, orgs, current_rows(), round_label="2023/24")
    assert other.orgs["b"].overall_rank == Rank(1, 1)
    assert other.orgs["c"].overall_rank == Rank(1, 1)
    assert other.strip(None, "nhs_trust") == (("b", 70.0),)


def test_strips_list_ranked_organisations_best_first(result: NationalRound) -> None:
    assert result.strip(None, "local_authority") == (("c", 75.6), ("b", 70.0))
    assert result.strip("s1", "local_authority") == (("c", 74.0), ("b", 63.0))
    assert result.strip("s2", "local_authority") == (("b", 78.0), ("c", 78.0))
    assert result.strip("s2", "nhs_trust") == ()


NATIONAL_S1 = (3750 / 49 + 3725 / 49) / 2
DISTANCES = [
    # (level, figure, vs region, vs national)
    ("org:b", "s1", None, 62.5 - NATIONAL_S1),  # North's figure is suppressed (complementary)
    ("org:c", "s1", None, 73.75 - NATIONAL_S1),  # and so is South's
    ("org:c", "wx", None, 77.5 - 3725 / 49),
    ("org:a", "s1", None, None),
    ("region:North", "s1", None, None),
    ("region:South", "s1", None, None),
    ("national", "s1", None, None),
]


@pytest.mark.parametrize(("where", "name", "region", "national"), DISTANCES)
def test_distance_from_the_regional_and_national_figures(
    result: NationalRound, where: str, name: str, region: float | None, national: float | None
) -> None:
    section = level_of(result, where).section(name)
    assert section is not None
    assert section.vs_region == (None if region is None else pytest.approx(region, abs=1e-12))
    assert section.vs_national == (None if national is None else pytest.approx(national, abs=1e-12))


def test_overall_distances(result: NationalRound) -> None:
    b, c = result.orgs["b"], result.orgs["c"]
    national = result.national.overall.score or 0
    assert b.overall_vs_region is None  # North's overall is suppressed: it would give it away
    assert b.overall_vs_national == pytest.approx(70.0 - national)
    assert c.overall_vs_region is None  # South's overall is suppressed too
    assert c.overall_vs_national == pytest.approx(75.625 - national)
    assert result.regions["South"].overall_vs_national is None
    assert result.regions["South"].overall_vs_region is None


# -- the previous round -----------------------------------------------------------------------------------

PREVIOUS = [
    # (level, figure, previous, change): b answered 75 everywhere; c's 9 were too few to show
    ("org:b", "s1", 75.0, 62.5 - 75.0),
    ("org:b", "s1/q2", 75.0, -25.0),
    ("org:b", "s2", 75.0, 2.5),
    ("org:b", "overall", 75.0, -5.0),
    ("org:c", "s1", None, None),
    ("org:a", "s1", None, None),  # not in the previous round
    ("region:North", "s1", 75.0, None),  # North was b alone; now it is suppressed (complementary)
    ("region:South", "s1", None, None),
    ("national", "s1", None, None),  # last round's nation (19) minus North (b's 10) was c's 9: not shown
    ("national", "completed", None, None),  # a count has no score to compare
]


@pytest.mark.parametrize(("where", "name", "previous", "change"), PREVIOUS)
def test_previous_round_and_change(
    result: NationalRound, where: str, name: str, previous: float | None, change: float | None
) -> None:
    figure = figure_of(level_of(result, where), name)
    assert figure.previous == (None if previous is None else pytest.approx(previous, abs=1e-12))
    assert figure.change == (None if change is None else pytest.approx(change, abs=1e-12))


def test_a_suppressed_figure_keeps_the_previous_shown_score_but_has_no_change() -> None:
    # b had 10 last round; now it has 9
    now = current_rows()
    now.remove(row("b", B_MOST, "children", "woman"))
    later = national_round(
        DEFINITION, ORGS, now, previous_rows(), round_label="2023/24", previous_label="2022/23"
    )
    s1 = figure_of(later.orgs["b"], "s1")
    assert (s1.reason, s1.score, s1.previous, s1.change) == ("small", None, 75.0, None)


def test_without_a_previous_round_nothing_is_compared() -> None:
    alone = national_round(DEFINITION, ORGS, current_rows(), round_label="2023/24")
    assert alone.previous_label is None
    for level in (alone.national, *alone.regions.values(), *alone.orgs.values()):
        assert all(figure.previous is None and figure.change is None for figure in figures(level))


def test_region_rows_carry_each_regions_figures(result: NationalRound) -> None:
    assert [row.region for row in result.by_region] == ["North", "South"]
    north = result.by_region[0]
    assert north.overall == result.regions["North"].overall
    assert [sid for sid, _ in north.sections] == ["s1", "s2", "wx"]
    assert (north.sections[0][1].previous, north.sections[0][1].reason) == (75.0, "complementary")
    assert north.sections[0][1].change is None
    assert result.by_region[1].sections[0][1] == result.regions["South"].sections[0].figure


# -- agreement with today's scoring ------------------------------------------------------------------------

AWKWARD = Scale(
    id="thirds",
    options=(("No", 0.0), ("Hardly", 100 / 3), ("Mostly", 200 / 3), ("Yes", 100.0), ("Tiny", 1e-300)),
    not_scored=frozenset({"Skip"}),
)


def awkward_rows(count: int) -> list[Response]:
    labels = ("No", "Hardly", "Mostly", "Yes", "Tiny", "Skip", "")
    rows = []
    for i in range(count):
        answers = {
            qid: AWKWARD.score(labels[(i * 7 + k * 3 + i // 5) % len(labels)])
            for k, qid in enumerate(["q1", "q2", "q3", "q4", "q5"])
        }
        area = ("adults", "children", "")[i % 4 % 3]  # a blank cell is left out of the groups
        rows.append(Response("", answers, {"org": "abc"[i % 3], **({"service_area": area} if area else {})}))
    return rows


@pytest.mark.parametrize(
    ("definition", "rows"),
    [
        (DEFINITION, current_rows()),
        # last round's national figures are suppressed (the nation minus North shows c): no minimum
        (dataclasses.replace(DEFINITION, min_group_size=1), previous_rows()),
        (dataclasses.replace(DEFINITION, scale=AWKWARD), awkward_rows(200)),
    ],
    ids=["this round", "last round", "a scale of thirds and a tiny score"],
)
def test_national_figures_equal_score_round_for_the_same_rows(
    definition: SurveyDefinition, rows: list[Response]
) -> None:
    national = national_round(definition, ORGS, rows, round_label="r").national
    expected = score_round(definition, rows, "service_area")
    for section, today in zip(national.sections, expected, strict=True):
        assert (section.section, section.figure.score, section.figure.band) == (
            today.section,
            today.score,
            today.band,
        )
        assert (section.figure.n, section.figure.agree_pct) == (today.n, today.agree_pct)
        for part, group in zip(section.breakdowns[0].parts, today.groups, strict=True):
            assert (part.value, part.figure.score) == (group.group, group.score)


@pytest.mark.parametrize("org", ["a", "b", "c"])
def test_organisation_figures_equal_score_round_on_its_rows(org: str) -> None:
    rows = awkward_rows(300)
    definition = dataclasses.replace(DEFINITION, scale=AWKWARD)
    level = national_round(definition, ORGS, rows, round_label="r").orgs[org]
    own = [r for r in rows if r.groups["org"] == org]
    assert [s.figure.score for s in level.sections] == [r.score for r in score_round(definition, own)]


def test_respondents_of_an_unknown_organisation_count_nationally_only() -> None:
    rows = [*current_rows(), *(row("zz", TOP, "adults", "woman") for _ in range(3)), row("", TOP)]
    counted = national_round(DEFINITION, ORGS, rows, round_label="r")
    assert counted.national.completed.n == 53
    alone = national_round(DEFINITION, ORGS, current_rows(), round_label="r")
    assert [r.completed.n for r in alone.regions.values()] == [None, None]
    # the nation's parts are North, South and these 4, never listed: the nation minus South is North and
    # the 4 (23), which gives neither away, so South is shown this time
    assert [r.completed.n for r in counted.regions.values()] == [None, 30]
    assert counted.regions["South"].overall == alone.orgs["c"].overall
    # the row without an org has no service area either: a "not stated" part of 1, so children go too
    parts = counted.national.completed_by[0].parts
    assert [(p.value, p.figure.n, p.figure.reason) for p in parts] == [
        ("adults", 38, ""),
        ("children", None, "complementary"),
    ]


def test_a_loaded_organisation_without_respondents_has_no_report() -> None:
    orgs = (*ORGS, Organisation("d", "Dale Trust", "nhs_trust", "East"))
    empty = national_round(DEFINITION, orgs, current_rows(), round_label="r")
    d = empty.orgs["d"]
    assert (d.reportable, d.completed, d.overall.reason) == (
        False,
        Figure(None, None, None, "small"),
        "small",
    )
    assert list(empty.regions) == ["East", "North", "South"]
    assert empty.regions["East"].reportable is False
    assert empty.regions["East"].why_not.startswith("Fewer than 10 people completed the Health Check in East")


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("national", "Fewer than 10 people completed the Health Check, so there is no national report"),
        (
            "region:North",
            "Fewer than 10 people completed the Health Check in North, so there is no regional report",
        ),
        (
            "org:b",
            "Fewer than 10 people completed the Health Check in Beckside Council, so it has no local report",
        ),
    ],
)
def test_why_a_level_has_no_report(where: str, words: str) -> None:
    few = national_round(DEFINITION, ORGS, [row("b", TOP) for _ in range(9)], round_label="r")
    level = level_of(few, where)
    assert level.reportable is False
    assert level.why_not.startswith(words)
    assert level.why_not.endswith("results from groups under 10 are never shown.")


def test_overall_defaults_to_every_section() -> None:
    every = national_round(dataclasses.replace(DEFINITION, overall=()), ORGS, current_rows(), round_label="r")
    assert every.orgs["c"].overall.score == pytest.approx((73.75 + 77.5 + 77.5) / 3)


def test_overall_is_suppressed_when_an_overall_section_is() -> None:
    rows = [row("b", {"q1": 100, "q2": 100, "q5": 100}) for _ in range(10)] + [row("b", TOP)]
    one = national_round(DEFINITION, ORGS, rows, round_label="r").orgs["b"]
    assert (figure_of(one, "s1").n, figure_of(one, "s2").reason, one.overall.reason) == (11, "small", "small")


@pytest.mark.parametrize(
    ("rows", "names"),
    [
        (current_rows, ["service_area", "profession"]),
        (lambda: [row("b", TOP, job="")] * 10, ["service_area"]),
    ],
)
def test_counts_by_profession_only_when_a_row_has_one(rows: Any, names: list[str]) -> None:
    counted = national_round(DEFINITION, ORGS, rows(), round_label="r")
    assert [b.name for b in counted.national.completed_by] == names


def test_the_minimum_group_size_is_the_definitions() -> None:
    five = national_round(
        dataclasses.replace(DEFINITION, min_group_size=5), ORGS, current_rows(), round_label="r"
    )
    assert five.orgs["a"].reportable is True
    assert [(p.value, p.figure.n) for p in breakdown_of(five.orgs["b"], "s1", "service_area").parts] == [
        ("adults", 5),
        ("children", 5),
    ]
    assert suppressed_text(5) == "Fewer than 5"


# -- JSON --------------------------------------------------------------------------------------------------


def figures(level: LevelResult) -> Iterator[Figure]:
    yield level.completed
    yield level.overall
    for breakdown in (*level.completed_by, *level.overall_breakdowns, *level.overall_characteristics):
        yield from (part.figure for part in breakdown.parts)
    for section in level.sections:
        yield section.figure
        yield from (question.figure for question in section.questions)
        for breakdown in (*section.breakdowns, *section.characteristics):
            yield from (part.figure for part in breakdown.parts)


class NationalRoundJson:
    @staticmethod
    def of(result: NationalRound) -> list[dict[str, Any]]:
        return [
            level.to_json() for level in (result.national, *result.regions.values(), *result.orgs.values())
        ]


def test_figure_json_shapes() -> None:
    shown = Figure(12, 74.5, "moderate", "", previous=80.0, change=-5.5, agree_pct=60.0)
    assert shown.to_json() == {
        "n": 12,
        "score": 74.5,
        "band": "moderate",
        "suppressed": False,
        "reason": "",
        "previous": 80.0,
        "change": -5.5,
        "agree_pct": 60.0,
    }
    assert Figure(None, None, None, "complementary", previous=70.0).to_json() == {
        "n": None,
        "score": None,
        "band": None,
        "suppressed": True,
        "reason": "complementary",
        "previous": 70.0,
        "change": None,
        "agree_pct": None,
    }


def test_level_json_shape(result: NationalRound) -> None:
    c = json.loads(json.dumps(result.orgs["c"].to_json()))
    assert list(c) == [
        "level", "key", "name", "round", "previous_round", "reportable", "why_not", "organisation",
        "completed", "completed_by", "overall", "sections",
    ]  # fmt: skip
    assert c["organisation"] == {
        "id": "c",
        "name": "Southtown Council",
        "kind": "local_authority",
        "region": "South",
    }
    assert c["completed"] == {**Figure(30, None, None, "").to_json()}
    assert c["completed_by"][0] == {
        "name": "service_area",
        "withheld": "",
        "parts": [
            {"value": "adults", **Figure(None, None, None, "complementary").to_json()},
            {"value": "children", **Figure(None, None, None, "small").to_json()},
        ],
    }
    assert c["overall"]["rank"] == {"position": 1, "of": 2}
    assert c["overall"]["score"] == 75.625
    assert c["overall"]["vs_region"] is None
    assert c["overall"]["vs_national"] == pytest.approx(75.625 - result.national.overall.score)
    s2 = c["sections"][1]
    assert (s2["section"], s2["title"], s2["n"], s2["score"], s2["band"], s2["rank"]) == (
        "s2", "Standard 2", 30, 77.5, "good", {"position": 1, "of": 2}
    )  # fmt: skip
    assert [q["question"] for q in s2["questions"]] == ["q3", "q4"]
    assert s2["questions"][1]["text"] == "I have too many cases"
    assert s2["characteristics"][0]["parts"] == []
    assert s2["characteristics"][0]["withheld"].startswith("Because of group sizes")
    national = result.national.to_json()
    assert (national["level"], national["key"], national["organisation"]) == ("national", "", None)
    assert (national["round"], national["previous_round"]) == ("2023/24", "2022/23")


def test_no_suppressed_figure_carries_a_value_in_json(result: NationalRound) -> None:
    def walk(value: Any) -> Iterator[dict[str, Any]]:
        if isinstance(value, dict):
            if "suppressed" in value:
                yield value
            for inner in value.values():
                yield from walk(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from walk(inner)

    found = [figure for level in NationalRoundJson.of(result) for figure in walk(level)]
    suppressed = [f for f in found if f["suppressed"]]
    assert len(suppressed) > 50
    for figure in suppressed:
        assert (figure["n"], figure["score"], figure["band"], figure["change"], figure["agree_pct"]) == (
            None,
        ) * 5
        assert figure["reason"] in ("small", "complementary")
    assert all(f["reason"] == "" and f["n"] is not None for f in found if not f["suppressed"])


def test_results_are_immutable(result: NationalRound) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.national.completed.n = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.orgs["z"] = result.national  # type: ignore[index]

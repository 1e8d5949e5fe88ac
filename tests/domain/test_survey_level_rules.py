"""The rules under the survey levels, one table each: complementary suppression, local withholding,
ranks with ties, ordinals, the overall figure as shown, and the packed counters' exactness."""

from __future__ import annotations

import dataclasses
import math

import pytest

from tracker.domain.survey_levels import overall_text
from tracker.domain.survey_ranking import Rank, competition_ranks, ordinal
from tracker.domain.survey_scoring import score_round
from tracker.domain.survey_suppression import (
    Candidate,
    Reason,
    alone,
    given_away,
    part_reasons,
    withheld_locally,
)
from tracker.domain.survey_tally import TOTAL, Layout, tally
from tracker.domain.surveys import AGREE5, Response, Scale, Section, SurveyDefinition

NS = None  # the "not stated" part

PARTS = [
    # (name, total shown, [(name, n, small)], reasons)
    ("nothing small", True, [("a", 20, False), ("b", 15, False)], ("", "")),
    (
        "one small: the next smallest goes",
        True,
        [("a", 20, False), ("b", 15, False), ("c", 4, True)],
        ("", "complementary", "small"),
    ),
    (
        "two small: nothing more",
        True,
        [("a", 20, False), ("b", 4, True), ("c", 3, True)],
        ("", "small", "small"),
    ),
    ("total not shown: nothing more", False, [("a", 6, True), ("b", 2, True)], ("small", "small")),
    ("total not shown, one part", False, [("a", 8, True)], ("small",)),
    (
        "not stated small counts",
        True,
        [("a", 20, False), ("b", 15, False), (NS, 3, True)],
        ("", "complementary", "small"),
    ),
    (
        "not stated can be the complement",
        True,
        [("a", 20, False), ("b", 4, True), (NS, 12, False)],
        ("", "small", "complementary"),
    ),
    (
        "ties: not stated first",
        True,
        [("a", 12, False), ("b", 4, True), (NS, 12, False)],
        ("", "small", "complementary"),
    ),
    (
        "ties: then the first by name",
        True,
        [("b", 12, False), ("C", 12, False), ("a", 2, True)],
        ("complementary", "", "small"),
    ),
    (
        "a part small for want of scores",
        True,
        [("a", 20, False), ("b", 12, True), ("c", 30, False)],
        ("complementary", "small", ""),
    ),
    (
        "a part of no one is no cover",
        True,
        [("a", 20, False), ("b", 4, True), ("c", 0, True)],
        ("complementary", "small", "small"),
    ),
    ("only parts of no one", True, [("a", 0, True), ("b", 0, True)], ("small", "small")),
    ("one part only, suppressed", True, [("a", 12, True)], ("small",)),
    ("no parts", True, [], ()),
]


@pytest.mark.parametrize(("name", "shown", "parts", "reasons"), PARTS, ids=[case[0] for case in PARTS])
def test_complementary_suppression(
    name: str, shown: bool, parts: list[tuple[str | None, int, bool]], reasons: tuple[str, ...]
) -> None:
    assert part_reasons(shown, [Candidate(*part) for part in parts]) == reasons


ALONE = [
    # (name, [(n, reason)], the total goes)
    ("one part, suppressed", [(12, "complementary")], True),
    ("one part with respondents, suppressed", [(12, "complementary"), (0, "small")], True),
    ("one suppressed, one shown", [(12, "complementary"), (15, "")], False),
    ("two suppressed", [(12, "complementary"), (3, "small")], False),
    ("nothing suppressed", [(12, "")], False),
    ("no parts", [], False),
]


@pytest.mark.parametrize(("name", "parts", "goes"), ALONE, ids=[case[0] for case in ALONE])
def test_a_total_that_is_its_one_suppressed_part(
    name: str, parts: list[tuple[int, Reason]], goes: bool
) -> None:
    candidates = [Candidate(f"p{i}", n, False) for i, (n, _) in enumerate(parts)]
    assert alone(candidates, [reason for _, reason in parts]) is goes


AGAIN = [
    # (name, total shown, [(name, n)], reasons so far, reasons after)
    (
        "one gone across levels: the next smallest goes too",
        True,
        [("a", 25), ("b", 25), (NS, 12)],
        ("complementary", "", ""),
        ("complementary", "", "complementary"),
    ),
    (
        "two gone: nothing more",
        True,
        [("a", 25), ("b", 4), ("c", 30)],
        ("complementary", "small", ""),
        ("complementary", "small", ""),
    ),
    ("the total gone too: nothing more", False, [("a", 25), ("b", 25)], ("complementary", ""), ("complementary", "")),
    ("nothing gone", True, [("a", 25), ("b", 25)], ("", ""), ("", "")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "shown", "parts", "before", "after"), AGAIN, ids=[case[0] for case in AGAIN]
)
def test_complementary_suppression_again_on_what_is_suppressed_so_far(
    name: str,
    shown: bool,
    parts: list[tuple[str | None, int]],
    before: tuple[Reason, ...],
    after: tuple[str, ...],
) -> None:
    candidates = [Candidate(part, n, False) for part, n in parts]
    assert part_reasons(shown, candidates, before) == after


ACROSS = [
    # (name, parent's shown n by figure, each child's shown n by figure, the parent's figures given away)
    ("the rest is 9", {"s1": 19}, [{"s1": 10}], {"s1"}),
    ("the rest is 10", {"s1": 20}, [{"s1": 10}], set()),
    ("the rest is 1", {"s1": 11}, [{"s1": 10}], {"s1"}),
    ("the child is the whole parent", {"s1": 30}, [{"s1": 30}], set()),
    ("the child's figure is not shown", {"s1": 19}, [{}], set()),
    ("the parent's figure is not shown", {}, [{"s1": 10}], set()),
    ("each figure by its own n", {"s1": 19, "q1": 25, "q2": 18}, [{"s1": 10, "q1": 10, "q2": 10}], {"s1", "q2"}),
    ("any one child gives it away", {"s1": 40}, [{"s1": 20}, {"s1": 31}], {"s1"}),
    ("children are not added up", {"s1": 40}, [{"s1": 15}, {"s1": 15}], set()),
    ("a child with no respondents", {"s1": 9}, [{"s1": 0}], set()),
    ("no children", {"s1": 19}, [], set()),
]  # fmt: skip


@pytest.mark.parametrize(("name", "parent", "children", "found"), ACROSS, ids=[case[0] for case in ACROSS])
def test_a_parent_figure_given_away_by_one_child(
    name: str, parent: dict[str, int], children: list[dict[str, int]], found: set[str]
) -> None:
    assert given_away(parent, children, 10) == found


@pytest.mark.parametrize(
    ("rows", "withheld"),
    [([10, 10], False), ([10, 9], True), ([30], False), ([12, 11, 3], True), ([], False)],
)
def test_withheld_locally(rows: list[int], withheld: bool) -> None:
    assert withheld_locally(rows, 10) is withheld


ORDINALS = [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
            (22, "22nd"), (23, "23rd"), (101, "101st"), (111, "111th"), (112, "112th"), (151, "151st")]  # fmt: skip


@pytest.mark.parametrize(("number", "text"), ORDINALS)
def test_ordinals(number: int, text: str) -> None:
    assert ordinal(number) == text
    assert Rank(number, 151).text() == f"{text} of 151"


RANKINGS = [
    ({"a": 80, "b": 75, "c": 75, "d": 60}, {"a": 1, "b": 2, "c": 2, "d": 4}),
    ({"a": 70, "b": 70}, {"a": 1, "b": 1}),
    ({"a": 77.5, "b": 77.6, "c": 77.5}, {"b": 1, "a": 2, "c": 2}),
    ({"a": 50}, {"a": 1}),
    ({}, {}),
]


@pytest.mark.parametrize(("shown", "positions"), RANKINGS)
def test_competition_ranks_share_positions_on_ties(
    shown: dict[str, float], positions: dict[str, int]
) -> None:
    assert competition_ranks(shown) == {
        key: Rank(position, len(shown)) for key, position in positions.items()
    }


@pytest.mark.parametrize(
    ("score", "text"),
    [
        (74.0, "74"),
        (77.5, "77.5"),
        (75.625, "75.6"),
        (68.75, "68.8"),
        (74.95, "75"),
        (74.04999, "74"),
        (0.0, "0"),
        (100.0, "100"),
    ],
)
def test_overall_is_shown_to_one_decimal_without_a_trailing_zero(score: float, text: str) -> None:
    assert overall_text(score) == text


# -- the packed counters ----------------------------------------------------------------------------------

SECTION = Section("s", "S", (("q1", "One"), ("q2", "Two"), ("q3", "Three")), frozenset({"q3"}))


def scale(*scores: float) -> Scale:
    return Scale("custom", tuple((f"option {i}", score) for i, score in enumerate(scores)))


SCALES = [
    ("whole numbers fit 32 bits", AGREE5, 32),
    ("thirds need 64 bits", scale(0.0, 100 / 3, 200 / 3, 100.0), 64),
    ("a tiny score needs more", scale(0.0, 5e-324, 50.0, 100.0), None),
    ("every float between", scale(0.0, 0.1, 0.7, 33.3, 99.99, 100.0), None),
]


@pytest.mark.parametrize(("name", "chosen", "width"), SCALES, ids=[case[0] for case in SCALES])
def test_packed_counters_give_score_rounds_very_floats(name: str, chosen: Scale, width: int | None) -> None:
    definition = SurveyDefinition("d", "D", chosen, min_group_size=1, sections=(SECTION,))
    scores = [score for _, score in chosen.options]
    rows = [
        Response(
            "",
            {
                q: (None if (i + k) % 7 == 0 else scores[(i * (k + 2) + i // 3) % len(scores)])
                for k, q in enumerate(("q1", "q2", "q3"))
            },
        )
        for i in range(500)
    ]
    layout, cells = tally(definition, rows, (), {})
    assert layout.width == width if width else layout.width > 64
    stats = layout.decode(cells[None][(TOTAL, "")])
    expected = score_round(definition, rows)[0]
    assert (stats.rows, stats.sections[0].n, stats.sections[0].score) == (500, expected.n, expected.score)
    assert stats.sections[0].agree_pct == expected.agree_pct
    values = [
        [100.0 - v if q == "q3" else v for r in rows if (v := r.answers[q]) is not None]
        for q in ("q1", "q2", "q3")
    ]
    assert list(stats.sections[0].means) == [math.fsum(v) / len(v) for v in values]


def test_a_score_off_the_scale_is_laid_out_from_the_rows() -> None:
    definition = SurveyDefinition("d", "D", AGREE5, min_group_size=1, sections=(SECTION,))
    rows = [Response("", {"q1": 60.0, "q2": 12.5, "q3": 100.0}), Response("", {"q1": 100.0})]
    layout, cells = tally(definition, rows, (), {})
    assert layout.decode(cells[None][(TOTAL, "")]).sections[0].score == score_round(definition, rows)[0].score


@pytest.mark.parametrize("bad", [-1.0, 100.5, math.nan, math.inf])
def test_a_score_outside_0_to_100_is_refused(bad: float) -> None:
    definition = SurveyDefinition("d", "D", AGREE5, sections=(SECTION,))
    with pytest.raises(ValueError, match="must be from 0 to 100"):
        tally(definition, [Response("", {"q1": bad})], (), {})


def test_layout_without_sections_or_rows() -> None:
    definition = dataclasses.replace(SurveyDefinition("d", "D", AGREE5), sections=())
    layout = Layout(definition, (), 0)
    assert layout.decode(0).rows == 0
    assert layout.decode(0).sections == ()

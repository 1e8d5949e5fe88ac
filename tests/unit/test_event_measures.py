"""Every measure of an event (issue 19), as tables of cases: plain values in, figures out."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from tracker.domain.event_measures import (
    MEASURE_NAMES,
    EventMeasures,
    UnknownMeasure,
    compute_measures,
    half_up,
    measure_names,
    measure_value,
)
from tracker.domain.events import (
    AnswerCount,
    AnswerRow,
    Costs,
    EventDefinition,
    Option,
    Population,
    Question,
    SessionRow,
    UniqueAttendees,
    tally,
)

USEFUL = Question("useful", "How useful", "rating")
QUALITY = Question("quality", "Quality of content", "rating")
LEARNED = Question("learned", "I learned something new", "agree")
REASONS = Question(
    "reasons",
    "Why did you come?",
    "choose_any",
    (Option("cpd", "CPD"), Option("speaker", "A speaker"), Option("regulator", "The regulator")),
)
COMMENTS = Question("comments", "Anything else?", "free_text")
EVENT = EventDefinition(
    id="week",
    framework="f",
    title="A week",
    starts_on=date(2021, 3, 15),
    ends_on=date(2021, 3, 19),
    questions=(USEFUL, QUALITY, LEARNED, REASONS, COMMENTS),
)


def session(sid: str, signups: int | None = 10, attended: int | None = 5, **more: Any) -> SessionRow:
    return SessionRow(sid, more.pop("title", f"Session {sid}"), signups, attended, **more)


def ratings(question: str, session_id: str = "", **given: int) -> list[AnswerRow]:
    """Answers by score: ratings('useful', s1=..., r5=3, r4=2) -> three 5s and two 4s."""
    return [AnswerRow(question, name[1], session_id) for name, count in given.items() for _ in range(count)]


def measures(
    sessions: Sequence[SessionRow], answers: Sequence[AnswerRow] = (), **changes: Any
) -> EventMeasures:
    """The measures of EVENT (with `changes` to its definition) over these sessions and answers."""
    definition = dataclasses.replace(EVENT, **changes)
    return compute_measures(definition, sessions, tally(definition, answers))


# -- sessions, sign-ups, attendance, conversion ------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "sold_out", "signups", "attended", "conversion"),
    [
        ([], 0, None, None, None),  # no sessions at all: no figure is given
        ([session("a", 0, 0), session("b", 0, 3)], 0, 0, 3, None),  # zero sign-ups: no conversion
        ([session("a", 100, 54)], 0, 100, 54, 0.54),
        ([session("a", 10, 5, capacity=10), session("b", 12, 5, capacity=10)], 2, 22, 10, 10 / 22),
        ([session("a", 9, 5, capacity=10)], 0, 9, 5, 5 / 9),  # below capacity
        ([session("a", 500, 5, capacity=None)], 0, 500, 5, 0.01),  # missing capacity: never sold out
        ([session("a", 5, 8)], 0, 5, 8, 1.6),  # drop-ins: more attended than signed up
    ],
)
def test_sessions_sold_out_and_conversion(
    rows: list[SessionRow], sold_out: int, signups: int | None, attended: int | None, conversion: float | None
) -> None:
    m = measures(rows)
    assert (m.sessions, m.sold_out, m.signups, m.attended) == (len(rows), sold_out, signups, attended)
    assert m.conversion == pytest.approx(conversion) if conversion is not None else m.conversion is None


def test_zero_signups_gives_null_conversion_in_json() -> None:
    assert measures([session("a", 0, 0)]).to_json()["conversion"] is None


# -- sign-ups and attendance not given (blank: not published) ----------------------------------------


@pytest.mark.parametrize(
    ("rows", "sold_out", "signups", "attended", "conversion", "given"),
    [
        # nothing given: None, not 0
        ([session("a", None, None)], 0, None, None, None, (0, 0, 0)),
        # attendance only (the Developing Together conferences): no sign-ups, no conversion
        ([session("a", None, 100), session("b", None, 70)], 0, None, 170, None, (0, 2, 0)),
        # totals add up the sessions giving the figure; conversion only over those giving both
        ([session("a", 100, 54), session("b", None, 30)], 0, 100, 84, 0.54, (1, 2, 1)),
        ([session("a", 100, None), session("b", 50, 40)], 0, 150, 40, 0.8, (2, 1, 1)),
        ([session("a", 100, None), session("b", None, 40)], 0, 100, 40, None, (1, 1, 0)),
        # both given but nobody signed up in them: no conversion
        ([session("a", 0, 3), session("b", 80, None)], 0, 80, 3, None, (2, 1, 1)),
        # sold out needs the capacity and the sign-ups; attendance does not matter
        ([session("a", None, 5, capacity=10)], 0, None, 5, None, (0, 1, 0)),
        ([session("a", 10, None, capacity=10)], 1, 10, None, None, (1, 0, 0)),
        ([session("a", 12, 6, capacity=10), session("b", None, None, capacity=0)], 1, 12, 6, 0.5, (1, 1, 1)),
    ],
)
def test_totals_and_conversion_count_only_the_figures_given(
    rows: list[SessionRow],
    sold_out: int,
    signups: int | None,
    attended: int | None,
    conversion: float | None,
    given: tuple[int, int, int],
) -> None:
    m = measures(rows)
    assert (m.sessions, m.sold_out, m.signups, m.attended) == (len(rows), sold_out, signups, attended)
    assert m.conversion == pytest.approx(conversion) if conversion is not None else m.conversion is None
    assert (m.signups_given, m.attended_given, m.conversion_sessions) == given
    data = m.to_json()
    assert (data["signups"], data["attended"]) == (signups, attended)  # null where unknown
    assert json.loads(json.dumps(data)) == data


def test_a_session_conversion_needs_both_figures() -> None:
    m = measures([session("a", 100, 54), session("b", None, 30), session("c", 20, None)])
    assert [s.conversion for s in m.per_session] == [0.54, None, None]


def test_sessions_without_attendance_are_not_ranked_and_groups_say_when_attendance_is_unknown() -> None:
    rows = [
        session("a", attended=None, title="Launch", theme="Brand", format="in_person"),
        session("b", attended=100, title="Conference", theme="Wellbeing", format="in_person"),
        session("c", attended=None, title="Walk", theme="Wellbeing", format="online"),
    ]
    m = measures(rows)
    assert [(t.title, t.attended) for t in m.top_sessions] == [("Conference", 100)]
    assert m.to_json()["by_theme"] == {
        "Brand": {"sessions": 1, "attended": None},
        "Wellbeing": {"sessions": 2, "attended": 100},
    }
    assert [(g.name, g.sessions, g.attended) for g in m.by_format] == [
        ("in_person", 2, 100),
        ("online", 1, None),
    ]


@pytest.mark.parametrize(
    ("rows", "unique", "cost", "full"),
    [
        ([session("a", 10, None)], None, None, None),  # no attendance and no unique attendees: no basis
        ([session("a", 10, None)], UniqueAttendees(50, True), (8.0, "unique"), 20.0),
        ([session("a", None, 80), session("b", None, None)], None, (5.0, "attended"), 12.5),
    ],
)
def test_cost_per_attendee_when_attendance_is_not_given(
    rows: list[SessionRow],
    unique: UniqueAttendees | None,
    cost: tuple[float, str] | None,
    full: float | None,
) -> None:
    m = measures(rows, unique_attendees=unique, costs=Costs(400, None, 1000))
    got = m.cost_per_attendee
    assert (None if got is None else (got.value, got.basis)) == cost
    assert m.full_cost_per_attendee == full


def test_named_measures_are_none_when_not_given() -> None:
    m = measures([session("a", None, None)])
    assert [measure_value(m, name) for name in ("sessions", "signups", "attended", "conversion")] == [
        1,
        None,
        None,
        None,
    ]


# -- ratings, agreement, choices -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "mean", "n"),
    [
        ({}, None, 0),  # no feedback
        ({"r5": 1}, 5.0, 1),
        ({"r5": 3, "r4": 2}, 4.6, 5),
        ({"r5": 113, "r4": 87}, 4.57, 200),  # 4.565 exactly: half up, not to even
        ({"r5": 1, "r4": 1, "r3": 1}, 4.0, 3),
        ({"r1": 2, "r2": 1}, 1.33, 3),  # 1.333...
        ({"r5": 2, "r4": 1}, 4.67, 3),  # 4.666...
    ],
)
def test_event_rating_mean_rounds_half_up_to_two_places(
    given: dict[str, int], mean: float | None, n: int
) -> None:
    m = measures([session("a")], ratings("useful", "a", **given))
    rating = m.rating("useful")
    assert rating is not None and (rating.mean, rating.n) == (mean, n)
    assert m.to_json()["ratings"]["useful"] == {"mean": mean, "n": n}


def test_rating_distribution_counts_each_score() -> None:
    m = measures([session("a")], ratings("useful", "a", r5=3, r4=2, r1=1))
    assert m.rating("useful").counts == (1, 0, 0, 2, 3)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("n", "minimum", "mean", "suppressed"),
    [
        (0, 10, None, False),  # no answers: nothing to hide
        (1, 10, None, True),
        (9, 10, None, True),
        (10, 10, 5.0, False),
        (2, 3, None, True),  # the event's own min_group_size
        (3, 3, 5.0, False),
    ],
)
def test_per_session_means_under_the_minimum_group_are_suppressed(
    n: int, minimum: int, mean: float | None, suppressed: bool
) -> None:
    m = measures(
        [session("a"), session("b")],
        ratings("useful", "a", r5=n) + ratings("useful", "b", r4=20),
        min_group_size=minimum,
    )
    a, b = m.per_session
    assert (a.ratings[0].mean, a.ratings[0].n, a.ratings[0].suppressed) == (mean, n, suppressed)
    assert (b.ratings[0].mean, b.ratings[0].suppressed) == (4.0, False)
    # The event's own mean is never suppressed: it is over every answer.
    assert m.rating("useful").n == n + 20  # type: ignore[union-attr]
    assert m.rating("useful").mean is not None  # type: ignore[union-attr]


def test_answers_without_a_session_count_for_the_event_only() -> None:
    m = measures([session("a")], ratings("useful", "", r5=4) + ratings("useful", "a", r3=1))
    assert (m.rating("useful").mean, m.rating("useful").n) == (4.6, 5)  # type: ignore[union-attr]
    assert m.per_session[0].ratings[0].n == 1


def test_each_rating_question_has_its_own_mean_per_session() -> None:
    m = measures([session("a")], ratings("useful", "a", r5=10) + ratings("quality", "a", r4=10))
    assert [(r.question, r.mean) for r in m.per_session[0].ratings] == [("useful", 5.0), ("quality", 4.0)]


@pytest.mark.parametrize(
    ("answers", "agreeing", "n", "share"),
    [
        ([], 0, 0, None),
        (["Agree", "Strongly agree", "Somewhat agree", "Disagree"], 3, 4, 0.75),
        (["Agree", "Don't know", "Not applicable"], 1, 1, 1.0),  # not scored: left out of the share
        (["Neither agree nor disagree", "Somewhat disagree"], 0, 2, 0.0),
    ],
)
def test_share_agreeing(answers: list[str], agreeing: int, n: int, share: float | None) -> None:
    m = measures([session("a")], [AnswerRow("learned", a, "a") for a in answers])
    (a,) = m.agreement
    assert (a.agreeing, a.n, a.answered, a.share) == (agreeing, n, len(answers), share)


def test_choose_any_shares_are_of_the_answers_and_may_add_to_more_than_one() -> None:
    answers = [
        AnswerRow("reasons", a)
        for a in ["cpd;speaker", "cpd", "cpd", "regulator", "speaker;regulator", "cpd"]
    ]
    m = measures([], answers)
    (c,) = m.choices
    assert c.answers == 6
    assert [(o.id, count) for o, count, _share in c.options] == [("cpd", 4), ("speaker", 2), ("regulator", 2)]
    assert m.to_json()["choices"] == {"reasons": {"cpd": 0.6667, "speaker": 0.3333, "regulator": 0.3333}}


def test_no_feedback_gives_empty_figures_not_errors() -> None:
    m = measures([session("a")])
    data = m.to_json()
    assert data["ratings"] == {"useful": {"mean": None, "n": 0}, "quality": {"mean": None, "n": 0}}
    assert data["choices"] == {"reasons": {"cpd": None, "speaker": None, "regulator": None}}
    assert m.agreement[0].share is None and m.comments == (("comments", 0),)


def test_free_text_is_counted_not_read() -> None:
    answers = [AnswerRow("comments", "Great", "a"), AnswerRow("comments", "Too long", "a")]
    assert tally(EVENT, answers) == (AnswerCount("a", "comments", "", 2),)
    assert measures([session("a")], answers).comments == (("comments", 2),)


# -- value for money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unique", "costs", "population", "cost", "full", "member"),
    [
        # Social Work Week 2021's published figures.
        (
            UniqueAttendees(6000, True),
            Costs(19800, 4717, 142860),
            Population("register", 98524),
            (3.30, "unique"),
            23.81,
            1.45,
        ),
        # No unique attendees given: falls back to the sessions' attendance (100), and says so.
        (None, Costs(250, None, 1000), None, (2.50, "attended"), 10.0, None),
        # No direct cost: no cost per attendee, but the full cost per attendee on the same basis.
        (UniqueAttendees(40), Costs(None, None, 1000), None, None, 25.0, None),
        # Nothing to divide by.
        (UniqueAttendees(0), Costs(100, None, 100), Population("x", 10), None, None, 10.0),
        # Money rounds half up from the exact amount: 20.01 / 2 is 10.005 -> 10.01 (binary floats say 10.00).
        (UniqueAttendees(2), Costs(20.01, None, 0.05), Population("x", 2), (10.01, "unique"), 0.03, 0.03),
        (None, Costs(), None, None, None, None),
    ],
)
def test_cost_per_attendee_and_its_basis(
    unique: UniqueAttendees | None,
    costs: Costs,
    population: Population | None,
    cost: tuple[float, str] | None,
    full: float | None,
    member: float | None,
) -> None:
    m = measures(
        [session("a", 100, 60), session("b", 50, 40)],
        unique_attendees=unique,
        costs=costs,
        population=population,
    )
    data = m.to_json()
    assert data["cost_per_attendee"] == (None if cost is None else {"value": cost[0], "basis": cost[1]})
    assert (data["full_cost_per_attendee"], data["full_cost_per_member"]) == (full, member)
    assert m.basis == ("unique" if unique is not None else "attended")


def test_no_attendance_and_no_unique_gives_no_cost_per_attendee() -> None:
    m = measures([session("a", 10, 0)], costs=Costs(100, None, 200))
    assert (m.cost_per_attendee, m.full_cost_per_attendee) == (None, None)


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [(4.565, 2, 4.57), (3.295, 2, 3.3), (0.00625, 4, 0.0063), (2.5, 0, 3.0), (0.54, 2, 0.54)],
)
def test_half_up(value: float, places: int, rounded: float) -> None:
    assert half_up(Fraction(repr(value)), places) == rounded


# -- top sessions, themes, formats ------------------------------------------------------------------


def test_top_sessions_by_attendance_ties_by_title() -> None:
    rows = [
        session("a", attended=665, title="Zeta"),
        session("b", attended=1018, title="Keynote"),
        session("c", attended=665, title="Alpha"),
        session("d", attended=865, title="Panel"),
        session("e", attended=687, title="Workshop"),
        session("f", attended=12, title="Small"),
    ]
    m = measures(rows)
    assert [(t.title, t.attended) for t in m.top_sessions] == [
        ("Keynote", 1018),
        ("Panel", 865),
        ("Workshop", 687),
        ("Alpha", 665),
        ("Zeta", 665),
    ]
    assert compute_measures(EVENT, rows, (), top=4).to_json()["top_sessions"][3] == {
        "title": "Alpha",
        "attended": 665,
    }


def test_sessions_and_attendance_by_theme_and_format() -> None:
    rows = [
        session("a", attended=10, theme="Practice", format="online"),
        session("b", attended=20, theme="Practice", format="in_person"),
        session("c", attended=5, theme="", format="online"),
        session("d", attended=7, theme="Leadership"),
    ]
    m = measures(rows)
    assert m.to_json()["by_theme"] == {
        "Leadership": {"sessions": 1, "attended": 7},
        "Practice": {"sessions": 2, "attended": 30},
        "": {"sessions": 1, "attended": 5},
    }
    assert [(g.name, g.sessions, g.attended) for g in m.by_format] == [
        ("in_person", 1, 20),
        ("online", 2, 15),
        ("", 1, 7),
    ]


# -- the JSON contract and named measures ------------------------------------------------------------


def test_json_has_exactly_the_contract_keys_and_is_serialisable() -> None:
    m = measures(
        [session("a", 10, 5, capacity=10)], ratings("useful", "a", r4=2), unique_attendees=UniqueAttendees(4)
    )
    data = m.to_json()
    assert list(data) == [
        "event",
        "title",
        "sessions",
        "sold_out",
        "signups",
        "attended",
        "conversion",
        "unique_attendees",
        "ratings",
        "choices",
        "cost_per_attendee",
        "full_cost_per_attendee",
        "full_cost_per_member",
        "top_sessions",
        "by_theme",
    ]
    assert data["unique_attendees"] == {"value": 4, "estimated": False}
    assert json.loads(json.dumps(data)) == data


def test_named_measures() -> None:
    m = measures(
        [session("a", 200, 100, capacity=200), session("b", 100, 8)],
        ratings("useful", "a", r5=1, r4=1),
        unique_attendees=UniqueAttendees(80, True),
        costs=Costs(400, 10, 1600),
        population=Population("register", 1000),
    )
    expected = {
        "sessions": 2,
        "sold_out": 1,
        "signups": 300,
        "attended": 108,
        "conversion": 0.36,
        "unique_attendees": 80,
        "cost_per_attendee": 5.0,
        "full_cost_per_attendee": 20.0,
        "full_cost_per_member": 1.6,
        "mean:useful": 4.5,
        "mean:quality": None,
    }
    assert set(measure_names(EVENT)) == set(expected)
    assert set(MEASURE_NAMES) < set(expected)
    for name, value in expected.items():
        assert (
            measure_value(m, name) == pytest.approx(value)
            if value is not None
            else measure_value(m, name) is None
        )
    for wrong in ("attendance", "mean:reasons", "mean:nope", ""):
        with pytest.raises(UnknownMeasure):
            measure_value(m, wrong)

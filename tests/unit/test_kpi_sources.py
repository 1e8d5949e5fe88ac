"""KPIs that take their value from an event (issue 19): `source:` read from the framework YAML with every problem
located, and the value a source gives from an event's measures, in the KPI's unit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.domain.event_measures import MEASURE_NAMES, compute_measures
from tracker.domain.events import (
    AnswerRow,
    Costs,
    EventDefinition,
    Question,
    SessionRow,
    UniqueAttendees,
    tally,
)
from tracker.domain.framework import KpiSource
from tracker.domain.kpi import KpiActual
from tracker.domain.kpi_sources import measure_label, source_value, sourced_value, typed_refusal
from tracker.domain.loader import parse_framework

TINY = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
KPI_END = "        target: {value: 85}\n"


def with_kpi(lines: str) -> str:
    """The tiny framework with one more KPI (its lines indented as a KPI of the first theme)."""
    assert TINY.endswith(KPI_END)
    return TINY + lines


SOURCED = """\
      - id: week-attendance
        name: People attending the practice week
        unit: count
        direction: higher_is_better
        source: {event: week-2023, measure: attended}
"""


def test_a_kpi_may_take_its_value_from_an_event() -> None:
    result = parse_framework(with_kpi(SOURCED), "f.yaml")
    assert result.problems == ()
    assert result.framework is not None
    kpi = next(k for k in result.framework.kpis if k.id == "week-attendance")
    assert kpi.source == KpiSource("week-2023", "attended")
    assert next(k for k in result.framework.kpis if k.id == "statutory-share").source is None


@pytest.mark.parametrize("measure", [*MEASURE_NAMES, "mean:useful", "'mean:content-quality'"])
def test_every_named_measure_is_accepted(measure: str) -> None:
    result = parse_framework(with_kpi(SOURCED.replace("measure: attended", f"measure: {measure}")), "f.yaml")
    assert result.problems == (), [str(p) for p in result.problems]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "{event: week-2023, measure: attendance}",
            "f.yaml:32:45: themes[0].kpis[1].source.measure: unknown measure 'attendance'; did you mean "
            "'attended'?; the measures are: sessions, sold_out, signups, attended, conversion, "
            "unique_attendees, cost_per_attendee, full_cost_per_attendee, full_cost_per_member and "
            "mean:<question id>",
        ),
        (
            "{event: week-2023, measure: 'mean:'}",
            "f.yaml:32:45: themes[0].kpis[1].source.measure: 'mean:' names no question: give mean:<the id of "
            "one of the event's rating questions>",
        ),
        (
            "{event: week-2023, measure: attended, period: 2023}",
            "f.yaml:32:55: themes[0].kpis[1].source.period: unknown key 'period' (known: event, measure)",
        ),
        (
            "{event: week-2023}",
            "f.yaml:32:17: themes[0].kpis[1].source: missing required key 'measure'",
        ),
        (
            "{event: Week 2023, measure: attended}",
            "f.yaml:32:25: themes[0].kpis[1].source.event: 'Week 2023' is not a valid id",
        ),
        ("week-2023", "f.yaml:32:17: themes[0].kpis[1].source: expected a mapping"),
    ],
)
def test_a_bad_source_is_a_located_problem(source: str, expected: str) -> None:
    result = parse_framework(
        with_kpi(SOURCED.replace("{event: week-2023, measure: attended}", source)), "f.yaml"
    )
    assert result.framework is None
    found = [str(p) for p in result.problems]
    assert any(p.startswith(expected) for p in found), found


def test_a_sourced_kpi_is_not_per_partner() -> None:
    result = parse_framework(with_kpi(SOURCED + "        per_partner: true\n"), "f.yaml")
    assert [str(p) for p in result.problems] == [
        "f.yaml:33:22: themes[0].kpis[1].per_partner: a KPI with a 'source' takes one value from its event, "
        "not one per partner"
    ]


# -- the value a source gives -----------------------------------------------------------------------

EVENT = EventDefinition(
    id="week-2023",
    framework="tiny-partnership",
    title="Practice Week 2023",
    starts_on=date(2023, 3, 13),
    ends_on=date(2023, 3, 17),
    unique_attendees=UniqueAttendees(150, True),
    costs=Costs(direct=495),
    questions=(Question("useful", "How useful", "rating"), Question("why", "Why?", "free_text")),
)
SESSIONS = (SessionRow("a", "Keynote", 120, 90), SessionRow("b", "Panel", 60, None))
ANSWERS = tally(EVENT, [AnswerRow("useful", "5", "a"), AnswerRow("useful", "4", "a")])
MEASURES = compute_measures(EVENT, SESSIONS, ANSWERS)


@pytest.mark.parametrize(
    ("measure", "unit", "value"),
    [
        ("attended", "count", 90.0),
        ("sessions", "count", 2.0),
        ("signups", "count", 180.0),
        ("conversion", "percent", 75.0),  # a share becomes a percentage for a percent KPI
        ("conversion", "number", 0.75),  # and stays a fraction otherwise
        ("unique_attendees", "count", 150.0),
        ("cost_per_attendee", "currency", 3.3),
        ("full_cost_per_attendee", "currency", None),  # no full cost given
        ("mean:useful", "score", 4.5),
        ("mean:why", "score", None),  # not a rating question: no value
        ("mean:nope", "score", None),
    ],
)
def test_source_value(measure: str, unit: str, value: float | None) -> None:
    assert source_value(KpiSource("week-2023", measure), unit, MEASURES) == value


def test_conversion_as_a_percentage_rounds_half_up_to_two_places() -> None:
    sessions = (SessionRow("a", "A", 19452, 10504),)
    measures = compute_measures(EVENT, sessions, ())
    assert source_value(KpiSource("week-2023", "conversion"), "percent", measures) == 54.0
    sessions = (SessionRow("a", "A", 3, 2),)
    measures = compute_measures(EVENT, sessions, ())
    assert source_value(KpiSource("week-2023", "conversion"), "percent", measures) == 66.67


def test_the_value_is_for_the_events_period_and_counts_from_its_end() -> None:
    sourced = sourced_value("k", KpiSource("week-2023", "attended"), "count", (EVENT, MEASURES))
    assert (sourced.period, sourced.period_end, sourced.value, sourced.problem) == (
        "Practice Week 2023",
        date(2023, 3, 17),
        90.0,
        None,
    )
    assert sourced.actual(date(2023, 3, 17)) == KpiActual("Practice Week 2023", date(2023, 3, 17), 90.0)
    assert sourced.actual(date(2023, 3, 16)) is None  # before the event ended


def test_no_value_without_the_event_or_its_question() -> None:
    missing = sourced_value("k", KpiSource("week-2024", "attended"), "count", None)
    assert (missing.definition, missing.value, missing.actual(date(2030, 1, 1))) == (None, None, None)
    wrong = sourced_value("k", KpiSource("week-2023", "mean:quality"), "score", (EVENT, MEASURES))
    assert (wrong.value, wrong.problem) == (None, "the event 'week-2023' has no rating question 'quality'")


def test_words() -> None:
    assert measure_label("attended") == "attended (the sessions' attendance added up)"
    assert measure_label("mean:useful", EVENT) == "the mean rating of 'How useful'"
    assert typed_refusal("week-attendance", {"event": "week-2023", "measure": "attended"}) == (
        "the KPI 'week-attendance' takes its value from the event 'week-2023' (its measure 'attended'), so it "
        "is not typed: load the event's files to change it"
    )

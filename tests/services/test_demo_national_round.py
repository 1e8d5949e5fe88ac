"""The demo's generated national Health Check round (issue 21): the same every time, the organisations and
respondents the issue asks for, and every published figure checked with the tracker's own scoring."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from tracker.domain.loader import load_framework_file
from tracker.domain.survey_responses import parse_responses
from tracker.domain.survey_scoring import score_round
from tracker.domain.surveys import SectionResult, SurveyDefinition, round_half_up, rounded_score
from tracker.services.demo_national_orgs import FIXED_SIZES, REGIONS
from tracker.services.demo_national_round import (
    AREAS,
    CHARACTERISTICS,
    COLUMNS,
    DONT_KNOW,
    LABELS,
    QUESTIONS,
    REVERSE,
    ROUNDS,
    SECTIONS,
    STRUGGLING,
    SURVEY_ID,
    DemoRound,
    build_national_demo,
    national_demo,
)

REPO = Path(__file__).resolve().parents[2]
# The sha-256 of the organisations CSV then both rounds' CSVs. It pins the output on every Python 3.11+
# (checked on 3.11.7, 3.12.1 and 3.13.0); change it only when the generator is changed on purpose.
DIGEST = "aabc744eeed8b1b00447c9a07c46576124148ffd1bce33e10f19be046527b013"
STANDARDS = tuple(section for section, _ in SECTIONS[:8])
WORKPLACE = "hcn-workplace-experiences"
MINIMUM = 10


def definition() -> SurveyDefinition:
    framework = load_framework_file(REPO / "frameworks" / "employer_standards_2024.yaml").framework
    assert framework is not None
    return next(s for s in framework.surveys if s.id == SURVEY_ID)


def known_columns(survey: SurveyDefinition) -> list[str]:
    """The generated columns this definition reads: all of them once it declares organisations and
    characteristics (issue 21), else the respondent, breakdown and question columns."""
    known = {"respondent", *survey.breakdowns, *survey.question_ids()}
    if getattr(survey, "organisations", False):
        known |= {"org", "profession"}
    known |= set(getattr(survey, "characteristics", ()))
    return [column for column in COLUMNS if column in known]


def scored(survey: SurveyDefinition, rows: Sequence[dict[str, str]] | DemoRound) -> tuple[SectionResult, ...]:
    cells = rows.rows if isinstance(rows, DemoRound) else rows
    columns = known_columns(survey)
    responses, problems = parse_responses(survey, columns, [[row[c] for c in columns] for row in cells])
    assert problems.total == 0, problems
    return score_round(survey, responses, by="service_area")


@pytest.fixture(scope="module")
def survey() -> SurveyDefinition:
    return definition()


@pytest.fixture(scope="module")
def results(survey: SurveyDefinition) -> dict[str, dict[str, SectionResult]]:
    """Each round's section results, by section id, scored as the tracker scores an imported round."""
    return {r.label: {s.section: s for s in scored(survey, r)} for r in national_demo().rounds}


def overall(sections: dict[str, SectionResult], area: str | None = None) -> float:
    """The overall figure: the mean of the unrounded Standards 1-8 scores (spec 21, Decisions)."""
    return math.fsum(score(sections[s], area) for s in STANDARDS) / len(STANDARDS)


def score(result: SectionResult, area: str | None = None) -> float:
    value = result.score if area is None else next(g.score for g in result.groups if g.group == area)
    assert value is not None
    return value


def csv_text(table: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue()


# -- the same every time ------------------------------------------------------------------


def test_two_generations_are_identical_and_the_cached_one_is_shared() -> None:
    assert build_national_demo() == build_national_demo()
    assert national_demo() is national_demo()


def test_the_output_is_pinned_byte_for_byte() -> None:
    demo = national_demo()
    digest = hashlib.sha256()
    for table in (demo.organisation_table(), *(r.table() for r in demo.rounds)):
        digest.update(csv_text(table).encode())
    assert digest.hexdigest() == DIGEST


# -- organisations --------------------------------------------------------------------------------


def test_169_organisations_of_three_kinds_in_the_nine_english_regions() -> None:
    orgs = national_demo().organisations
    assert len(orgs) == len({o.id for o in orgs}) == len({o.name for o in orgs}) == 169
    assert Counter(o.kind for o in orgs) == {"local_authority": 151, "nhs_trust": 11, "not_for_profit": 7}
    assert len(REGIONS) == 9
    assert {o.region for o in orgs} == set(REGIONS)
    assert all(sum(o.region == r and o.kind == "local_authority" for o in orgs) >= 9 for r in REGIONS)


@pytest.mark.parametrize(
    ("kind", "pattern"),
    [
        ("local_authority", r"la-\d{3} Local authority \d{3}"),
        ("nhs_trust", r"nhs-\d{2} NHS trust \d{2}"),
        ("not_for_profit", r"nfp-\d{2} Not-for-profit provider \d{2}"),
    ],
)
def test_names_are_plainly_synthetic(kind: str, pattern: str) -> None:
    for org in national_demo().organisations:
        if org.kind == kind:
            assert re.fullmatch(pattern, f"{org.id} {org.name}"), org
            assert org.id.split("-")[1] == org.name.split()[-1]


def test_the_organisations_csv_has_the_columns_of_survey_orgs() -> None:
    table = national_demo().organisation_table()
    assert table[0] == ["org", "name", "kind", "region"]
    assert table[1] == ["la-001", "Local authority 001", "local_authority", "North East"]
    assert len(table) == 170


# -- respondents ----------------------------------------------------------------------------------


def test_two_rounds_of_about_ten_thousand_respondents() -> None:
    rounds = national_demo().rounds
    assert [r.label for r in rounds] == list(ROUNDS) == ["2022/23", "2023/24"]
    counts = [len(r.rows) for r in rounds]
    assert all(9_500 <= n <= 10_500 for n in counts), counts
    assert 19_500 <= sum(counts) <= 20_500


def test_rows_have_every_column_in_order_and_unique_respondents() -> None:
    seen: set[str] = set()
    for demo_round in national_demo().rounds:
        assert all(tuple(row) == COLUMNS for row in demo_round.rows)
        assert demo_round.table()[0] == list(COLUMNS)
        ids = [row["respondent"] for row in demo_round.rows]
        assert len(set(ids)) == len(ids)
        assert not seen & set(ids), "an anonymous survey: no respondent is paired across rounds"
        seen |= set(ids)


def test_the_question_columns_are_the_surveys_own(survey: SurveyDefinition) -> None:
    assert survey.question_ids() == QUESTIONS
    assert [(s.id, s.question_ids) for s in survey.sections] == [
        (section, tuple(q for q, _ in questions)) for section, questions in SECTIONS
    ]
    assert frozenset().union(*(s.reverse for s in survey.sections)) == REVERSE
    assert set(survey.breakdowns) == {"service_area"}
    assert survey.organisations
    assert survey.characteristics == tuple(name for name, _ in CHARACTERISTICS)
    assert known_columns(survey) == list(COLUMNS)  # the definition reads every generated column


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("profession", {"social_worker", "occupational_therapist", "social_care_worker"}),
        ("service_area", {*AREAS, ""}),
        *((name, {value for value, _ in mix}) for name, mix in CHARACTERISTICS),
    ],
)
def test_every_value_of_each_descriptive_column_occurs_and_nothing_else(
    column: str, values: set[str]
) -> None:
    for demo_round in national_demo().rounds:
        assert {row[column] for row in demo_round.rows} == values


def test_characteristics_are_those_the_seed_lists() -> None:
    assert [name for name, _ in CHARACTERISTICS] == ["gender", "age_band", "sexuality", "religion"]


def test_answers_are_agree5_labels_with_a_few_dont_knows_and_blanks() -> None:
    for demo_round in national_demo().rounds:
        cells = Counter(row[q] for row in demo_round.rows for q in QUESTIONS)
        assert set(cells) == {*LABELS, DONT_KNOW, ""}
        total = cells.total()
        assert 0.015 < cells[DONT_KNOW] / total < 0.025
        assert 0.005 < cells[""] / total < 0.015


def test_children_are_the_largest_service_area() -> None:
    for demo_round in national_demo().rounds:
        areas = Counter(row["service_area"] for row in demo_round.rows)
        assert areas.most_common(1)[0][0] == "children"
        assert areas["children"] > areas["adults"] > areas["mental-health"] >= 10 * MINIMUM


# -- organisation sizes ---------------------------------------------------------------------------


def test_some_organisations_are_too_small_to_report_and_most_are_not(survey: SurveyDefinition) -> None:
    demo = national_demo()
    latest = demo.round("2023/24")
    completers = Counter(row["org"] for row in latest.rows)
    assert set(completers) == {o.id for o in demo.organisations}
    small = sorted(org for org, n in completers.items() if n < MINIMUM)
    assert small == ["la-015", "la-062", "la-118", "nfp-02", "nfp-05", "nhs-07"]
    assert sum(n >= MINIMUM for n in completers.values()) == 163
    assert completers["la-140"] == MINIMUM
    for org in small:
        results = scored(survey, [row for row in latest.rows if row["org"] == org])
        assert all(r.suppressed and r.score is None for r in results)


def test_the_fixed_sizes_hold_and_two_organisations_joined_in_2023_24() -> None:
    demo = national_demo()
    for index, demo_round in enumerate(demo.rounds):
        completers = Counter(row["org"] for row in demo_round.rows)
        for org, counts in FIXED_SIZES.items():
            assert completers.get(org, 0) == counts[index]
    earlier = {row["org"] for row in demo.round("2022/23").rows}
    assert {o.id for o in demo.organisations} - earlier == {"la-151", "nhs-07"}


def test_struggling_organisations_have_a_poor_standard_in_2023_24(survey: SurveyDefinition) -> None:
    latest = national_demo().round("2023/24")
    for org, section in STRUGGLING:
        results = {r.section: r for r in scored(survey, [row for row in latest.rows if row["org"] == org])}
        assert results[section].band == "poor"


# -- the published figures, with the tracker's scoring -----------------------------------------------

OVERALL = [
    # (round, service area or None for national, the figure shown to 1 decimal; the seed's sentence)
    ("2022/23", None, 79.0),  # "Average national score 2022/23 79"
    ("2023/24", None, 74.0),  # "Average national score 2023/24 74"; "Standards 1-8 74 74 77.5 75.5"
    ("2023/24", "children", 74.0),
    ("2023/24", "adults", 77.5),
    ("2023/24", "mental-health", 75.5),
]


@pytest.mark.parametrize(("label", "area", "shown"), OVERALL)
def test_the_standards_1_to_8_overall_matches_the_seed(
    results: dict[str, dict[str, SectionResult]], label: str, area: str | None, shown: float
) -> None:
    assert round_half_up(overall(results[label], area), 1) == shown


SECTION_FIGURES = [
    # (section, service area or None, the whole-number score shown) for 2023/24
    # "Workplace experiences 66 65 68 64"
    (WORKPLACE, None, 66),
    (WORKPLACE, "children", 65),
    (WORKPLACE, "adults", 68),
    (WORKPLACE, "mental-health", 64),
    # "Standard 3 - Safe workloads and case allocation 75 77 73 75" (overall, adults, children, mental health)
    ("hcn-standard-3", None, 75),
    ("hcn-standard-3", "adults", 77),
    ("hcn-standard-3", "children", 73),
    ("hcn-standard-3", "mental-health", 75),
]


@pytest.mark.parametrize(("section", "area", "shown"), SECTION_FIGURES)
def test_the_2023_24_section_figures_match_the_seed(
    results: dict[str, dict[str, SectionResult]], section: str, area: str | None, shown: int
) -> None:
    assert rounded_score(score(results["2023/24"][section], area)) == shown


def test_standard_1_is_the_only_standard_that_did_not_decline(
    results: dict[str, dict[str, SectionResult]],
) -> None:
    changes = {s: score(results["2023/24"][s]) - score(results["2022/23"][s]) for s in STANDARDS}
    shown = {s: round_half_up(change, 1) for s, change in changes.items()}
    assert [s for s, change in shown.items() if change >= 0] == ["hcn-standard-1"]
    assert all(change <= -1.0 for s, change in shown.items() if s != "hcn-standard-1")


def test_children_less_favourable_on_7_of_8_standards(results: dict[str, dict[str, SectionResult]]) -> None:
    """The seed: "Children's social workers responded slightly less favourably on 7 out of 8 standards"."""
    latest = results["2023/24"]
    lower = [
        s
        for s in STANDARDS
        if all(
            rounded_score(score(latest[s], "children")) < rounded_score(score(latest[s], other))
            for other in ("adults", "mental-health")
        )
    ]
    assert lower == list(STANDARDS[1:])


def test_no_national_or_service_area_figure_is_suppressed(
    results: dict[str, dict[str, SectionResult]],
) -> None:
    for sections in results.values():
        for result in sections.values():
            assert not result.suppressed
            assert [g.group for g in result.groups] == ["adults", "children", "mental-health"]
            assert not any(g.suppressed for g in result.groups)

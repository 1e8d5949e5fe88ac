"""The three seed frameworks validate and hold what the source documents say."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.domain.framework import Framework, Kpi
from tracker.domain.loader import load_framework_file
from tracker.resources import frameworks_dir

SHIPPED = {
    "developing-together": "developing_together.yaml",
    "social-work-week-2021": "social_work_week_2021.yaml",
    "employer-standards-2024": "employer_standards_2024.yaml",
}


def load(name: str) -> Framework:
    result = load_framework_file(frameworks_dir() / name)
    assert result.ok, [str(p) for p in result.problems]
    assert result.framework is not None
    return result.framework


@pytest.mark.parametrize(("framework_id", "filename"), SHIPPED.items())
def test_shipped_framework_validates(framework_id: str, filename: str) -> None:
    framework = load(filename)
    assert framework.id == framework_id
    assert framework.outcomes and framework.themes


def kpi(framework: Framework, kpi_id: str) -> Kpi:
    found = framework.get(kpi_id)
    assert isinstance(found, Kpi), kpi_id
    return found


def test_developing_together_is_faithful() -> None:
    f = load("developing_together.yaml")
    assert f.period.start.isoformat() == "2018-04-01" and f.period.end.isoformat() == "2020-03-31"
    assert f.as_of is not None and f.as_of.isoformat() == "2020-05-31"
    assert f.vision.startswith("To leverage the strengths of our partners")
    assert [t.title for t in f.themes] == [
        "The identity and brand of the Partnership",
        "The student journey",
        "The development of qualified social workers",
        "The future workforce",
    ]
    assert len(f.partners) == 14
    assert {p.kind for p in f.partners} == {"local_authority", "hei", "pvi"}
    assert sum(p.tier == "primary" for p in f.partners) == 9
    assert sum(p.tier == "secondary" for p in f.partners) == 5
    # Long-term hopes are long-term outcomes expected after the funded period.
    long_term = [o for o in f.outcomes if o.term == "long"]
    assert long_term and all(o.expected_by and o.expected_by > f.period.end for o in long_term)
    by_name = {k.name: k for k in f.kpis}
    first_year = by_name["Percentage of first year BA students undertaking a statutory placement"]
    assert first_year.baseline is not None and first_year.baseline.value == 55
    assert first_year.target is not None and first_year.target.value == 100
    independent = [
        k for k in f.kpis if k.direction == "lower_is_better" and k.target and k.target.value == 20
    ]
    assert len(independent) == 1 and independent[0].unit == "percent"
    growth = [k for k in f.kpis if k.target and k.target.per_period]
    assert len(growth) == 2 and all(k.target and k.target.change == 5 for k in growth)


def test_social_work_week_2021_is_faithful() -> None:
    f = load("social_work_week_2021.yaml")
    assert len(f.themes) == 4
    reach = [k for k in f.kpis if k.target and k.target.value == 10000]
    assert len(reach) == 1 and reach[0].unit == "count"
    assert any(k.unit == "currency" and k.direction == "lower_is_better" for k in f.kpis)
    assert any(k.unit == "score" for k in f.kpis)


def test_employer_standards_2024_is_faithful() -> None:
    f = load("employer_standards_2024.yaml")
    standards = [t for t in f.themes if t.id.startswith("standard-")]
    assert len(standards) == 8
    assert any(t.title == "Workplace Experiences" or "Workplace" in t.title for t in f.themes)
    scores = [k for k in f.kpis if k.unit == "score"]
    assert len(scores) >= 9
    assert all(k.target is not None and k.target.value == 75 for k in scores)


def test_shipped_folder_is_found() -> None:
    assert Path(frameworks_dir(), "developing_together.yaml").is_file()


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("", ""),
        ("No id here: placements and entry levels.", "No id here: placements and entry levels."),
        (
            "Companion to ucas-tariff-120: the average.",
            "Companion to Percentage of students admitted to the BA in Social Work with tariff-able "
            "qualifications who have 120 UCAS points or more: the average.",
        ),
        (
            "ucas-tariff-120x and xucas-tariff-120 are not ids",
            "ucas-tariff-120x and xucas-tariff-120 are not ids",
        ),
    ],
)
def test_a_note_names_the_elements_it_refers_to_by_id(note: str, expected: str) -> None:
    """Pages show a KPI's note with each element id in it replaced by the element's name."""
    framework = load_framework_file(frameworks_dir() / "developing_together.yaml").framework
    assert framework is not None
    assert framework.named(note) == expected


def test_the_national_health_check_survey_asks_the_small_surveys_questions() -> None:
    """Version 3's second survey (issue 21): the same questions, its own section ids, organisations and
    characteristics, overall Standards 1-8, and no links (its answers would count twice in the ratings)."""
    f = load("employer_standards_2024.yaml")
    assert f.version == 3
    small, national = (
        next(s for s in f.surveys if s.id == i) for i in ("health-check-survey", "health-check-national")
    )
    same = ("scale", "min_group_size", "bands", "breakdowns")
    assert [getattr(national, name) for name in same] == [getattr(small, name) for name in same]
    assert [(s.title, s.questions, s.reverse) for s in national.sections] == [
        (s.title, s.questions, s.reverse) for s in small.sections
    ]
    assert [s.id for s in national.sections] == [s.id.replace("hc-", "hcn-", 1) for s in small.sections]
    assert all(s.links for s in small.sections) and not any(s.links for s in national.sections)
    assert national.organisations and not small.organisations
    assert national.characteristics == ("gender", "age_band", "sexuality", "religion")
    assert national.overall == tuple(f"hcn-standard-{n}" for n in range(1, 9))

"""Item tiers: every source type and boundary of the default thresholds, flags and custom settings."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from tracker.domain.evidence import EvidenceItem, assess_item, describe_item
from tracker.domain.settings import RuleSettings


def item(**changes: Any) -> EvidenceItem:
    """A supporting item with sensible defaults, changed where a case needs it."""
    values: dict[str, Any] = {
        "id": 1,
        "title": "Practice educator survey",
        "source_type": "survey",
        "collected_on": date(2023, 2, 1),
        "finding": "supports",
    }
    values.update(changes)
    return EvidenceItem(**values)


CASES = [
    # (name, item fields, tier, counts)
    ("survey n unknown", {"respondents": None}, "anecdotal", False),
    ("survey n=4", {"respondents": 4}, "anecdotal", False),
    ("survey n=5", {"respondents": 5}, "indicative", True),
    ("survey n=9", {"respondents": 9}, "indicative", True),
    ("survey n=10", {"respondents": 10}, "robust", True),
    ("feedback form n=4", {"source_type": "feedback_form", "respondents": 4}, "anecdotal", False),
    ("feedback form n=10", {"source_type": "feedback_form", "respondents": 10}, "robust", True),
    ("rate 48% n=12", {"respondents": 12, "population": 25}, "indicative", True),
    ("rate 50% n=12", {"respondents": 12, "population": 24}, "robust", True),
    ("rate 60% n=18", {"respondents": 18, "population": 30}, "robust", True),
    ("low rate n=29", {"respondents": 29, "population": 100}, "indicative", True),
    ("low rate n=30", {"respondents": 30, "population": 100}, "robust", True),
    ("low rate n=9", {"respondents": 9, "population": 100}, "indicative", True),
    ("low rate n=4", {"respondents": 4, "population": 100}, "anecdotal", False),
    ("population 0 is unknown", {"respondents": 10, "population": 0}, "robust", True),
    ("interview n unknown", {"source_type": "interview"}, "anecdotal", False),
    ("interview n=1", {"source_type": "interview", "respondents": 1}, "anecdotal", False),
    ("interview n=2", {"source_type": "interview", "respondents": 2}, "indicative", True),
    ("focus group n=5", {"source_type": "focus_group", "respondents": 5}, "indicative", True),
    ("focus group n=6", {"source_type": "focus_group", "respondents": 6}, "robust", True),
    ("case study n=6", {"source_type": "case_study", "respondents": 6}, "robust", True),
    ("observation n=3", {"source_type": "observation", "respondents": 3}, "indicative", True),
    ("admin data", {"source_type": "admin_data"}, "robust", True),
    ("analytics", {"source_type": "analytics"}, "robust", True),
    (
        "analytics partial coverage",
        {"source_type": "analytics", "flags": frozenset({"partial_coverage"})},
        "indicative",
        True,
    ),
    ("document", {"source_type": "document"}, "indicative", True),
    ("testimonial", {"source_type": "testimonial", "respondents": 50}, "anecdotal", False),
    ("indirect robust survey", {"respondents": 18, "flags": frozenset({"indirect"})}, "indicative", True),
    ("indirect indicative survey", {"respondents": 7, "flags": frozenset({"indirect"})}, "anecdotal", False),
    ("indirect document", {"source_type": "document", "flags": frozenset({"indirect"})}, "anecdotal", False),
    (
        "indirect partial admin data",
        {"source_type": "admin_data", "flags": frozenset({"indirect", "partial_coverage"})},
        "anecdotal",
        False,
    ),
    (
        "indirect anecdotal stays anecdotal",
        {"respondents": 2, "flags": frozenset({"indirect"})},
        "anecdotal",
        False,
    ),
]


@pytest.mark.parametrize(("name", "fields", "tier", "counts"), CASES, ids=[c[0] for c in CASES])
def test_default_tiers(name: str, fields: dict[str, Any], tier: str, counts: bool) -> None:
    assessment = assess_item(item(**fields))
    assert (assessment.tier, assessment.counts) == (tier, counts)
    assert assessment.item_id == 1
    assert assessment.reason.endswith(".") and tier in assessment.reason


RATE_CASES = [
    # (respondents, population, tier): with the "any rate" minimum raised, only the 50% rate decides
    (49, 100, "indicative"),
    (50, 100, "robust"),
    (10, 20, "robust"),
    (10, 21, "indicative"),
]


@pytest.mark.parametrize(("respondents", "population", "tier"), RATE_CASES)
def test_response_rate_boundary_49_50(respondents: int, population: int, tier: str) -> None:
    settings = RuleSettings(survey_robust_any_rate_respondents=1000)
    assert assess_item(item(respondents=respondents, population=population), settings).tier == tier


SETTING_CASES = [
    # (settings, item fields, tier)
    (RuleSettings(survey_robust_respondents=20), {"respondents": 18}, "indicative"),
    (RuleSettings(survey_robust_respondents=20), {"respondents": 20}, "robust"),
    (RuleSettings(survey_indicative_respondents=3), {"respondents": 3}, "indicative"),
    (RuleSettings(survey_response_rate_percent=70), {"respondents": 18, "population": 30}, "indicative"),
    (
        RuleSettings(qualitative_robust_participants=8),
        {"source_type": "focus_group", "respondents": 7},
        "indicative",
    ),
    (
        RuleSettings(qualitative_indicative_participants=1),
        {"source_type": "interview", "respondents": 1},
        "indicative",
    ),
]


@pytest.mark.parametrize(("settings", "fields", "tier"), SETTING_CASES)
def test_custom_settings_change_tiers(settings: RuleSettings, fields: dict[str, Any], tier: str) -> None:
    assert assess_item(item(**fields), settings).tier == tier


REASONS = [
    ({"respondents": 18, "population": 30}, "Survey with 18 of 30 responding (60%): robust."),
    ({"respondents": 18}, "Survey with 18 respondents: robust."),
    (
        {"respondents": 7},
        "Survey with 7 respondents: indicative (10 or more would make it robust).",
    ),
    (
        {"respondents": 12, "population": 25},
        "Survey with 12 of 25 responding (48%): indicative "
        "(response rate below 50% and fewer than 30 respondents).",
    ),
    (
        {"source_type": "focus_group", "respondents": 7},
        "Focus group with 7 participants: robust.",
    ),
    (
        {"respondents": 18, "flags": frozenset({"indirect"})},
        "Survey with 18 respondents: robust, but indirect, so indicative.",
    ),
    (
        {"source_type": "testimonial"},
        "Testimonial: anecdotal. Shown for illustration only; it does not count towards the rating.",
    ),
    (
        {"source_type": "admin_data", "flags": frozenset({"partial_coverage"})},
        "Admin data with partial coverage: indicative.",
    ),
]


@pytest.mark.parametrize(("fields", "reason"), REASONS)
def test_reason_sentences(fields: dict[str, Any], reason: str) -> None:
    assert assess_item(item(**fields)).reason == reason


def test_rate_is_rounded_down_so_a_low_rate_never_reads_as_50_percent() -> None:
    reason = assess_item(item(respondents=999, population=2000)).reason
    assert "(49.9%)" in reason


DESCRIPTIONS = [
    ({"respondents": 18}, '"Practice educator survey" (survey, 18 respondents)'),
    ({"respondents": 1}, '"Practice educator survey" (survey, 1 respondent)'),
    (
        {"source_type": "focus_group", "respondents": 7},
        '"Practice educator survey" (focus group, 7 participants)',
    ),
    ({"source_type": "admin_data"}, '"Practice educator survey" (admin data)'),
]


@pytest.mark.parametrize(("fields", "text"), DESCRIPTIONS)
def test_items_are_named_for_a_board_member(fields: dict[str, Any], text: str) -> None:
    assert describe_item(item(**fields)) == text


INVALID = [
    {"source_type": "poll"},
    {"finding": "maybe"},
    {"flags": frozenset({"partial"})},
]


@pytest.mark.parametrize("fields", INVALID)
def test_unknown_values_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="unknown"):
        item(**fields)


def test_items_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        item().title = "changed"  # type: ignore[misc]


def test_strength_order_puts_counted_robust_and_recent_items_first() -> None:
    from datetime import date

    from tracker.domain.evidence import strength_order

    items = [
        (False, "anecdotal", date(2023, 5, 1), 1),
        (True, "indicative", date(2023, 5, 1), 2),
        (True, "robust", date(2022, 1, 1), 3),
        (True, "robust", date(2023, 1, 1), 4),
        (True, "robust", date(2023, 1, 1), 5),
    ]
    assert [i[3] for i in sorted(items, key=lambda i: strength_order(*i))] == [4, 5, 3, 2, 1]

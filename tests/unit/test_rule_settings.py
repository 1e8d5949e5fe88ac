"""Rule settings: defaults, valid overrides, and a (key, message) problem for every bad setting."""

from __future__ import annotations

import dataclasses
import math

import pytest

from tracker.domain.settings import DEFAULT_SETTINGS, SETTING_NAMES, RuleSettings, parse_rule_settings


def test_defaults_are_the_documented_thresholds() -> None:
    assert dataclasses.asdict(DEFAULT_SETTINGS) == {
        "survey_robust_respondents": 10,
        "survey_indicative_respondents": 5,
        "survey_response_rate_percent": 50.0,
        "survey_robust_any_rate_respondents": 30,
        "qualitative_robust_participants": 6,
        "qualitative_indicative_participants": 2,
        "strong_min_lines": 2,
        "strong_min_robust_lines": 1,
        "some_min_lines": 2,
        "some_min_robust_lines": 1,
        "none_min_robust_negative_lines": 1,
        "kpi_partly_met_share": 0.5,
        "effort_caps_effect": True,
        "deliverable_document_robust": True,
        "independent_unknown_size_indicative": True,
        "partial_coverage_lowers": True,
    }
    assert set(SETTING_NAMES) == {f.name for f in dataclasses.fields(RuleSettings)}


@pytest.mark.parametrize("value", [False, True])
def test_a_switch_takes_true_or_false(value: bool) -> None:
    settings, problems = parse_rule_settings({"effort_caps_effect": value})
    assert problems == []
    assert settings.effort_caps_effect is value


@pytest.mark.parametrize("value", [0, 1, "no", "false", 1.0, None])
def test_a_switch_refuses_anything_but_true_or_false(value: object) -> None:
    settings, problems = parse_rule_settings({"effort_caps_effect": value})
    assert settings == DEFAULT_SETTINGS
    assert len(problems) == 1 and problems[0][0] == "effort_caps_effect"
    assert "expected true or false" in problems[0][1]


def test_settings_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SETTINGS.survey_robust_respondents = 3  # type: ignore[misc]


def test_empty_mapping_gives_the_defaults() -> None:
    assert parse_rule_settings({}) == (DEFAULT_SETTINGS, [])


VALID = [
    # (raw, attribute, value)
    ({"survey_robust_respondents": 20}, "survey_robust_respondents", 20),
    ({"survey_response_rate_percent": 60}, "survey_response_rate_percent", 60.0),
    ({"survey_response_rate_percent": 100}, "survey_response_rate_percent", 100.0),
    ({"kpi_partly_met_share": 0.75}, "kpi_partly_met_share", 0.75),
    ({"kpi_partly_met_share": 1}, "kpi_partly_met_share", 1.0),
    ({"strong_min_robust_lines": 0}, "strong_min_robust_lines", 0),
    ({"qualitative_robust_participants": 8}, "qualitative_robust_participants", 8),
]


@pytest.mark.parametrize(("raw", "attribute", "value"), VALID)
def test_valid_settings_are_applied(raw: dict[str, object], attribute: str, value: float) -> None:
    settings, problems = parse_rule_settings(raw)
    assert problems == []
    assert getattr(settings, attribute) == value
    assert type(getattr(settings, attribute)) is type(getattr(DEFAULT_SETTINGS, attribute))


INVALID = [
    # (raw, key, words the message must contain)
    (
        {"survey_robust_respondent": 20},
        "survey_robust_respondent",
        ["unknown", "did you mean 'survey_robust_respondents'"],
    ),
    ({"colour": "blue"}, "colour", ["unknown rule setting 'colour'", "known:"]),
    ({"survey_robust_respondents": "ten"}, "survey_robust_respondents", ["expected a whole number", "'ten'"]),
    ({"survey_robust_respondents": 10.5}, "survey_robust_respondents", ["expected a whole number"]),
    ({"survey_robust_respondents": True}, "survey_robust_respondents", ["expected a whole number", "true"]),
    ({"survey_robust_respondents": None}, "survey_robust_respondents", ["found nothing"]),
    ({"survey_robust_respondents": [10]}, "survey_robust_respondents", ["found a list"]),
    ({"survey_robust_respondents": 0}, "survey_robust_respondents", ["at least 1", "found 0"]),
    ({"strong_min_robust_lines": -1}, "strong_min_robust_lines", ["at least 0"]),
    ({"survey_response_rate_percent": 101}, "survey_response_rate_percent", ["between 0 and 100"]),
    ({"survey_response_rate_percent": "50%"}, "survey_response_rate_percent", ["expected a number"]),
    ({"survey_response_rate_percent": math.nan}, "survey_response_rate_percent", ["expected a number"]),
    ({"kpi_partly_met_share": 1.5}, "kpi_partly_met_share", ["between 0 and 1"]),
    (
        {"survey_indicative_respondents": 12},
        "survey_indicative_respondents",
        ["must not be more than 'survey_robust_respondents'", "overlap"],
    ),
    (
        {"qualitative_robust_participants": 1},
        "qualitative_robust_participants",
        ["'qualitative_indicative_participants' (2) must not be more than"],
    ),
    (
        {"survey_robust_any_rate_respondents": 8},
        "survey_robust_any_rate_respondents",
        ["'survey_robust_respondents' (10)"],
    ),
]


@pytest.mark.parametrize(
    ("raw", "key", "words"), INVALID, ids=[c[1] + "-" + repr(c[0])[:40] for c in INVALID]
)
def test_invalid_settings_are_problems(raw: dict[str, object], key: str, words: list[str]) -> None:
    settings, problems = parse_rule_settings(raw)
    assert len(problems) == 1, problems
    problem_key, message = problems[0]
    assert problem_key == key
    for word in words:
        assert word in message
    assert settings == DEFAULT_SETTINGS  # a bad value is never half-applied


def test_every_problem_is_reported_and_good_keys_still_apply() -> None:
    settings, problems = parse_rule_settings(
        {"survey_robust_respondents": 20, "colour": 1, "some_min_lines": "two", "kpi_partly_met_share": 2}
    )
    assert [key for key, _ in problems] == ["colour", "some_min_lines", "kpi_partly_met_share"]
    assert settings.survey_robust_respondents == 20
    assert settings.some_min_lines == DEFAULT_SETTINGS.some_min_lines

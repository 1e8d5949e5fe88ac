"""Rule settings: every threshold of the rating rules, with defaults a framework may override."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any


def _setting(default: int | float, minimum: float, maximum: float | None, help_text: str) -> Any:
    """A dataclass field carrying its allowed range and a one-line explanation for messages and docs."""
    return field(default=default, metadata={"min": minimum, "max": maximum, "help": help_text})


def _switch(default: bool, help_text: str) -> Any:
    """A rule behaviour a framework may turn off (`false`), with a one-line explanation."""
    return field(default=default, metadata={"min": None, "max": None, "help": help_text})


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """The thresholds the engine uses; defaults follow the rating rules agreed for the evaluation."""

    # Item tiers: surveys and feedback forms.
    survey_robust_respondents: int = _setting(10, 1, None, "respondents a survey needs to be robust")
    survey_indicative_respondents: int = _setting(5, 1, None, "respondents a survey needs to be indicative")
    survey_response_rate_percent: float = _setting(
        50.0, 0, 100, "response rate (%) a robust survey needs when its population is known"
    )
    survey_robust_any_rate_respondents: int = _setting(
        30, 1, None, "respondents that make a survey robust whatever its response rate"
    )
    # Item tiers: interviews, focus groups, case studies, observations.
    qualitative_robust_participants: int = _setting(
        6, 1, None, "participants qualitative evidence needs to be robust"
    )
    qualitative_indicative_participants: int = _setting(
        2, 1, None, "participants qualitative evidence needs to be indicative"
    )
    # Rules on lines of evidence.
    strong_min_lines: int = _setting(2, 1, None, "positive lines of evidence for 'strong'")
    strong_min_robust_lines: int = _setting(1, 0, None, "robust positive lines for 'strong'")
    some_min_lines: int = _setting(2, 1, None, "positive lines that give 'some' without a robust one")
    some_min_robust_lines: int = _setting(1, 1, None, "robust positive lines that alone give 'some'")
    none_min_robust_negative_lines: int = _setting(1, 1, None, "robust negative lines needed for 'none'")
    # KPI status for per-period targets.
    kpi_partly_met_share: float = _setting(
        0.5, 0, 1, "share of periods a per-period target must meet to be partly met"
    )
    # What evidence shows (issue 18): each on by default; a framework may turn one off with `false`.
    effort_caps_effect: bool = _switch(
        True,
        "an effect outcome whose supporting lines show only effort (how much, how well) is at most 'some'",
    )
    deliverable_document_robust: bool = _switch(
        True, "a supporting document linked to a deliverable outcome is robust evidence that it exists"
    )
    independent_unknown_size_indicative: bool = _switch(
        True, "the external evaluator's survey or qualitative evidence of unknown size is indicative"
    )
    partial_coverage_lowers: bool = _switch(
        True, "supporting evidence covering only part of the outcome's population is one tier lower"
    )


DEFAULT_SETTINGS = RuleSettings()

SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(RuleSettings))

# (smaller, larger) settings that must stay in order, so a framework cannot make the tiers overlap.
_ORDERED: tuple[tuple[str, str], ...] = (
    ("survey_indicative_respondents", "survey_robust_respondents"),
    ("survey_robust_respondents", "survey_robust_any_rate_respondents"),
    ("qualitative_indicative_participants", "qualitative_robust_participants"),
)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def describe_value(value: object) -> str:
    """How an error message names a value someone wrote: quoted if plain, else its kind."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return f"'{value}'"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def parse_rule_settings(raw: Mapping[str, object]) -> tuple[RuleSettings, list[tuple[str, str]]]:
    """Settings from a framework's `rules:` mapping, plus every (key, message) problem so loading can fail."""
    problems: list[tuple[str, str]] = []
    by_name = {f.name: f for f in fields(RuleSettings)}
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key)
        spec = by_name.get(name)
        if spec is None:
            close = difflib.get_close_matches(name, SETTING_NAMES, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(
                (name, f"unknown rule setting '{name}'{hint} (known: {', '.join(SETTING_NAMES)})")
            )
            continue
        if isinstance(spec.default, bool):
            if not isinstance(value, bool):
                problems.append((name, f"expected true or false, found {describe_value(value)}"))
            else:
                changes[name] = value
            continue
        whole = isinstance(spec.default, int)
        if isinstance(value, bool) or not isinstance(value, int | float):
            wanted = "a whole number" if whole else "a number"
            problems.append((name, f"expected {wanted}, found {describe_value(value)}"))
            continue
        if whole and not isinstance(value, int):
            problems.append((name, f"expected a whole number, found {describe_value(value)}"))
            continue
        if not math.isfinite(value):
            problems.append((name, f"expected a number, found {describe_value(value)}"))
            continue
        minimum, maximum = spec.metadata["min"], spec.metadata["max"]
        if value < minimum or (maximum is not None and value > maximum):
            allowed = (
                f"at least {_number_text(minimum)}"
                if maximum is None
                else f"between {_number_text(minimum)} and {_number_text(maximum)}"
            )
            problems.append((name, f"must be {allowed} ({spec.metadata['help']}), found {value}"))
            continue
        changes[name] = value if whole else float(value)
    settings = replace(DEFAULT_SETTINGS, **changes)
    rejected = {key for key, _ in problems}
    for smaller, larger in _ORDERED:
        low, high = getattr(settings, smaller), getattr(settings, larger)
        if low > high:
            key = smaller if smaller in changes else larger
            problems.append(
                (
                    key,
                    f"'{smaller}' ({low}) must not be more than '{larger}' ({high}): the tiers would overlap",
                )
            )
            rejected |= {smaller, larger}
    if rejected:
        settings = replace(DEFAULT_SETTINGS, **{k: v for k, v in changes.items() if k not in rejected})
    return settings, problems

"""Surveys: the values (scales, bands, sections, definitions, responses, results) and their rounding rules.

Features live beside it: survey_definitions (the `surveys:` key), survey_responses (spreadsheet import),
survey_scoring (bands, suppression, comparisons) and survey_evidence (findings from results).

The model is the Employer Standards Health Check: Likert answers scored 0-100, a section (standard)
scored as the mean of its question scores, shown rounded half-up and banded good / moderate / poor,
and never shown for a group of fewer than `min_group_size` (10) respondents.

Judgement calls, in one place:

- Answers are matched after trimming, collapsing inner spaces, folding case and treating curly
  apostrophes as straight ones (Word and Excel often curl the apostrophe of "Don't know").
- A `Response` holds the scale's scores exactly as answered; reverse items are reversed (100 - score)
  only when scoring, so stored rows are never altered.
- `agree_pct` is the share of scored answers among the two most favourable options: the two highest
  scores, or on a reverse item the two lowest (agreeing with a negative statement is not favourable).
  A declared scale therefore needs at least three different scores.
- Shown scores are rounded half-up after rounding away float noise at 9 decimals (74.5 -> 75).
- A change is "broadly unchanged" when its value rounded to 1 decimal is under 5 points, so the
  words always agree with the number shown next to them (4.96 is shown as 5.0 and called "up 5 points").
- A blank breakdown cell leaves that respondent out of the breakdown groups (still in the section n).
- A blank respondent id is allowed and means "not paired"; non-blank ids must be unique in a round.
- Distance travelled is paired when both rounds carry respondent ids, else a cohort comparison.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, Literal

Band = Literal["good", "moderate", "poor"]
DistanceKind = Literal["paired", "cohort"]

BANDS: tuple[Band, ...] = ("good", "moderate", "poor")
RESPONDENT_COLUMN = "respondent"
DEFAULT_MIN_GROUP_SIZE = 10
BROADLY_UNCHANGED_POINTS = 5.0
MIN_DISTINCT_SCORES = 3

# -- values ------------------------------------------------------------------------------------------


def normalise_answer(answer: str) -> str:
    """The form answers are compared in: trimmed, single-spaced, case-folded, straight apostrophes."""
    return " ".join(answer.replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


def number_text(value: float) -> str:
    """A number as a person writes it: 5 not 5.0, 2.5 as is."""
    return str(int(value)) if float(value).is_integer() else str(value)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A "; did you mean 'x'?" hint naming the closest choice, or "" when none is close."""
    close = difflib.get_close_matches(value, sorted(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


@dataclass(frozen=True, slots=True)
class Scale:
    """Answer labels and their 0-100 scores; `options` may hold several wordings of one score.

    Blank answers and the `not_scored` labels are accepted but not scored.
    """

    id: str
    options: tuple[tuple[str, float], ...]
    not_scored: frozenset[str] = frozenset()
    _scores: Mapping[str, float] = field(init=False, repr=False, compare=False)
    _skip: frozenset[str] = field(init=False, repr=False, compare=False)
    _limits: tuple[float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        scores: dict[str, float] = {}
        for label, score in self.options:
            scores.setdefault(normalise_answer(label), float(score))
        object.__setattr__(self, "_scores", MappingProxyType(scores))
        object.__setattr__(self, "_skip", frozenset(normalise_answer(label) for label in self.not_scored))
        # (lowest score among the top two, highest score among the bottom two) for `favourable`
        distinct = sorted(set(scores.values())) or [math.nan]
        limits = (distinct[max(0, len(distinct) - 2)], distinct[min(1, len(distinct) - 1)])
        object.__setattr__(self, "_limits", limits)

    def answers(self) -> tuple[str, ...]:
        """Every accepted label, for messages: options in order, then the not-scored labels."""
        return tuple(label for label, _ in self.options) + tuple(sorted(self.not_scored, key=str.casefold))

    def accepts(self, answer: str) -> bool:
        key = normalise_answer(answer)
        return not key or key in self._skip or key in self._scores

    def score(self, answer: str) -> float | None:
        """The answer's score, None when it is blank or not scored; ValueError for an unknown answer."""
        key = normalise_answer(answer)
        if not key or key in self._skip:
            return None
        if key not in self._scores:
            raise ValueError(
                f"'{answer.strip()[:60]}' is not an answer on the '{self.id}' scale; "
                f"expected one of: {', '.join(self.answers())}, or blank"
            )
        return self._scores[key]

    def distinct_scores(self) -> tuple[float, ...]:
        """The different scores, highest first."""
        return tuple(sorted({float(score) for _, score in self.options}, reverse=True))

    def favourable(self, score: float, reverse: bool = False) -> bool:
        """Whether a stored (unreversed) score is one of the two most favourable options."""
        top_floor, bottom_ceiling = self._limits
        return score <= bottom_ceiling if reverse else score >= top_floor


AGREE5 = Scale(
    id="agree5",
    options=(
        ("Disagree", 0.0),
        ("Somewhat disagree", 25.0),
        ("Neither agree nor disagree", 50.0),
        ("Somewhat agree", 75.0),
        ("Agree", 100.0),
        ("Strongly disagree", 0.0),
        ("Neither agree or disagree", 50.0),
        ("Strongly agree", 100.0),
    ),
    not_scored=frozenset({"Don't know", "Not applicable", "N/A"}),
)
BUILTIN_SCALES: Mapping[str, Scale] = MappingProxyType({AGREE5.id: AGREE5})


@dataclass(frozen=True, slots=True)
class Bands:
    """RAG bands on the rounded score: good at `good` or more, moderate at `moderate` or more, else poor."""

    good: float = 75
    moderate: float = 51

    def band(self, rounded: int) -> Band:
        if rounded >= self.good:
            return "good"
        if rounded >= self.moderate:
            return "moderate"
        return "poor"


@dataclass(frozen=True, slots=True)
class Section:
    """A group of questions scored together (a 'standard'), linked to the outcomes it is evidence for."""

    id: str
    title: str
    questions: tuple[tuple[str, str], ...]
    reverse: frozenset[str] = frozenset()
    links: tuple[str, ...] = ()

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(qid for qid, _ in self.questions)


@dataclass(frozen=True, slots=True)
class SurveyDefinition:
    id: str
    title: str
    scale: Scale
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    bands: Bands = Bands()
    breakdowns: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    organisations: bool = False
    characteristics: tuple[str, ...] = ()
    overall: tuple[str, ...] = ()

    def question_ids(self) -> tuple[str, ...]:
        return tuple(qid for section in self.sections for qid in section.question_ids)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


@dataclass(frozen=True, slots=True)
class Response:
    """One respondent's row: scores as answered (None = blank or not scored) and breakdown values.

    `respondent` is "" when the round has no respondent ids (or this row left it blank).
    """

    respondent: str
    answers: Mapping[str, float | None]
    groups: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "answers", MappingProxyType(dict(self.answers)))
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))


def round_half_up(value: float, places: int = 0) -> float:
    """Round half away from zero after dropping float noise (74.49999999999999 counts as 74.5)."""
    exact = Decimal(repr(round(value, 9)))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def rounded_score(score: float) -> int:
    """The score as shown: a whole number, half up (74.5 -> 75, 50.4 -> 50)."""
    return int(round_half_up(score))


def change_points(value: float) -> float:
    """A change as shown: points to 1 decimal, half away from zero."""
    return round_half_up(value, 1)


def describe_change(value: float) -> str:
    """'broadly unchanged' under 5 points (as shown, to 1 decimal), else 'up N points' / 'down N points'."""
    shown = change_points(value)
    if abs(shown) < BROADLY_UNCHANGED_POINTS:
        return "broadly unchanged"
    return f"{'up' if shown > 0 else 'down'} {number_text(abs(shown))} points"


@dataclass(frozen=True, slots=True)
class Change:
    """Change in a section score from an earlier round, in points (unrounded)."""

    value: float
    from_round: str
    unit: Literal["points"] = "points"

    def describe(self) -> str:
        return describe_change(self.value)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "from_round": self.from_round}


@dataclass(frozen=True, slots=True)
class GroupResult:
    """One breakdown value's result; suppressed (no score) when its n is under the minimum group size."""

    group: str
    n: int
    score: float | None
    band: Band | None
    suppressed: bool
    agree_pct: float | None = None

    @property
    def rounded(self) -> int | None:
        return None if self.score is None else rounded_score(self.score)

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "n": self.n,
            "score": self.score,
            "band": self.band,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True, slots=True)
class SectionResult:
    """A section's result for one round: n, unrounded score, band, % agreeing, groups and change."""

    section: str
    title: str
    n: int
    score: float | None
    band: Band | None
    suppressed: bool
    agree_pct: float | None
    groups: tuple[GroupResult, ...] = ()
    change: Change | None = None

    @property
    def rounded(self) -> int | None:
        return None if self.score is None else rounded_score(self.score)

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "n": self.n,
            "score": self.score,
            "band": self.band,
            "suppressed": self.suppressed,
            "agree_pct": self.agree_pct,
            "groups": [group.to_json() for group in self.groups],
            "change": None if self.change is None else self.change.to_json(),
        }


@dataclass(frozen=True, slots=True)
class DistanceResult:
    """Post minus pre for one section: over matched pairs ('paired') or between round scores ('cohort')."""

    section: str
    kind: DistanceKind
    pairs: int
    value: float | None
    suppressed: bool
    n_pre: int
    n_post: int

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "kind": self.kind,
            "pairs": self.pairs,
            "value": self.value,
            "unit": "points",
            "suppressed": self.suppressed,
            "n_pre": self.n_pre,
            "n_post": self.n_post,
        }

"""Surveys: definitions, response import, scoring with RAG bands and small-group suppression, comparisons.

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
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, Literal

from tracker.domain.settings import describe_value

Band = Literal["good", "moderate", "poor"]
DistanceKind = Literal["paired", "cohort"]
Problems = list[tuple[str, str]]
RowProblems = list[tuple[int, str, str]]
PROBLEMS_KEPT = 100


class ProblemLog(list[tuple[int, str, str]]):
    """Keeps the first `keep` problems and counts them all, so a bad file of any size costs bounded memory."""

    def __init__(self, keep: int = PROBLEMS_KEPT) -> None:
        super().__init__()
        self.keep = keep
        self.total = 0

    def append(self, item: tuple[int, str, str]) -> None:
        self.total += 1
        if len(self) < self.keep:
            super().append(item)


def problem_total(problems: Sequence[tuple[int, str, str]]) -> int:
    """How many problems there were, counting those a ProblemLog did not keep."""
    return problems.total if isinstance(problems, ProblemLog) else len(problems)


BANDS: tuple[Band, ...] = ("good", "moderate", "poor")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 64
RESPONDENT_COLUMN = "respondent"
DEFAULT_MIN_GROUP_SIZE = 10
BROADLY_UNCHANGED_POINTS = 5.0
MIN_DISTINCT_SCORES = 3

SURVEY_KEYS: tuple[str, ...] = ("id", "title", "scale", "min_group_size", "bands", "breakdowns", "sections")
SECTION_KEYS: tuple[str, ...] = ("id", "title", "questions", "reverse", "links")
BANDS_KEYS: tuple[str, ...] = ("good", "moderate")
SCALE_KEYS: tuple[str, ...] = ("id", "options", "not_scored")
OPTION_KEYS: tuple[str, ...] = ("label", "score")


# -- values ------------------------------------------------------------------------------------------


def normalise_answer(answer: str) -> str:
    """The form answers are compared in: trimmed, single-spaced, case-folded, straight apostrophes."""
    return " ".join(answer.replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


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
    return f"{'up' if shown > 0 else 'down'} {_number_text(abs(shown))} points"


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


# -- definitions from the framework YAML ---------------------------------------------------------------


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _hint(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Checker:
    """Collects (path, message) problems while reading the plain YAML value."""

    def __init__(self) -> None:
        self.problems: Problems = []

    def error(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def mapping(
        self, raw: object, path: str, allowed: Sequence[str], required: Iterable[str] = ()
    ) -> dict[str, object] | None:
        if not isinstance(raw, Mapping):
            self.error(path, f"expected a mapping of keys, found {describe_value(raw)}")
            return None
        found: dict[str, object] = {}
        for key, value in raw.items():
            name = str(key)
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(_join(path, name), f"unknown key '{name}'{_hint(name, allowed)} (known: {known})")
                continue
            found[name] = value
        for name in sorted(set(required) - found.keys()):
            self.error(path, f"missing required key '{name}'")
        return found

    def sequence(self, raw: object, path: str) -> list[object]:
        if raw is None:
            return []
        if isinstance(raw, list | tuple):
            return list(raw)
        self.error(path, f"expected a list, found {describe_value(raw)}")
        return []

    def text(self, raw: object, path: str) -> str:
        if raw is None:
            self.error(path, "must not be empty")
            return ""
        if not isinstance(raw, str):
            self.error(path, f"expected text, found {describe_value(raw)}; put it in quotes")
            return ""
        if not raw.strip():
            self.error(path, "must not be empty")
        return raw.strip()

    def slug(self, raw: object, path: str) -> str:
        value = self.text(raw, path)
        if value and (not SLUG.match(value) or len(value) > SLUG_MAX):
            self.error(
                path,
                f"'{value}' is not a valid id: use lower-case letters, digits and single hyphens "
                f"(at most {SLUG_MAX} characters)",
            )
            return ""
        return value

    def number(self, raw: object, path: str, low: float, high: float) -> float | None:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            self.error(path, f"expected a number, found {describe_value(raw)}")
            return None
        if not low <= raw <= high:
            self.error(path, f"must be between {_number_text(low)} and {_number_text(high)}, found {raw}")
            return None
        return float(raw)


class _Ids:
    """Survey and section ids: one namespace with the framework's other ids."""

    def __init__(self, taken: Set[str]) -> None:
        self.taken = taken
        self.seen: dict[str, str] = {}

    def register(self, c: _Checker, raw: object, path: str) -> str:
        value = c.slug(raw, path)
        if not value:
            return value
        if value in self.seen:
            c.error(path, f"id '{value}' is already used by {self.seen[value]}; ids must be unique")
        elif value in self.taken:
            c.error(
                path, f"id '{value}' is already used by another element of the framework; ids must be unique"
            )
        else:
            self.seen[value] = path.removesuffix(".id")
        return value


def _scale(c: _Checker, raw: object, path: str) -> Scale:
    if raw is None:
        return AGREE5
    if isinstance(raw, str):
        name = raw.strip()
        if name in BUILTIN_SCALES:
            return BUILTIN_SCALES[name]
        c.error(
            path,
            f"unknown scale '{name}'{_hint(name, BUILTIN_SCALES)} (built in: {', '.join(BUILTIN_SCALES)}; "
            "or declare one with id, options and not_scored)",
        )
        return AGREE5
    if not isinstance(raw, Mapping):
        c.error(
            path, f"expected a scale id such as 'agree5' or a mapping of a scale, found {describe_value(raw)}"
        )
        return AGREE5
    f = c.mapping(raw, path, SCALE_KEYS, {"id", "options"})
    if f is None:
        return AGREE5
    sid = c.slug(f["id"], _join(path, "id")) if "id" in f else ""
    if sid in BUILTIN_SCALES:
        c.error(_join(path, "id"), f"'{sid}' is a built-in scale; give a declared scale another id")
    before = len(c.problems)
    seen: dict[str, str] = {}
    options: list[tuple[str, float]] = []
    options_path = _join(path, "options")
    for i, item in enumerate(c.sequence(f.get("options"), options_path)):
        item_path = _join(options_path, i)
        o = c.mapping(item, item_path, OPTION_KEYS, {"label", "score"})
        if o is None:
            continue
        label = c.text(o["label"], _join(item_path, "label")) if "label" in o else ""
        score = c.number(o["score"], _join(item_path, "score"), 0, 100) if "score" in o else None
        key = normalise_answer(label)
        if key and key in seen:
            c.error(_join(item_path, "label"), f"'{label}' is already an answer ({seen[key]})")
        elif key:
            seen[key] = item_path
        if label and score is not None:
            options.append((label, score))
    not_scored: list[str] = []
    skip_path = _join(path, "not_scored")
    for i, item in enumerate(c.sequence(f.get("not_scored"), skip_path)):
        label = c.text(item, _join(skip_path, i))
        key = normalise_answer(label)
        if key and key in seen:
            c.error(_join(skip_path, i), f"'{label}' is already an answer ({seen[key]})")
        elif key:
            seen[key] = _join(skip_path, i)
            not_scored.append(label)
    if len(c.problems) == before and "options" in f:
        distinct = {score for _, score in options}
        if len(distinct) < MIN_DISTINCT_SCORES:
            c.error(
                options_path,
                f"a scale needs options with at least {MIN_DISTINCT_SCORES} different scores, "
                f"found {len(distinct)}, so that 'the top two answers' leaves some out",
            )
    return Scale(sid, tuple(options), frozenset(not_scored))


def _bands(c: _Checker, raw: object, path: str) -> Bands:
    if raw is None:
        return Bands()
    f = c.mapping(raw, path, BANDS_KEYS)
    if f is None:
        return Bands()
    default = Bands()
    good = c.number(f["good"], _join(path, "good"), 0, 100) if "good" in f else default.good
    moderate = (
        c.number(f["moderate"], _join(path, "moderate"), 0, 100) if "moderate" in f else default.moderate
    )
    if good is None or moderate is None:
        return default
    if good <= moderate:
        key = "good" if "good" in f else "moderate"
        c.error(
            _join(path, key),
            f"good ({_number_text(good)}) must be more than moderate ({_number_text(moderate)})",
        )
        return default
    return Bands(good, moderate)


def _section(
    c: _Checker,
    raw: object,
    path: str,
    ids: _Ids,
    outcome_ids: Set[str],
    taken_ids: Set[str],
    questions_seen: dict[str, str],
) -> Section | None:
    f = c.mapping(raw, path, SECTION_KEYS, {"id", "title", "questions"})
    if f is None:
        return None
    sid = ids.register(c, f["id"], _join(path, "id")) if "id" in f else ""
    title = c.text(f["title"], _join(path, "title")) if "title" in f else ""
    questions: list[tuple[str, str]] = []
    q_path = _join(path, "questions")
    raw_questions = f.get("questions")
    if "questions" in f and not isinstance(raw_questions, Mapping):
        c.error(
            q_path, f"expected a mapping of question id: question text, found {describe_value(raw_questions)}"
        )
    elif isinstance(raw_questions, Mapping):
        if not raw_questions:
            c.error(q_path, "a section needs at least one question")
        for key, text in raw_questions.items():
            item_path = _join(q_path, str(key))
            if not isinstance(key, str):
                c.error(item_path, f"question id {describe_value(key)} must be text; put it in quotes")
                continue
            qid = c.slug(key, item_path)
            question = c.text(text, item_path)
            if not qid:
                continue
            if qid in questions_seen:
                c.error(
                    item_path,
                    f"question '{qid}' is already in {questions_seen[qid]}; "
                    "question ids must be unique within a survey",
                )
                continue
            questions_seen[qid] = f"section '{sid}'" if sid else path
            questions.append((qid, question))
    own = {qid for qid, _ in questions}
    reverse: set[str] = set()
    r_path = _join(path, "reverse")
    for i, item in enumerate(c.sequence(f.get("reverse"), r_path)):
        item_path = _join(r_path, i)
        qid = c.text(item, item_path)
        if not qid or not isinstance(raw_questions, Mapping):
            continue  # no questions to check against: their own problem is reported
        if qid in reverse:
            c.error(item_path, f"'{qid}' is listed twice")
        elif qid in own:
            reverse.add(qid)
        elif qid in questions_seen:
            c.error(item_path, f"'{qid}' is a question of {questions_seen[qid]}, not of this section")
        else:
            listed = ", ".join(sorted(own)) or "none"
            c.error(
                item_path,
                f"unknown question '{qid}'{_hint(qid, own)}; reverse lists questions of this section "
                f"(its questions: {listed})",
            )
    links: list[str] = []
    l_path = _join(path, "links")
    for i, item in enumerate(c.sequence(f.get("links"), l_path)):
        item_path = _join(l_path, i)
        link = c.text(item, item_path)
        if not link:
            continue
        if link in links:
            c.error(item_path, f"'{link}' is listed twice")
        elif link in outcome_ids:
            links.append(link)
        elif link in taken_ids:
            c.error(item_path, f"'{link}' is not an outcome; a section links to outcomes")
        else:
            c.error(item_path, f"unknown outcome '{link}'{_hint(link, outcome_ids)}: no outcome has this id")
    return Section(sid, title, tuple(questions), frozenset(reverse), tuple(links))


def _breakdowns(c: _Checker, raw: object, path: str, question_ids: Set[str]) -> tuple[str, ...]:
    found: list[str] = []
    seen: set[str] = set()
    questions = {q.casefold() for q in question_ids}
    for i, item in enumerate(c.sequence(raw, path)):
        item_path = _join(path, i)
        name = c.text(item, item_path)
        key = name.casefold()
        if not name:
            continue
        if key in seen:
            c.error(item_path, f"'{name}' is listed twice")
        elif key == RESPONDENT_COLUMN:
            c.error(item_path, f"'{name}' is the reserved column of respondent ids, not a breakdown")
        elif key in questions:
            c.error(
                item_path, f"'{name}' is a question id; a column cannot be both a question and a breakdown"
            )
        else:
            seen.add(key)
            found.append(name)
    return tuple(found)


def _survey(
    c: _Checker, raw: object, path: str, ids: _Ids, outcome_ids: Set[str], taken_ids: Set[str]
) -> SurveyDefinition | None:
    f = c.mapping(raw, path, SURVEY_KEYS, {"id", "title", "sections"})
    if f is None:
        return None
    sid = ids.register(c, f["id"], _join(path, "id")) if "id" in f else ""
    title = c.text(f["title"], _join(path, "title")) if "title" in f else ""
    scale = _scale(c, f.get("scale"), _join(path, "scale"))
    min_group_size = DEFAULT_MIN_GROUP_SIZE
    if "min_group_size" in f:
        value = f["min_group_size"]
        size_path = _join(path, "min_group_size")
        if isinstance(value, bool) or not isinstance(value, int):
            c.error(size_path, f"expected a whole number, found {describe_value(value)}")
        elif value < 1:
            c.error(size_path, f"must be at least 1, found {value}")
        else:
            min_group_size = value
    bands = _bands(c, f.get("bands"), _join(path, "bands"))
    sections: list[Section] = []
    questions_seen: dict[str, str] = {}
    s_path = _join(path, "sections")
    section_items = c.sequence(f.get("sections"), s_path) if "sections" in f else []
    if "sections" in f and not section_items and (f["sections"] is None or isinstance(f["sections"], list)):
        c.error(s_path, "a survey needs at least one section")
    for i, item in enumerate(section_items):
        section = _section(c, item, _join(s_path, i), ids, outcome_ids, taken_ids, questions_seen)
        if section is not None:
            sections.append(section)
    breakdowns = _breakdowns(c, f.get("breakdowns"), _join(path, "breakdowns"), questions_seen.keys())
    return SurveyDefinition(sid, title, scale, min_group_size, bands, breakdowns, tuple(sections))


def parse_surveys(
    raw: object, outcome_ids: Set[str], taken_ids: Set[str]
) -> tuple[tuple[SurveyDefinition, ...], Problems]:
    """Survey definitions from the plain value of a framework's `surveys:` key (as yaml.safe_load gives).

    Problems are (path, message); a path names the raw structure's real keys and indexes, such as
    "surveys[0].sections[1].reverse[0]", so the loader can point at the line. `taken_ids` are the
    framework's other ids (survey and section ids share their namespace); `outcome_ids` are what
    section `links` may name. The definitions are only trustworthy when there are no problems.
    """
    c = _Checker()
    ids = _Ids(taken_ids)
    surveys: list[SurveyDefinition] = []
    for i, item in enumerate(c.sequence(raw, "surveys")):
        survey = _survey(c, item, _join("surveys", i), ids, outcome_ids, taken_ids)
        if survey is not None:
            surveys.append(survey)
    return tuple(surveys), c.problems


# -- responses from a spreadsheet ------------------------------------------------------------------


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def parse_responses(
    definition: SurveyDefinition, header: Sequence[str], rows: Sequence[Sequence[str]]
) -> tuple[tuple[Response, ...], RowProblems]:
    """Responses from one round's rows, or none at all with the first (row, column, message) problems.

    Rows are numbered as in a spreadsheet (header 1, first data row 2); the column is its heading as
    written, or its letter when it has none. Every question column and every declared breakdown column
    is required; a `respondent` column is optional. Wholly blank rows are skipped.
    """
    problems = ProblemLog()
    names = [str(cell).strip().lstrip("\ufeff").strip() for cell in header]
    if not any(names):
        return (), [(1, "", "the file has no header row")]
    expected: dict[str, tuple[str, str]] = {}  # casefolded heading -> (kind, canonical name)
    for qid in definition.question_ids():
        expected[qid.casefold()] = ("question", qid)
    for name in definition.breakdowns:
        expected[name.casefold()] = ("breakdown", name)
    expected[RESPONDENT_COLUMN] = ("respondent", RESPONDENT_COLUMN)
    columns: dict[str, int] = {}  # canonical name -> index
    for index, name in enumerate(names):
        label = name or column_letter(index)
        if not name:
            if any(index < len(row) and str(row[index]).strip() for row in rows):
                problems.append((1, label, f"column {label} has answers but no heading"))
            continue
        known = expected.get(name.casefold())
        if known is None:
            choices = [canonical for _, canonical in expected.values()]
            problems.append(
                (1, name, f"unknown column '{name}'{_hint(name, choices)} (expected: {', '.join(choices)})")
            )
            continue
        canonical = known[1]
        if canonical in columns:
            first = column_letter(columns[canonical])
            again = column_letter(index)
            problems.append((1, name, f"column '{name}' appears twice (columns {first} and {again})"))
            continue
        columns[canonical] = index
    questions = {qid: text for section in definition.sections for qid, text in section.questions}
    for qid, text in questions.items():
        if qid not in columns:
            problems.append((1, qid, f"missing column '{qid}' for the question '{text[:80]}'"))
    for name in definition.breakdowns:
        if name not in columns:
            problems.append((1, name, f"missing breakdown column '{name}'"))

    responses: list[Response] = []
    respondent_rows: dict[str, int] = {}
    width = len(names)
    for offset, row in enumerate(rows):
        number = offset + 2
        cells = [str(cell) for cell in row]
        if not any(cell.strip() for cell in cells):
            continue
        extra = [i for i in range(width, len(cells)) if cells[i].strip()]
        if extra:
            problems.append(
                (number, column_letter(extra[0]), f"has a value beyond the {width} headed columns")
            )
        cells += [""] * (width - len(cells))
        answers: dict[str, float | None] = {}
        for qid in questions:
            index = columns.get(qid, -1)
            if index < 0:
                continue
            try:
                answers[qid] = definition.scale.score(cells[index])
            except ValueError as error:
                problems.append((number, names[index], str(error)))
        groups: dict[str, str] = {}
        for name in definition.breakdowns:
            value = cells[columns[name]].strip() if name in columns else ""
            if value:
                groups[name] = value
        respondent = ""
        if RESPONDENT_COLUMN in columns:
            index = columns[RESPONDENT_COLUMN]
            respondent = cells[index].strip()
            if respondent in respondent_rows:
                problems.append(
                    (
                        number,
                        names[index],
                        f"respondent '{respondent[:60]}' is already on row {respondent_rows[respondent]}",
                    )
                )
            elif respondent:
                respondent_rows[respondent] = number
        responses.append(Response(respondent, answers, groups))
    if not responses and not problems:
        problems.append((2, "", "the file has no responses"))
    if problems:
        return (), problems
    return tuple(responses), []


# -- scoring -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Stats:
    n: int
    score: float | None
    agree_pct: float | None


def _section_stats(scale: Scale, section: Section, responses: Iterable[Response]) -> _Stats:
    by_question: dict[str, list[float]] = {qid: [] for qid in section.question_ids}
    n = favourable = answered = 0
    for response in responses:
        scored = False
        for qid in section.question_ids:
            value = response.answers.get(qid)
            if value is None:
                continue
            reverse = qid in section.reverse
            by_question[qid].append(100.0 - value if reverse else value)
            answered += 1
            favourable += scale.favourable(value, reverse)
            scored = True
        n += scored
    means = [math.fsum(values) / len(values) for values in by_question.values() if values]
    score = math.fsum(means) / len(means) if means else None
    agree_pct = 100.0 * favourable / answered if answered else None
    return _Stats(n, score, agree_pct)


def _respondent_score(section: Section, response: Response) -> float | None:
    """One respondent's section score: the mean of their scored answers, reverse items reversed."""
    values = [
        100.0 - value if qid in section.reverse else value
        for qid in section.question_ids
        if (value := response.answers.get(qid)) is not None
    ]
    return math.fsum(values) / len(values) if values else None


def _shown(
    definition: SurveyDefinition, stats: _Stats
) -> tuple[float | None, Band | None, bool, float | None]:
    """(score, band, suppressed, agree_pct) with everything withheld for a group that is too small."""
    if stats.n < definition.min_group_size or stats.score is None:
        return None, None, True, None
    return stats.score, definition.bands.band(rounded_score(stats.score)), False, stats.agree_pct


def score_round(
    definition: SurveyDefinition, responses: Sequence[Response], by: str | None = None
) -> tuple[SectionResult, ...]:
    """Each section's result for one round, with groups per value of breakdown `by` when given.

    A section or group with fewer than `min_group_size` respondents (n: respondents with at least one
    scored answer in the section) is suppressed: no score, band or agree_pct. Groups are sorted by name;
    respondents who left the `by` column blank are in no group.
    """
    if by is not None and by not in definition.breakdowns:
        raise ValueError(f"'{by}' is not a breakdown of survey '{definition.id}'")
    values = sorted({r.groups[by] for r in responses if by in r.groups}, key=str.casefold) if by else []
    results: list[SectionResult] = []
    for section in definition.sections:
        score, band, suppressed, agree = _shown(
            definition, stats := _section_stats(definition.scale, section, responses)
        )
        groups: list[GroupResult] = []
        for value in values:
            members = [r for r in responses if by is not None and r.groups.get(by) == value]
            group_stats = _section_stats(definition.scale, section, members)
            g_score, g_band, g_suppressed, g_agree = _shown(definition, group_stats)
            groups.append(GroupResult(value, group_stats.n, g_score, g_band, g_suppressed, g_agree))
        results.append(
            SectionResult(section.id, section.title, stats.n, score, band, suppressed, agree, tuple(groups))
        )
    return tuple(results)


# -- comparisons -----------------------------------------------------------------------------------


def compare_rounds(
    current: Sequence[SectionResult], previous: Sequence[SectionResult], previous_label: str
) -> tuple[SectionResult, ...]:
    """`current` with `change` filled in where both rounds have a shown (not suppressed) score.

    Sections are matched by id; a section missing from `previous`, or suppressed in either round,
    gets change None.
    """
    earlier = {result.section: result for result in previous}
    compared: list[SectionResult] = []
    for result in current:
        before = earlier.get(result.section)
        change = None
        if (
            before is not None
            and not result.suppressed
            and not before.suppressed
            and result.score is not None
            and before.score is not None
        ):
            change = Change(result.score - before.score, previous_label)
        compared.append(
            SectionResult(
                result.section,
                result.title,
                result.n,
                result.score,
                result.band,
                result.suppressed,
                result.agree_pct,
                result.groups,
                change,
            )
        )
    return tuple(compared)


def distance_travelled(
    definition: SurveyDefinition, pre: Sequence[Response], post: Sequence[Response]
) -> tuple[DistanceResult, ...]:
    """Per section, post minus pre.

    Paired (some respondent ids appear in both rounds): respondents in both rounds with a scored answer
    in the section in each are pairs; the value is the mean over pairs of (post - pre) respondent section
    scores, suppressed under `min_group_size` pairs. Otherwise (no ids, or no id in both rounds) a cohort
    comparison: the difference of the two rounds' section scores, suppressed unless both rounds meet the
    minimum size; pairs is 0.
    """
    results: list[DistanceResult] = []
    before = {r.respondent: r for r in pre if r.respondent}
    after = {r.respondent: r for r in post if r.respondent}
    paired = bool(before.keys() & after.keys())
    for section in definition.sections:
        pre_stats = _section_stats(definition.scale, section, pre)
        post_stats = _section_stats(definition.scale, section, post)
        minimum = definition.min_group_size
        if paired:
            differences: list[float] = []
            for respondent, later in after.items():
                earlier = before.get(respondent)
                if earlier is None:
                    continue
                start, end = _respondent_score(section, earlier), _respondent_score(section, later)
                if start is not None and end is not None:
                    differences.append(end - start)
            pairs = len(differences)
            suppressed = pairs < minimum
            value = None if suppressed else math.fsum(differences) / pairs
            results.append(
                DistanceResult(section.id, "paired", pairs, value, suppressed, pre_stats.n, post_stats.n)
            )
            continue
        suppressed = (
            pre_stats.n < minimum
            or post_stats.n < minimum
            or pre_stats.score is None
            or post_stats.score is None
        )
        value = None
        if not suppressed and pre_stats.score is not None and post_stats.score is not None:
            value = post_stats.score - pre_stats.score
        results.append(DistanceResult(section.id, "cohort", 0, value, suppressed, pre_stats.n, post_stats.n))
    return tuple(results)


# -- evidence from results ------------------------------------------------------------------------------


def finding_for(band: Band | None, change: float | None) -> str:
    """The evidence finding of a shown section result.

    supports: good band, or up 5 points or more; contradicts: poor band, or down 5 points or more;
    mixed: both at once (good but down 5+, poor but up 5+); no_change: moderate and broadly unchanged
    (or no earlier round to compare with); "" when there is no band (suppressed).
    """
    if band is None:
        return ""
    shown = None if change is None else change_points(change)
    up = shown is not None and shown >= BROADLY_UNCHANGED_POINTS
    down = shown is not None and shown <= -BROADLY_UNCHANGED_POINTS
    positive = band == "good" or up
    negative = band == "poor" or down
    if positive and negative:
        return "mixed"
    if positive:
        return "supports"
    if negative:
        return "contradicts"
    return "no_change"


def section_evidence(
    definition: SurveyDefinition,
    result: SectionResult,
    round_label: str,
    population: int | None = None,
    change: float | None = None,
) -> dict[str, str]:
    """Evidence CSV-contract fields for one section result (collected_on is left to the caller).

    `change` is the change in points to judge by; when None, the result's own `change` is used.
    A suppressed result gives finding "" and a summary saying it had too few responses: the caller
    creates no evidence from it. `collection` is "{survey id}:{round}" so one round counts once.
    """
    section = definition.section(result.section)
    if section is None:
        raise ValueError(f"'{result.section}' is not a section of survey '{definition.id}'")
    from_result = change is None and result.change is not None
    if change is None and result.change is not None:
        change = result.change.value
    title = f"{definition.title}: {section.title} ({round_label})"
    if result.suppressed or result.score is None or result.band is None:
        finding = ""
        summary = (
            f"{section.title} in {definition.title} {round_label}: fewer than {definition.min_group_size} "
            "responses, so no score is shown."
        )
    else:
        finding = finding_for(result.band, change)
        who = f"{result.n} respondents" + (f" of {population}" if population is not None else "")
        summary = (
            f"{section.title} in {definition.title} {round_label} scored {result.rounded} out of 100 "
            f"({result.band}) from {who}"
        )
        if result.agree_pct is not None:
            summary += f"; {round_half_up(result.agree_pct):.0f}% of answers agreed"
        summary += "."
        if change is not None:
            since = f" since {result.change.from_round}" if from_result and result.change else ""
            summary += f" {describe_change(change).capitalize()}{since}."
    return {
        "title": title,
        "summary": summary,
        "source_type": "survey",
        "links": ";".join(section.links),
        "finding": finding,
        "respondents": str(result.n),
        "population": "" if population is None else str(population),
        "collection": f"{definition.id}:{round_label}",
        "group": "respondents",
    }

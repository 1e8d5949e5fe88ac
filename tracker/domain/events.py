"""Events (issue 19): a conference or a week of sessions as plain values: its definition (EVENT.yaml), its
sessions and its answers, and the answers counted as the measures count them (`tally`).

The files are read by event_files (the YAML) and event_csv (the CSVs); the measures are event_measures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

QuestionKind = Literal["rating", "agree", "choose_any", "free_text"]
SessionFormat = Literal["online", "in_person", "hybrid"]

QUESTION_KINDS: tuple[QuestionKind, ...] = ("rating", "agree", "choose_any", "free_text")
SESSION_FORMATS: tuple[SessionFormat, ...] = ("online", "in_person", "hybrid")
FORMAT_LABELS: Mapping[str, str] = {
    "online": "Online",
    "in_person": "In person",
    "hybrid": "Hybrid",
    "": "Not given",
}
RATINGS: tuple[str, ...] = ("1", "2", "3", "4", "5")


# -- the definition ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a choose-any question."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Question:
    """A feedback question: a rating 1-5, an agree5 statement, a choose-any list or free text."""

    id: str
    text: str
    kind: QuestionKind
    options: tuple[Option, ...] = ()

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"id": self.id, "text": self.text, "kind": self.kind}
        if self.options:
            value["options"] = [{"id": o.id, "text": o.text} for o in self.options]
        return value

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Question:
        """A question as `to_json` stored it."""
        options = tuple(Option(str(o["id"]), str(o["text"])) for o in value.get("options", ()))
        kind = next(k for k in QUESTION_KINDS if k == value["kind"])
        return cls(str(value["id"]), str(value["text"]), kind, options)


@dataclass(frozen=True, slots=True)
class UniqueAttendees:
    """How many different people came; often an estimate (logins are anonymous)."""

    value: int
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class Population:
    """Whom the event is for, e.g. social workers on the register, and how many they are."""

    name: str
    size: int


@dataclass(frozen=True, slots=True)
class Costs:
    """Direct costs and full cost (in £) and staff hours; each may be missing."""

    direct: float | None = None
    staff_hours: float | None = None
    full: float | None = None


@dataclass(frozen=True, slots=True)
class EventDefinition:
    """An event as its YAML file describes it."""

    id: str
    framework: str
    title: str
    starts_on: date
    ends_on: date
    links: tuple[str, ...] = ()
    unique_attendees: UniqueAttendees | None = None
    reach_target: int | None = None
    population: Population | None = None
    costs: Costs = field(default_factory=Costs)
    min_group_size: int | None = None
    questions: tuple[Question, ...] = ()
    source: str = ""

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One session as the sessions file gives it; `line` is where (0 when it did not come from a file).
    Sign-ups and attendance are None when the file does not give them (not published, not counted)."""

    id: str
    title: str
    signups: int | None
    attended: int | None
    theme: str = ""
    starts_at: datetime | None = None
    format: str = ""  # one of SESSION_FORMATS, or "" when not given
    capacity: int | None = None
    partner: str = ""
    line: int = 0

    @property
    def sold_out(self) -> bool:
        """Sold out needs both figures: sign-ups that reach a given capacity."""
        return self.capacity is not None and self.signups is not None and self.signups >= self.capacity


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One answer: a rating '1'-'5', an agree5 label, option ids joined by ';' in the question's order, or
    the text of a free-text answer."""

    question: str
    answer: str
    session: str = ""
    respondent: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """How many answers gave `answer` to `question` in `session` ("" for none); free text counts as ""."""

    session: str
    question: str
    answer: str
    count: int


def tally(definition: EventDefinition, answers: Iterable[AnswerRow]) -> tuple[AnswerCount, ...]:
    """Answers counted as the measures (and the database) count them; free text by session and question."""
    free = {q.id for q in definition.questions if q.kind == "free_text"}
    counts: dict[tuple[str, str, str], int] = {}
    for a in answers:
        key = (a.session, a.question, "" if a.question in free else a.answer)
        counts[key] = counts.get(key, 0) + 1
    return tuple(AnswerCount(s, q, answer, n) for (s, q, answer), n in counts.items())

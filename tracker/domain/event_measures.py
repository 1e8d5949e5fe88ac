"""Every measure of an event (issue 19), computed here and nowhere else, from plain values: the event's
definition, its sessions and its answers counted by (session, question, answer) (`events.tally`; the database
counts them the same way), so the command line, the pages, the report and KPIs all read the same figures.

Judgement calls, in one place:
- Sign-ups and attendance may be unknown per session (None: not published). Totals sum the sessions that
  give the figure and are None when none does (`signups_given` and `attended_given` say how many did).
- A session is sold out when its capacity and its sign-ups are given and the sign-ups reach the capacity.
- Conversion is attended / signed up over the sessions that give both (None when there are none, or nobody
  signed up in them); shares are fractions 0-1, kept exact here and rounded to 4 places in JSON.
- Means are rounded half up to 2 places, from the exact sum (4.565 -> 4.57). The event's mean is never
  suppressed; a session's mean from 1 to `min_group_size - 1` answers is (mean None, `suppressed`), wherever
  it is shown. A session without answers has no mean and is not "suppressed": there is nothing to hide.
- Agreeing: the agree5 answers scored 75 or more (Somewhat agree, Agree, Strongly agree) among the scored
  answers ("Don't know", "Not applicable" and "N/A" are accepted but leave the share's denominator).
- A choose-any option's share is the answers choosing it over the question's answers (so shares may add up
  to more than 1).
- Cost per attendee divides by the unique attendees when the event gives them, else by the sessions'
  attendance (`basis` says which); the full cost per attendee uses the same basis. Money and per-member
  figures are rounded half up to 2 places; None when a figure is missing or the divisor is 0.
- Top sessions: most attended first, ties by title, then by id; a session without attendance is not ranked.
- By theme and format: every session counts; a group's attendance is None when none of its sessions gives it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from tracker.domain.events import (
    RATINGS,
    AnswerCount,
    EventDefinition,
    Option,
    Question,
    SessionRow,
    UniqueAttendees,
)
from tracker.domain.surveys import AGREE5, DEFAULT_MIN_GROUP_SIZE

Basis = Literal["unique", "attended"]

TOP_SESSIONS = 5
AGREEING_SCORE = 75.0
SHARE_PLACES = 4
# The measures a KPI may take from an event (`source: {event: ID, measure: NAME}`), and `mean:<question id>`.
MEASURE_NAMES: tuple[str, ...] = (
    "sessions",
    "sold_out",
    "signups",
    "attended",
    "conversion",
    "unique_attendees",
    "cost_per_attendee",
    "full_cost_per_attendee",
    "full_cost_per_member",
)
MEAN_PREFIX = "mean:"


@dataclass(frozen=True, slots=True)
class RatingMeasure:
    """A rating question over the whole event: its mean (2 places), n, and how many gave each of 1-5."""

    question: str
    text: str
    mean: float | None
    n: int
    counts: tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class SessionRating:
    """A rating question within one session; `suppressed` when n is under the minimum group size."""

    question: str
    mean: float | None
    n: int
    suppressed: bool


@dataclass(frozen=True, slots=True)
class SessionMeasures:
    """A session's row with its conversion and its ratings (in the definition's question order)."""

    session: SessionRow
    conversion: float | None
    ratings: tuple[SessionRating, ...]


@dataclass(frozen=True, slots=True)
class AgreeMeasure:
    """An agree5 statement: of the scored answers (n), how many agree, and the share."""

    question: str
    text: str
    agreeing: int
    n: int
    answered: int  # n plus "Don't know" and the like
    share: float | None


@dataclass(frozen=True, slots=True)
class ChoiceMeasure:
    """A choose-any question: per option (in its order) how many answers chose it and the share."""

    question: str
    text: str
    answers: int
    options: tuple[tuple[Option, int, float | None], ...]


@dataclass(frozen=True, slots=True)
class CostPerAttendee:
    value: float
    basis: Basis


@dataclass(frozen=True, slots=True)
class Group:
    """Sessions and attendance of one theme or format ("" when the sessions do not say); attendance None
    when none of its sessions gives it."""

    name: str
    sessions: int
    attended: int | None


@dataclass(frozen=True, slots=True)
class TopSession:
    id: str
    title: str
    attended: int


@dataclass(frozen=True, slots=True)
class EventMeasures:
    """Every figure of an event, computed once by `compute_measures`."""

    event: str
    title: str
    min_group_size: int
    sessions: int
    sold_out: int
    signups: int | None  # None: no session gives its sign-ups
    attended: int | None  # None: no session gives its attendance
    conversion: float | None
    unique_attendees: UniqueAttendees | None
    ratings: tuple[RatingMeasure, ...]
    agreement: tuple[AgreeMeasure, ...]
    choices: tuple[ChoiceMeasure, ...]
    comments: tuple[tuple[str, int], ...]  # free-text questions and how many answered them
    per_session: tuple[SessionMeasures, ...]
    basis: Basis
    cost_per_attendee: CostPerAttendee | None
    full_cost_per_attendee: float | None
    full_cost_per_member: float | None
    top_sessions: tuple[TopSession, ...]
    by_theme: tuple[Group, ...]
    by_format: tuple[Group, ...]
    signups_given: int = 0  # how many sessions give their sign-ups
    attended_given: int = 0  # ... their attendance
    conversion_sessions: int = 0  # ... both, which the conversion is computed over

    def rating(self, question_id: str) -> RatingMeasure | None:
        return next((r for r in self.ratings if r.question == question_id), None)

    def to_json(self) -> dict[str, Any]:
        """The contract of `tracker event show ID --json` (shared/DESIGN.md, "Events"), and nothing else."""
        unique = self.unique_attendees
        cost = self.cost_per_attendee
        return {
            "event": self.event,
            "title": self.title,
            "sessions": self.sessions,
            "sold_out": self.sold_out,
            "signups": self.signups,
            "attended": self.attended,
            "conversion": _share_json(self.conversion),
            "unique_attendees": None
            if unique is None
            else {"value": unique.value, "estimated": unique.estimated},
            "ratings": {r.question: {"mean": r.mean, "n": r.n} for r in self.ratings},
            "choices": {
                c.question: {option.id: _share_json(share) for option, _count, share in c.options}
                for c in self.choices
            },
            "cost_per_attendee": None if cost is None else {"value": cost.value, "basis": cost.basis},
            "full_cost_per_attendee": self.full_cost_per_attendee,
            "full_cost_per_member": self.full_cost_per_member,
            "top_sessions": [{"title": t.title, "attended": t.attended} for t in self.top_sessions],
            "by_theme": {g.name: {"sessions": g.sessions, "attended": g.attended} for g in self.by_theme},
        }


def half_up(value: Fraction | int, places: int) -> float:
    """An exact value rounded half up (values here are never negative): 4.565 -> 4.57, 3.295 -> 3.3."""
    scale = 10**places
    return float(Fraction(math.floor(Fraction(value) * scale + Fraction(1, 2)), scale))


def _share_json(share: float | None) -> float | None:
    return None if share is None else half_up(_exact(share), SHARE_PLACES)


def _exact(amount: float) -> Fraction:
    """A figure as the decimal it reads as (19800.1, not its binary neighbour), so it rounds exactly."""
    return Fraction(repr(float(amount)))


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _per(amount: float | None, divisor: int | None) -> float | None:
    """Money per head, 2 places half up; None without the amount or a divisor."""
    if amount is None or not divisor:
        return None
    return half_up(_exact(amount) / divisor, 2)


def _mean(counts: Sequence[int]) -> tuple[float | None, int]:
    n = sum(counts)
    if not n:
        return None, 0
    total = sum(score * c for score, c in enumerate(counts, start=1))
    return (200 * total + n) // (2 * n) / 100, n  # half up to 2 places in whole numbers: a mean per session


def _total(figures: Iterable[int | None]) -> int | None:
    """The sum of the figures given; None when none is."""
    given = [f for f in figures if f is not None]
    return sum(given) if given else None


def _groups(sessions: Sequence[SessionRow], key: str) -> tuple[Group, ...]:
    found: dict[str, list[SessionRow]] = {}
    for s in sessions:
        found.setdefault(s.theme if key == "theme" else s.format, []).append(s)
    order = sorted(found, key=lambda name: (name == "", name.casefold(), name))
    return tuple(Group(name, len(found[name]), _total(s.attended for s in found[name])) for name in order)


def compute_measures(
    definition: EventDefinition,
    sessions: Sequence[SessionRow],
    answers: Iterable[AnswerCount],
    *,
    default_min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    top: int = TOP_SESSIONS,
) -> EventMeasures:
    """Every measure of the event (see the module's docstring for the judgement calls)."""
    minimum = definition.min_group_size or default_min_group_size
    # counts[question][session][answer]; the event's own counts under the session None
    counts: dict[str, dict[str | None, dict[str, int]]] = {}
    for a in answers:
        by_session = counts.setdefault(a.question, {})
        for where in (a.session, None):
            bucket = by_session.setdefault(where, {})
            bucket[a.answer] = bucket.get(a.answer, 0) + a.count

    def answered(question: Question, session: str | None = None) -> dict[str, int]:
        return counts.get(question.id, {}).get(session, {})

    ratings, agreement, choices, comments = [], [], [], []
    rating_questions = [q for q in definition.questions if q.kind == "rating"]
    for q in definition.questions:
        got = answered(q)
        if q.kind == "rating":
            five = tuple(got.get(r, 0) for r in RATINGS)
            mean, n = _mean(five)
            ratings.append(
                RatingMeasure(q.id, q.text, mean, n, (five[0], five[1], five[2], five[3], five[4]))
            )
        elif q.kind == "agree":
            agreement.append(_agreement(q, got))
        elif q.kind == "choose_any":
            total = sum(got.values())
            chosen = {o.id: 0 for o in q.options}
            for answer, c in got.items():
                for part in answer.split(";"):
                    if part in chosen:
                        chosen[part] += c
            choices.append(
                ChoiceMeasure(
                    q.id,
                    q.text,
                    total,
                    tuple((o, chosen[o.id], _ratio(chosen[o.id], total)) for o in q.options),
                )
            )
        else:
            comments.append((q.id, sum(got.values())))

    per_session = []
    for s in sessions:
        rated = []
        for q in rating_questions:
            mean, n = _mean([answered(q, s.id).get(r, 0) for r in RATINGS])
            hidden = 0 < n < minimum
            rated.append(SessionRating(q.id, None if hidden else mean, n, hidden))
        converted = (
            _ratio(s.attended, s.signups) if s.attended is not None and s.signups is not None else None
        )
        per_session.append(SessionMeasures(s, converted, tuple(rated)))

    signups = _total(s.signups for s in sessions)
    attended = _total(s.attended for s in sessions)
    both = [(s.attended, s.signups) for s in sessions if s.attended is not None and s.signups is not None]
    unique = definition.unique_attendees
    basis: Basis = "unique" if unique is not None else "attended"
    heads = unique.value if unique is not None else attended
    direct = _per(definition.costs.direct, heads)
    counted = [(s, s.attended) for s in sessions if s.attended is not None]
    ranked = sorted(counted, key=lambda c: (-c[1], c[0].title.casefold(), c[0].title, c[0].id))
    return EventMeasures(
        event=definition.id,
        title=definition.title,
        min_group_size=minimum,
        sessions=len(sessions),
        sold_out=sum(1 for s in sessions if s.sold_out),
        signups=signups,
        attended=attended,
        conversion=_ratio(sum(a for a, _s in both), sum(s for _a, s in both)),
        unique_attendees=unique,
        ratings=tuple(ratings),
        agreement=tuple(agreement),
        choices=tuple(choices),
        comments=tuple(comments),
        per_session=tuple(per_session),
        basis=basis,
        cost_per_attendee=None if direct is None else CostPerAttendee(direct, basis),
        full_cost_per_attendee=_per(definition.costs.full, heads),
        full_cost_per_member=_per(
            definition.costs.full, definition.population.size if definition.population else None
        ),
        top_sessions=tuple(TopSession(s.id, s.title, n) for s, n in ranked[:top]),
        by_theme=_groups(sessions, "theme"),
        by_format=_groups(sessions, "format"),
        signups_given=sum(1 for s in sessions if s.signups is not None),
        attended_given=sum(1 for s in sessions if s.attended is not None),
        conversion_sessions=len(both),
    )


def _agreement(question: Question, got: Mapping[str, int]) -> AgreeMeasure:
    agreeing = scored = 0
    for answer, c in got.items():
        score = AGREE5.score(answer) if AGREE5.accepts(answer) else None
        if score is None:
            continue
        scored += c
        if score >= AGREEING_SCORE:
            agreeing += c
    return AgreeMeasure(
        question.id, question.text, agreeing, scored, sum(got.values()), _ratio(agreeing, scored)
    )


# -- named measures, for KPIs -----------------------------------------------------------------------


class UnknownMeasure(ValueError):
    """A measure name that is not one of MEASURE_NAMES nor `mean:` a rating question of the event."""


def measure_names(definition: EventDefinition) -> tuple[str, ...]:
    """Every name a KPI may give for this event: MEASURE_NAMES, then `mean:<id>` of each rating question."""
    return MEASURE_NAMES + tuple(f"{MEAN_PREFIX}{q.id}" for q in definition.questions if q.kind == "rating")


def measure_value(measures: EventMeasures, name: str) -> float | None:
    """The value of a named measure (None when the event does not have it, e.g. no costs given)."""
    if name.startswith(MEAN_PREFIX):
        rating = measures.rating(name.removeprefix(MEAN_PREFIX))
        if rating is None:
            known = ", ".join(f"{MEAN_PREFIX}{r.question}" for r in measures.ratings) or "none"
            raise UnknownMeasure(
                f"'{name}' is not a rating question's mean of this event (its means: {known})"
            )
        return rating.mean
    values: dict[str, float | None] = {
        "sessions": measures.sessions,
        "sold_out": measures.sold_out,
        "signups": measures.signups,
        "attended": measures.attended,
        "conversion": measures.conversion,
        "unique_attendees": None if measures.unique_attendees is None else measures.unique_attendees.value,
        "cost_per_attendee": None if measures.cost_per_attendee is None else measures.cost_per_attendee.value,
        "full_cost_per_attendee": measures.full_cost_per_attendee,
        "full_cost_per_member": measures.full_cost_per_member,
    }
    if name not in values:
        raise UnknownMeasure(
            f"unknown measure '{name}'; the measures are: {', '.join(MEASURE_NAMES)} and mean:<question id>"
        )
    return values[name]

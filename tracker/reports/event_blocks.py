"""An event's figures as a reader sees them (issue 19): headline figures, value for money in words, top
sessions, attendance by session, theme and format, and each question's answers, as plain values written by
`tracker.domain.formats`; and its charts. The event page and the report's events chapter both show these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from markupsafe import Markup

from tracker.domain import formats
from tracker.domain.event_measures import EventMeasures, Group, half_up
from tracker.domain.events import FORMAT_LABELS, EventDefinition
from tracker.events.reading import ShownEvent
from tracker.reports.charts import Bar, value_bars

SESSION_BARS = 20  # the attendance-by-session chart draws this many sessions; the rest are summed in one bar
NO_THEME = "No theme given"


@dataclass(frozen=True)
class Figure:
    """A headline figure (a tile on the page): what it is, its value, and a note under it."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Cost:
    """A value-for-money figure and how it was reached, in words."""

    label: str
    value: str
    how: str


@dataclass(frozen=True)
class GroupRow:
    name: str
    sessions: int
    attended: int | None  # None: none of its sessions gives its attendance


@dataclass(frozen=True)
class Distribution:
    """A rating question over the event: how many gave each of 1 to 5, and its mean."""

    question: str
    text: str
    mean: str  # "4.57", or "no answers"
    n: int
    counts: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    share: str  # "48.1%"


@dataclass(frozen=True)
class Shares:
    """A choose-any question (each option's share of the answers; they may add up to more than 100%) or an
    agree statement (the share agreeing)."""

    question: str
    text: str
    answers: int
    shares: tuple[Share, ...]


@dataclass(frozen=True)
class EventBlock:
    id: str
    title: str
    period: str
    source: str
    sessions: int
    min_group_size: int
    figures: tuple[Figure, ...]
    costs: tuple[Cost, ...]
    top_sessions: tuple[tuple[str, int], ...]
    session_bars: tuple[tuple[str, int], ...]  # the most attended sessions, at most SESSION_BARS
    rest: tuple[int, int]  # the sessions not drawn and their attendance together
    by_theme: tuple[GroupRow, ...]
    by_format: tuple[GroupRow, ...]
    ratings: tuple[Distribution, ...]
    choices: tuple[Shares, ...]
    agreement: tuple[Shares, ...]
    loaded: str  # "5 December 2025 (load 2)", or "" when never loaded


NOT_PUBLISHED = formats.NOT_PUBLISHED


def share_text(part: int | None, whole: int | None) -> str:
    """A share as a percentage to one place, half up ('48.1%'), 'no data' from no answers, or 'not
    published' when either figure is unknown (a session that gave no sign-ups or attendance)."""
    if part is None or whole is None:
        return NOT_PUBLISHED
    return formats.NO_DATA if not whole else formats.percent(half_up(Fraction(part * 100, whole), 1))


known = formats.figure  # a whole-number figure, or 'not published' when the event does not give it


def _count(value: int, one: str, many: str) -> str:
    return f"{formats.number(value)} {one if value == 1 else many}"


def _conversion(m: EventMeasures) -> Figure:
    """The share of sign-ups that attended, over the sessions giving both; why not, when it cannot be told."""
    if m.conversion is None:
        if m.signups is None or m.attended is None:
            return Figure("Conversion", NOT_PUBLISHED, "")
        return Figure("Conversion", formats.NO_DATA, "no sign-ups recorded")
    over = (
        f" (over the {formats.number(m.conversion_sessions)} sessions giving both)"
        if m.conversion_sessions < m.sessions
        else ""
    )
    value = formats.percent(half_up(Fraction(str(m.conversion)) * 100, 1))
    return Figure("Conversion", value, "of sign-ups attended" + over)


def _figures(d: EventDefinition, m: EventMeasures) -> list[Figure]:
    figures = [
        Figure("Sessions", formats.number(m.sessions)),
        Figure("Sold out", formats.number(m.sold_out), "sessions whose sign-ups reached their capacity"),
        Figure("Sign-ups", known(m.signups)),
        Figure(
            "Attended",
            known(m.attended),
            "attendances, added up over the sessions" if m.attended is not None else "",
        ),
        _conversion(m),
    ]
    unique = m.unique_attendees
    if unique is None:
        figures.append(Figure("Unique attendees", "not given"))
    else:
        figures.append(
            Figure(
                "Unique attendees",
                formats.number(unique.value),
                "an estimate" if unique.estimated else "counted",
            )
        )
    if d.reach_target is not None:
        figures.append(Figure("Reach target", formats.number(d.reach_target)))
    for r in m.ratings:
        mean = formats.NO_DATA if r.mean is None else formats.number(r.mean)
        note = "no answers" if not r.n else f"out of 5, from {_count(r.n, 'answer', 'answers')}"
        figures.append(Figure(r.text, mean, note))
    return figures


def _costs(d: EventDefinition, m: EventMeasures) -> list[Cost]:
    unique = m.unique_attendees
    if unique is not None:
        heads = f"{_count(unique.value, 'unique attendee', 'unique attendees')}"
        heads += " (an estimate)" if unique.estimated else ""
    elif m.attended is not None:
        heads = (
            f"{_count(m.attended, 'attendance', 'attendances')} (the sessions' attendance added up: the "
            "event gives no count of unique attendees)"
        )
    else:
        heads = "attendees (no attendance published)"
    costs = []
    direct, full = d.costs.direct, d.costs.full
    if m.cost_per_attendee is not None and direct is not None:
        how = f"the direct cost of {formats.money(direct)} over {heads}"
        costs.append(Cost("Direct cost per attendee", formats.money(m.cost_per_attendee.value), how))
    else:
        why = "no direct cost given" if direct is None else "nobody attended"
        costs.append(Cost("Direct cost per attendee", formats.NO_DATA, why))
    if m.full_cost_per_attendee is not None and full is not None:
        how = f"the full cost of {formats.money(full)} over the same {heads}"
        costs.append(Cost("Full cost per attendee", formats.money(m.full_cost_per_attendee), how))
    else:
        why = "no full cost given" if full is None else "nobody attended"
        costs.append(Cost("Full cost per attendee", formats.NO_DATA, why))
    population = d.population
    if m.full_cost_per_member is not None and full is not None and population is not None:
        size = formats.number(population.size)
        how = f"the full cost of {formats.money(full)} over the {size} {population.name}"
        costs.append(
            Cost("Full cost per member of the population", formats.money(m.full_cost_per_member), how)
        )
    else:
        why = "no population given" if population is None else "no full cost given"
        costs.append(Cost("Full cost per member of the population", formats.NO_DATA, why))
    if d.costs.staff_hours is not None:
        costs.append(
            Cost("Staff hours", formats.number(d.costs.staff_hours), "the hours staff gave the event")
        )
    return costs


def _groups(groups: Sequence[Group], labels: dict[str, str] | None = None) -> tuple[GroupRow, ...]:
    def name(g: Group) -> str:
        if labels is not None:
            return labels.get(g.name, g.name)
        return g.name or NO_THEME

    return tuple(GroupRow(name(g), g.sessions, g.attended) for g in groups)


def event_period(d: EventDefinition) -> str:
    """When the event ran: its day, or its first and last days."""
    if d.ends_on == d.starts_on:
        return formats.long_date(d.starts_on)
    return formats.period(d.starts_on, d.ends_on)


def event_block(shown: ShownEvent) -> EventBlock:
    d, m = shown.definition, shown.measures
    ranked = sorted(  # sessions that give no attendance cannot be drawn: they are left out of the bars
        (s for s in m.per_session if s.session.attended is not None),
        key=lambda s: (-(s.session.attended or 0), s.session.title.casefold(), s.session.id),
    )
    drawn = ranked[:SESSION_BARS]
    rest = ranked[SESSION_BARS:]
    choices = tuple(
        Shares(
            c.question,
            c.text,
            c.answers,
            tuple(Share(option.text, count, share_text(count, c.answers)) for option, count, _s in c.options),
        )
        for c in m.choices
    )
    agreement = tuple(
        Shares(a.question, a.text, a.n, (Share("Agree", a.agreeing, share_text(a.agreeing, a.n)),))
        for a in m.agreement
    )
    load = shown.load
    return EventBlock(
        id=d.id,
        title=d.title,
        period=event_period(d),
        source=d.source,
        sessions=m.sessions,
        min_group_size=m.min_group_size,
        figures=tuple(_figures(d, m)),
        costs=tuple(_costs(d, m)),
        top_sessions=tuple((t.title, t.attended) for t in m.top_sessions),
        session_bars=tuple((s.session.title, s.session.attended or 0) for s in drawn),
        rest=(len(rest), sum(s.session.attended or 0 for s in rest)),
        by_theme=_groups(m.by_theme),
        by_format=_groups(m.by_format, dict(FORMAT_LABELS)),
        ratings=tuple(
            Distribution(
                r.question,
                r.text,
                formats.NO_DATA if r.mean is None else formats.number(r.mean),
                r.n,
                r.counts,
            )
            for r in m.ratings
        ),
        choices=choices,
        agreement=agreement,
        loaded="" if load is None else f"{formats.long_date(load.loaded_at)} (load {load.number})",
    )


# -- charts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventCharts:
    sessions: Markup
    themes: Markup
    by_format: Markup
    ratings: tuple[tuple[str, Markup], ...]  # (question id, its distribution)


def _attended(value: int | None, sessions: int) -> str:
    return f"{known(value)} ({_count(sessions, 'session', 'sessions')})"


def event_charts(prefix: str, block: EventBlock, *, show_titles: bool = False) -> EventCharts:
    """The event's charts, their ids under `prefix` (unique in the page)."""
    bars = [Bar(title, attended, formats.number(attended)) for title, attended in block.session_bars]
    others, others_attended = block.rest
    note = ""
    if others:
        label = f"The other {_count(others, 'session', 'sessions')}, together"
        bars.append(Bar(label, others_attended, formats.number(others_attended), drawn=False))
        note = (
            f"The {formats.number(len(block.session_bars))} most attended sessions are drawn one by one; the "
            f"other {_count(others, 'session', 'sessions')} are added up in the last line, not drawn."
        )
    sessions = value_bars(
        f"{prefix}-sessions", "Attendance by session", bars, show_title=show_titles, note=note
    )
    themes = value_bars(
        f"{prefix}-themes",
        "Attendance by theme",
        [
            Bar(g.name, g.attended or 0, _attended(g.attended, g.sessions), g.attended is not None)
            for g in block.by_theme
        ],
        show_title=show_titles,
    )
    by_format = value_bars(
        f"{prefix}-formats",
        "Attendance by format",
        [
            Bar(g.name, g.attended or 0, _attended(g.attended, g.sessions), g.attended is not None)
            for g in block.by_format
        ],
        show_title=show_titles,
    )
    ratings = []
    for index, r in enumerate(block.ratings, start=1):
        rows = [
            Bar(f"Rated {score}", count, f"{formats.number(count)} ({share_text(count, r.n)})")
            for score, count in zip(range(1, 6), r.counts, strict=True)
        ]
        chart = value_bars(
            f"{prefix}-rating-{index}",
            f"{r.text}: answers from 1 to 5",
            rows if r.n else [],
            show_title=show_titles,
            label_width=80.0,
            note=f"Mean {r.mean} from {_count(r.n, 'answer', 'answers')}." if r.n else "",
        )
        ratings.append((r.question, chart))
    return EventCharts(sessions, themes, by_format, tuple(ratings))

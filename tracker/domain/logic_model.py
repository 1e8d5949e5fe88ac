"""The framework as a logic model: per theme, aims, activities, outputs and outcomes as labelled boxes.

Columns run in the order the framework is written and read: aims (what the theme is for), activities (what
is done), outputs (what that produces) and outcomes (what changes), the outcomes grouped short, medium and
long term. Links are exactly those the YAML declares, from an aim to each activity and outcome that names
it (`Activity.aims`, `Outcome.aims`); KPIs are not boxes.

Each box carries a status code and its words:
- an outcome: its rating (`strong` ... `not_yet`), labelled as everywhere else (`vocabulary`);
- an output: its progress, read from the statuses of the KPIs it lists (`Output.kpis`) by `output_progress`;
- an aim or an activity: no status (neutral): nothing rates them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from tracker.domain.formats import number
from tracker.domain.framework import TERMS, Activity, Aim, Framework, Outcome, Output, Theme
from tracker.domain.kpi import KPI_STATUSES
from tracker.domain.rules import RATING_CODES
from tracker.domain.vocabulary import (
    KPI_STATUS_LABELS,
    OUTPUT_PROGRESS_LABELS,
    RATING_LABELS,
    RATING_SHORT_LABELS,
)

BoxKind = Literal["aim", "activity", "output", "outcome"]
ColumnKey = Literal["aims", "activities", "outputs", "outcomes"]
KIND_TITLES: Mapping[BoxKind, str] = {
    "aim": "Aim",
    "activity": "Activity",
    "output": "Output",
    "outcome": "Outcome",
}
TERM_TITLES: Mapping[str, str] = {"short": "Short term", "medium": "Medium term", "long": "Long term"}
OUTPUT_PROGRESS: tuple[str, ...] = tuple(OUTPUT_PROGRESS_LABELS)
# What each progress means, as `output_progress` decides it (the first that holds), for keys and docs.
OUTPUT_PROGRESS_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "missed": "at least one of its KPIs missed its target",
        "met": "every one of its KPIs met its target",
        "progress": "at least one KPI met or partly met, none missed",
        "no_data": "none of its KPIs has a value yet",
        "not_judged": "too early to judge, or no target set",
        "unmeasured": "no KPI measures it",
    }
)
NOT_RATED = "Not rated"


@dataclass(frozen=True, slots=True)
class LinkRef:
    """A box another box links to, as the list names it ('Aim 2', or 'Aim 2 of theme 3' elsewhere)."""

    id: str
    ref: str


@dataclass(frozen=True, slots=True)
class Box:
    """One aim, activity, output or outcome: its words, its status and what it links to."""

    id: str
    kind: BoxKind
    ref: str  # 'Activity 3': its kind and place in the theme, which the drawing and the list both show
    text: str
    status: str = ""  # a rating code (outcome), a progress code (output), "" (aim, activity: neutral)
    label: str = ""  # the status in a word or two ('Strong', 'All met'); "" when neutral
    detail: str = ""  # the status in a sentence (the rating's definition, the KPIs' statuses counted)
    linked: tuple[LinkRef, ...] = ()  # an aim: the activities and outcomes naming it; else: the aims it names


@dataclass(frozen=True, slots=True)
class Group:
    """The boxes of a column, or of one term of the outcomes column ('Short term')."""

    key: str
    title: str
    boxes: tuple[Box, ...]


@dataclass(frozen=True, slots=True)
class Column:
    key: ColumnKey
    title: str
    groups: tuple[Group, ...]  # outcomes: one per term that has any, soonest first; else one (maybe empty)

    @property
    def boxes(self) -> tuple[Box, ...]:
        return tuple(b for g in self.groups for b in g.boxes)


@dataclass(frozen=True, slots=True)
class Link:
    """An arrow the YAML declares: from an aim to an activity or outcome that names it."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class ThemeModel:
    id: str
    number: int
    title: str
    columns: tuple[Column, ...]
    links: tuple[Link, ...]  # every link of the theme's boxes, including to aims of other themes

    def boxes(self) -> Iterator[Box]:
        for column in self.columns:
            yield from column.boxes

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True, slots=True)
class LogicModel:
    framework_id: str
    title: str
    themes: tuple[ThemeModel, ...]

    def box(self, box_id: str) -> Box | None:
        return next((b for t in self.themes for b in t.boxes() if b.id == box_id), None)


def output_progress(statuses: Sequence[str]) -> str:
    """An output's progress from its KPIs' status codes, the first that holds:

    `unmeasured` no KPI listed; `missed` any missed; `met` every one met; `progress` any met or partly met;
    `no_data` none has data; `not_judged` the rest (too early to judge, or no target set).
    """
    if not statuses:
        return "unmeasured"
    if "missed" in statuses:
        return "missed"
    if all(s == "met" for s in statuses):
        return "met"
    if any(s in {"met", "partly_met"} for s in statuses):
        return "progress"
    if all(s == "no_data" for s in statuses):
        return "no_data"
    return "not_judged"


def kpi_counts(statuses: Sequence[str]) -> str:
    """'3 KPIs: 2 met, 1 no data', the statuses behind an output's progress."""
    if not statuses:
        return "No KPI measures this output"
    counts = [f"{number(statuses.count(s))} {KPI_STATUS_LABELS[s]}" for s in KPI_STATUSES if s in statuses]
    total = len(statuses)
    return f"{number(total)} KPI{'' if total == 1 else 's'}: {', '.join(counts)}"


def logic_model(
    framework: Framework, ratings: Mapping[str, str], kpi_statuses: Mapping[str, str]
) -> LogicModel:
    """The framework's logic model from each outcome's rating code and each KPI's status code (by id); an
    outcome without a rating is shown 'Not rated', a KPI without a status counts as having no data."""
    for outcome_id, code in ratings.items():
        if code not in RATING_CODES:
            raise ValueError(f"unknown rating code {code!r} for {outcome_id!r}")
    for kpi_id, code in kpi_statuses.items():
        if code not in KPI_STATUSES:
            raise ValueError(f"unknown KPI status {code!r} for {kpi_id!r}")
    refs = _refs(framework)
    links = {theme.id: _links(theme) for theme in framework.themes}
    served_by: dict[str, list[str]] = {}  # each aim's activities and outcomes, from any theme
    for theme_links in links.values():
        for link in theme_links:
            served_by.setdefault(link.source, []).append(link.target)
    themes = []
    for number_, theme in enumerate(framework.themes, start=1):
        themes.append(_theme(theme, number_, ratings, kpi_statuses, refs, links[theme.id], served_by))
    return LogicModel(framework.id, framework.title, tuple(themes))


def _refs(framework: Framework) -> dict[str, tuple[int, str]]:
    """Each box's theme number and ref ('Aim 2'), so a link can name a box of any theme."""
    refs: dict[str, tuple[int, str]] = {}
    for number_, theme in enumerate(framework.themes, start=1):
        groups: tuple[tuple[str, Sequence[Aim | Activity | Output | Outcome]], ...] = (
            ("Aim", theme.aims),
            ("Activity", theme.activities),
            ("Output", theme.outputs),
            ("Outcome", theme.outcomes),
        )
        for title, elements in groups:
            for i, element in enumerate(elements, start=1):
                refs[element.id] = (number_, f"{title} {i}")
    return refs


def _theme(
    theme: Theme,
    number_: int,
    ratings: Mapping[str, str],
    kpi_statuses: Mapping[str, str],
    refs: Mapping[str, tuple[int, str]],
    links: tuple[Link, ...],
    served_by: Mapping[str, Sequence[str]],
) -> ThemeModel:
    serves: dict[str, list[str]] = {}
    for link in links:
        serves.setdefault(link.target, []).append(link.source)

    def linked(ids: Sequence[str]) -> tuple[LinkRef, ...]:
        found = []
        for other in ids:
            if other not in refs:
                continue
            theme_of, ref = refs[other]
            found.append(LinkRef(other, ref if theme_of == number_ else f"{ref} of theme {theme_of}"))
        return tuple(found)

    aims = tuple(
        Box(a.id, "aim", refs[a.id][1], a.text, linked=linked(served_by.get(a.id, ())))
        for i, a in enumerate(theme.aims, start=1)
    )
    activities = tuple(
        Box(a.id, "activity", refs[a.id][1], a.text, linked=linked(serves.get(a.id, ())))
        for i, a in enumerate(theme.activities, start=1)
    )
    outputs = []
    for output in theme.outputs:
        statuses = [kpi_statuses.get(k, "no_data") for k in output.kpis]
        progress = output_progress(statuses)
        outputs.append(
            Box(
                output.id,
                "output",
                refs[output.id][1],
                output.text,
                progress,
                OUTPUT_PROGRESS_LABELS[progress],
                kpi_counts(statuses),
            )
        )
    outcomes: list[Box] = []
    for outcome in theme.outcomes:
        code = ratings.get(outcome.id, "")
        outcomes.append(
            Box(
                outcome.id,
                "outcome",
                refs[outcome.id][1],
                outcome.text,
                code,
                RATING_SHORT_LABELS[code] if code else NOT_RATED,
                RATING_LABELS[code] if code else NOT_RATED,
                linked(serves.get(outcome.id, ())),
            )
        )
    terms = {o.id: o.term for o in theme.outcomes}
    columns = (
        Column("aims", "Aims", (Group("all", "", aims),)),
        Column("activities", "Activities", (Group("all", "", activities),)),
        Column("outputs", "Outputs", (Group("all", "", tuple(outputs)),)),
        Column(
            "outcomes",
            "Outcomes",
            tuple(
                Group(term, TERM_TITLES[term], tuple(b for b in outcomes if terms[b.id] == term))
                for term in TERMS
                if any(terms[b.id] == term for b in outcomes)
            ),
        ),
    )
    return ThemeModel(theme.id, number_, theme.title, columns, links)


def _links(theme: Theme) -> tuple[Link, ...]:
    """The theme's declared links, aim to activity then aim to outcome, each once, in file order."""
    found: dict[tuple[str, str], Link] = {}
    linking: tuple[Activity | Outcome, ...] = (*theme.activities, *theme.outcomes)
    for element in linking:
        for aim in element.aims:
            found.setdefault((aim, element.id), Link(aim, element.id))
    return tuple(found.values())

"""The framework as immutable values: partners, themes, aims, activities, outputs, outcomes, KPIs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Literal

from tracker.domain.settings import DEFAULT_SETTINGS, RuleSettings

PartnerKind = Literal["local_authority", "hei", "pvi", "nhs", "other"]
PartnerTier = Literal["primary", "secondary"]
Quadrant = Literal["effort-quantity", "effort-quality", "effect-quantity", "effect-quality"]
Term = Literal["short", "medium", "long"]
Unit = Literal["percent", "count", "number", "score", "currency"]
Direction = Literal["higher_is_better", "lower_is_better"]
OutcomeKind = Literal["change", "deliverable"]
Shows = Literal["how_much", "how_well", "better_off"]

PARTNER_KINDS: tuple[PartnerKind, ...] = ("local_authority", "hei", "pvi", "nhs", "other")
PARTNER_TIERS: tuple[PartnerTier, ...] = ("primary", "secondary")
QUADRANTS: tuple[Quadrant, ...] = (
    "effort-quantity",
    "effort-quality",
    "effect-quantity",
    "effect-quality",
)
TERMS: tuple[Term, ...] = ("short", "medium", "long")
UNITS: tuple[Unit, ...] = ("percent", "count", "number", "score", "currency")
DIRECTIONS: tuple[Direction, ...] = ("higher_is_better", "lower_is_better")
# change: the outcome is a difference made; deliverable: a product that exists or not (a plan, a curriculum).
OUTCOME_KINDS: tuple[OutcomeKind, ...] = ("change", "deliverable")
SHOWS: tuple[Shows, ...] = ("how_much", "how_well", "better_off")
EFFECT_QUADRANTS: frozenset[str] = frozenset({"effect-quantity", "effect-quality"})

# The RBA questions each quadrant answers, as the 2020 evaluation puts them.
QUADRANT_QUESTIONS: Mapping[str, str] = MappingProxyType(
    {
        "effort-quantity": "How much did we do?",
        "effort-quality": "How well did we do it?",
        "effect-quantity": "Is anyone better off? (how many)",
        "effect-quality": "Is anyone better off? (in what way)",
    }
)

ElementKind = Literal["partner", "theme", "aim", "activity", "output", "outcome", "kpi"]


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Partner:
    id: str
    name: str
    kind: PartnerKind
    tier: PartnerTier = "primary"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Aim:
    id: str
    text: str
    theme_id: str
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    text: str
    theme_id: str
    aims: tuple[str, ...] = ()
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Output:
    id: str
    text: str
    theme_id: str
    quadrant: Quadrant
    kpis: tuple[str, ...] = ()
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    text: str
    theme_id: str
    quadrant: Quadrant
    term: Term
    expected_by: date | None = None
    kpis: tuple[str, ...] = ()
    aims: tuple[str, ...] = ()
    ref: str = ""
    kind: OutcomeKind = "change"

    @property
    def is_effect(self) -> bool:
        """In an effect quadrant (is anyone better off?), where evidence of effort alone is capped."""
        return self.quadrant in EFFECT_QUADRANTS


@dataclass(frozen=True, slots=True)
class Baseline:
    period: str
    value: float


@dataclass(frozen=True, slots=True)
class Target:
    """Either a level to reach (`value`) or a change from the previous period or the baseline."""

    value: float | None = None
    change: float | None = None
    per_period: bool = False
    tolerance: float | None = None
    period: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class KpiSource:
    """Where a KPI's value comes from instead of being typed: a named measure of one of the framework's
    events (`source: {event: ID, measure: NAME}`; names: event_measures.MEASURE_NAMES and mean:<id>)."""

    event: str
    measure: str


@dataclass(frozen=True, slots=True)
class Kpi:
    id: str
    name: str
    theme_id: str
    unit: Unit
    direction: Direction
    baseline: Baseline | None = None
    target: Target | None = None
    per_partner: bool = False
    note: str = ""
    ref: str = ""
    shows: Shows | None = None  # the RBA question its values answer; None: not said (counts as an effect)
    source: KpiSource | None = None  # None: its values are typed (or imported)


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    title: str
    summary: str = ""
    ref: str = ""
    aims: tuple[Aim, ...] = ()
    activities: tuple[Activity, ...] = ()
    outputs: tuple[Output, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    kpis: tuple[Kpi, ...] = ()


Element = Partner | Theme | Aim | Activity | Output | Outcome | Kpi


def element_kind(element: Element) -> ElementKind:
    """The kind name used in links, the database and messages."""
    kinds: dict[type, ElementKind] = {
        Partner: "partner",
        Theme: "theme",
        Aim: "aim",
        Activity: "activity",
        Output: "output",
        Outcome: "outcome",
        Kpi: "kpi",
    }
    return kinds[type(element)]


@dataclass(frozen=True)
class Framework:
    """A validated framework file; build it with `tracker.domain.loader`, never by hand from YAML."""

    id: str
    title: str
    version: int
    period: Period
    themes: tuple[Theme, ...]
    vision: str = ""
    description: str = ""
    source: str = ""
    as_of: date | None = None
    partners: tuple[Partner, ...] = ()
    rules: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    settings: RuleSettings = DEFAULT_SETTINGS
    surveys: tuple[Any, ...] = ()
    _index: Mapping[str, Element] = field(init=False, repr=False, compare=False)
    _id_pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Element] = {p.id: p for p in self.partners}
        for theme in self.themes:
            index[theme.id] = theme
            for group in (theme.aims, theme.activities, theme.outputs, theme.outcomes, theme.kpis):
                for element in group:
                    index[element.id] = element
        object.__setattr__(self, "_index", MappingProxyType(index))

    def get(self, element_id: str) -> Element | None:
        return self._index.get(element_id)

    def named(self, text: str) -> str:
        """`text` (a note written by the framework's author) with each element id in it replaced by the
        element's name, so pages never show an id where a name exists."""
        if not text:
            return text
        if self._id_pattern is None:  # built once per framework, on first use
            ids = sorted((i for i in self._index if "-" in i), key=len, reverse=True)  # a word is not an id
            found = (
                re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w-])") if ids else None
            )
            object.__setattr__(self, "_id_pattern", found or re.compile(r"(?!x)x"))
        assert self._id_pattern is not None
        return self._id_pattern.sub(lambda m: name_of(self._index[m.group(0)]), text)

    def elements(self) -> Iterator[Element]:
        """Every element in file order: partners first, then each theme followed by its contents."""
        yield from self.partners
        for theme in self.themes:
            yield theme
            yield from theme.aims
            yield from theme.activities
            yield from theme.outputs
            yield from theme.outcomes
            yield from theme.kpis

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return tuple(o for t in self.themes for o in t.outcomes)

    @property
    def kpis(self) -> tuple[Kpi, ...]:
        return tuple(k for t in self.themes for k in t.kpis)

    def default_as_of(self, today: date) -> date:
        """Ratings and reports default to the framework's as_of date, else today."""
        return self.as_of or today


def name_of(element: Element) -> str:
    """What people call an element: a theme's title, a KPI's or partner's name, else its text."""
    for attribute in ("title", "name", "text"):
        value = getattr(element, attribute, "")
        if value:
            return str(value)
    return element.id

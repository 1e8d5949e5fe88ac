"""KPIs that take their value from an event (issue 19): `source: {event: ID, measure: NAME}` as the framework
YAML gives it, and the one value it gives, for the event's period, from the event's current measures.

Judgement calls:
- A sourced KPI's values are the event's only: values typed for it are refused, so a figure is never given
  twice (and any typed before it became sourced are not read).
- The period is the event's: labelled with its title, ending on its `ends_on`; like any value, it counts
  only from that day (a rating as of an earlier date does not see it).
- A share (conversion, a fraction 0-1) is a percentage (x 100, 2 places) for a KPI whose unit is percent.
- No value when the event does not exist yet, gives no figure for the measure (no costs, no answers), or has
  no rating question the `mean:` names: the KPI simply has no value, as before any is typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from tracker.domain.event_measures import (
    MEAN_PREFIX,
    MEASURE_NAMES,
    EventMeasures,
    UnknownMeasure,
    half_up,
    measure_value,
)
from tracker.domain.events import EventDefinition
from tracker.domain.framework import KpiSource
from tracker.domain.kpi import KpiActual
from tracker.domain.node_reader import SLUG, SLUG_MAX, NodeReader
from tracker.domain.surveys import did_you_mean
from tracker.domain.yaml_source import Node, join_path

SOURCE_KEYS = ("event", "measure")
SHARE_MEASURES = frozenset({"conversion"})  # fractions 0-1
MEASURE_LABELS: dict[str, str] = {
    "sessions": "sessions",
    "sold_out": "sessions sold out",
    "signups": "sign-ups",
    "attended": "attended (the sessions' attendance added up)",
    "conversion": "conversion (attended / signed up)",
    "unique_attendees": "unique attendees",
    "cost_per_attendee": "direct cost per attendee",
    "full_cost_per_attendee": "full cost per attendee",
    "full_cost_per_member": "full cost per member of the population",
}


def measure_problem(name: str) -> str | None:
    """What is wrong with a measure name a KPI gives, or None (a `mean:` is checked against the event's
    questions only when its value is read: the event may not be loaded yet)."""
    if name in MEASURE_NAMES:
        return None
    if name.startswith(MEAN_PREFIX):
        question = name.removeprefix(MEAN_PREFIX)
        if SLUG.match(question) and len(question) <= SLUG_MAX:
            return None
        return f"'{name}' names no question: give mean:<the id of one of the event's rating questions>"
    hint = did_you_mean(name, MEASURE_NAMES)
    return (
        f"unknown measure '{name[:60]}'{hint}; the measures are: {', '.join(MEASURE_NAMES)} and "
        "mean:<question id>"
    )


def read_source(r: NodeReader, kpi: Mapping[str, Node], kpi_path: str, per_partner: bool) -> KpiSource | None:
    """The `source:` of a KPI (its keys `kpi`, at `kpi_path`): `{event: ID, measure: NAME}`, or None when it
    has none; every problem located."""
    if "source" not in kpi:
        return None
    if per_partner:
        message = "a KPI with a 'source' takes one value from its event, not one per partner"
        r.error(kpi["per_partner"], join_path(kpi_path, "per_partner"), message)
    path = join_path(kpi_path, "source")
    f = r.mapping(kpi["source"], path, SOURCE_KEYS, SOURCE_KEYS)
    if f is None or "event" not in f or "measure" not in f:
        return None
    event = r.slug(f["event"], join_path(path, "event"))
    measure_path = join_path(path, "measure")
    measure = r.text(f["measure"], measure_path)
    problem = measure_problem(measure) if measure else None
    if problem is not None:
        r.error(f["measure"], measure_path, problem)
    return KpiSource(event, measure)


def measure_label(name: str, definition: EventDefinition | None = None) -> str:
    """The measure in words: "unique attendees", "the mean rating of 'How useful ...'"."""
    if name.startswith(MEAN_PREFIX):
        question = definition.question(name.removeprefix(MEAN_PREFIX)) if definition else None
        return f"the mean rating of '{question.text if question else name.removeprefix(MEAN_PREFIX)}'"
    return MEASURE_LABELS.get(name, name)


def source_problem(source: KpiSource, definition: EventDefinition) -> str | None:
    """Why this existing event can never give the KPI a value, or None."""
    if source.measure.startswith(MEAN_PREFIX):
        question = definition.question(source.measure.removeprefix(MEAN_PREFIX))
        if question is None or question.kind != "rating":
            wanted = source.measure.removeprefix(MEAN_PREFIX)
            return f"the event '{definition.id}' has no rating question '{wanted}'"
    return None


def source_value(source: KpiSource, unit: str, measures: EventMeasures) -> float | None:
    """The value the event gives the KPI now, in the KPI's unit; None when it gives none."""
    try:
        value = measure_value(measures, source.measure)
    except UnknownMeasure:
        return None
    if value is None:
        return None
    if source.measure in SHARE_MEASURES and unit == "percent":
        return half_up(Fraction(repr(float(value))) * 100, 2)
    return float(value)


@dataclass(frozen=True, slots=True)
class SourcedValue:
    """A sourced KPI as its event stands: the event (None if it does not exist yet) and the value it gives."""

    kpi: str
    source: KpiSource
    definition: EventDefinition | None
    value: float | None
    problem: str | None = None

    @property
    def period(self) -> str:
        return self.definition.title if self.definition else ""

    @property
    def period_end(self) -> date | None:
        return self.definition.ends_on if self.definition else None

    def actual(self, as_of: date) -> KpiActual | None:
        """The KPI's one value for the event's period, if it has one by `as_of`."""
        if self.definition is None or self.value is None or self.definition.ends_on > as_of:
            return None
        return KpiActual(self.definition.title, self.definition.ends_on, self.value)


def sourced_value(
    kpi: str, source: KpiSource, unit: str, event: tuple[EventDefinition, EventMeasures] | None
) -> SourcedValue:
    """The KPI's value from its event's definition and measures (None: the event does not exist yet)."""
    if event is None:
        return SourcedValue(kpi, source, None, None)
    definition, measures = event
    return SourcedValue(
        kpi, source, definition, source_value(source, unit, measures), source_problem(source, definition)
    )


def typed_refusal(kpi: str, source: Mapping[str, object]) -> str:
    """Why a value typed for a sourced KPI (its stored `source`, as element attrs hold it) is refused."""
    return (
        f"the KPI '{kpi}' takes its value from the event '{source.get('event')}' "
        f"(its measure '{source.get('measure')}'), so it is not typed: load the event's files to change it"
    )


def stored_source(attrs: Mapping[str, object]) -> Mapping[str, object] | None:
    """A KPI element's stored `source` ({event, measure}), or None when its values are typed."""
    source = attrs.get("source")
    return source if isinstance(source, Mapping) else None

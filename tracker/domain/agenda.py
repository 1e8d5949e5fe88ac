"""The data development agenda (an RBA term): the measures a partnership would like to have and does not.

Per theme, the outcomes whose ratings are held back by missing data, and why: a linked KPI with no data
(or too little to judge), evidence that found it too early to measure the effect, evidence of effort only
for an effect outcome, a long-term aim whose evidence is not yet expected; and the theme's KPIs with no
data that no outcome links. Built from plain values, so the report and the page list the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from tracker.domain.framework import Framework, Outcome
from tracker.domain.kpi import KpiStatus, format_date

TITLES_NAMED = 3  # an entry names this many too-early items, then counts the rest

# What a KPI that cannot be judged lacks, by its status.
_KPI_LACKS = {
    "no_data": "no values yet",
    "too_early": "one value so far: a second period would show a trend",
    "no_target": "no target or baseline to judge its values against",
}


@dataclass(frozen=True, slots=True)
class OutcomeData:
    """What the agenda reads of one outcome's rating: its code and what held it back."""

    rating: str
    too_early: tuple[str, ...] = ()  # titles of the items that found the effect too early to measure
    effort_only: bool = False  # an effect outcome whose supporting lines all show effort only


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    outcome_id: str
    outcome: str
    rating: str
    needs: tuple[str, ...]  # each a sentence: one piece of missing data


@dataclass(frozen=True, slots=True)
class AgendaTheme:
    theme_id: str
    title: str
    entries: tuple[AgendaEntry, ...]
    kpis_without_data: tuple[str, ...]  # sentences for the theme's KPIs no outcome links


def _titles(titles: tuple[str, ...]) -> str:
    named = ", ".join(f"“{t}”" for t in titles[:TITLES_NAMED])
    rest = len(titles) - TITLES_NAMED
    return named + (f" and {rest} more" if rest > 0 else "")


def _needs(
    outcome: Outcome, data: OutcomeData, kpis: Mapping[str, KpiStatus], as_of: date
) -> tuple[str, ...]:
    needs = []
    if outcome.term == "long" and outcome.expected_by is not None and outcome.expected_by > as_of:
        needs.append(f"A long-term aim: its evidence is expected from {format_date(outcome.expected_by)}.")
    for kpi_id in outcome.kpis:
        status = kpis.get(kpi_id)
        if status is not None and not status.has_data:
            needs.append(f"The KPI “{status.name}”: {_KPI_LACKS.get(status.status, 'no values yet')}.")
    if data.too_early:
        needs.append(f"Too early to measure the effect, as {_titles(data.too_early)} found.")
    if data.effort_only:
        needs.append(
            "Evidence of effort only (how much, how well): no measure yet of anyone being better off."
        )
    return tuple(needs)


def data_development_agenda(
    framework: Framework, outcomes: Mapping[str, OutcomeData], kpis: Mapping[str, KpiStatus], as_of: date
) -> tuple[AgendaTheme, ...]:
    """Every theme with something missing, in framework order; outcomes rated `strong` are not held back."""
    themes = []
    for theme in framework.themes:
        entries = []
        linked: set[str] = set()
        for outcome in theme.outcomes:
            linked.update(outcome.kpis)
            data = outcomes.get(outcome.id)
            if data is None or data.rating == "strong":
                continue
            needs = _needs(outcome, data, kpis, as_of)
            if needs:
                entries.append(AgendaEntry(outcome.id, outcome.text, data.rating, needs))
        unlinked = tuple(
            f"The KPI “{k.name}”: {_KPI_LACKS.get(status.status, 'no values yet')}."
            for k in theme.kpis
            if k.id not in linked and (status := kpis.get(k.id)) is not None and not status.has_data
        )
        if entries or unlinked:
            themes.append(AgendaTheme(theme.id, theme.title, tuple(entries), unlinked))
    return tuple(themes)

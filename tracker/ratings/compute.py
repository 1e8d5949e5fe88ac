"""Turns rows into engine inputs and rates a whole framework in a fixed number of queries."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from sys import intern
from typing import Any

from sqlalchemy import CursorResult, String, cast, select, type_coerce
from sqlalchemy.orm import Session

from tracker.db.models import (
    Element,
    Evidence,
    EvidenceLink,
    KpiValue,
    Partner,
    RatingOverride,
)
from tracker.domain import framework as fw
from tracker.domain.engine import OverrideInput, Rating, rate_framework
from tracker.domain.evidence import EvidenceItem
from tracker.domain.kpi import KpiActual, KpiStatus, framework_kpi_statuses
from tracker.domain.text_limits import OVERRIDE_RATIONALE as RATIONALE
from tracker.events import kpi_feed
from tracker.ratings.stored import parsed_day


@dataclass(frozen=True)
class Rated:
    """What one engine run gives: each asked outcome's full rating, its KPIs and the items it weighed."""

    ratings: tuple[Rating, ...]
    kpis: tuple[KpiStatus, ...]
    evidence: Mapping[int, EvidenceItem]
    element_ids: Mapping[str, int]
    overrides: Mapping[str, RatingOverride]


# The columns the engine reads, fetched as tuples: whole entities cost a third of a national rating.
_ITEM_COLUMNS = (
    Evidence.id,
    Evidence.title,
    Evidence.source_type,
    type_coerce(Evidence.collected_on, String),  # SQLite's ISO text: `parsed_day`, once per distinct day
    Evidence.finding,
    Evidence.respondents,
    Evidence.population,
    Evidence.positive,
    Evidence.collection,
    Evidence.respondent_group,
    Evidence.independent,
    cast(Evidence.flags, String),  # text: decoded once per distinct value (`_flags`), not once per row
    Evidence.row_version,
    Evidence.quote,
    Evidence.shows,
    Evidence.kpi,
)


@lru_cache(maxsize=256)
def _flags(text: str | None) -> frozenset[str]:
    """A flags column's JSON text as a set; the few distinct values are decoded once and shared."""
    return frozenset(json.loads(text)) if text else frozenset()


def _item(row: Sequence[Any]) -> EvidenceItem:
    """An item from `_ITEM_COLUMNS`, which follow `EvidenceItem`'s fields in order (positional: faster).

    Repeated strings (source types, findings, collections, groups) are interned: a row brings its own copy
    of each, and a national rating keeps a million items. Written out flat, the row unpacked at once (not
    indexed column by column): it runs once per item.
    """
    (id_, title, source, day, finding, size, population, positive, collection, group, independent, flags,
     revision, quote, shows, kpi) = row  # fmt: skip
    return EvidenceItem(
        id_,
        title,
        intern(source),
        day if type(day) is date else parsed_day(day),
        intern(finding),
        size,
        population,
        positive,
        intern(collection),
        intern(group),
        bool(independent),
        _flags(flags),
        revision,
        quote,
        intern(shows),
        intern(kpi),
    )


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_PROBED_ELEMENTS = 8


def _driver_rows(result: CursorResult[*tuple[Any, ...]]) -> Sequence[Any]:
    """A result's rows as the driver's own tuples, fetched at once: SQLAlchemy compiled and bound the
    statement; making a `Row` of each of a national framework's 90,000 rows cost a tenth of the reading.
    Its values are the driver's, unprocessed: SQLite's booleans come as 0 or 1 (`_item` makes them bool)."""
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _accepted(framework_id: int, as_of: date) -> tuple[Any, ...]:
    """Accepted items of the framework collected by the date: what ratings weigh, if linked to an outcome."""
    return (
        Evidence.framework_id == framework_id,
        Evidence.status == "accepted",
        Evidence.collected_on <= as_of,
    )


def accepted_and_linked(framework_id: int, as_of: date, elements: Collection[int]) -> tuple[Any, ...]:
    """The filter of what ratings weigh: accepted items of the framework, collected by the date, linked to
    one of `elements` (the query joins `EvidenceLink`)."""
    chosen = list(elements)
    # For a few elements the link index on element_id finds the links; for many (a whole framework),
    # `element_id + 0` keeps the planner from probing that index once per element for every item (SQLite
    # did: 80 probes an item) and has it read each item's links and keep those wanted: a third faster.
    element = EvidenceLink.element_id if len(chosen) <= _PROBED_ELEMENTS else EvidenceLink.element_id + 0
    return (*_accepted(framework_id, as_of), element.in_(chosen))


def kpi_actuals(
    session: Session,
    framework_id: int,
    as_of: date,
    elements: Mapping[int, str] | None = None,
    *,
    framework: fw.Framework,
) -> dict[str, list[KpiActual]]:
    """Current KPI values for periods ended by the as-of date, by KPI id (only `elements`, KPI element ids
    to their ids, if given): the typed ones in one query (each with its KPI's id, joined), and those of KPIs
    with a `source:` from their events' current loads (one bulk read, only when the framework has such
    KPIs; values typed for them are not read: kpi_sources)."""
    chosen = None if elements is None else set(elements.values())
    sourced = kpi_feed.sourced_kpis(framework, chosen)
    skipped = {k.id for k in framework.kpis if k.source is not None}
    actuals: dict[str, list[KpiActual]] = {}
    session.flush()  # what the ORM's autoflush would do: the Core read below must see pending changes
    rows = _driver_rows(  # as the items: the driver's tuples (a national report reads ~3,000 values)
        session.connection().execute(
            select(
                KpiValue.period,
                type_coerce(KpiValue.period_end, String),  # SQLite's ISO text, parsed once per distinct day
                KpiValue.value,
                Element.slug,
                Partner.slug,
            )
            .join(Element, Element.id == KpiValue.element_id)
            .outerjoin(Partner, Partner.id == KpiValue.partner_id)
            .where(
                KpiValue.framework_id == framework_id,
                KpiValue.superseded_at.is_(None),
                KpiValue.period_end <= as_of,
                *(() if elements is None else (KpiValue.element_id.in_(list(elements)),)),
            )
            .order_by(KpiValue.period_end, KpiValue.id)
        )
    )
    for period, period_end, value, kpi_id, partner_slug in rows:
        if kpi_id not in skipped:
            day = period_end if type(period_end) is date else parsed_day(period_end)
            actuals.setdefault(kpi_id, []).append(KpiActual(period, day, value, partner_slug))
    if sourced:
        actuals.update(kpi_feed.sourced_actuals(session, framework_id, sourced, as_of))
    return actuals


def parse_as_of(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def rate(
    session: Session,
    framework_id: int,
    framework: fw.Framework,
    as_of: date,
    outcomes: Collection[str] | None = None,
) -> Rated:
    """The engine's ratings of every current outcome, or only of `outcomes` (only their items and KPIs are
    read): `ratings_for` is the way in, this is the one computation behind it."""
    slugs = dict(
        session.execute(select(Element.id, Element.slug).where(Element.framework_id == framework_id)).all()
    )
    ids = {v: k for k, v in slugs.items()}
    chosen = [o for o in framework.outcomes if outcomes is None or o.id in outcomes]
    chosen_ids = {o.id for o in chosen}
    kpi_ids = {k for o in chosen for k in o.kpis}
    outcome_elements = [ids[o.id] for o in chosen if o.id in ids]
    items_by_outcome: dict[str, list[EvidenceItem]] = {o.id: [] for o in chosen}
    items_by_element = {ids[o.id]: items_by_outcome[o.id] for o in chosen if o.id in ids}
    session.flush()  # what the ORM's autoflush would do: the Core reads below must see pending changes
    # Each item's row once, then the links as pairs of ids: a row per link read an item's columns once per
    # outcome it is linked to (1.65 times nationally), a third of the reading. Run on the session's
    # connection, fetched at once: the ORM's row handling cost a tenth of a national rating.
    connection = session.connection()
    rows = _driver_rows(
        connection.execute(
            select(*_ITEM_COLUMNS).where(
                *_accepted(framework_id, as_of),
                Evidence.id.in_(
                    select(EvidenceLink.evidence_id).where(EvidenceLink.element_id.in_(outcome_elements))
                ),
            )
        )
    )
    evidence = dict(zip(map(_FIRST, rows), map(_item, rows), strict=True))
    links = connection.execute(
        select(EvidenceLink.evidence_id, EvidenceLink.element_id).where(
            EvidenceLink.element_id.in_(outcome_elements)
        )
    )  # in no order: the engine orders each outcome's items itself (sorting here spilled to disk on PG)
    for element_id, element_links in groupby(_driver_rows(links), _SECOND):  # a run of links of one element
        items = items_by_element.get(element_id)
        if items is not None:  # an item not accepted, or collected after the date, is not in `evidence`
            items.extend(filter(None, map(evidence.get, map(_FIRST, element_links))))
    actuals = kpi_actuals(
        session,
        framework_id,
        as_of,
        None if outcomes is None else {ids[k]: k for k in kpi_ids if k in ids},
        framework=framework,
    )
    overrides = {
        slugs[o.element_id]: o
        for o in session.scalars(
            select(RatingOverride).where(
                RatingOverride.framework_id == framework_id,
                RatingOverride.superseded_at.is_(None),
                RatingOverride.element_id.in_(outcome_elements),
            )
        )
    }
    # An override counts only as of the day it applies from; a rationale stored before the limit existed is
    # cut to it, so no page or report grows with it.
    override_inputs = {
        outcome: OverrideInput(
            o.rating, RATIONALE.clip(o.rationale), tuple(o.evidence_ids), o.fingerprint, o.created_by
        )
        for outcome, o in overrides.items()
        if o.rating is not None and o.applies_from <= as_of
    }
    ratings = rate_framework(
        framework, items_by_outcome, actuals, as_of, framework.settings, override_inputs, chosen_ids
    )
    statuses = tuple(
        s
        for s in framework_kpi_statuses(framework, actuals, as_of, framework.settings)
        if outcomes is None or s.kpi_id in kpi_ids
    )
    return Rated(ratings, statuses, evidence, ids, overrides)

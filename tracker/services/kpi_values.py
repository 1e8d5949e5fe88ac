"""KPI actuals: entered per KPI, period and partner; a correction supersedes, never overwrites; and each KPI's
progress (baseline, target, latest value, change and status) as the KPI page shows it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.db.models import AuditEvent, Element, KpiValue, utcnow
from tracker.domain import framework as fw
from tracker.domain import text_limits
from tracker.domain.evidence_input import KpiValueFields
from tracker.domain.kpi import KpiActual, KpiStatus, framework_kpi_statuses, value_problem
from tracker.domain.kpi_sources import SourcedValue, stored_source, typed_refusal
from tracker.events import kpi_feed
from tracker.ratings import snapshots, upkeep
from tracker.services.audit import Actor, record
from tracker.services.bulk_rows import insert_rows
from tracker.services.evidence import FrameworkContext, Refused
from tracker.services.permissions import Principal, can_enter_kpi_value


class _Value(Protocol):
    """A stored value, a row read of one, or the fields of a new one: what the audit trail keeps of each."""

    @property
    def period(self) -> str: ...
    @property
    def period_end(self) -> date: ...
    @property
    def value(self) -> float: ...
    @property
    def note(self) -> str: ...


def _snapshot(value: _Value, kpi: str, partner: str) -> dict[str, object]:
    return {
        "kpi": kpi,
        "period": value.period,
        "period_end": value.period_end.isoformat(),
        "value": value.value,
        "partner": partner,
        "note": value.note,
    }


def _check_text(fields: KpiValueFields) -> None:
    """Refuse over-long text from a caller that skipped the form or the import's row checks."""
    for name, limit in text_limits.KPI_VALUE_FIELDS.items():
        text_limits.check(name, str(getattr(fields, name)), limit)


def _check_value(ctx: FrameworkContext, fields: KpiValueFields) -> None:
    """Refuse a value its KPI's unit cannot hold (a share of 150%), or one for a KPI whose value comes from
    an event, from a caller that skipped the checks."""
    refusal = sourced_refusal(ctx, fields.kpi)
    if refusal is not None:
        raise Refused(refusal)
    problem = value_problem(str(ctx.elements[fields.kpi].attrs.get("unit", "")), fields.value)
    if problem is not None:
        raise Refused(f"value {problem}")


def sourced_refusal(ctx: FrameworkContext, kpi: str) -> str | None:
    """Why no value may be typed for this KPI (it takes its value from an event), or None."""
    element = ctx.elements.get(kpi)
    source = stored_source(element.attrs) if element is not None else None
    return None if source is None else typed_refusal(kpi, source)


def save(
    session: Session, actor: Actor, p: Principal, ctx: FrameworkContext, fields: KpiValueFields
) -> KpiValue:
    """Record a value; an earlier value for the same KPI, period and partner is kept but superseded."""
    _check_text(fields)
    _check_value(ctx, fields)
    element = ctx.elements[fields.kpi]
    partner_slug, partner_id = _partner(p, ctx, fields)
    current = session.scalars(
        select(KpiValue).where(
            KpiValue.element_id == element.id,
            KpiValue.period == fields.period,
            KpiValue.partner_id.is_(None) if partner_id is None else KpiValue.partner_id == partner_id,
            KpiValue.superseded_at.is_(None),
        )
    ).all()
    before = None
    for old in current:
        before = _snapshot(old, fields.kpi, partner_slug)
        old.superseded_at = utcnow()
    value = KpiValue(
        framework_id=ctx.framework.id,
        element_id=element.id,
        period=fields.period,
        period_end=fields.period_end,
        value=fields.value,
        partner_id=partner_id,
        note=fields.note,
        created_by_id=actor.user_id,
    )
    session.add(value)
    session.flush()
    upkeep.inputs_changed(session, ctx.framework.id, [element.id])
    record(
        session,
        actor,
        "kpi_value.save",
        object_type="kpi_value",
        object_id=value.id,
        framework_id=ctx.framework.id,
        before=before,
        after=_snapshot(value, fields.kpi, partner_slug),
    )
    return value


def _partner(p: Principal, ctx: FrameworkContext, fields: KpiValueFields) -> tuple[str, int | None]:
    """Whose value it is (a lead's per-partner value is its own partner's); refused if not allowed."""
    partner_slug = fields.partner
    if p.role == "lead" and ctx.elements[fields.kpi].attrs.get("per_partner"):
        partner_slug = ctx.partner_slug(p.partner_id)
    partner_id = ctx.partners[partner_slug].id if partner_slug else None
    if not can_enter_kpi_value(p, ctx.partner_ids, partner_id):
        raise Refused("you may not give values for this KPI and partner")
    return partner_slug, partner_id


def save_many(
    session: Session, actor: Actor, p: Principal, ctx: FrameworkContext, items: Sequence[KpiValueFields]
) -> list[int]:
    """What `save` writes for each value, in a few bulk statements; refused before anything is written.

    Each (KPI, period, partner) may appear once in `items`. Returns the new ids in the order of `items`.
    """
    for fields in items:
        _check_text(fields)
        _check_value(ctx, fields)
    whose = [_partner(p, ctx, fields) for fields in items]
    if not items:
        return []
    current: dict[tuple[int, str, int | None], list[_Row]] = {}
    for row in session.execute(
        select(
            KpiValue.id,
            KpiValue.element_id,
            KpiValue.period,
            KpiValue.period_end,
            KpiValue.value,
            KpiValue.partner_id,
            KpiValue.note,
        )
        .where(KpiValue.framework_id == ctx.framework.id, KpiValue.superseded_at.is_(None))
        .order_by(KpiValue.id)
    ):
        current.setdefault((row.element_id, row.period, row.partner_id), []).append(
            _Row(row.id, row.period, row.period_end, row.value, row.note)
        )
    olds = [
        current.get((ctx.elements[fields.kpi].id, fields.period, partner_id), [])
        for fields, (_slug, partner_id) in zip(items, whose, strict=True)
    ]
    now = utcnow()
    superseded = [old.id for rows in olds for old in rows]
    for start in range(0, len(superseded), 1000):
        session.execute(
            update(KpiValue)
            .where(KpiValue.id.in_(superseded[start : start + 1000]))
            .values(superseded_at=now, row_version=KpiValue.row_version + 1)
        )
    ids = insert_rows(
        session,
        KpiValue,
        [
            {
                "framework_id": ctx.framework.id,
                "element_id": ctx.elements[fields.kpi].id,
                "period": fields.period,
                "period_end": fields.period_end,
                "value": fields.value,
                "partner_id": partner_id,
                "note": fields.note,
                "created_by_id": actor.user_id,
                "created_at": now,
                "row_version": 1,
            }
            for fields, (_slug, partner_id) in zip(items, whose, strict=True)
        ],
        ids=True,
    )
    upkeep.inputs_changed(session, ctx.framework.id, {ctx.elements[fields.kpi].id for fields in items})
    insert_rows(
        session,
        AuditEvent,
        [
            {
                "at": now,
                "actor_id": actor.user_id,
                "actor": actor.label,
                "role": actor.role,
                "action": "kpi_value.save",
                "object_type": "kpi_value",
                "object_id": str(value_id),
                "framework_id": ctx.framework.id,
                "before": _snapshot(old[-1], fields.kpi, slug) if old else None,
                "after": _snapshot(fields, fields.kpi, slug),
                "detail": "",
                "remote_addr": actor.remote_addr,
            }
            for value_id, fields, (slug, _id), old in zip(ids, items, whose, olds, strict=True)
        ],
    )
    return ids


@dataclass(frozen=True)
class _Row:
    id: int
    period: str
    period_end: date
    value: float
    note: str


@dataclass(frozen=True)
class KpiRow:
    element: Element
    values: list[KpiValue]


def current_values(session: Session, ctx: FrameworkContext) -> list[KpiRow]:
    """Each current KPI with its values in period order, in two queries."""
    kpis = sorted(
        (e for e in ctx.elements.values() if e.kind == "kpi" and e.archived_at is None),
        key=lambda e: e.position,
    )
    values = session.scalars(
        select(KpiValue)
        .where(KpiValue.framework_id == ctx.framework.id, KpiValue.superseded_at.is_(None))
        .order_by(KpiValue.period_end, KpiValue.id)
    ).all()
    by_element: dict[int, list[KpiValue]] = {}
    for value in values:
        by_element.setdefault(value.element_id, []).append(value)
    return [KpiRow(k, by_element.get(k.id, [])) for k in kpis]


@dataclass(frozen=True)
class Gap:
    kpi: Element
    period: str
    missing: list[str]


def completeness(rows: list[KpiRow], ctx: FrameworkContext) -> tuple[list[str], list[Gap]]:
    """For each per-partner KPI and each period any partner reported, the partners that have not."""
    periods = sorted({v.period for row in rows for v in row.values})
    names = {p.id: p.name for p in ctx.partners.values()}
    gaps = []
    for row in rows:
        if not row.element.attrs.get("per_partner"):
            continue
        for period in sorted({v.period for v in row.values}) or periods:
            given = {v.partner_id for v in row.values if v.period == period}
            missing = [name for pid, name in names.items() if pid not in given]
            if missing:
                gaps.append(Gap(row.element, period, sorted(missing)))
    return periods, gaps


@dataclass(frozen=True)
class KpiProgress:
    """One KPI as the progress view shows it: its definition (for the target) and its status."""

    definition: fw.Kpi
    status: KpiStatus


@dataclass(frozen=True)
class Progress:
    """Every current KPI's progress as of a date (the framework's own, or today), and where the values of
    KPIs with a `source:` come from (by KPI id)."""

    as_of: date
    kpis: tuple[KpiProgress, ...]
    sources: Mapping[str, SourcedValue] = field(default_factory=dict)


def progress(
    session: Session, ctx: FrameworkContext, rows: Sequence[KpiRow], as_of: date | None = None
) -> Progress | None:
    """Each KPI's status from the values already read (`current_values`), judged as the ratings judge it."""
    found = snapshots.head(session, ctx.framework.slug, as_of)
    if found is None:
        return None
    slugs = {partner.id: slug for slug, partner in ctx.partners.items()}
    framework = found.framework
    current = {row.element.slug for row in rows}
    sourced = kpi_feed.sourced_kpis(framework, current)
    actuals = {
        row.element.slug: [
            KpiActual(
                v.period,
                v.period_end,
                v.value,
                None if v.partner_id is None else slugs.get(v.partner_id, str(v.partner_id)),
            )
            for v in row.values
        ]
        for row in rows
    }
    sources = kpi_feed.sourced_values(session, ctx.framework.id, sourced)
    for kpi, value in sources.items():  # as the ratings read them (compute.kpi_actuals): the event's only
        actual = value.actual(found.as_of)
        actuals[kpi] = [actual] if actual is not None else []
    definitions = {k.id: k for k in framework.kpis}
    statuses = framework_kpi_statuses(framework, actuals, found.as_of, framework.settings)
    return Progress(
        found.as_of,
        tuple(KpiProgress(definitions[s.kpi_id], s) for s in statuses if s.kpi_id in current),
        sources,
    )

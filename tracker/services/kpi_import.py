"""A KPI values CSV file: checked row by row without the database, then written in one short transaction."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import KpiValue
from tracker.domain.evidence_input import KPI_COLUMNS, KPI_REQUIRED, KpiValueFields, parse_kpi_value
from tracker.domain.problems import ProblemLog
from tracker.services import kpi_values
from tracker.services.audit import Actor, record
from tracker.services.evidence import FrameworkContext, Refused
from tracker.services.import_rows import CheckedFile, ImportResult, ImportScope, read_rows
from tracker.services.permissions import Principal


def check(scope: ImportScope, p: Principal, raw: bytes) -> CheckedFile[KpiValueFields]:
    """Every row checked; a lead's row naming another partner of the framework is refused outright."""
    problems = ProblemLog()
    rows = read_rows(raw, KPI_COLUMNS, KPI_REQUIRED, problems)
    partners = set(scope.partners)
    checked: list[tuple[int, KpiValueFields]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, values in rows:
        named = (values.get("partner") or "").strip()
        if p.role == "lead" and named in partners and named != scope.own_partner:
            raise Refused(f"row {number} names the partner '{named}': you may import your own partner's only")
        fields, found = parse_kpi_value(values, scope.kpis, partners, scope.kpi_units)
        for name, message in found:
            problems.add(number, f"{name} {message}")
        if fields is None:
            continue
        if fields.kpi in scope.sourced_kpis:  # never typed twice: its value comes from an event
            problems.add(number, scope.sourced_kpis[fields.kpi])
            continue
        if p.role == "lead" and fields.kpi in scope.per_partner_kpis:
            fields = replace(fields, partner=scope.own_partner)  # as `kpi_values.save` stores it
        key = (fields.kpi, fields.period, fields.partner)
        if key in seen:
            problems.add(number, f"repeats row {seen[key]} (same KPI, period and partner)")
        seen[key] = number
        if not problems:  # once the file is refused, its good rows are not kept
            checked.append((number, fields))
    return CheckedFile(scope, checked if not problems else [], problems)


def write(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    rows: list[tuple[int, KpiValueFields]],
) -> ImportResult:
    """Values equal to the current ones are skipped; the rest supersede them in bulk, audited."""
    current = {
        (element_id, period, partner_id): (value, period_end, note)
        for element_id, period, partner_id, value, period_end, note in session.execute(
            select(
                KpiValue.element_id,
                KpiValue.period,
                KpiValue.partner_id,
                KpiValue.value,
                KpiValue.period_end,
                KpiValue.note,
            )
            .where(KpiValue.framework_id == ctx.framework.id, KpiValue.superseded_at.is_(None))
            .order_by(KpiValue.id)
        )
    }
    changed: list[KpiValueFields] = []
    for _number, fields in rows:
        partner_id = ctx.partners[fields.partner].id if fields.partner else None
        old = current.get((ctx.elements[fields.kpi].id, fields.period, partner_id))
        if old != (fields.value, fields.period_end, fields.note):
            changed.append(fields)
    kpi_values.save_many(session, actor, p, ctx, changed)
    skipped = len(rows) - len(changed)
    record(
        session,
        actor,
        "kpi_value.import",
        object_type="framework",
        object_id=ctx.framework.slug,
        framework_id=ctx.framework.id,
        after={"added": len(changed), "skipped": skipped},
    )
    return ImportResult(added=len(changed), skipped=skipped)

"""CSV import of evidence and KPI values: every row is checked first; any bad row means nothing is written."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Evidence, EvidenceLink, KpiValue
from tracker.domain.evidence_input import (
    EVIDENCE_COLUMNS,
    EVIDENCE_REQUIRED,
    KPI_COLUMNS,
    KPI_REQUIRED,
    EvidenceFields,
    KpiValueFields,
    parse_evidence,
    parse_kpi_value,
)
from tracker.services import evidence as evidence_service
from tracker.services import kpi_values
from tracker.services.audit import Actor, record
from tracker.services.evidence import FrameworkContext
from tracker.services.permissions import Principal

MAX_CSV_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def located(self, name: str) -> str:
        return f"{name}:{self.row}: {self.message}"


@dataclass
class ImportResult:
    problems: list[RowProblem] = field(default_factory=list)
    added: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def read_rows(
    raw: bytes, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem]]:
    """Rows numbered as a spreadsheet shows them (the header is row 1), or the problems that stop reading."""
    if len(raw) > MAX_CSV_BYTES:
        return [], [RowProblem(1, f"the file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return [], [RowProblem(line, "the file is not UTF-8 text (save it as CSV UTF-8)")]
    if "\x00" in text:
        return [], [RowProblem(1, "the file holds NUL bytes: it is not a CSV file")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], [RowProblem(1, "the file is empty")]
    except csv.Error as error:
        return [], [RowProblem(1, f"cannot be read as CSV: {error}")]
    problems = [
        RowProblem(1, f"unknown column '{h[:40]}'; the columns are: {', '.join(columns)}")
        for h in header
        if h not in columns
    ]
    problems += [RowProblem(1, f"the column '{name}' is missing") for name in required if name not in header]
    if len(set(header)) != len(header):
        problems.append(RowProblem(1, "a column name appears twice"))
    if problems:
        return [], problems
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, record_ in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record_):
                continue
            if len(record_) > len(header):
                problems.append(
                    RowProblem(number, f"has {len(record_)} cells but the header has {len(header)}")
                )
                continue
            rows.append(
                (number, dict(zip(header, record_ + [""] * (len(header) - len(record_)), strict=True)))
            )
            if len(rows) > MAX_ROWS:
                return [], [RowProblem(number, f"more than {MAX_ROWS:,} rows; split the file")]
    except csv.Error as error:
        problems.append(RowProblem(len(rows) + 2, f"cannot be read as CSV: {error}"))
    return rows, problems


def _evidence_key(fields: EvidenceFields) -> tuple[object, ...]:
    return (
        fields.title,
        fields.collected_on,
        fields.source_type,
        fields.finding,
        tuple(sorted(fields.links)),
    )


def import_evidence(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    raw: bytes,
    today: date,
    reviewed_at: datetime | None = None,
) -> ImportResult:
    """All rows or none; `reviewed_at` dates the acceptance (the demo's evidence was reviewed in 2020)."""
    result = ImportResult()
    rows, result.problems = read_rows(raw, EVIDENCE_COLUMNS, EVIDENCE_REQUIRED)
    parsed: list[tuple[int, EvidenceFields]] = []
    own_partner = ctx.partner_slug(p.partner_id) if p.role == "lead" else ""
    for number, values in rows:
        fields, problems = parse_evidence(values, ctx.linkable, set(ctx.partners), today)
        for name, message in problems:
            result.problems.append(RowProblem(number, f"{name} {message}"))
        if fields is None:
            continue
        if p.role == "lead" and fields.status == "accepted":
            result.problems.append(
                RowProblem(number, "status accepted: only an evaluator can accept evidence")
            )
        if p.role == "lead" and fields.partner not in ("", own_partner):
            result.problems.append(RowProblem(number, f"partner '{fields.partner}' is not your partner"))
        parsed.append((number, fields))
    if result.problems:
        result.problems.sort(key=lambda problem: problem.row)
        return result
    existing = _existing_evidence_keys(session, ctx)
    for _number, fields in parsed:
        key = _evidence_key(fields)
        if key in existing:
            result.skipped += 1
            continue
        existing.add(key)
        item = evidence_service.create(session, actor, p, ctx, fields, status=fields.status)
        if reviewed_at is not None and item.status == "accepted":
            item.accepted_at = item.reviewed_at = reviewed_at
        result.added += 1
    record(
        session,
        actor,
        "evidence.import",
        object_type="framework",
        object_id=ctx.framework.slug,
        framework_id=ctx.framework.id,
        after={"added": result.added, "skipped": result.skipped},
    )
    return result


def _existing_evidence_keys(session: Session, ctx: FrameworkContext) -> set[tuple[object, ...]]:
    slugs = {e.id: slug for slug, e in ctx.elements.items()}
    links: dict[int, list[str]] = {}
    for evidence_id, element_id in session.execute(
        select(EvidenceLink.evidence_id, EvidenceLink.element_id)
        .join(Evidence, Evidence.id == EvidenceLink.evidence_id)
        .where(Evidence.framework_id == ctx.framework.id)
    ):
        links.setdefault(evidence_id, []).append(slugs.get(element_id, ""))
    return {
        (e.title, e.collected_on, e.source_type, e.finding, tuple(sorted(links.get(e.id, []))))
        for e in session.scalars(select(Evidence).where(Evidence.framework_id == ctx.framework.id))
    }


def import_kpi_values(
    session: Session, actor: Actor, p: Principal, ctx: FrameworkContext, raw: bytes
) -> ImportResult:
    result = ImportResult()
    rows, result.problems = read_rows(raw, KPI_COLUMNS, KPI_REQUIRED)
    kpis = {e.slug for e in ctx.elements.values() if e.kind == "kpi" and e.archived_at is None}
    parsed: list[tuple[int, KpiValueFields]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, values in rows:
        fields, problems = parse_kpi_value(values, kpis, set(ctx.partners))
        result.problems += [RowProblem(number, f"{name} {message}") for name, message in problems]
        if fields is None:
            continue
        key = (fields.kpi, fields.period, fields.partner)
        if key in seen:
            result.problems.append(
                RowProblem(number, f"repeats row {seen[key]} (same KPI, period and partner)")
            )
        seen[key] = number
        parsed.append((number, fields))
    if result.problems:
        result.problems.sort(key=lambda problem: problem.row)
        return result
    current = {
        (v.element_id, v.period, v.partner_id): v
        for v in session.scalars(
            select(KpiValue).where(
                KpiValue.framework_id == ctx.framework.id, KpiValue.superseded_at.is_(None)
            )
        )
    }
    for _number, fields in parsed:
        partner_id = ctx.partners[fields.partner].id if fields.partner else None
        old = current.get((ctx.elements[fields.kpi].id, fields.period, partner_id))
        if old is not None and (old.value, old.period_end, old.note) == (
            fields.value,
            fields.period_end,
            fields.note,
        ):
            result.skipped += 1
            continue
        kpi_values.save(session, actor, p, ctx, fields)
        result.added += 1
    record(
        session,
        actor,
        "kpi_value.import",
        object_type="framework",
        object_id=ctx.framework.slug,
        framework_id=ctx.framework.id,
        after={"added": result.added, "skipped": result.skipped},
    )
    return result

"""CSV import of evidence and KPI values: every row is checked first; any bad row means nothing is written.

Checking needs no database (a 50,000-row file takes seconds of CPU), so callers read the framework, let go
of their transaction, check, then write what was checked in one short transaction of bulk statements: other
users' writes wait for that short write only. `import_evidence` and `import_kpi_values` do both at once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from tracker.domain.evidence_input import EvidenceFields, KpiValueFields
from tracker.domain.problems import ProblemLog
from tracker.services import evidence_import, kpi_import
from tracker.services.audit import Actor
from tracker.services.evidence import FrameworkContext, Refused, framework_context
from tracker.services.import_rows import (
    MAX_CSV_BYTES,
    MAX_ROWS,
    CheckedFile,
    ImportResult,
    ImportScope,
    read_rows,
)
from tracker.services.permissions import Principal, can_import_into

__all__ = [
    "MAX_CSV_BYTES",
    "MAX_ROWS",
    "CheckedFile",
    "ImportResult",
    "ImportScope",
    "check_evidence",
    "check_kpi_values",
    "import_evidence",
    "import_kpi_values",
    "read_rows",
    "write_evidence",
    "write_kpi_values",
]


def _require_member(p: Principal, scope: ImportScope) -> None:
    if not can_import_into(p, scope.partner_ids):
        raise Refused(f"you may not import into the framework '{scope.slug}'")


def check_evidence(scope: ImportScope, p: Principal, raw: bytes, today: date) -> CheckedFile[EvidenceFields]:
    """Check an evidence file without the database; raises Refused if this user may not import it."""
    _require_member(p, scope)
    return evidence_import.check(scope, p, raw, today)


def check_kpi_values(scope: ImportScope, p: Principal, raw: bytes) -> CheckedFile[KpiValueFields]:
    """Check a KPI values file without the database; raises Refused if this user may not import it."""
    _require_member(p, scope)
    return kpi_import.check(scope, p, raw)


def _current(session: Session, p: Principal, checked: ImportScope) -> FrameworkContext | ImportResult:
    """The framework read again in the writing transaction, or a problem if it changed since the check."""
    ctx = framework_context(session, checked.slug)
    if ctx is None:
        return _changed()
    scope = ImportScope.of(ctx, p)
    _require_member(p, scope)
    return ctx if scope == checked else _changed()


def _changed() -> ImportResult:
    problems = ProblemLog()
    problems.add(1, "the framework changed while the file was being checked; upload it again")
    return ImportResult.failed(problems)


def write_evidence(
    session: Session,
    actor: Actor,
    p: Principal,
    checked: CheckedFile[EvidenceFields],
    reviewed_at: datetime | None = None,
) -> ImportResult:
    """Write a checked file; `reviewed_at` dates the acceptance (the demo's evidence was reviewed in 2020)."""
    if not checked.ok:
        return ImportResult.failed(checked.problems)
    ctx = _current(session, p, checked.scope)
    if isinstance(ctx, ImportResult):
        return ctx
    return evidence_import.write(session, actor, p, ctx, checked.rows, reviewed_at)


def write_kpi_values(
    session: Session, actor: Actor, p: Principal, checked: CheckedFile[KpiValueFields]
) -> ImportResult:
    """Write a checked file: values equal to the current ones are skipped."""
    if not checked.ok:
        return ImportResult.failed(checked.problems)
    ctx = _current(session, p, checked.scope)
    if isinstance(ctx, ImportResult):
        return ctx
    return kpi_import.write(session, actor, p, ctx, checked.rows)


def import_evidence(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    raw: bytes,
    today: date,
    reviewed_at: datetime | None = None,
) -> ImportResult:
    """Check and write in one session (the demo loader); all rows or none."""
    checked = check_evidence(ImportScope.of(ctx, p), p, raw, today)
    return write_evidence(session, actor, p, checked, reviewed_at)


def import_kpi_values(
    session: Session, actor: Actor, p: Principal, ctx: FrameworkContext, raw: bytes
) -> ImportResult:
    """Check and write in one session (the demo loader); all rows or none."""
    checked = check_kpi_values(ImportScope.of(ctx, p), p, raw)
    return write_kpi_values(session, actor, p, checked)

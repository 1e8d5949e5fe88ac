"""An evidence CSV file: checked row by row without the database, then written in one short transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Evidence, EvidenceLink
from tracker.domain.evidence_input import EVIDENCE_COLUMNS, EVIDENCE_REQUIRED, EvidenceFields, parse_evidence
from tracker.domain.problems import ProblemLog
from tracker.services.audit import Actor, record
from tracker.services.evidence import FrameworkContext, Refused
from tracker.services.evidence_bulk import create_many
from tracker.services.import_rows import CheckedFile, ImportResult, ImportScope, read_rows
from tracker.services.permissions import Principal, evidence_visible

Key = tuple[object, ...]


def check(scope: ImportScope, p: Principal, raw: bytes, today: date) -> CheckedFile[EvidenceFields]:
    """Every row checked; a lead's row naming another partner of the framework is refused outright."""
    problems = ProblemLog()
    rows = read_rows(raw, EVIDENCE_COLUMNS, EVIDENCE_REQUIRED, problems)
    partners = set(scope.partners)
    checked: list[tuple[int, EvidenceFields]] = []
    for number, values in rows:
        named = (values.get("partner") or "").strip()
        if p.role == "lead" and named in partners and named != scope.own_partner:
            raise Refused(f"row {number} names the partner '{named}': you may import your own partner's only")
        fields, found = parse_evidence(values, scope.linkable, partners, today)
        for name, message in found:
            problems.add(number, f"{name} {message}")
        if fields is None:
            continue
        if p.role == "lead" and fields.status == "accepted":
            problems.add(number, "status accepted: only an evaluator can accept evidence")
        if not problems:  # once the file is refused, its good rows are not kept
            checked.append((number, fields))
    return CheckedFile(scope, checked if not problems else [], problems)


def write(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    rows: list[tuple[int, EvidenceFields]],
    reviewed_at: datetime | None,
) -> ImportResult:
    """Rows identical to an item the importer can see are skipped; the rest are added in bulk, audited."""
    existing = _existing_keys(session, ctx, p)
    new: list[EvidenceFields] = []
    skipped = 0
    for _number, fields in rows:
        key = _key(fields)
        if key in existing:
            skipped += 1
            continue
        existing.add(key)
        new.append(fields)
    create_many(session, actor, p, ctx, new, reviewed_at=reviewed_at)
    record(
        session,
        actor,
        "evidence.import",
        object_type="framework",
        object_id=ctx.framework.slug,
        framework_id=ctx.framework.id,
        after={"added": len(new), "skipped": skipped},
    )
    return ImportResult(added=len(new), skipped=skipped)


def _key(fields: EvidenceFields) -> Key:
    links = tuple(sorted(fields.links))
    return (fields.title, fields.collected_on, fields.source_type, fields.finding, links)


def _existing_keys(session: Session, ctx: FrameworkContext, p: Principal) -> set[Key]:
    """Keys of the items the importer may see: other partners' items must not change what an import says."""
    visible = (Evidence.framework_id == ctx.framework.id, evidence_visible(p))
    slugs = {e.id: slug for slug, e in ctx.elements.items()}
    links: dict[int, list[str]] = {}
    for evidence_id, element_id in session.execute(
        select(EvidenceLink.evidence_id, EvidenceLink.element_id)
        .join(Evidence, Evidence.id == EvidenceLink.evidence_id)
        .where(*visible)
    ):
        links.setdefault(evidence_id, []).append(slugs.get(element_id, ""))
    return {
        (title, collected_on, source_type, finding, tuple(sorted(links.get(evidence_id, []))))
        for evidence_id, title, collected_on, source_type, finding in session.execute(
            select(
                Evidence.id, Evidence.title, Evidence.collected_on, Evidence.source_type, Evidence.finding
            ).where(*visible)
        )
    }

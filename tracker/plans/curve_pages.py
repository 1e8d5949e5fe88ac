"""What the KPI page, the turn-the-curve form and the report need beside each KPI's chart: its current note
with the evidence it names, and the action plans that target it (its proposed actions), in a few queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db.models import CurveNote, Evidence, EvidenceLink, Framework
from tracker.domain.framework import Framework as DomainFramework
from tracker.plans.curve import ShownNote, current_notes, save_curve_note
from tracker.plans.reading import ShownPlan, plans_of
from tracker.plans.targets import domain_framework, framework_partner_ids
from tracker.services.audit import Actor
from tracker.services.evidence import EditConflict, Refused
from tracker.services.permissions import Principal, can_import_into

LINKED_SHOWN = 20  # the form lists this many of the KPI's accepted items, newest first, as a reminder


@dataclass(frozen=True)
class EvidenceRef:
    """An evidence item a note names, as a link shows it; `accepted` is False once it no longer is."""

    id: int
    title: str
    accepted: bool = True


@dataclass(frozen=True)
class KpiCurve:
    """A KPI's turn-the-curve answers: its current note (or none yet) and the plans that target it."""

    kpi: str
    note: ShownNote | None
    evidence: tuple[EvidenceRef, ...]  # the note's items in order; ones gone are left out
    plans: tuple[ShownPlan, ...]  # open ones first, red before amber before green (reading.plans_of)


def evidence_refs(session: Session, framework_id: int, ids: Collection[int]) -> dict[int, EvidenceRef]:
    """The framework's items among `ids`, each with its title and whether it is still accepted."""
    if not ids:
        return {}
    rows = session.execute(
        select(Evidence.id, Evidence.title, Evidence.status).where(
            Evidence.id.in_(sorted(set(ids))), Evidence.framework_id == framework_id
        )
    )
    return {i: EvidenceRef(i, title, status == "accepted") for i, title, status in rows}


def kpi_curves(
    session: Session,
    framework: Framework,
    f: DomainFramework | None = None,
    shown: Sequence[ShownPlan] | None = None,
) -> dict[str, KpiCurve]:
    """Every KPI that has a note or a plan, by KPI id (`shown`: the framework's plans, when already read)."""
    notes = current_notes(session, framework)
    if shown is None:
        shown = plans_of(session, framework, f or domain_framework(session, framework))
    plans: dict[str, list[ShownPlan]] = {}
    for plan in shown:
        if plan.target_kind == "kpi":
            plans.setdefault(plan.target_id, []).append(plan)
    refs = evidence_refs(session, framework.id, {i for n in notes.values() for i in n.evidence_ids})
    return {
        kpi: KpiCurve(
            kpi,
            notes.get(kpi),
            tuple(refs[i] for i in (notes[kpi].evidence_ids if kpi in notes else ()) if i in refs),
            tuple(plans.get(kpi, ())),
        )
        for kpi in sorted(set(notes) | set(plans))
    }


def report_curves(
    session: Session,
    framework_id: str,
    f: DomainFramework | None = None,
    plans: Sequence[ShownPlan] | None = None,
    *,
    row: Framework | None = None,
) -> dict[str, KpiCurve]:
    """`kpi_curves` for the report's callers, which know the framework by its id (and have it parsed, its
    plans read for the report's action plan section and, the report, its row: not read twice)."""
    framework = row or session.scalars(select(Framework).where(Framework.slug == framework_id)).one_or_none()
    return {} if framework is None else kpi_curves(session, framework, f, plans)


def linked_evidence(session: Session, framework: Framework, element_id: int) -> list[EvidenceRef]:
    """The newest accepted items linked to the KPI: what the form offers as evidence of what works."""
    rows = session.execute(
        select(Evidence.id, Evidence.title)
        .join(EvidenceLink, EvidenceLink.evidence_id == Evidence.id)
        .where(
            EvidenceLink.element_id == element_id,
            Evidence.framework_id == framework.id,
            Evidence.status == "accepted",
        )
        .order_by(Evidence.collected_on.desc(), Evidence.id.desc())
        .limit(LINKED_SHOWN)
    )
    return [EvidenceRef(i, title) for i, title in rows]


def current_version(session: Session, framework: Framework, kpi: str) -> int:
    """The number of the KPI's newest note (0 before the first)."""
    return (
        session.scalar(
            select(func.max(CurveNote.number)).where(
                CurveNote.framework_id == framework.id, CurveNote.kpi == kpi
            )
        )
        or 0
    )


def save_version(
    session: Session,
    actor: Actor,
    p: Principal,
    framework: Framework,
    kpi: str,
    seen_version: int,
    *,
    story: str,
    partners: str,
    what_works: str,
    evidence_ids: Collection[int] = (),
    source: str = "",
) -> CurveNote:
    """A new version of the note, unless someone saved one after this user opened the form (EditConflict)."""
    newest = current_version(session, framework, kpi)
    if newest != seen_version:
        if not can_import_into(p, framework_partner_ids(session, framework.id)):
            raise Refused("only admins and the leads of this framework's partners write turn-the-curve notes")
        raise EditConflict(
            f"this note was saved again (version {newest}) after you opened "
            + (f"version {seen_version}" if seen_version else "the form")
            + ": your text was not saved; it is still in the form, and the newer version is shown above it"
        )
    return save_curve_note(
        session,
        actor,
        p,
        framework,
        kpi,
        story=story,
        partners=partners,
        what_works=what_works,
        evidence_ids=tuple(evidence_ids),
        source=source,
    )

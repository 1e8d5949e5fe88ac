"""Turn-the-curve notes (issue 20): for a KPI, the story behind the curve, the partners with a role to play
and what works, saved as a new version each time (the newest is current; none is changed or deleted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db.models import CurveNote, Evidence, Framework
from tracker.domain.action_plans import FieldProblem
from tracker.plans.service import PlanInvalid
from tracker.plans.targets import framework_partner_ids, plan_targets
from tracker.services.audit import Actor, record
from tracker.services.evidence import Refused
from tracker.services.permissions import Principal, can_import_into

NOTE_LIMIT = 4000
FIELDS = ("story", "partners", "what_works")


@dataclass(frozen=True)
class ShownNote:
    """A KPI's current turn-the-curve note as pages and the report show it."""

    kpi: str
    version: int
    story: str
    partners: str
    what_works: str
    evidence_ids: tuple[int, ...]
    source: str
    saved_by: str
    saved_at: datetime


def _shown(note: CurveNote) -> ShownNote:
    return ShownNote(
        note.kpi,
        note.number,
        note.story,
        note.partners,
        note.what_works,
        tuple(note.evidence_ids),
        note.source,
        note.saved_by,
        note.saved_at,
    )


def save_curve_note(
    session: Session,
    actor: Actor,
    p: Principal,
    framework: Framework,
    kpi: str,
    *,
    story: str,
    partners: str,
    what_works: str,
    evidence_ids: Sequence[int] = (),
    source: str = "",
) -> CurveNote:
    """A new version of the KPI's note; leads of the framework's partners and admins write them."""
    if not can_import_into(p, framework_partner_ids(session, framework.id)):
        raise Refused("only admins and the leads of this framework's partners write turn-the-curve notes")
    problems: list[FieldProblem] = []
    if kpi not in plan_targets(session, framework).kpis:
        problems.append(FieldProblem("kpi", f"this framework has no KPI '{kpi}'"))
    values = {"story": story.strip(), "partners": partners.strip(), "what_works": what_works.strip()}
    for name, text in values.items():
        if len(text) > NOTE_LIMIT:
            problems.append(FieldProblem(name, f"at most {NOTE_LIMIT:,} characters (this has {len(text):,})"))
    if not any(values.values()):
        problems.append(FieldProblem("story", "write the story behind the curve (or another of the answers)"))
    ids = sorted(set(evidence_ids))
    if ids:
        known = set(
            session.scalars(
                select(Evidence.id).where(
                    Evidence.id.in_(ids), Evidence.framework_id == framework.id, Evidence.status == "accepted"
                )
            )
        )
        unknown = [i for i in ids if i not in known]
        if unknown:
            problems.append(
                FieldProblem(
                    "evidence_ids",
                    "no accepted evidence item of this framework has the number "
                    + ", ".join(map(str, unknown)),
                )
            )
    if problems:
        raise PlanInvalid(tuple(problems))
    number = (
        session.scalar(
            select(func.max(CurveNote.number)).where(
                CurveNote.framework_id == framework.id, CurveNote.kpi == kpi
            )
        )
        or 0
    ) + 1
    note = CurveNote(
        framework_id=framework.id,
        kpi=kpi,
        number=number,
        evidence_ids=ids,
        source=source.strip(),
        saved_by_id=p.user_id,
        saved_by=actor.label,
        **values,
    )
    session.add(note)
    session.flush()
    record(
        session,
        actor,
        "curve_note.save",
        object_type="kpi",
        object_id=kpi,
        framework_id=framework.id,
        after={**values, "evidence_ids": ids, "version": number},
    )
    return note


def current_notes(session: Session, framework: Framework) -> dict[str, ShownNote]:
    """Each KPI's newest note, in one query."""
    newest = (
        select(CurveNote.kpi, func.max(CurveNote.number).label("number"))
        .where(CurveNote.framework_id == framework.id)
        .group_by(CurveNote.kpi)
        .subquery()
    )
    notes = session.scalars(
        select(CurveNote)
        .join(
            newest,
            (CurveNote.kpi == newest.c.kpi) & (CurveNote.number == newest.c.number),
        )
        .where(CurveNote.framework_id == framework.id)
    )
    return {n.kpi: _shown(n) for n in notes}


def note_history(session: Session, framework: Framework, kpi: str) -> list[ShownNote]:
    """Every version of a KPI's note, newest first."""
    notes = session.scalars(
        select(CurveNote)
        .where(CurveNote.framework_id == framework.id, CurveNote.kpi == kpi)
        .order_by(CurveNote.number.desc())
    )
    return [_shown(n) for n in notes]

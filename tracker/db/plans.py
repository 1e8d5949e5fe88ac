"""Action plans and turn-the-curve notes (issue 20): every save is a new revision, none is changed or deleted.

A plan's row holds what lists filter and sort on (its target, status, priority, current revision); the
plan's whole content is in `action_plan_revision.body`, one row a save, so its history is complete. A
turn-the-curve note is one row a save too: the newest for a KPI is the current one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base, utcnow


class ActionPlan(Base):
    """A plan for one target (an outcome, a KPI or a survey standard), numbered 1, 2, ... in its framework."""

    __tablename__ = "action_plan"
    __table_args__ = (
        UniqueConstraint("framework_id", "number"),
        Index("ix_action_plan_target", "framework_id", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    number: Mapped[int]
    target_kind: Mapped[str] = mapped_column(String(16))  # outcome, kpi, standard
    target_id: Mapped[str] = mapped_column(String(200))  # a standard is "<survey id>/<section id>"
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner.id")
    )  # whose plan; None: the framework's
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    starts_on: Mapped[date]
    revision: Mapped[int] = mapped_column(default=1)  # the number of the current revision
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}


class ActionPlanRevision(Base):
    """One save of a plan: its whole content as `tracker.domain.action_plans.PlanContent.as_dict` gives it."""

    __tablename__ = "action_plan_revision"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id"))
    number: Mapped[int]
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")  # what the save changed, in words
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    saved_by: Mapped[str] = mapped_column(String(320), default="")
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionPlanComment(Base):
    """An evaluator's (or admin's) comment on a plan, on the revision it was read at."""

    __tablename__ = "action_plan_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id"), index=True)
    revision: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CurveNote(Base):
    """One save of a KPI's turn-the-curve answers; the newest `number` for the KPI is the current one."""

    __tablename__ = "kpi_curve_note"
    __table_args__ = (UniqueConstraint("framework_id", "kpi", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    kpi: Mapped[str] = mapped_column(String(64))
    number: Mapped[int]
    story: Mapped[str] = mapped_column(Text, default="")  # the story behind the curve
    partners: Mapped[str] = mapped_column(Text, default="")  # partners with a role to play
    what_works: Mapped[str] = mapped_column(Text, default="")
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # what works, as evidence items
    source: Mapped[str] = mapped_column(
        Text, default=""
    )  # where the words come from (the demo cites its seed)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    saved_by: Mapped[str] = mapped_column(String(320), default="")
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

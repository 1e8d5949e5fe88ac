"""Evidence items, their links to framework elements, attachments, and KPI values."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db.base import Base, utcnow


class Evidence(Base):
    """One piece of evidence as the CSV contract describes it; `row_version` guards concurrent edits."""

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_framework_status_collected", "framework_id", "status", "collected_on"),
        # The evidence list's order (newest first) across several statuses, without sorting the framework.
        Index("ix_evidence_framework_collected", "framework_id", "collected_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    source_type: Mapped[str] = mapped_column(String(32))
    collected_on: Mapped[date]
    finding: Mapped[str] = mapped_column(String(16))
    respondents: Mapped[int | None]
    population: Mapped[int | None]
    positive: Mapped[int | None]
    collection: Mapped[str] = mapped_column(String(200), default="")
    respondent_group: Mapped[str] = mapped_column(String(200), default="")
    independent: Mapped[bool] = mapped_column(default=False)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    quote: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    # The RBA question it answers (how_much, how_well, better_off) and the id of the KPI whose value it
    # reports (that KPI's line stands for it); "" when not said, as for every item stored before issue 18.
    shows: Mapped[str] = mapped_column(String(16), default="")
    kpi: Mapped[str] = mapped_column(String(64), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    row_version: Mapped[int] = mapped_column(default=1)

    links: Mapped[list[EvidenceLink]] = relationship(
        back_populates="evidence", cascade="all, delete-orphan", lazy="raise"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="evidence", order_by="Attachment.id", lazy="raise"
    )

    __mapper_args__ = {"version_id_col": row_version}


class EvidenceLink(Base):
    __tablename__ = "evidence_link"
    __table_args__ = (UniqueConstraint("evidence_id", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    element_id: Mapped[int] = mapped_column(ForeignKey("element.id"), index=True)

    evidence: Mapped[Evidence] = relationship(back_populates="links", lazy="raise")


class Attachment(Base):
    """A stored file: generated name under the instance folder, original name kept for download only."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    evidence: Mapped[Evidence] = relationship(back_populates="attachments", lazy="raise")


class KpiValue(Base):
    """An actual for one KPI and period (and partner, where each partner reports its own)."""

    __tablename__ = "kpi_value"
    __table_args__ = (Index("ix_kpi_value_element_period_end", "element_id", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    element_id: Mapped[int] = mapped_column(ForeignKey("element.id"))
    period: Mapped[str] = mapped_column(String(32))
    period_end: Mapped[date]
    value: Mapped[float]
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}

"""Survey rounds and their respondent rows: stored as imported, never altered; a replaced round is kept.

A survey's participating organisations (issue 21) are added and updated by `tracker survey orgs`, never
deleted; each change is in the audit trail with its values before and after.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base, utcnow


class SurveyRound(Base):
    __tablename__ = "survey_round"
    __table_args__ = (
        Index("ix_survey_round_current", "framework_id", "survey_slug", "label", "replaced_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    survey_slug: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(300), default="")
    respondents: Mapped[int] = mapped_column(default=0)
    imported_by: Mapped[str] = mapped_column(String(320), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a later import of the same round replaces this one (--replace); the rows stay.
    replaced_at: Mapped[datetime | None]


class SurveyResponse(Base):
    """One respondent's row exactly as imported: answers as text, so scoring can be re-run on any scale."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"), index=True)
    row_number: Mapped[int]
    respondent: Mapped[str] = mapped_column(String(100), default="")
    cells: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class SurveyOrg(Base):
    """A participating organisation of a survey: the id respondents' rows give, its name, kind and region."""

    __tablename__ = "survey_org"
    __table_args__ = (UniqueConstraint("framework_id", "survey_slug", "org_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    survey_slug: Mapped[str] = mapped_column(String(64))
    org_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # local_authority, nhs_trust, not_for_profit, other
    region: Mapped[str] = mapped_column(String(100))
    # A partner may be an organisation: its leads see the organisation's local report.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

"""Survey rounds and their respondent rows: stored as imported, never altered; a replaced round is kept.

A survey's participating organisations (issue 21) are added and updated by `tracker survey orgs`, never
deleted; each change is in the audit trail with its values before and after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


class SurveyLevelResult(Base):
    """One level of a round's results as computed (issue 21), so a report page reads one row, not the round.

    A row is used only while everything it was computed from is unchanged: the round and the round before
    it (rows of a round are never altered; a replaced round is a new id), the result format, the survey's
    definition and its organisations' values (digests). Rows are never deleted: a stale one is ignored.
    `level` is national, region or org (`body` a LevelResult's JSON), or "strips" (key: a kind; the ranked
    strips of that kind by section) or "by_region" (the national chart's rows).
    """

    __tablename__ = "survey_level_result"
    __table_args__ = (Index("ix_survey_level_result_lookup", "round_id", "level", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"))
    previous_round_id: Mapped[int | None] = mapped_column(ForeignKey("survey_round.id"))
    format_version: Mapped[int]
    definition_version: Mapped[str] = mapped_column(String(64))
    orgs_version: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(100))
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

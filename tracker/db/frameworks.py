"""Frameworks, their kept versions, their elements and partners: archived, never deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db.base import Base, utcnow


class Framework(Base):
    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    current_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[FrameworkVersion]] = relationship(
        back_populates="framework", order_by="FrameworkVersion.version", lazy="raise"
    )


class FrameworkVersion(Base):
    """The YAML text of every version ever loaded, kept as it was."""

    __tablename__ = "framework_version"
    __table_args__ = (UniqueConstraint("framework_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    yaml_text: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    loaded_by: Mapped[str] = mapped_column(String(320), default="")
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    framework: Mapped[Framework] = relationship(back_populates="versions", lazy="raise")


class Element(Base):
    """One theme, aim, activity, output, outcome or KPI: the row evidence links to, across versions."""

    __tablename__ = "element"
    __table_args__ = (UniqueConstraint("framework_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    theme_slug: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    added_in_version: Mapped[int]
    changed_in_version: Mapped[int]
    archived_in_version: Mapped[int | None]
    archived_at: Mapped[datetime | None]


class Partner(Base):
    """An organisation; the same id in several frameworks is one partner."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FrameworkPartner(Base):
    __tablename__ = "framework_partner"
    __table_args__ = (UniqueConstraint("framework_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship(lazy="joined")

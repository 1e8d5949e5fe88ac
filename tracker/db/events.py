"""Events (issue 19): the event as its YAML last described it, and every load of its files, kept.

Each `tracker event load` adds an `event_load`; nothing of an earlier load is changed or deleted. A load that
gives no sessions (or no feedback) file keeps the current ones: its `sessions_load_id` (`answers_load_id`)
names the load whose rows are current, so the rows are never copied.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base, utcnow


class Event(Base):
    """An event of a framework; its id (`slug`) is unique within the framework."""

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("framework_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    links: Mapped[list[str]] = mapped_column(JSON, default=list)  # activity and output ids
    unique_attendees: Mapped[int | None]
    unique_estimated: Mapped[bool] = mapped_column(default=False)
    reach_target: Mapped[int | None]
    population_name: Mapped[str] = mapped_column(String(300), default="")
    population_size: Mapped[int | None]
    cost_direct: Mapped[float | None]
    cost_staff_hours: Mapped[float | None]
    cost_full: Mapped[float | None]
    min_group_size: Mapped[int | None]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(Text, default="")
    yaml_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EventLoad(Base):
    """One load of an event's files, numbered 1, 2, ... within the event: who, when, which files."""

    __tablename__ = "event_load"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    number: Mapped[int]
    loaded_by: Mapped[str] = mapped_column(String(320), default="")
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    yaml_name: Mapped[str] = mapped_column(String(500), default="")
    yaml_sha256: Mapped[str] = mapped_column(String(64))
    yaml_text: Mapped[str] = mapped_column(Text)
    sessions_name: Mapped[str] = mapped_column(String(500), default="")
    sessions_sha256: Mapped[str] = mapped_column(String(64), default="")
    feedback_name: Mapped[str] = mapped_column(String(500), default="")
    feedback_sha256: Mapped[str] = mapped_column(String(64), default="")
    # The loads whose sessions and answers are current with this one: itself when it gave the file, else the
    # load it kept them from (None when no load has given one).
    sessions_load_id: Mapped[int | None] = mapped_column(ForeignKey("event_load.id"))
    answers_load_id: Mapped[int | None] = mapped_column(ForeignKey("event_load.id"))
    session_count: Mapped[int] = mapped_column(default=0)
    answer_count: Mapped[int] = mapped_column(default=0)


class EventSession(Base):
    """One session as a sessions file gave it (`line`: where in the file)."""

    __tablename__ = "event_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("event_load.id"), index=True)
    line: Mapped[int]
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime())  # local time, as the file wrote it
    format: Mapped[str] = mapped_column(String(16), default="")
    capacity: Mapped[int | None]
    signups: Mapped[int | None]  # None: the file did not give it (not published)
    attended: Mapped[int | None]
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))


class EventAnswer(Base):
    """One answer of a feedback file, as stored (`canonical_answer`): a rating, an agree5 label, option ids
    joined by ';', or a free-text answer's text; `session` is a session's id ("" for the event as a whole)."""

    __tablename__ = "event_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("event_load.id"), index=True)
    line: Mapped[int]
    session: Mapped[str] = mapped_column(String(64), default="")
    question: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text)
    respondent: Mapped[str] = mapped_column(String(100), default="")


class EventAnswerCount(Base):
    """A load's answers counted by session, question and answer (free text counted as ""), as the measures
    count them (`events.tally`): written with the answers, never changed (a load never changes), so an event
    page reads a few thousand counts instead of every answer."""

    __tablename__ = "event_answer_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("event_load.id"), index=True)
    session: Mapped[str] = mapped_column(String(64), default="")
    question: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int]


class EventEvidence(Base):
    """The evidence item an event's feedback made for one of its rating questions (issue 19): a reload
    refreshes that item in place, through the evidence service, and never makes a second one."""

    __tablename__ = "event_evidence"
    __table_args__ = (UniqueConstraint("event_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    question: Mapped[str] = mapped_column(String(64))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)

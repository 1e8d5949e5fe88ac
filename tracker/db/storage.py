"""Blobs kept in the database itself (`STORAGE_URL=database:`): one row per blob, its bytes in 1 MB chunks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base, utcnow


class StoredBlob(Base):
    """A blob named by its SHA-256; written once, never changed (the same bytes always have the same name)."""

    __tablename__ = "stored_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredBlobChunk(Base):
    """One chunk of a blob, in order by `seq` from 0; small enough that reading one never strains memory."""

    __tablename__ = "stored_blob_chunk"

    sha256: Mapped[str] = mapped_column(ForeignKey("stored_blob.sha256"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CachedPdf(Base):
    """A rendered report PDF by what it shows: its bytes are the blob `sha256` in the configured store.

    A cache, derived from the data (any server may fill it and it may be emptied at any time); the row lets
    every app server and worker find a PDF another one rendered.
    """

    __tablename__ = "cached_pdf"

    framework_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[date] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyReportBatch(Base):
    """How far a round's set of survey level reports has got (the BatchStatus as JSON), when a STORAGE_URL is
    set: the worker writes it, every app server's page reads it."""

    __tablename__ = "survey_report_batch"

    framework_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    round_label: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SurveyReportFile(Base):
    """One PDF of a round's set, by its file name: the blob `sha256` in the configured store."""

    __tablename__ = "survey_report_file"

    framework_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    round_label: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Where a round's set of survey level PDFs and its progress are kept: the instance folder (files and a
status.json) by default, the database and the shared store when a STORAGE_URL is set, so that a worker on one
machine makes the set and every app server shows its progress and serves its files."""

from __future__ import annotations

import io
import json
import logging
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.db.storage import SurveyReportBatch, SurveyReportFile
from tracker.extensions import db
from tracker.reports.survey_level_render import file_slug
from tracker.storage import StorageError, store_for

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
STALE_AFTER = timedelta(minutes=15)  # a job that has said nothing for this long has died: it may start again
State = Literal["queued", "running", "done", "failed"]


@dataclass(frozen=True)
class BatchStatus:
    """How far a set of reports has got, as its status.json holds it (times in UTC, ISO 8601)."""

    state: State
    round_label: str
    done: int = 0
    total: int = 0
    files: tuple[str, ...] = ()
    error: str = ""
    started_at: str = ""
    updated_at: str = ""

    @property
    def active(self) -> bool:
        """Queued or running, and heard from recently."""
        if self.state not in ("queued", "running") or not self.updated_at:
            return False
        return datetime.now(UTC) - datetime.fromisoformat(self.updated_at) < STALE_AFTER

    @property
    def started(self) -> datetime | None:
        return datetime.fromisoformat(self.started_at) if self.started_at else None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchStatus:
        return cls(**{**data, "files": tuple(data.get("files", ()))})


def batch_folder(instance_path: str, slug: str, survey_id: str, round_label: str) -> Path:
    """Where the web's job keeps a round's set: the instance folder, by framework, survey and round."""
    return (
        Path(instance_path)
        / "survey-reports"
        / file_slug(slug)
        / file_slug(survey_id)
        / file_slug(round_label)
    )


def read_status(folder: Path) -> BatchStatus | None:
    try:
        return BatchStatus.from_json(json.loads((folder / STATUS_FILE).read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def write_status(folder: Path, status: BatchStatus) -> None:
    """Replace the status in one step, so the page never reads half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{STATUS_FILE}.part"
    partial.write_text(json.dumps(asdict(status)), encoding="utf-8")
    partial.replace(folder / STATUS_FILE)


class BatchPlace(ABC):
    """One round's set: its status and its PDFs by file name."""

    @abstractmethod
    def read_status(self) -> BatchStatus | None: ...

    @abstractmethod
    def write_status(self, status: BatchStatus) -> None:
        """Seen at once by every reader (the page asks again while the set is made)."""

    def begin(self, status: BatchStatus) -> None:
        """The first status, written by the request that starts the set."""
        self.write_status(status)

    @abstractmethod
    def put(self, name: str, pdf: bytes) -> None: ...

    @abstractmethod
    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when it is not there (or damaged: never served)."""


class FolderPlace(BatchPlace):
    """The default: `status.json` and the PDFs in one folder of the instance folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read_status(self) -> BatchStatus | None:
        return read_status(self.folder)

    def write_status(self, status: BatchStatus) -> None:
        write_status(self.folder, status)

    def put(self, name: str, pdf: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{name}.part"
        partial.write_bytes(pdf)
        partial.replace(self.folder / name)

    def read(self, name: str) -> bytes | None:
        try:
            return (self.folder / name).read_bytes()
        except FileNotFoundError:
            return None


class StoredPlace(BatchPlace):
    """With a STORAGE_URL: the status a row, each PDF a blob in the store named by a row; every write in a
    short transaction of its own, so the page of any server sees the progress as it is made."""

    def __init__(self, storage_url: str, upload_folder: Path, slug: str, survey_id: str, label: str) -> None:
        self.url, self.upload_folder = storage_url, upload_folder
        self.key = (slug, survey_id, label)

    def read_status(self) -> BatchStatus | None:
        row = db.session.get(SurveyReportBatch, self.key)
        if row is None:
            return None
        db.session.refresh(row)  # a worker rewrites it while the set is made
        return BatchStatus.from_json(json.loads(row.status))

    def _write(self, session: Session, status: BatchStatus) -> None:
        row = session.get(SurveyReportBatch, self.key)
        if row is None:
            slug, survey_id, label = self.key
            row = SurveyReportBatch(framework_slug=slug, survey_id=survey_id, round_label=label, status="")
            session.add(row)
        row.status = json.dumps(asdict(status))
        session.flush()

    def begin(self, status: BatchStatus) -> None:
        """In the starting request's own transaction: it holds the write lock (SQLite) or the row (PostgreSQL)
        so a worker's first status waits for its commit and then replaces it, never the other way round."""
        self._write(db.session, status)

    def write_status(self, status: BatchStatus) -> None:
        for attempt in (1, 2):
            try:
                with db.side_transaction() as session:
                    self._write(session, status)
                return
            except IntegrityError:  # the starting request's row was committed meanwhile: update it
                if attempt == 2:
                    raise

    def put(self, name: str, pdf: bytes) -> None:
        with db.side_transaction() as session:
            stored = store_for(self.url, self.upload_folder, session.connection).put(
                io.BytesIO(pdf), len(pdf)
            )
            row = session.get(SurveyReportFile, (*self.key, name))
            if row is None:
                slug, survey_id, label = self.key
                row = SurveyReportFile(
                    framework_slug=slug, survey_id=survey_id, round_label=label, name=name, sha256="", size=0
                )
                session.add(row)
            row.sha256, row.size = stored.sha256, stored.size

    def read(self, name: str) -> bytes | None:
        sha256 = db.session.scalar(
            select(SurveyReportFile.sha256).where(
                SurveyReportFile.framework_slug == self.key[0],
                SurveyReportFile.survey_id == self.key[1],
                SurveyReportFile.round_label == self.key[2],
                SurveyReportFile.name == name,
            )
        )
        if sha256 is None:
            return None
        store = store_for(self.url, self.upload_folder, lambda: db.session.connection())
        try:
            return b"".join(store.open(sha256))
        except StorageError as error:
            log.error("survey report %s of %s cannot be served: %s", name, self.key, error)
            return None


def place_for(
    app: Flask, slug: str, survey_id: str, round_label: str, folder: Path | None = None
) -> BatchPlace:
    """The place the settings call for; `folder` is the folder the web app chose (a worker is told it)."""
    url = str(app.config["STORAGE_URL"])
    if url:
        return StoredPlace(url, Path(app.config["UPLOAD_FOLDER"]), slug, survey_id, round_label)
    return FolderPlace(folder or batch_folder(app.instance_path, slug, survey_id, round_label))

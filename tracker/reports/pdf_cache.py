"""Where rendered report PDFs are kept: the instance folder by default, the shared store when configured.

With a STORAGE_URL set (a shared folder or the database), a PDF is a blob in that store and the table
`cached_pdf` maps its key to the blob's digest, so every app server and worker sees one cache; with none, the
PDFs stay files in the instance folder's `report-cache/` as before (one server, nothing to share).
"""

from __future__ import annotations

import io
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from tracker.db.storage import CachedPdf
from tracker.extensions import db
from tracker.storage import StorageError, store_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfKey:
    """What a cached PDF is kept by: its framework, as-of date and the fingerprint of what it shows."""

    framework_id: str
    as_of: date
    fingerprint: str


class PdfCache:
    """PDFs on disk in one folder, named by framework, as-of date and data fingerprint."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, key: PdfKey) -> Path:
        return self.folder / f"{key.framework_id}-{key.as_of.isoformat()}-{key.fingerprint[:32]}.pdf"

    def made_at(self, path: Path) -> datetime | None:
        try:
            return datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except FileNotFoundError:
            return None

    def put(self, path: Path, pdf: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(pdf)
        temporary.replace(path)


class ReportCache(ABC):
    """The report PDF cache one process uses; `work_dir` is its own scratch folder for the renderer."""

    work_dir: Path

    @abstractmethod
    def get(self, key: PdfKey) -> bytes | None: ...

    @abstractmethod
    def made_at(self, key: PdfKey) -> datetime | None: ...

    @abstractmethod
    def put(self, key: PdfKey, pdf: bytes) -> None: ...

    @abstractmethod
    def where(self, key: PdfKey) -> str:
        """Where the PDF is (or would be) kept, for a job's result and the logs."""


class FolderReportCache(ReportCache):
    """The default: files in the instance folder, seen only by the processes that share that folder."""

    def __init__(self, folder: Path) -> None:
        self.files = PdfCache(folder)
        self.work_dir = folder

    def get(self, key: PdfKey) -> bytes | None:
        try:
            return self.files.path_for(key).read_bytes()
        except FileNotFoundError:
            return None

    def made_at(self, key: PdfKey) -> datetime | None:
        return self.files.made_at(self.files.path_for(key))

    def put(self, key: PdfKey, pdf: bytes) -> None:
        self.files.put(self.files.path_for(key), pdf)

    def where(self, key: PdfKey) -> str:
        return str(self.files.path_for(key))


class StoredReportCache(ReportCache):
    """PDFs as blobs in the configured store, found through `cached_pdf` rows: one cache for every server."""

    def __init__(self, url: str, upload_folder: Path, work_dir: Path) -> None:
        self.url = url
        self.upload_folder = upload_folder
        self.work_dir = work_dir

    def _row(self, key: PdfKey) -> CachedPdf | None:
        return db.session.scalar(
            select(CachedPdf).where(
                CachedPdf.framework_id == key.framework_id,
                CachedPdf.as_of == key.as_of,
                CachedPdf.fingerprint == key.fingerprint,
            )
        )

    def get(self, key: PdfKey) -> bytes | None:
        """The PDF after its digest is checked; a missing or damaged blob is a miss (rendered, put again)."""
        row = self._row(key)
        if row is None:
            return None
        store = store_for(self.url, self.upload_folder, lambda: db.session.connection())
        try:
            return b"".join(store.open(row.sha256))
        except StorageError as error:
            log.warning("the cached PDF %s cannot be used, rendering it again: %s", self.where(key), error)
            return None

    def made_at(self, key: PdfKey) -> datetime | None:
        row = self._row(key)
        return None if row is None else row.created_at

    def put(self, key: PdfKey, pdf: bytes) -> None:
        """Store the blob and its row in a transaction of their own (a cache a reader may fill); should
        another server have cached the same key meanwhile, its copy is kept and this one dropped."""
        try:
            with db.side_transaction() as session:
                stored = store_for(self.url, self.upload_folder, session.connection).put(
                    io.BytesIO(pdf), len(pdf)
                )
                session.execute(
                    delete(CachedPdf).where(
                        CachedPdf.framework_id == key.framework_id,
                        CachedPdf.as_of == key.as_of,
                        CachedPdf.fingerprint == key.fingerprint,
                    )
                )
                session.add(
                    CachedPdf(
                        framework_id=key.framework_id,
                        as_of=key.as_of,
                        fingerprint=key.fingerprint,
                        sha256=stored.sha256,
                        size=stored.size,
                    )
                )
        except IntegrityError:
            log.info("the PDF %s was cached by another process first; keeping that one", self.where(key))

    def where(self, key: PdfKey) -> str:
        return f"{self.url} ({key.framework_id} as of {key.as_of.isoformat()}, {key.fingerprint[:32]})"


def report_cache(storage_url: str, upload_folder: Path, instance_folder: Path) -> ReportCache:
    """The cache the settings call for: the shared store when STORAGE_URL is set, else the instance folder."""
    folder = instance_folder / "report-cache"
    if storage_url:
        return StoredReportCache(storage_url, upload_folder, folder)
    return FolderReportCache(folder)

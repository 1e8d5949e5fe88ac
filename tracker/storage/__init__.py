"""Where attachments' bytes live: one interface (`BlobStore`), chosen by the STORAGE_URL setting.

Empty: the local folder `<UPLOAD_FOLDER>/blobs`; `file:///absolute/path`: a local folder elsewhere (a shared
mount); `database:`: the tracker's own database. See docs/storage.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click
from sqlalchemy import Connection

from tracker.storage.base import (
    CHUNK,
    BlobCorrupt,
    BlobMissing,
    BlobStore,
    BlobTooLarge,
    ChunkReader,
    PutResult,
    StorageError,
    verified,
)
from tracker.storage.database import DatabaseStore
from tracker.storage.local import LocalStore

__all__ = [
    "CHUNK",
    "BlobCorrupt",
    "BlobMissing",
    "BlobStore",
    "BlobTooLarge",
    "ChunkReader",
    "DatabaseStore",
    "LocalStore",
    "PutResult",
    "StorageError",
    "StorageUrlError",
    "check_url",
    "default_root",
    "store_for",
    "verified",
]


class StorageUrlError(click.ClickException):
    """A STORAGE_URL the tracker cannot use: raised at start, naming the setting (a command exits 1)."""


def default_root(upload_folder: Path) -> Path:
    return upload_folder / "blobs"


SETTING = "STORAGE_URL (TRACKER_STORAGE_URL)"


def check_url(url: str, setting: str = SETTING) -> None:
    """Refuse a URL that names no back end, before anything is stored."""
    if not url or url == "database:":
        return
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise StorageUrlError(f"{setting} {url!r}: a folder is written file:///absolute/path")
        return
    raise StorageUrlError(
        f"{setting} {url!r} names no storage back end: "
        "use empty (the instance's uploads folder), file:///absolute/path or database:"
    )


def store_for(url: str, upload_folder: Path, connect: Callable[[], Connection]) -> BlobStore:
    """The store a URL names; `connect` gives the connection (and transaction) the database store uses."""
    check_url(url)
    if not url:
        return LocalStore(default_root(upload_folder))
    if url == "database:":
        return DatabaseStore(connect)
    return LocalStore(Path(unquote(urlsplit(url).path)))

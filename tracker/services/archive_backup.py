"""`tracker backup`: a live SQLite database copied with the online backup API, checked, then renamed in."""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from tracker.services.archive_format import ArchiveError


@dataclass(frozen=True)
class BackupResult:
    size: int
    seconds: float
    revision: str | None


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL; in-memory databases have none to copy."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise ArchiveError("an in-memory SQLite database has no file to back up")
    return Path(database)


def backup_sqlite(source: Path, output: Path, overwrite: bool) -> BackupResult:
    """Copy a live database with SQLite's online backup API: one consistent snapshot, writers keep writing."""
    if not source.is_file():
        raise ArchiveError(f"{source}: no such database file")
    if output.exists() and output.resolve() == source.resolve():
        raise ArchiveError(f"{output} is the database itself; choose another file")
    if output.exists() and not overwrite:
        raise ArchiveError(f"{output} exists; choose another file or add --force to replace it")
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.parent / f".{output.name}.{secrets.token_hex(6)}.part"
    started = time.monotonic()
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with (
            closing(sqlite3.connect(source, timeout=10)) as live,
            closing(sqlite3.connect(temporary)) as copy,
        ):
            # pages=-1 copies every page in one step: one read transaction, so the copy is one moment of
            # the database; in WAL mode that transaction does not block the server's writes.
            live.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA integrity_check").fetchone()
            if check is None or check[0] != "ok":
                raise ArchiveError(f"the copy failed its integrity check: {check}")
            revision = None
            if copy.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
                found = copy.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = found[0] if found else None
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, output)
    except sqlite3.Error as error:
        temporary.unlink(missing_ok=True)
        raise ArchiveError(f"the backup failed: {error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return BackupResult(output.stat().st_size, time.monotonic() - started, revision)

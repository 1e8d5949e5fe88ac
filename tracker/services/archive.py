"""Lossless export and import of one framework (documented JSON plus files), and SQLite backups.

The export is a zip: `manifest.json` (format, version, counts and the size and sha256 of every member), one
`<table>.json` per table (rows sorted by id, every column, timestamps as ISO 8601 UTC) and the attachments
under `files/<stored_name>`. Import checks the whole file before it writes anything, then inserts every row
with its own id in one transaction, so a second export of the restored database is identical.

This module restores; the format is in `archive_format`, the export in `archive_export`, reading and
checking an export in `archive_reading` (its zip safety in `archive_safety`) and backups in
`archive_backup`. Their public names are importable from here, as before the split.
"""

from __future__ import annotations

import secrets
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tracker.formatting import file_size
from tracker.services.archive_backup import BackupResult, backup_sqlite, sqlite_path
from tracker.services.archive_export import ExportResult, collect, export_framework
from tracker.services.archive_format import (
    FILES_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    TABLES,
    ArchiveError,
    Row,
    columns_of,
    encode_row,
    encode_value,
    table_document,
)
from tracker.services.archive_format import table_of as _table
from tracker.services.archive_reading import Archive, read_archive
from tracker.services.archive_safety import read_member
from tracker.services.attachments import note_new_blob
from tracker.services.audit import Actor, record
from tracker.storage import BlobStore, LocalStore, default_root

__all__ = [
    "FILES_PREFIX",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "TABLES",
    "Archive",
    "ArchiveError",
    "BackupResult",
    "ExportResult",
    "ImportResult",
    "backup_sqlite",
    "collect",
    "columns_of",
    "encode_row",
    "encode_value",
    "export_framework",
    "read_archive",
    "restore",
    "sqlite_path",
    "table_document",
]

INSERT_BATCH = 1000
FREE_SPACE_MARGIN = 64 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    slug: str
    title: str
    version: int
    counts: dict[str, int]
    files: int
    file_bytes: int
    kept: dict[str, int]


def _existing(session: Session, name: str, column: str, values: Iterable[Any]) -> list[Row]:
    table = _table(name)
    wanted = sorted(set(values))
    found: list[Row] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.extend(
            dict(r) for r in session.execute(select(table).where(table.c[column].in_(chunk))).mappings()
        )
    return found


def _plan(
    session: Session, archive: Archive, upload_dir: Path
) -> tuple[dict[str, list[Row]], dict[str, int]]:
    """The rows to insert; shared rows already here (same partner, user or audit row) are kept as they are."""
    slug = archive.slug
    here = session.execute(select(_table("framework").c.id).where(_table("framework").c.slug == slug)).first()
    if here is not None:
        raise ArchiveError(
            f"the framework '{slug}' is already in this database (id {here[0]}); nothing was imported"
        )
    todo: dict[str, list[Row]] = {}
    kept: dict[str, int] = {}
    natural = {"partner": "slug", "user_account": "email"}
    for name in TABLES:
        rows = archive.rows[name]
        by_id = {r["id"]: r for r in _existing(session, name, "id", (r["id"] for r in rows))}
        if name in natural:
            key = natural[name]
            by_key = {r[key]: r for r in _existing(session, name, key, (r[key] for r in rows))}
            for row in rows:
                other = by_key.get(row[key])
                if other is not None and other["id"] != row["id"]:
                    raise ArchiveError(
                        f"{name} {row[key]!r} has id {other['id']} in this database "
                        f"and {row['id']} in the export; "
                        "nothing was imported"
                    )
                if row["id"] in by_id and by_id[row["id"]][key] != row[key]:
                    raise _collision(name, row["id"])
        elif name == "audit_event":
            raw = {r["id"]: r for r in archive.raw[name]}
            for key_id, existing in by_id.items():
                if encode_row(existing, columns_of(name)) != raw[key_id]:
                    raise _collision(name, key_id)
        elif by_id:
            raise _collision(name, min(by_id))
        todo[name] = [r for r in rows if r["id"] not in by_id]
        if by_id:
            kept[name] = len(by_id)
    taken = _existing(
        session, "attachment", "stored_name", (r["stored_name"] for r in archive.rows["attachment"])
    )
    if taken:
        raise ArchiveError(
            f"an attachment stored as {taken[0]['stored_name']} is already in this database; "
            "nothing was imported"
        )
    for row in archive.rows["attachment"]:
        if (upload_dir / row["stored_name"]).exists():
            raise ArchiveError(
                f"the upload folder already has a file {row['stored_name']}; nothing was imported"
            )
    return todo, kept


def _collision(name: str, row_id: int) -> ArchiveError:
    return ArchiveError(
        f"{name} id {row_id} is already used by another row in this database; nothing was imported "
        "(import into an empty database; give the files of several frameworks to one `tracker import`)"
    )


def _check_free_space(upload_dir: Path, needed: int) -> None:
    """The declared files fit on the upload folder's disk, with room to spare, before any is written."""
    if needed == 0:
        return
    existing = next(p for p in (upload_dir, *upload_dir.parents) if p.exists())
    free = shutil.disk_usage(existing).free
    if needed + FREE_SPACE_MARGIN > free:
        raise ArchiveError(
            f"the attachments need {file_size(needed)} but the upload folder's disk has "
            f"{file_size(free)} free (and {file_size(FREE_SPACE_MARGIN)} is kept spare); nothing was imported"
        )


def restore(
    session: Session,
    archives: Sequence[Archive],
    upload_dir: Path,
    actor: Actor,
    blobs: BlobStore | None = None,
) -> list[ImportResult]:
    """Insert every row with its own id, then the files; the caller commits; a rollback removes the files.

    Several archives restore in one transaction, one after another, so the rows they share (partners,
    users, refusals in the audit trail) are kept once and the trail of the restore comes after them all.
    """
    slugs = [a.slug for a in archives]
    if len(set(slugs)) != len(slugs):
        raise ArchiveError("the same framework is given twice; nothing was imported")
    _check_free_space(upload_dir, sum(r["size"] for a in archives for r in a.rows["attachment"]))
    results = []
    for archive in archives:
        todo, kept = _plan(session, archive, upload_dir)
        for name in TABLES:
            rows = todo[name]
            for start in range(0, len(rows), INSERT_BATCH):
                session.execute(insert(_table(name)), rows[start : start + INSERT_BATCH])
        store = blobs if blobs is not None else LocalStore(default_root(upload_dir))
        file_bytes = _restore_files(session, archive, upload_dir, store)
        framework = archive.rows["framework"][0]
        results.append(
            ImportResult(
                slug=archive.slug,
                title=framework["title"],
                version=framework["current_version"],
                counts={name: len(todo[name]) for name in TABLES},
                files=len(archive.rows["attachment"]),
                file_bytes=file_bytes,
                kept=kept,
            )
        )
    if session.get_bind().dialect.name == "postgresql":
        for name in TABLES:
            table = _table(name)
            sequence = func.pg_get_serial_sequence(name, "id")
            following = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
            session.execute(select(func.setval(sequence, following, False)))
    for archive, result in zip(archives, results, strict=True):
        record(
            session,
            actor,
            "archive.import",
            object_type="archive",
            object_id=archive.slug,
            after={
                "file": archive.path.name,
                "exported_at": archive.manifest.get("created_at"),
                "counts": result.counts,
            },
            detail=f"restored {archive.slug} from {archive.path}",
        )
    session.flush()
    return results


def _restore_files(session: Session, archive: Archive, upload_dir: Path, store: BlobStore) -> int:
    """Each file unpacked beside the upload folder, checked, then put in the store; a rollback removes what
    this import added (the database store's rows go with the transaction)."""
    if not archive.rows["attachment"]:
        return 0
    upload_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    with zipfile.ZipFile(archive.path) as zf:
        for row in archive.rows["attachment"]:
            name = row["stored_name"]
            temporary = upload_dir / f".{name}.{secrets.token_hex(4)}.part"
            try:
                with temporary.open("xb") as out:
                    digest, _ = read_member(zf, archive.files[name], row["size"], str(archive.path), out)
                if digest != row["sha256"]:
                    raise ArchiveError(f"the file of attachment {row['id']} changed while it was restored")
                with temporary.open("rb") as unpacked:
                    kept = store.put(unpacked, max(int(row["size"]), 1))
                note_new_blob(session, store, kept)
                if kept.sha256 != row["sha256"]:
                    raise ArchiveError(f"the file of attachment {row['id']} changed while it was stored")
            finally:
                temporary.unlink(missing_ok=True)
            total += row["size"]
    return total

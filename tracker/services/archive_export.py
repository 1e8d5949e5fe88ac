"""`tracker export`: every row about one framework and its files, in one zip written beside its place."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from tracker.services.archive_format import (
    CHUNK,
    FILES_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SAFE_STORED_NAME,
    TABLES,
    ArchiveError,
    Row,
    columns_of,
    encode_row,
    table_document,
    timestamp,
)
from tracker.services.archive_format import table_of as _table
from tracker.services.archive_safety import check_importable
from tracker.services.attachments import open_stored
from tracker.storage import BlobCorrupt, BlobMissing, BlobStore, LocalStore, default_root

SENSITIVE_NOTE = (
    "Holds personal data and the password hashes of the users it names: keep it as safe as the database."
)
# Audit rows without a framework that are still about this framework's objects (refusals, mostly).
AUDIT_OBJECT_TYPES = (
    "evidence",
    "attachment",
    "kpi_value",
    "framework",
    "survey",
    "outcome",
    "event",
    "action_plan",
)


@dataclass(frozen=True)
class ExportResult:
    slug: str
    title: str
    version: int
    counts: dict[str, int]
    files: int
    file_bytes: int
    size: int
    sha256: str


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction for the whole export, so rows written meanwhile are all in or all out."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def _rows(connection: Connection, name: str, *where: Any) -> list[Row]:
    table = _table(name)
    query = select(table).where(*where).order_by(table.c.id)
    return [dict(r) for r in connection.execute(query).mappings()]


def _in_chunks(connection: Connection, name: str, column: str, ids: Iterable[int]) -> list[Row]:
    """Rows whose column is one of many ids, asked in chunks so no backend hits a parameter limit."""
    table = _table(name)
    wanted = sorted(set(ids))
    found: dict[int, Row] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in connection.execute(select(table).where(table.c[column].in_(chunk))).mappings():
            found[row["id"]] = dict(row)
    return [found[key] for key in sorted(found)]


def collect(connection: Connection, slug: str) -> dict[str, list[Row]]:
    """Every row about one framework, table by table, sorted by id (raw values, not yet encoded)."""
    framework = _rows(connection, "framework", _table("framework").c.slug == slug)
    if not framework:
        raise ArchiveError(f"no framework has the id '{slug}' (see `tracker framework list`)")
    fid = framework[0]["id"]
    out: dict[str, list[Row]] = {"framework": framework}
    for name in TABLES:
        if name != "framework" and name != "audit_event" and "framework_id" in _table(name).c:
            out[name] = _rows(connection, name, _table(name).c.framework_id == fid)
    evidence_ids = [r["id"] for r in out["evidence"]]
    out["evidence_link"] = _in_chunks(connection, "evidence_link", "evidence_id", evidence_ids)
    out["attachment"] = _in_chunks(connection, "attachment", "evidence_id", evidence_ids)
    out["survey_response"] = _in_chunks(
        connection, "survey_response", "round_id", [r["id"] for r in out["survey_round"]]
    )
    event_ids = [r["id"] for r in out["event"]]
    out["event_load"] = _in_chunks(connection, "event_load", "event_id", event_ids)
    load_ids = [r["id"] for r in out["event_load"]]
    for name in ("event_session", "event_answer", "event_answer_count"):
        out[name] = _in_chunks(connection, name, "load_id", load_ids)
    out["event_evidence"] = _in_chunks(connection, "event_evidence", "event_id", event_ids)
    plan_ids = [r["id"] for r in out["action_plan"]]
    for name in ("action_plan_revision", "action_plan_comment"):
        out[name] = _in_chunks(connection, name, "plan_id", plan_ids)
    out["audit_event"] = _audit_rows(connection, fid, slug, out)

    partner_ids = {r["partner_id"] for r in out["framework_partner"]}
    partner_ids |= {r["partner_id"] for r in out["event_session"]}
    partner_ids |= {
        r["partner_id"] for name in ("evidence", "kpi_value", "action_plan", "survey_org") for r in out[name]
    }
    user_ids = {r[c] for r in out["evidence"] for c in ("created_by_id", "updated_by_id")}
    user_ids |= {r["uploaded_by_id"] for r in out["attachment"]}
    user_ids |= {r["created_by_id"] for name in ("kpi_value", "rating_override") for r in out[name]}
    user_ids |= {r["actor_id"] for r in out["audit_event"]}
    user_ids |= _plan_people(out)
    users = {r["id"]: r for r in _in_chunks(connection, "user_account", "id", user_ids - {None})}
    # The leads of its partners are the framework's people even before they have logged anything.
    member_partners = [r["partner_id"] for r in out["framework_partner"]]
    users.update((r["id"], r) for r in _in_chunks(connection, "user_account", "partner_id", member_partners))
    out["user_account"] = [users[key] for key in sorted(users)]
    partner_ids |= {r["partner_id"] for r in out["user_account"]}
    out["partner"] = _in_chunks(connection, "partner", "id", partner_ids - {None})
    return {name: out[name] for name in TABLES}


def _plan_people(out: Mapping[str, list[Row]]) -> set[int | None]:
    """Who wrote the plans, their revisions, comments and notes, and each revision's lead."""
    people = {r["created_by_id"] for r in out["action_plan"]}
    people |= {r["saved_by_id"] for name in ("action_plan_revision", "kpi_curve_note") for r in out[name]}
    people |= {r["author_id"] for r in out["action_plan_comment"]}
    people |= {r["body"].get("lead_user_id") for r in out["action_plan_revision"]}
    return people


def _audit_rows(connection: Connection, fid: int, slug: str, out: Mapping[str, list[Row]]) -> list[Row]:
    """The trail of the framework, plus rows without a framework about its objects (refused actions)."""
    audit = _table("audit_event")
    rows = {r["id"]: r for r in _rows(connection, "audit_event", audit.c.framework_id == fid)}
    keys = {
        "evidence": {str(r["id"]) for r in out["evidence"]},
        "attachment": {str(r["id"]) for r in out["attachment"]},
        "kpi_value": {str(r["id"]) for r in out["kpi_value"]},
        "framework": {slug},
        "survey": {r["survey_slug"] for r in out["survey_round"]},
        "outcome": {r["slug"] for r in out["element"] if r["kind"] == "outcome"},
        "event": {r["slug"] for r in out["event"]},
        "action_plan": {str(r["id"]) for r in out["action_plan"]},
    }
    loose = _rows(
        connection,
        "audit_event",
        audit.c.framework_id.is_(None),
        audit.c.object_type.in_(AUDIT_OBJECT_TYPES),
    )
    rows.update((r["id"], r) for r in loose if r["object_id"] in keys[r["object_type"]])
    return [rows[key] for key in sorted(rows)]


def _stored_name(row: Row) -> str:
    name = str(row["stored_name"])
    if not SAFE_STORED_NAME.fullmatch(name):
        raise ArchiveError(f"attachment {row['id']} has an unsafe stored name {name!r}; nothing was exported")
    return name


def export_framework(
    engine: Engine,
    slug: str,
    upload_dir: Path,
    output: Path,
    now: datetime,
    schema_revision: str | None,
    blobs: BlobStore | None = None,
) -> ExportResult:
    """Write the zip next to its destination and rename it into place, so a failed export leaves nothing.

    The files are read through the store (the local folder under `upload_dir` unless one is given),
    each checked against its digest.
    """
    store = blobs if blobs is not None else LocalStore(default_root(upload_dir))
    with _snapshot(engine) as connection:
        raw = collect(connection, slug)
    tables = {name: [encode_row(r, columns_of(name)) for r in rows] for name, rows in raw.items()}
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.parent / f".{output.name}.{secrets.token_hex(6)}.part"
    members: dict[str, dict[str, Any]] = {}
    file_bytes = 0
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in TABLES:
                data = table_document(name, tables[name])
                zf.writestr(_member_info(f"{name}.json"), data)
                members[f"{name}.json"] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for row in tables["attachment"]:
                digest, size = _copy_attachment(zf, store, upload_dir, row)
                members[FILES_PREFIX + row["stored_name"]] = {"size": size, "sha256": digest}
                file_bytes += size
            check_importable(members)
            framework = tables["framework"][0]
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timestamp(now),
                "framework": slug,
                "framework_title": framework["title"],
                "framework_version": framework["current_version"],
                "schema_revision": schema_revision,
                "sensitive": SENSITIVE_NOTE,
                "counts": {
                    **{name: len(tables[name]) for name in TABLES},
                    "files": len(tables["attachment"]),
                },
                "members": members,
            }
            text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
            zf.writestr(_member_info(MANIFEST), text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return ExportResult(
        slug=slug,
        title=framework["title"],
        version=framework["current_version"],
        counts={name: len(tables[name]) for name in TABLES},
        files=len(tables["attachment"]),
        file_bytes=file_bytes,
        size=output.stat().st_size,
        sha256=_file_sha256(output),
    )


def _member_info(name: str) -> zipfile.ZipInfo:
    """A fixed date and mode, so the same rows and files make the same members."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o600) << 16
    return info


def _copy_attachment(zf: zipfile.ZipFile, store: BlobStore, upload_dir: Path, row: Row) -> tuple[str, int]:
    """Stream one stored file into the zip, checking it is the file the database describes."""
    name = _stored_name(row)
    digest = hashlib.sha256()
    size = 0
    label = f"attachment {row['id']} ({row['original_name']}, evidence {row['evidence_id']})"
    try:
        chunks = open_stored(store, upload_dir, str(row["sha256"]), name, f"attachment {row['id']}")
        # Zip64 headers only where a file needs them (over 2 GB), so common tools read the zip.
        with zf.open(_member_info(FILES_PREFIX + name), "w", force_zip64=row["size"] > 2**31) as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except BlobMissing:
        raise ArchiveError(f"{label}: its file {name} is missing; nothing was exported") from None
    except BlobCorrupt as corrupt:
        raise ArchiveError(f"{label}: {corrupt}; nothing was exported") from None
    if digest.hexdigest() != row["sha256"] or size != row["size"]:
        raise ArchiveError(f"{label}: its file {name} differs from its recorded sha256; nothing was exported")
    return digest.hexdigest(), size


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()

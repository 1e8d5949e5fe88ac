"""Lossless export and import of one framework (documented JSON plus files), and SQLite backups.

The export is a zip: `manifest.json` (format, version, counts and the sha256 of every member), one
`<table>.json` per table (rows sorted by id, every column, timestamps as ISO 8601 UTC) and the attachments
under `files/<stored_name>`. Import checks the whole file before it writes anything, then inserts every row
with its own id in one transaction, so a second export of the restored database is identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
import stat
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Float,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker.db.base import UTCDateTime
from tracker.db.models import Base
from tracker.services.attachments import NEW_FILES_KEY
from tracker.services.audit import Actor, record

FORMAT = "outcomes-tracker-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
# Parents before children: the order rows are inserted in.
TABLES = (
    "partner",
    "user_account",
    "framework",
    "framework_version",
    "element",
    "framework_partner",
    "evidence",
    "evidence_link",
    "attachment",
    "kpi_value",
    "survey_round",
    "survey_response",
    "rating_override",
    "audit_event",
)
# Refusals before expansion: a zip bomb is refused from its directory, before a byte is inflated.
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_MEMBERS = 200_000
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
INSERT_BATCH = 1000
SENSITIVE_NOTE = (
    "Holds personal data and the password hashes of the users it names: keep it as safe as the database."
)
# Audit rows without a framework that are still about this framework's objects (refusals, mostly).
AUDIT_OBJECT_TYPES = ("evidence", "attachment", "kpi_value", "framework", "survey", "outcome")
SAFE_STORED_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,99}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
DAY = re.compile(r"\d{4}-\d\d-\d\d")
PG_INT_MIN, PG_INT_MAX = -(2**31), 2**31 - 1


class ArchiveError(Exception):
    """A refusal with one clear line; nothing was written when it is raised."""


Row = dict[str, Any]


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def columns_of(name: str) -> list[str]:
    """The columns exported for a table: all of them, in the model's order."""
    return [c.name for c in _table(name).columns]


# ---------------------------------------------------------------------------------------------- values


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_value(value: Any) -> Any:
    """A column value as JSON: timestamps as ISO 8601 UTC with microseconds, dates as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def encode_row(row: Mapping[str, Any], names: Sequence[str]) -> Row:
    return {name: encode_value(row[name]) for name in names}


def _decode_value(column: Column[Any], value: Any) -> Any:
    """A JSON value back to what the column stores; raises ValueError naming what was expected."""
    kind = column.type
    if value is None:
        if not column.nullable:
            raise ValueError("is empty but must have a value")
        return None
    if isinstance(kind, UTCDateTime):
        if not isinstance(value, str) or not TIMESTAMP.fullmatch(value):
            raise ValueError("expected a UTC time like 2020-05-31T09:30:00.000000Z")
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    if isinstance(kind, Date):
        if not isinstance(value, str) or not DAY.fullmatch(value):
            raise ValueError("expected a date like 2020-05-31")
        return date.fromisoformat(value)
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if isinstance(kind, Integer):
        if type(value) is not int or not PG_INT_MIN <= value <= PG_INT_MAX:
            raise ValueError("expected a whole number")
        return value
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ValueError("expected a number")
        return float(value)
    if isinstance(kind, String):
        if not isinstance(value, str):
            raise ValueError("expected text")
        if kind.length is not None and len(value) > kind.length:
            raise ValueError(f"is {len(value)} characters long; the limit is {kind.length}")
        if "\x00" in value:
            raise ValueError("contains a NUL character")
        return value
    if isinstance(kind, JSON):
        return value
    raise ValueError(f"has a type this format does not know ({type(kind).__name__})")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json_member(raw: bytes, member: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ArchiveError(f"{member} is not valid UTF-8 JSON: {str(error).splitlines()[0][:200]}") from None


def table_document(name: str, rows: Sequence[Row]) -> bytes:
    """One table as JSON: a header, then a row per line, keys in column order; same rows, same bytes."""
    head = json.dumps({"format": FORMAT, "table": name, "columns": columns_of(name)}, ensure_ascii=False)
    lines = [json.dumps(row, ensure_ascii=False, allow_nan=False) for row in rows]
    body = ",\n".join(lines)
    return (head[:-1] + ', "rows": [\n' + body + ("\n" if lines else "") + "]}\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------- export


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
    out["audit_event"] = _audit_rows(connection, fid, slug, out)

    partner_ids = {r["partner_id"] for r in out["framework_partner"]}
    partner_ids |= {r["partner_id"] for name in ("evidence", "kpi_value") for r in out[name]}
    user_ids = {r[c] for r in out["evidence"] for c in ("created_by_id", "updated_by_id")}
    user_ids |= {r["uploaded_by_id"] for r in out["attachment"]}
    user_ids |= {r["created_by_id"] for name in ("kpi_value", "rating_override") for r in out[name]}
    user_ids |= {r["actor_id"] for r in out["audit_event"]}
    users = {r["id"]: r for r in _in_chunks(connection, "user_account", "id", user_ids - {None})}
    # The leads of its partners are the framework's people even before they have logged anything.
    member_partners = [r["partner_id"] for r in out["framework_partner"]]
    users.update((r["id"], r) for r in _in_chunks(connection, "user_account", "partner_id", member_partners))
    out["user_account"] = [users[key] for key in sorted(users)]
    partner_ids |= {r["partner_id"] for r in out["user_account"]}
    out["partner"] = _in_chunks(connection, "partner", "id", partner_ids - {None})
    return {name: out[name] for name in TABLES}


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
    }
    loose = _rows(
        connection,
        "audit_event",
        audit.c.framework_id.is_(None),
        audit.c.object_type.in_(AUDIT_OBJECT_TYPES),
    )
    rows.update((r["id"], r) for r in loose if r["object_id"] in keys[r["object_type"]])
    return [rows[key] for key in sorted(rows)]


def _stored_file(upload_dir: Path, row: Row) -> Path:
    name = row["stored_name"]
    if not SAFE_STORED_NAME.fullmatch(name):
        raise ArchiveError(f"attachment {row['id']} has an unsafe stored name {name!r}; nothing was exported")
    return upload_dir / name


def export_framework(
    engine: Engine, slug: str, upload_dir: Path, output: Path, now: datetime, schema_revision: str | None
) -> ExportResult:
    """Write the zip next to its destination and rename it into place, so a failed export leaves nothing."""
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
                digest, size = _copy_attachment(zf, upload_dir, row)
                members[FILES_PREFIX + row["stored_name"]] = {"size": size, "sha256": digest}
                file_bytes += size
            framework = tables["framework"][0]
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": _timestamp(now),
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


def _copy_attachment(zf: zipfile.ZipFile, upload_dir: Path, row: Row) -> tuple[str, int]:
    """Stream one stored file into the zip, checking it is the file the database describes."""
    path = _stored_file(upload_dir, row)
    digest = hashlib.sha256()
    size = 0
    label = f"attachment {row['id']} ({row['original_name']}, evidence {row['evidence_id']})"
    try:
        with (
            path.open("rb") as source,
            # Zip64 headers only where a file needs them (over 2 GB), so common tools read the zip.
            zf.open(_member_info(FILES_PREFIX + path.name), "w", force_zip64=row["size"] > 2**31) as out,
        ):
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except FileNotFoundError:
        raise ArchiveError(f"{label}: its file {path} is missing; nothing was exported") from None
    if digest.hexdigest() != row["sha256"] or size != row["size"]:
        raise ArchiveError(f"{label}: its file {path} differs from its recorded sha256; nothing was exported")
    return digest.hexdigest(), size


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class Archive:
    """An export that passed every check that needs no database: safe to restore if nothing collides."""

    path: Path
    manifest: dict[str, Any]
    raw: dict[str, list[Row]]
    rows: dict[str, list[Row]]
    files: dict[str, zipfile.ZipInfo] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return str(self.manifest["framework"])


def _safe_member_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return False
    if re.match(r"[A-Za-z]:", name):
        return False
    parts = PurePosixPath(name).parts
    return all(part not in {"", ".", ".."} for part in parts) and not name.endswith("/")


def _check_directory(zf: zipfile.ZipFile, label: str) -> dict[str, zipfile.ZipInfo]:
    """Names, sizes and ratios from the zip's directory: unsafe or oversized archives are refused unread."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"{label}: has {len(infos):,} members; the limit is {MAX_MEMBERS:,}")
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if not _safe_member_name(name):
            raise ArchiveError(f"{label}: member {name!r} has an unsafe path (absolute or with ..)")
        if name in by_name:
            raise ArchiveError(f"{label}: member {name!r} appears twice")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ArchiveError(f"{label}: member {name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"{label}: member {name!r} is encrypted")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ArchiveError(
                f"{label}: expands to more than {MAX_TOTAL_BYTES // 1024**2:,} MB; "
                "refused as a possible zip bomb"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ArchiveError(
                f"{label}: member {name!r} expands {info.file_size // max(info.compress_size, 1):,} times; "
                "refused as a possible zip bomb"
            )
        by_name[name] = info
    return by_name


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sink: Any = None) -> tuple[str, bytes]:
    """The member's sha256 and (without a sink) its bytes, reading no more than its declared size."""
    digest = hashlib.sha256()
    parts: list[bytes] = []
    size = 0
    with zf.open(info) as source:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise ArchiveError(f"member {info.filename!r} is longer than the zip says")
            digest.update(chunk)
            if sink is None:
                parts.append(chunk)
            else:
                sink.write(chunk)
    return digest.hexdigest(), b"".join(parts)


def read_archive(path: Path) -> Archive:
    """Open and check an export completely (format, members, hashes, rows, references) without writing."""
    label = str(path)
    if not path.is_file():
        raise ArchiveError(f"{label}: no such file")
    try:
        with zipfile.ZipFile(path) as zf:
            return _read(zf, path, label)
    except zipfile.BadZipFile as error:
        raise ArchiveError(f"{label}: not a readable zip file ({error})") from None
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as error:
        raise ArchiveError(f"{label}: could not be read ({type(error).__name__}: {error})") from None


def _read(zf: zipfile.ZipFile, path: Path, label: str) -> Archive:
    infos = _check_directory(zf, label)
    info = infos.get(MANIFEST)
    if info is None:
        raise ArchiveError(f"{label}: not an outcomes tracker export (no {MANIFEST})")
    if info.file_size > MAX_MANIFEST_BYTES:
        raise ArchiveError(f"{label}: {MANIFEST} is too large")
    manifest = _json_member(_read_member(zf, info)[1], f"{label}: {MANIFEST}")
    _check_manifest(manifest, label)
    listed: dict[str, Any] = manifest["members"]
    present = set(infos) - {MANIFEST}
    missing = sorted(set(listed) - present)
    if missing:
        raise ArchiveError(
            f"{label}: member {missing[0]!r} is listed in the manifest but missing ({len(missing)} missing)"
        )
    unlisted = sorted(present - set(listed))
    if unlisted:
        raise ArchiveError(f"{label}: member {unlisted[0]!r} is not listed in the manifest")
    for name in TABLES:
        if f"{name}.json" not in listed:
            raise ArchiveError(f"{label}: member '{name}.json' is missing")
    extra = [n for n in listed if n not in {f"{t}.json" for t in TABLES} and not n.startswith(FILES_PREFIX)]
    if extra:
        raise ArchiveError(f"{label}: member {extra[0]!r} is not part of this format")
    documents: dict[str, bytes] = {}
    for name in sorted(listed):
        sink = None if not name.startswith(FILES_PREFIX) else _Discard()
        digest, data = _read_member(zf, infos[name], sink)
        if digest != listed[name]["sha256"] or infos[name].file_size != listed[name]["size"]:
            raise ArchiveError(f"{label}: member {name!r} is damaged: its sha256 differs from the manifest")
        if sink is None:
            documents[name] = data
    raw: dict[str, list[Row]] = {}
    rows: dict[str, list[Row]] = {}
    for name in TABLES:
        raw[name], rows[name] = _parse_table(name, documents[f"{name}.json"], label)
        if manifest["counts"].get(name) != len(rows[name]):
            raise ArchiveError(
                f"{label}: {name}.json has {len(rows[name])} rows; "
                f"the manifest says {manifest['counts'].get(name)}"
            )
    archive = Archive(path, manifest, raw, rows)
    archive.files = {n.removeprefix(FILES_PREFIX): infos[n] for n in listed if n.startswith(FILES_PREFIX)}
    _check_references(archive, label)
    return archive


class _Discard:
    """A sink for members only hashed while checking (attachments are copied later)."""

    def write(self, data: bytes) -> int:
        return len(data)


def _check_manifest(manifest: Any, label: str) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ArchiveError(f"{label}: not an outcomes tracker export (format {found!r}, expected {FORMAT!r})")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArchiveError(
            f"{label}: export format version {version!r} is not supported "
            f"(this tracker reads version {FORMAT_VERSION})"
        )
    members, counts = manifest.get("members"), manifest.get("counts")
    if not isinstance(manifest.get("framework"), str) or not isinstance(counts, dict):
        raise ArchiveError(f"{label}: {MANIFEST} lacks the framework id or the row counts")
    if not isinstance(members, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("sha256"), str) and isinstance(v.get("size"), int)
        for v in members.values()
    ):
        raise ArchiveError(f"{label}: {MANIFEST} lacks the size and sha256 of its members")


def _parse_table(name: str, data: bytes, label: str) -> tuple[list[Row], list[Row]]:
    member = f"{label}: {name}.json"
    document = _json_member(data, member)
    names = columns_of(name)
    if (
        not isinstance(document, dict)
        or document.get("table") != name
        or not isinstance(document.get("rows"), list)
    ):
        raise ArchiveError(f"{member}: not a table document for {name}")
    if document.get("columns") != names:
        found = document.get("columns") if isinstance(document.get("columns"), list) else []
        missing = [c for c in names if c not in found]
        unknown = [c for c in found if c not in names]
        raise ArchiveError(
            f"{member}: its columns differ from this tracker's (missing {missing}, unknown {unknown})"
        )
    table = _table(name)
    raw_rows: list[Row] = document["rows"]
    decoded: list[Row] = []
    seen: set[int] = set()
    for number, row in enumerate(raw_rows, start=1):
        if not isinstance(row, dict) or list(row) != names:
            raise ArchiveError(f"{member}: row {number} does not have exactly the columns of the header")
        values: Row = {}
        for column in table.columns:
            try:
                values[column.name] = _decode_value(column, row[column.name])
            except ValueError as error:
                raise ArchiveError(
                    f"{member}: row {number} (id {row.get('id')}): {column.name} {error}"
                ) from None
        if values["id"] < 1 or values["id"] in seen:
            raise ArchiveError(f"{member}: row {number}: id {values['id']} is repeated or not positive")
        seen.add(values["id"])
        decoded.append(values)
    return raw_rows, decoded


def _check_references(archive: Archive, label: str) -> None:
    """Every reference points at a row of the export, and every row belongs to the exported framework."""
    rows = archive.rows
    if len(rows["framework"]) != 1 or rows["framework"][0]["slug"] != archive.slug:
        raise ArchiveError(f"{label}: framework.json must hold exactly the framework '{archive.slug}'")
    fid = rows["framework"][0]["id"]
    ids = {name: {r["id"] for r in rows[name]} for name in TABLES}
    for name in TABLES:
        table = _table(name)
        for column in table.columns:
            for key in column.foreign_keys:
                parent = key.column.table.name
                for row in rows[name]:
                    value = row[column.name]
                    if value is not None and value not in ids[parent]:
                        raise ArchiveError(
                            f"{label}: {name}.json id {row['id']}: {column.name} {value} refers to "
                            f"no {parent} row in the export"
                        )
            if column.name == "framework_id" and name != "framework":
                stray = next((r for r in rows[name] if r["framework_id"] not in {fid, None}), None)
                if stray is not None or (
                    name != "audit_event" and any(r["framework_id"] is None for r in rows[name])
                ):
                    raise ArchiveError(f"{label}: {name}.json holds rows of another framework")
    stored = set()
    for row in rows["attachment"]:
        name = row["stored_name"]
        if not SAFE_STORED_NAME.fullmatch(name):
            raise ArchiveError(f"{label}: attachment {row['id']} has an unsafe stored name {name!r}")
        info = archive.files.get(name)
        listed = archive.manifest["members"].get(FILES_PREFIX + name)
        if info is None or listed is None:
            raise ArchiveError(f"{label}: the file of attachment {row['id']} (files/{name}) is missing")
        if listed["sha256"] != row["sha256"] or listed["size"] != row["size"]:
            raise ArchiveError(
                f"{label}: the file of attachment {row['id']} differs from its recorded sha256"
            )
        stored.add(name)
    orphans = sorted(set(archive.files) - stored)
    if orphans:
        raise ArchiveError(f"{label}: files/{orphans[0]} belongs to no attachment")


# ---------------------------------------------------------------------------------------------- restore


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


def restore(
    session: Session, archives: Sequence[Archive], upload_dir: Path, actor: Actor
) -> list[ImportResult]:
    """Insert every row with its own id, then the files; the caller commits; a rollback removes the files.

    Several archives restore in one transaction, one after another, so the rows they share (partners,
    users, refusals in the audit trail) are kept once and the trail of the restore comes after them all.
    """
    slugs = [a.slug for a in archives]
    if len(set(slugs)) != len(slugs):
        raise ArchiveError("the same framework is given twice; nothing was imported")
    results = []
    for archive in archives:
        todo, kept = _plan(session, archive, upload_dir)
        for name in TABLES:
            rows = todo[name]
            for start in range(0, len(rows), INSERT_BATCH):
                session.execute(insert(_table(name)), rows[start : start + INSERT_BATCH])
        file_bytes = _restore_files(session, archive, upload_dir)
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


def _restore_files(session: Session, archive: Archive, upload_dir: Path) -> int:
    """Each file written beside its place, checked, synced and renamed in; listed so a rollback removes it."""
    if not archive.rows["attachment"]:
        return 0
    upload_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = session.info.setdefault(NEW_FILES_KEY, [])
    total = 0
    with zipfile.ZipFile(archive.path) as zf:
        for row in archive.rows["attachment"]:
            name = row["stored_name"]
            final = upload_dir / name
            temporary = upload_dir / f".{name}.{secrets.token_hex(4)}.part"
            try:
                with temporary.open("xb") as out:
                    digest, _ = _read_member(zf, archive.files[name], out)
                    out.flush()
                    os.fsync(out.fileno())
                if digest != row["sha256"]:
                    raise ArchiveError(f"the file of attachment {row['id']} changed while it was restored")
                if final.exists():
                    raise ArchiveError(f"the upload folder already has a file {name}; nothing was imported")
                os.replace(temporary, final)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            written.append(final)
            total += row["size"]
    return total


# ---------------------------------------------------------------------------------------------- backup


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

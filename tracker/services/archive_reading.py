"""Reading an export: every check that needs no database (format, members, digests, rows, references)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.domain.survey_orgs import ORG_KEY, ORG_KEY_MAX, ORG_KINDS
from tracker.services.archive_format import (
    ADDED_GROUPS,
    FILES_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    ID_LISTS,
    MANIFEST,
    SAFE_STORED_NAME,
    TABLES,
    ArchiveError,
    Row,
    columns_of,
    decode_value,
    json_member,
    table_of,
)
from tracker.services.archive_plans import check_plans
from tracker.services.archive_safety import (
    DEFAULT_MAX_FILE_BYTES,
    MAX_MANIFEST_BYTES,
    SHA256,
    Discard,
    check_declared,
    check_directory,
    read_member,
)


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


def read_archive(path: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Archive:
    """Open and check an export completely (format, members, hashes, rows, references) without writing.

    `max_file_bytes` is the largest attachment to accept: the importing tracker's upload limit.
    """
    label = str(path)
    if not path.is_file():
        raise ArchiveError(f"{label}: no such file")
    try:
        with zipfile.ZipFile(path) as zf:
            return _read(zf, path, label, max_file_bytes)
    except zipfile.BadZipFile as error:
        raise ArchiveError(f"{label}: not a readable zip file ({error})") from None
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as error:
        raise ArchiveError(f"{label}: could not be read ({type(error).__name__}: {error})") from None


def _read(zf: zipfile.ZipFile, path: Path, label: str, max_file_bytes: int) -> Archive:
    infos = check_directory(zf, label, max_file_bytes)
    info = infos.get(MANIFEST)
    if info is None:
        raise ArchiveError(f"{label}: not an outcomes tracker export (no {MANIFEST})")
    manifest = json_member(read_member(zf, info, MAX_MANIFEST_BYTES, label)[1], f"{label}: {MANIFEST}")
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
    absent = _absent_tables(manifest, listed, label)
    for name in TABLES:
        if f"{name}.json" not in listed and name not in absent:
            raise ArchiveError(f"{label}: member '{name}.json' is missing")
    extra = [n for n in listed if n not in {f"{t}.json" for t in TABLES} and not n.startswith(FILES_PREFIX)]
    if extra:
        raise ArchiveError(f"{label}: member {extra[0]!r} is not part of this format")
    check_declared(label, infos, listed, max_file_bytes)
    documents: dict[str, bytes] = {}
    for name in sorted(listed):
        sink = None if not name.startswith(FILES_PREFIX) else Discard()
        declared = listed[name]["size"]
        digest, data = read_member(zf, infos[name], declared, label, sink)
        if digest != listed[name]["sha256"]:
            raise ArchiveError(f"{label}: member {name!r} is damaged: its sha256 differs from the manifest")
        if sink is None:
            documents[name] = data
    raw: dict[str, list[Row]] = {}
    rows: dict[str, list[Row]] = {}
    for name in TABLES:
        if name in absent:
            raw[name], rows[name] = [], []
            continue
        raw[name], rows[name] = _parse_table(name, documents[f"{name}.json"], label)
        if manifest["counts"].get(name) != len(rows[name]):
            raise ArchiveError(
                f"{label}: {name}.json has {len(rows[name])} rows; "
                f"the manifest says {manifest['counts'].get(name)}"
            )
    archive = Archive(path, manifest, raw, rows)
    archive.files = {n.removeprefix(FILES_PREFIX): infos[n] for n in listed if n.startswith(FILES_PREFIX)}
    _check_references(archive, label)
    check_plans(rows, label)
    _check_orgs(rows["survey_org"], label)
    return archive


def _check_orgs(rows: list[Row], label: str) -> None:
    """Each survey organisation is one `tracker survey orgs` could have saved (id, kind, name, region)."""
    seen: set[tuple[int, str, str]] = set()
    for row in rows:
        here = f"{label}: survey_org.json id {row['id']}"
        key = (row["framework_id"], row["survey_slug"], row["org_key"])
        if len(row["org_key"]) > ORG_KEY_MAX or not ORG_KEY.fullmatch(row["org_key"]):
            raise ArchiveError(f"{here}: org_key {row['org_key'][:60]!r} is not a valid organisation id")
        if key in seen:
            raise ArchiveError(f"{here}: organisation '{row['org_key']}' of {row['survey_slug']} is repeated")
        seen.add(key)
        if row["kind"] not in ORG_KINDS:
            raise ArchiveError(f"{here}: kind {row['kind'][:40]!r} is not one of {', '.join(ORG_KINDS)}")
        for name in ("name", "region"):
            if not row[name].strip():
                raise ArchiveError(f"{here}: {name} is blank")


def _absent_tables(manifest: dict[str, Any], listed: dict[str, Any], label: str) -> set[str]:
    """The tables added since format 1 that an export made before them lacks (a whole group or none of it)."""
    absent: set[str] = set()
    for group in ADDED_GROUPS:
        lacking = {name for name in group if f"{name}.json" not in listed}
        if not lacking:
            continue
        if len(lacking) != len(group):
            first = next(name for name in group if name in lacking)
            raise ArchiveError(f"{label}: member '{first}.json' is missing")
        counted = next((name for name in group if manifest["counts"].get(name) not in (None, 0)), None)
        if counted is not None:
            raise ArchiveError(
                f"{label}: member '{counted}.json' is missing; the manifest says it has "
                f"{manifest['counts'][counted]} rows"
            )
        absent |= lacking
    return absent


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
        isinstance(v, dict)
        and isinstance(v.get("sha256"), str)
        and SHA256.fullmatch(v["sha256"])
        and type(v.get("size")) is int
        and v["size"] >= 0
        for v in members.values()
    ):
        raise ArchiveError(f"{label}: {MANIFEST} lacks the size and sha256 of its members")


def _applies_from(row: Row) -> Any:
    """As migration 0010 dates an override made before it: its ratings' date, or its day if earlier."""
    return min(str(row["as_of"]), str(row["created_at"])[:10])


# Columns added after export format 1 was fixed, filled in for an older export as their migration fills
# existing rows, so that every export this tracker ever wrote still restores.
def _not_said(_row: Row) -> str:
    """As migration 0011 leaves an item stored before it: what it answers and the KPI it reports not said."""
    return ""


ADDED_COLUMNS: dict[tuple[str, str], Callable[[Row], Any]] = {
    ("rating_override", "applies_from"): _applies_from,
    ("evidence", "shows"): _not_said,
    ("evidence", "kpi"): _not_said,
}


def _upgrade(name: str, document: Any, names: list[str], member: str) -> None:
    """Give an older export's rows the columns added since, when those are all it lacks."""
    if not isinstance(document, dict) or not isinstance(document.get("columns"), list):
        return
    added = [c for c in names if (name, c) in ADDED_COLUMNS and c not in document["columns"]]
    if not added or [c for c in names if c not in added] != document["columns"]:
        return
    rows = document.get("rows")
    if not isinstance(rows, list):
        return
    for number, row in enumerate(rows):
        if not isinstance(row, dict):
            return
        try:
            filled = {**row, **{c: ADDED_COLUMNS[(name, c)](row) for c in added}}
        except (KeyError, TypeError):
            raise ArchiveError(
                f"{member}: row {number + 1} lacks what {', '.join(added)} is made from"
            ) from None
        rows[number] = {c: filled[c] for c in names} if set(filled) == set(names) else filled
    document["columns"] = names


def _parse_table(name: str, data: bytes, label: str) -> tuple[list[Row], list[Row]]:
    member = f"{label}: {name}.json"
    document = json_member(data, member)
    names = columns_of(name)
    _upgrade(name, document, names, member)
    if (
        not isinstance(document, dict)
        or document.get("table") != name
        or not isinstance(document.get("rows"), list)
    ):
        raise ArchiveError(f"{member}: not a table document for {name}")
    if document.get("columns") != names:
        columns = document.get("columns")
        found: list[Any] = columns if isinstance(columns, list) else []
        missing = [c for c in names if c not in found]
        unknown = [c for c in found if c not in names]
        raise ArchiveError(
            f"{member}: its columns differ from this tracker's (missing {missing}, unknown {unknown})"
        )
    table = table_of(name)
    raw_rows: list[Row] = document["rows"]
    decoded: list[Row] = []
    seen: set[int] = set()
    for number, row in enumerate(raw_rows, start=1):
        if not isinstance(row, dict) or list(row) != names:
            raise ArchiveError(f"{member}: row {number} does not have exactly the columns of the header")
        values: Row = {}
        for column in table.columns:
            try:
                values[column.name] = decode_value(column, row[column.name])
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
        table = table_of(name)
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
    for (name, column_name), parent in ID_LISTS.items():
        for row in rows[name]:
            value = row[column_name]
            if not isinstance(value, list) or not all(type(i) is int for i in value):
                raise ArchiveError(f"{label}: {name}.json id {row['id']}: {column_name} is not a list of ids")
            dangling = next((i for i in value if i not in ids[parent]), None)
            if dangling is not None:
                raise ArchiveError(
                    f"{label}: {name}.json id {row['id']}: {column_name} {dangling} refers to "
                    f"no {parent} row in the export"
                )
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

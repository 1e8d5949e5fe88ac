"""Zip safety for imports: member names, absolute limits, and reading a member no further than allowed.

An export is guarded by what its manifest declares (each member's size and sha256) and by absolute limits,
not by how well it compresses: a 20 MiB PDF of zeros that the tracker accepted expands a thousand times
and must still restore. The zip's own sizes are checked against both before a byte is inflated, and each
member is then read in chunks and refused as soon as it passes its declared size, whatever the zip says.
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
from pathlib import PurePosixPath
from typing import Any, Protocol

from tracker.formatting import file_size
from tracker.services.archive_format import CHUNK, FILES_PREFIX, MANIFEST, ArchiveError

# The upload limit the tracker ships with; `tracker import` passes the configured UPLOAD_MAX_BYTES.
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_TABLE_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 32 * 1024**3
MAX_MEMBERS = 200_000
SHA256 = re.compile(r"[0-9a-f]{64}")


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Discard:
    """A sink for members only hashed while checking (attachments are copied later)."""

    def write(self, data: bytes, /) -> int:
        return len(data)


def safe_member_name(name: str) -> bool:
    """A relative path without `..`, drive letters, backslashes or NULs: one that cannot leave a folder."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return False
    if re.match(r"[A-Za-z]:", name):
        return False
    parts = PurePosixPath(name).parts
    return all(part not in {"", ".", ".."} for part in parts) and not name.endswith("/")


def member_limit(name: str, max_file_bytes: int) -> tuple[int, str]:
    """The most a member may expand to, and what it is (for the refusal): by kind, never by ratio."""
    if name == MANIFEST:
        return MAX_MANIFEST_BYTES, "the manifest"
    if name.startswith(FILES_PREFIX):
        return max_file_bytes, "an attachment (the upload limit, UPLOAD_MAX_BYTES)"
    return MAX_TABLE_BYTES, "a table document"


def _too_large(label: str, name: str, size: int, max_file_bytes: int, source: str) -> ArchiveError | None:
    limit, kind = member_limit(name, max_file_bytes)
    if size <= limit:
        return None
    return ArchiveError(
        f"{label}: member {name!r} {source} {size:,} bytes, more than the {limit:,} ({file_size(limit)}) "
        f"allowed for {kind}; refused as a possible zip bomb"
    )


def check_directory(zf: zipfile.ZipFile, label: str, max_file_bytes: int) -> dict[str, zipfile.ZipInfo]:
    """Names and sizes from the zip's directory: unsafe or oversized archives are refused unread."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"{label}: has {len(infos):,} members; the limit is {MAX_MEMBERS:,}")
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if not safe_member_name(name):
            raise ArchiveError(f"{label}: member {name!r} has an unsafe path (absolute or with ..)")
        if name in by_name:
            raise ArchiveError(f"{label}: member {name!r} appears twice")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ArchiveError(f"{label}: member {name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"{label}: member {name!r} is encrypted")
        refusal = _too_large(label, name, info.file_size, max_file_bytes, "expands to")
        if refusal is not None:
            raise refusal
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ArchiveError(
                f"{label}: expands to more than {file_size(MAX_TOTAL_BYTES)} in all; "
                "refused as a possible zip bomb"
            )
        by_name[name] = info
    return by_name


def check_declared(
    label: str, infos: dict[str, zipfile.ZipInfo], listed: dict[str, dict[str, Any]], max_file_bytes: int
) -> None:
    """What the manifest declares is within the limits and agrees with the zip, before anything is read."""
    total = 0
    for name in sorted(listed):
        declared: int = listed[name]["size"]  # a whole number of 0 or more, checked with the manifest
        refusal = _too_large(label, name, declared, max_file_bytes, "is declared as")
        if refusal is not None:
            raise refusal
        if infos[name].file_size != declared:
            raise ArchiveError(
                f"{label}: member {name!r} is damaged: the zip says {infos[name].file_size:,} bytes, "
                f"the manifest {declared:,}"
            )
        total += declared
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(
            f"{label}: declares more than {file_size(MAX_TOTAL_BYTES)} in all; refused as a possible zip bomb"
        )


def check_importable(members: dict[str, dict[str, Any]]) -> None:
    """An export that an import would refuse for its size is refused when it is made, not at restore."""
    for name, member in members.items():
        if not name.startswith(FILES_PREFIX) and member["size"] > MAX_TABLE_BYTES:
            raise ArchiveError(
                f"{name} would be {member['size']:,} bytes, more than the {file_size(MAX_TABLE_BYTES)} "
                "an import accepts for a table document; nothing was exported"
            )
    total = sum(int(member["size"]) for member in members.values())
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(
            f"the export would hold {file_size(total)}, more than the {file_size(MAX_TOTAL_BYTES)} an import "
            "accepts; nothing was exported"
        )


def read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, label: str, sink: Sink | None = None
) -> tuple[str, bytes]:
    """The member's sha256 and (without a sink) its bytes, refused as soon as it passes `limit` bytes.

    The limit is the size the manifest declares (or an absolute one), never the zip header's own size,
    and the member is inflated a chunk at a time, so a member that lies about its size costs one chunk.
    """
    digest = hashlib.sha256()
    parts: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as source:
            while chunk := source.read(min(CHUNK, limit - size + 1)):
                size += len(chunk)
                if size > limit:
                    raise ArchiveError(
                        f"{label}: member {info.filename!r} expands beyond the {limit:,} bytes "
                        "declared for it; refused as a possible zip bomb"
                    )
                digest.update(chunk)
                if sink is None:
                    parts.append(chunk)
                else:
                    sink.write(chunk)
    except (zipfile.BadZipFile, EOFError) as error:
        raise ArchiveError(f"{label}: member {info.filename!r} is damaged ({error})") from None
    return digest.hexdigest(), b"".join(parts)

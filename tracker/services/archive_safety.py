"""Zip safety for imports: member names, absolute limits, and reading a member no further than allowed."""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
from pathlib import PurePosixPath
from typing import Any

from tracker.services.archive_format import CHUNK, ArchiveError

# Refusals before expansion: a zip bomb is refused from its directory, before a byte is inflated.
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_MEMBERS = 200_000
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


def safe_member_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return False
    if re.match(r"[A-Za-z]:", name):
        return False
    parts = PurePosixPath(name).parts
    return all(part not in {"", ".", ".."} for part in parts) and not name.endswith("/")


def check_directory(zf: zipfile.ZipFile, label: str) -> dict[str, zipfile.ZipInfo]:
    """Names, sizes and ratios from the zip's directory: unsafe or oversized archives are refused unread."""
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


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sink: Any = None) -> tuple[str, bytes]:
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


class Discard:
    """A sink for members only hashed while checking (attachments are copied later)."""

    def write(self, data: bytes) -> int:
        return len(data)

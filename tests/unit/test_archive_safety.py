"""Reading a zip member stops at the size it was declared with, whatever the zip's own header says."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from tracker.services.archive_format import CHUNK, ArchiveError
from tracker.services.archive_safety import member_limit, read_member

BIG = 64 * 1024 * 1024  # inflates from about 64 KB


class Counting:
    """A sink that keeps only how much it was given."""

    def __init__(self) -> None:
        self.total = 0

    def write(self, data: bytes, /) -> int:
        self.total += len(data)
        return len(data)


def zip_of(data: bytes) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("files/x", data)
    return zipfile.ZipFile(buffer)


def test_a_member_is_refused_as_soon_as_it_passes_its_declared_size() -> None:
    with zip_of(bytes(BIG)) as zf:
        info = zf.getinfo("files/x")
        sink = Counting()
        with pytest.raises(ArchiveError, match=r"expands beyond the 1,048,576 bytes declared for it"):
            read_member(zf, info, 1024 * 1024, "x.zip", sink)
    assert sink.total == 1024 * 1024  # what was declared, and not a byte more reached the sink


def test_the_zip_header_is_not_trusted_to_bound_the_read() -> None:
    """A header claiming more than the declared size does not let the read run on."""
    with zip_of(bytes(BIG)) as zf:
        info = zf.getinfo("files/x")
        info.file_size = 2 * BIG  # what a lying central directory would say
        sink = Counting()
        with pytest.raises(ArchiveError, match="refused as a possible zip bomb"):
            read_member(zf, info, CHUNK, "x.zip", sink)
    assert sink.total <= CHUNK


def test_a_member_of_exactly_its_declared_size_is_read_whole() -> None:
    data = b"%PDF-1.4\n" + bytes(3 * CHUNK + 5)
    with zip_of(data) as zf:
        digest, content = read_member(zf, zf.getinfo("files/x"), len(data), "x.zip")
    assert content == data and digest == hashlib.sha256(data).hexdigest()


def test_limits_are_by_kind_not_by_ratio() -> None:
    assert member_limit("files/abc", 20 * 1024 * 1024)[0] == 20 * 1024 * 1024
    assert member_limit("manifest.json", 1)[0] == 64 * 1024 * 1024
    assert member_limit("evidence.json", 1)[0] == 256 * 1024 * 1024

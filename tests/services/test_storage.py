"""Both storage back ends keep the same promises: one table of cases, run on the folder and the database."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from tracker.db.storage import StoredBlobChunk
from tracker.extensions import db
from tracker.storage import (
    CHUNK,
    BlobCorrupt,
    BlobMissing,
    BlobStore,
    BlobTooLarge,
    DatabaseStore,
    LocalStore,
    StorageError,
    StorageUrlError,
    check_url,
    store_for,
)

BACKENDS = ["local", "database"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[BlobStore]:
    with app.app_context():
        url = "database:" if request.param == "database" else (tmp_path / "blobs").as_uri()
        yield store_for(url, tmp_path / "uploads", lambda: db.session.connection())
        db.session.rollback()


def content(size: int, seed: int = 1) -> bytes:
    """Bytes that differ chunk to chunk, so a chunk out of order or repeated changes the digest."""
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


class Trickle:
    """A stream that gives a few bytes per read, as a slow network does: chunks never line up."""

    def __init__(self, data: bytes, step: int = 65_537) -> None:
        self.data, self.at, self.step = data, 0, step

    def read(self, size: int = -1, /) -> bytes:
        take = min(self.step, size if size >= 0 else len(self.data))
        out = self.data[self.at : self.at + take]
        self.at += len(out)
        return out


def put(store: BlobStore, data: bytes, limit: int = 10 * CHUNK) -> str:
    result = store.put(Trickle(data), limit)
    db.session.commit()
    return result.sha256


def flip_one_byte(store: BlobStore, digest: str, offset: int) -> None:
    """Damage the stored copy in place, as a disk or an operator might: one bit of one byte."""
    if isinstance(store, LocalStore):
        path = store.path(digest)
        data = bytearray(path.read_bytes())
        data[offset] ^= 0x01
        path.write_bytes(bytes(data))
        return
    seq, at = divmod(offset, CHUNK)
    chunk = StoredBlobChunk.__table__.c
    row = db.session.scalar(select(chunk.data).where(chunk.sha256 == digest, chunk.seq == seq))
    assert row is not None
    data = bytearray(row)
    data[at] ^= 0x01
    db.session.execute(
        update(StoredBlobChunk.__table__)
        .where(chunk.sha256 == digest, chunk.seq == seq)
        .values(data=bytes(data))
    )
    db.session.commit()


@pytest.mark.parametrize("size", [1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5])
def test_round_trip_across_chunk_boundaries(store: BlobStore, size: int) -> None:
    data = content(size)
    digest = put(store, data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.exists(digest) and store.size(digest) == size
    chunks = list(store.open(digest))
    assert b"".join(chunks) == data
    assert all(0 < len(c) <= CHUNK for c in chunks) and len(chunks) == -(-size // CHUNK)
    assert store.verify(digest) == size


def test_the_same_bytes_are_kept_once(store: BlobStore) -> None:
    first = store.put(Trickle(content(3000)), CHUNK)
    second = store.put(Trickle(content(3000)), CHUNK)
    db.session.commit()
    assert (first.created, second.created) == (True, False) and first.sha256 == second.sha256
    assert list(store.digests()) == [first.sha256]


def test_over_the_limit_is_refused_and_leaves_nothing(store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(BlobTooLarge):
        store.put(Trickle(content(CHUNK + 10)), CHUNK)
    db.session.commit()
    assert list(store.digests()) == []
    if isinstance(store, LocalStore):
        assert [p for p in store.root.rglob("*") if p.is_file()] == []
    exact = store.put(Trickle(content(CHUNK)), CHUNK)  # the limit itself is allowed
    assert exact.size == CHUNK


@pytest.mark.parametrize("offset", [0, CHUNK - 1, CHUNK, 2 * CHUNK + 4])
def test_a_corrupt_blob_is_refused_before_any_byte(store: BlobStore, offset: int) -> None:
    data = content(2 * CHUNK + 5)
    digest = put(store, data)
    flip_one_byte(store, digest, offset)
    with pytest.raises(BlobCorrupt) as refused:
        store.open(digest)  # raised on opening: nothing is handed out to be served
    assert digest in str(refused.value) and "corrupt" in str(refused.value)
    assert (
        refused.value.found
        == hashlib.sha256(bytes(b ^ (i == offset) for i, b in enumerate(data))).hexdigest()
    )
    with pytest.raises(BlobCorrupt):
        store.verify(digest)


def test_a_repair_put_replaces_a_corrupt_blob(store: BlobStore) -> None:
    data = content(CHUNK + 3)
    digest = put(store, data)
    flip_one_byte(store, digest, 7)
    put(store, data)
    assert b"".join(store.open(digest)) == data


def test_iterate_every_digest_in_order(store: BlobStore) -> None:
    digests = {put(store, content(100 + n, seed=n)) for n in range(7)}
    assert list(store.digests()) == sorted(digests)


def test_missing_and_malformed_digests(store: BlobStore) -> None:
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(absent)
    with pytest.raises(BlobMissing):
        store.open(absent)
    with pytest.raises(BlobMissing):
        store.size(absent)
    for bad in ("../../etc/passwd", "ABC", absent.upper(), absent + "0"):
        with pytest.raises(StorageError):
            store.open(bad)


def test_urls_name_their_back_end(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"

    def connect() -> Any:
        raise AssertionError("not used")

    assert isinstance(store_for("", uploads, connect), LocalStore)
    assert store_for("", uploads, connect).root == uploads / "blobs"  # type: ignore[attr-defined]
    assert store_for((tmp_path / "x y").as_uri(), uploads, connect).root == tmp_path / "x y"  # type: ignore[attr-defined]
    assert isinstance(store_for("database:", uploads, connect), DatabaseStore)
    for bad in ("s3://bucket", "file://relative/path", "database", "/abs/path", "postgresql://x"):
        with pytest.raises(StorageUrlError) as refused:
            check_url(bad)
        assert (
            "STORAGE_URL (TRACKER_STORAGE_URL)" in str(refused.value.message) and bad in refused.value.message
        )


def test_a_bad_url_stops_the_app_at_start(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_STORAGE_URL", "s3://nowhere")
    with pytest.raises(StorageUrlError, match=r"STORAGE_URL \(TRACKER_STORAGE_URL\) 's3://nowhere'"):
        make_app(STORAGE_URL=os.environ["TRACKER_STORAGE_URL"])

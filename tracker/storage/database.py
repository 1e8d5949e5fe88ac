"""The database back end (`database:`): blobs as 1 MB chunk rows, in the caller's transaction.

Writes join the transaction of the connection the store is given (the request's, the command's), so a blob
is kept exactly when the row that names it is committed; SQLite and PostgreSQL both hold them (BLOB, bytea).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator

from sqlalchemy import Connection, delete, func, insert, select

import tracker.db.storage  # noqa: F401  (defines the two tables)
from tracker.db.base import Base, utcnow
from tracker.storage.base import (
    CHUNK,
    BlobCorrupt,
    BlobMissing,
    BlobStore,
    BlobTooLarge,
    PutResult,
    Readable,
    check_digest,
)

URL = "database:"
BLOB = Base.metadata.tables["stored_blob"]
PIECE = Base.metadata.tables["stored_blob_chunk"]


class DatabaseStore(BlobStore):
    """Each call asks `connect` for the connection to use, so it always works in the current transaction."""

    def __init__(self, connect: Callable[[], Connection]) -> None:
        self.connect = connect
        self.url = URL

    def put(self, stream: Readable, max_bytes: int) -> PutResult:
        digest = hashlib.sha256()
        size = 0
        # Hashed into a temporary file first: the rows are keyed by the digest, known only at the end.
        with tempfile.TemporaryFile() as spool:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise BlobTooLarge(max_bytes)
                digest.update(chunk)
                spool.write(chunk)
            name = digest.hexdigest()
            if self.exists(name):
                try:
                    self.verify(name)
                    return PutResult(name, size, created=False)
                except BlobCorrupt:
                    self.discard(name)  # the same bytes are written again below: a repair
            connection = self.connect()
            connection.execute(insert(BLOB).values(sha256=name, size=size, created_at=utcnow()))
            spool.seek(0)
            seq = 0
            while chunk := spool.read(CHUNK):
                connection.execute(insert(PIECE).values(sha256=name, seq=seq, data=chunk))
                seq += 1
        return PutResult(name, size, created=True)

    def raw_chunks(self, digest: str) -> Iterator[bytes]:
        """One query per chunk, so no driver ever holds more than one chunk of the blob in memory."""
        check_digest(digest)
        count = self.connect().scalar(select(func.count()).where(PIECE.c.sha256 == digest))
        if not count and not self.exists(digest):
            raise BlobMissing(f"the stored file {digest} is missing from {self.url}")
        for seq in range(count or 0):
            data = self.connect().scalar(
                select(PIECE.c.data).where(PIECE.c.sha256 == digest, PIECE.c.seq == seq)
            )
            if data is None:
                raise BlobMissing(f"chunk {seq} of the stored file {digest} is missing from {self.url}")
            yield bytes(data)

    def exists(self, digest: str) -> bool:
        check_digest(digest)
        return self.connect().scalar(select(BLOB.c.sha256).where(BLOB.c.sha256 == digest)) is not None

    def size(self, digest: str) -> int:
        check_digest(digest)
        size = self.connect().scalar(select(BLOB.c.size).where(BLOB.c.sha256 == digest))
        if size is None:
            raise BlobMissing(f"the stored file {digest} is missing from {self.url}")
        return int(size)

    def digests(self) -> Iterator[str]:
        yield from self.connect().scalars(select(BLOB.c.sha256).order_by(BLOB.c.sha256)).all()

    def discard(self, digest: str) -> None:
        check_digest(digest)
        connection = self.connect()
        connection.execute(delete(PIECE).where(PIECE.c.sha256 == digest))
        connection.execute(delete(BLOB).where(BLOB.c.sha256 == digest))

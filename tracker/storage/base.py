"""The one interface every store keeps: blobs named by their SHA-256, written and read in chunks, verified."""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

CHUNK = 1024 * 1024
DIGEST = re.compile(r"[0-9a-f]{64}")


class Readable(Protocol):
    """What put() reads from: an open file, an upload's stream, a zip member, a ChunkReader."""

    def read(self, size: int = -1, /) -> bytes: ...


class StorageError(Exception):
    """A blob that cannot be stored or served; the message names the blob and the store."""


class BlobTooLarge(StorageError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than the limit of {limit:,} bytes")
        self.limit = limit


class BlobMissing(StorageError):
    pass


class BlobCorrupt(StorageError):
    """The stored bytes no longer hash to the digest they are kept under: never served."""

    def __init__(self, digest: str, found: str, where: str) -> None:
        super().__init__(
            f"the stored file {digest} in {where} is corrupt: its bytes hash to {found}, not to its name"
        )
        self.digest = digest
        self.found = found


@dataclass(frozen=True)
class PutResult:
    sha256: str
    size: int
    created: bool  # False when the store held these bytes already


def check_digest(digest: str) -> str:
    """A digest is 64 lower-case hex characters: anything else never reaches a path or a query."""
    if not DIGEST.fullmatch(digest):
        raise StorageError(f"{digest!r} is not a SHA-256 digest")
    return digest


def verified(raw: Callable[[], Iterable[bytes]], digest: str, where: str) -> Iterator[bytes]:
    """Read the bytes once to check their digest, then yield them again, re-checked at the end.

    Nothing is yielded before the whole blob has hashed right, so a corrupt blob serves no byte; should the
    bytes change between the two passes, the second pass raises before its last chunk.
    """
    first = hashlib.sha256()
    for chunk in raw():
        first.update(chunk)
    if first.hexdigest() != digest:
        raise BlobCorrupt(digest, first.hexdigest(), where)
    return _again(raw, digest, where)


def _again(raw: Callable[[], Iterable[bytes]], digest: str, where: str) -> Iterator[bytes]:
    second = hashlib.sha256()
    pending: bytes | None = None
    for chunk in raw():
        second.update(chunk)
        if pending is not None:
            yield pending
        pending = chunk
    if second.hexdigest() != digest:
        raise BlobCorrupt(digest, second.hexdigest(), where)
    if pending is not None:
        yield pending


class ChunkReader:
    """A read()able view of an iterator of chunks, so one store's output is another's put() input."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1, /) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


class BlobStore(ABC):
    """A content-addressed store: put() returns the digest; open() serves only bytes that hash to it."""

    url: str

    @abstractmethod
    def put(self, stream: Readable, max_bytes: int) -> PutResult:
        """Copy the stream in chunks (hashing as it goes) and keep it under its digest; BlobTooLarge past
        max_bytes, leaving nothing."""

    @abstractmethod
    def raw_chunks(self, digest: str) -> Iterator[bytes]:
        """The stored bytes as they are, unchecked (BlobMissing if absent): for open() and verify() only."""

    @abstractmethod
    def exists(self, digest: str) -> bool: ...

    @abstractmethod
    def size(self, digest: str) -> int: ...

    @abstractmethod
    def digests(self) -> Iterator[str]:
        """Every digest held, in order."""

    @abstractmethod
    def discard(self, digest: str) -> None:
        """Undo a put() whose transaction rolled back (the only removal there is)."""

    def open(self, digest: str) -> Iterator[bytes]:
        """The blob's chunks, after its digest is checked (BlobCorrupt, BlobMissing before any byte)."""
        check_digest(digest)
        if not self.exists(digest):
            raise BlobMissing(f"the stored file {digest} is missing from {self.url}")
        return verified(lambda: self.raw_chunks(digest), digest, self.url)

    def verify(self, digest: str) -> int:
        """Hash the stored bytes once; their size when they match the digest, BlobCorrupt when not."""
        check_digest(digest)
        if not self.exists(digest):
            raise BlobMissing(f"the stored file {digest} is missing from {self.url}")
        found, size = hashlib.sha256(), 0
        for chunk in self.raw_chunks(digest):
            found.update(chunk)
            size += len(chunk)
        if found.hexdigest() != digest:
            raise BlobCorrupt(digest, found.hexdigest(), self.url)
        return size

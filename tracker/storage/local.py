"""The local folder back end (the default): a blob is the file `<root>/ab/cdef…` named by its digest."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from tracker.storage.base import (
    CHUNK,
    BlobMissing,
    BlobStore,
    BlobTooLarge,
    PutResult,
    Readable,
    check_digest,
)

TEMPORARY = ".incoming"


class LocalStore(BlobStore):
    """Files under one folder, written beside their place, synced and renamed in, so none is ever partial."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.as_uri()

    def path(self, digest: str) -> Path:
        check_digest(digest)
        return self.root / digest[:2] / digest[2:]

    def put(self, stream: Readable, max_bytes: int) -> PutResult:
        incoming = self.root / TEMPORARY
        incoming.mkdir(parents=True, exist_ok=True)
        temporary = incoming / f"{secrets.token_hex(16)}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with temporary.open("xb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            final = self.path(digest.hexdigest())
            created = not final.exists()
            final.parent.mkdir(exist_ok=True)
            # Also when the blob is there: the same bytes replace it, and repair it if it was corrupt.
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return PutResult(digest.hexdigest(), size, created)

    def raw_chunks(self, digest: str) -> Iterator[bytes]:
        try:
            handle = self.path(digest).open("rb")
        except FileNotFoundError:
            raise BlobMissing(f"the stored file {digest} is missing from {self.url}") from None
        with handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def size(self, digest: str) -> int:
        try:
            return self.path(digest).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(f"the stored file {digest} is missing from {self.url}") from None

    def digests(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and len(p.name) == 2):
            for path in sorted(folder.iterdir()):
                name = folder.name + path.name
                if path.is_file() and len(name) == 64:
                    yield name

    def discard(self, digest: str) -> None:
        self.path(digest).unlink(missing_ok=True)

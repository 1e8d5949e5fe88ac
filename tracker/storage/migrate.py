"""`tracker storage migrate`: copy every file the database names into another store, verified both ways."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db.models import Attachment
from tracker.storage.base import BlobCorrupt, BlobMissing, BlobStore, ChunkReader, StorageError


@dataclass(frozen=True)
class Ref:
    """One blob the database names, with the first attachment that names it (for located messages)."""

    sha256: str
    size: int
    attachment_id: int
    stored_name: str
    original_name: str
    evidence_id: int

    @property
    def label(self) -> str:
        return f"attachment {self.attachment_id} ({self.original_name}, evidence {self.evidence_id})"


@dataclass
class Migration:
    copied: int = 0
    kept: int = 0  # already in the target, checked
    problems: list[str] = field(default_factory=list)


def referenced(session: Session) -> list[Ref]:
    """Every distinct digest the attachment rows name, in digest order (archived rows included)."""
    first = (
        select(Attachment.sha256, func.min(Attachment.id).label("first_id"))
        .group_by(Attachment.sha256)
        .subquery()
    )
    rows = session.execute(
        select(
            Attachment.sha256,
            Attachment.size,
            Attachment.id,
            Attachment.stored_name,
            Attachment.original_name,
            Attachment.evidence_id,
        )
        .join(first, Attachment.id == first.c.first_id)
        .order_by(Attachment.sha256)
    )
    return [Ref(*row) for row in rows]


def copy_one(source: BlobStore, target: BlobStore, upload_dir: Path, ref: Ref, result: Migration) -> None:
    """Copy one blob unless the target holds it already (then its digest is checked instead).

    The source's digest is checked before a byte is written, the copy's after: a problem is added to
    `result.problems` with the attachment it belongs to, and the next blob is copied all the same.
    """
    from tracker.services.attachments import open_stored  # the old-place fallback lives with the attachments

    try:
        if target.exists(ref.sha256):
            try:
                target.verify(ref.sha256)
                result.kept += 1
                return
            except BlobCorrupt:
                pass  # written again below from the good source: put() replaces it
        chunks = open_stored(source, upload_dir, ref.sha256, ref.stored_name, ref.label)
        kept = target.put(ChunkReader(chunks), max(ref.size, 1))
        if kept.sha256 != ref.sha256 or target.verify(ref.sha256) != ref.size:
            raise StorageError(f"the copy of {ref.sha256} in {target.url} does not read back the same")
        result.copied += 1
    except (BlobCorrupt, BlobMissing, StorageError) as problem:
        result.problems.append(f"{ref.label}: {problem}")

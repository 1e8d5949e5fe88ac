"""Stores uploads safely: allowed types only, bytes that match the extension, kept in the configured store.

The bytes go through `tracker.storage` (content-addressed, verified on read); files stored before issue 23
lie at `<UPLOAD_FOLDER>/<stored_name>` and are still read from there, verified the same way (docs/storage.md).
"""

from __future__ import annotations

import codecs
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from tracker.db.models import Attachment
from tracker.formatting import file_size
from tracker.services.audit import Actor, record_apart
from tracker.storage import (
    CHUNK,
    BlobCorrupt,
    BlobMissing,
    BlobStore,
    BlobTooLarge,
    LocalStore,
    PutResult,
    default_root,
    verified,
)
from tracker.storage.local import TEMPORARY

ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
# Checked whole as UTF-8 text (the binary types are checked by their signature and structure).
TEXT_TYPES = frozenset({"csv"})
MAX_NAME_CHARS = 200  # the column holds 255
MAX_NAME_BYTES = 240  # a file system's name holds 255 bytes
MAX_EXTENSION = 10
# RFC 5987 attr-char: what may stand unencoded in filename*.
RFC5987_SAFE = "!#$&+-.^_`|~"
NEW_FILES_KEY = "tracker_new_files"
# A stored name as the tracker makes them (32 hex) or as older exports carry them: never a path.
SAFE_STORED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class UploadRefused(ValueError):
    """An upload that is not stored; `status` is the HTTP status that fits (413 for too large)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def display_name(filename: str) -> str:
    """The name shown and offered on download: no folders, no odd characters, but any script's letters.

    Like werkzeug's secure_filename (letters, digits, `_`, `.`, `-`; spaces become `_`), except that
    letters and digits of every script are kept after NFKC normalisation: `файл.pdf` stays `файл.pdf`
    instead of becoming `pdf`. Controls, format characters (bidi overrides) and path separators go; leading
    and trailing dots and underscores go; the extension is kept when the name is shortened.
    """
    text = unicodedata.normalize("NFKC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    text = "_".join(text.split())
    text = "".join(c for c in text if c in "_.-" or unicodedata.category(c)[0] in "LNM").strip("._")
    stem, dot, ext = text.rpartition(".")
    if not dot or len(ext) > MAX_EXTENSION:
        stem, ext = text, ""
    suffix = f".{ext}" if ext else ""
    stem = stem[: MAX_NAME_CHARS - len(suffix)]
    while len((stem + suffix).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip("._") or "attachment") + suffix


def attachment_header(filename: str) -> str:
    """A Content-Disposition value that no label can break (RFC 6266, with RFC 5987 UTF-8 for other scripts).

    CR, LF and other controls, quotes, backslashes, path separators and bidi overrides never reach the
    header: the `filename` fallback is plain printable ASCII, and `filename*` is percent-encoded UTF-8.
    """
    name = unicodedata.normalize("NFKC", filename).replace("/", "_").replace("\\", "_")
    name = " ".join("".join(c if unicodedata.category(c)[0] not in "CZ" else " " for c in name).split())
    name = name.lstrip(".")
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > MAX_EXTENSION or not stem:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    stem = stem[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") or "download"
    name = stem + suffix
    plain_ext = _ascii(ext)
    fallback = (_ascii(stem) or "download") + (f".{plain_ext}" if plain_ext else "")
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe=RFC5987_SAFE)}"
    return header


def _ascii(text: str) -> str:
    """Accents dropped, anything outside a conservative printable set replaced by `_`, no leading dots."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9 ._()+,=@!#&'~-]", "_", plain)
    plain = re.sub(r" {2,}", " ", re.sub(r"_{2,}", "_", plain))
    return plain.lstrip(". _").rstrip(" _")


def _is_text(path: Path) -> bool:
    """UTF-8 without NULs from the first byte to the last, read in chunks (bounded memory, any size)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _bytes_match(path: Path, ext: str) -> bool:
    with path.open("rb") as handle:
        head = handle.read(8)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head == b"\x89PNG\r\n\x1a\n"
    if ext in {"jpg", "jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if ext in {"docx", "xlsx"}:
        if not head.startswith(b"PK\x03\x04"):
            return False
        part = "word/document.xml" if ext == "docx" else "xl/workbook.xml"
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return False
        return "[Content_Types].xml" in names and part in names
    if ext in TEXT_TYPES:
        return _is_text(path)
    return False


def store(
    session: Session, blobs: BlobStore, upload_dir: Path, filename: str, stream: IO[bytes], max_bytes: int
) -> StoredFile:
    """Copy the stream to a temporary file and check it, then put it in the store; nothing partial is left."""
    name = display_name(filename)
    ext = extension_of(name)
    if ext not in ALLOWED_TYPES:
        allowed = ", ".join(sorted({e for e in ALLOWED_TYPES if e != "jpeg"}))
        raise UploadRefused(f"{name}: files of this type are not accepted (accepted: {allowed})")
    upload_dir.mkdir(parents=True, exist_ok=True)
    temporary = upload_dir / f".{secrets.token_hex(16)}.part"
    size = 0
    try:
        with temporary.open("xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(f"{name} is larger than the limit of {file_size(max_bytes)}", 413)
                out.write(chunk)
        if size == 0:
            raise UploadRefused(f"{name} is empty")
        if not _bytes_match(temporary, ext):
            raise UploadRefused(f"{name}: the file's contents are not a .{ext} file")
        with temporary.open("rb") as checked:
            kept = blobs.put(checked, max_bytes)
    except BlobTooLarge:
        raise UploadRefused(f"{name} is larger than the limit of {file_size(max_bytes)}", 413) from None
    except OSError as error:
        raise UploadRefused(f"{name} could not be stored: {error.strerror or error}", 507) from None
    finally:
        temporary.unlink(missing_ok=True)
    note_new_blob(session, blobs, kept)
    return StoredFile(name, secrets.token_hex(16), ALLOWED_TYPES[ext], size, kept.sha256)


def note_new_blob(session: Session, blobs: BlobStore, kept: PutResult) -> None:
    """A blob a local folder did not hold before is removed if the transaction rolls back (the database
    store's rows roll back with it by themselves)."""
    if kept.created and isinstance(blobs, LocalStore):
        session.info.setdefault(NEW_FILES_KEY, []).append(blobs.path(kept.sha256))


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def open_attachment(blobs: BlobStore, upload_dir: Path, attachment: Attachment) -> Iterator[bytes]:
    """The attachment's bytes in chunks, only once they hash to the digest on its row.

    Raises BlobCorrupt (nothing read is served) or BlobMissing before the first chunk.
    """
    return open_stored(
        blobs, upload_dir, attachment.sha256, attachment.stored_name, f"attachment {attachment.id}"
    )


def open_stored(
    blobs: BlobStore, upload_dir: Path, sha256: str, stored_name: str, label: str
) -> Iterator[bytes]:
    """A stored file's verified chunks: from the store, else (stored before issue 23) from its old place."""
    if blobs.exists(sha256):
        return blobs.open(sha256)
    old = upload_dir / stored_name if SAFE_STORED_NAME.fullmatch(stored_name) else None
    if old is None or not old.is_file():
        raise BlobMissing(f"the file of {label} ({sha256}) is missing from {blobs.url}")
    return verified(lambda: _file_chunks(old), sha256, str(old))


def record_corrupt(engine: Engine, actor: Actor, attachment_id: int, name: str, corrupt: BlobCorrupt) -> None:
    """A refused download of a damaged file, kept in the audit trail even though the request rolls back."""
    record_apart(
        engine,
        actor,
        "storage.corrupt",
        object_type="attachment",
        object_id=attachment_id,
        detail=f"download of {name} refused: {corrupt}",
    )


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(NEW_FILES_KEY, None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_new_files(session: Session, _previous: Any) -> None:
    """Files stored for a transaction that did not commit are removed, so no file is left without its row.

    Only blobs the store did not hold before are listed, so a blob an earlier upload shares is kept.
    """
    for path in session.info.pop(NEW_FILES_KEY, []):
        Path(path).unlink(missing_ok=True)


@dataclass(frozen=True)
class Sweep:
    moved: tuple[str, ...]
    removed_parts: tuple[str, ...]


def sweep(session: Session, upload_dir: Path, older_than: timedelta = timedelta(hours=1)) -> Sweep:
    """Files left by a process killed between storing an upload and committing its row.

    A stored file that no attachment row names is moved to `orphaned/` (kept, never deleted); a `.part`
    file is an upload that never finished and is removed. Only files older than `older_than` are touched,
    so uploads in flight are left alone.
    """
    if not upload_dir.is_dir():
        return Sweep((), ())
    cutoff = datetime.now(UTC).timestamp() - older_than.total_seconds()
    incoming = default_root(upload_dir) / TEMPORARY  # a put() into the default store that never finished
    unfinished = [p for p in sorted(incoming.glob("*.part")) if p.stat().st_mtime <= cutoff]
    for path in unfinished:
        path.unlink(missing_ok=True)
    known = set(session.scalars(select(Attachment.stored_name)))
    moved, removed = [], []
    for path in sorted(upload_dir.iterdir()):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        if path.name.startswith(".") and path.name.endswith(".part"):
            path.unlink(missing_ok=True)
            removed.append(path.name)
        elif path.name not in known:
            target = upload_dir / "orphaned" / path.name
            target.parent.mkdir(exist_ok=True)
            os.replace(path, target)
            moved.append(path.name)
    return Sweep(tuple(moved), tuple(removed + [f"{TEMPORARY}/{p.name}" for p in unfinished]))

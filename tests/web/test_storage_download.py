"""Downloads come from the configured store, streamed, and a damaged stored file is refused, not served."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tracker.db.models import Attachment, AuditEvent
from tracker.db.storage import StoredBlobChunk
from tracker.extensions import db

from ..conftest import sign_in
from ..page import Page
from .test_uploads import PDF, SLUG, form


@dataclass(frozen=True)
class Stored:
    id: int
    sha256: str


BIG_PDF = PDF + bytes(range(256)) * 9000  # over 2 MB: three chunks in either store


@pytest.fixture(params=["", "database:"], ids=["folder", "database"])
def stored(request: pytest.FixtureRequest, make_app: Any, framework: str, make_user: Any) -> Any:
    """An app on the store, a signed-in lead and the attachment the lead uploaded."""
    app = make_app(STORAGE_URL=request.param, TEST_EXPECTS_SERVER_ERROR=True)  # the damaged file's 500
    client = app.test_client()
    sign_in(client, make_user("lead"))
    # Encoded in memory: the test client would spool a body this large to a file it never closes.
    fields = {
        **form(),
        "links": "educators-supported",
        "attachments": FileStorage(io.BytesIO(BIG_PDF), "scan.pdf"),
    }
    boundary, body = encode_multipart(fields)
    response = client.post(
        f"/f/{SLUG}/evidence/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        attachment = db.session.scalars(select(Attachment)).one()
        return app, client, Stored(attachment.id, attachment.sha256)


def flip_one_byte(app: Flask, sha256: str, offset: int) -> None:
    with app.app_context():
        if not app.config["STORAGE_URL"]:
            path = Path(app.config["UPLOAD_FOLDER"]) / "blobs" / sha256[:2] / sha256[2:]
            data = bytearray(path.read_bytes())
            data[offset] ^= 0x01
            path.write_bytes(bytes(data))
            return
        chunk = StoredBlobChunk.__table__.c
        seq, at = divmod(offset, 1024 * 1024)
        where = (chunk.sha256 == sha256) & (chunk.seq == seq)
        data = bytearray(db.session.scalars(select(chunk.data).where(where)).one())
        data[at] ^= 0x01
        db.session.execute(update(StoredBlobChunk.__table__).where(where).values(data=bytes(data)))
        db.session.commit()


def corrupt_entries(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "storage.corrupt"))
        return [(r.object_type, r.object_id, r.detail) for r in rows]


def test_a_download_streams_the_stored_bytes(stored: Any) -> None:
    _app, client, attachment = stored
    assert attachment.sha256 == hashlib.sha256(BIG_PDF).hexdigest()
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Length"] == str(len(BIG_PDF))
    assert response.get_data() == BIG_PDF
    response.close()


@pytest.mark.parametrize("offset", [0, len(BIG_PDF) - 1])
def test_a_corrupt_file_is_refused_with_an_error_page_and_an_audit_entry(stored: Any, offset: int) -> None:
    app, client, attachment = stored
    flip_one_byte(app, attachment.sha256, offset)
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 500 and response.mimetype == "text/html"
    body = response.get_data()
    assert BIG_PDF[1000:1100] not in body and b"%PDF" not in body  # not one byte of the file
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    page = Page.of(response, 500)
    assert page.text("h1") == "The stored file is damaged"
    assert "scan.pdf" in page.text("main") and "audit trail" in page.text("main")
    [(kind, number, detail)] = corrupt_entries(app)
    assert (kind, number) == ("attachment", str(attachment.id))
    assert "scan.pdf" in detail and attachment.sha256 in detail and "corrupt" in detail


def test_a_file_stored_before_the_store_is_read_from_its_old_place_and_checked(
    app: Flask, make_evidence: Any, make_user: Any
) -> None:
    """An install upgraded from before issue 23: its files lie at <UPLOAD_FOLDER>/<stored_name>."""
    app.config["TEST_EXPECTS_SERVER_ERROR"] = True
    evidence_id = make_evidence(status="accepted")
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "0123456789abcdef0123456789abcdef"
    old.write_bytes(PDF)
    with app.app_context():
        row = Attachment(
            evidence_id=evidence_id,
            original_name="old.pdf",
            stored_name=old.name,
            content_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
        )
        db.session.add(row)
        db.session.commit()
        number = row.id
    client = app.test_client()
    sign_in(client, make_user("board"))
    response = client.get(f"/attachments/{number}")
    assert response.status_code == 200 and response.get_data() == PDF
    old.write_bytes(PDF[:-1] + b"?")
    refused = client.get(f"/attachments/{number}")
    assert refused.status_code == 500 and PDF[:20] not in refused.get_data()
    assert [e[:2] for e in corrupt_entries(app)] == [("attachment", str(number))]

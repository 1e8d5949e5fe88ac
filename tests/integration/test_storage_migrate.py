"""`tracker storage migrate`: every referenced file copied and verified, idempotent, corrupt sources named."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from tracker.db.models import Attachment, AuditEvent
from tracker.db.storage import StoredBlobChunk
from tracker.extensions import db
from tracker.storage import LocalStore, store_for

from ..conftest import TrackerCliRunner, sign_in
from ..web.test_uploads import PDF, PNG, SLUG, form

CSV = b"respondent,score\nA,4\n"
OLD = b"%PDF-1.4 stored before issue 23\n"


def fill(app: Flask, make_user: Any, make_evidence: Any) -> dict[str, bytes]:
    """Three uploads through the page, and one file left where the tracker kept files before the store."""
    client = app.test_client()
    sign_in(client, make_user("lead"))
    response = client.post(
        f"/f/{SLUG}/evidence/new", data=form((PDF, "a.pdf"), (PNG, "b.png"), (CSV, "c.csv"))
    )
    assert response.status_code == 302
    folder = Path(app.config["UPLOAD_FOLDER"])
    (folder / "0123456789abcdef0123456789abcdef").write_bytes(OLD)
    item = make_evidence(status="accepted")
    with app.app_context():
        db.session.add(
            Attachment(
                evidence_id=item,
                original_name="old.pdf",
                stored_name="0123456789abcdef0123456789abcdef",
                content_type="application/pdf",
                size=len(OLD),
                sha256=hashlib.sha256(OLD).hexdigest(),
            )
        )
        db.session.commit()
    return {hashlib.sha256(b).hexdigest(): b for b in (PDF, PNG, CSV, OLD)}


def held(app: Flask, url: str) -> dict[str, bytes]:
    """Every blob in a store, read through its digest check."""
    with app.app_context():
        store = store_for(url, Path(app.config["UPLOAD_FOLDER"]), lambda: db.session.connection())
        return {d: b"".join(store.open(d)) for d in store.digests()}


def migrate(runner: TrackerCliRunner, url: str) -> Any:
    return runner.invoke(args=["storage", "migrate", "--to", url])


def test_local_to_database_and_back_every_digest_verified(
    app: Flask, runner: Any, make_app: Any, make_user: Any, make_evidence: Any, tmp_path: Path
) -> None:
    files = fill(app, make_user, make_evidence)
    first = migrate(runner, "database:")
    assert first.exit_code == 0, first.output
    assert "4 stored file(s): 4 copied to database:, 0 already there" in first.output
    assert "now set TRACKER_STORAGE_URL=database:" in first.output
    assert held(app, "database:") == files
    again = migrate(runner, "database:")
    assert again.exit_code == 0 and "0 copied to database:, 4 already there (checked)" in again.output
    # The tracker switched to the database: downloads come from there, then everything goes back to a folder.
    on_database = make_app(STORAGE_URL="database:")
    back = tmp_path / "shared" / "blobs"
    result = migrate(TrackerCliRunner(on_database), back.as_uri())
    assert result.exit_code == 0 and "4 copied" in result.output, result.output
    assert held(on_database, back.as_uri()) == files
    assert sorted(LocalStore(back).digests()) == sorted(files)
    with app.app_context():
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "storage.migrate")).all()
        assert [(a.object_id, a.after) for a in audit] == [
            ("database", {"to": "database:", "copied": 4, "already_there": 0, "problems": 0}),
            ("database", {"to": "database:", "copied": 0, "already_there": 4, "problems": 0}),
            ("folder", {"to": back.as_uri(), "copied": 4, "already_there": 0, "problems": 0}),
        ]


def test_a_corrupt_source_is_named_and_the_rest_are_copied(
    app: Flask, runner: Any, make_app: Any, make_user: Any, make_evidence: Any, tmp_path: Path
) -> None:
    files = fill(app, make_user, make_evidence)
    assert migrate(runner, "database:").exit_code == 0
    damaged = hashlib.sha256(PNG).hexdigest()
    with app.app_context():
        chunk = StoredBlobChunk.__table__.c
        db.session.execute(
            update(StoredBlobChunk.__table__).where(chunk.sha256 == damaged).values(data=PNG[:-1] + b"\x01")
        )
        number = db.session.scalar(select(Attachment.id).where(Attachment.original_name == "b.png"))
        db.session.commit()
    target = tmp_path / "elsewhere"
    result = migrate(TrackerCliRunner(make_app(STORAGE_URL="database:")), target.as_uri())
    assert result.exit_code == 1
    assert f"Error: attachment {number} (b.png, evidence" in result.output and "is corrupt" in result.output
    assert "1 file(s) could not be copied" in result.output and "3 copied" in result.output
    assert sorted(LocalStore(target).digests()) == sorted(d for d in files if d != damaged)


def test_a_bad_target_is_refused_naming_the_option(runner: Any) -> None:
    result = migrate(runner, "s3://bucket")
    assert result.exit_code == 1 and "--to 's3://bucket' names no storage back end" in result.output

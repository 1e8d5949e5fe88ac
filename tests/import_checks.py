"""Helpers for the import tests: an upload of any size, a digest of every stored row, the audit trail since a
point. (Pages are read with tests/page.py.)"""

from __future__ import annotations

import hashlib
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from tracker.db.models import AuditEvent, Base
from tracker.extensions import db


def post_file(client: FlaskClient, url: str, kind: str, raw: bytes) -> TestResponse:
    """Upload a file of any size; the body is built in memory (the test client's spooled file is never closed)."""
    upload = FileStorage(io.BytesIO(raw), filename="upload.csv", content_type="text/csv")
    boundary, body = encode_multipart({"kind": kind, "file": upload})
    return client.post(url, data=body, content_type=f'multipart/form-data; boundary="{boundary}"')


def digest(app: Flask) -> dict[str, str]:
    """A hash of every row of every table but the audit trail (which refusals add to), per table."""
    hashes = {}
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_event":
                continue
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            hashes[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    return hashes


def last_audit_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def audit_since(app: Flask, last_id: int) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        return [
            (e.action, e.object_type, e.object_id, e.detail)
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            )
        ]

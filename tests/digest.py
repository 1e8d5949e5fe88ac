"""A digest of every row of every table: equal before and after means nothing was written."""

from __future__ import annotations

import hashlib

from flask import Flask
from sqlalchemy import select

from tracker.db.models import Base
from tracker.extensions import db


def database_digest(app: Flask) -> str:
    digest = hashlib.sha256()
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{[tuple(row) for row in rows]!r}\n".encode())
    return digest.hexdigest()

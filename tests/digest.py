"""A digest of every row of every table: "nothing was written" means this is unchanged."""

from __future__ import annotations

import hashlib

from flask import Flask
from sqlalchemy import select

from tracker.db.models import Base
from tracker.extensions import db


def database_digest(app: Flask) -> str:
    digest = hashlib.sha256()
    with app.app_context(), db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            digest.update(table.name.encode())
            order = list(table.primary_key.columns) or list(table.columns)
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()

"""A digest of every row of every table, so a test can prove that nothing was written (not just counted)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flask import Flask
from sqlalchemy import column, inspect, select, table

from tracker.extensions import db

# Rows a refused request is expected to add: its own audit row; a sign-in's attempt bookkeeping.
AUDIT = "audit_event"


def table_digests(app: Flask, exclude: Iterable[str] = (AUDIT,)) -> dict[str, str]:
    """table name -> SHA-256 of its rows in primary-key order (every column, as the database returns it)."""
    skipped = set(exclude) | {"alembic_version"}
    digests: dict[str, str] = {}
    with app.app_context():
        inspector = inspect(db.engine)
        with db.engine.connect() as connection:
            for name in sorted(inspector.get_table_names()):
                if name in skipped:
                    continue
                columns = [c["name"] for c in inspector.get_columns(name)]
                keys = inspector.get_pk_constraint(name).get("constrained_columns") or columns
                query = (
                    select(*(column(c) for c in columns))
                    .select_from(table(name))
                    .order_by(*(column(k) for k in keys))
                )
                hasher = hashlib.sha256()
                for row in connection.execute(query):
                    hasher.update(repr(tuple(row)).encode())
                    hasher.update(b"\n")
                digests[name] = hasher.hexdigest()
    return digests


def audit_since(app: Flask, last_id: int) -> list[tuple[str, str, str]]:
    """(action, object_type, detail) of every audit row after `last_id`."""
    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(
            select(column("action"), column("object_type"), column("detail"))
            .select_from(table(AUDIT))
            .where(column("id") > last_id)
            .order_by(column("id"))
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def last_audit_id(app: Flask) -> int:
    with app.app_context(), db.engine.connect() as connection:
        found = connection.execute(
            select(column("id")).select_from(table(AUDIT)).order_by(column("id").desc())
        )
        first = found.first()
        return int(first[0]) if first else 0


def database_digest(app: Flask) -> str:
    """One digest of every row of every table, the audit trail included."""
    combined = hashlib.sha256()
    for name, digest in sorted(table_digests(app, exclude=()).items()):
        combined.update(f"{name}:{digest}\n".encode())
    return combined.hexdigest()

"""The Alembic migrations build exactly the schema the models describe, and re-running them is harmless."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

from tracker.db import migrate
from tracker.db.models import Base
from tracker.extensions import db


def test_migrations_match_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_is_idempotent_and_reports_head(make_app: Any) -> None:
    app = make_app(migrated=False)
    with app.app_context():
        assert not migrate.is_current(db.engine)
        before, after = migrate.upgrade(db.engine)
        assert before is None and after == migrate.head_revision(db.engine)
        assert migrate.upgrade(db.engine) == (after, after)
        assert {"framework", "element", "evidence", "audit_event"} <= set(
            inspect(db.engine).get_table_names()
        )


def test_sqlite_connection_settings(make_app: Any) -> None:
    app = make_app()
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas do not apply to PostgreSQL")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000

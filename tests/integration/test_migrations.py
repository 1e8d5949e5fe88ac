"""The Alembic migrations build exactly the schema the models describe, and re-running them is harmless."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import String, inspect, select, text

from tracker.db import migrate
from tracker.db.models import Base, Evidence
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


def test_evidence_gains_what_it_answers_and_its_kpi(app: Flask, make_evidence: Any) -> None:
    """Migration 0011 adds `shows` and `kpi` to evidence, not null; items stored before it say neither ('')."""
    evidence_id = make_evidence(status="accepted")
    with app.app_context():
        config = migrate.alembic_config(db.engine)
        command.downgrade(config, "0010")
        assert {"shows", "kpi"}.isdisjoint(c["name"] for c in inspect(db.engine).get_columns("evidence"))
        command.upgrade(config, "head")
        assert migrate.is_current(db.engine)
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("evidence")}
        for name, length in (("shows", 16), ("kpi", 64)):
            assert columns[name]["nullable"] is False, name
            assert isinstance(columns[name]["type"], String) and columns[name]["type"].length == length, name
        with db.engine.connect() as connection:
            stored = connection.execute(
                select(Evidence.shows, Evidence.kpi).where(Evidence.id == evidence_id)
            ).one()
        assert tuple(stored) == ("", "")
        # A row written without them (as SQL that predates them would) gets the same.
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO evidence (framework_id, title, summary, source_type, collected_on, finding, "
                    "collection, respondent_group, independent, quote, url, flags, status, review_note, "
                    "created_at, updated_at, row_version) SELECT framework_id, 'Older writer', '', 'survey', "
                    "collected_on, 'supports', '', '', independent, '', '', flags, 'draft', '', created_at, "
                    "updated_at, 1 FROM evidence WHERE id = :id"
                ),
                {"id": evidence_id},
            )
            older = connection.execute(
                select(Evidence.shows, Evidence.kpi).where(Evidence.title == "Older writer")
            ).one()
        assert tuple(older) == ("", "")

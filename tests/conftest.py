"""Fixtures: an app with its own database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from tracker import create_app
from tracker.cli import cli as tracker_cli
from tracker.db import migrate
from tracker.domain.loader import parse_framework
from tracker.extensions import db
from tracker.services import frameworks as framework_service
from tracker.services.audit import Actor

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
REPO = Path(__file__).resolve().parent.parent


def pytest_report_header(config: pytest.Config) -> list[str]:
    if PG_URL:
        return [f"database backends: SQLite and PostgreSQL ({PG_URL.split('@')[-1]})"]
    return ["database backends: SQLite only (PostgreSQL skipped: TRACKER_TEST_DATABASE_URL is not set)"]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def make_app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Builds apps on the test database; the schema is made by the real migrations."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    for name in list(os.environ):
        if name.startswith("TRACKER_") and name not in {"TRACKER_INSTANCE_PATH"}:
            monkeypatch.delenv(name)
    apps: list[Flask] = []

    def build(migrated: bool = True, **overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789abcdef",
            "WTF_CSRF_ENABLED": False,
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        if migrated:
            with app.app_context():
                migrate.upgrade(db.engine)
        return app

    yield build
    for app in apps:
        app.extensions["tracker_db"][0].dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class TrackerCliRunner(FlaskCliRunner):
    """Invokes the `tracker` command group (not app.cli) with this test's app."""

    def invoke(self, cli: Any = None, args: Any = None, **kwargs: Any) -> Any:
        return super().invoke(cli or tracker_cli, args, **kwargs)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return TrackerCliRunner(app)


@pytest.fixture
def load_framework(app: Flask) -> Any:
    """Loads YAML text as a framework version, committed, and returns the load summary."""

    def load(yaml_text: str) -> framework_service.LoadSummary:
        result = parse_framework(yaml_text, "test.yaml")
        assert result.framework is not None, [str(p) for p in result.problems]
        with app.app_context(), db.unit_of_work() as session:
            return framework_service.load_version(session, result.framework, yaml_text, Actor("test"))

    return load


@pytest.fixture
def tiny_yaml() -> str:
    """A small valid framework (the shared contract example, or a copy when shared/ is absent)."""
    local = REPO / "tests" / "fixtures" / "tiny.yaml"
    return local.read_text(encoding="utf-8")

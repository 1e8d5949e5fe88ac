"""Fixtures: an app with its own database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from flask import Flask, Response, current_app, request
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, func, select, text

from tests.api_contract import CheckedClient
from tracker import create_app
from tracker.api import tokens as api_tokens
from tracker.cli import cli as tracker_cli
from tracker.db import migrate
from tracker.db.models import Evidence, EvidenceLink
from tracker.domain.loader import parse_framework
from tracker.extensions import db
from tracker.ratings import upkeep
from tracker.services import accounts
from tracker.services import evidence as evidence_service
from tracker.services import frameworks as framework_service
from tracker.services.audit import Actor

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
REPO = Path(__file__).resolve().parent.parent


def pytest_report_header(config: pytest.Config) -> list[str]:
    if PG_URL:
        return [f"database backends: SQLite and PostgreSQL ({PG_URL.split('@')[-1]})"]
    return ["database backends: SQLite only (PostgreSQL skipped: TRACKER_TEST_DATABASE_URL is not set)"]


@contextmanager
def empty_database(backend: str, tmp_path: Path, name: str = "test") -> Iterator[str]:
    """The URL of a fresh, empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
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


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test, on each configured backend."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def second_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database on the same backend as the test's own (imports, restores)."""
    with empty_database(
        "sqlite" if database_url.startswith("sqlite") else "postgresql", tmp_path, "second"
    ) as url:
        yield url


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
            "LOGIN_RATE_LIMIT": "1000 per minute",  # tests sign in often from one address
            **overrides,
        }
        app = create_app(config)
        app.test_client_class = CheckedClient  # every API response is checked against the OpenAPI document
        apps.append(app)
        app.after_request(_no_server_error)
        if migrated:
            with app.app_context():
                migrate.upgrade(db.engine)
        return app

    yield build
    for app in apps:
        app.extensions["tracker_db"][0].dispose()


def _no_server_error(response: Response) -> Response:
    """No request in the suite may answer 500 (unhandled exceptions already fail the test that sent them)."""
    expected = current_app.config.get("TEST_EXPECTS_SERVER_ERROR", False)  # the error page's own tests
    assert response.status_code != 500 or expected, f"500 from {request.method} {request.path}"
    return response


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


PASSWORD = "correct horse battery staple"
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Production argon2id settings cost ~0.1 s a hash; tests use light ones unless they check the settings."""
    if "production_hashing" not in request.keywords:
        monkeypatch.setattr(accounts, "HASHER", _CHEAP_HASHER)


@pytest.fixture
def framework(load_framework: Any, tiny_yaml: str) -> str:
    """The tiny framework, loaded, with a second partner so there is 'another partner' to test against."""
    text = tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(text)
    return "tiny-partnership"


@pytest.fixture
def make_user(app: Flask) -> Any:
    """Creates a user; returns its email. Leads belong to tiny-council unless told otherwise."""
    counter = iter(range(1, 10_000))

    def make(role: str = "lead", partner: str | None = "tiny-council", email: str | None = None) -> str:
        email = email or f"{role}{next(counter)}@example.org"
        with app.app_context(), db.unit_of_work() as session:
            accounts.create_user(
                session, Actor("test"), email, role, PASSWORD, partner if role == "lead" else None
            )
        return email

    return make


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def as_role(app: Flask, make_user: Any, framework: str) -> Any:
    """A signed-in test client for a role: as_role('lead'), as_role('lead', partner='other-council')."""

    def client_for(role: str, partner: str | None = "tiny-council") -> FlaskClient:
        client = app.test_client()
        sign_in(client, make_user(role, partner))
        return client

    return client_for


@pytest.fixture
def make_token(app: Flask, make_user: Any) -> Any:
    """An API token (the raw secret) for a new user of a role, or for `email`: make_token('board')."""

    def make(role: str = "board", partner: str | None = "tiny-council", email: str | None = None) -> str:
        email = email or make_user(role, partner)
        with app.app_context(), db.unit_of_work() as session:
            _row, raw = api_tokens.create_token(session, Actor("test"), email, "test")
        return raw

    return make


@pytest.fixture
def api_as(app: Flask, make_token: Any, framework: str) -> Any:
    """A test client sending a new token of a role on every request: api_as('lead', partner='other-council')."""

    def client_for(role: str, partner: str | None = "tiny-council") -> FlaskClient:
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(role, partner)}"
        return client

    return client_for


EVIDENCE_DEFAULTS: dict[str, Any] = {
    "title": "Practice educator survey",
    "summary": "Most felt supported",
    "source_type": "survey",
    "collected_on": date(2023, 3, 1),
    "finding": "supports",
    "respondents": 18,
    "population": 30,
    "positive": 15,
    "collection": "pe-survey-2023",
    "respondent_group": "practice-educators",
    "independent": True,
    "status": "accepted",
}


@pytest.fixture
def make_evidence(app: Flask, framework: str) -> Any:
    """Adds an evidence item straight to the database: make_evidence(status='draft', partner='other-council')."""

    def make(
        links: tuple[str, ...] = ("educators-supported",),
        partner: str | None = "tiny-council",
        **overrides: Any,
    ) -> int:
        with app.app_context(), db.unit_of_work() as session:
            ctx = evidence_service.framework_context(session, framework)
            assert ctx is not None
            values = {**EVIDENCE_DEFAULTS, **overrides}
            item = Evidence(
                framework_id=ctx.framework.id,
                partner_id=ctx.partners[partner].id if partner else None,
                **values,
            )
            session.add(item)
            session.flush()
            for slug in links:
                session.add(EvidenceLink(evidence_id=item.id, element_id=ctx.elements[slug].id))
            upkeep.inputs_changed(session, ctx.framework.id, evidence_ids=[item.id])  # as the services do
            return item.id

    return make


def count_rows(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0

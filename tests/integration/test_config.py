"""Configuration order: defaults, instance/config.py, TRACKER_* environment, then the test mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import create_app


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(folder))
    for name in (
        "TRACKER_SECRET_KEY",
        "TRACKER_DATABASE_URL",
        "TRACKER_UPLOAD_MAX_BYTES",
        "TRACKER_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_each_layer_overrides_the_one_before(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (instance / "config.py").write_text(
        "UPLOAD_MAX_BYTES = 1000\nLOG_LEVEL = 'DEBUG'\nREDIS_URL = 'redis://file'\n"
    )
    monkeypatch.setenv("TRACKER_UPLOAD_MAX_BYTES", "2000")
    monkeypatch.setenv("TRACKER_LOG_LEVEL", "WARNING")
    app = create_app({"LOG_LEVEL": "ERROR"})
    assert app.config["UPLOAD_MAX_BYTES"] == 2000  # environment beats the instance file, typed as int
    assert app.config["REDIS_URL"] == "redis://file"  # the instance file beats the default
    assert app.config["LOG_LEVEL"] == "ERROR"  # the test mapping beats the environment
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True  # default
    app.extensions["tracker_db"][0].dispose()


def test_default_database_is_sqlite_in_the_instance_folder(instance: Path) -> None:
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'tracker.sqlite3'}"
    app.extensions["tracker_db"][0].dispose()


def test_secret_key_is_generated_once_and_kept_private(instance: Path) -> None:
    first = create_app()
    second = create_app()
    key_file = instance / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) == 64
    for app in (first, second):
        app.extensions["tracker_db"][0].dispose()


def test_secret_key_from_environment_is_used(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-the-environment-0123456789abcdef")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment-0123456789abcdef"
    assert not (instance / "secret_key").exists()
    app.extensions["tracker_db"][0].dispose()

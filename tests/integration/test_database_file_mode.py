"""The SQLite database holds password hashes and every record: only its owner may read it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tracker.db import migrate
from tracker.db.session import make_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The common default umask, under which a plain new file is readable by everyone."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def test_new_database_and_its_wal_files_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "tracker.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            migrate.upgrade(engine)
            connection.execute(text("CREATE TABLE probe (x INTEGER)"))
            connection.execute(text("INSERT INTO probe VALUES (1)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT x FROM probe")).scalar() == 1
            files = {p.name: mode(p) for p in tmp_path.iterdir()}
    finally:
        engine.dispose()
    assert {"tracker.sqlite3", "tracker.sqlite3-wal", "tracker.sqlite3-shm"} <= set(files), files
    assert all(m == 0o600 for m in files.values()), {name: oct(m) for name, m in files.items()}


def test_the_default_instance_database_is_owner_only(make_app: Any, tmp_path: Path, open_umask: None) -> None:
    app = make_app(DATABASE_URL="")
    path = Path(app.instance_path) / "tracker.sqlite3"
    assert mode(path) == 0o600


def test_an_older_readable_database_is_made_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (x INTEGER)"))
    engine.dispose()
    path.chmod(0o644)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM probe")).scalar() == 0
    finally:
        engine.dispose()
    assert mode(path) == 0o600


def test_memory_databases_need_no_file(tmp_path: Path) -> None:
    engine = make_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()

"""One engine per app, one session per request or command, committed in one place."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Set while a request or command may write: SQLite then takes the write lock when the transaction begins
# (BEGIN IMMEDIATE), so concurrent writers wait their turn instead of failing on a stale read snapshot.
_WRITE_INTENT: ContextVar[bool] = ContextVar("tracker_write_intent", default=False)


@contextmanager
def write_intent() -> Iterator[None]:
    token = _WRITE_INTENT.set(True)
    try:
        yield
    finally:
        _WRITE_INTENT.reset(token)


@contextmanager
def without_write_intent() -> Iterator[None]:
    """Inside a writing request, for a long check that only reads: its transaction takes no write lock, so
    others keep writing meanwhile (the write that follows checks nothing changed)."""
    token = _WRITE_INTENT.set(False)
    try:
        yield
    finally:
        _WRITE_INTENT.reset(token)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the SQLite settings the tracker relies on (WAL, busy timeout, foreign keys)."""
    if url.startswith("sqlite"):
        _owner_only_database_file(url)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Take control of transactions so BEGIN is issued by SQLAlchemy, not guessed by pysqlite.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if ":memory:" not in url and url != "sqlite://":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITE_INTENT.get() else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _owner_only_database_file(url: str) -> None:
    """Create the SQLite file readable by its owner only (SQLite gives its -wal and -shm files the same
    mode), and take group and other access away from one made before."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = os.path.abspath(database)
    if not os.path.isdir(os.path.dirname(path)):
        return  # SQLite will say that it cannot open the file
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    for name in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
            if mode & 0o077:
                os.chmod(name, mode & 0o700)
                log.warning("%s was readable by other users: now by its owner only", name)
        except FileNotFoundError:
            continue
        except PermissionError:
            log.warning("%s is readable by other users and its mode cannot be changed", name)


class Database:
    """Holds the engine and session factory of each app; views and services get `db.session`."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["tracker_db"] = (engine, sessionmaker(engine, expire_on_commit=False))
        app.before_request(self._note_write_intent)
        app.after_request(self.finish_request)
        app.teardown_request(self._forget_write_intent)
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        engine: Engine = current_app.extensions["tracker_db"][0]
        return engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["tracker_db"][1]()
        session: Session = g.db_session
        return session

    @staticmethod
    def _note_write_intent() -> None:
        if request.method not in SAFE_METHODS:
            g.write_intent_token = _WRITE_INTENT.set(True)

    @staticmethod
    def _forget_write_intent(_exc: BaseException | None) -> None:
        token = g.pop("write_intent_token", None)
        if token is not None:
            _WRITE_INTENT.reset(token)

    @staticmethod
    def finish_request(response: Response) -> Response:
        """The one place a web request commits: only when the response says it succeeded. Runs once (the
        session is popped); the API calls it early, so its audit row's own transaction never waits on it."""
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 400:
                _settle_and_commit(session)
            else:
                session.rollback()
        finally:
            session.close()
        return response

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()

    @contextmanager
    def side_transaction(self) -> Iterator[Session]:
        """A short writing transaction beside the request's own, for derived rows such as stored ratings."""
        with _all_or_nothing(current_app.extensions["tracker_db"][1]()) as session:
            yield session

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """For commands: everything in the block commits together, or nothing does."""
        try:
            with _all_or_nothing(self.session) as session:
                yield session
        finally:
            g.pop("db_session", None)


def _settle_and_commit(session: Session) -> None:
    """Re-rate what the services said they changed (`upkeep.settle`), then commit it all together."""
    from tracker.ratings import upkeep  # the ratings build on the models: imported when first committing

    try:
        upkeep.settle(session)
    finally:
        upkeep.forget(session)
    session.commit()


@contextmanager
def _all_or_nothing(session: Session) -> Iterator[Session]:
    """A writing transaction, SQLite taking the write lock up front: committed at the end or rolled back."""
    with write_intent():
        try:
            yield session
            _settle_and_commit(session)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

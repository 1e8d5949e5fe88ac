"""A Redis database of a test module's own, flushed before and after; missing Redis skips with the reason, or
fails under CI=true (CI runs Redis)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def unavailable(reason: str) -> None:
    """Skip with the reason; under CI=true fail instead, as .ci/run does when PostgreSQL is missing."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI: {reason}")
    pytest.skip(reason)


def redis_answers() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((REDIS_HOST, REDIS_PORT)) == 0


def flushed_database(number: int, needed_by: str) -> Iterator[str]:
    """The body of a fixture: the URL of Redis database `number`, empty, emptied again afterwards."""
    if not redis_answers():
        unavailable(f"{needed_by} needs Redis on {REDIS_HOST}:{REDIS_PORT} (CI runs it); none answers")
    from redis import Redis

    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    connection = Redis.from_url(url)
    connection.flushdb()
    try:
        yield url
    finally:
        connection.flushdb()
        connection.close()

"""Sign-in gives nothing away and cannot be turned on its owner: one answer, one hash, per-client locks, a rate limit."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
import redis
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tracker.db.models import AuditEvent, SignInLock, User, utcnow
from tracker.extensions import db
from tracker.services import accounts

from ..conftest import PASSWORD
from ..page import Page

WRONG = "The email address or password is not right."
BAD = "wrong password here"
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"
pytestmark = pytest.mark.usefixtures("framework")


class CountingHasher(PasswordHasher):
    """The light test settings, counting every verification and every new hash."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0
        self.hashed = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashed += 1
        return super().hash(password, salt=salt)


def attempt(client: FlaskClient, email: str, password: str = BAD, addr: str = ATTACKER) -> Any:
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": addr}
    )


def refusal(response: Any) -> str:
    """The sign-in page's one message for a refused attempt, at the top and linked to the email field."""
    page = Page.of(response, 200)
    [(field, message)] = page.error_summary
    assert field == "email" and page.title_parts[0] == "Error: Sign in"
    return message


def locks(app: Flask, email: str) -> dict[str, SignInLock]:
    with app.app_context():
        rows = db.session.scalars(select(SignInLock).join(User).where(User.email == email)).all()
        db.session.expunge_all()
        return {row.client: row for row in rows}


def signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def lock_out(client: FlaskClient, email: str, addr: str = ATTACKER) -> None:
    for _ in range(5):
        assert refusal(attempt(client, email, addr=addr)).startswith(WRONG)


def expire_locks(app: Flask, minutes_ago: float = 0.02) -> None:
    with app.app_context():
        db.session.execute(update(SignInLock).values(locked_until=utcnow() - timedelta(minutes=minutes_ago)))
        db.session.commit()


def same_headers(response: Any) -> dict[str, str]:
    """The headers that do not vary by themselves (the date, the length of the email, the limit's count)."""
    return {
        k: v
        for k, v in response.headers.items()
        if k not in {"Date", "Content-Length"} and not k.startswith("X-RateLimit")
    }


def test_unknown_locked_and_wrong_get_the_same_answer(app: Flask, make_user: Any) -> None:
    known, locked = make_user("evaluator"), make_user("evaluator")
    client = app.test_client()
    lock_out(client, locked)
    answers = {
        "unknown": (attempt(client, "nobody@example.org", PASSWORD), "nobody@example.org"),
        "wrong password": (attempt(client, known), known),
        "locked, right password": (attempt(client, locked, PASSWORD), locked),
        "locked, wrong password": (attempt(client, locked), locked),
    }
    pages = {}
    for case, (response, email) in answers.items():
        assert response.status_code == 200, case
        pages[case] = response.get_data(as_text=True).replace(email, "EMAIL")
        assert same_headers(response) == same_headers(answers["unknown"][0]), case
    assert len(set(pages.values())) == 1, "every refusal is the same page, byte for byte"
    page = Page(pages["unknown"])
    [(field, message)] = page.error_summary
    assert field == "email" and message.startswith(WRONG) and "Too many" not in page.body
    assert page.title_parts[0] == "Error: Sign in"
    assert not signed_in(client)


def test_every_refusal_costs_one_argon2_verification(
    app: Flask, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    known, locked = make_user("lead"), make_user("lead")
    client = app.test_client()
    lock_out(client, locked)
    hasher = CountingHasher()
    monkeypatch.setattr(accounts, "HASHER", hasher)
    for email, password in (
        ("nobody@example.org", PASSWORD),
        (known, "wrong password here"),
        (locked, PASSWORD),
        (locked, "wrong password here"),
        (known, PASSWORD),
    ):
        before = hasher.verified
        attempt(client, email, password)
        assert hasher.verified - before == 1, email
    # The stand-in hash for unknown and locked accounts is made with the same settings as real ones.
    assert accounts._dummy_hash(hasher).startswith("$argon2id$v=19$m=1024,t=1,p=1$")


@pytest.mark.production_hashing
def test_refusals_take_as_long_as_a_wrong_password(app: Flask, make_user: Any) -> None:
    known, locked = make_user("lead"), make_user("lead")
    client = app.test_client()
    lock_out(client, locked)
    assert accounts._dummy_hash(accounts.HASHER).startswith("$argon2id$v=19$m=65536,t=3,p=4$")

    def quickest(email: str, password: str) -> float:
        """CPU time of this process (argon2's threads included), not the wall clock: other work on the
        machine (a CI run beside others) stretches the wall clock of one attempt and not another's."""
        times = []
        for _ in range(3):
            start = time.process_time()
            attempt(client, email, password, addr="192.0.2.1" if email == known else ATTACKER)
            times.append(time.process_time() - start)
        return min(times)

    wrong = quickest(known, "wrong password here")
    # The probe saw 5 ms for a locked account against 300 ms: now each costs one full argon2id verification.
    assert quickest(locked, PASSWORD) > wrong / 2
    assert quickest("nobody@example.org", PASSWORD) > wrong / 2


def test_a_lock_holds_one_address_only(app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    attacker = app.test_client()
    lock_out(attacker, email, ATTACKER)
    assert list(locks(app, email)) == [ATTACKER]
    # The attacker is out even with the right password...
    assert refusal(attempt(attacker, email, PASSWORD, ATTACKER)).startswith(WRONG)
    assert not signed_in(attacker)
    # ...while the owner, elsewhere, signs in as usual, and their success lifts nothing of the attacker's.
    owner = app.test_client()
    assert attempt(owner, email, PASSWORD, OWNER).status_code == 302
    assert signed_in(owner)
    assert list(locks(app, email)) == [ATTACKER]
    with app.app_context():
        failures = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login.failure").order_by(AuditEvent.id)
        ).all()
        assert [f.remote_addr for f in failures] == [ATTACKER] * 6
        assert failures[4].detail.endswith("from 203.0.113.9; that address locked out for 5 minutes")


def test_locks_double_and_a_quiet_day_forgets_them(app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    client = app.test_client()
    for expected in (5, 10, 20, 40):
        lock_out(client, email)
        lock = locks(app, email)[ATTACKER]
        assert lock.locked_until is not None
        minutes = (lock.locked_until - utcnow()).total_seconds() / 60
        assert expected - 1 < minutes <= expected, (expected, minutes)
        expire_locks(app)
    with app.app_context():
        db.session.execute(update(SignInLock).values(last_failure_at=utcnow() - timedelta(days=1, minutes=1)))
        db.session.commit()
    lock_out(client, email)
    lock = locks(app, email)[ATTACKER]
    assert lock.locked_until is not None and lock.locks == 1
    assert (lock.locked_until - utcnow()) <= timedelta(minutes=5)


def test_lock_length_is_capped_and_configurable(make_app: Any, make_user: Any) -> None:
    app = make_app(LOGIN_LOCK_AFTER=2, LOGIN_LOCK_MINUTES=30, LOGIN_LOCK_MAX_MINUTES=45)
    email = make_user("board")
    client = app.test_client()
    for expected in (30, 45, 45):
        for _ in range(2):
            attempt(client, email)
        lock = locks(app, email)[ATTACKER]
        assert lock.locked_until is not None
        assert expected - 1 < (lock.locked_until - utcnow()).total_seconds() / 60 <= expected
        expire_locks(app)
    assert refusal(attempt(client, email)) == (
        f"{WRONG} After 2 failed attempts in a row, signing in from your network address is paused for a few "
        "minutes, and longer if it happens again."
    )


def test_ipv6_addresses_of_one_network_share_a_lock(app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    client = app.test_client()
    for host in range(5):
        attempt(client, email, addr=f"2001:db8:1:2::{host + 1:x}")
    assert list(locks(app, email)) == ["2001:db8:1:2::/64"]
    assert attempt(client, email, PASSWORD, "2001:db8:1:2:ffff::1").status_code == 200
    assert attempt(client, email, PASSWORD, "2001:db8:1:3::1").status_code == 302
    assert accounts.client_key("::ffff:192.0.2.5") == "192.0.2.5"


def test_rate_limit_answers_429_with_a_readable_page(make_app: Any, make_user: Any) -> None:
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    email = make_user("evaluator")
    client = app.test_client()
    for _ in range(3):
        assert attempt(client, "nobody@example.org").status_code == 200
    with app.app_context():
        audited = len(db.session.scalars(select(AuditEvent.id)).all())
    response = attempt(client, email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"
    page = Page.of(response)
    assert page.title_parts == ["Too many attempts", "Outcomes tracker"]
    assert page.h1 == "Too many attempts"
    assert "too many sign-in attempts from your network address" in page.text("main h1 + p")
    assert not signed_in(client), "the right password does not get through the limit"
    with app.app_context():
        assert len(db.session.scalars(select(AuditEvent.id)).all()) == audited, "no password was tried"
    # Showing the form is not limited, and another address has its own allowance.
    assert client.get("/login", environ_base={"REMOTE_ADDR": ATTACKER}).status_code == 200
    assert attempt(client, email, PASSWORD, OWNER).status_code == 302


def test_rate_limit_store_follows_the_config(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert make_app().config["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("TRACKER_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert make_app(migrated=False).config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("TRACKER_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    assert make_app(migrated=False).config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def _redis_url() -> str:
    url = os.environ.get("TRACKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    return url


def test_rate_limit_counts_in_redis_when_configured(make_app: Any, make_user: Any) -> None:
    url = _redis_url()
    addr = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    app = make_app(REDIS_URL=url, LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    store = redis.Redis.from_url(url)
    try:
        assert attempt(client, "nobody@example.org", addr=addr).status_code == 200
        assert store.keys(f"*/{addr}/*"), "the count is kept where every worker sees it"
        assert attempt(client, "nobody@example.org", addr=addr).status_code == 200
        assert attempt(client, "nobody@example.org", addr=addr).status_code == 429
    finally:
        for key in store.keys(f"*/{addr}/*"):
            store.delete(key)


def test_sign_in_works_while_the_limit_store_is_down(make_app: Any, make_user: Any) -> None:
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", LOGIN_RATE_LIMIT="2 per minute")
    email = make_user("board")
    client = app.test_client()
    assert attempt(client, "nobody@example.org").status_code == 200
    assert attempt(client, email, PASSWORD).status_code == 302, "a Redis outage does not stop sign-in"
    # Each process then counts for itself.
    assert attempt(app.test_client(), "nobody@example.org").status_code == 429


def test_trusted_proxy_gives_the_client_address(make_app: Any, make_user: Any) -> None:
    email = make_user("board")
    app = make_app(migrated=False, TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    headers = {"X-Forwarded-For": "198.51.100.20", "X-Forwarded-Proto": "https"}
    assert client.post("/login", data={"email": email, "password": "x"}, headers=headers).status_code == 200
    assert client.post("/login", data={"email": email, "password": "x"}, headers=headers).status_code == 429
    other = {"X-Forwarded-For": "198.51.100.21", "X-Forwarded-Proto": "https"}
    response = client.post("/login", data={"email": email, "password": PASSWORD}, headers=other)
    assert response.status_code == 302, "each client behind the proxy has its own allowance"

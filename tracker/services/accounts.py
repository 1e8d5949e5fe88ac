"""User accounts: argon2id passwords, common ones refused, throttled sign-in, revocable sessions."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.db.models import ROLES, Partner, SignInLock, User, utcnow
from tracker.services.audit import Actor, record

# argon2id, RFC 9106 "second recommended" profile: 64 MiB memory, 3 passes, 4 lanes.
HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, hash_len=32, salt_len=16)
PASSWORD_MIN, PASSWORD_MAX = 8, 128
COMMON_PASSWORDS_CHECKED = 30_000
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_CHECKED])


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is refused, or None (NIST SP 800-63B: length and a known-bad list, no composition)."""
    if len(password) < PASSWORD_MIN:
        return f"must be at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"must be at most {PASSWORD_MAX} characters"
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.rstrip("0123456789!") in _common_passwords():
        return "is one of the most commonly used passwords; choose another"
    if email and lowered == email.lower().split("@")[0]:
        return "must not be your email name"
    return None


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"'{email}' is not an email address")
    return email


def create_user(
    session: Session, actor: Actor, email: str, role: str, password: str, partner_slug: str | None = None
) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}'; one of: {', '.join(ROLES)}")
    problem = password_problem(password, email)
    if problem:
        raise AccountError(f"the password {problem}")
    partner_id = _partner_for(session, role, partner_slug)
    if session.scalars(select(User.id).where(User.email == email)).first() is not None:
        raise AccountError(f"a user with the email {email} already exists")
    user = User(email=email, role=role, partner_id=partner_id, password_hash=HASHER.hash(password))
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "user.create",
        object_type="user",
        object_id=user.id,
        after=user_snapshot(user, partner_slug),
    )
    return user


def _partner_for(session: Session, role: str, partner_slug: str | None) -> int | None:
    if role == "lead" and not partner_slug:
        raise AccountError("a lead belongs to a partner: give --partner ID")
    if role != "lead" and partner_slug:
        raise AccountError("only leads belong to a partner")
    if not partner_slug:
        return None
    partner_id = session.scalars(select(Partner.id).where(Partner.slug == partner_slug)).first()
    if partner_id is None:
        raise AccountError(f"no partner has the id '{partner_slug}' (load a framework that names it first)")
    return partner_id


def user_snapshot(user: User, partner_slug: str | None = None) -> dict[str, object]:
    return {"email": user.email, "role": user.role, "partner": partner_slug, "active": user.active}


@dataclass(frozen=True)
class LockPolicy:
    """When one client address is locked out of one account, and for how long (doubling on each repeat)."""

    after: int = 5
    first_minutes: int = 5
    max_minutes: int = 24 * 60

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LockPolicy:
        return cls(
            int(config.get("LOGIN_LOCK_AFTER", cls.after)),
            int(config.get("LOGIN_LOCK_MINUTES", cls.first_minutes)),
            int(config.get("LOGIN_LOCK_MAX_MINUTES", cls.max_minutes)),
        )

    def minutes(self, locks_before: int) -> int:
        return min(self.max_minutes, self.first_minutes << min(locks_before, 20))

    def refusal(self) -> str:
        """One answer for a wrong password, an unknown address and a locked pair: none can be told apart."""
        return (
            "The email address or password is not right. After "
            f"{self.after} failed attempts in a row, signing in from your network address is paused "
            "for a few minutes, and longer if it happens again."
        )


@dataclass(frozen=True)
class SignIn:
    user: User | None
    message: str


def client_key(remote_addr: str) -> str:
    """The client a lock or rate limit applies to: the IPv4 address, or the /64 network of an IPv6 one."""
    try:
        address = ipaddress.ip_address(remote_addr.strip())
    except ValueError:
        return remote_addr.strip()[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def authenticate(
    session: Session,
    email: str,
    password: str,
    remote_addr: str = "",
    policy: LockPolicy | None = None,
) -> SignIn:
    """Check a password. An unknown address, a wrong password and a locked client get the same answer after
    the same work (one argon2 verification); repeated failures lock out that client only. Always audited."""
    policy = policy or LockPolicy()
    refused = SignIn(None, policy.refusal())
    email = email.strip().lower()[:320]
    client = client_key(remote_addr)
    user = session.scalars(select(User).where(User.email == email)).first()
    now = utcnow()
    if user is None:
        _verify(_dummy_hash(HASHER), password)
        record(session, Actor(email, remote_addr=remote_addr), "login.failure", detail="unknown account")
        return refused
    actor = Actor(user.email, user.role, user.id, remote_addr)
    lock = session.scalars(
        select(SignInLock).where(SignInLock.user_id == user.id, SignInLock.client == client).with_for_update()
    ).first()
    if lock is not None and lock.locked_until is not None and lock.locked_until > now:
        _verify(_dummy_hash(HASHER), password)  # the password is not tried, but the answer takes as long
        detail = f"locked for {client} until {lock.locked_until:%Y-%m-%d %H:%M} UTC"
        record(session, actor, "login.failure", object_type="user", object_id=user.id, detail=detail)
        return refused
    if not _verify(user.password_hash, password):
        detail = _count_failure(session, user.id, lock, client, now, policy)
        record(session, actor, "login.failure", object_type="user", object_id=user.id, detail=detail)
        return refused
    if not user.active:
        record(session, actor, "login.failure", object_type="user", object_id=user.id, detail="disabled")
        return SignIn(None, "This account is disabled. Ask an administrator.")
    if lock is not None:
        session.delete(lock)
    user.last_login_at = now
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    record(session, actor, "login.success", object_type="user", object_id=user.id)
    return SignIn(user, "")


def _count_failure(
    session: Session, user_id: int, lock: SignInLock | None, client: str, now: datetime, policy: LockPolicy
) -> str:
    """Count a wrong password for this account and client; the policy's count in a row locks the pair."""
    if lock is None:
        lock = SignInLock(user_id=user_id, client=client, failures=0, locks=0, last_failure_at=now)
        try:
            with session.begin_nested():  # another request from the same client may have added it just now
                session.add(lock)
        except IntegrityError:
            lock = session.scalars(
                select(SignInLock).where(SignInLock.user_id == user_id, SignInLock.client == client)
            ).one()
    elif lock.last_failure_at < now - timedelta(minutes=policy.max_minutes):
        lock.failures, lock.locks = 0, 0  # a day without failures forgets the back-off
    lock.failures += 1
    lock.last_failure_at = now
    detail = f"wrong password ({lock.failures}) from {client}"
    if lock.failures >= policy.after:
        minutes = policy.minutes(lock.locks)
        lock.locked_until = now + timedelta(minutes=minutes)
        lock.locks += 1
        lock.failures = 0
        detail += f"; that address locked out for {minutes} minutes"
    return detail


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made with the current settings: verifying it costs what verifying a real one does."""
    return hasher.hash("not a real password, used for timing only")


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def end_sessions(user: User) -> None:
    """Every session cookie issued before now stops working."""
    user.session_version += 1


def update_user(
    session: Session, actor: Actor, user: User, *, role: str, active: bool, partner_slug: str | None
) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}'")
    if actor.user_id == user.id and (role != user.role or not active):
        raise AccountError("you cannot change your own role or disable your own account")
    before = user_snapshot(user, _partner_slug(session, user))
    partner_id = _partner_for(session, role, partner_slug)
    if (user.role, user.active, user.partner_id) != (role, active, partner_id):
        if not active or role != user.role:
            end_sessions(user)
        user.role, user.active, user.partner_id = role, active, partner_id
        record(
            session,
            actor,
            "user.update",
            object_type="user",
            object_id=user.id,
            before=before,
            after=user_snapshot(user, partner_slug),
        )


def clear_locks(session: Session, user: User) -> int:
    """Lift every sign-in lock on the account (after a new password); how many there were."""
    result = session.execute(delete(SignInLock).where(SignInLock.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


def find_user(session: Session, email: str) -> User:
    """The account with this email address (any case), or an AccountError naming it."""
    email = email.strip().lower()
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        raise AccountError(f"no user has the email address {email}")
    return user


def _partner_slug(session: Session, user: User) -> str | None:
    if user.partner_id is None:
        return None
    return session.scalar(select(Partner.slug).where(Partner.id == user.partner_id))


def disable_user(session: Session, actor: Actor, user: User) -> bool:
    """Disable the account and end its sessions, audited as the admin page does; False if already disabled."""
    if not user.active:
        return False
    slug = _partner_slug(session, user)
    update_user(session, actor, user, role=user.role, active=False, partner_slug=slug)
    return True


def set_password(session: Session, actor: Actor, user: User, password: str) -> int:
    """A new password: the same rules as at creation; every session ends and every lock-out is lifted."""
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError(f"the password {problem}")
    user.password_hash = HASHER.hash(password)
    end_sessions(user)
    cleared = clear_locks(session, user)
    record(
        session,
        actor,
        "user.password",
        object_type="user",
        object_id=user.id,
        detail=f"password set; sessions ended; {cleared} sign-in lock(s) lifted",
    )
    return cleared


@dataclass(frozen=True)
class UserRow:
    email: str
    role: str
    partner: str | None
    active: bool
    last_login_at: datetime | None
    locked_clients: int


def list_users(session: Session) -> list[UserRow]:
    """Every account, by email, with its partner and how many client addresses are locked out of it now."""
    now = utcnow()
    locked = dict(
        session.execute(
            select(SignInLock.user_id, func.count())
            .where(SignInLock.locked_until > now)
            .group_by(SignInLock.user_id)
        ).all()
    )
    rows = session.execute(
        select(User, Partner.slug).outerjoin(Partner, Partner.id == User.partner_id).order_by(User.email)
    ).all()
    return [
        UserRow(u.email, u.role, slug, u.active, u.last_login_at, int(locked.get(u.id, 0)))
        for u, slug in rows
    ]

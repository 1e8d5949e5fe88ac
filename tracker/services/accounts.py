"""User accounts: argon2id passwords, common ones refused, throttled sign-in, revocable sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import ROLES, Partner, User, utcnow
from tracker.services.audit import Actor, record

# argon2id, RFC 9106 "second recommended" profile: 64 MiB memory, 3 passes, 4 lanes.
HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, hash_len=32, salt_len=16)
PASSWORD_MIN, PASSWORD_MAX = 8, 128
COMMON_PASSWORDS_CHECKED = 30_000
LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# Verifying against this keeps sign-in time the same whether or not the account exists.
_DUMMY_HASH = HASHER.hash("not a real password, used for timing only")


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
class SignIn:
    user: User | None
    message: str


def authenticate(session: Session, email: str, password: str, remote_addr: str = "") -> SignIn:
    """Check a password; after repeated failures the account is locked for a while. Audits either way."""
    email = email.strip().lower()[:320]
    user = session.scalars(select(User).where(User.email == email)).first()
    now = utcnow()
    refused = "The email address or password is not right."
    if user is None:
        _verify(_DUMMY_HASH, password)
        record(session, Actor(email, remote_addr=remote_addr), "login.failure", detail="unknown account")
        return SignIn(None, refused)
    actor = Actor(user.email, user.role, user.id, remote_addr)
    if user.locked_until is not None and user.locked_until > now:
        record(session, actor, "login.failure", object_type="user", object_id=user.id, detail="locked")
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return SignIn(None, f"Too many failed attempts: try again in {minutes} minutes.")
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        detail = f"wrong password ({user.failed_logins})"
        if user.failed_logins >= LOCK_AFTER_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            detail += f"; locked for {LOCK_MINUTES} minutes"
        record(session, actor, "login.failure", object_type="user", object_id=user.id, detail=detail)
        return SignIn(None, refused)
    if not user.active:
        record(session, actor, "login.failure", object_type="user", object_id=user.id, detail="disabled")
        return SignIn(None, "This account is disabled. Ask an administrator.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    record(session, actor, "login.success", object_type="user", object_id=user.id)
    return SignIn(user, "")


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
    before = user_snapshot(user)
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


def locked_now(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())

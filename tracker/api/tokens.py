"""API tokens: made for a user by an admin, shown once, kept as a SHA-256 digest, revoked, never deleted.

A token reads as its user: the role and partner are read from the user's row at every call, so a change of
role, a new partner or a disabled account applies at once. The raw token is `trk_` and 43 URL-safe characters
(256 random bits); so many bits make a fast hash safe to store (as GitHub and PyPI do), and a slow one would
cost every API call. Finding a token by its digest leaks nothing about the raw token through timing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tracker.db.models import ApiToken, User, utcnow
from tracker.domain.text_limits import API_TOKEN_NAME
from tracker.services.audit import Actor, record
from tracker.services.permissions import Principal

SCHEME = "trk_"
PREFIX_LENGTH = 8  # characters after `trk_` kept in clear to tell tokens apart: 48 of its 256 bits
RAW_TOKEN = re.compile(r"trk_[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) gives after the scheme
_LISTING = select(ApiToken, User.email, User.role, User.active).join(User, User.id == ApiToken.user_id)


class TokenRefused(Exception):
    """A token cannot be made or revoked: the message says why, `field` names the input; nothing written."""

    def __init__(self, message: str, field: str = "user") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TokenPrincipal:
    """Who an API call acts as: the token, and its user's role and partner as they are now."""

    token_id: int
    token_name: str
    principal: Principal


@dataclass(frozen=True)
class TokenListing:
    """One token as the admin page and `tracker api-token list` show it (never its digest)."""

    id: int
    name: str
    prefix: str
    user_email: str
    role: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None
    user_active: bool = True

    @property
    def shown_prefix(self) -> str:
        """How the token begins, as a person tells it from another: `trk_AbCd1234…`."""
        return f"{SCHEME}{self.prefix}…"


def digest(raw: str) -> str:
    """The stored form of a raw token: its SHA-256 in hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(session: Session, actor: Actor, user_email: str, name: str = "") -> tuple[ApiToken, str]:
    """A new token for an active user, audited (never with the secret); the row (flushed) and the raw token,
    which the caller shows once: it is not kept anywhere."""
    email = user_email.strip().lower()
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        raise TokenRefused(f"no user has the email address {email or '(blank)'}")
    if not user.active:
        raise TokenRefused(f"{email} is disabled: enable the account before giving it a token")
    name = " ".join(name.split())
    problem = API_TOKEN_NAME.problem(name)
    if problem:
        raise TokenRefused(f"the name {problem}", "name")
    if not name.isprintable():
        raise TokenRefused("the name must be plain text, without control characters", "name")
    if not name:
        held = session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id))
        name = f"token {(held or 0) + 1}"
    raw = SCHEME + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=raw[len(SCHEME) : len(SCHEME) + PREFIX_LENGTH],
        secret_sha256=digest(raw),
        created_by=actor.label,
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor,
        "api_token.create",
        object_type="api_token",
        object_id=token.id,
        after={"token": name, "email": user.email, "role": user.role, "prefix": token.prefix},
    )
    return token, raw


def revoke_token(session: Session, actor: Actor, token_id: int) -> bool:
    """Stop a token working from now on, audited; False (and nothing written) if it was already revoked."""
    found = session.execute(
        select(ApiToken, User.email).join(User, User.id == ApiToken.user_id).where(ApiToken.id == token_id)
    ).first()
    if found is None:
        raise TokenRefused(f"no API token has the id {token_id}", "token")
    token, email = found
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    token.revoked_by = actor.label
    record(
        session,
        actor,
        "api_token.revoke",
        object_type="api_token",
        object_id=token.id,
        after={"token": token.name, "email": email, "prefix": token.prefix},
    )
    return True


def authenticate(session: Session, raw: str) -> TokenPrincipal | None:
    """The token's principal, in one statement; None for a malformed, unknown or revoked token, or one whose
    user is disabled. A malformed token sends no statement at all."""
    if not isinstance(raw, str) or RAW_TOKEN.fullmatch(raw) is None:
        return None
    found = session.execute(
        select(ApiToken.id, ApiToken.name, User.id, User.email, User.role, User.partner_id)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.secret_sha256 == digest(raw),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).first()
    if found is None:
        return None
    token_id, token_name, user_id, email, role, partner_id = found
    return TokenPrincipal(token_id, token_name, Principal(user_id, email, role, partner_id))


def note_use(session: Session, token_id: int, now: datetime) -> None:
    """Mark the token used at `now`: one UPDATE (the caller decides when, and in which transaction)."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def list_tokens(session: Session) -> list[TokenListing]:
    """Every token, revoked ones too, oldest first, with its user's email, role and whether it is enabled."""
    return [_listing(*row) for row in session.execute(_LISTING.order_by(ApiToken.id))]


def token_listing(session: Session, token_id: int) -> TokenListing | None:
    """One token as listed (the revoke page names what it revokes), or None."""
    row = session.execute(_LISTING.where(ApiToken.id == token_id)).first()
    return _listing(*row) if row is not None else None


def _listing(token: ApiToken, email: str, role: str, active: bool) -> TokenListing:
    return TokenListing(
        token.id,
        token.name,
        token.prefix,
        email,
        role,
        token.created_at,
        token.created_by,
        token.last_used_at,
        token.revoked_at,
        active,
    )


def eligible_users(session: Session) -> list[tuple[str, str]]:
    """(email, role) of every enabled account, by email: whom a token may be made for."""
    rows = session.execute(select(User.email, User.role).where(User.active.is_(True)).order_by(User.email))
    return list(rows)

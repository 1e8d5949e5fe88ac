"""API tokens: a user's key for the read-only JSON API, kept only as a digest and revoked, never deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base, utcnow


class ApiToken(Base):
    """One token of one user: it reads as that user's role and partner are now, until it is revoked.

    The raw token is shown once when it is made; only its SHA-256 is stored (the token holds 256 random
    bits, so a fast hash cannot be reversed, and every API call can afford it). `prefix` tells tokens apart
    in lists and is never enough to use one.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str] = mapped_column(String(320), default="")

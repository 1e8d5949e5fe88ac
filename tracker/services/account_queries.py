"""What the admin and sign-in pages read about accounts and partners, so that views run no query."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Partner, User


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def partner_names(session: Session) -> list[tuple[str, str]]:
    """(slug, name) of every partner, by name: the choices of a partner field."""
    return [
        (slug, name)
        for slug, name in session.execute(select(Partner.slug, Partner.name).order_by(Partner.name))
    ]


def users_by_email(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.email)).all()


def partner_names_by_id(session: Session) -> dict[int, str]:
    """Partner id -> name, for naming each user's partner in a listing."""
    return {partner_id: name for partner_id, name in session.execute(select(Partner.id, Partner.name))}


def partner_slug_of(session: Session, user: User) -> str:
    """The slug of the user's partner, or "" for a user without one."""
    if not user.partner_id:
        return ""
    return session.scalar(select(Partner.slug).where(Partner.id == user.partner_id)) or ""

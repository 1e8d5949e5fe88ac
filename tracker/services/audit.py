"""Appends to the audit trail; the trail is never updated or deleted by the app."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tracker.db.models import AuditEvent


class Actor:
    """Who acts: a signed-in user, or a named command-line operator."""

    def __init__(self, label: str, role: str = "", user_id: int | None = None, remote_addr: str = "") -> None:
        self.label = label
        self.role = role
        self.user_id = user_id
        self.remote_addr = remote_addr

    @classmethod
    def command_line(cls) -> Actor:
        return cls("command line", role="admin")


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    framework_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str = "",
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user_id,
        actor=actor.label,
        role=actor.role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        framework_id=framework_id,
        before=before,
        after=after,
        detail=detail[:2000],
        remote_addr=actor.remote_addr,
    )
    session.add(event)
    return event


def record_apart(
    engine: Engine,
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    detail: str = "",
) -> None:
    """Record an event in a transaction of its own: kept even though the request's own is rolled back."""
    with Session(engine) as session:
        record(session, actor, action, object_type=object_type, object_id=object_id, detail=detail)
        session.commit()

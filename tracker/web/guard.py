"""Server-side permission checks for views: a refusal answers 403, writes nothing, and is audited."""

from __future__ import annotations

from typing import NoReturn

from flask import abort, request
from flask_login import current_user

from tracker.extensions import db
from tracker.services.audit import Actor, record_apart
from tracker.services.permissions import Principal


def principal() -> Principal:
    return Principal.of(current_user)


def actor() -> Actor:
    return Actor(current_user.email, current_user.role, current_user.id, request.remote_addr or "")


def refuse(action: str, object_type: str = "", object_id: str | int = "", detail: str = "") -> NoReturn:
    """Record the refusal in a transaction of its own (the request's is rolled back), then answer 403."""
    who = actor()  # read before the rollback expires the signed-in user (a reload would take the write lock)
    db.session.rollback()  # nothing of a refused request is kept, and SQLite's write lock is released
    record_apart(
        db.engine,
        who,
        "refused",
        object_type=object_type,
        object_id=object_id,
        detail=f"{action}: {detail}" if detail else action,
    )
    abort(403, description="You do not have permission to do that.")


def require(allowed: bool, action: str, object_type: str = "", object_id: str | int = "") -> None:
    if not allowed:
        refuse(action, object_type, object_id)

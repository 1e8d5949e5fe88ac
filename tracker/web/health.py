"""GET /healthz: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.services.database_health import ping

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        ping(db.engine)
    except SQLAlchemyError as error:
        log.warning("health check: database unavailable: %s", error.__class__.__name__)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok")

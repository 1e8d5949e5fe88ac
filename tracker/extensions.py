"""Extension objects, created once here and bound to the app in create_app."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from tracker.db.session import Database
from tracker.services.accounts import client_key

db = Database()
csrf = CSRFProtect()
login_manager = LoginManager()


def _client() -> str:
    return client_key(request.remote_addr or "")


# Storage comes from RATELIMIT_STORAGE_URI (set in create_app); if that store is down, each process counts.
limiter = Limiter(_client, headers_enabled=True, swallow_errors=True, in_memory_fallback_enabled=True)

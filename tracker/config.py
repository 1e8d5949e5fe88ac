"""Configuration: defaults here, then instance/config.py, then TRACKER_* environment, then a test mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    # Any SQLAlchemy URL; empty means the embedded SQLite file instance/tracker.sqlite3.
    "DATABASE_URL": "",
    "SECRET_KEY": "",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Set for HTTPS deployments (TRACKER_SESSION_COOKIE_SECURE=1): browsers then send the cookies over HTTPS
    # only. It sets REMEMBER_COOKIE_SECURE too.
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    # A signed-in session ends after this many minutes without a request, and this many seconds after
    # signing in whatever happens.
    "SESSION_IDLE_MINUTES": 60,
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # Sign-in attempts (POSTs to /login) per client address, counted in RATELIMIT_STORAGE_URI: empty means
    # REDIS_URL when set (shared by every worker), else memory:// (each worker process counts its own).
    "LOGIN_RATE_LIMIT": "20 per minute;200 per hour",
    "RATELIMIT_STORAGE_URI": "",
    # Calls to /api/v1 per token (in the same store); over it, 429 with Retry-After.
    "API_RATE_LIMIT": "600 per minute",
    # After LOGIN_LOCK_AFTER wrong passwords in a row, that client address cannot sign in to that account
    # for LOGIN_LOCK_MINUTES, doubling on each repeat up to LOGIN_LOCK_MAX_MINUTES.
    "LOGIN_LOCK_AFTER": 5,
    "LOGIN_LOCK_MINUTES": 5,
    "LOGIN_LOCK_MAX_MINUTES": 24 * 60,
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (the client address that locks
    # and rate limits use comes from there). 0 trusts no such header.
    "TRUSTED_PROXIES": 0,
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    # Largest upload accepted, per file; the request limit allows several files and the form.
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
    # Where attachments' bytes are kept (docs/storage.md): empty means the folder <UPLOAD_FOLDER>/blobs under
    # the instance; file:///absolute/path another folder (a shared mount); database: the database itself.
    "STORAGE_URL": "",
    "MAX_CONTENT_LENGTH": 5 * 20 * 1024 * 1024 + 1024 * 1024,
    # The largest non-file form field (Flask's default is 500 kB): every text limit, even ten times over,
    # fits, so over-long text reaches its field's check and comes back in the field.
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "REPORT_TIME_LIMIT_SECONDS": 60,
    # How many processes render one report's parts at once (issue 23); 0: one per CPU, at most 4. A report of
    # one part (a survey level report) uses one.
    "REPORT_RENDER_PROCESSES": 0,
    # With a Redis URL, PDFs are made by `tracker worker` processes (RQ) instead of inside web workers.
    "REDIS_URL": "",
    "REPORT_QUEUE": "tracker-reports",
    "LOG_LEVEL": "INFO",
}


def _coerce(raw: str, default: Any) -> Any:
    """Environment values are strings; give them the type of the default they replace."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Every TRACKER_<KEY> variable overrides <KEY>; unknown keys are taken as strings."""
    found: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("TRACKER_") or name in {"TRACKER_INSTANCE_PATH"}:
            continue
        key = name.removeprefix("TRACKER_")
        found[key] = _coerce(raw, DEFAULTS.get(key, ""))
    return found


def instance_secret_key(instance_path: Path) -> str:
    """A random key generated on first use and kept, readable by the owner only, in the instance folder."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'tracker.sqlite3'}"

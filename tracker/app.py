"""The Flask app factory: config from defaults, instance/config.py, TRACKER_* environment, test mapping."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import config as tracker_config
from tracker.resources import static_dir, templates_dir


def _instance_path() -> str | None:
    explicit = os.environ.get("TRACKER_INSTANCE_PATH")
    return str(Path(explicit).resolve()) if explicit else None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask app: config from defaults, instance/config.py, TRACKER_* environment, then `test_config`."""
    app = Flask(
        __name__,
        instance_path=_instance_path(),
        instance_relative_config=True,
        template_folder=str(templates_dir()),
        static_folder=str(static_dir()),
    )
    app.config.from_mapping(tracker_config.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(tracker_config.from_environment(os.environ))
    if test_config is not None:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = tracker_config.instance_secret_key(instance)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = tracker_config.default_database_url(instance)
    app.config.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))
    from tracker.storage import check_url

    check_url(str(app.config["STORAGE_URL"]))  # a bad URL stops the start, naming the setting
    _secure_defaults(app)
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from tracker.extensions import csrf, db, limiter

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from tracker.ratings import fragments

    fragments.install(app.extensions, size=128)

    from tracker.web import register_web

    register_web(app)

    from tracker.api.core import register_api

    register_api(app)
    return app


def _secure_defaults(app: Flask) -> None:
    """Settings that follow from others: HTTPS cookies, the rate-limit store, the proxies trusted."""
    if app.config["SESSION_COOKIE_SECURE"]:
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]  # Flask's documented way to wrap it

"""Runs the app under gunicorn, the production server, with several worker processes."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from tracker.reports.pdf_pool import start_renderer


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn's stubs are not installed: the base is Any
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run_server(app: Flask, host: str, port: int, workers: int) -> None:
    engine_dispose = app.extensions["tracker_db"][0].dispose

    def post_fork(_server: Any, _worker: Any) -> None:
        # A forked worker must not share the parent's database connections.
        engine_dispose(close=False)
        start_renderer()

    _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": max(30, int(app.config["REPORT_TIME_LIMIT_SECONDS"]) + 30),
            "accesslog": "-",
            "post_fork": post_fork,
        },
    ).run()

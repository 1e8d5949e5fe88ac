"""A web worker starts the PDF renderer when it starts, so a board member's first PDF does not wait for it."""

from __future__ import annotations

import os
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tracker.reports import pdf_pool
from tracker.web import server


def test_start_renderer_runs_the_fork_server_and_renders_reuse_it(tmp_path: Path) -> None:
    pdf_pool.start_renderer()
    started = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert started is not None
    os.kill(started, 0)  # alive (raises if not)
    result = pdf_pool.render_pdf("<html><body><h1>Board report</h1></body></html>", tmp_path, tmp_path, 60)
    assert result.pdf.startswith(b"%PDF") and result.refused == ()
    pdf_pool.start_renderer()  # a second start reuses the running one
    assert forkserver._forkserver._forkserver_pid == started  # type: ignore[attr-defined]


def test_each_server_worker_starts_the_renderer_after_fork(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    options: dict[str, Any] = {}
    calls: list[str] = []

    class Recorder:
        def __init__(self, _app: Flask, given: dict[str, Any]) -> None:
            options.update(given)

        def run(self) -> None:
            calls.append("run")

    monkeypatch.setattr(server, "_Gunicorn", Recorder)
    monkeypatch.setattr(server, "start_renderer", lambda: calls.append("renderer"))
    server.run_server(app, "127.0.0.1", 0, 2)
    assert calls == ["run"]  # the parent starts none: a forked worker would not inherit it usefully
    app.extensions["tracker_db"][0].dispose()  # post_fork drops the pool unclosed, as a forked child must
    options["post_fork"](None, None)
    assert calls == ["run", "renderer"]

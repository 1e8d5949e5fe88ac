"""Browser fixtures: the real app served over HTTP on 127.0.0.1, and Debian's Chromium driven by Playwright.

The tests here skip, with the reason printed, only when Chromium or Playwright is missing; they never
pass silently without a browser.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception, request
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The browser tests run on SQLite only: one file of their own (overrides the two-backend fixture)."""
    return f"sqlite:///{tmp_path / 'e2e.sqlite3'}"


@pytest.fixture
def app(make_app: Any) -> Flask:
    """The app as served to a browser: real CSRF protection, the schema made by the migrations."""
    return make_app(WTF_CSRF_ENABLED=True)  # type: ignore[no-any-return]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serves `app` on 127.0.0.1 on a free port, in a thread; yields the base URL.

    An exception in the app answers 500 to the browser; it is also reported here, when the test ends,
    so the cause is named instead of showing only as a page that did not have the expected content.
    """
    crashes: list[str] = []

    def on_exception(_sender: Flask, exception: BaseException, **_extra: Any) -> None:
        crashes.append(
            f"{request.method} {request.full_path.rstrip('?')}: {type(exception).__name__}: {exception}"
        )

    got_request_exception.connect(on_exception, app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(on_exception, app)
    if crashes:
        pytest.fail("the app raised while serving the browser:\n" + "\n".join(crashes), pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium; skipped (with the reason) when it or Playwright is not installed."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium'); it is missing")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as problem:
        pytest.skip(f"browser tests need Playwright (pip install -e '.[test]'): {problem}")
    expect.set_options(timeout=TIMEOUT_MS // 2)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Any]:
    """Opens pages in fresh browser contexts (separate cookies), one per user; all closed at the end."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(
            base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()

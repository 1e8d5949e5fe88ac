"""The database stops and comes back: /healthz says 503, pages say so plainly, and the app recovers alone."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from typing import Any

import pytest
from flask import Flask

from ..conftest import sign_in
from ..page import Page

PG = os.environ.get("TRACKER_TEST_DATABASE_URL", "")
UPSTREAM = ("127.0.0.1", 5432)


class CuttableProxy:
    """A TCP proxy to PostgreSQL on loopback that can be cut (every connection dropped) and restored."""

    def __init__(self) -> None:
        self.port = 0
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(UPSTREAM, timeout=5)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self.listener is not None:
            # shutdown() first: a thread blocked in accept() keeps a merely closed socket listening.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()


@pytest.fixture
def proxy() -> Any:
    if not PG:
        pytest.skip("the outage test cuts a PostgreSQL connection; set TRACKER_TEST_DATABASE_URL (CI does)")
    p = CuttableProxy()
    p.start()
    yield p
    p.cut()


def test_outage_and_recovery(proxy: CuttableProxy, make_app: Any, database_url: str, make_user: Any) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("this case runs on the PostgreSQL backend only")
    app: Flask = make_app(DATABASE_URL=database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"))
    client = app.test_client()
    email = make_user("board")
    sign_in(client, email)
    assert client.get("/").status_code == 200
    proxy.cut()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "unavailable"
    page = Page.of(client.get("/"), 503)
    assert page.h1 == "The tracker cannot reach its database" and page.text("h1 + p").startswith(
        "Nothing you saved"
    )
    assert "Traceback" not in page.body and "Traceback" not in page.html
    proxy.start()
    assert client.get("/healthz").status_code == 200
    back = Page.of(client.get("/"), 200)
    assert back.text("li.nav-user") == f"Signed in as {email} (board)"

"""Throughput of the dashboard under the production server, as a ratio to /healthz in the same run.

The dashboard reads stored ratings: before the server starts, `tracker refresh-ratings --framework SLUG`
stores the framework's (timed, reported), so every request in the window reads them; the stored row count
is checked before and after the window.

The server is `tracker serve --workers 2` (gunicorn, gthread) on a free loopback port, started as a subprocess
on the benchmark database; the load comes from a second process (this module with --client): keep-alive
connections on threads, each looping over one path for a bounded time with the session cookie of a user who
signed in through the real /login form (CSRF token and all).

    python -m tests.benchmarks.bench_http --url URL --slug SLUG [--seconds 20] [--threads 8]
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.benchmarks.common import RESULT_PREFIX, emit, load
from tests.benchmarks.generate import BENCH_DIR, USER_EMAIL, USER_PASSWORD


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sign_in(base: str) -> str:
    """A Cookie header for a signed-in session, through GET /login (CSRF token) and POST /login."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert token, "no CSRF token on /login"
    data = urllib.parse.urlencode(
        {"csrf_token": token[1], "email": USER_EMAIL, "password": USER_PASSWORD}
    ).encode()
    opener.open(f"{base}/login", data=data, timeout=30).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "session=" in cookies, "sign-in gave no session cookie"
    return cookies


def drive(port: int, path: str, cookie: str, seconds: float, threads: int) -> dict[str, Any]:
    """Requests completed per second over `seconds`, with latencies, from `threads` keep-alive clients."""
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads

    def worker(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    latencies[n].append(time.perf_counter() - started)
                else:
                    errors[n] += 1
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    done = [x for per in latencies for x in per]
    done.sort()
    return {
        "path": path,
        "requests": len(done),
        "errors": sum(errors),
        "seconds": elapsed,
        "per_second": len(done) / elapsed,
        "latency_median": statistics.median(done) if done else None,
        "latency_p95": done[int(len(done) * 0.95)] if done else None,
    }


def client_main(args: argparse.Namespace) -> None:
    base = f"http://127.0.0.1:{args.port}"
    cookie = sign_in(base)
    dashboard = f"/f/{args.slug}/dashboard"
    # Warm both paths (each worker's first request pays for imports, the YAML parse, the page cache).
    drive(args.port, "/healthz", cookie, 2, args.threads)
    drive(args.port, dashboard, cookie, min(args.seconds, 10), 2)
    load_before = load()
    health = drive(args.port, "/healthz", cookie, args.seconds, args.threads)
    dash = drive(args.port, dashboard, cookie, args.seconds, args.threads)
    emit(
        {
            "healthz": health,
            "dashboard": dash,
            "ratio": dash["per_second"] / health["per_second"] if health["per_second"] else None,
            "threads": args.threads,
            "load_before": load_before,
            "load_after": load(),
        }
    )


def wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not answer /healthz in time")


def stored_rows(url: str, slug: str) -> int:
    from tests.benchmarks.bench_pages import stored_count
    from tracker.db.session import make_engine

    engine = make_engine(url)
    try:
        return stored_count(engine, slug)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client", action="store_true", help="internal: be the load generator")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return
    port = free_port()
    instance = BENCH_DIR / "serve-instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
        "TRACKER_DATABASE_URL": args.url,
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_LOG_LEVEL": "WARNING",
    }
    tracker = str(Path(sys.executable).parent / "tracker")
    # Store the framework's ratings first, so the window measures the dashboard reading them.
    started = time.perf_counter()
    subprocess.run(
        [tracker, "refresh-ratings", "--framework", args.slug], env=env, check=True, capture_output=True
    )
    refresh_seconds = time.perf_counter() - started
    stored_before = stored_rows(args.url, args.slug)
    log = (BENCH_DIR / "serve.log").open("wb")
    server = subprocess.Popen(
        [tracker, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready(port, server)
        client = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.bench_http",
                "--client",
                "--url",
                args.url,
                "--slug",
                args.slug,
                "--port",
                str(port),
                "--seconds",
                str(args.seconds),
                "--threads",
                str(args.threads),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in client.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
        if not lines:
            raise RuntimeError(f"the load client failed: {client.stderr[-2000:]}")
        result = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
        result["workers"] = args.workers
        result["refresh_one_framework_seconds"] = refresh_seconds
        result["stored_rows_before"] = stored_before
        result["stored_rows_after"] = stored_rows(args.url, args.slug)
        result["server"] = "tracker serve (gunicorn gthread, 4 threads a worker)"
        emit(result)
    finally:
        # Stop the server we started: its process group (gunicorn master and workers), by id.
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


if __name__ == "__main__":
    main()

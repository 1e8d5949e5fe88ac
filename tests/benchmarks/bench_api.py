"""The read-only API (issue 22) in process through the Flask test client, with a real token: time and SQL
statements of the outcome list of one framework at a scale against the tiny instance's, and the 304.

    .venv/bin/python -m tests.benchmarks.bench_api --scale national [--runs 7] [--not-modified-runs 20]

The instances are generate.py's (cached under TRACKER_BENCH_DIR; generated first when missing). A token is
made for the benchmark's evaluator with `tokens.create_token` (as `tracker api-token create` does) and revoked
at the end. Each path gets one warm-up call (a first reader rates and stores what is missing and counts the
report's linked items), then timed calls, each after `gc.collect()`, then one call with its statements counted
(tests/querycount.py). The 304 is the same path with the ETag of the call before in If-None-Match.
Every call is audited as in production: its last use and one audit row, in a transaction of its own.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sqlite3
import sys
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.benchmarks.bench_pages import make_app
from tests.benchmarks.common import emit, load, profile_to, summary
from tests.benchmarks.generate import SCALES, USER_EMAIL, database_url, ensure, framework_slugs
from tests.benchmarks.run import app_version
from tests.querycount import count_statements
from tracker.api import tokens
from tracker.extensions import db
from tracker.services.audit import Actor

OUTCOME = "o-t1-01"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def token_client(app: Flask) -> tuple[FlaskClient, int]:
    with app.app_context(), db.unit_of_work() as session:
        row, raw = tokens.create_token(session, Actor("benchmark"), USER_EMAIL, "bench_api")
        token_id = row.id
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client, token_id


def revoke(app: Flask, token_id: int) -> None:
    with app.app_context(), db.unit_of_work() as session:
        tokens.revoke_token(session, Actor("benchmark"), token_id)


def statements(app: Flask, client: FlaskClient, path: str, headers: dict[str, str], status: int) -> int:
    engine = app.extensions["tracker_db"][0]
    with count_statements(engine) as counter:
        response = client.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code)
    return counter.count


def measure(
    app: Flask, client: FlaskClient, path: str, runs: int, profile: str | None = None
) -> dict[str, Any]:
    first = client.get(path)  # the warm-up
    assert first.status_code == 200, (path, first.status_code, first.get_data(as_text=True)[:300])
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    profile_to(profile, lambda: client.get(path))
    return {
        "path": path,
        "time": summary(times),
        "statements": statements(app, client, path, {}, 200),
        "bytes": len(response.get_data()),
        "items": len(response.get_json().get("data", [])) or None,
    }


def measure_not_modified(app: Flask, client: FlaskClient, path: str, runs: int) -> dict[str, Any]:
    etag = client.get(path).headers["ETag"]
    headers = {"If-None-Match": etag}
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 304, (path, response.status_code)
    return {"path": path, "time": summary(times), "statements": statements(app, client, path, headers, 304)}


def run(scale_name: str, runs: int, not_modified_runs: int, profile: str | None) -> dict[str, Any]:
    scale, tiny = SCALES[scale_name], SCALES["tiny"]
    instance = ensure(scale, "sqlite", log)
    ensure(tiny, "sqlite", log)
    slug, tiny_slug = framework_slugs(scale)[0], framework_slugs(tiny)[0]
    result: dict[str, Any] = {
        "scale": scale_name,
        "instance": instance,
        "app": app_version(),
        "cpu": f"{os.cpu_count()} x {platform.processor() or platform.machine()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_before": load(),
    }
    app = make_app(database_url(scale, "sqlite"))
    client, token_id = token_client(app)
    base = f"/api/v1/frameworks/{slug}"
    try:
        result["outcomes"] = measure(app, client, f"{base}/outcomes", runs, profile)
        result["not_modified"] = measure_not_modified(app, client, f"{base}/outcomes", not_modified_runs)
        result["outcome"] = measure(app, client, f"{base}/outcomes/{OUTCOME}", runs)
        result["outcome_not_modified"] = measure_not_modified(
            app, client, f"{base}/outcomes/{OUTCOME}", not_modified_runs
        )
        result["kpis"] = measure(app, client, f"{base}/kpis", runs)
        result["evidence"] = measure(app, client, f"{base}/evidence", runs)
    finally:
        revoke(app, token_id)
    tiny_app = make_app(database_url(tiny, "sqlite"))
    tiny_client, tiny_token = token_client(tiny_app)
    try:
        result["tiny_outcomes"] = measure(
            tiny_app, tiny_client, f"/api/v1/frameworks/{tiny_slug}/outcomes", 3
        )
        result["tiny_not_modified"] = measure_not_modified(
            tiny_app, tiny_client, f"/api/v1/frameworks/{tiny_slug}/outcomes", 5
        )
    finally:
        revoke(tiny_app, tiny_token)
    result["load_after"] = load()
    return result


def ms(figure: dict[str, Any]) -> str:
    t = figure["time"]
    return f"{t['median'] * 1000:.1f} ms ({t['min'] * 1000:.1f}-{t['max'] * 1000:.1f})"


def report(result: dict[str, Any]) -> str:
    """The figures as the lines of a Markdown table, for BENCHMARKS.md."""
    o, n, tiny, tn = (
        result["outcomes"],
        result["not_modified"],
        result["tiny_outcomes"],
        result["tiny_not_modified"],
    )
    lines = [
        "| figure | SQLite | goal |",
        "|---|---|---|",
        f"| outcome list ({o['items']} outcomes, {o['bytes']:,} bytes) | {ms(o)}, {o['time']['runs']} runs | < 100 ms |",
        f"|   its SQL statements, {result['scale']} / tiny | {o['statements']} / {tiny['statements']} | the same |",
        f"| 304 with If-None-Match | {ms(n)}, {n['time']['runs']} runs | < 10 ms |",
        f"|   its SQL statements, {result['scale']} / tiny | {n['statements']} / {tn['statements']} | |",
        f"| outcome list, tiny | {ms(tiny)} | |",
    ]
    for key, label in (
        ("outcome", f"one outcome ({OUTCOME}, rated live with every item)"),
        ("outcome_not_modified", "  its 304"),
        ("kpis", "KPI list"),
        ("evidence", "evidence list (first page, 100 items)"),
    ):
        f = result[key]
        extra = f", {f['bytes']:,} bytes" if "bytes" in f else ""
        lines.append(f"| {label} | {ms(f)}, {f['statements']} statements{extra} | |")
    lines.append(f"| load before / after | {result['load_before']} / {result['load_after']} | |")
    lines.append(
        f"\napp {result['app']}; {result['cpu']} CPUs; Python {result['python']}, SQLite {result['sqlite']}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="national", choices=sorted(SCALES))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--not-modified-runs", type=int, default=20)
    parser.add_argument("--profile", default=None, help="a file for a text profile of one outcome list call")
    args = parser.parse_args()
    result = run(args.scale, args.runs, args.not_modified_runs, args.profile)
    log(report(result))
    emit(result)


if __name__ == "__main__":
    main()

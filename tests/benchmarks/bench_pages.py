"""Pages in process through the Flask test client, signed in: time (median of runs) and SQL statement count.

python -m tests.benchmarks.bench_pages --url URL --slug SLUG [--runs 5] [--report-page-runs 3]
"""

from __future__ import annotations

import argparse
import gc
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from tests.benchmarks.common import emit, load, profile_to, summary
from tests.benchmarks.generate import USER_EMAIL, USER_PASSWORD
from tests.querycount import count_statements
from tracker import create_app
from tracker.extensions import db
from tracker.reports import model as report_model
from tracker.services import ratings
from tracker.services import surveys as survey_service

OUTCOME = "o-t1-01"


def make_app(url: str) -> Flask:
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "benchmark-secret-key-0123456789abcdef0123456789",
            "WTF_CSRF_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )


def report_model_of(app: Flask, slug: str) -> int:
    """What the report routes do before rendering: one rating pass, survey blocks, the model."""
    with app.test_request_context():
        rated = ratings.rate(db.session, slug)
        assert rated is not None
        model = report_model.build(
            rated, datetime.now(UTC), survey_service.report_blocks(db.session, rated.framework.id)
        )
        return sum(len(o.evidence) for t in model.themes for o in t.outcomes)


def measure_get(app: Flask, client: Any, path: str, runs: int, profile: str | None) -> dict[str, Any]:
    engine = app.extensions["tracker_db"][0]
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code, first.get_data(as_text=True)[:300])
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    with count_statements(engine) as counter:
        client.get(path)
    profile_to(profile, lambda: client.get(path))
    return {
        "path": path,
        "time": summary(times),
        "statements": counter.count,
        "bytes": len(first.get_data()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--report-page-runs", type=int, default=3)
    parser.add_argument("--profile-dir", default=None)
    args = parser.parse_args()
    app = make_app(args.url)
    client = app.test_client()
    response = client.post("/login", data={"email": USER_EMAIL, "password": USER_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def prof(name: str) -> str | None:
        return f"{args.profile_dir}/{name}.txt" if args.profile_dir else None

    load_before = load()
    slug = args.slug
    result: dict[str, Any] = {
        "dashboard": measure_get(app, client, f"/f/{slug}/dashboard", args.runs, prof("dashboard")),
        "outcome": measure_get(app, client, f"/f/{slug}/outcomes/{OUTCOME}", args.runs, prof("outcome")),
        "evidence_list": measure_get(app, client, f"/f/{slug}/evidence", args.runs, prof("evidence_list")),
    }
    engine = app.extensions["tracker_db"][0]
    report_model_of(app, slug)
    times = []
    lines = 0
    for _ in range(args.runs):
        gc.collect()
        started = time.perf_counter()
        lines = report_model_of(app, slug)
        times.append(time.perf_counter() - started)
    with count_statements(engine) as counter:
        report_model_of(app, slug)
    # The model alone, from a rating pass already made, to show where the time goes.
    with app.test_request_context():
        rated = ratings.rate(db.session, slug)
        assert rated is not None
        build_times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            report_model.build(rated, datetime.now(UTC), ())
            build_times.append(time.perf_counter() - started)
    profile_to(prof("report_model"), lambda: report_model_of(app, slug))
    result["report_model"] = {
        "time": summary(times),
        "build_only": summary(build_times),
        "statements": counter.count,
        "evidence_lines": lines,
    }
    if args.report_page_runs:
        result["report_page"] = measure_get(app, client, f"/f/{slug}/report", args.report_page_runs, None)
    result["load_before"] = load_before
    result["load_after"] = load()
    emit(result)


if __name__ == "__main__":
    main()

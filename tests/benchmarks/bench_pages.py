"""Pages in process through the Flask test client, signed in: time (median of runs) and SQL statement count.

python -m tests.benchmarks.bench_pages --url URL --slug SLUG [--runs 5] [--report-page-runs 3]

The dashboard reads stored ratings (`ratings_for`): its first view after the framework's rows
are gone rates every outcome and stores them (`keep`, a side transaction); later views read them. Both are
measured: the first ("cold") view with the framework's `rating_snapshot` rows deleted before each run, then
the stored ("warm") view.
"""

from __future__ import annotations

import argparse
import gc
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import Engine, delete, func, select, update

from tests.benchmarks.common import emit, load, profile_to, summary
from tests.benchmarks.generate import USER_EMAIL, USER_PASSWORD
from tests.querycount import count_statements
from tracker import create_app
from tracker.db.models import Framework, RatingSnapshot, RatingState
from tracker.extensions import db
from tracker.reports import model as report_model
from tracker.reports import plan_blocks
from tracker.reports.inputs import report_model_for
from tracker.services import surveys as survey_service
from tracker.web.as_of import ratings_or_abort

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


def report_model_of(app: Flask, slug: str) -> tuple[int, int]:
    """What the report routes do before rendering (`tracker/web/reports.py: _model`): the stored ratings
    (those missing rated now and kept) with the report's inputs beside them (`ratings_for(...,
    for_report=True)`: the listed items, KPI values, and the count of linked items unless kept beside the
    ratings, then kept), and `report_model_for` (what else the report reads: surveys, events, outputs' evidence,
    action plans, turn-the-curve notes; and `build`). Returns the evidence
    lines of the model and its open plans."""
    with app.test_request_context(f"/f/{slug}/report"):
        inputs = ratings_or_abort(slug, for_report=True)[0]
        model = report_model_for(db.session, inputs, datetime.now(UTC))
        assert model.plans is not None
        return sum(len(o.evidence) for t in model.themes for o in t.outcomes), len(model.plans.open)


def measure_plans(app: Flask, slug: str, runs: int) -> dict[str, Any]:
    """The report's action plans alone (issue 20): read with their current revisions, and made into blocks
    (the needs-a-plan rule included), from ratings already read."""
    engine = app.extensions["tracker_db"][0]
    with app.test_request_context(f"/f/{slug}/report"):
        inputs = ratings_or_abort(slug, for_report=True)[0]
        blocks = survey_service.report_blocks(db.session, slug)
        read_times, block_times = [], []
        plans: tuple[Any, ...] = ()
        for _ in range(runs + 1):  # the first is a warm-up
            db.session.expire_all()
            gc.collect()
            started = time.perf_counter()
            plans = plan_blocks.read_plans(db.session, inputs)
            read = time.perf_counter()
            section = plan_blocks.plan_section(inputs, plans, blocks)
            read_times.append(read - started)
            block_times.append(time.perf_counter() - read)
        db.session.expire_all()
        with count_statements(engine) as counter:
            plan_blocks.read_plans(db.session, inputs)
    return {
        "plans": len(plans),
        "open": len(section.open),
        "needed": len(section.needed),
        "read": summary(read_times[1:]),
        "blocks": summary(block_times[1:]),
        "statements": counter.count,
    }


def clear_stored(engine: Engine, slug: str) -> None:
    """Benchmark only: forget the framework's stored ratings, so the next dashboard view is a first one.

    The counter is raised too, as a new framework version would: the dashboard's tiles are kept per worker
    by it (`ratings/fragments.py`), so rows deleted behind its back would not make a first view."""
    with engine.begin() as connection:
        framework_id = connection.scalar(select(Framework.id).where(Framework.slug == slug))
        connection.execute(delete(RatingSnapshot).where(RatingSnapshot.framework_id == framework_id))
        connection.execute(
            update(RatingState)
            .where(RatingState.framework_id == framework_id)
            .values(inputs_version=RatingState.inputs_version + 1)
        )


def stored_count(engine: Engine, slug: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count())
                .select_from(RatingSnapshot)
                .join(Framework, Framework.id == RatingSnapshot.framework_id)
                .where(Framework.slug == slug)
            )
            or 0
        )


def measure_cold_dashboard(
    app: Flask, client: Any, slug: str, runs: int, profile: str | None
) -> dict[str, Any]:
    """The dashboard's first view: no stored rows, so it rates every outcome and stores them."""
    engine = app.extensions["tracker_db"][0]
    path = f"/f/{slug}/dashboard"
    clear_stored(engine, slug)
    first = client.get(path)  # this process's first view also imports and compiles templates: not timed
    assert first.status_code == 200, (path, first.status_code, first.get_data(as_text=True)[:300])
    times, stored_after = [], []
    for _ in range(runs):
        clear_stored(engine, slug)
        gc.collect()
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
        stored_after.append(stored_count(engine, slug))
    clear_stored(engine, slug)
    with count_statements(engine) as counter:
        counted = client.get(path)
    assert counted.status_code == 200, (path, counted.status_code)
    if profile:
        clear_stored(engine, slug)
        profile_to(profile, lambda: client.get(path))
    return {
        "path": path,
        "time": summary(times),
        "statements": counter.count,
        "stored_after_first_view": min(stored_after),
    }


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
        counted = client.get(path)
    assert counted.status_code == 200, (path, counted.status_code)
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
    dashboard_cold = measure_cold_dashboard(app, client, slug, args.runs, prof("dashboard_first_view"))
    result: dict[str, Any] = {
        "dashboard_cold": dashboard_cold,
        # Warm: the rows the first view stored are read (measure_get's own first GET is a warm-up).
        "dashboard": measure_get(app, client, f"/f/{slug}/dashboard", args.runs, prof("dashboard")),
        "outcome": measure_get(app, client, f"/f/{slug}/outcomes/{OUTCOME}", args.runs, prof("outcome")),
        "evidence_list": measure_get(app, client, f"/f/{slug}/evidence", args.runs, prof("evidence_list")),
    }
    engine = app.extensions["tracker_db"][0]
    result["dashboard"]["stored_rows"] = stored_count(engine, slug)
    report_model_of(app, slug)
    times = []
    lines = open_plans = 0
    for _ in range(args.runs):
        gc.collect()
        started = time.perf_counter()
        lines, open_plans = report_model_of(app, slug)
        times.append(time.perf_counter() - started)
    with count_statements(engine) as counter:
        report_model_of(app, slug)
    # The model alone, from inputs already read, to show where the time goes.
    with app.test_request_context(f"/f/{slug}/report"):
        inputs = ratings_or_abort(slug, for_report=True)[0]
        plans = plan_blocks.read_plans(db.session, inputs)
        build_times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            report_model.build(inputs, datetime.now(UTC), (), plans=plans)
            build_times.append(time.perf_counter() - started)
    profile_to(prof("report_model"), lambda: report_model_of(app, slug))
    result["report_model"] = {
        "time": summary(times),
        "build_only": summary(build_times),
        "statements": counter.count,
        "evidence_lines": lines,
        "open_plans": open_plans,
    }
    result["report_plans"] = measure_plans(app, slug, args.runs)
    if args.report_page_runs:
        path = f"/f/{slug}/report"
        status = client.get(path).status_code
        if status == 200:
            result["report_page"] = measure_get(app, client, path, args.report_page_runs, None)
        else:  # recorded, not fatal: the other figures stand
            result["report_page"] = {"path": path, "status": status}
    result["load_before"] = load_before
    result["load_after"] = load()
    emit(result)


if __name__ == "__main__":
    main()

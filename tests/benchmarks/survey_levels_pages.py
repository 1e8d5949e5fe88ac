"""Issue 21: one organisation's stored results at the demo's scale (a script, not a timed test).

    .venv/bin/python -m tests.benchmarks.survey_levels_pages [--database-url URL] [--runs 20] [--org la-033]

Loads the Employer Standards framework with its survey made national (`organisations: true`, the demo's
characteristics, `overall` Standards 1-8), the demo's 169 organisations and both generated rounds
(`national_demo()`: 2022/23 then 2023/24, about 20,000 rows) through the services into a fresh database:
a temporary SQLite file by default, or a schema of its own in the PostgreSQL database `--database-url` names
(dropped afterwards). Then times, for the latest round: the first `level_for` (which computes every level and
stores it), and `--runs` times each the stored `level_for` of one organisation, its `page_for` (with its
kind's strips), the national and a regional `level_for` and the stored `national_for`, each with its SQL
statement count. The goal of issue 21: the organisation page in under 100 ms with a constant number of
statements. The last line is a JSON results line.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask
from sqlalchemy import Text, create_engine, func, select, text

from tests.benchmarks.common import emit, load, maxrss_mb
from tests.querycount import count_statements
from tracker import create_app
from tracker.db import migrate
from tracker.db.models import SurveyLevelResult
from tracker.domain.loader import parse_framework
from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services import frameworks as framework_service
from tracker.services import survey_levels, survey_orgs, surveys
from tracker.services.audit import Actor
from tracker.services.demo_national_round import CHARACTERISTICS, SURVEY_ID, national_demo
from tracker.services.permissions import Principal

CLOSED = date(2024, 3, 28)  # the survey ran 16 February - 28 March 2024
REPO = Path(__file__).resolve().parents[2]
FRAMEWORK = REPO / "frameworks" / "employer_standards_2024.yaml"
SLUG = "employer-standards-2024"
BREAKDOWNS = "    breakdowns: [service_area]"
NATIONAL_KEYS = (
    "\n    organisations: true"
    f"\n    characteristics: [{', '.join(name for name, _ in CHARACTERISTICS)}]"
    "\n    overall: [" + ", ".join(f"hc-standard-{n}" for n in range(1, 9)) + "]"
)


def national_yaml() -> str:
    """The shipped framework, one version up, its survey declared national as the demo's rows need."""
    source = FRAMEWORK.read_text(encoding="utf-8")
    line = next(line for line in source.splitlines() if line.startswith(BREAKDOWNS))
    return source.replace("\nversion: 2\n", "\nversion: 3\n", 1).replace(line, line + NATIONAL_KEYS, 1)


def csv_bytes(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue().encode("utf-8")


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A fresh database: a temporary SQLite file, or a schema of its own in the PostgreSQL database."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="levels-bench-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    schema = "bench_levels_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def loaded_app(url: str, instance: str) -> tuple[Flask, dict[str, float]]:
    """The app on `url`, migrated, with the framework, organisations and both rounds; seconds per step."""
    os.environ["TRACKER_INSTANCE_PATH"] = instance
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "levels-bench-" + "0" * 40})
    demo = national_demo()
    seconds: dict[str, float] = {}
    with app.app_context():
        migrate.upgrade(db.engine)
        started = time.perf_counter()
        yaml_text = national_yaml()
        parsed = parse_framework(yaml_text, FRAMEWORK.name)
        assert parsed.framework is not None, [str(p) for p in parsed.problems]
        with db.unit_of_work() as session:
            framework_service.load_version(session, parsed.framework, yaml_text, Actor("benchmark"))
        with db.unit_of_work() as session:
            orgs = survey_orgs.load_orgs(
                session,
                Actor.command_line(),
                Principal.command_line(),
                SLUG,
                SURVEY_ID,
                csv_bytes(demo.organisation_table()),
            )
            assert orgs.ok, orgs.problems
        seconds["framework_and_orgs"] = time.perf_counter() - started
        for round_ in demo.rounds:
            started = time.perf_counter()
            with db.unit_of_work() as session:
                ctx = evidence_service.framework_context(session, SLUG)
                assert ctx is not None
                outcome = surveys.import_round(
                    session,
                    Actor.command_line(),
                    Principal.command_line(),
                    ctx,
                    SURVEY_ID,
                    round_.label,
                    csv_bytes(round_.table()),
                    collected_on=CLOSED,
                )
                assert outcome.ok, outcome.problems[:5]
            seconds[f"import {round_.label} ({len(round_.rows)} rows)"] = time.perf_counter() - started
    return app, seconds


def measure(app: Flask, runs: int, call: Callable[[Any], Any]) -> dict[str, Any]:
    """Median, min and max milliseconds of `call(session)` in a fresh session each run, and its statements."""
    samples: list[float] = []
    counts: set[int] = set()
    for _ in range(runs):
        with app.app_context(), db.unit_of_work() as session, count_statements(db.engine) as counter:
            started = time.perf_counter()
            found = call(session)
            samples.append((time.perf_counter() - started) * 1000)
            assert found is not None
        counts.add(counter.count)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "min_ms": round(min(samples), 2),
        "max_ms": round(max(samples), 2),
        "statements": sorted(counts),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL database to make a schema in")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--org", default="la-033", help="the organisation whose results are read")
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"survey levels at the demo's scale on {backend}; load {load()}")
    with database(args.database_url) as url, tempfile.TemporaryDirectory(prefix="levels-inst-") as instance:
        app, seconds = loaded_app(url, instance)
        for step, value in seconds.items():
            print(f"  load: {step}: {value:.2f} s")
        with app.app_context():
            framework_id, definition = surveys.definition_of(db.session, SLUG, SURVEY_ID)
            region = next(o.region for o in survey_orgs.stored_orgs(db.session, framework_id, SURVEY_ID)
                          if o.org_key == args.org)  # fmt: skip

        def org_level(session: Any) -> Any:
            return survey_levels.level_for(session, framework_id, definition, "org", args.org)

        cold = measure(app, 1, org_level)
        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(SurveyLevelResult))
            body = func.cast(SurveyLevelResult.body, Text)
            size = db.session.scalar(select(func.sum(func.length(body)))) or 0
        print(f"  first level_for (computes and stores every level): {cold['median_ms']:.0f} ms, "
              f"{cold['statements'][0]} statements; {stored} rows stored, {size / 1e6:.1f} MB of JSON")  # fmt: skip
        figures = {
            "level_for org (stored)": measure(app, args.runs, org_level),
            "page_for org (stored, with strips)": measure(
                app, args.runs, lambda s: survey_levels.page_for(s, framework_id, definition, "org", args.org)
            ),
            "level_for region (stored)": measure(
                app,
                args.runs,
                lambda s: survey_levels.level_for(s, framework_id, definition, "region", region),
            ),
            "level_for national (stored)": measure(
                app, args.runs, lambda s: survey_levels.level_for(s, framework_id, definition, "national")
            ),
            "national_for (stored, every level)": measure(
                app, max(3, args.runs // 5), lambda s: survey_levels.national_for(s, framework_id, definition)
            ),
        }
        for name, figure in figures.items():
            print(f"  {name}: median {figure['median_ms']} ms (min {figure['min_ms']}, max {figure['max_ms']}, "
                  f"{figure['runs']} runs), statements {figure['statements']}")  # fmt: skip
        app.extensions["tracker_db"][0].dispose()
    print(f"  peak memory {maxrss_mb():.0f} MB")
    emit(
        {
            "benchmark": "survey_levels_pages",
            "backend": backend,
            "org": args.org,
            "load_seconds": seconds,
            "first_level_for": cold,
            "stored_rows": stored,
            "stored_json_bytes": size,
            **figures,
            "maxrss_mb": maxrss_mb(),
        }
    )


if __name__ == "__main__":
    main()

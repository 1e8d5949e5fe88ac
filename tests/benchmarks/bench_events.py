"""Events (issue 19): loading an event of 500 sessions and 100,000 feedback answers, and computing its measures.

    .venv/bin/python -m tests.benchmarks.bench_events [--backends sqlite,postgresql] [--runs 5]

Each backend gets a fresh database (a SQLite file under TRACKER_BENCH_DIR, default /tmp/bench, or the
PostgreSQL database `bench_events` on postgresql+psycopg://postgres@127.0.0.1:5432), migrated, with the tiny
framework of the tests loaded. Then, as `tracker event load` does, `--runs` times on the same database (each a
new load, the earlier ones kept): the files are checked in one session (`check_files`: parse, read the
framework and the current load), which is let go, then written in one writing transaction (`write_checked`
and commit). Then the event is shown (`reading.show_event`, which computes every measure) `--runs` times,
counting its SQL statements; then the event page (`GET /f/tiny-partnership/events/bench-week?sort=-attended`,
signed in as a board member, through the test client: the measures, the 500-row sessions table and every
chart) `--runs` times after one warm-up view, its statements counted; then the whole command, `tracker event
load`, once in a subprocess (its process start included). The goals of issue 19: a load under 10 s, the event
page under 100 ms with a constant number of statements. Prints a table; the last line is a JSON results line.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.benchmarks.bench_pages import make_app, measure_get
from tests.benchmarks.common import emit, load, maxrss_mb, summary
from tests.benchmarks.generate import BENCH_DIR, PG_SERVER, _pg_admin, pg_database_exists
from tests.querycount import count_statements
from tracker.db import migrate
from tracker.db.session import make_engine, write_intent
from tracker.domain.loader import parse_framework
from tracker.events import reading
from tracker.events.service import NamedFile, check_files, write_checked
from tracker.extensions import db
from tracker.services import accounts
from tracker.services import frameworks as framework_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

REPO = Path(__file__).resolve().parents[2]
SESSIONS = 500
PAGE_USER, PAGE_PASSWORD = "board@bench.invalid", "benchmark board password 42"
RESPONDENTS_PER_SESSION = 40  # each answering 5 questions: 500 x 40 x 5 = 100,000 answers
EVENT_YAML = """\
id: bench-week
framework: tiny-partnership
title: Benchmark week
starts_on: 2021-03-15
ends_on: 2021-03-19
links: [act-allocation, out-days]
unique_attendees: {value: 6000, estimated: true}
population: {name: social workers on the register, size: 98524}
costs: {direct: 19800, staff_hours: 4717, full: 142860}
questions:
  - {id: useful, text: How useful you found the session, kind: rating}
  - {id: quality, text: Quality of content, kind: rating}
  - {id: overall, text: Overall, kind: rating}
  - id: reasons
    text: "What were your reasons for attending?"
    kind: choose_any
    options: [{id: cpd, text: CPD}, {id: speaker, text: A speaker}, {id: regulator, text: The regulator}]
  - {id: comments, text: "Anything else?", kind: free_text}
"""
REASONS = ("cpd", "speaker", "regulator", "cpd;speaker", "cpd;regulator", "speaker;regulator")
WORDS = [
    "the",
    "session",
    "was",
    "useful",
    "and",
    "well",
    "run",
    "with",
    "clear",
    "examples",
    "from",
    "practice",
    "and",
    "time",
    "for",
    "questions",
]


def event_files() -> tuple[NamedFile, NamedFile, NamedFile]:
    """The YAML, 500 sessions and 100,000 answers, the same every run (seeded)."""
    rng = random.Random("bench-events")
    sessions = ["session,title,theme,starts_at,format,capacity,signups,attended,partner"]
    answers = ["session,question,answer,respondent"]
    for i in range(SESSIONS):
        capacity = rng.choice([None, 100, 200, 500, 1000])
        signups = rng.randint(20, 1200)
        attended = rng.randint(5, signups)
        sessions.append(
            f"s-{i:03d},Session {i},Theme {i % 12},2021-03-{15 + i % 5} {9 + i % 8:02d}:00,"
            f"{rng.choice(['online', 'in_person', 'hybrid'])},{capacity or ''},{signups},{attended},"
            f"{'tiny-council' if i % 3 == 0 else ''}"
        )
        for r in range(RESPONDENTS_PER_SESSION):
            who = f"r-{i:03d}-{r:02d}"
            for question in ("useful", "quality", "overall"):
                answers.append(
                    f"s-{i:03d},{question},{rng.choices('12345', weights=(1, 2, 5, 20, 30))[0]},{who}"
                )
            answers.append(f"s-{i:03d},reasons,{rng.choice(REASONS)},{who}")
            comment = " ".join(rng.choices(WORDS, k=rng.randint(4, 20)))
            answers.append(f's-{i:03d},comments,"{comment}",{who}')
    return (
        NamedFile("event.yaml", EVENT_YAML.encode()),
        NamedFile("sessions.csv", ("\n".join(sessions) + "\n").encode()),
        NamedFile("feedback.csv", ("\n".join(answers) + "\n").encode()),
    )


def fresh_database(backend: str) -> str:
    """A new, migrated database with the tests' tiny framework loaded; its URL."""
    if backend == "sqlite":
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / "events.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        if pg_database_exists("bench_events"):
            _pg_admin('DROP DATABASE "bench_events" WITH (FORCE)')
        _pg_admin('CREATE DATABASE "bench_events"')
        url = f"{PG_SERVER}/bench_events"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        text = (REPO / "tests" / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
        parsed = parse_framework(text, "tiny.yaml")
        assert parsed.framework is not None
        with Session(engine) as session:
            framework_service.load_version(session, parsed.framework, text, Actor("benchmark"), "tiny.yaml")
            session.commit()
    finally:
        engine.dispose()
    return url


def load_once(engine: Engine, files: tuple[NamedFile, NamedFile, NamedFile]) -> dict[str, float]:
    """One load as the command makes it: checked in a session let go, then written in a transaction."""
    actor, principal = Actor.command_line(), Principal.command_line()
    started = time.perf_counter()
    with Session(engine) as session:
        checked = check_files(session, principal, *files)
        session.rollback()
    checked_at = time.perf_counter()
    assert not checked.problems, [str(p) for p in checked.problems[:5]]
    with write_intent(), Session(engine) as session:
        outcome = write_checked(session, actor, principal, checked)
        session.commit()
    done = time.perf_counter()
    assert outcome.ok and outcome.answers == SESSIONS * RESPONDENTS_PER_SESSION * 5
    return {"check": checked_at - started, "write": done - checked_at, "total": done - started}


def show_once(engine: Engine) -> tuple[float, int, Any]:
    with Session(engine) as session, count_statements(engine) as counter:
        started = time.perf_counter()
        shown = reading.show_event(session, "bench-week", "tiny-partnership")
        elapsed = time.perf_counter() - started
    return elapsed, counter.count, shown.measures


def page_once(url: str, runs: int) -> dict[str, Any]:
    """The event page as a board member opens it (in process, through the test client): every measure, the
    sessions table of 500 rows sorted by attendance and every chart drawn, timed and its statements counted."""
    app = make_app(url)
    try:
        with app.app_context(), db.unit_of_work() as session:
            accounts.create_user(session, Actor("benchmark"), PAGE_USER, "board", PAGE_PASSWORD, None)
        client = app.test_client()
        signed_in = client.post("/login", data={"email": PAGE_USER, "password": PAGE_PASSWORD})
        assert signed_in.status_code == 302, signed_in.status_code
        path = "/f/tiny-partnership/events/bench-week?sort=-attended"
        return measure_get(app, client, path, runs, None)
    finally:
        app.extensions["tracker_db"][0].dispose()


def command_once(url: str, files: tuple[NamedFile, NamedFile, NamedFile]) -> float:
    """`tracker event load` in a subprocess, process start included."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for f in files:
            path = Path(folder) / f.name
            path.write_bytes(f.raw)
            paths.append(str(path))
        env = dict(
            os.environ, TRACKER_DATABASE_URL=url, TRACKER_SECRET_KEY="bench-secret-0123456789abcdef0123456789"
        )
        tracker = str(Path(sys.executable).with_name("tracker"))
        started = time.perf_counter()
        result = subprocess.run(
            [tracker, "event", "load", paths[0], "--sessions", paths[1], "--feedback", paths[2]],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-500:] + result.stderr[-500:])
    return elapsed


def bench(backend: str, runs: int) -> dict[str, Any]:
    files = event_files()
    url = fresh_database(backend)
    engine = make_engine(url)
    try:
        loads = [load_once(engine, files) for _ in range(runs)]
        if backend == "postgresql":
            # What autovacuum would do after a large load (this machine's server runs with it off).
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in ("event_answer_count", "event_session", "event_load"):
                    connection.exec_driver_sql(f"VACUUM ANALYZE {table}")
        show_once(engine)  # the first read warms the caches and the statement cache
        shows = [show_once(engine) for _ in range(runs)]
    finally:
        engine.dispose()
    page = page_once(url, runs)
    command = command_once(url, files)
    measures = shows[-1][2]
    return {
        "backend": backend,
        "sessions": measures.sessions,
        "answers": sum(r.n for r in measures.ratings)
        + sum(c.answers for c in measures.choices)
        + sum(n for _q, n in measures.comments),
        "feedback_mb": round(len(files[2].raw) / 1024 / 1024, 1),
        "load": summary([x["total"] for x in loads]),
        "check": summary([x["check"] for x in loads]),
        "write": summary([x["write"] for x in loads]),
        "show": summary([x[0] for x in shows]),
        "show_statements": sorted({x[1] for x in shows}),
        "page": page["time"],
        "page_statements": page["statements"],
        "page_kb": round(page["bytes"] / 1024),
        "command": command,
        "maxrss_mb": maxrss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    started_load = load()
    results = [bench(backend, args.runs) for backend in args.backends.split(",")]
    print(f"machine load (1, 5, 15 min) before: {started_load}; after: {load()}")
    print(
        "| backend | load (check + write) | check | write + commit | measures (show) | statements "
        "| event page | page statements | command |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['backend']} | {r['load']['median']:.2f} s ({r['load']['min']:.2f}-{r['load']['max']:.2f}) "
            f"| {r['check']['median']:.2f} s | {r['write']['median']:.2f} s "
            f"| {r['show']['median'] * 1000:.1f} ms ({r['show']['min'] * 1000:.1f}-{r['show']['max'] * 1000:.1f}) "
            f"| {r['show_statements']} | {r['page']['median'] * 1000:.1f} ms "
            f"({r['page']['min'] * 1000:.1f}-{r['page']['max'] * 1000:.1f}; {r['page_kb']} kB) "
            f"| {r['page_statements']} | {r['command']:.2f} s |"
        )
    emit({"load_before": started_load, "load_after": load(), "runs": args.runs, "results": results})


if __name__ == "__main__":
    main()

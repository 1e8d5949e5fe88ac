"""Issue 21 at national scale: the Health Check's report pages, and every report as PDFs through the worker.

    .venv/bin/python -m tests.benchmarks.survey_reports [--backends sqlite,postgresql] [--runs 7]
        [--redis-url redis://127.0.0.1:6379/12] [--pg-database bench_survey_reports] [--skip pages,job]
        [--profile DIR]

Each backend gets a fresh database (a SQLite file under TRACKER_BENCH_DIR, default /tmp/bench, or the
PostgreSQL database `--pg-database` on postgresql+psycopg://postgres@127.0.0.1:5432, dropped and made again)
and a fresh instance folder, and then:

1. **The demo**: `tracker demo` in a subprocess (the seed frameworks and the generated national Health Check,
   169 organisations in 9 regions, rounds 2022/23 and 2023/24 of about 10,000 rows each), timed; on
   PostgreSQL then VACUUM ANALYZE (this machine's server runs without autovacuum).
2. **Pages**, in process through the Flask test client, signed in as the demo's administrator through the
   real /login form (CSRF on): the national page's first view (it computes every level of the round and
   stores it: information), then for the organisation page of a small, a medium and the largest reportable
   organisation (fewest, median and most respondents), the national page and the largest region's page: one
   warm-up view, `--runs` timed views (each after `gc.collect()`), then one view with its SQL statements
   counted (`tests/querycount.py`). The organisation pages' counts must be equal: asserted. An organisation
   too small for a report is counted too (information: its page says why and reads less).
3. **The whole set through the background worker**: in a child process of its own (so that
   `RUSAGE_CHILDREN` holds only the worker's tree), the stored level results are deleted (so the job
   computes them, as right after an import) and a real `tracker worker` (RQ) is started against Redis on a
   queue of this run's own; once it has registered, the administrator opens the "every report" page and
   posts its form (as the web starts the job: `start_batch` enqueues it), then the page is fetched every
   5 s as the browser does, and the job's status.json read every 0.2 s, until it says done. Wall time is
   from the post to "done". Memory, sampled every 0.2 s from /proc: the sum over the worker's tree (the
   worker, RQ's work horse, the PDF renderer's fork server and each render) of VmRSS, and of Pss (shared pages
   counted once); and exactly, after the worker stopped, `getrusage(RUSAGE_CHILDREN).ru_maxrss`: the high-water
   mark of the largest single process of the tree (the child is the tree's subreaper, so the fork server,
   orphaned when the work horse exits, is reaped by it and counted). The PDFs are then checked: 179 files
   (1 national, 9 regional, 169 organisations), each a PDF; pages by `pdfinfo` when installed.

The goals of issue 21: all 179 PDFs in under 10 minutes with the background worker, peak memory under 1 GB;
the organisation page in under 100 ms with a constant number of statements. Prints a table; the last line
is a JSON results line (also kept in TRACKER_BENCH_DIR/survey-reports-results.json).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text

from tests.benchmarks.bench_pages import measure_get
from tests.benchmarks.common import RESULT_PREFIX, emit, load, profile_to
from tests.benchmarks.generate import BENCH_DIR, PG_SERVER, _pg_admin, pg_database_exists
from tests.benchmarks.run import app_version
from tests.page import Page, attr
from tracker import create_app
from tracker.db.models import SurveyLevelResult, SurveyResponse
from tracker.domain.survey_definitions import ORG_COLUMN
from tracker.extensions import db
from tracker.reports import survey_level_jobs as batch
from tracker.services import survey_levels
from tracker.services.surveys import definition_of, rounds

REPO = Path(__file__).resolve().parents[2]
SLUG = "employer-standards-2024"
SURVEY = "health-check-national"
BASE = f"/f/{SLUG}/surveys/{SURVEY}"
SECRET = "survey-reports-benchmark-" + "0" * 40
ADMIN = "admin@demo.invalid"
EXPECTED_PDFS = 179  # 1 national + 9 regions + 169 organisations
PR_SET_CHILD_SUBREAPER = 36


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def tracker_command() -> str:
    return str(Path(sys.executable).with_name("tracker"))


def fresh(backend: str, pg_database: str) -> tuple[str, Path]:
    """An empty database and instance folder for one backend: the database URL and the folder."""
    folder = BENCH_DIR / f"survey-reports-{backend}"
    shutil.rmtree(folder, ignore_errors=True)
    instance = folder / "instance"
    instance.mkdir(parents=True)
    if backend == "sqlite":
        return f"sqlite:///{folder / 'tracker.sqlite3'}", instance
    if pg_database_exists(pg_database):
        _pg_admin(f'DROP DATABASE "{pg_database}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{pg_database}"')
    return f"{PG_SERVER}/{pg_database}", instance


def environment(url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment the app's commands run in: this run's database and instance folder, nothing inherited."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
        "TRACKER_DATABASE_URL": url,
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_SECRET_KEY": SECRET,
        "TRACKER_LOG_LEVEL": "WARNING",
        **extra,
    }


def load_demo(url: str, instance: Path) -> dict[str, Any]:
    """`tracker demo` as an operator runs it; on PostgreSQL what autovacuum would do after it."""
    started = time.perf_counter()
    done = subprocess.run(
        [tracker_command(), "demo"],
        env=environment(url, instance),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"tracker demo failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    national = next(line for line in done.stdout.splitlines() if f"{SURVEY}:" in line)
    if url.startswith("postgresql"):
        app = make_app(url, instance)
        try:
            with app.app_context(), db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        finally:
            app.extensions["tracker_db"][0].dispose()
    return {"seconds": seconds, "national": national.strip()}


def make_app(url: str, instance: Path, **config: Any) -> Flask:
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING", **config})


def csrf_token(page: Page) -> str:
    return attr(page.one("input[name=csrf_token]"), "value")


def signed_in(app: Flask, instance: Path) -> FlaskClient:
    """A client signed in as the demo's administrator through the real form (its CSRF token and all)."""
    password = next(
        line.split()[1]
        for line in (instance / "demo-credentials.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith(ADMIN)
    )
    client = app.test_client()
    token = csrf_token(Page.of(client.get("/login"), 200))
    response = client.post("/login", data={"csrf_token": token, "email": ADMIN, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def sizes(app: Flask) -> tuple[list[tuple[str, int]], list[str], dict[str, int]]:
    """The reportable organisations by respondents in the latest round (fewest first), those without a
    report, and each region's respondents: counted from the stored rows (a shown count may be withheld)."""
    with app.app_context():
        framework_id, definition = definition_of(db.session, SLUG, SURVEY)
        latest = rounds(db.session, framework_id, SURVEY)[-1]
        cells = db.session.scalars(select(SurveyResponse.cells).where(SurveyResponse.round_id == latest.id))
        respondents = Counter(str(row.get(ORG_COLUMN, "")) for row in cells)
        found = survey_levels.national_for(db.session, framework_id, definition)
        assert found is not None
        orgs = sorted(
            ((key, respondents[key]) for key, r in found.orgs.items() if r.reportable), key=lambda x: x[1]
        )
        unreportable = [key for key, r in found.orgs.items() if not r.reportable]
        regions: Counter[str] = Counter()
        for key, result in found.orgs.items():
            assert result.organisation is not None
            regions[result.organisation.region] += respondents[key]
        db.session.rollback()
    return orgs, unreportable, dict(regions)


def pages(url: str, instance: Path, runs: int, profile: str | None) -> dict[str, Any]:
    app = make_app(url, instance)
    try:
        client = signed_in(app, instance)
        load_before = load()
        started = time.perf_counter()
        first = client.get(f"{BASE}/national")
        first_view = time.perf_counter() - started
        assert first.status_code == 200, first.status_code
        orgs, unreportable, regions = sizes(app)
        chosen = {"small": orgs[0], "medium": orgs[len(orgs) // 2], "largest": orgs[-1]}
        region = max(regions, key=lambda name: regions[name])
        out: dict[str, Any] = {
            "load_before": load_before,
            "first_view_seconds": first_view,
            "reportable_orgs": len(orgs),
            "unreportable_orgs": unreportable,
        }
        for name, (org, n) in chosen.items():
            out[f"org_{name}"] = {
                "org": org,
                "respondents": n,
                **measure_get(app, client, f"{BASE}/orgs/{org}", runs, None),
            }
        out["national"] = measure_get(app, client, f"{BASE}/national", runs, None)
        out["region"] = {"region": region, "respondents": regions[region],
                         **measure_get(app, client, f"{BASE}/regions/{region}", runs, None)}  # fmt: skip
        out["org_unreportable"] = {
            "org": unreportable[0],
            **measure_get(app, client, f"{BASE}/orgs/{unreportable[0]}", 1, None),
        }
        out["load_after"] = load()
        counts = {out[f"org_{name}"]["statements"] for name in chosen}
        assert len(counts) == 1, f"the organisation pages sent different numbers of statements: {counts}"
        if profile:
            profile_to(profile, lambda: client.get(f"{BASE}/orgs/{chosen['largest'][0]}"))
        return out
    finally:
        app.extensions["tracker_db"][0].dispose()


# ------------------------------------------------------------------------------------ the job, in a child


def descendants(root: int) -> list[int]:
    """Every process below `root`, from the parent ids in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def memory_kb(pid: int) -> tuple[int, int, int]:
    """VmRSS, VmHWM and Pss of one process in kB (zeros when it has gone)."""
    values = {"VmRSS": 0, "VmHWM": 0, "Pss": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            name = line.split(":", 1)[0]
            if name in values:
                values[name] = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines():
            if line.startswith("Pss:"):
                values["Pss"] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return values["VmRSS"], values["VmHWM"], values["Pss"]


class Sampler:
    """The worker tree's memory, sampled: the largest sums of RSS and of PSS, each process's high-water mark."""

    def __init__(self) -> None:
        self.rss_kb = self.pss_kb = self.hwm_kb = self.processes = self.samples = 0

    def sample(self) -> None:
        pids = descendants(os.getpid())
        figures = [memory_kb(pid) for pid in pids]
        self.rss_kb = max(self.rss_kb, sum(f[0] for f in figures))
        self.pss_kb = max(self.pss_kb, sum(f[2] for f in figures))
        self.hwm_kb = max([self.hwm_kb, *(f[1] for f in figures)])
        self.processes = max(self.processes, len(pids))
        self.samples += 1


def reap(worker: subprocess.Popen[bytes]) -> None:
    """Collect orphans of the worker's tree that this subreaper inherited (the fork server), never the worker."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == worker.pid:
            worker.returncode = -1
            raise RuntimeError("the worker stopped during the job")


def wait_registered(redis_url: str, queue_name: str, worker: subprocess.Popen[bytes], limit: float) -> float:
    from redis import Redis
    from rq import Queue, Worker

    started = time.perf_counter()
    connection = Redis.from_url(redis_url)
    queue = Queue(queue_name, connection=connection)
    while not Worker.all(queue=queue):
        if worker.poll() is not None or time.perf_counter() - started > limit:
            raise RuntimeError("the worker did not start")
        time.sleep(0.1)
    return time.perf_counter() - started


def stop(worker: subprocess.Popen[bytes]) -> float:
    """A warm shutdown of the worker we started (by its id); killed after 90 s. Seconds it took to stop:
    after a job that rendered, RQ's pubsub thread may sleep up to its 60 s before the worker exits."""
    started = time.perf_counter()
    if worker.poll() is None:
        os.kill(worker.pid, signal.SIGTERM)
        try:
            worker.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    return time.perf_counter() - started


def forget(redis_url: str, queue_name: str) -> None:
    """Remove this run's queue and its finished or failed job from Redis."""
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    queue = Queue(queue_name, connection=Redis.from_url(redis_url))
    for registry in (queue.finished_job_registry, queue.failed_job_registry):
        for job_id in registry.get_job_ids():
            Job.fetch(job_id, connection=queue.connection).delete()
    queue.delete(delete_jobs=True)


def pdf_pages(path: Path) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(found[1]) if found else None


def check_pdfs(folder: Path, status: batch.BatchStatus, unreportable: list[str]) -> dict[str, Any]:
    files = sorted(folder.glob("*.pdf"))
    assert all(f.read_bytes()[:5] == b"%PDF-" for f in files), "a file that is not a PDF"
    assert len(files) == status.total == len(status.files) == EXPECTED_PDFS, (len(files), status.total)
    short = {f"org-{key}.pdf" for key in unreportable}
    full = [f for f in files if f.name not in short]
    kinds = {
        "national": [f for f in files if f.name == "national.pdf"],
        "regions": [f for f in files if f.name.startswith("region-")],
        "organisations": [f for f in full if f.name.startswith("org-")],
        "no report": [f for f in files if f.name in short],
    }
    out: dict[str, Any] = {"files": len(files), "megabytes": sum(f.stat().st_size for f in files) / 1e6}
    for kind, group in kinds.items():
        pages = [p for p in (pdf_pages(f) for f in group) if p is not None]
        out[kind] = {
            "count": len(group),
            "kb_median": statistics.median(f.stat().st_size for f in group) / 1024 if group else 0,
            "pages": sorted(set(pages)),
        }
    return out


def job_child(url: str, instance: Path, redis_url: str, poll_limit: float) -> dict[str, Any]:
    """Runs in a process of its own: see the module's docstring, step 3."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    queue_name = f"bench-survey-reports-{uuid.uuid4().hex[:8]}"
    app = make_app(url, instance, REDIS_URL=redis_url, REPORT_QUEUE=queue_name)
    with app.app_context(), db.unit_of_work() as session:
        deleted = session.execute(delete(SurveyLevelResult)).rowcount  # type: ignore[attr-defined]
    shutil.rmtree(instance / "survey-reports", ignore_errors=True)
    shutil.rmtree(instance / "report-cache", ignore_errors=True)
    worker_log = (instance.parent / "worker.log").open("wb")
    env = environment(url, instance, TRACKER_REDIS_URL=redis_url, TRACKER_REPORT_QUEUE=queue_name)
    load_before = load()
    worker = subprocess.Popen(
        [tracker_command(), "worker"],
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    sampler = Sampler()
    try:
        registered = wait_registered(redis_url, queue_name, worker, 60)
        client = signed_in(app, instance)
        page = Page.of(client.get(f"{BASE}/reports"), 200)
        form = next(f for f in page.forms() if f.method == "post")
        action = (form.action or "").replace("&amp;", "&")
        token = attr(form.element.select_one("input[name=csrf_token]"), "value")  # type: ignore[arg-type]
        started = time.perf_counter()
        response = client.post(action, data={"csrf_token": token})
        assert response.status_code == 302, response.status_code
        label = Page.of(client.get(response.headers["Location"]), 200).value("round")
        folder = batch.batch_folder(str(instance), SLUG, SURVEY, label)
        views, last_view, status = 1, started, batch.read_status(folder)
        while status is None or status.state not in ("done", "failed"):
            if time.perf_counter() - started > poll_limit:
                raise RuntimeError(f"the job did not finish in {poll_limit:.0f} s: {status}")
            sampler.sample()
            reap(worker)
            if time.perf_counter() - last_view >= 5:  # the page asks again every 5 s while the job runs
                assert client.get(response.headers["Location"]).status_code == 200
                views, last_view = views + 1, time.perf_counter()
            time.sleep(0.2)
            status = batch.read_status(folder)
        wall = time.perf_counter() - started
        done_page = Page.of(client.get(response.headers["Location"]), 200).text("#progress")
        if status.state != "done":
            raise RuntimeError(f"the job failed: {status.error}")
    finally:
        stop_seconds = stop(worker)
        worker_log.close()
        forget(redis_url, queue_name)
        deadline = time.perf_counter() + 30  # the fork server leaves when the work horse has: reap it
        while time.perf_counter() < deadline:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    time.sleep(0.1)
            except ChildProcessError:
                break
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with app.app_context():
        _orgs, unreportable, _regions = sizes(app)
    app.extensions["tracker_db"][0].dispose()
    return {
        "load_before": load_before,
        "load_after": load(),
        "stored_rows_deleted": deleted,
        "worker_registered_seconds": registered,
        "worker_stop_seconds": stop_seconds,
        "worker_exit_code": worker.returncode,
        "wall_seconds": wall,
        "page_views_while_running": views,
        "page_says": done_page,
        "status": {"state": status.state, "done": status.done, "total": status.total},
        "peak_tree_rss_mb": sampler.rss_kb / 1024,
        "peak_tree_pss_mb": sampler.pss_kb / 1024,
        "largest_process_hwm_sampled_mb": sampler.hwm_kb / 1024,
        "largest_process_maxrss_mb": usage.ru_maxrss / 1024,
        "tree_cpu_seconds": usage.ru_utime + usage.ru_stime,
        "most_processes": sampler.processes,
        "samples": sampler.samples,
        "unreportable": unreportable,
        "pdfs": check_pdfs(folder, status, unreportable),
    }


def job(url: str, instance: Path, redis_url: str, poll_limit: float) -> dict[str, Any]:
    """The job step in a child process (its RUSAGE_CHILDREN is the worker's tree alone)."""
    child = [sys.executable, "-m", "tests.benchmarks.survey_reports", "--job-child", "--url", url]
    child += ["--instance", str(instance), "--redis-url", redis_url, "--poll-limit", str(poll_limit)]
    done = subprocess.run(child, cwd=REPO, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode or not lines:
        raise RuntimeError(f"the job step failed:\n{done.stderr[-4000:]}")
    return json.loads(lines[-1].removeprefix(RESULT_PREFIX))  # type: ignore[no-any-return]


def bench(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    url, instance = fresh(backend, args.pg_database)
    out: dict[str, Any] = {"backend": backend, "load_at_start": load()}
    log(f"[{backend}] tracker demo ...")
    out["demo"] = load_demo(url, instance)
    if "pages" not in args.skip:
        log(f"[{backend}] pages ({args.runs} runs each) ...")
        profile = f"{args.profile}/org-page-{backend}.txt" if args.profile else None
        out["pages"] = pages(url, instance, args.runs, profile)
    if "job" not in args.skip:
        log(f"[{backend}] every report as PDFs through `tracker worker` ...")
        out["job"] = job(url, instance, args.redis_url, args.poll_limit)
    out["load_at_end"] = load()
    return out


# ------------------------------------------------------------------------------------------------ table


def ms(figure: dict[str, Any]) -> str:
    t = figure["time"]
    return f"{t['median'] * 1000:.1f} ms ({t['min'] * 1000:.1f}-{t['max'] * 1000:.1f})"


def table(results: list[dict[str, Any]]) -> list[str]:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    lines = ["| figure | " + " | ".join(names[r["backend"]] for r in results) + " | goal |"]
    lines.append("|---" * (len(results) + 2) + "|")

    def row(name: str, cells: list[str], goal: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {goal} |")

    row("`tracker demo` (subprocess)", [f"{r['demo']['seconds']:.1f} s" for r in results])
    if all("pages" in r for r in results):
        p = [r["pages"] for r in results]
        row("national page, first view (computes and stores every level)",
            [f"{x['first_view_seconds']:.2f} s" for x in p])  # fmt: skip
        for name in ("small", "medium", "largest"):
            row(
                f"organisation page, {name} ({p[0][f'org_{name}']['org']}, "
                f"{p[0][f'org_{name}']['respondents']} respondents)",
                [f"{ms(x[f'org_{name}'])}; {x[f'org_{name}']['statements']} statements" for x in p],
                "< 100 ms, constant statements",
            )
        row("organisation without a report (info)",
            [f"{ms(x['org_unreportable'])}; {x['org_unreportable']['statements']} statements" for x in p])  # fmt: skip
        row("national page", [f"{ms(x['national'])}; {x['national']['statements']} statements" for x in p])
        row(f"regional page ({p[0]['region']['region']}, {p[0]['region']['respondents']} respondents)",
            [f"{ms(x['region'])}; {x['region']['statements']} statements" for x in p])  # fmt: skip
        row("load before / after the pages", [f"{x['load_before']} / {x['load_after']}" for x in p])
    if all("job" in r for r in results):
        j = [r["job"] for r in results]
        row("all 179 PDFs through `tracker worker` (post to done)",
            [f"{x['wall_seconds']:.0f} s ({x['wall_seconds'] / 60:.1f} min)" for x in j], "< 10 min")  # fmt: skip
        row("peak memory: worker tree, sum of RSS (sampled)", [f"{x['peak_tree_rss_mb']:.0f} MB" for x in j],
            "< 1 GB")  # fmt: skip
        row("peak memory: worker tree, sum of PSS (sampled)", [f"{x['peak_tree_pss_mb']:.0f} MB" for x in j])
        row("largest single process (RUSAGE_CHILDREN maxrss)",
            [f"{x['largest_process_maxrss_mb']:.0f} MB" for x in j])  # fmt: skip
        row("CPU time of the tree", [f"{x['tree_cpu_seconds']:.0f} s" for x in j])
        row("load before / after the job", [f"{x['load_before']} / {x['load_after']}" for x in j])
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--pg-database", default="bench_survey_reports")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out: pages, job")
    parser.add_argument(
        "--profile", default=None, help="a folder for a profile of the largest organisation's page"
    )
    parser.add_argument("--poll-limit", type=float, default=1800, help="seconds to wait for the job")
    parser.add_argument("--job-child", action="store_true", help="internal: be the job step's process")
    parser.add_argument("--url", default="")
    parser.add_argument("--instance", default="")
    args = parser.parse_args()
    if args.job_child:
        emit(job_child(args.url, Path(args.instance), args.redis_url, args.poll_limit))
        return
    args.skip = {s for s in args.skip.split(",") if s}
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    gc.collect()
    started_load, commit = load(), app_version()
    results = [bench(backend, args) for backend in args.backends.split(",") if backend]
    print(f"app {commit}; machine load (1, 5, 15 min) before: {started_load}; after: {load()}")
    print("\n".join(table(results)))
    summary = {
        "app": commit,
        "load_before": started_load,
        "load_after": load(),
        "runs": args.runs,
        "results": results,
    }
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "survey-reports-results.json").write_text(
        json.dumps(summary, indent=1, default=str), encoding="utf-8"
    )
    emit(summary)


if __name__ == "__main__":
    main()

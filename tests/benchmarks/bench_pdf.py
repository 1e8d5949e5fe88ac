"""The report PDF (WeasyPrint) of the Developing Together demo and of a 500-outcome framework, beside headless
Chromium's print-to-PDF of the same HTML (report.css inlined, since Chromium gets a file).

    python -m tests.benchmarks.bench_pdf [--runs 5] [--big-runs 3] [--processes N]

WeasyPrint is timed two ways on the same HTML: whole in one process (`render_in_process`), and as the product
renders it (issue 23): the report's parts laid out by N render children at once and joined (`render_pdf`, N =
REPORT_RENDER_PROCESSES's default: one per CPU up to 4). The ratio to Chromium is the product's.

The demo is loaded with `tracker demo` into its own SQLite file; the 500-outcome framework is the generator's
`big500` scale (one framework, 10 themes x 50 outcomes, 1,500 items, 600 KPI values).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.benchmarks.common import emit, load, summary
from tests.benchmarks.generate import BENCH_DIR, SCALES, USER_EMAIL, USER_PASSWORD, database_url, ensure
from tracker import create_app
from tracker.db import migrate
from tracker.db.models import User
from tracker.db.session import make_engine
from tracker.extensions import db
from tracker.reports.inputs import report_model_for
from tracker.reports.pdf import render_in_process
from tracker.reports.pdf_pool import default_render_processes, render_pdf, start_renderer
from tracker.reports.render import render_html
from tracker.resources import static_dir
from tracker.services import accounts
from tracker.services.audit import Actor
from tracker.web.as_of import ratings_or_abort

DEMO_DB = BENCH_DIR / "demo.sqlite3"
DEMO_INSTANCE = BENCH_DIR / "demo-instance"
# WeasyPrint cannot split a CSS grid row taller than a page: the quadrant boxes of a theme with dozens of
# outcomes make one, and layout stops with `assert not page_is_empty`. Laid out as blocks, it renders.
WORKAROUND = (".quadrant-grid { display: grid;", ".quadrant-grid { display: block;")
CHROMIUM = ("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer")


def ensure_demo() -> str:
    url = f"sqlite:///{DEMO_DB}"
    if not DEMO_DB.exists():
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
            "TRACKER_DATABASE_URL": url,
            "TRACKER_INSTANCE_PATH": str(DEMO_INSTANCE),
        }
        subprocess.run(
            [str(Path(sys.executable).parent / "tracker"), "demo"], env=env, check=True, capture_output=True
        )
    else:  # a cached demo gets the app's newer migrations, as the generated instances do
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
    return url


def html_of(app: Any, slug: str) -> tuple[str, int]:
    """The PDF's HTML as `/report.pdf` and the render job make it: stored ratings (those missing rated now
    and kept, with the report's inputs: `ratings_for(..., for_report=True)`), `report_model_for`,
    `render_html(for_pdf=True)`."""
    with app.test_request_context(f"/f/{slug}/report.pdf"):
        inputs = ratings_or_abort(slug, for_report=True)[0]
        model = report_model_for(db.session, inputs, datetime.now(UTC))
        return render_html(model, for_pdf=True), len(inputs.ratings)


def inline_css(html: str) -> str:
    """Chromium reads a file: put the stylesheets the report links from /static/ inside it."""

    def replace(match: re.Match[str]) -> str:
        css = (static_dir() / match[1]).read_text(encoding="utf-8")
        return f"<style>\n{css}\n</style>"

    return re.sub(r'<link rel="stylesheet" href="[^"]*/static/([^"?#]+)[^"]*">', replace, html)


def pages(pdf: Path) -> int | None:
    if not shutil.which("pdfinfo"):
        return None
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    found = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(found[1]) if found else None


def chromium_pdf(html_path: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [*CHROMIUM, f"--print-to-pdf={out}", html_path.as_uri()],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - started


def measure(name: str, url: str, slug: str, runs: int, processes: int) -> dict[str, Any]:
    os.environ["TRACKER_INSTANCE_PATH"] = str(BENCH_DIR / f"pdf-instance-{name}")
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "benchmark-secret-key-0123456789abcdef0123456789",
            "WTF_CSRF_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        if db.session.scalar(select(User.id).where(User.email == USER_EMAIL)) is None:
            with db.unit_of_work() as session:
                accounts.create_user(
                    session, Actor("benchmark"), USER_EMAIL, "evaluator", USER_PASSWORD, None
                )
    work = BENCH_DIR / "pdf" / name
    work.mkdir(parents=True, exist_ok=True)
    html, outcomes = html_of(app, slug)
    html_path = work / "report.html"
    load_before = load()
    html_times, weasy_times, parts_times, chrome_times = [], [], [], []
    pdf = b""
    failure = ""
    source = html
    try:
        render_in_process(html, static_dir())  # warm-up: imports and font discovery
    except Exception as error:
        # Recorded, then timed again with the workaround (see WORKAROUND) so the figure exists.
        failure = f"{type(error).__name__} {error}".strip()
        source = inline_css(html).replace(*WORKAROUND)
        render_in_process(source, static_dir())
    start_renderer()  # as each web worker does when it starts: the fork server, warm, renders are forked from
    # Chromium gets the same HTML as WeasyPrint (with the workaround, when one was needed).
    html_path.write_text(
        inline_css(html).replace(*WORKAROUND) if failure else inline_css(html), encoding="utf-8"
    )
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        html, _ = html_of(app, slug)
        html_times.append(time.perf_counter() - started)
        if failure:
            html = inline_css(html).replace(*WORKAROUND)
        started = time.perf_counter()
        pdf = render_in_process(html, static_dir()).pdf
        weasy_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        parts_pdf = render_pdf(html, static_dir(), work / "render", 600, processes=processes).pdf
        parts_times.append(time.perf_counter() - started)
        chrome_times.append(chromium_pdf(html_path, work / "chromium.pdf"))
    (work / "weasyprint.pdf").write_bytes(pdf)
    (work / "weasyprint-parts.pdf").write_bytes(parts_pdf)
    # The route as a board member meets it: GET /report.pdf with an empty cache (render in a child process).
    client = app.test_client()
    assert client.post("/login", data={"email": USER_EMAIL, "password": USER_PASSWORD}).status_code == 302
    # The first render of this process starts the renderer (the fork server, WeasyPrint loaded): that is the
    # cold figure. `tracker serve` starts it in each worker when the worker starts (`start_renderer`), so
    # the renders after it are what a board member meets: the goal's figure.
    route_times, statuses = [], []
    cold = 0.0
    cache = Path(app.instance_path) / "report-cache"
    for run in range(max(1, runs // 2) + 1):
        shutil.rmtree(cache, ignore_errors=True)
        started = time.perf_counter()
        response = client.get(f"/f/{slug}/report.pdf")
        if run:
            route_times.append(time.perf_counter() - started)
        else:
            cold = time.perf_counter() - started
        statuses.append(response.status_code)
    started = time.perf_counter()
    client.get(f"/f/{slug}/report.pdf")
    cached = time.perf_counter() - started
    weasy = summary(weasy_times)
    in_parts = summary(parts_times)
    chrome = summary(chrome_times)
    return {
        "slug": slug,
        "outcomes": outcomes,
        "html_bytes": len(source),
        "html": summary(html_times),
        "weasyprint_error": failure,
        "workaround": " -> ".join(WORKAROUND) if failure else "",
        "weasyprint": weasy,
        "weasyprint_in_parts": in_parts,
        "render_processes": processes,
        "end_to_end": summary([h + w for h, w in zip(html_times, parts_times, strict=True)]),
        "route_uncached": summary(route_times),
        "route_cold_seconds": cold,
        "route_statuses": statuses,
        "route_cached_seconds": cached,
        "chromium": chrome,
        "ratio": in_parts["median"] / chrome["median"],
        "ratio_whole": weasy["median"] / chrome["median"],
        "pages_weasyprint": pages(work / "weasyprint.pdf"),
        "pages_weasyprint_in_parts": pages(work / "weasyprint-parts.pdf"),
        "pages_chromium": pages(work / "chromium.pdf"),
        "load_before": load_before,
        "load_after": load(),
    }


def chromium_startup(runs: int) -> dict[str, Any]:
    """Chromium printing an empty page: its fixed cost, part of every Chromium figure."""
    work = BENCH_DIR / "pdf"
    work.mkdir(parents=True, exist_ok=True)
    empty = work / "empty.html"
    empty.write_text("<!doctype html><title>empty</title><p>empty</p>", encoding="utf-8")
    return summary([chromium_pdf(empty, work / "empty.pdf") for _ in range(runs)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=default_render_processes())
    parser.add_argument("--skip-demo", action="store_true", help="Only the 500-outcome framework.")
    args = parser.parse_args()
    demo_url = ensure_demo()
    big = SCALES["big500"]
    ensure(big, "sqlite", log=lambda *a: print(*a, file=sys.stderr))
    emit(
        {
            "chromium_empty_page": chromium_startup(3),
            **(
                {}
                if args.skip_demo
                else {"demo": measure("demo", demo_url, "developing-together", args.runs, args.processes)}
            ),
            "big500": measure(
                "big500", database_url(big, "sqlite"), "national-programme-500", args.big_runs, args.processes
            ),
        }
    )


if __name__ == "__main__":
    main()

"""Runs every benchmark of issue 8, one at a time, and writes the figures into BENCHMARKS.md.

    .venv/bin/python -m tests.benchmarks.run --scale national --backends sqlite,postgresql

Options: --runs N (default 5), --rating-runs N (rating every outcome; default --runs), --seconds S for the
throughput windows (default 20), --skip with any of the steps rating, memory, streaming, rerate, pages, refresh,
http, pdf (a run that skips steps keeps the figures an earlier run measured for them), --profile (pyinstrument
text profiles under $TRACKER_BENCH_DIR/profiles/), --no-write (leave BENCHMARKS.md alone), --cleanup (drop the
cached PostgreSQL databases and $TRACKER_BENCH_DIR, then exit).

Each measurement runs in a subprocess of its own (so peak memory is the rating's own, and no two benchmarks
overlap); the load average is recorded before and after each. Instances are cached: see generate.py.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.benchmarks.common import RESULT_PREFIX, load
from tests.benchmarks.generate import (
    BENCH_DIR,
    PG_SERVER,
    SCALES,
    database_url,
    drop,
    ensure,
    framework_slugs,
)

REPO = Path(__file__).resolve().parents[2]
MARKDOWN = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- results:begin (written by tests/benchmarks/run.py) -->", "<!-- results:end -->"
STEPS = ("rating", "memory", "streaming", "rerate", "pages", "refresh", "http", "pdf")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def settle(url: str) -> None:
    """PostgreSQL: vacuum, analyse and checkpoint after the steps that wrote, before a throughput window.

    What autovacuum would do on a server that runs it (this machine's has it off): the whole-instance
    refresh before the window leaves thousands of dead rows and dirty buffers behind.
    """
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
            connection.execute(text("CHECKPOINT"))
    finally:
        engine.dispose()


def sub(module: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python -m tests.benchmarks.<module> args` and return the JSON result it printed."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", f"tests.benchmarks.{module}", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if completed.returncode or not lines:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{completed.stderr[-4000:]}")
    log(
        f"    {module} {args[args.index('--mode') + 1] if '--mode' in args else ''} done in "
        f"{time.perf_counter() - started:.0f} s (load {load()})"
    )
    return json.loads(lines[-1].removeprefix(RESULT_PREFIX))  # type: ignore[no-any-return]


def app_version() -> str:
    """The commit measured, and whether the app's files (tracker/, templates/) had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "tracker", "templates"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    changed = [line[3:] for line in dirty if line.strip()]
    return head + (f" with uncommitted changes to {', '.join(changed)}" if changed else "")


def machine() -> dict[str, Any]:
    mem_kb = next(
        int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
    )
    info: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": next(
            (
                x.split(":", 1)[1].strip()
                for x in Path("/proc/cpuinfo").read_text().splitlines()
                if x.startswith("model name")
            ),
            platform.processor(),
        ),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "command": " ".join(
            [
                *(
                    [f"TRACKER_BENCH_DIR={os.environ['TRACKER_BENCH_DIR']}"]
                    if "TRACKER_BENCH_DIR" in os.environ
                    else []
                ),
                ".venv/bin/python -m tests.benchmarks.run",
                *sys.argv[1:],
            ]
        ),
        "load_at_start": load(),
        "app": app_version(),
    }
    for name in ("sqlalchemy", "weasyprint", "flask", "gunicorn", "psycopg"):
        try:
            info[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    try:
        info["postgresql"] = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc", "SHOW server_version"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except Exception:
        info["postgresql"] = "not reachable"
    try:
        info["chromium"] = subprocess.run(
            ["chromium", "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except Exception:
        info["chromium"] = "not installed"
    return info


def run_backend(
    backend: str, scale_name: str, args: argparse.Namespace, save: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """Every step not skipped, each in its own subprocess; `save` keeps the figures after each step, and a
    step that fails is logged and recorded under `errors` (the others still run)."""
    scale = SCALES[scale_name]
    out: dict[str, Any] = {"backend": backend, "scale": scale_name, "started": datetime.now(UTC).isoformat()}
    out["instance"] = ensure(scale, backend, log)
    out["tiny_instance"] = ensure(SCALES["tiny"], backend, log)
    url = database_url(scale, backend)
    slugs = ",".join(framework_slugs(scale))
    slug = framework_slugs(scale)[0]
    profiles = BENCH_DIR / "profiles" / f"{backend}-{scale_name}"
    if args.profile:
        profiles.mkdir(parents=True, exist_ok=True)
    runs = str(args.runs)
    errors: dict[str, str] = {}

    def prof(name: str) -> list[str]:
        return ["--profile", str(profiles / f"{name}.txt")] if args.profile else []

    def step(name: str, message: str, measure: Callable[[], dict[str, Any]]) -> None:
        if name in args.skip:
            return
        log(f"[{backend}] {message} ...")
        out.setdefault("apps", {})[name] = app_version()  # the app changes under long runs: say which
        try:
            out.update(measure())
            errors.pop(name, None)
        except RuntimeError as error:
            log(f"[{backend}] {name} FAILED: {str(error)[-1500:]}")
            errors[name] = str(error)[-1500:]
        out["errors"] = dict(errors)
        save(out)

    step(
        "rating",
        f"rating every outcome against the floor ({args.rating_runs or args.runs} runs)",
        lambda: {
            "rating": sub(
                "bench_rating",
                "--url",
                url,
                "--mode",
                "timing",
                "--slugs",
                slugs,
                "--runs",
                str(args.rating_runs or args.runs),
                *prof("rate_one_framework"),
            )
        },
    )
    step(
        "memory",
        "peak memory of rating every outcome",
        lambda: {"memory": sub("bench_rating", "--url", url, "--mode", "memory", "--slugs", slugs)},
    )
    step(
        "streaming",
        "peak memory of rating every outcome, each framework's results dropped",
        lambda: {
            "memory_streaming": sub(
                "bench_rating", "--url", url, "--mode", "memory", "--slugs", slugs, "--no-keep"
            )
        },
    )
    step(
        "rerate",
        "re-rating after one save (a watched session's commit)",
        lambda: {
            "rerate": sub(
                "bench_rating",
                "--url",
                url,
                "--mode",
                "rerate",
                "--slugs",
                slugs,
                "--runs",
                runs,
                *prof("rerate_save"),
            )
        },
    )

    def pages() -> dict[str, Any]:
        env = {"TRACKER_INSTANCE_PATH": str(BENCH_DIR / f"pages-instance-{backend}")}
        extra = ["--profile-dir", str(profiles)] if args.profile else []
        tiny = SCALES["tiny"]
        return {
            "pages": sub("bench_pages", "--url", url, "--slug", slug, "--runs", runs, *extra, env=env),
            "pages_tiny": sub(
                "bench_pages",
                "--url",
                database_url(tiny, backend),
                "--slug",
                framework_slugs(tiny)[0],
                "--runs",
                "3",
                "--report-page-runs",
                "1",
                env=env,
            ),
            "rate_tiny_statements": sub(
                "bench_rating",
                "--url",
                database_url(tiny, backend),
                "--mode",
                "timing",
                "--slugs",
                ",".join(framework_slugs(tiny)),
                "--runs",
                "1",
            )["statements_per_framework"],
        }

    step("pages", "pages in process", pages)
    step(
        "refresh",
        "`tracker refresh-ratings` for the whole instance",
        lambda: {"refresh": sub("bench_rating", "--url", url, "--mode", "refresh", "--slugs", slugs)},
    )

    def http() -> dict[str, Any]:
        settle(url)
        return {"http": sub("bench_http", "--url", url, "--slug", slug, "--seconds", str(args.seconds))}

    step("http", f"throughput under `tracker serve --workers 2` ({args.seconds:g} s a path)", http)
    out["finished"] = datetime.now(UTC).isoformat()
    return out


# ------------------------------------------------------------------------------------------- markdown


def secs(s: dict[str, Any] | None, unit: str = "auto") -> str:
    if not s:
        return "—"
    m, lo, hi = s["median"], s["min"], s["max"]
    if unit == "ms" or (unit == "auto" and m < 1):
        return f"{m * 1000:,.1f} ms ({lo * 1000:,.1f}-{hi * 1000:,.1f})"
    return f"{m:,.2f} s ({lo:,.2f}-{hi:,.2f})"


def met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def markdown(results: dict[str, Any]) -> str:
    info = results["machine"]
    backends = [b for b in ("sqlite", "postgresql") if b in results["backends"]]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    lines = [
        BEGIN,
        "",
        f"**Run:** {info['date']} · scale **{results['scale']}**"
        f" · backends run: {', '.join(names[b] for b in backends) or 'none'} · **commands**, in order"
        " (a run that skips steps keeps the earlier figures of those steps): "
        + "; ".join(
            f"`{c}` (app {a})"
            for c, a in zip(
                [*results.get("earlier_commands", []), info["command"]],
                [*results.get("earlier_apps", []), info.get("app", "?")],
                strict=False,
            )
        ),
        "",
        f"**Machine:** {info['nproc']} CPUs ({info['cpu']}), {info['memory_gb']} GB RAM, Linux {info['kernel']};"
        f" Python {info['python']}, SQLite {info['sqlite']}, PostgreSQL {info['postgresql']},"
        f" SQLAlchemy {info.get('sqlalchemy', '?')}, Flask {info.get('flask', '?')},"
        f" WeasyPrint {info.get('weasyprint', '?')}, {info['chromium']}."
        f" The 2 CPUs are shared with other work: the load average (`uptime`: 1, 5, 15 min) is given with"
        " each figure. Times are medians (min-max) of the runs a cell names, else of"
        f" {results['runs']} runs.",
        "",
    ]
    header = (
        "| figure | "
        + " | ".join(names[b] for b in backends)
        + " | goal | "
        + " | ".join(f"met ({names[b]})" for b in backends)
        + " |"
    )
    lines += [header, "|" + "---|" * (2 + 2 * len(backends))]

    def row(label: str, cell: Any, goal: str = "", check: Any = None) -> None:
        cells, checks = [], []
        for b in backends:
            r = results["backends"][b]
            try:
                cells.append(cell(r))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("—")
            try:
                checks.append(met(check(r)) if check else "")
            except (KeyError, TypeError, ZeroDivisionError):
                checks.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {goal} | " + " | ".join(checks) + " |")

    def gen(r: dict[str, Any]) -> str:
        i = r["instance"]
        return (
            f"{i['generation_seconds']:.0f} s{' (then cached)' if i.get('cached') else ''}: "
            f"{i['evidence']:,} items, {i['links']:,} links, {i['kpi_values']:,} KPI values"
        )

    row("instance generated (bulk inserts)", gen)
    row(
        "rating every outcome (`rate` on each framework)",
        lambda r: (
            f"{secs(r['rating']['rate_all'])}, {r['rating']['rate_all']['runs']} runs; "
            f"{r['rating']['outcomes']:,} outcomes; load {r['rating']['load_before']}"
        ),
    )
    row(
        "floor: one statement, same rows (each item once, links as id pairs, KPI values), rating columns,"
        " DB-API tuples",
        lambda r: f"{secs(r['rating']['floor'])}; {r['rating']['floor_rows']:,} rows",
    )
    row(
        "rating ÷ floor",
        lambda r: f"{r['rating']['ratio']:.1f}x",
        "≤ 3x",
        lambda r: r["rating"]["ratio"] <= 3,
    )
    row(
        "floor as the rows were read until 6 December (an item's columns once per link), ratio (info)",
        lambda r: (
            f"{secs(r['rating']['floor_per_link'])}; {r['rating']['floor_per_link_rows']:,} rows;"
            f" rating ÷ it {r['rating']['ratio_per_link']:.1f}x"
            if "floor_per_link" in r["rating"]
            else "not measured in this run"
        ),
    )
    row(
        "floor with every evidence column (2 statements), ratio",
        lambda r: (
            f"{secs(r['rating']['floor_all_columns'])}; rating ÷ it {r['rating']['ratio_all_columns']:.1f}x"
        ),
    )
    row(
        "peak memory rating every outcome (maxrss, results kept)",
        lambda r: (
            f"{r['memory']['maxrss_mb']:,.0f} MB (process at start {r['memory']['rss_before_mb']:,.0f} MB);"
            f" load {r['memory']['load_before']}"
        ),
        "< 1 GB",
        lambda r: r["memory"]["maxrss_mb"] < 1024,
    )
    row(
        "  peak memory, each framework's results dropped after it (info)",
        lambda r: (
            f"{r['memory_streaming']['maxrss_mb']:,.0f} MB; load {r['memory_streaming']['load_before']}"
        ),
    )
    row(
        "`tracker refresh-ratings`, whole instance, one transaction (info)",
        lambda r: (
            f"{r['refresh']['seconds']:,.1f} s (the command's start alone: {r['refresh']['command_start_seconds']:.1f} s);"
            f" {r['refresh']['frameworks']} frameworks, "
            f"{r['refresh']['outcomes_stored']:,} outcomes stored; peak memory {r['refresh']['maxrss_mb']:,.0f} MB;"
            f" load {r['refresh']['load_before']}"
        ),
    )
    row(
        "re-rating after one save: save + commit through a watched session"
        " (the commit re-rates the touched outcomes and stores them)",
        lambda r: (
            f"{secs(r['rerate']['save_watched'], 'ms')}; the item is linked to {r['rerate']['outcomes_touched']} "
            f"outcome{'s' if r['rerate']['outcomes_touched'] != 1 else ''} ({' and '.join(f'{n:,}' for n in r['rerate']['items_per_touched_outcome'].values())}"
            f" items); load {r['rerate']['load_before']}"
        ),
        "< 50 ms",
        lambda r: r["rerate"]["save_watched"]["median"] < 0.05,
    )
    row(
        "  SQL statements of that commit",
        lambda r: (
            f"{r['rerate']['commit_statements']} ("
            + ", ".join(f"{n} {k}" for k, n in sorted(r["rerate"]["commit_statement_kinds"].items()))
            + ")"
        ),
    )
    row(
        "  stored ratings after the saves = a live rating of the same outcomes (every stored field)",
        lambda r: (
            (
                "yes"
                if not r["rerate"]["stored_equals_live"]["differing"]
                and r["rerate"]["stored_equals_live"]["stored"]
                == r["rerate"]["stored_equals_live"]["compared"]
                else f"**no**: {r['rerate']['stored_equals_live']}"
            )
            + f"; `inputs_version` raised {r['rerate']['inputs_version_raised_by']} times by"
            f" {r['rerate']['save_watched']['runs'] + 1} watched saves"
        ),
    )
    row(
        "  the same save, unwatched session (no re-rating, info)",
        lambda r: secs(r["rerate"]["save_plain"], "ms"),
    )
    row(
        "  `ratings_for(..., outcomes=<the touched outcomes>, detail=True)` alone",
        lambda r: (
            f"{secs(r['rerate']['rate_touched'], 'ms')}; {r['rerate']['rate_touched_statements']} statements"
        ),
    )
    row(
        "  `rate` of the whole framework (what a save, and every view, cost before)",
        lambda r: f"{secs(r['rerate']['rate_framework'])}; {r['rerate']['framework_items']:,} items",
    )
    row(
        "dashboard, first view (no stored rows: rates every outcome and stores them), in process (info)",
        lambda r: (
            f"{secs(r['pages']['dashboard_cold']['time'])}; then"
            f" {r['pages']['dashboard_cold']['stored_after_first_view']} rows stored;"
            f" {r['pages']['dashboard_cold']['statements']} / {r['pages_tiny']['dashboard_cold']['statements']}"
            " statements national / tiny"
        ),
    )
    for key, label in (
        ("dashboard", "dashboard, stored ratings (later views)"),
        ("outcome", "outcome page (rates its one outcome)"),
        ("evidence_list", "evidence list, first page"),
        ("report_model", "report model from stored ratings (`ratings_for(for_report=True)` + `build`)"),
    ):
        row(
            f"{label}, in process",
            lambda r, k=key: f"{secs(r['pages'][k]['time'])}; load {r['pages']['load_before']}",
            "< 50 ms",
            lambda r, k=key: r["pages"][k]["time"]["median"] < 0.05,
        )
        row(
            f"  {label}: SQL statements national / tiny",
            lambda r, k=key: f"{r['pages'][k]['statements']} / {r['pages_tiny'][k]['statements']}",
            "the same",
            lambda r, k=key: r["pages"][k]["statements"] == r["pages_tiny"][k]["statements"],
        )
    row(
        "  outcome page HTML size (info)",
        lambda r: f"{r['pages']['outcome']['bytes'] / 1e3:,.0f} KB",
    )
    row(
        "  report model alone (`build` from ratings already read)",
        lambda r: secs(r["pages"]["report_model"]["build_only"]),
    )
    row(
        "report model with its action plans (issue 20): the report model above, the framework's plans read"
        " and drawn",
        lambda r: (
            f"{secs(r['pages']['report_model']['time'])}; {r['pages']['report_plans']['plans']:,} plans"
            f" ({r['pages']['report_plans']['open']:,} open, {r['pages']['report_plans']['needed']:,} targets"
            " needing a plan)"
        ),
        "< 100 ms",
        lambda r: (
            r["pages"]["report_plans"]["plans"] > 0 and r["pages"]["report_model"]["time"]["median"] < 0.1
        ),
    )
    row(
        "  the action plans alone: read with their current revisions; blocks; SQL statements national / tiny",
        lambda r: (
            f"{secs(r['pages']['report_plans']['read'])}; {secs(r['pages']['report_plans']['blocks'])};"
            f" {r['pages']['report_plans']['statements']} / {r['pages_tiny']['report_plans']['statements']}"
            f" ({r['pages_tiny']['report_plans']['plans']} plans on tiny)"
        ),
        "the same",
        lambda r: r["pages"]["report_plans"]["statements"] == r["pages_tiny"]["report_plans"]["statements"],
    )
    row(
        "report web page (`/report`, info)",
        lambda r: (
            f"**HTTP {r['pages']['report_page']['status']}**"
            if "status" in r["pages"]["report_page"]
            else f"{secs(r['pages']['report_page']['time'])}; {r['pages']['report_page']['bytes'] / 1e6:,.1f} MB HTML,"
            f" {r['pages']['report_model']['evidence_lines']:,} evidence lines"
        ),
    )
    row(
        "ratings: SQL statements national / tiny (one framework)",
        lambda r: f"{r['rating']['statements_per_framework']} / {r['rate_tiny_statements']}",
        "the same",
        lambda r: r["rating"]["statements_per_framework"] == r["rate_tiny_statements"],
    )
    row(
        "throughput, dashboard, stored ratings (2 workers, 8 client threads)",
        lambda r: (
            f"{r['http']['dashboard']['per_second']:,.1f} req/s (median latency "
            f"{r['http']['dashboard']['latency_median'] * 1000:,.0f} ms, {r['http']['dashboard']['errors']} errors);"
            f" {r['http']['stored_rows_before']} / {r['http']['stored_rows_after']} rows stored before / after;"
            f" load {r['http']['load_before']}"
        ),
    )
    row("throughput, /healthz, same run", lambda r: f"{r['http']['healthz']['per_second']:,.0f} req/s")
    row(
        "dashboard ÷ /healthz",
        lambda r: f"{r['http']['ratio']:.4f}",
        "≥ 0.4",
        lambda r: r["http"]["ratio"] >= 0.4,
    )
    lines.append("")
    apps = {
        (names[b], step): app
        for b in backends
        for step, app in results["backends"][b].get("apps", {}).items()
    }
    if len(set(apps.values())) > 1:
        lines += [
            "**App measured by each step** (it changed during the runs): "
            + "; ".join(f"{b} {step}: {app}" for (b, step), app in apps.items()),
            "",
        ]
    for b in backends:
        for name, error in results["backends"][b].get("errors", {}).items():
            lines += [
                f"**{names[b]}: step `{name}` failed** (its figures are missing): `{error.splitlines()[-1][:300]}`",
                "",
            ]
    pdf = results.get("pdf")
    if pdf:
        lines += [
            f"PDF (SQLite, {pdf['demo']['weasyprint']['runs']} runs for the demo, {pdf['big500']['weasyprint']['runs']}"
            f" for the 500-outcome framework; load {pdf['demo']['load_before']}). Chromium prints the same HTML"
            f" with report.css inlined, `{' '.join(('chromium', '--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer'))}"
            f" --print-to-pdf`, and its time includes starting the browser (an empty page:"
            f" {secs(pdf['chromium_empty_page'])}).",
            "",
            "| figure | Developing Together demo | 500-outcome framework | goal | met |",
            "|---|---|---|---|---|",
        ]
        d, b = pdf["demo"], pdf["big500"]

        def status(x: dict[str, Any]) -> str:
            return "/".join(str(c) for c in sorted(set(x.get("route_statuses", [])))) or "?"

        def again(x: dict[str, Any]) -> str:
            if set(x.get("route_statuses", [200])) != {200}:
                return f"nothing cached (the render failed): {x['route_cached_seconds']:.1f} s again"
            return f"{x['route_cached_seconds'] * 1000:.0f} ms"

        def cold(x: dict[str, Any]) -> str:
            return f"{x['route_cold_seconds']:.2f} s" if "route_cold_seconds" in x else "not measured"

        def failure(x: dict[str, Any]) -> str:
            if not x.get("weasyprint_error"):
                return "renders"
            return f"**fails** (`{x['weasyprint_error'][:80]}`); the times below use `{x['workaround']}`"

        lines += [
            f"| outcomes / HTML size | {d['outcomes']} / {d['html_bytes'] / 1e6:.2f} MB | {b['outcomes']} / {b['html_bytes'] / 1e6:.2f} MB | | |",
            f"| `/report.pdf`, empty cache (rendered in parts by children of the fork server the worker started when it started, as `tracker serve` does) | {secs(d['route_uncached'])}, HTTP {status(d)} | {secs(b['route_uncached'])}, HTTP {status(b)} | demo < 3 s | {met(d['route_uncached']['median'] < 3)} |",
            f"|   the same, the process's first render (it starts the renderer: info) | {cold(d)} | {cold(b)} | | |",
            f"| WeasyPrint on the app's HTML | {failure(d)} | {failure(b)} | | |",
            f"| stored ratings + report inputs + model + HTML | {secs(d['html'])} | {secs(b['html'])} | | |",
            f"| WeasyPrint whole, in one process (`render_in_process`, info) | {secs(d['weasyprint'])} | {secs(b['weasyprint'])} | | |",
            f"| WeasyPrint in parts, as the app renders (`render_pdf`, {d.get('render_processes', '?')} children from the warm fork server, joined) | {secs(d['weasyprint_in_parts'])} | {secs(b['weasyprint_in_parts'])} | | |",
            f"| ratings + model + HTML + the render in parts | {secs(d['end_to_end'])} | {secs(b['end_to_end'])} | demo < 3 s | {met(d['end_to_end']['median'] < 3)} |",
            f"| Chromium print-to-PDF of the same HTML | {secs(d['chromium'])} | {secs(b['chromium'])} | | |",
            f"| WeasyPrint in parts ÷ Chromium | {d['ratio']:.2f}x | {b['ratio']:.2f}x | 500 outcomes ≤ 1.5x | {met(b['ratio'] <= 1.5)} |",
            f"|   WeasyPrint whole ÷ Chromium (info) | {d['ratio_whole']:.2f}x | {b['ratio_whole']:.2f}x | | |",
            f"| pages WeasyPrint whole / in parts / Chromium | {d['pages_weasyprint']} / {d['pages_weasyprint_in_parts']} / {d['pages_chromium']} | {b['pages_weasyprint']} / {b['pages_weasyprint_in_parts']} / {b['pages_chromium']} | | |",
            f"| `/report.pdf` again (cached file) | {again(d)} | {again(b)} | | |",
            "",
        ]
    lines.append(END)
    return "\n".join(lines)


def write_markdown(results: dict[str, Any]) -> None:
    block = markdown(results)
    if MARKDOWN.exists() and BEGIN in MARKDOWN.read_text(encoding="utf-8"):
        text = MARKDOWN.read_text(encoding="utf-8")
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1] if END in rest else ""
        MARKDOWN.write_text(head + block + tail, encoding="utf-8")
    else:
        MARKDOWN.write_text(
            "# Benchmarks\n\n```sh\n.venv/bin/python -m tests.benchmarks.run --scale national "
            "--backends sqlite,postgresql\n```\n\n" + block + "\n",
            encoding="utf-8",
        )
    log(f"wrote {MARKDOWN}")


def cleanup() -> None:
    for scale in SCALES.values():
        try:
            drop(scale, "postgresql")
        except Exception as error:
            log(f"could not drop bench_{scale.name} on {PG_SERVER}: {error}")
    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    log(f"dropped the bench_* PostgreSQL databases and removed {BENCH_DIR}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=("national", "100k", "tiny"), default="national")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--rating-runs", type=int, default=0, help="runs of rating every outcome (default --runs)"
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--skip", default="", help=f"comma-separated steps to leave out: {', '.join(STEPS)}")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--cleanup", action="store_true")
    args = parser.parse_args()
    if args.cleanup:
        cleanup()
        return
    args.skip = {s for s in args.skip.split(",") if s}
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    results_path = BENCH_DIR / f"results-{args.scale}.json"
    # A run that skips steps keeps the figures an earlier run of the same scale measured for them.
    earlier: dict[str, Any] = {}
    if args.skip and results_path.exists():
        earlier = json.loads(results_path.read_text(encoding="utf-8"))
    results: dict[str, Any] = {
        **earlier,
        "machine": machine(),
        "scale": args.scale,
        "runs": args.runs,
        "rating_runs": args.rating_runs or args.runs,
        "backends": earlier.get("backends", {}),
    }
    if earlier:
        results["earlier_commands"] = [*earlier.get("earlier_commands", []), earlier["machine"]["command"]]
        results["earlier_apps"] = [
            *earlier.get("earlier_apps", ["?"] * len(earlier.get("earlier_commands", []))),
            earlier["machine"].get("app", "?"),
        ]
    log(f"benchmark: scale {args.scale}, backends {args.backends}, load {load()}")
    for backend in [b for b in args.backends.split(",") if b]:
        before = dict(results["backends"].get(backend, {}))

        def save(out: dict[str, Any], backend: str = backend, before: dict[str, Any] = before) -> None:
            results["backends"][backend] = {**before, **out}
            results_path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")

        save(run_backend(backend, args.scale, args, save))
    if "pdf" not in args.skip:
        log("PDF: the demo and a 500-outcome framework, WeasyPrint beside Chromium ...")
        try:
            results["pdf"] = sub(
                "bench_pdf", "--runs", str(args.runs), "--big-runs", str(max(1, min(3, args.runs)))
            )
        except RuntimeError as error:
            log(f"PDF FAILED: {str(error)[-1500:]}")
    results_path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    log(f"results in {results_path}")
    if not args.no_write:
        write_markdown(results)


if __name__ == "__main__":
    main()

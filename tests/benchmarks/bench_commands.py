"""Issue 23's fast commands: `tracker --help` and the demo's whole `tracker report --format pdf`, each a cold
process, with the imports `python -X importtime` records for one run of each.

    .venv/bin/python -m tests.benchmarks.bench_commands [--help-runs 10] [--pdf-runs 5] [--against DIR]

The instance is made once with `tracker demo` in a fresh folder (TRACKER_BENCH_DIR, default /tmp/bench, then
`commands-demo/`); each PDF run first empties its report cache, so every run renders (a cached PDF is only read).
`--source DIR` measures another checkout's code (for example `git archive <commit> | tar -x -C DIR`) with this
interpreter and packages; `--against DIR` measures a second checkout too, its runs taken in turn with these, so
both meet the same load on a shared machine. One untimed run of each command comes first: Python writes its
byte-code caches then, as on a user's machine (PYTHONDONTWRITEBYTECODE is dropped from the environment for that
reason). A PDF run's CPU time counts the whole process tree: this process adopts the renderer processes the
command leaves behind (PR_SET_CHILD_SUBREAPER) and waits for them, so their CPU is in RUSAGE_CHILDREN.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import emit, load, summary
from tests.benchmarks.run import app_version

FRAMEWORK = "developing-together"
PR_SET_CHILD_SUBREAPER = 36
TRACKER = "import sys; sys.argv[0] = 'tracker'; from tracker.cli import main; main()"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def environment(instance: Path, source: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["TRACKER_INSTANCE_PATH"] = str(instance)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return env


def tracker(args: list[str], env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    """`tracker ARGS` in a cold process, run from the instance's parent folder (`python -c` puts the working
    folder first on sys.path: a checkout's folder would shadow PYTHONPATH)."""
    command = [sys.executable, *flags, "-c", TRACKER, *args]
    folder = Path(env["TRACKER_INSTANCE_PATH"]).parent
    return subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True, check=True)


def reap() -> None:
    """Wait for every orphan this process adopted (the renderer and its resource tracker), so their CPU counts."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], env: dict[str, str], before: Any = None) -> tuple[float, float]:
    """One cold process: (wall seconds until it exited, CPU seconds of it and every process it started)."""
    cpu = children_cpu()
    if before is not None:
        before()
    started = time.perf_counter()
    tracker(args, env)
    wall = time.perf_counter() - started
    reap()
    return wall, children_cpu() - cpu


def import_times(args: list[str], env: dict[str, str], top: int) -> dict[str, Any]:
    """`-X importtime` of one run: the total and the largest top-level imports (of the command and, for a PDF,
    its renderer process, which inherits the flag and writes to the same stderr)."""
    done = tracker(args, env, "-X", "importtime")
    reap()
    rows = re.findall(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$", done.stderr, flags=re.MULTILINE)
    outer = sorted(((int(c), name) for _, c, indent, name in rows if len(indent) == 1), reverse=True)
    return {
        "total_ms": round(sum(int(own) for own, _, _, _ in rows) / 1000, 1),
        "modules": len(rows),
        "top": [(name, round(c / 1000, 1)) for c, name in outer[:top]],
    }


def ensure_demo(instance: Path, env: dict[str, str]) -> None:
    if (instance / "demo-credentials.txt").exists():
        return
    shutil.rmtree(instance, ignore_errors=True)
    instance.parent.mkdir(parents=True, exist_ok=True)
    log(f"making the demo instance in {instance} (tracker demo)")
    tracker(["demo"], env)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        names = re.findall(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), flags=re.MULTILINE)
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"Python {platform.python_version()}, {os.cpu_count()} CPUs ({cpu}), {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--help-runs", type=int, default=10)
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=None, help="Another checkout's code to measure.")
    parser.add_argument(
        "--against", type=Path, default=None, help="A second checkout, its runs taken in turn with these."
    )
    parser.add_argument("--top", type=int, default=8, help="How many top-level imports to list.")
    options = parser.parse_args()

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        log("could not become a subreaper: a PDF run's CPU counts the command's own process only")
    instance = Path(os.environ.get("TRACKER_BENCH_DIR", "/tmp/bench")) / "commands-demo"
    codes = {"this": options.source} | ({"against": options.against} if options.against else {})
    envs = {name: environment(instance, code) for name, code in codes.items()}
    ensure_demo(instance, envs["this"])
    output = instance / "bench-report.pdf"
    pdf = ["report", "--framework", FRAMEWORK, "--format", "pdf", "-o", str(output)]

    def uncached() -> None:
        shutil.rmtree(instance / "report-cache", ignore_errors=True)

    result: dict[str, Any] = {"machine": machine(), "load_before": load()}
    for name, env in envs.items():  # the untimed first runs: byte-code caches written
        code = codes[name]
        result[name] = {"code": app_version() if code is None else f"source {code}"}
        run(["--help"], env)
        run(pdf, env, uncached)
    helps: dict[str, list[float]] = {name: [] for name in envs}
    for _ in range(options.help_runs):
        for name, env in envs.items():
            helps[name].append(run(["--help"], env)[0])
    walls: dict[str, list[float]] = {name: [] for name in envs}
    cpus: dict[str, list[float]] = {name: [] for name in envs}
    for _ in range(options.pdf_runs):
        for name, env in envs.items():
            wall, cpu = run(pdf, env, uncached)
            walls[name].append(wall)
            cpus[name].append(cpu)
            log(f"{name}: tracker report --format pdf: {wall:.2f} s, CPU {cpu:.2f} s (load {load()})")
    for name, env in envs.items():
        figures = result[name]
        figures["help"] = summary(helps[name])
        figures["pdf"] = summary(walls[name])
        figures["pdf_cpu"] = summary(cpus[name])
        figures["importtime_help"] = import_times(["--help"], env, options.top)
        uncached()
        figures["importtime_pdf"] = import_times(pdf, env, options.top)
    result["pdf_bytes"] = output.stat().st_size
    result["load_after"] = load()
    for name in envs:
        figures = result[name]
        log(f"{name} ({figures['code']}):")
        log(f"  tracker --help: median {figures['help']['median']:.3f} s over {len(helps[name])} runs")
        log(
            f"  tracker report --format pdf: median {figures['pdf']['median']:.2f} s"
            f" ({figures['pdf']['min']:.2f}-{figures['pdf']['max']:.2f}), CPU {figures['pdf_cpu']['median']:.2f} s"
        )
        for command in ("help", "pdf"):
            found = figures[f"importtime_{command}"]
            log(
                f"  -X importtime, {command}: {found['modules']} modules, {found['total_ms']} ms; {found['top']}"
            )
    log(f"load {result['load_before']} before, {result['load_after']} after; {result['machine']}")
    emit(result)


if __name__ == "__main__":
    main()

"""Small helpers shared by the benchmark scripts: timing, load average, JSON results on stdout."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

RESULT_PREFIX = "BENCH-RESULT "


def load() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def summary(samples: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": len(samples),
        "samples": samples,
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def emit(result: dict[str, Any]) -> None:
    """The one line the orchestrator reads back from a benchmark subprocess."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def profile_to(path: str | None, fn: Callable[[], Any]) -> None:
    """Run `fn` once under a profiler and keep the text profile at `path`.

    pyinstrument (a call tree) when it is installed, else the standard library's cProfile (the 60 functions
    with the most cumulative time, then the 40 with the most own time).
    """
    if not path:
        return
    try:
        from pyinstrument import Profiler  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        import cProfile
        import io
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        fn()
        profile.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profile, stream=buffer)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        with open(path, "w", encoding="utf-8") as text:
            text.write(f"cProfile (pyinstrument is not installed)\n{buffer.getvalue()}")
        return
    profiler = Profiler(interval=0.001)
    profiler.start()
    fn()
    profiler.stop()
    with open(path, "w", encoding="utf-8") as out:
        out.write(profiler.output_text(unicode=False, color=False, show_all=False))

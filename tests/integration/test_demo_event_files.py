"""The demo's event files reproduce every figure their evaluations publish (frameworks/demo/events/check.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_event_files_reproduce_the_published_figures() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "frameworks" / "demo" / "events" / "check.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all 76 figures agree" in result.stdout

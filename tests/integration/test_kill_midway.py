"""A process killed with SIGKILL in the middle of an import leaves the database as it was."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from tracker.db.models import Evidence, EvidenceLink
from tracker.extensions import db


def big_csv(path: Path, rows: int) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["title", "source_type", "collected_on", "links", "finding", "respondents", "collection", "status"]
    )
    for i in range(rows):
        writer.writerow(
            [
                f"Item {i}",
                "survey",
                "2023-01-01",
                "educators-supported",
                "supports",
                "12",
                f"c{i}",
                "accepted",
            ]
        )
    path.write_text(out.getvalue(), encoding="utf-8")


def test_import_killed_midway_is_wholly_absent(app: Flask, framework: str, tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    big_csv(source, 20_000)
    env = {**os.environ, "TRACKER_DATABASE_URL": app.config["DATABASE_URL"], "TRACKER_INSTANCE_PATH": app.instance_path,
           "TRACKER_SECRET_KEY": app.config["SECRET_KEY"]}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-c", "from tracker.cli import main; main()", "evidence", "import", str(source),
         "--framework", framework], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    # Wait until the import is writing (rows appear only at commit, so watch the process run a while).
    deadline = time.monotonic() + 60
    killed_while_running = False
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if process.poll() is not None:
            break
        if time.monotonic() > deadline - 58:  # a couple of seconds in: parsing done, inserting under way
            process.send_signal(signal.SIGKILL)
            killed_while_running = True
            break
    process.wait(30)
    process.stdout.close()  # type: ignore[union-attr]
    process.stderr.close()  # type: ignore[union-attr]
    assert killed_while_running, "the import finished before it could be killed; make the file larger"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
        assert db.session.scalar(select(func.count()).select_from(EvidenceLink)) == 0
    # The database is usable afterwards: a small import then completes.
    small = tmp_path / "small.csv"
    big_csv(small, 5)
    again = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "evidence", "import", str(small),
         "--framework", framework], env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 5

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


# The child runs the real command, with the bulk insert wrapped: after the first batch of rows is written
# (inside the import's one transaction) it says so through a file and waits to be killed.
CHILD = """
import pathlib, sys, time
from tracker.services import bulk_rows, evidence_bulk
marker = pathlib.Path(sys.argv[1])
real = bulk_rows.insert_rows
def insert_then_wait(*args, **kwargs):
    ids = real(*args, **kwargs)
    marker.write_text(str(len(ids)))
    time.sleep(600)
    return ids
evidence_bulk.insert_rows = insert_then_wait
sys.argv = ["tracker", *sys.argv[2:]]
from tracker.cli import main
main()
"""


def test_import_killed_midway_is_wholly_absent(app: Flask, framework: str, tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    big_csv(source, 20_000)
    written = tmp_path / "first-write-done"
    env = {**os.environ, "TRACKER_DATABASE_URL": app.config["DATABASE_URL"], "TRACKER_INSTANCE_PATH": app.instance_path,
           "TRACKER_SECRET_KEY": app.config["SECRET_KEY"]}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(written), "evidence", "import", str(source), "--framework", framework],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not written.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not written.exists():
        process.kill()
        raise AssertionError(process.communicate()[1].decode()[-2000:])
    assert int(written.read_text()) == 20_000, "the first write holds every row of the file"
    assert process.poll() is None, "the child must still be inside its transaction"
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    process.stdout.close()  # type: ignore[union-attr]
    process.stderr.close()  # type: ignore[union-attr]
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

"""Storage (issue 23): peak memory growth downloading a 50 MB attachment, and `storage migrate` of 10,000 files.

Run: `.venv/bin/python -m tests.benchmarks.bench_storage [--store database:] [--files 10000]`; prints the
figures and one BENCH-RESULT line. The download goes through the Flask test client (the real view: the
digest check, then the streamed chunks); memory is measured with tracemalloc (peak above the level before
the request) and as RSS growth. The migrate copies every blob to the database store and checks each digest.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from tests.benchmarks.common import emit, load, rss_mb

MB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default="", help="STORAGE_URL of the instance (empty: its folder)")
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRACKER_INSTANCE_PATH"] = str(Path(folder) / "instance")
        result = run(Path(folder), args.store, args.size_mb, args.files)
    for key, value in result.items():
        print(f"{key}: {value}")
    emit(result)


def run(folder: Path, store_url: str, size_mb: int, files: int) -> dict[str, object]:
    from flask.testing import FlaskCliRunner
    from sqlalchemy import select

    from tracker import create_app
    from tracker.cli import cli
    from tracker.db import migrate
    from tracker.db.models import Attachment, Evidence, Framework
    from tracker.domain.loader import parse_framework
    from tracker.extensions import db
    from tracker.services import accounts
    from tracker.services import frameworks as framework_service
    from tracker.services.audit import Actor
    from tracker.storage.app import current_store

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SECRET_KEY": "bench-" + "0" * 40,
            "WTF_CSRF_ENABLED": False,
            "STORAGE_URL": store_url,
            "UPLOAD_MAX_BYTES": (size_mb + 1) * MB,
        }
    )
    tiny = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
    with app.app_context():
        migrate.upgrade(db.engine)
        with db.unit_of_work() as session:
            parsed = parse_framework(tiny, "tiny.yaml")
            assert parsed.framework is not None
            framework_service.load_version(session, parsed.framework, tiny, Actor("bench"))
            accounts.create_user(session, Actor("bench"), "board@example.org", "board", "bench password 1234")
        # One accepted item with the big file, and `files` small ones, stored as uploads are.
        big = b"%PDF-1.4\n" + os.urandom(size_mb * MB - 9)
        with db.unit_of_work() as session:
            item = Evidence(
                framework_id=session.scalar(select(Framework.id)),
                title="Bench",
                source_type="survey",
                status="accepted",
                collected_on=date(2024, 1, 1),
                finding="supports",
            )
            session.add(item)
            session.flush()
            store = current_store()
            kept = store.put(io.BytesIO(big), len(big))
            session.add(
                Attachment(
                    evidence_id=item.id,
                    original_name="big.pdf",
                    stored_name="b" * 32,
                    content_type="application/pdf",
                    size=kept.size,
                    sha256=kept.sha256,
                )
            )
            small_started = time.perf_counter()
            for n in range(files):
                data = f"%PDF-1.4 small file {n}\n".encode()
                put = store.put(io.BytesIO(data), 1024)
                session.add(
                    Attachment(
                        evidence_id=item.id,
                        original_name=f"s{n}.pdf",
                        stored_name=f"{n:032x}",
                        content_type="application/pdf",
                        size=put.size,
                        sha256=put.sha256,
                    )
                )
            small_seconds = time.perf_counter() - small_started
            big_id = session.scalar(select(Attachment.id).where(Attachment.original_name == "big.pdf"))
        del big
    client = app.test_client()
    client.post("/login", data={"email": "board@example.org", "password": "bench password 1234"})
    tracemalloc.start()
    rss_before = rss_mb()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    response = client.get(f"/attachments/{big_id}", buffered=False)
    digest, received = hashlib.sha256(), 0
    for chunk in response.response:
        digest.update(chunk)
        received += len(chunk)
    response.close()
    download_seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = rss_mb() - rss_before
    assert response.status_code == 200 and received == size_mb * MB, (response.status_code, received)
    target = "database:" if store_url != "database:" else (folder / "moved").as_uri()
    started = time.perf_counter()
    result = FlaskCliRunner(app).invoke(cli, ["storage", "migrate", "--to", target])
    migrate_seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    return {
        "store": store_url or "folder (default)",
        "download_mb": size_mb,
        "download_seconds": round(download_seconds, 2),
        "download_peak_growth_mb_tracemalloc": round((peak - base) / MB, 2),
        "download_rss_growth_mb": round(rss_growth, 2),
        "small_files_stored_seconds": round(small_seconds, 2),
        "migrate_files": files + 1,
        "migrate_to": target,
        "migrate_seconds": round(migrate_seconds, 2),
        "migrate_output": result.output.strip().splitlines()[0],
        "load": load(),
    }


if __name__ == "__main__":
    main()

"""With Redis configured, the PDF is made by a worker from the queue; the page waits without script."""

from __future__ import annotations

import io
import socket
import uuid
from datetime import date
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from ..conftest import sign_in
from ..page import Page

REDIS = ("127.0.0.1", 6379)


def redis_answers() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(REDIS) == 0


@pytest.fixture
def queued_app(make_app: Any) -> Flask:
    if not redis_answers():
        pytest.skip(
            "the job-queue test needs Redis on 127.0.0.1:6379 (CI machines run it); none answers here"
        )
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/15", REPORT_QUEUE=f"test-{uuid.uuid4().hex}")
    return app  # type: ignore[no-any-return]


def test_pdf_is_made_by_a_worker(
    queued_app: Flask, make_user: Any, load_framework: Any, tiny_yaml: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rq import SimpleWorker

    from tracker.reports import jobs

    load_framework(tiny_yaml)
    client = queued_app.test_client()
    sign_in(client, make_user("board"))
    first = client.get("/f/tiny-partnership/report.pdf")
    page = Page.of(first, 202)
    # The page asks again every 3 seconds: its script, or without script the refresh in its <noscript>.
    assert page.one("head > noscript > meta[http-equiv=refresh]")["content"] == "3"
    assert page.h1 == "Making the PDF" and "is being made" in page.text("main p[role=status]")
    assert "Starting: no page is laid out yet." in page.text("main p[role=status]")  # no worker yet
    assert ("Check now", "/f/tiny-partnership/report.pdf?as_of=2023-04-30") in page.links("main a")
    assert client.get("/f/tiny-partnership/report.pdf").status_code == 202  # the same job, not a second one
    queue = jobs.queue(queued_app)
    assert queue is not None and queue.count == 1
    [job_id] = queue.job_ids
    # The worker is configured like the web app: the same database and instance folder.
    monkeypatch.setenv("TRACKER_DATABASE_URL", queued_app.config["DATABASE_URL"])
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", queued_app.instance_path)
    monkeypatch.setenv("TRACKER_SECRET_KEY", queued_app.config["SECRET_KEY"])
    try:
        assert SimpleWorker([queue], connection=queue.connection).work(burst=True)
        ready = client.get("/f/tiny-partnership/report.pdf")
        assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
        assert "tiny-partnership-report-2023-04-30.pdf" in ready.headers["Content-Disposition"]
        pages = len(PdfReader(io.BytesIO(ready.data)).pages)
        # The worker wrote its progress into the job's meta; the last write: every page laid out.
        assert jobs.progress_of(queue.fetch_job(job_id)) == jobs.RenderProgress(pages, pages)
        job = queue.fetch_job(jobs.job_id("tiny-partnership", date(2023, 4, 30), "x" * 32))
        assert job is None  # ids carry the data fingerprint; a made-up one finds nothing
    finally:
        queue.empty()
        queue.connection.close()


def test_viewing_the_report_page_queues_the_pdf_once(
    queued_app: Flask, make_user: Any, load_framework: Any, tiny_yaml: str
) -> None:
    from tracker.reports import jobs

    load_framework(tiny_yaml)
    client = queued_app.test_client()
    sign_in(client, make_user("board"))
    queue = jobs.queue(queued_app)
    assert queue is not None
    try:
        assert client.get("/f/tiny-partnership/report").status_code == 200
        assert queue.count == 1  # made while the board member reads the page
        assert client.get("/f/tiny-partnership/report").status_code == 200
        assert client.get("/f/tiny-partnership/report.pdf").status_code == 202
        assert queue.count == 1  # the same job for the page, its reload and the download
    finally:
        queue.empty()
        queue.connection.close()

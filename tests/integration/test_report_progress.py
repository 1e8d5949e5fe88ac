"""With Redis, the pending PDF page shows the worker's progress from the job's meta: pages laid out of about
how many, then all laid out while the PDF is put together (issue 23); words, and a <progress> bar."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tracker.reports import jobs

from ..conftest import sign_in
from ..page import Page
from ..redis_db import flushed_database

REDIS_DB = 14  # a Redis database of these tests' own, flushed
PDF = "/f/tiny-partnership/report.pdf"


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from flushed_database(REDIS_DB, "the PDF progress tests")


@pytest.fixture
def queued(
    redis_url: str, make_app: Any, make_user: Any, load_framework: Any, tiny_yaml: str
) -> Iterator[tuple[FlaskClient, Any]]:
    """A signed-in board member's client on an app that queues PDFs, and its queue (no worker)."""
    app: Flask = make_app(REDIS_URL=redis_url, REPORT_QUEUE=f"test-{uuid.uuid4().hex}")
    load_framework(tiny_yaml)
    client = app.test_client()
    sign_in(client, make_user("board"))
    queue = jobs.queue(app)
    assert queue is not None
    try:
        yield client, queue
    finally:
        queue.connection.close()


def pending(client: FlaskClient) -> Page:
    return Page.of(client.get(PDF), 202)


def the_job(queue: Any) -> Any:
    [job_id] = queue.job_ids
    return queue.fetch_job(job_id)


def bar(page: Page) -> tuple[str | None, str | None, str]:
    """The <progress> bar's value and max (None when absent: no figure yet) and the label that names it."""
    progress = page.one("main progress")
    value, top = progress.get("value"), progress.get("max")
    label = page.text(f"main label[for={progress['id']}]")
    return (None if value is None else str(value)), (None if top is None else str(top)), label


def test_before_any_page_it_says_starting_and_the_bar_has_no_figure(queued: tuple[FlaskClient, Any]) -> None:
    client, queue = queued
    page = pending(client)
    status = page.text("main p[role=status]")
    assert "is being made. Starting: no page is laid out yet. This page checks again" in status
    assert bar(page) == (None, None, "Pages laid out")  # an indeterminate bar: no figure to show
    assert page.one("head > noscript > meta[http-equiv=refresh]")["content"] == "3"
    assert jobs.progress_of(the_job(queue)) is None


def test_the_page_updates_itself_by_script_and_reloads_only_without_it(
    queued: tuple[FlaskClient, Any],
) -> None:
    client, _queue = queued
    response = client.get(PDF)
    page = Page.of(response, 202)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy  # the script is a file of this site
    # No timed reload for a browser running script (WCAG 2.2.1): the refresh is inside <noscript> only.
    assert not page.has("head > meta[http-equiv=refresh]") and not page.has("body meta")
    assert page.one("head > noscript > meta[http-equiv=refresh]")["content"] == "3"
    script = page.one("head > script")
    assert script["src"] == "/static/pdf-pending.js" and script.has_attr("defer") and script.text == ""
    # What the script reads and updates, by id: the status region, the bar and the link to ask again.
    assert page.by_id("pdf-status")["role"] == "status"
    assert page.by_id("pdf-progress").name == "progress"
    check = page.by_id("pdf-check")
    assert (check.text, check["href"]) == ("Check now", "/f/tiny-partnership/report.pdf?as_of=2023-04-30")
    served = client.get("/static/pdf-pending.js")
    assert served.status_code == 200 and served.mimetype in {"text/javascript", "application/javascript"}
    served.close()


def test_an_estimate_says_about_and_fills_the_bar_that_far(queued: tuple[FlaskClient, Any]) -> None:
    client, queue = queued
    pending(client)
    jobs.MetaProgress(the_job(queue))(23, 57)  # as the worker writes it: into the job's meta in Redis
    page = pending(client)
    assert "Laid out 23 of about 57 pages." in page.text("main p[role=status]")
    assert bar(page) == ("23", "57", "Pages laid out")
    assert page.text("main progress") == "23 of about 57"  # the bar's own words, for browsers without it
    assert queue.count == 1  # still the one job


def test_pages_without_an_estimate_yet_are_counted_in_words(queued: tuple[FlaskClient, Any]) -> None:
    client, queue = queued
    pending(client)
    jobs.MetaProgress(the_job(queue))(12, None)
    page = pending(client)
    assert "Laid out 12 pages so far." in page.text("main p[role=status]")
    assert bar(page)[:2] == (None, None)


def test_all_laid_out_says_the_pdf_is_being_put_together(queued: tuple[FlaskClient, Any]) -> None:
    client, queue = queued
    pending(client)
    write = jobs.MetaProgress(the_job(queue))
    write(23, 57)
    write(1234, 1234)  # the last call, written however soon after the one before
    page = pending(client)
    assert "All 1,234 pages laid out; putting the PDF together." in page.text("main p[role=status]")
    assert bar(page) == ("1234", "1234", "Pages laid out")


def test_a_job_that_is_gone_is_queued_again_and_starts_afresh(queued: tuple[FlaskClient, Any]) -> None:
    client, queue = queued
    pending(client)
    jobs.MetaProgress(the_job(queue))(23, 57)
    the_job(queue).delete()
    page = pending(client)
    assert "Starting: no page is laid out yet." in page.text("main p[role=status]")
    assert queue.count == 1 and jobs.progress_of(the_job(queue)) is None


def test_stored_meta_is_read_back_from_redis_by_another_fetch(queued: tuple[FlaskClient, Any]) -> None:
    client, queue = queued
    pending(client)
    job = the_job(queue)
    job.meta["other"] = "kept"  # the writer adds its key beside whatever else the job keeps
    job.save_meta()
    jobs.MetaProgress(job)(5, 9)
    again = the_job(queue)
    assert jobs.progress_of(again) == jobs.RenderProgress(5, 9)
    assert again.meta["other"] == "kept"


def test_meta_that_is_not_a_count_is_not_shown(queued: tuple[FlaskClient, Any]) -> None:
    client, queue = queued
    pending(client)
    job = the_job(queue)
    job.meta[jobs.PROGRESS] = {"done": "<script>alert(1)</script>", "expected": 57}
    job.save_meta()
    page = pending(client)
    assert "Starting: no page is laid out yet." in page.text("main p[role=status]")
    assert page.all("main script") == [] and bar(page)[:2] == (None, None)

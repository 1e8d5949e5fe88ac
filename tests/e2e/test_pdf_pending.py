"""The "Making the PDF" page in Chromium with a Redis queue and no worker: the test writes the job's progress
into its meta as a worker would, and the page's script shows it in place, without a reload or a timed
refresh (axe finds nothing, meta-refresh included); once the PDF is cached the page goes to it and the
browser downloads it. A failed job stops the checking with the error's words and a "Try again" link; without
script the page reloads itself (the refresh in its <noscript>)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from tracker.extensions import db
from tracker.ratings import ratings_for
from tracker.reports import jobs
from tracker.reports.inputs import report_model_for
from tracker.reports.render import pdf_key, report_cache

from ..integration.test_report_progress import REDIS_DB
from ..redis_db import flushed_database
from .conftest import TIMEOUT_MS
from .test_evidence_journey import MINIMAL_PDF, _expect, sign_in

pytestmark = pytest.mark.browser

SLUG, AS_OF = "tiny-partnership", date(2023, 4, 30)
PDF = f"/f/{SLUG}/report.pdf"
FILE_NAME = f"{SLUG}-report-{AS_OF.isoformat()}.pdf"


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Redis database 14, flushed before and after (the integration progress tests' own)."""
    yield from flushed_database(REDIS_DB, "the PDF page's browser test")


@pytest.fixture
def app(make_app: Any, redis_url: str) -> Flask:
    """The served app, queueing PDFs on Redis for a worker that never comes: the test plays the worker."""
    return make_app(  # type: ignore[no-any-return]
        WTF_CSRF_ENABLED=True, REDIS_URL=redis_url, REPORT_QUEUE=f"test-{uuid.uuid4().hex}"
    )


@pytest.fixture
def queue(app: Flask) -> Iterator[Any]:
    found = jobs.queue(app)
    assert found is not None
    try:
        yield found
    finally:
        found.connection.close()


@pytest.fixture
def board(app: Flask, make_user: Any, load_framework: Any, tiny_yaml: str) -> str:
    load_framework(tiny_yaml)
    return str(make_user("board"))


def the_job(queue: Any) -> Any:
    [job_id] = queue.job_ids
    return queue.fetch_job(job_id)


def cache_the_pdf(app: Flask) -> None:
    """What the worker's last step does: the PDF kept under the key of the report the page asked for."""
    with app.app_context():
        rated = ratings_for(db.session, SLUG, AS_OF, for_report=True)
        assert rated is not None
        model = report_model_for(db.session, rated, datetime.now(UTC))
        report_cache().put(pdf_key(model), MINIMAL_PDF)


def violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']]}" for v in found]


def open_pending(page: Any) -> None:
    """Opens the PDF's address (202: being made) and marks the document, to tell a reload from an update."""
    response = page.goto(PDF)
    assert response is not None and response.status == 202
    _expect()(page.get_by_role("heading", level=1)).to_have_text("Making the PDF")
    page.evaluate("() => { window.sameDocument = true; }")


def test_progress_shows_in_place_then_the_pdf_downloads(
    app: Flask, queue: Any, board: str, new_page: Any
) -> None:
    expect = _expect()
    page = new_page()
    sign_in(page, board)
    open_pending(page)
    status, bar = page.get_by_role("status"), page.get_by_role("progressbar", name="Pages laid out")
    expect(status).to_contain_text("Starting: no page is laid out yet.")
    # Scripting on: the <noscript> holds text, not a refresh.
    assert page.locator("head > meta[http-equiv=refresh]").count() == 0
    assert violations(page) == []

    jobs.MetaProgress(the_job(queue))(23, 57)  # as the worker writes it
    expect(status).to_contain_text("Laid out 23 of about 57 pages.")
    expect(bar).to_have_attribute("value", "23")
    expect(bar).to_have_attribute("max", "57")
    assert page.evaluate("() => window.sameDocument") is True  # updated in place, not reloaded
    assert violations(page) == []

    jobs.MetaProgress(the_job(queue))(57, 57)
    expect(status).to_contain_text("All 57 pages laid out; putting the PDF together.")
    expect(bar).to_have_attribute("value", "57")

    with page.expect_download(timeout=TIMEOUT_MS) as downloading:
        cache_the_pdf(app)
    download = downloading.value
    assert download.suggested_filename == FILE_NAME
    assert download.url.split("?")[0].endswith(PDF)
    with open(download.path(), "rb") as saved:
        assert saved.read() == MINIMAL_PDF
    expect(status).to_contain_text("The PDF is ready and the download has started.")
    expect(status.get_by_role("link", name="download the PDF")).to_have_count(1)
    assert page.evaluate("() => window.sameDocument") is True  # a download leaves the page as it is
    assert violations(page) == []


def test_a_failed_render_stops_the_checking_with_a_link_to_try_again(
    app: Flask, queue: Any, board: str, new_page: Any
) -> None:
    from rq.job import JobStatus

    app.config["TEST_EXPECTS_SERVER_ERROR"] = True  # the failed render's page answers 500
    expect = _expect()
    page = new_page()
    sign_in(page, board)
    open_pending(page)
    status = page.get_by_role("status")
    the_job(queue).set_status(JobStatus.FAILED)  # as RQ marks a job whose render raised
    expect(status).to_contain_text(
        "The report could not be made: The PDF could not be made; the next request tries again. "
        "The page has stopped checking."
    )
    expect(page.get_by_role("progressbar")).to_have_count(0)  # the bar is hidden: nothing is being made
    assert page.evaluate("() => window.sameDocument") is True
    assert violations(page) == []

    status.get_by_role("link", name="Try again").click()  # the failed job was cleared: queued afresh
    expect(page.get_by_role("heading", level=1)).to_have_text("Making the PDF")
    expect(page.get_by_role("status")).to_contain_text("Starting: no page is laid out yet.")
    assert len(queue.job_ids) == 1


def test_without_script_the_page_reloads_itself(
    queue: Any, board: str, browser: Any, live_server: str
) -> None:
    expect = _expect()
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, board)
        response = page.goto(PDF)
        assert response is not None and response.status == 202
        expect(page.get_by_role("status")).to_contain_text("Starting: no page is laid out yet.")
        with page.expect_navigation(timeout=TIMEOUT_MS):  # the <noscript> refresh, 3 seconds on
            jobs.MetaProgress(the_job(queue))(23, 57)
        expect(page.get_by_role("status")).to_contain_text("Laid out 23 of about 57 pages.")
        expect(page.get_by_role("link", name="Check now")).to_have_attribute(
            "href", f"{PDF}?as_of={AS_OF.isoformat()}"
        )
    finally:
        context.close()

"""The survey's "every report as PDFs" page in Chromium while a set is made, with no worker: the test writes
the set's status where the page reads it (as the job would), and the page's script shows it in place, without
a reload or a timed refresh (axe finds nothing, meta-refresh included). The page's clock is Playwright's, so
each check happens when the test moves the time on: the checks pause while the page is hidden and stop once
the set is done or failed. Without script the page reloads itself (the refresh in its <noscript>)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tracker.reports import survey_level_jobs as batch
from tracker.reports.survey_level_batches import BatchStatus, place_for

from ..conftest import TrackerCliRunner
from ..services.test_survey_levels_stored import SLUG, SURVEY_ID, load_hand_made_round
from .conftest import TIMEOUT_MS
from .test_evidence_journey import MINIMAL_PDF, _expect, sign_in

pytestmark = pytest.mark.browser

ROUND = "2023/24"
REPORTS = f"/f/{SLUG}/surveys/{SURVEY_ID}/reports"
NAMES = ["national.pdf", "region-north.pdf", "region-south.pdf", "org-a.pdf", "org-b.pdf", "org-c.pdf"]
CHECK_MS = 5_000
PROGRESS = "#progress[role=status]"  # the flash after starting is a status region too
# Counts the script's requests (an init script is the browser's own, so the page's CSP does not apply to it).
COUNT_FETCHES = """
window.fetches = 0;
const fetchAsBefore = window.fetch;
window.fetch = function (...args) { window.fetches += 1; return fetchAsBefore.apply(this, args); };
"""
HIDE = """(hidden) => {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.fixture
def admin(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, make_user: Any, tmp_path: Path
) -> str:
    load_hand_made_round(app, load_framework, tiny_yaml, TrackerCliRunner(app), tmp_path)
    return str(make_user("admin"))


@pytest.fixture
def started(app: Flask) -> list[tuple[Any, ...]]:
    """The sets started: none is made (no worker, no thread); the test writes their progress instead."""
    calls: list[tuple[Any, ...]] = []
    app.extensions[batch.RUNNER] = lambda *args: calls.append(args)
    return calls


def _status(app: Flask, state: str, done: int = 0, *, total: int = 6, error: str = "") -> None:
    """Writes the set's status (and the PDFs done) where the page reads it, as the running job does."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with app.app_context():
        place = place_for(app, SLUG, SURVEY_ID, ROUND)
        for name in NAMES[:done]:
            place.put(name, MINIMAL_PDF)
        status = BatchStatus(
            state,  # type: ignore[arg-type]
            ROUND,
            done=done,
            total=total,
            files=tuple(NAMES[:done]),
            error=error,
            started_at=now,
            updated_at=now,
        )
        place.write_status(status)


def _start(page: Any, started: list[tuple[Any, ...]]) -> None:
    """Opens the page with the clock installed, starts the set and marks the document (a reload loses it)."""
    expect = _expect()
    page.add_init_script(COUNT_FETCHES)
    page.clock.install(time=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    page.goto(f"{REPORTS}?round={ROUND}")
    expect(page.locator(PROGRESS)).to_have_text(f"No set of round {ROUND}'s reports has been made yet.")
    page.get_by_role("button", name="Make every report").click()
    expect(page.locator(PROGRESS)).to_contain_text(
        "Waiting to start. This page checks again every 5 seconds."
    )
    assert len(started) == 1
    page.evaluate("() => { window.sameDocument = true; }")


def violations(page: Any) -> list[str]:
    """Axe's findings, with the page's clock paused: axe waits on timers, so the test moves the clock on for
    it in steps of a millisecond, far less than the time to the page's next check (which never fires here)."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    page.evaluate(
        """() => { window.axeFound = undefined;
        axe.run({ resultTypes: ["violations"] }).then((results) => { window.axeFound = results.violations; }); }"""
    )
    for _ in range(CHECK_MS // 2):
        found = page.evaluate("() => window.axeFound")
        if found is not None:
            return [
                f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']]}" for v in found
            ]
        page.clock.run_for(1)
    raise AssertionError(f"axe did not finish in {CHECK_MS // 2} ms of the page's time")


def _next_check(page: Any, after_ms: int = CHECK_MS) -> None:
    """Moves the page's time on to its next check (its timer fires; the answer comes in real time)."""
    page.clock.run_for(after_ms)


def test_progress_shows_in_place_pauses_while_hidden_and_stops_when_done(
    app: Flask, admin: str, started: list[tuple[Any, ...]], new_page: Any
) -> None:
    expect = _expect()
    page = new_page()
    sign_in(page, admin)
    _start(page, started)
    status, bar = page.locator(PROGRESS), page.get_by_role("progressbar", name="Progress")
    # Scripting on: no timed reload (the <noscript> holds text, not a refresh).
    assert page.locator("head > meta[http-equiv=refresh]").count() == 0
    _status(app, "running", 0)
    page.clock.pause_at(datetime(2026, 1, 5, 10, 0, tzinfo=UTC))  # the check due fires once; then none alone
    expect(status).to_contain_text("0 of 6 reports made. This page checks again every 5 seconds.")
    expect(bar).to_have_attribute("value", "0")
    assert violations(page) == []

    _status(app, "running", 2)
    _next_check(page)
    expect(status).to_contain_text("2 of 6 reports made.")
    expect(bar).to_have_attribute("value", "2")
    expect(bar).to_have_attribute("max", "6")
    files = page.get_by_role("list", name="Reports made (2)")
    expect(files.get_by_role("link")).to_have_text(NAMES[:2])
    assert page.evaluate("() => window.sameDocument") is True  # updated in place, not reloaded
    assert violations(page) == []

    # A reader on a file's link keeps the focus while the list grows.
    page.get_by_role("link", name="national.pdf").focus()
    _status(app, "running", 3)
    _next_check(page)
    expect(page.get_by_role("list", name="Reports made (3)").get_by_role("link")).to_have_text(NAMES[:3])
    expect(page.get_by_role("link", name="national.pdf")).to_be_focused()

    # Hidden: no check however long; shown again: it checks at once.
    page.evaluate(HIDE, True)
    asked = page.evaluate("() => window.fetches")
    _status(app, "running", 4)
    _next_check(page, 60_000)
    assert page.evaluate("() => window.fetches") == asked
    expect(status).to_contain_text("3 of 6 reports made.")
    page.evaluate(HIDE, False)
    expect(status).to_contain_text("4 of 6 reports made.")
    assert page.evaluate("() => window.fetches") == asked + 1

    _status(app, "done", 6)
    _next_check(page)
    expect(status).to_contain_text("All 6 reports were made")
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.get_by_role("list", name="Reports made (6)").get_by_role("link")).to_have_text(NAMES)
    expect(page.get_by_role("button", name="Make them again")).to_be_visible()
    assert page.evaluate("() => window.sameDocument") is True
    assert violations(page) == []
    asked = page.evaluate("() => window.fetches")
    page.clock.run_for(60_000)
    assert page.evaluate("() => window.fetches") == asked  # done: the checks have stopped

    # The copied files and form are the page's own: a PDF downloads, and the set starts again.
    with page.expect_download(timeout=TIMEOUT_MS) as downloading:
        page.get_by_role("link", name="org-b.pdf").click()
    assert downloading.value.suggested_filename == "org-b.pdf"
    page.get_by_role("button", name="Make them again").click()
    expect(status).to_contain_text("Waiting to start.")
    assert len(started) == 2
    assert page.evaluate("() => window.sameDocument") is None  # a real navigation, this time


def test_a_failed_set_stops_the_checks_with_its_error(
    app: Flask, admin: str, started: list[tuple[Any, ...]], new_page: Any
) -> None:
    expect = _expect()
    page = new_page()
    sign_in(page, admin)
    _start(page, started)
    _status(app, "running", 1)
    page.clock.pause_at(datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    expect(page.locator(PROGRESS)).to_contain_text("1 of 6 reports made.")

    _status(app, "failed", 2, error="ReportFailed: the renderer stopped")
    _next_check(page)
    expect(page.locator(PROGRESS)).to_have_text(
        "Making the reports stopped after 2 of 6: ReportFailed: the renderer stopped"
    )
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.get_by_role("button", name="Make them again")).to_be_visible()
    assert page.evaluate("() => window.sameDocument") is True
    assert violations(page) == []
    asked = page.evaluate("() => window.fetches")
    page.clock.run_for(60_000)
    assert page.evaluate("() => window.fetches") == asked


def test_without_script_the_page_reloads_itself(
    app: Flask, admin: str, started: list[tuple[Any, ...]], browser: Any, live_server: str
) -> None:
    expect = _expect()
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, admin)
        page.goto(f"{REPORTS}?round={ROUND}")
        page.get_by_role("button", name="Make every report").click()
        expect(page.locator(PROGRESS)).to_contain_text("Waiting to start.")
        with page.expect_navigation(timeout=TIMEOUT_MS):  # the <noscript> refresh, 5 seconds on
            _status(app, "running", 2)
        expect(page.locator(PROGRESS)).to_contain_text("2 of 6 reports made.")
        expect(page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "2")
    finally:
        context.close()

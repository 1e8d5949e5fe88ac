"""The demo as a newcomer sees it: dashboard, an outcome page and the report, checked with axe and
photographed. With TRACKER_UPDATE_SCREENSHOTS=1 the pictures replace those in docs/screenshots (the
README shows them), so they stay current with the app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ..conftest import TrackerCliRunner

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Read at import: the app fixtures clear TRACKER_* variables while a test runs.
UPDATE = os.environ.get("TRACKER_UPDATE_SCREENSHOTS") == "1"
PAGES = [
    ("dashboard", "/f/developing-together/dashboard", "The identity and brand of the Partnership"),
    ("outcome", "/f/developing-together/outcomes/more-statutory-placements", "Why"),
    ("report", "/f/developing-together/report", "Executive summary"),
    ("agenda", "/f/developing-together/agenda", "Data development agenda"),
    ("event", "/f/social-work-week-2021/events/sww-2021", "Social Work Week 2021"),
    ("event-charts", "/f/social-work-week-2021/events/sww-2021#attendance", "Attendance"),
]
EVENTS = Path(__file__).resolve().parents[2] / "frameworks" / "demo" / "events"


def load_demo_events(app: Flask) -> None:
    """The demo's events (frameworks/demo/events), each with its sessions and feedback, loaded through the
    events service as `tracker event load` does, unless the demo has loaded them already."""
    from sqlalchemy import select

    from tracker.db.models import Event
    from tracker.events.service import NamedFile, load_event
    from tracker.extensions import db
    from tracker.services.audit import Actor
    from tracker.services.permissions import Principal

    def named(path: Path) -> NamedFile | None:
        return NamedFile(path.name, path.read_bytes()) if path.is_file() else None

    with app.app_context(), db.unit_of_work() as session:
        loaded = set(session.scalars(select(Event.slug)))
        for yaml in sorted(EVENTS.glob("*.yaml")):
            if yaml.stem in loaded:
                continue
            sessions, feedback = (
                named(EVENTS / f"{yaml.stem}-{part}.csv") for part in ("sessions", "feedback")
            )
            outcome = load_event(
                session, Actor("demo"), Principal.command_line(), NamedFile(yaml.name, yaml.read_bytes()),
                sessions, feedback,
            )  # fmt: skip
            assert outcome.ok, [str(p) for p in outcome.problems[:5]]


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_demo_pages_for_a_board_member(app: Flask, new_page: Any, tmp_path: Path) -> None:
    loaded = TrackerCliRunner(app).invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    load_demo_events(app)
    credentials = dict(
        line.split(" ", 1)
        for line in (Path(app.instance_path) / "demo-credentials.txt").read_text().splitlines()
    )
    target = DOCS if UPDATE else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page = new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill("board@demo.invalid")
    page.get_by_label("Password").fill(credentials["board@demo.invalid"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    problems: dict[str, list[str]] = {}
    for name, url, heading in PAGES:
        page.goto(url)
        assert page.get_by_role("heading", name=heading).first.is_visible()
        found = serious_violations(page)
        if found:
            problems[url] = found
        page.screenshot(path=str(target / f"{name}.png"), full_page=False)
        assert (target / f"{name}.png").stat().st_size > 10_000
    assert problems == {}

"""The national, regional and local report pages of the hand-made round in a browser: axe finds nothing at
1280 px and at 390 px, no page scrolls sideways on a phone (wide tables scroll in their own region), and
each is photographed (kept in the test's folder, to look at)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ..conftest import PASSWORD, TrackerCliRunner
from ..services.test_survey_levels_stored import SLUG, SURVEY_ID, load_hand_made_round

pytestmark = pytest.mark.browser
PAGES = [
    ("national", f"/f/{SLUG}/surveys/{SURVEY_ID}/national", "National report"),
    ("region", f"/f/{SLUG}/surveys/{SURVEY_ID}/regions/South", "Regional report: South"),
    ("org", f"/f/{SLUG}/surveys/{SURVEY_ID}/orgs/b", "Local report: Beckside Council"),
    ("survey", f"/f/{SLUG}/surveys/{SURVEY_ID}", "Health Check"),
    ("reports", f"/f/{SLUG}/surveys/{SURVEY_ID}/reports", "Every report of round 2023/24 as PDFs"),
]


def violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in Axe().run(page).response["violations"]]


def test_the_level_report_pages_in_a_browser(
    app: Flask,
    framework: str,
    load_framework: Any,
    tiny_yaml: str,
    make_user: Any,
    new_page: Any,
    tmp_path: Path,
) -> None:
    load_hand_made_round(app, load_framework, tiny_yaml, TrackerCliRunner(app), tmp_path)
    email = make_user("admin")
    page = new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    problems: dict[str, list[str]] = {}
    for name, url, heading in PAGES:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            assert page.get_by_role("heading", level=1, name=heading).is_visible()
            found = violations(page)
            if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
                found.append("the page scrolls sideways")
            if found:
                problems[f"{url} at {width}px"] = found
            page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
    assert problems == {}

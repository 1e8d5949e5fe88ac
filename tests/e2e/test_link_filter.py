"""In headless Chromium: the evidence form's filter narrows "What it bears on" as a lead types, keeps ticked
boxes in view, never sends the form on Enter, and runs under the site's Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import PASSWORD
from .test_evidence_journey import Accessibility, _expect, sign_in

pytestmark = pytest.mark.browser

FORM = "/f/tiny-partnership/evidence/new"
ALL = [
    "More students have statutory placements",
    "Practice educators feel supported",
    "Graduates stay in the region",
    "Four allocation days a year",
    "Share of placements that are statutory",
]


def visible_choices(page: Any) -> list[str]:
    labels = page.locator("#links-options .checkbox label")
    return [labels.nth(i).inner_text() for i in range(labels.count()) if labels.nth(i).is_visible()]


def visible_groups(page: Any) -> list[str]:
    legends = page.locator("#links-options legend")
    return [legends.nth(i).inner_text() for i in range(legends.count()) if legends.nth(i).is_visible()]


def test_filter_narrows_the_choices(new_page: Any, make_user: Any, framework: str) -> None:
    expect = _expect()
    page = new_page()
    problems: list[str] = []  # script errors, and anything the Content-Security-Policy blocked
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    sign_in(page, make_user("lead"))
    page.goto(FORM)
    search = page.get_by_label("Filter the choices")
    expect(search).to_be_visible()  # shown by the script, so it works under the policy (no console error)
    assert visible_choices(page) == ALL

    page.get_by_label("Practice educators feel supported").check()
    search.fill("allocation")
    assert visible_choices(page) == ["Practice educators feel supported", "Four allocation days a year"]
    assert visible_groups(page) == ["Student placements", "Outcomes", "Outputs"]
    expect(page.locator("#links-filter-count")).to_have_text("Showing 2 of 5.")

    search.fill("kpi")  # a kind's name finds its group
    assert visible_choices(page) == [
        "Practice educators feel supported",
        "Share of placements that are statutory",
    ]
    search.fill("students STATUTORY")  # every word, in any case
    assert visible_choices(page) == [
        "More students have statutory placements",
        "Practice educators feel supported",
    ]
    search.fill("no such thing")
    assert visible_choices(page) == ["Practice educators feel supported"]  # the ticked box stays
    page.get_by_label("Practice educators feel supported").uncheck()
    search.fill("no such thing at all")
    assert visible_choices(page) == [] and visible_groups(page) == []
    expect(page.locator("#links-filter-count")).to_have_text(
        "Nothing matches \u201cno such thing at all\u201d."
    )

    search.press("Enter")  # does not send the form
    expect(page.get_by_role("heading", level=1)).to_have_text("Log evidence")
    assert not page.get_by_role("alert").count()
    search.fill("")
    assert visible_choices(page) == ALL
    expect(page.locator("#links-filter-count")).to_have_text("")
    a11y = Accessibility()
    search.fill("allocation")
    a11y.check(page, "log evidence form, filtered")
    a11y.assert_clean()
    assert problems == [], problems


def test_without_javascript_every_choice_shows(
    browser: Any, live_server: str, make_user: Any, framework: str
) -> None:
    expect = _expect()
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email address").fill(make_user("lead"))
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(FORM)
        expect(page.get_by_role("heading", level=1)).to_have_text("Log evidence")
        expect(page.get_by_label("Filter the choices")).to_be_hidden()
        assert visible_choices(page) == ALL
    finally:
        context.close()

"""End to end in headless Chromium: log evidence with an attachment, return it, resubmit, accept, read it.

Every distinct page (and page state) visited is checked with axe-core; serious and critical violations
are collected over the whole journey and reported together at the end, so one run shows all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser

FRAMEWORK = "tiny-partnership"
EVIDENCE_LIST = f"/f/{FRAMEWORK}/evidence"
TITLE = "Practice educator survey 2023"
NOTE = "Please give the number of educators who were asked, and say how the survey was run."
NEW_SUMMARY = "15 of the 18 practice educators who replied (30 were asked) felt supported by the partnership."
SERIOUS = {"serious", "critical"}

# A minimal, valid one-page PDF (the app checks that the bytes match the .pdf extension).
MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n"
    b"%%EOF\n"
)


@dataclass
class Accessibility:
    """Runs axe once per distinct page state; keeps serious and critical violations (and a few checks of
    our own that axe cannot make) to assert at the end, and notes lesser violations without failing."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, page: Any, label: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        if label in self.checked:
            return
        self.checked.append(label)
        results = Axe().run(page)
        for violation in results.response["violations"]:
            if violation.get("impact") not in SERIOUS:
                targets = "; ".join(", ".join(map(str, node["target"])) for node in violation["nodes"])
                self.notes.append(f"[{label}] {violation['id']} ({violation['impact']}): {targets}")
                continue
            lines = [
                f"[{label}] {page.url}: {violation['id']} ({violation['impact']}): {violation['help']}",
                f"    {violation['helpUrl']}",
            ]
            for node in violation["nodes"]:
                summary = " ".join((node.get("failureSummary") or "").split())
                lines.append(f"    - {', '.join(map(str, node['target']))}: {node['html'][:200]}")
                lines.append(f"      {summary[:400]}")
            self.problems.append("\n".join(lines))

    def assert_clean(self) -> None:
        report = "\n\n".join(self.problems)
        if self.notes:
            print("\nMinor or moderate accessibility violations (not failures):\n" + "\n".join(self.notes))
        if report:
            print("\nSerious or critical accessibility problems:\n\n" + report)
        print(f"\naxe checked {len(self.checked)} page states: " + "; ".join(self.checked))
        assert not self.problems, (
            f"{len(self.problems)} serious/critical accessibility problem(s):\n\n{report}"
        )


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def sign_in(page: Any, email: str, a11y: Accessibility | None = None) -> None:
    expect = _expect()
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    if a11y is not None:
        a11y.check(page, "sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(email)


def sign_out(page: Any) -> None:
    expect = _expect()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def status_badge(page: Any) -> Any:
    return page.get_by_role("main").locator(".status").first


def test_evidence_journey(new_page: Any, make_user: Any, framework: str, tmp_path: Path) -> None:
    expect = _expect()
    lead = make_user("lead", partner="tiny-council", email="lead@tiny-council.example.org")
    evaluator = make_user("evaluator", email="evaluator@example.org")
    board = make_user("board", email="board@example.org")
    pdf = tmp_path / "educator-survey.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    a11y = Accessibility()
    page = new_page()

    # 1. The lead signs in and logs an item with an attachment.
    sign_in(page, lead, a11y)
    a11y.check(page, "frameworks list")
    page.goto(EVIDENCE_LIST)
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence")
    expect(page.get_by_text("0 items.")).to_be_visible()
    a11y.check(page, "evidence list (empty)")
    page.get_by_role("link", name="Log evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log evidence")
    a11y.check(page, "log evidence form")
    # WCAG 3.3.2 (labels or instructions): a required field must not be labelled "(optional)".
    for field_id in ("title", "source_type", "collected_on", "finding"):
        text = " ".join(page.locator(f"label[for={field_id}]").inner_text().split())
        if "optional" in text:
            a11y.problems.append(f"[log evidence form] the required field #{field_id} is labelled {text!r}")
    page.screenshot(path=str(tmp_path / "evidence-form.png"), full_page=True)

    # Submitting the empty form shows the error summary, saves nothing, and must itself be accessible.
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: Log evidence"))
    a11y.check(page, "log evidence form with errors")

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Most practice educators felt supported.")
    page.get_by_label("Type of evidence").select_option(label="Survey")
    page.get_by_label("Date collected").fill("2023-03-01")
    bears_on = page.get_by_role("group", name="What it bears on")
    bears_on.get_by_label("Practice educators feel supported").check()
    page.get_by_label("What it shows").select_option(label="Supports the outcome")
    page.get_by_label("Respondents or participants").fill("18")
    page.get_by_label("Population").fill("30")
    page.get_by_label("Respondents who agreed").fill("15")
    page.get_by_label("Respondent group").fill("practice educators")
    page.get_by_label("Attachments").set_input_files(str(pdf))
    page.screenshot(path=str(tmp_path / "evidence-form-filled-after-errors.png"), full_page=True)
    page.get_by_role("button", name="Submit for review").click()

    expect(page).to_have_url(re.compile(r"/evidence/\d+$"))
    evidence_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_text("Evidence submitted for review.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(status_badge(page)).to_have_text("Submitted")
    attachment = page.get_by_role("link", name="educator-survey.pdf")
    expect(attachment).to_be_visible()
    page.screenshot(path=str(tmp_path / "evidence-item.png"), full_page=True)
    a11y.check(page, "evidence item (submitted, lead)")
    download = page.request.get(attachment.get_attribute("href"))
    assert download.status == 200 and download.body() == MINIMAL_PDF
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment")
    sign_out(page)

    # 2. The evaluator returns it with a note.
    sign_in(page, evaluator)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    a11y.check(page, "review queue")
    page.get_by_role("link", name=TITLE).click()
    expect(status_badge(page)).to_have_text("Submitted")
    a11y.check(page, "evidence item (submitted, evaluator)")
    page.get_by_label("Review note").fill(NOTE)
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_text("Returned to the partner with your note.")).to_be_visible()
    expect(status_badge(page)).to_have_text("Returned")
    sign_out(page)

    # 3. The lead sees it returned with the note, edits it and resubmits.
    sign_in(page, lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Returned to you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Returned to you")
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text(NOTE)
    a11y.check(page, "returned to you")
    row.get_by_role("link", name=TITLE).click()
    expect(status_badge(page)).to_have_text("Returned")
    expect(page.get_by_role("main")).to_contain_text(NOTE)
    a11y.check(page, "evidence item (returned, lead)")
    page.get_by_role("link", name="Edit this evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit evidence: {TITLE}")
    expect(page.get_by_role("main")).to_contain_text(NOTE)
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.get_by_label("Practice educators feel supported")).to_be_checked()
    a11y.check(page, "edit evidence form (returned)")
    page.get_by_label("Summary").fill(NEW_SUMMARY)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/evidence/{evidence_id}$"))
    expect(status_badge(page)).to_have_text("Submitted")
    expect(page.get_by_role("main")).to_contain_text(NEW_SUMMARY)
    sign_out(page)

    # 4. The evaluator accepts it.
    sign_in(page, evaluator)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("main")).to_contain_text(NEW_SUMMARY)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted: it now counts towards ratings.")).to_be_visible()
    expect(status_badge(page)).to_have_text("Accepted")
    a11y.check(page, "evidence item (accepted, evaluator)")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("main")).to_contain_text("No evidence is waiting for review.")
    expect(page.get_by_role("link", name="Evidence for Tiny Teaching Partnership")).to_have_attribute(
        "href", EVIDENCE_LIST
    )
    a11y.check(page, "review queue (empty)")
    sign_out(page)

    # 5. A board member reads it and cannot edit it.
    sign_in(page, board)
    page.get_by_role("link", name="Tiny Teaching Partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiny Teaching Partnership")
    a11y.check(page, "framework page")
    page.goto(EVIDENCE_LIST)
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Accepted")
    expect(page.get_by_role("link", name="Log evidence")).to_have_count(0)
    a11y.check(page, "evidence list (one item, board)")
    row.get_by_role("link", name=TITLE).click()
    expect(status_badge(page)).to_have_text("Accepted")
    expect(page.get_by_role("link", name="Edit this evidence")).to_have_count(0)
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    expect(page.get_by_role("button", name="Return for changes")).to_have_count(0)
    a11y.check(page, "evidence item (accepted, board)")
    refused = page.goto(f"/evidence/{evidence_id}/edit")
    assert refused is not None and refused.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")
    a11y.check(page, "403 page")
    sign_out(page)

    print(f"\nscreenshots: {sorted(str(p) for p in tmp_path.glob('*.png'))}")
    a11y.assert_clean()


def _tab_to(page: Any, selector: str, limit: int = 80) -> list[str]:
    """Presses Tab until the focused element matches `selector`; returns what was focused on the way."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return seen
        seen.append(
            page.evaluate("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 80) : ''")
        )
    raise AssertionError(f"Tab never reached {selector}; focus went through: {seen}")


def _focus_is_visible(page: Any) -> bool:
    """The focused element draws an outline or a box shadow (WCAG 2.4.7 Focus visible)."""
    return bool(
        page.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"""
        )
    )


def test_keyboard_only_sign_in_and_log_evidence(new_page: Any, make_user: Any, framework: str) -> None:
    expect = _expect()
    lead = make_user("lead", partner="tiny-council")
    page = new_page()
    page.goto("/login")

    # Sign in: Tab from the top of the page to each field, type, press Enter on the button.
    _tab_to(page, "a.skip-link")
    assert _focus_is_visible(page), "the skip link has no visible focus"
    _tab_to(page, "#email")
    assert _focus_is_visible(page), "the email field has no visible focus"
    page.keyboard.type(lead)
    _tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    _tab_to(page, "button[type=submit]")
    assert _focus_is_visible(page), "the Sign in button has no visible focus"
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are signed in.")).to_be_visible()

    # Log evidence with the keyboard only: required fields, a checkbox with Space, submit with Enter.
    page.goto(f"/f/{FRAMEWORK}/evidence/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log evidence")
    _tab_to(page, "#title")
    page.keyboard.type("Allocation day feedback")
    _tab_to(page, "#source_type")
    page.keyboard.type("Feedback")  # type-ahead picks "Feedback form"
    expect(page.get_by_label("Type of evidence")).to_have_value("feedback_form")
    _tab_to(page, "#collected_on")
    # Chromium orders the date segments by its UI language (mm/dd or dd/mm): a day equal to the month
    # reads the same either way.
    page.keyboard.type("03032023")
    expect(page.get_by_label("Date collected")).to_have_value("2023-03-03")
    _tab_to(page, "#links-out-days")
    assert _focus_is_visible(page), "the checkbox has no visible focus"
    page.keyboard.press("Space")
    expect(page.get_by_label("Four allocation days a year")).to_be_checked()
    _tab_to(page, "#finding")
    page.keyboard.type("Supports")
    expect(page.get_by_label("What it shows")).to_have_value("supports")
    _tab_to(page, "button[value=submit]")
    assert _focus_is_visible(page), "the Submit for review button has no visible focus"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Evidence submitted for review.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocation day feedback")
    expect(status_badge(page)).to_have_text("Submitted")

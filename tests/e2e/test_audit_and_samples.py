"""In headless Chromium: an admin filters the audit trail with its form; a lead downloads the sample evidence
file from the import page and imports it as it is. Every page state is checked with axe (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .test_evidence_journey import Accessibility, _expect, sign_in

pytestmark = pytest.mark.browser

FRAMEWORK = "tiny-partnership"


def test_the_audit_trail_is_filtered_with_its_form(new_page: Any, make_user: Any, framework: str) -> None:
    expect = _expect()
    admin = make_user("admin", email="admin@example.org")
    make_user("lead", email="lead@tiny-council.example.org")
    a11y = Accessibility()
    page = new_page()
    sign_in(page, admin)
    page.goto("/admin/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    a11y.check(page, "audit trail")
    page.get_by_label("Action").select_option(label="Added a user")
    page.get_by_label("Who").select_option(label="Anyone")
    page.get_by_label("From").fill("2020-01-01")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status").filter(has_text="match these filters")).to_have_text(
        "2 entries match these filters."
    )
    query = parse_qs(urlsplit(page.url).query)
    assert query["action"] == ["user.create"] and query["from"] == ["2020-01-01"]
    rows = page.get_by_role("table", name="Audit entries").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Added a user")
    expect(rows.first).to_contain_text("User: lead@tiny-council.example.org")
    expect(page.get_by_label("Action")).to_have_value("user.create")  # the filter keeps its value
    a11y.check(page, "audit trail, filtered")
    page.get_by_label("To").fill("2019-12-31")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("alert")).to_contain_text("To must be the same as or after From")
    a11y.check(page, "audit trail, a filter in error")
    a11y.assert_clean()


def test_a_lead_imports_the_sample_file_as_it_is(
    new_page: Any, make_user: Any, framework: str, tmp_path: Path
) -> None:
    expect = _expect()
    lead = make_user("lead", email="lead@tiny-council.example.org")
    a11y = Accessibility()
    page = new_page()
    sign_in(page, lead)
    page.goto(f"/f/{FRAMEWORK}/import")
    a11y.check(page, "import page")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download a sample file of evidence").click()
    sample = tmp_path / "sample.csv"
    waiting.value.save_as(sample)
    assert sample.read_text(encoding="utf-8").startswith("title,summary,source_type,collected_on,links,")
    page.get_by_label("Evidence items").check()
    page.get_by_label("CSV file").set_input_files(str(sample))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Imported 2 evidence items.")).to_be_visible()
    page.goto(f"/f/{FRAMEWORK}/import")
    page.get_by_role("link", name="File formats for imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File formats for imports")
    a11y.check(page, "file formats")
    a11y.assert_clean()

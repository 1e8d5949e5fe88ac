"""In headless Chromium: an admin uploads a broken framework file and sees each problem beside its line,
uploads a valid new version, reads the preview (an archived outcome with its evidence count), confirms, reads
the history, and downloads the old version byte for byte. Every page state is checked with axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ..web.test_framework_admin import OTHER_PARTNER, version_2
from .test_evidence_journey import Accessibility, _expect, sign_in

pytestmark = pytest.mark.browser

FRAMEWORK = "tiny-partnership"


def on_a_phone(page: Any, shot: Path) -> None:
    """At 390 px the page does not scroll sideways (the file's long lines scroll inside their own box)."""
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shot), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_admin_loads_a_new_version_on_the_web(
    new_page: Any, make_user: Any, make_evidence: Any, framework: str, tiny_yaml: str, tmp_path: Path
) -> None:
    expect = _expect()
    v1 = tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n" + OTHER_PARTNER,
    )  # as the `framework` fixture loaded it
    make_evidence(title="Educator survey")
    make_evidence(title="Educator interviews", source_type="interview")
    admin = make_user("admin", email="admin@example.org")
    a11y = Accessibility()
    page = new_page()
    sign_in(page, admin)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Load a framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Load a framework")
    a11y.check(page, "load a framework")

    broken = tmp_path / "broken.yaml"
    broken.write_text(
        version_2(v1).replace("term: medium}", "term: sideways}").replace("title: Student", "titel: Student"),
        encoding="utf-8",
    )
    page.get_by_label("Framework file (YAML)").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("broken.yaml has 3 problems, so nothing was loaded")
    problems = page.locator("ol.file-problems li")
    expect(problems).to_have_count(3)
    expect(problems.first).to_have_text("9:5: themes[0]: missing required key 'title'")
    problems.get_by_role("link", name="10:5: themes[0].titel: unknown key 'titel'").click()
    expect(page).to_have_url(re.compile("#line-10$"))
    marked = page.locator("#line-10")
    expect(marked).to_have_class("line-marked")
    expect(marked.locator("pre.yaml-line")).to_have_text("    titel: Student placements")
    expect(marked.locator("p.line-problem")).to_contain_text("10:5: themes[0].titel: unknown key 'titel'")
    expect(marked).to_be_in_viewport()
    page.screenshot(path=str(tmp_path / "upload-errors.png"), full_page=True)
    on_a_phone(page, tmp_path / "upload-errors-phone.png")
    a11y.check(page, "load a framework, problems beside their lines")

    good = tmp_path / "tiny-v2.yaml"
    good.write_bytes(version_2(v1).encode("utf-8"))
    page.get_by_label("Framework file (YAML)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check before loading: Tiny Teaching Partnership, version 2"
    )
    archived = page.get_by_role("table", name="Elements that would be archived", exact=False)
    row = archived.get_by_role("row", name="Outcome educators-supported", exact=False)
    expect(row.get_by_role("cell")).to_have_text(["Practice educators feel supported", "2", "0"])
    expect(page.get_by_role("table", name="Outcomes whose computed rating would change")).to_contain_text(
        "Graduates stay in the region"
    )
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    on_a_phone(page, tmp_path / "preview-phone.png")
    a11y.check(page, "preview")

    page.get_by_role("button", name="Load version 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Versions of Tiny Teaching Partnership")
    expect(page.get_by_role("status")).to_have_text(
        "Loaded version 2 of Tiny Teaching Partnership: 1 added, 2 changed, 3 archived, 0 restored."
    )
    rows = page.get_by_role("table", name="Versions").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("admin@example.org")
    expect(rows.first).to_contain_text("tiny-v2.yaml")
    a11y.check(page, "versions")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download version 1").click()
    saved = tmp_path / "downloaded-v1.yaml"
    waiting.value.save_as(saved)
    assert waiting.value.suggested_filename == f"{FRAMEWORK}-v1.yaml"
    assert saved.read_bytes() == v1.encode("utf-8")

    page.get_by_role("link", name="Compare with version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare versions of Tiny Teaching Partnership")
    expect(page.locator("#yaml-diff")).to_contain_text("+version: 2")
    a11y.check(page, "compare versions")
    a11y.assert_clean()

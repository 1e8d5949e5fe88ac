"""The KPI progress view in Chromium, at 1280 px and at 390 px: axe finds nothing serious in the page's main
region, each trend is an image named in words, and the table scrolls inside its own region, not the page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask

from tracker.db.models import KpiValue
from tracker.extensions import db
from tracker.services import evidence as evidence_service

from ..web.test_kpi_progress import PROGRESS_KPIS, SLUG, VALUES
from .test_evidence_journey import _expect, sign_in

pytestmark = pytest.mark.browser


def add_values(app: Flask) -> None:
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, SLUG)
        assert ctx is not None
        for kpi, period, period_end, value in VALUES:
            session.add(
                KpiValue(
                    framework_id=ctx.framework.id,
                    element_id=ctx.elements[kpi].id,
                    period=period,
                    period_end=date.fromisoformat(period_end),
                    value=float(value),
                )
            )


@pytest.mark.parametrize("width", [1280, 390])
def test_the_progress_view_reads_at_any_width(
    app: Flask, new_page: Any, make_user: Any, load_framework: Any, framework: str, width: int
) -> None:
    load_framework(PROGRESS_KPIS)
    add_values(app)
    expect = _expect()
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, make_user("board", partner=None))
    page.goto(f"/f/{SLUG}/kpis")
    expect(page.get_by_role("heading", level=2, name="Progress as of 30 April 2021")).to_be_visible()

    trend = page.get_by_role(
        "img", name="Trend of Vacancy rate: baseline 30% (2018/19), 2019/20: 18%; target 20% or lower."
    )
    expect(trend).to_have_count(1)
    region = page.get_by_role("region", name="Progress as of 30 April 2021")
    expect(region).to_be_visible()
    # The table may be wider than a phone: it scrolls inside its region, which is focusable for the keyboard.
    box = region.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, box
    assert region.get_attribute("tabindex") == "0"

    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [["main"]]})  # the header is the layout's, tested elsewhere
    serious = [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'])}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
    assert serious == [], serious

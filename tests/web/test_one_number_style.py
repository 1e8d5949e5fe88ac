"""One value reads the same on the KPI page, the outcome page, the report's table and the report's chart."""

from __future__ import annotations

from typing import Any

from bs4 import Tag

from ..page import Page, text_of

MINUS = "\u2212"
SLUG = "money-partnership"
MONEY = """\
id: money-partnership
title: Money Partnership
version: 1
period: {start: 2022-04-01, end: 2024-03-31}
partners:
  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}
themes:
  - id: money
    title: Money
    aims:
      - {id: aim-balance, text: The budget balances}
    activities:
      - {id: act-plan, text: Plan spending, aims: [aim-balance]}
    outputs:
      - {id: out-plan, text: A spending plan, quadrant: effort-quantity}
    outcomes:
      - {id: balance, text: The budget balances, quadrant: effect-quantity, term: short, kpis: [surplus]}
    kpis:
      - id: surplus
        name: Programme surplus
        unit: currency
        direction: higher_is_better
        baseline: {period: 2021/22, value: -5}
        target: {value: 2500}
"""


def kpis_cell(row: Tag, name: str) -> str:
    cell = row.select_one(f"td[data-cell={name}]")
    assert cell is not None, name
    return text_of(cell)


def test_a_negative_amount_reads_the_same_everywhere(
    load_framework: Any, framework: str, as_role: Any
) -> None:
    load_framework(MONEY)
    admin = as_role("admin")
    value = {"kpi": "surplus", "period": "2022/23", "period_end": "2023-03-31", "value": "-1234.5"}
    assert admin.post(f"/f/{SLUG}/kpis", data={**value, "partner": "", "note": ""}).status_code == 302
    latest, baseline = f"{MINUS}£1,234.50", f"{MINUS}£5.00"

    kpis = Page.of(admin.get(f"/f/{SLUG}/kpis"), 200)
    [(kpi, values)] = kpis.rows("Values given for each KPI")
    assert (kpi, values) == ("Programme surplus", f"2022/23: {latest}")
    assert kpis.texts("table tbody strong") == [latest]

    outcome = Page.of(admin.get(f"/f/{SLUG}/outcomes/balance?as_of=2024-03-31"), 200)
    [row] = outcome.rows("KPIs that measure this outcome")
    assert row[0].startswith("Programme surplus") and row[2] == f"{latest} (2022/23)"

    report = Page.of(admin.get(f"/f/{SLUG}/report?as_of=2024-03-31"), 200)
    row = report.cells()
    assert f"{baseline} (2021/22)" in row and f"{latest} (2022/23)" in row and "£2,500.00 or higher" in row
    chart_labels = report.texts("svg text")
    assert latest in chart_labels and baseline in chart_labels and "£2,500.00 or higher" in chart_labels
    desc = next(d for d in report.texts("svg desc") if "2022/23" in d)
    assert f"Baseline {baseline} (2021/22); 2022/23: {latest}; target £2,500.00 or higher" in desc
    # The KPI page's progress view writes the same figures.
    progress = kpis.one("tr#progress-surplus")
    assert [kpis_cell(progress, name) for name in ("baseline", "latest", "target")] == [
        f"{baseline} (2021/22)",
        f"{latest} (2022/23)",
        "£2,500.00 or higher",
    ]
    for page in (kpis, outcome, report):
        assert (
            "£-" not in page.body and "-£" not in page.body
        )  # the text, the charts' labels and descriptions

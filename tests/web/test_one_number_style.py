"""One value reads the same on the KPI page, the outcome page, the report's table and the report's chart."""

from __future__ import annotations

from typing import Any

from .html_tree import parse

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


def test_a_negative_amount_reads_the_same_everywhere(
    load_framework: Any, framework: str, as_role: Any
) -> None:
    load_framework(MONEY)
    admin = as_role("admin")
    value = {"kpi": "surplus", "period": "2022/23", "period_end": "2023-03-31", "value": "-1234.5"}
    assert admin.post(f"/f/{SLUG}/kpis", data={**value, "partner": "", "note": ""}).status_code == 302
    latest, baseline = f"{MINUS}£1,234.50", f"{MINUS}£5.00"

    kpis = parse(admin.get(f"/f/{SLUG}/kpis").get_data(as_text=True))
    assert latest in [e.text for e in kpis.find_all("strong")]

    outcome = parse(admin.get(f"/f/{SLUG}/outcomes/balance?as_of=2024-03-31").get_data(as_text=True))
    cells = [" ".join(e.text.split()) for e in outcome.find_all("td")]
    assert f"{latest} (2022/23)" in cells

    report = parse(admin.get(f"/f/{SLUG}/report?as_of=2024-03-31").get_data(as_text=True))
    row = [" ".join(e.text.split()) for e in report.find_all("td")]
    assert f"{baseline} (2021/22)" in row and f"{latest} (2022/23)" in row and "£2,500.00" in row
    chart_labels = [e.text for e in report.find_all("text")]
    assert latest in chart_labels and baseline in chart_labels and "target £2,500.00" in chart_labels
    desc = next(e.text for e in report.find_all("desc") if "2022/23" in e.text)
    assert f"Baseline {baseline} (2021/22); 2022/23: {latest}; target £2,500.00" in desc
    for page in (kpis, outcome, report):
        text = "".join(e.text for e in page.find_all("body"))
        assert "£-" not in text and "-£" not in text

"""`tracker rate` and `tracker kpis` print the documented JSON shapes and readable tables."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskCliRunner

from .test_ratings_service import contract_data


def test_rate_json_shape_and_values(app: Any, runner: FlaskCliRunner, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    result = runner.invoke(args=["rate", "--framework", "tiny-partnership", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [set(r) for r in rows] == [
        {"outcome", "theme", "rating", "computed", "override", "rule", "reasons", "next"}
    ] * 3
    assert {r["outcome"]: r["rating"] for r in rows} == {
        "more-statutory": "some", "educators-supported": "strong", "retention": "not_yet",
    }  # fmt: skip
    assert all(r["reasons"] and r["theme"] == "placements" for r in rows)
    # `next`: what would raise the rating; nothing for a strong one, a phrase for each of the others
    assert {r["outcome"]: bool(r["next"]) for r in rows} == {
        "more-statutory": True, "educators-supported": False, "retention": True,
    }  # fmt: skip


def test_kpis_json_shape(app: Any, runner: FlaskCliRunner, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    result = runner.invoke(args=["kpis", "--framework", "tiny-partnership", "--json"])
    assert result.exit_code == 0, result.output
    (kpi,) = json.loads(result.output)
    assert kpi == {
        "kpi": "statutory-share", "unit": "percent", "direction": "higher_is_better",
        "baseline": {"period": "2021/22", "value": 75.0}, "latest": {"period": "2022/23", "value": 90.0},
        "target": {"value": 85.0}, "status": "met", "change": {"value": 15.0, "unit": "pp"}, "periods_met": None,
    }  # fmt: skip


def test_tables_and_errors(app: Any, runner: FlaskCliRunner, make_evidence: Any) -> None:
    contract_data(make_evidence, app)
    table = runner.invoke(args=["rate", "--framework", "tiny-partnership"])
    assert "educators-supported: strong [R1-strong]" in table.output
    kpis = runner.invoke(args=["kpis", "--framework", "tiny-partnership", "--as-of", "2023-01-01"])
    assert "statutory-share: no_data" in kpis.output
    bad_date = runner.invoke(args=["rate", "--framework", "tiny-partnership", "--as-of", "tomorrow"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    missing = runner.invoke(args=["rate", "--framework", "nope"])
    assert missing.exit_code == 1 and "no framework has the id 'nope'" in missing.output

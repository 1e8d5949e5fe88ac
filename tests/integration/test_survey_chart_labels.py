"""A chart writes its figures as the table beside it does: survey scores are whole numbers in both."""

from __future__ import annotations

from typing import Any

import pytest

from ..page import Page, text_of
from .test_surveys_flow import rows, run_import
from .test_surveys_flow import survey_app as survey_app  # the fixture (the tiny framework with a survey)


@pytest.mark.usefixtures("survey_app")
def test_distance_chart_labels_are_the_scores_the_table_shows(
    runner: Any, tmp_path: Any, as_role: Any
) -> None:
    assert run_import(runner, tmp_path, "a.csv", rows(12, 0, "Somewhat agree"), "2022-23").exit_code == 0
    assert run_import(runner, tmp_path, "b.csv", rows(12, 0), "2023-24").exit_code == 0  # scores 87.5
    page = Page.of(as_role("board").get("/f/tiny-partnership/surveys/pe-survey?round=2023-24"), 200)
    [section, *_groups] = page.rows("Section scores for round 2023-24")
    assert section[0] == "Feeling supported" and section[2] == "88"  # 87.5, half up
    [chart] = page.all("figure.chart > svg")
    [row] = chart.select("g[data-part=row]")
    labels = [text_of(t) for t in row.select("text")]
    assert labels[0] == "Feeling supported" and labels[-1] == section[2]  # after: this round, as the table
    assert all("." not in label for label in labels[1:]), labels
    assert "after 88" in text_of(chart.select_one("desc"))  # type: ignore[arg-type]

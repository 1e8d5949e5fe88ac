"""The logic model for the report and its page: built from the ratings and KPI statuses they already read,
and drawn once per theme."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup

from tracker.domain.framework import Framework
from tracker.domain.kpi import KpiStatus
from tracker.domain.logic_model import LogicModel, logic_model
from tracker.ratings.rating_set import RatingSet
from tracker.reports.charts.logic_model import logic_model_chart

# The report (web and PDF) draws at most this many boxes a column and three lines a box: a theme fits one
# page, and WeasyPrint lays SVG text out a glyph at a time. The list beside each drawing has every word.
REPORT_MAX_BOXES = 12
REPORT_MAX_LINES = 3
# The page draws every box (its column grows) with a little more of each box's text.
PAGE_MAX_LINES = 4


def build(f: Framework, ratings: Mapping[str, str], kpis: Iterable[KpiStatus]) -> LogicModel:
    """The logic model from each outcome's rating code and each KPI's status, as the report holds them."""
    return logic_model(f, ratings, {k.kpi_id: k.status for k in kpis})


def from_ratings(rated: RatingSet) -> LogicModel:
    """The logic model of a page's ratings (read with `for_report=True`, so the KPI statuses are there)."""
    return build(rated.framework, {r.outcome_id: r.rating for r in rated.ratings}, rated.kpis)


def charts(model: LogicModel, *, for_report: bool) -> dict[str, Markup]:
    """Each theme's drawing by theme id; the report's are capped to fit a page (`REPORT_MAX_BOXES`)."""
    return {
        t.id: logic_model_chart(
            f"logic-model-{t.number}",
            t,
            max_lines=REPORT_MAX_LINES if for_report else PAGE_MAX_LINES,
            max_boxes=REPORT_MAX_BOXES if for_report else None,
        )
        for t in model.themes
    }

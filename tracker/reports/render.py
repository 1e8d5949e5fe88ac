"""Renders a ReportModel with the one report template, for the web page or for the PDF."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import render_template
from markupsafe import Markup

from tracker.domain import formats, vocabulary
from tracker.domain.kpi import KpiStatus
from tracker.domain.rules import RULES
from tracker.reports import charts
from tracker.reports.model import ReportModel
from tracker.resources import static_dir, templates_dir
from tracker.services.ratings import FrameworkRatings
from tracker.services.report_inputs import ReportInputs

TEMPLATE = "report/report.html"


@dataclass(frozen=True)
class ChartSet:
    tags: dict[str, str]  # each rating's symbol and short label, for the HTML diagrams and key
    bars: Markup
    trends: dict[str, Markup]
    notes: dict[str, str]  # each trend's direction ("↑ Higher is better"), printed above it


def chart_set(model: ReportModel) -> ChartSet:
    """Every picture of the report as inline SVG, made once and used by both forms.

    The theme diagrams and the key are HTML styled by report.css (`charts.diagram_css`), not SVG.
    """
    trends = {
        k.id: charts.kpi_trend(
            f"trend-{k.id}",
            k.name,
            k.unit,
            k.series,
            k.baseline_point,
            k.target_value,
            k.direction,
            show_title=False,
        )
        for t in model.themes
        for k in t.kpis
        if k.has_trend
    }
    notes = {k.id: charts.direction_note(k.direction) for t in model.themes for k in t.kpis}
    bars = charts.rating_bars("bars", [(t.title, t.counts) for t in model.themes])
    return ChartSet(charts.rating_tags(), bars, trends, notes)


def render_html(model: ReportModel, *, for_pdf: bool, cached_at: datetime | None = None) -> str:
    return render_template(
        TEMPLATE, m=model, charts=chart_set(model), for_pdf=for_pdf, rules=RULES, cached_at=cached_at
    )


def _design_fingerprint() -> str:
    """Changes when the report's template, stylesheet, charts or number style change: no stale cached PDFs."""
    digest = hashlib.sha256()
    style = (Path(formats.__file__), Path(vocabulary.__file__))
    for path in (templates_dir() / TEMPLATE, static_dir() / "report.css", *charts.SOURCES, *style):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_DESIGN = _design_fingerprint()


def data_fingerprint(rated: FrameworkRatings) -> str:
    """What the report shows: framework version, as-of date, every rating and its evidence, every KPI."""
    return _fingerprint(
        rated.version.content_sha256,
        rated.as_of.isoformat(),
        [[r.outcome_id, r.rating, r.computed, r.override, r.stale, r.fingerprint] for r in rated.ratings],
        sorted(o.id for o in rated.overrides.values()),
        rated.kpis,
        len(rated.evidence),
    )


def stored_fingerprint(inputs: ReportInputs) -> str:
    """The same fingerprint from stored ratings (equal to `data_fingerprint` for the same data)."""
    summary = inputs.summary
    return _fingerprint(
        summary.version.content_sha256,
        summary.as_of.isoformat(),
        [[r.outcome_id, r.rating, r.computed, r.override, r.stale, r.fingerprint] for r in summary.ratings],
        sorted(o.id for o in summary.overrides.values()),
        inputs.kpis,
        inputs.evidence_total,
    )


def _fingerprint(
    version: str,
    as_of: str,
    ratings: list[list[Any]],
    overrides: list[int],
    kpis: Sequence[KpiStatus],
    linked_items: int,
) -> str:
    """The PDF cache key. `linked_items`, the report's count, is in it too: on PostgreSQL a kept count read
    just before a save commits could otherwise be cached beside the ratings read just after it."""
    payload: dict[str, Any] = {
        "linked_items": linked_items,
        "design": _DESIGN,
        "version": version,
        "as_of": as_of,
        "ratings": ratings,
        "overrides": overrides,
        "kpis": [[k.to_json(), [list(map(str, p)) for p in k.series]] for k in kpis],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class PdfCache:
    """PDFs on disk under the instance folder, named by framework, as-of date and data fingerprint."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, slug: str, as_of: str, fingerprint: str) -> Path:
        return self.folder / f"{slug}-{as_of}-{fingerprint[:32]}.pdf"

    def made_at(self, path: Path) -> datetime | None:
        try:
            return datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except FileNotFoundError:
            return None

    def put(self, path: Path, pdf: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(pdf)
        temporary.replace(path)

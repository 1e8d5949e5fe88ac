"""Renders a ReportModel with the one report template, for the web page or for the PDF."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_request_context, render_template
from markupsafe import Markup

from tracker.domain import formats, vocabulary
from tracker.domain.rules import RULES
from tracker.reports import charts, event_blocks, logic_model_blocks, pdf, pdf_parts
from tracker.reports.event_blocks import EventCharts, event_charts
from tracker.reports.model import ReportModel
from tracker.reports.pdf import PdfResult
from tracker.reports.pdf_cache import PdfCache, PdfKey, ReportCache
from tracker.reports.pdf_cache import report_cache as choose_cache
from tracker.reports.pdf_pool import Progress, default_render_processes, render_pdf
from tracker.resources import static_dir, templates_dir

TEMPLATE = "report/report.html"
MACROS = (
    "kpis/_status.html",
    "report/_agenda.html",
    "report/_outputs.html",
    "report/_plans.html",
    "report/_logic_model.html",
    "macros/logic_model.html",
)  # the report imports macros from (or includes) these: part of its design fingerprint


@dataclass(frozen=True)
class ChartSet:
    tags: dict[str, str]  # each rating's symbol and short label, for the HTML diagrams and key
    bars: Markup
    trends: dict[str, Markup]
    notes: dict[str, str]  # each trend's direction ("↑ Higher is better"), printed above it
    events: dict[str, EventCharts]  # each event's charts, by its id
    logic_models: dict[str, Markup] = field(default_factory=dict)  # each theme's logic model, by theme id


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
            target_text=k.target or None,
        )
        for t in model.themes
        for k in t.kpis
        if k.has_trend
    }
    notes = {k.id: charts.direction_note(k.direction) for t in model.themes for k in t.kpis}
    bars = charts.rating_bars("bars", [(t.title, t.counts) for t in model.themes])
    events = {e.id: event_charts(f"event-{n}", e) for n, e in enumerate(model.events, start=1)}
    logic_models = logic_model_blocks.charts(model.logic_model, for_report=True) if model.logic_model else {}
    return ChartSet(charts.rating_tags(), bars, trends, notes, events, logic_models)


def render_html(model: ReportModel, *, for_pdf: bool, cached_at: datetime | None = None) -> str:
    return render_template(
        TEMPLATE, m=model, charts=chart_set(model), for_pdf=for_pdf, rules=RULES, cached_at=cached_at
    )


def _design_fingerprint() -> str:
    """Changes when the report's template, stylesheet, charts, number style or renderer change: no stale
    cached PDFs."""
    digest = hashlib.sha256()
    style = (Path(formats.__file__), Path(vocabulary.__file__), Path(event_blocks.__file__))
    templates = (templates_dir() / name for name in (TEMPLATE, *MACROS))
    # pdf_join is named, not imported: it loads pikepdf, which only the render children need.
    renderer = (
        Path(pdf.__file__),
        Path(pdf_parts.__file__),
        Path(pdf_parts.__file__).with_name("pdf_join.py"),
    )
    for path in (*templates, static_dir() / "report.css", *charts.SOURCES, *style, *renderer):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_DESIGN = _design_fingerprint()


_UNDATED = datetime(1970, 1, 1, tzinfo=UTC)


def model_fingerprint(model: ReportModel) -> str:
    """The PDF cache key: everything the report shows (not when the model was made) and its design.

    A model is frozen dataclasses of plain values, so its repr is stable; the live and the stored ratings
    build equal models for the same data, so they share one key.
    """
    shown = repr(dataclasses.replace(model, generated_at=_UNDATED))
    return hashlib.sha256(f"{_DESIGN}\n{shown}".encode()).hexdigest()


def pdf_key(model: ReportModel) -> PdfKey:
    return PdfKey(model.framework_id, model.as_of, model_fingerprint(model))


def pdf_cache() -> PdfCache:
    """The instance folder's PDF files: the default report cache, and where survey level PDFs are kept."""
    return PdfCache(Path(current_app.instance_path) / "report-cache")


def report_cache() -> ReportCache:
    """The app's report PDF cache: the shared store when STORAGE_URL is set (every server and worker sees
    it), else the instance folder's files, shared by the web app, the worker and the CLI of one machine."""
    return choose_cache(
        str(current_app.config["STORAGE_URL"]),
        Path(current_app.config["UPLOAD_FOLDER"]),
        Path(current_app.instance_path),
    )


def report_pdf(
    model: ReportModel,
    render: Callable[[str, Path, Path, float], PdfResult] | None = None,
    on_progress: Progress | None = None,
) -> bytes:
    """The one report build: the model's PDF from the cache, else rendered (in child processes, in parts at
    once, within the configured time) and kept. Raises ReportTimeout or ReportFailed. `tracker report` passes
    the render of children it started first (pdf_pool.EarlyRenderer)."""
    cache = report_cache()
    key = pdf_key(model)
    cached = cache.get(key)
    if cached is not None:
        return cached
    if has_request_context():
        html = render_html(model, for_pdf=True)
    else:  # the worker and the CLI: the template builds URLs as for a request
        with current_app.test_request_context():
            html = render_html(model, for_pdf=True)
    limit = float(current_app.config["REPORT_TIME_LIMIT_SECONDS"])
    if render is None:
        processes = render_processes()
        result = render_pdf(
            html, static_dir(), cache.work_dir, limit, processes=processes, on_progress=on_progress
        )
    else:
        result = render(html, static_dir(), cache.work_dir, limit)
    cache.put(key, result.pdf)
    return result.pdf


def render_processes() -> int:
    """How many children render a report's parts at once: REPORT_RENDER_PROCESSES, or one per CPU up to 4."""
    configured = int(current_app.config.get("REPORT_RENDER_PROCESSES") or 0)
    return configured if configured > 0 else default_render_processes()

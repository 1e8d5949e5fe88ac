"""Renders a survey level report with its one template, as the web page or as the PDF (kept on disk by
what it shows, so asking again, or `--all` after a change to one organisation, renders only what changed)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_request_context, render_template
from markupsafe import Markup

from tracker.domain import formats
from tracker.domain.survey_level_results import suppressed_text
from tracker.reports import charts, survey_level_cells, survey_level_model, survey_level_tables
from tracker.reports.charts.area_bars import AreaBar, AreaRow, area_bars
from tracker.reports.charts.survey_levels import PairBar, Strip, ranked_strip, region_bars
from tracker.reports.pdf_cache import PdfCache
from tracker.reports.pdf_pool import render_pdf
from tracker.reports.render import pdf_cache
from tracker.reports.survey_level_model import LevelReport
from tracker.resources import static_dir, templates_dir

TEMPLATE = "surveys/level_report.html"
STYLES = ("report.css", "survey-report.css")


@dataclass(frozen=True)
class LevelCharts:
    regions: Markup | None  # national: each region this round against the last
    strip: Markup | None  # organisation: where it sits among its kind
    areas: dict[str, Markup]  # every level: each standard by service area, by the breakdown's name


@dataclass(frozen=True)
class PageLinks:
    """What only the web page shows: the rounds to choose from and where its PDF and its CSV are."""

    rounds: tuple[str, ...]
    pdf_url: str
    csv_url: str = ""


def level_charts(m: LevelReport) -> LevelCharts:
    """The report's pictures as inline SVG, made once for both forms."""
    regions = None
    if m.level == "national" and m.regions:
        regions = region_bars(
            "regions",
            f"{m.overall_label} by region",
            [
                PairBar(r.name, r.current_value, r.overall.text, r.previous_value, r.previous)
                for r in m.regions
            ],
            m.round_label,
            m.previous_label,
            m.scale,
            suppressed_text(m.minimum),
        )
    strip = None
    if m.level == "org" and m.strips:
        strip = ranked_strip(
            "strip",
            f"Where {m.name} sits among the ranked {m.kind_plural}",
            [Strip(s.label, s.marks, s.mine, s.mine_text, s.rank) for s in m.strips],
            m.name,
            m.kind_plural,
            m.scale,
        )
    areas = {
        t.name: area_bars(
            f"by-{t.name}-chart",
            f"Average by standard by {t.label.lower()}, {m.round_label}",
            t.columns,
            [
                AreaRow(r.label, tuple(AreaBar(v, c.text) for v, c in zip(r.values, r.cells, strict=True)))
                for r in t.rows
            ],
            m.scale,
            t.label.lower(),
        )
        for t in m.service_areas
        if t.rows and t.columns and not t.withheld
    }
    return LevelCharts(regions, strip, areas)


def render_level_html(
    m: LevelReport, *, for_pdf: bool, page: PageLinks | None = None, inline_styles: Markup | None = None
) -> str:
    """The page (`page` its links) or the PDF's HTML; `inline_styles` puts the stylesheets inside it."""
    return render_template(
        TEMPLATE, m=m, charts=level_charts(m), for_pdf=for_pdf, page=page, inline_styles=inline_styles
    )


def _design_fingerprint() -> str:
    """Changes when the template, the stylesheets, the charts or the way figures are written change."""
    digest = hashlib.sha256()
    code = (formats, survey_level_cells, survey_level_model, survey_level_tables)
    for path in (
        templates_dir() / TEMPLATE,
        *(static_dir() / name for name in STYLES),
        *charts.SOURCES,
        *(Path(str(module.__file__)) for module in code),
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_DESIGN = _design_fingerprint()
_UNSAFE = re.compile(r"[^a-z0-9]+")


def file_slug(text: str) -> str:
    """A level's key as a file name part: "North East" -> "north-east", "la-001" stays."""
    return _UNSAFE.sub("-", text.casefold()).strip("-") or "x"


def report_fingerprint(m: LevelReport) -> str:
    """Everything the report shows (a model of plain frozen values, so its repr is stable) and its design."""
    return hashlib.sha256(f"{_DESIGN}\n{m!r}".encode()).hexdigest()


def level_pdf_path(m: LevelReport) -> Path:
    folder = pdf_cache().folder / "survey-levels"
    key = "national" if m.level == "national" else f"{m.level}-{file_slug(m.key)}"
    return folder / f"{m.framework_id}-{m.survey_id}-{key}-{report_fingerprint(m)[:32]}.pdf"


def level_pdf(m: LevelReport) -> bytes:
    """The report's PDF from the cache, else rendered in a child process within the configured time and
    kept. Raises ReportTimeout or ReportFailed."""
    path = level_pdf_path(m)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    if has_request_context():
        html = render_level_html(m, for_pdf=True)
    else:  # the CLI and the worker: the template builds URLs as for a request
        with current_app.test_request_context():
            html = render_level_html(m, for_pdf=True)
    result = render_pdf(
        html, static_dir(), path.parent, float(current_app.config["REPORT_TIME_LIMIT_SECONDS"])
    )
    PdfCache(path.parent).put(path, result.pdf)  # the framework report's cache, in a folder of its own
    return result.pdf

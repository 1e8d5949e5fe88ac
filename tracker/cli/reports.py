"""`tracker report`: the progress report as an HTML file or a PDF.

For a PDF the render children (forked before anything else is imported) load WeasyPrint on the other CPUs
while this process rates the outcomes and writes the HTML, then lay out the report's parts at once (issue 23).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli import cli, with_appcontext

if TYPE_CHECKING:
    from tracker.reports.pdf_pool import EarlyRenderer


@cli.command("report")
@click.option("--framework", required=True, help="The framework id.")
@click.option("--as-of", "as_of", default=None, help="Report what was known on this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def report(framework: str, as_of: str | None, fmt: str, output: Path) -> None:
    """Write the progress report: every theme, outcome rating, KPI and piece of evidence."""
    from tracker.reports.pdf_pool import EarlyRenderer, default_render_processes

    # Forked before the app exists, so the count comes from TRACKER_REPORT_RENDER_PROCESSES or the CPUs.
    renderer = EarlyRenderer(default_render_processes()) if fmt == "pdf" else None
    try:
        _write_report(framework, as_of, fmt, output, renderer)
    finally:
        if renderer is not None:
            renderer.close()


@with_appcontext
def _write_report(
    framework: str, as_of: str | None, fmt: str, output: Path, renderer: EarlyRenderer | None
) -> None:
    from datetime import UTC, datetime

    from flask import current_app

    from tracker.cli.ratings import _rated
    from tracker.extensions import db
    from tracker.reports.inputs import report_model_for
    from tracker.reports.pdf import ReportFailed, ReportTimeout
    from tracker.reports.render import render_html, report_pdf

    rated = _rated(framework, as_of, for_report=True)
    model = report_model_for(db.session, rated, datetime.now(UTC))
    if fmt == "html":
        with current_app.test_request_context():
            output.write_text(render_html(model, for_pdf=False), encoding="utf-8")
    else:
        try:
            output.write_bytes(report_pdf(model, renderer.render) if renderer else report_pdf(model))
        except (ReportTimeout, ReportFailed) as error:
            raise click.ClickException(str(error)) from None
    click.echo(
        f"wrote {output} ({output.stat().st_size:,} bytes): {rated.framework.title} as of {rated.as_of}"
    )

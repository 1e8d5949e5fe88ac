"""`tracker report`: the progress report as an HTML file or a PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.cli import cli, require_schema
from tracker.cli.ratings import _rated
from tracker.events import bulk as event_bulk
from tracker.extensions import db
from tracker.plans import curve_pages
from tracker.reports import model as report_model
from tracker.reports import plan_blocks
from tracker.reports.pdf import ReportFailed, ReportTimeout
from tracker.reports.render import render_html, report_pdf
from tracker.services import surveys as survey_service


@cli.command("report")
@click.option("--framework", required=True, help="The framework id.")
@click.option("--as-of", "as_of", default=None, help="Report what was known on this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def report(framework: str, as_of: str | None, fmt: str, output: Path) -> None:
    """Write the progress report: every theme, outcome rating, KPI and piece of evidence."""
    require_schema()
    rated = _rated(framework, as_of, for_report=True)
    blocks = survey_service.report_blocks(db.session, rated.framework.id)
    events = event_bulk.framework_events(db.session, rated.framework.id, rated.as_of)
    plans = plan_blocks.read_plans(db.session, rated)
    curves = curve_pages.report_curves(db.session, rated.framework.id, rated.framework, plans)
    model = report_model.build(rated, datetime.now(UTC), blocks, events, curves, plans=plans)
    if fmt == "html":
        with current_app.test_request_context():
            output.write_text(render_html(model, for_pdf=False), encoding="utf-8")
    else:
        try:
            output.write_bytes(report_pdf(model))
        except (ReportTimeout, ReportFailed) as error:
            raise click.ClickException(str(error)) from None
    click.echo(
        f"wrote {output} ({output.stat().st_size:,} bytes): {rated.framework.title} as of {rated.as_of}"
    )

"""`tracker survey report`: a survey's national, regional or local report as an HTML file or a PDF, or with
`--all` every report of a round as PDFs in a folder (issue 21)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from markupsafe import Markup

from tracker.cli import require_schema
from tracker.cli.surveys import _level_key, survey_group
from tracker.domain.survey_level_results import Level
from tracker.domain.surveys import did_you_mean
from tracker.extensions import db
from tracker.reports.pdf import ReportFailed, ReportTimeout
from tracker.reports.survey_level_inputs import Target, every_report, report_of, round_labels, target_of
from tracker.reports.survey_level_jobs import pdfs_into_folder
from tracker.reports.survey_level_model import LevelReport
from tracker.reports.survey_level_render import STYLES, level_pdf, render_level_html
from tracker.resources import static_dir
from tracker.services import survey_reports
from tracker.services.permissions import Principal
from tracker.services.surveys import SurveyNotFound


def _missing(target: Target, level: Level, key: str, label: str | None) -> str:
    """Why there is no report: the round, or the region, named with what there is."""
    survey = target.definition.id
    with db.unit_of_work() as session:
        labels = round_labels(session, target)
        regions = survey_reports.report_list(
            session, target.framework_id, survey, Principal.command_line()
        ).regions
    if not labels:
        return f"survey '{survey}' has no round yet (import one with `tracker survey import`)"
    if label is not None and label not in labels:
        known = f" (its rounds: {', '.join(labels)})"
        return f"survey '{survey}' has no round '{label}'{did_you_mean(label, labels)}{known}"
    known = f" (its regions: {', '.join(regions)})" if regions else " (it has no organisations loaded)"
    return f"survey '{survey}' has no region '{key}'{did_you_mean(key, regions)}{known}"


def _standalone(report: LevelReport) -> str:
    """The report's HTML with its stylesheets inside it, so the file reads the same anywhere."""
    styles = "\n".join((static_dir() / name).read_text(encoding="utf-8") for name in STYLES)
    with current_app.test_request_context():
        return render_level_html(report, for_pdf=True, inline_styles=Markup(styles))  # noqa: S704 (our own CSS)


def _one(target: Target, level: Level, key: str, label: str | None, fmt: str, output: Path) -> None:
    with db.unit_of_work() as session:  # stores the round's results if they were not yet
        report = report_of(session, target, level, key, label)
    if report is None:
        raise click.ClickException(_missing(target, level, key, label))
    try:
        if fmt == "html":
            output.write_text(_standalone(report), encoding="utf-8")
        else:
            output.write_bytes(level_pdf(report))
    except (ReportTimeout, ReportFailed) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {output} ({output.stat().st_size:,} bytes): {report.title}, {report.round_label}")


def _all(target: Target, label: str | None, output: Path) -> None:
    with db.unit_of_work() as session:
        read = every_report(session, target, label)
    if read is None:
        raise click.ClickException(_missing(target, "national", "", label))
    round_label, reports = read
    if output.exists() and not output.is_dir():
        raise click.BadParameter(f"{output} is a file: --all writes a folder", param_hint="-o")

    def progress(done: int, total: int, name: str) -> None:
        click.echo(f"  {done} of {total}: {name}")

    click.echo(f"writing {len(reports)} reports of round {round_label} to {output}/")
    try:
        names = pdfs_into_folder(reports, output, progress)
    except (ReportTimeout, ReportFailed) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {len(names)} PDFs to {output}/")


@survey_group.command("report")
@click.option("--framework", required=True)
@click.option("--survey", "survey_id", required=True)
@click.option("--round", "label", default=None, help="The round's label; default the latest.")
@click.option("--level", type=click.Choice(["national", "region", "org"]), default=None)
@click.option("--region", default=None, help="The region, with --level region.")
@click.option("--org", "org_id", default=None, help="The organisation's id, with --level org.")
@click.option("--all", "every", is_flag=True, help="Every report of the round, as PDFs in the folder -o.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), required=True)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@with_appcontext
def survey_report(
    framework: str,
    survey_id: str,
    label: str | None,
    level: Level | None,
    region: str | None,
    org_id: str | None,
    every: bool,
    fmt: str,
    output: Path,
) -> None:
    """Write a national, regional or local report (one file), or with --all every report of the round."""
    require_schema()
    if every and (level is not None or region is not None or org_id is not None):
        raise click.BadParameter(
            "writes every level: leave out --level, --region and --org", param_hint="--all"
        )
    if every and fmt != "pdf":
        raise click.BadParameter("--all writes PDFs: use --format pdf", param_hint="--format")
    chosen, key = _level_key("national", None, None) if every else _level_key(level, region, org_id)
    with db.unit_of_work() as session:
        try:
            target = target_of(session, framework, survey_id, chosen, key)
        except SurveyNotFound as missing:
            raise click.ClickException(str(missing)) from None
    if every:
        _all(target, label, output)
    else:
        _one(target, chosen, key, label, fmt, output)

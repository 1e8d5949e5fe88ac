"""`tracker survey import`, `results` and `orgs`: Likert rounds, small groups suppressed; organisations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import with_appcontext

from tracker.cli import cli, require_schema
from tracker.cli.data import _read
from tracker.domain.survey_level_listing import section_rows
from tracker.domain.survey_level_results import Level, suppressed_text
from tracker.domain.surveys import describe_change, rounded_score
from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services import survey_levels as levels_service
from tracker.services import survey_orgs as orgs_service
from tracker.services import surveys as survey_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal


@cli.group("survey")
def survey_group() -> None:
    """Likert surveys: import rounds, see scored results."""


def _refuse(csv_file: Path, problems: Iterable[Sequence[Any]], more: int, count: int, done: str) -> NoReturn:
    """Each problem as CSV:ROW:COLUMN (all rows or none: nothing was `done`), then the command fails."""
    for row, column, message in problems:
        click.echo(f"{csv_file}:{row}:{column}: {message}" if column else f"{csv_file}:{row}: {message}")
    if more:
        click.echo(f"{csv_file}: ... and {more:,} more problem(s) not listed")
    raise click.ClickException(f"{count} problem(s); nothing was {done}")


@survey_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@click.option("--framework", required=True)
@click.option("--survey", "survey_id", required=True)
@click.option("--round", "label", required=True, help="The round's label, e.g. 2023-24.")
@click.option("--replace", is_flag=True, help="Replace a round imported before (the old rows are kept).")
@click.option("--collected-on", default=None, help="When the round closed (YYYY-MM-DD); default today.")
@with_appcontext
def survey_import(
    csv_file: Path, framework: str, survey_id: str, label: str, replace: bool, collected_on: str | None
) -> None:
    """Import one round, one row per respondent: all rows or none; each bad cell as CSV:ROW:COLUMN."""
    require_schema()
    raw = _read(csv_file)
    try:
        closed = date.fromisoformat(collected_on) if collected_on else date.today()
    except ValueError:
        raise click.BadParameter("must be a date as YYYY-MM-DD", param_hint="--collected-on") from None
    with db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, framework)
        if ctx is None:
            raise click.ClickException(f"no framework has the id '{framework}'")
        try:
            result = survey_service.import_round(
                session,
                Actor.command_line(),
                Principal.command_line(),
                ctx,
                survey_id,
                label,
                raw,
                replace=replace,
                collected_on=closed,
                source_name=csv_file.name,
            )
        except survey_service.SurveyNotFound as missing:
            raise click.ClickException(str(missing)) from None
        if not result.ok:
            _refuse(csv_file, result.problems, result.more_problems, result.problem_count, "imported")
    click.echo(
        f"{survey_id} round {label}: {result.respondents} respondents"
        + (" (replacing the earlier import, which is kept)" if result.replaced else "")
        + f"; evidence items added {result.evidence_added}, refreshed {result.evidence_refreshed}"
        + (f" ({result.sent_back} accepted items sent back for review)" if result.sent_back else "")
    )


@survey_group.command("orgs")
@click.argument("csv_file", type=click.Path(path_type=Path))
@click.option("--framework", required=True)
@click.option("--survey", "survey_id", required=True)
@with_appcontext
def survey_orgs(csv_file: Path, framework: str, survey_id: str) -> None:
    """Load a survey's participating organisations (org, name, kind, region, partner): all rows or none;
    new ids are added, known ones updated, none deleted; each bad cell as CSV:ROW:COLUMN."""
    require_schema()
    raw = _read(csv_file)
    with db.unit_of_work() as session:
        try:
            result = orgs_service.load_orgs(
                session,
                Actor.command_line(),
                Principal.command_line(),
                framework,
                survey_id,
                raw,
                source_name=csv_file.name,
            )
        except survey_service.SurveyNotFound as missing:
            raise click.ClickException(str(missing)) from None
        if not result.ok:
            _refuse(csv_file, result.problems, result.more_problems, result.problem_count, "loaded")
    click.echo(
        f"{survey_id}: {len(result.added)} organisation(s) added, {len(result.changed)} changed, "
        f"{result.unchanged} unchanged"
    )


@survey_group.command("results")
@click.option("--framework", required=True)
@click.option("--survey", "survey_id", required=True)
@click.option("--round", "label", required=True)
@click.option(
    "--by", default=None, help="A breakdown column (with --level, or a characteristic) to show groups for."
)
@click.option(
    "--level",
    type=click.Choice(["national", "region", "org"]),
    default=None,
    help="Results of every respondent (national), of one region's organisations, or of one organisation.",
)
@click.option("--region", default=None, help="The region, with --level region.")
@click.option("--org", "org_id", default=None, help="The organisation's id, with --level org.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def survey_results(
    framework: str,
    survey_id: str,
    label: str,
    by: str | None,
    level: Level | None,
    region: str | None,
    org_id: str | None,
    as_json: bool,
) -> None:
    """Section scores (0-100) with bands, n and % agreeing; groups under the minimum size show no score."""
    require_schema()
    if (
        level is not None
        or region is not None
        or org_id is not None
        or _by_organisation(framework, survey_id)
    ):
        _level_results(framework, survey_id, label, by, level, region, org_id, as_json)
        return
    try:
        definition, round_, scored = survey_service.results(db.session, framework, survey_id, label, by)
    except survey_service.SurveyNotFound as missing:
        raise click.ClickException(str(missing)) from None
    if as_json:
        click.echo(json.dumps([r.to_json() for r in scored], indent=2))
        return
    click.echo(f"{definition.title}, round {round_.label}: {round_.respondents} respondents")
    fewer = f"fewer than {definition.min_group_size} responses"
    for r in scored:
        if r.suppressed or r.score is None:
            score = fewer
        else:
            score = f"{r.rounded} ({r.band})" + (
                f", {r.agree_pct:.0f}% agreeing" if r.agree_pct is not None else ""
            )
        change = f"; {describe_change(r.change.value)} since {r.change.from_round}" if r.change else ""
        click.echo(f"  {r.section}: n={r.n}, {score}{change}")
        for g in r.groups:
            shown = fewer if g.suppressed or g.score is None else f"{rounded_score(g.score)} ({g.band})"
            click.echo(f"      {by}={g.group}: n={g.n}, {shown}")


def _by_organisation(framework: str, survey_id: str) -> bool:
    """A survey of participating organisations is read at its levels only (national by default), so its
    suppression across levels holds in every output."""
    try:
        _framework_id, definition = survey_service.definition_of(db.session, framework, survey_id)
    except survey_service.SurveyNotFound:
        return False  # the plain path names what is missing
    return definition.organisations


def _level_key(level: Level | None, region: str | None, org_id: str | None) -> tuple[Level, str]:
    """The level and its key from the options, each misuse named."""
    chosen: Level = level or ("region" if region is not None else "org" if org_id is not None else "national")
    if region is not None and chosen != "region":
        raise click.BadParameter("is only for --level region", param_hint="--region")
    if org_id is not None and chosen != "org":
        raise click.BadParameter("is only for --level org", param_hint="--org")
    if chosen == "region" and not region:
        raise click.BadParameter("--level region needs the region's name", param_hint="--region")
    if chosen == "org" and not org_id:
        raise click.BadParameter("--level org needs the organisation's id", param_hint="--org")
    return chosen, region or org_id or ""


def _level_results(
    framework: str,
    survey_id: str,
    label: str,
    by: str | None,
    level: Level | None,
    region: str | None,
    org_id: str | None,
    as_json: bool,
) -> None:
    """`survey results --level`: one level from the stored results (computed and stored when missing)."""
    chosen, key = _level_key(level, region, org_id)
    with db.unit_of_work() as session:
        try:
            definition, result = levels_service.level_of_round(
                session, framework, survey_id, label, chosen, key, by
            )
        except survey_service.SurveyNotFound as missing:
            raise click.ClickException(str(missing)) from None
    rows = section_rows(result, by)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    fewer = suppressed_text(definition.min_group_size).lower()
    count = result.completed.n
    click.echo(
        f"{definition.title}, round {result.round_label}, {result.name}: "
        + (f"{count} respondents" if count is not None else f"{fewer} respondents. {result.why_not}")
    )
    for section, row in zip(result.sections, rows, strict=True):
        figure = section.figure
        if figure.suppressed or figure.score is None:
            shown = fewer
        else:
            shown = f"{rounded_score(figure.score)} ({figure.band})" + (
                f", {figure.agree_pct:.0f}% agreeing" if figure.agree_pct is not None else ""
            )
        rank = f"; {section.rank.text()}" if section.rank is not None else ""
        change = ""
        if figure.change is not None:
            change = f"; {describe_change(figure.change)} since {result.previous_label}"
        n = "-" if figure.n is None else figure.n
        click.echo(f"  {section.section}: n={n}, {shown}{rank}{change}")
        if row["withheld"]:
            click.echo(f"      {by}: {row['withheld']}")
        for group in row["groups"]:
            value = (
                fewer
                if group["suppressed"] or group["score"] is None
                else (f"{rounded_score(group['score'])} ({group['band']})")
            )
            click.echo(f"      {by}={group['group']}: {value}")

"""`tracker rate` and `tracker kpis`: every outcome's rating and every KPI's status, as a table or JSON."""

from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker.cli import cli, require_schema
from tracker.db.models import Framework
from tracker.domain.formats import NO_DATA, kpi_value
from tracker.domain.vocabulary import RATING_LABELS
from tracker.extensions import db
from tracker.ratings import RatingSet, ratings_for, upkeep
from tracker.ratings.compute import parse_as_of
from tracker.ratings.gc_pause import gc_paused


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    parsed = parse_as_of(value)
    if parsed is None:
        raise click.BadParameter(f"'{value}' is not a date as YYYY-MM-DD", param_hint="--as-of")
    return parsed


def _rated(framework: str, as_of: str | None, *, for_report: bool = False) -> RatingSet:
    """Every outcome rated now with its full reasons, or (`for_report`) as the report reads them."""
    require_schema()
    with gc_paused():  # one process, one job: see gc_pause
        rated = ratings_for(
            db.session, framework, _as_of(as_of), detail=not for_report, for_report=for_report
        )
    if rated is None:
        raise click.ClickException(f"no framework has the id '{framework}' (see `tracker framework list`)")
    return rated


@cli.command("rate")
@click.option("--framework", required=True, help="The framework id.")
@click.option("--as-of", "as_of", default=None, help="Rate with what was known on this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@with_appcontext
def rate(framework: str, as_of: str | None, as_json: bool) -> None:
    """The rating of every outcome, the rule that decided it and why."""
    rated = _rated(framework, as_of)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rated.detail.values()], indent=2))
        return
    click.echo(f"{rated.framework.title}, version {rated.framework.version}, as of {rated.as_of.isoformat()}")
    for r in rated.detail.values():
        flag = " (override" + (", stale: review" if r.stale else "") + ")" if r.override else ""
        click.echo(f"\n{r.outcome_id}: {r.rating}{flag} [{r.rule}]")
        click.echo(f"  {RATING_LABELS[r.rating]}")
        click.echo(f"  {r.reasons[0]}")


@cli.command("refresh-ratings")
@click.option("--framework", "frameworks", multiple=True, help="A framework id (repeatable); default: all.")
@with_appcontext
def refresh_ratings(frameworks: tuple[str, ...]) -> None:
    """Re-rate and store every outcome as of its default date (run daily for frameworks rated as of today).

    Pages store what they had to rate anyway; this only saves the first reader of the day the wait.
    """
    require_schema()
    known = set(db.session.scalars(select(Framework.slug)))
    db.session.rollback()  # end the read, so each framework's transaction below begins as a writer
    unknown = [slug for slug in frameworks if slug not in known]
    if unknown:
        raise click.ClickException(f"no framework has the id '{unknown[0]}' (see `tracker framework list`)")
    # One short transaction per framework: saves elsewhere wait seconds at most, not the whole run.
    for slug in frameworks or sorted(known):
        with db.unit_of_work() as session, gc_paused():
            count = upkeep.refresh(session, slug)
        click.echo(f"{slug}: {count} outcomes rated and stored")


@cli.command("kpis")
@click.option("--framework", required=True, help="The framework id.")
@click.option("--as-of", "as_of", default=None, help="Use values for periods ending on or before this date.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@with_appcontext
def kpis(framework: str, as_of: str | None, as_json: bool) -> None:
    """The status of every KPI: baseline, latest, change, target."""
    rated = _rated(framework, as_of)
    if as_json:
        click.echo(json.dumps([k.to_json() for k in rated.kpis], indent=2))
        return
    click.echo(f"{rated.framework.title}, KPIs as of {rated.as_of.isoformat()}")
    for k in rated.kpis:
        latest = f"{kpi_value(k.latest[1], k.unit)} ({k.latest[0]})" if k.latest else NO_DATA
        click.echo(f"\n{k.kpi_id}: {k.status} — latest {latest}")
        click.echo(f"  {k.reason}")

"""`tracker evidence import` and `tracker kpi import`: all rows or none, one `CSV:ROW: message` each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.cli import cli, require_schema
from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services import imports
from tracker.services.audit import Actor
from tracker.services.permissions import Principal


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > imports.MAX_CSV_BYTES:
            raise click.ClickException(
                f"{path}:1: the file is larger than {imports.MAX_CSV_BYTES // 1048576} MB"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise click.ClickException(f"{path}:1: no such file") from None
    except IsADirectoryError:
        raise click.ClickException(f"{path}:1: is a folder, not a file") from None


def _run(path: Path, framework: str, kind: str) -> None:
    """Check the file outside any writing transaction, then write it in one short one: others keep writing."""
    require_schema()
    raw = _read(path)
    actor, principal = Actor.command_line(), Principal.command_line()
    session = db.session
    ctx = evidence_service.framework_context(session, framework)
    if ctx is None:
        raise click.ClickException(f"no framework has the id '{framework}' (see `tracker framework list`)")
    scope = imports.ImportScope.of(ctx, principal)
    session.rollback()
    if kind == "evidence":
        checked_evidence = imports.check_evidence(scope, principal, raw, date.today())
        with db.unit_of_work() as session:
            result = imports.write_evidence(session, actor, principal, checked_evidence)
    else:
        checked_kpis = imports.check_kpi_values(scope, principal, raw)
        with db.unit_of_work() as session:
            result = imports.write_kpi_values(session, actor, principal, checked_kpis)
    if not result.ok:
        for problem in result.problems:
            click.echo(problem.located(str(path)))
        if result.more_problems:
            click.echo(f"… and {result.more_problems:,} more problems: fix these and run the import again")
        raise click.ClickException(f"{result.problem_count:,} problem(s); nothing was imported")
    noun = "evidence items" if kind == "evidence" else "KPI values"
    click.echo(
        f"{framework}: imported {result.added} {noun}"
        + (f"; {result.skipped} already present" if result.skipped else "")
    )


@cli.group("evidence")
def evidence_group() -> None:
    """Evidence items."""


@evidence_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@click.option("--framework", required=True, help="The framework id.")
@with_appcontext
def evidence_import(csv_file: Path, framework: str) -> None:
    """Import evidence from a CSV file: every row or none."""
    _run(csv_file, framework, "evidence")


@cli.group("kpi")
def kpi_group() -> None:
    """KPI values."""


@kpi_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@click.option("--framework", required=True, help="The framework id.")
@with_appcontext
def kpi_import(csv_file: Path, framework: str) -> None:
    """Import KPI values from a CSV file: every row or none."""
    _run(csv_file, framework, "kpi")

"""The `tracker` command: one clear line per problem and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from tracker.db import migrate
from tracker.domain.loader import load_framework_file
from tracker.extensions import db
from tracker.services import frameworks as framework_service
from tracker.services.audit import Actor


def _create_app() -> Any:
    from tracker import create_app

    return create_app()


@click.group(name="tracker")
def cli() -> None:
    """The outcomes tracker: frameworks, evidence, ratings and reports."""


def require_schema() -> None:
    """Commands other than init-db, serve and demo need a schema that is already up to date."""
    if not migrate.is_current(db.engine):
        raise click.ClickException(
            "the database schema is missing or out of date: run `tracker init-db` first"
        )


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema, or upgrade it to the newest version (safe to repeat)."""
    before, after = migrate.upgrade(db.engine)
    url = db.engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"database schema is up to date (revision {after}) at {url}")
    else:
        click.echo(f"database schema upgraded from {before or 'empty'} to revision {after} at {url}")


@cli.group("framework")
def framework_group() -> None:
    """Validate, load and list frameworks."""


@framework_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
def framework_validate(files: tuple[Path, ...]) -> None:
    """Check framework files; exit 1 with FILE:LINE:COL: message for each problem."""
    failed = False
    for path in files:
        result = load_framework_file(path, str(path))
        for problem in result.problems:
            click.echo(str(problem))
        if result.ok and result.framework is not None:
            f = result.framework
            click.echo(
                f"{path}: valid: {f.id} version {f.version}, {len(f.themes)} themes, "
                f"{len(f.outcomes)} outcomes, {len(f.kpis)} KPIs",
                err=True,
            )
        else:
            failed = True
    sys.exit(1 if failed else 0)


@framework_group.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
@with_appcontext
def framework_load(files: tuple[Path, ...]) -> None:
    """Add frameworks, or new versions of them; all files load together or none does."""
    require_schema()
    results = [load_framework_file(path, str(path)) for path in files]
    problems = [p for r in results for p in r.problems]
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise click.ClickException("nothing was loaded")
    summaries = []
    try:
        with db.unit_of_work() as session:
            for path, result in zip(files, results, strict=True):
                assert result.framework is not None and result.text is not None
                summaries.append(
                    framework_service.load_version(
                        session, result.framework, result.text, Actor.command_line(), source_name=path.name
                    )
                )
    except framework_service.FrameworkRefused as refused:
        raise click.ClickException(str(refused)) from None
    for summary in summaries:
        _print_summary(summary)


def _print_summary(summary: framework_service.LoadSummary) -> None:
    if summary.unchanged:
        click.echo(f"{summary.framework_id}: version {summary.version} is already loaded; nothing changed")
        return
    what = "new framework" if summary.created else "new version"
    click.echo(f"{summary.framework_id}: loaded version {summary.version} ({what})")
    for label, items in (
        ("added", summary.added),
        ("changed", summary.changed),
        ("archived", summary.archived),
        ("restored", summary.restored),
    ):
        click.echo(f"  {label}: {len(items)}")
        for item in items:
            click.echo(f"    {item}")


@framework_group.command("list")
@with_appcontext
def framework_list() -> None:
    """The loaded frameworks: id, title, current version."""
    require_schema()
    listings = framework_service.list_frameworks(db.session)
    if not listings:
        click.echo("no frameworks loaded: use `tracker framework load FILE`")
        return
    width = max(len(x.slug) for x in listings)
    for item in listings:
        click.echo(f"{item.slug:<{width}}  v{item.version}  {item.title}  ({item.versions} version(s) kept)")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def serve(host: str, port: int, workers: int) -> None:
    """Run the production web server (gunicorn), applying migrations first."""
    from tracker.web.server import run_server

    migrate.upgrade(db.engine)
    click.echo(f"serving the tracker on http://{host}:{port}/ with {workers} workers (Ctrl+C stops)")
    run_server(current_app._get_current_object(), host=host, port=port, workers=workers)  # type: ignore[attr-defined]


def main() -> None:
    """Entry point: click's own errors as they are; anything else as one line, never a traceback."""
    try:
        cli.main(prog_name="tracker", standalone_mode=False, obj=ScriptInfo(create_app=_create_app))
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        click.echo(f"Error: the database could not be used: {reason}", err=True)
        sys.exit(1)
    except SQLAlchemyError as error:
        click.echo(f"Error: database error: {type(error).__name__}: {str(error).splitlines()[0]}", err=True)
        sys.exit(1)
    except Exception as error:
        click.echo(f"Error: unexpected {type(error).__name__}: {error}", err=True)
        sys.exit(2)

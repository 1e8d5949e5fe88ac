"""The `tracker` command: one clear line per problem and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from tracker.db import migrate
from tracker.extensions import db


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


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--demo", "with_demo", is_flag=True, help="Load the demo data first (once; later starts keep it)."
)
@with_appcontext
def serve(host: str, port: int, workers: int, with_demo: bool) -> None:
    """Run the production web server (gunicorn), applying migrations first."""
    from tracker.cli.demo import run_demo
    from tracker.web.server import run_server

    migrate.upgrade(db.engine)
    if with_demo:
        run_demo()
    _sweep_uploads()
    click.echo(f"serving the tracker on http://{host}:{port}/ with {workers} workers (Ctrl+C stops)")
    run_server(current_app._get_current_object(), host=host, port=port, workers=workers)  # type: ignore[attr-defined]  # typed as Flask, is a LocalProxy


def _sweep_uploads() -> None:
    """Before serving: set aside files a killed process left without their row (see attachments.sweep)."""
    from pathlib import Path

    from tracker.services.attachments import sweep

    with db.unit_of_work() as session:
        result = sweep(session, Path(current_app.config["UPLOAD_FOLDER"]))
    if result.moved or result.removed_parts:
        click.echo(
            f"uploads: {len(result.moved)} file(s) without a record moved to uploads/orphaned/, "
            f"{len(result.removed_parts)} unfinished upload(s) removed"
        )


def _register_feature_commands() -> None:
    """Each feature keeps its commands in its own module; importing it attaches them to `cli`."""
    from tracker.cli import (  # noqa: F401
        api_tokens,
        archive,
        data,
        demo,
        events,
        frameworks,
        ratings,
        reports,
        storage,
        survey_report,
        surveys,
        users,
        worker,
    )


_register_feature_commands()


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

"""The `tracker` command: one clear line per problem and a non-zero exit, never a traceback.

Each feature's commands live in a module of their own, imported only when one of them runs or shows its help:
`tracker --help` imports click and this module, not Flask, SQLAlchemy or WeasyPrint (issue 23).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

import click

_F = TypeVar("_F", bound=Callable[..., Any])

# Each command of a feature module: the modules that define it or add subcommands to it, and its one-line help
# as `tracker --help` lists it (tests/unit/test_cli_lazy.py holds both to the commands themselves).
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "api-token": (("api_tokens",), "Make, revoke and list tokens for the read-only JSON API."),
    "backup": (
        ("archive",),
        "Copy the live SQLite database to FILE (online backup API); PostgreSQL is backed up with pg_dump.",
    ),
    "demo": (
        ("demo",),
        "Load the three seed frameworks, their demo evidence and KPI values, and one demo user per role.",
    ),
    "event": (("events",), "Events: conferences and weeks of sessions, their sessions and feedback."),
    "evidence": (("data",), "Evidence items."),
    "export": (
        ("archive",),
        "Write everything about one framework to a zip (JSON plus files) that `tracker import` restores.",
    ),
    "framework": (("frameworks",), "Validate, load and list frameworks."),
    "import": (
        ("archive",),
        "Restore frameworks from `tracker export` zips: all of them, with their ids, or nothing.",
    ),
    "kpi": (("data",), "KPI values."),
    "kpis": (("ratings",), "The status of every KPI: baseline, latest, change, target."),
    "rate": (("ratings",), "The rating of every outcome, the rule that decided it and why."),
    "refresh-ratings": (
        ("ratings",),
        "Re-rate and store every outcome as of its default date"
        " (run daily for frameworks rated as of today).",
    ),
    "report": (
        ("reports",),
        "Write the progress report: every theme, outcome rating, KPI and piece of evidence.",
    ),
    "storage": (("storage",), "Where the attachments' bytes are kept (STORAGE_URL; see docs/storage.md)."),
    "survey": (("surveys", "survey_report"), "Likert surveys: import rounds, see scored results."),
    "user": (("users",), "Manage user accounts."),
    "worker": (
        ("worker",),
        "Process report jobs; needs TRACKER_REDIS_URL, and the same database settings as the web server.",
    ),
}


def _create_app() -> Any:
    from tracker import create_app

    return create_app()


class TrackerGroup(click.Group):
    """The top-level group: a feature's module is imported when one of its commands is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in unlisted_modules():  # a module COMMANDS does not name yet still shows its commands
            importlib.import_module(f"tracker.cli.{module}")
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            _load(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, with the listed help of the commands not imported (so listing them imports nothing)."""

        def command(name: str) -> click.Command:
            if name in self.commands:
                return self.commands[name]
            return click.Command(name, help=COMMANDS[name][1])

        commands = [(name, command(name)) for name in self.list_commands(ctx)]
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = [(name, command.get_short_help_str(limit)) for name, command in commands if not command.hidden]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        """A command is about to run: give it the app's ScriptInfo unless a caller (the tests) gave one."""
        if ctx.obj is None:
            from flask.cli import ScriptInfo

            ctx.obj = ScriptInfo(create_app=_create_app)
        return super().invoke(ctx)


def _load(name: str) -> None:
    """Import the modules of one command; a name not in COMMANDS, the modules COMMANDS does not name."""
    for module in COMMANDS[name][0] if name in COMMANDS else unlisted_modules():
        importlib.import_module(f"tracker.cli.{module}")


def unlisted_modules() -> list[str]:
    """The command modules of this package COMMANDS does not name (a new one until its line is added)."""
    listed = {module for modules, _ in COMMANDS.values() for module in modules}
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name not in listed)


def with_appcontext(f: _F) -> _F:
    """flask.cli.with_appcontext, with Flask imported when the command runs rather than when it is listed."""

    @functools.wraps(f)
    def run(*args: Any, **kwargs: Any) -> Any:
        from flask.cli import with_appcontext as flask_with_appcontext

        return flask_with_appcontext(f)(*args, **kwargs)

    return cast(_F, run)


@click.group(name="tracker", cls=TrackerGroup)
def cli() -> None:
    """The outcomes tracker: frameworks, evidence, ratings and reports."""


def require_schema() -> None:
    """Commands other than init-db, serve and demo need a schema that is already up to date."""
    from tracker.db import migrate
    from tracker.extensions import db

    if not migrate.is_current(db.engine):
        raise click.ClickException(
            "the database schema is missing or out of date: run `tracker init-db` first"
        )


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema, or upgrade it to the newest version (safe to repeat)."""
    from tracker.db import migrate
    from tracker.extensions import db

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
    from flask import current_app

    from tracker.cli.demo import run_demo
    from tracker.db import migrate
    from tracker.extensions import db
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

    from flask import current_app

    from tracker.extensions import db
    from tracker.services.attachments import sweep

    with db.unit_of_work() as session:
        result = sweep(session, Path(current_app.config["UPLOAD_FOLDER"]))
    if result.moved or result.removed_parts:
        click.echo(
            f"uploads: {len(result.moved)} file(s) without a record moved to uploads/orphaned/, "
            f"{len(result.removed_parts)} unfinished upload(s) removed"
        )


def _register_feature_commands() -> None:
    """Each feature keeps its commands in its own module; importing it attaches them to `cli` (all of them:
    a command name COMMANDS does not list, and the tests that walk every command)."""
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


def main() -> None:
    """Entry point: click's own errors as they are; anything else as one line, never a traceback."""
    try:
        cli.main(prog_name="tracker", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except Exception as error:
        code, message = _one_line(error)
        click.echo(message, err=True)
        sys.exit(code)


def _one_line(error: Exception) -> tuple[int, str]:
    """The exit code and the line for an error no command caught (SQLAlchemy's imported only now)."""
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    if isinstance(error, OperationalError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return 1, f"Error: the database could not be used: {reason}"
    if isinstance(error, SQLAlchemyError):
        return 1, f"Error: database error: {type(error).__name__}: {str(error).splitlines()[0]}"
    return 2, f"Error: unexpected {type(error).__name__}: {error}"

"""`tracker demo` and `tracker serve --demo`: the seed evaluations as live data, for a newcomer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.cli import cli
from tracker.db import migrate
from tracker.db.models import Base
from tracker.extensions import db
from tracker.resources import frameworks_dir
from tracker.services import demo as demo_service


def run_demo() -> None:
    """Apply migrations, load the demo in one transaction, print what was loaded and how to sign in."""
    migrate.upgrade(db.engine)
    try:
        with db.unit_of_work() as session:
            summary = demo_service.load_demo(
                session, frameworks_dir(), Path(current_app.instance_path), date.today()
            )
    except demo_service.DemoError as error:
        raise click.ClickException(f"the demo could not be loaded: {error}") from None
    for line in summary.lines:
        click.echo(line)
    click.echo(
        "\nDemo users (one per role); the passwords are also in the instance folder, demo-credentials.txt:"
    )
    for role, email, password in summary.users:
        click.echo(f"  {role:<9} {email:<24} {password}")


@cli.command("demo")
@click.option("--reset", is_flag=True, help="Empty the database first (asks unless --yes).")
@click.option("--yes", is_flag=True, help="Do not ask before --reset empties the database.")
@with_appcontext
def demo(reset: bool, yes: bool) -> None:
    """Load the three seed frameworks, their demo evidence and KPI values, and one demo user per role."""
    if reset:
        url = db.engine.url.render_as_string(hide_password=True)
        if not yes and not click.confirm(
            f"Empty the database at {url}? Everything in it is deleted", default=False
        ):
            raise click.ClickException("nothing was changed")
        with db.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        click.echo(f"emptied {url}")
    run_demo()

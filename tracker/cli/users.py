"""`tracker user add`: accounts from the command line, password read from standard input."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tracker.cli import cli, require_schema
from tracker.db.models import ROLES
from tracker.extensions import db
from tracker.services import accounts
from tracker.services.audit import Actor


@cli.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--partner", "partner", default=None, help="The partner id a lead belongs to.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
@with_appcontext
def user_add(email: str, role: str, partner: str | None, password_stdin: bool) -> None:
    """Create a user; the password comes from standard input so it never shows in the process list."""
    require_schema()
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with db.unit_of_work() as session:
            user = accounts.create_user(session, Actor.command_line(), email, role, password, partner)
            created = (user.email, user.role)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created {created[1]} {created[0]}" + (f" of partner {partner}" if partner else ""))

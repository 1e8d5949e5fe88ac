"""`tracker user add|disable|set-password|list`: accounts from the command line, passwords from stdin."""

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


@user_group.command("disable")
@click.argument("email")
@with_appcontext
def user_disable(email: str) -> None:
    """Disable an account and end its sessions (audited, as on the admin page)."""
    require_schema()
    try:
        with db.unit_of_work() as session:
            user = accounts.find_user(session, email)
            changed = accounts.disable_user(session, Actor.command_line(), user)
            address = user.email
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"disabled {address}; its sessions ended" if changed else f"{address} is already disabled")


@user_group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
@with_appcontext
def user_set_password(email: str, password_stdin: bool) -> None:
    """Give an account a new password: its sessions end and its sign-in lock-outs are lifted."""
    require_schema()
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with db.unit_of_work() as session:
            user = accounts.find_user(session, email)
            cleared = accounts.set_password(session, Actor.command_line(), user, password)
            address = user.email
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    lifted = f"; {cleared} sign-in lock-out(s) lifted" if cleared else ""
    click.echo(f"password set for {address}; its sessions ended{lifted}")


@user_group.command("list")
@with_appcontext
def user_list() -> None:
    """Every account: email, role, partner, enabled or disabled, last sign-in, current lock-outs."""
    require_schema()
    rows = accounts.list_users(db.session)
    if not rows:
        click.echo("no users yet: add one with `tracker user add EMAIL --role admin --password-stdin`")
        return
    table = [("EMAIL", "ROLE", "PARTNER", "STATUS", "LAST SIGN-IN (UTC)", "LOCKED OUT")]
    for row in rows:
        table.append(
            (
                row.email,
                row.role,
                row.partner or "-",
                "enabled" if row.active else "disabled",
                row.last_login_at.strftime("%Y-%m-%d %H:%M") if row.last_login_at else "never",
                f"{row.locked_clients} address(es)" if row.locked_clients else "-",
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())

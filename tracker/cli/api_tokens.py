"""`tracker api-token create|revoke|list`: API tokens from the command line, audited as on the admin page."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from tracker.api import tokens
from tracker.cli import cli, require_schema
from tracker.extensions import db
from tracker.services.audit import Actor


@cli.group("api-token")
def api_token_group() -> None:
    """Make, revoke and list tokens for the read-only JSON API."""


@api_token_group.command("create")
@click.option("--user", "email", required=True, help="The email address of the user the token reads as.")
@click.option("--name", default="", help="What the token is for (up to 100 characters); 'token N' if none.")
@with_appcontext
def api_token_create(email: str, name: str) -> None:
    """Make a token and print it, alone on its line, once: only its digest is kept."""
    require_schema()
    try:
        with db.unit_of_work() as session:
            token, raw = tokens.create_token(session, Actor.command_line(), email, name)
            made = tokens.token_listing(session, token.id)
    except tokens.TokenRefused as error:
        raise click.ClickException(str(error)) from None
    who = f"{made.user_email} ({made.role})" if made else email
    click.echo(raw)  # printed only once the token is committed: a token shown is a token that works
    click.echo(f"token {token.id} for {who}: shown once, store it now", err=True)


@api_token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def api_token_revoke(token_id: int) -> None:
    """Revoke a token by its id (see `tracker api-token list`): it stops working at once."""
    require_schema()
    try:
        with db.unit_of_work() as session:
            changed = tokens.revoke_token(session, Actor.command_line(), token_id)  # refuses an unknown id
            listing = tokens.token_listing(session, token_id)
    except tokens.TokenRefused as error:
        raise click.ClickException(str(error)) from None
    which = f"token {token_id}" + (f" ('{listing.name}') of {listing.user_email}" if listing else "")
    click.echo(f"revoked {which}: it no longer works" if changed else f"{which} is already revoked")


@api_token_group.command("list")
@with_appcontext
def api_token_list() -> None:
    """Every token, revoked ones too: id, name, how it begins, user, role, made, last used, revoked (UTC)."""
    require_schema()
    listed = tokens.list_tokens(db.session)
    if not listed:
        click.echo("no API tokens yet: make one with `tracker api-token create --user EMAIL`")
        return
    table = [("ID", "NAME", "BEGINS WITH", "USER", "ROLE", "MADE (UTC)", "LAST USED (UTC)", "REVOKED (UTC)")]
    for t in listed:
        user = t.user_email if t.user_active else f"{t.user_email} (disabled)"
        table.append(
            (
                str(t.id),
                t.name,
                t.shown_prefix,
                user,
                t.role,
                _when(t.created_at),
                _when(t.last_used_at),
                _when(t.revoked_at, "-"),
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def _when(moment: datetime | None, never: str = "never") -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else never

"""`tracker storage migrate --to URL`: move the attachments' bytes to another store, every digest checked."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection

from tracker.cli import cli, require_schema
from tracker.extensions import db
from tracker.services.audit import Actor, record
from tracker.storage import check_url, store_for
from tracker.storage.migrate import Migration, copy_one, referenced

BATCH = 500  # blobs per transaction: progress is kept, and a database target's rows commit in steps


@cli.group("storage")
def storage_group() -> None:
    """Where the attachments' bytes are kept (STORAGE_URL; see docs/storage.md)."""


@storage_group.command("migrate")
@click.option(
    "--to", "target_url", required=True, help="The store to copy to: file:///absolute/path or database:"
)
@with_appcontext
def migrate_command(target_url: str) -> None:
    """Copy every stored file the database names to another store, checking each digest on read and after
    the write; a file already there is checked, not copied again. Then set TRACKER_STORAGE_URL to it."""
    require_schema()
    check_url(target_url, "--to")
    upload_dir = Path(current_app.config["UPLOAD_FOLDER"])
    source_url = str(current_app.config["STORAGE_URL"])

    def connection() -> Connection:
        return db.session.connection()  # the current batch's transaction

    source = store_for(source_url, upload_dir, connection)
    target = store_for(target_url, upload_dir, connection)
    with db.unit_of_work() as session:
        refs = referenced(session)
    result = Migration()
    for start in range(0, len(refs), BATCH):
        with db.unit_of_work():
            for ref in refs[start : start + BATCH]:
                copy_one(source, target, upload_dir, ref, result)
    with db.unit_of_work() as session:
        record(
            session,
            Actor.command_line(),
            "storage.migrate",
            object_type="storage",
            object_id="database" if target_url == "database:" else "folder",  # the URL is in `after`
            after={
                "to": target.url,
                "copied": result.copied,
                "already_there": result.kept,
                "problems": len(result.problems),
            },
            detail=f"from {source.url} to {target.url}",
        )
    click.echo(
        f"{len(refs)} stored file(s): {result.copied} copied to {target.url}, {result.kept} already there "
        "(checked); every digest verified on read and after the write"
    )
    for problem in result.problems:
        click.echo(f"Error: {problem}", err=True)
    if result.problems:
        raise click.ClickException(
            f"{len(result.problems)} file(s) could not be copied (listed above; the others were): "
            "restore them from a backup, then run the command again"
        )
    click.echo(f"now set TRACKER_STORAGE_URL={target_url} and restart the tracker")

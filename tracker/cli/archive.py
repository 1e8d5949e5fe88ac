"""`tracker export`, `tracker import` and `tracker backup`: a framework kept whole, a database copied live."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from tracker.cli import cli, require_schema
from tracker.db import migrate
from tracker.extensions import db
from tracker.services import archive as archive_service
from tracker.services.audit import Actor, record
from tracker.storage.app import current_store


class UsePgDump(click.ClickException):
    """Not an error in the data: this database is backed up with its own tool (exit status 2)."""

    exit_code = 2


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _counts(counts: dict[str, int]) -> str:
    """The figures a person checks first, in one line."""
    shown = (
        ("evidence", "evidence items"),
        ("attachment", "attachments"),
        ("kpi_value", "KPI values"),
        ("survey_response", "survey responses"),
        ("survey_org", "survey organisations"),
        ("rating_override", "overrides"),
        ("action_plan", "action plans"),
        ("kpi_curve_note", "turn-the-curve notes"),
        ("audit_event", "audit rows"),
        ("user_account", "users"),
    )
    return ", ".join(f"{counts.get(name, 0)} {label}" for name, label in shown)


@cli.command("export")
@click.option("--framework", required=True, help="The framework id.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(framework: str, output: Path) -> None:
    """Write everything about one framework to a zip (JSON plus files) that `tracker import` restores."""
    require_schema()
    try:
        result = archive_service.export_framework(
            db.engine,
            framework,
            _upload_dir(),
            output,
            datetime.now(UTC),
            migrate.current_revision(db.engine),
            current_store(),
        )
    except archive_service.ArchiveError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"{output}: could not be written: {error.strerror or error}") from None
    with db.unit_of_work() as session:
        record(
            session,
            Actor.command_line(),
            "archive.export",
            object_type="archive",
            object_id=framework,
            after={"file": output.name, "sha256": result.sha256, "counts": result.counts},
            detail=f"exported {framework} to {output}",
        )
    click.echo(
        f"exported {framework} (version {result.version}) to {output} ({result.size:,} bytes, "
        f"sha256 {result.sha256[:16]}): {_counts(result.counts)}"
    )
    click.echo("the file holds password hashes and personal data: keep it as safe as the database")


@cli.command("import")
@click.argument("archive_files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_command(archive_files: tuple[Path, ...]) -> None:
    """Restore frameworks from `tracker export` zips: all of them, with their ids, or nothing."""
    require_schema()
    try:
        max_file_bytes = int(current_app.config["UPLOAD_MAX_BYTES"])
        archives = [archive_service.read_archive(path, max_file_bytes) for path in archive_files]
        with db.unit_of_work() as session:
            results = archive_service.restore(
                session, archives, _upload_dir(), Actor.command_line(), current_store()
            )
    except archive_service.ArchiveError as error:
        raise click.ClickException(str(error)) from None
    except IntegrityError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise click.ClickException(
            f"rows collide with rows in this database ({reason}); nothing was imported"
        ) from None
    except OSError as error:
        raise click.ClickException(
            f"a file could not be restored: {error.strerror or error}; nothing was imported"
        ) from None
    for path, result in zip(archive_files, results, strict=True):
        kept = "".join(f"; {n} {name} rows already here were kept" for name, n in sorted(result.kept.items()))
        click.echo(
            f"imported {result.slug} (version {result.version}) from {path}: "
            f"{_counts(result.counts)}, {result.file_bytes:,} bytes of files{kept}"
        )


@cli.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(output: Path, force: bool) -> None:
    """Copy the live SQLite database to FILE (online backup API); PostgreSQL is backed up with pg_dump."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        plain = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
        raise UsePgDump(
            f"tracker backup copies SQLite databases only; back up {url.get_backend_name()} with pg_dump, "
            f"e.g. pg_dump --format=custom --file={output} '{plain}'"
        )
    try:
        source = archive_service.sqlite_path(url.render_as_string(hide_password=False))
        result = archive_service.backup_sqlite(source, output, force)
    except archive_service.ArchiveError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"{output}: could not be written: {error.strerror or error}") from None
    click.echo(
        f"backed up {source} to {output} ({result.size:,} bytes, schema revision {result.revision}, "
        f"integrity ok) in {result.seconds:.2f} s"
    )

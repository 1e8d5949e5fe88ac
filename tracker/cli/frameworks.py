"""`tracker framework validate|load|list`: frameworks as versioned files."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.cli import cli, require_schema
from tracker.domain.loader import load_framework_file
from tracker.extensions import db
from tracker.services import frameworks as framework_service
from tracker.services.audit import Actor


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

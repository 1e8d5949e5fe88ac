"""`tracker worker`: renders report PDFs from the Redis queue (start one or more beside the web server)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.cli import cli
from tracker.reports import jobs


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests and cron).")
@with_appcontext
def worker(burst: bool) -> None:
    """Process report jobs; needs TRACKER_REDIS_URL, and the same database settings as the web server."""
    queue = jobs.queue(current_app)
    if queue is None:
        raise click.ClickException(
            "set TRACKER_REDIS_URL (for example redis://127.0.0.1:6379/0) to use workers"
        )
    from rq import Worker

    click.echo(f"working on queue {queue.name} at {current_app.config['REDIS_URL']}")
    Worker([queue], connection=queue.connection).work(burst=burst)

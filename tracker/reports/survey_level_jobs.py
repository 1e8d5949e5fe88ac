"""Every report of a survey round as PDFs in one folder: the national report, one per region and one per
organisation (`national.pdf`, `region-<slug>.pdf`, `org-<id>.pdf`). `tracker survey report --all` writes
them in the foreground; on the web an administrator starts them as a background job, an RQ job on the
report queue when Redis is configured (`tracker worker` runs it), else a thread of the web process. Either
way the set's status says how far it has got (reports done of total), which the page reads: a status.json in
the instance folder, or a row beside the PDFs in the shared store when a STORAGE_URL is set
(survey_level_batches.py).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app

from tracker.extensions import db
from tracker.reports import jobs
from tracker.reports.survey_level_batches import (
    STALE_AFTER,
    BatchPlace,
    BatchStatus,
    FolderPlace,
    place_for,
)
from tracker.reports.survey_level_batches import batch_folder as batch_folder
from tracker.reports.survey_level_batches import read_status as read_status
from tracker.reports.survey_level_batches import write_status as write_status
from tracker.reports.survey_level_inputs import every_report, target_of
from tracker.reports.survey_level_model import LevelReport
from tracker.reports.survey_level_render import file_slug, level_pdf

log = logging.getLogger(__name__)

_ORG_ID = re.compile(r"[^A-Za-z0-9._-]+")
Runner = Callable[[Flask, str, str, str, BatchPlace], None]
# app.extensions[RUNNER] replaces the thread that runs a set when no queue is configured (tests run it inline)
RUNNER = "tracker_survey_report_runner"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_name(report: LevelReport) -> str:
    """national.pdf, region-north-east.pdf, org-la-104.pdf."""
    if report.level == "national":
        return "national.pdf"
    if report.level == "region":
        return f"region-{file_slug(report.key)}.pdf"
    return f"org-{_ORG_ID.sub('-', report.key).strip('-.') or 'x'}.pdf"


def pdfs_into_folder(
    reports: Sequence[LevelReport], folder: Path, progress: Callable[[int, int, str], None] | None = None
) -> list[str]:
    """Each report's PDF (from the cache when made before) into `folder`; `progress(done, total, name)`
    after each. Raises ReportTimeout or ReportFailed."""
    return keep_pdfs(reports, FolderPlace(folder), progress)


def keep_pdfs(
    reports: Sequence[LevelReport], place: BatchPlace, progress: Callable[[int, int, str], None] | None = None
) -> list[str]:
    names = []
    for done, report in enumerate(reports, start=1):
        name = file_name(report)
        place.put(name, level_pdf(report))
        names.append(name)
        if progress is not None:
            progress(done, len(reports), name)
    return names


def run_batch(slug: str, survey_id: str, round_label: str, place: BatchPlace) -> BatchStatus:
    """In an app context: read the round (committed before the long part), then make every PDF, saying how
    far it has got in the place's status; a failure is recorded there in one line."""
    status = BatchStatus("running", round_label, started_at=_now(), updated_at=_now())
    place.write_status(status)
    try:
        with db.unit_of_work() as session:  # stores the round's results if they were not yet
            read = every_report(session, target_of(session, slug, survey_id, "national"), round_label)
        if read is None:
            raise LookupError(f"survey '{survey_id}' has no round '{round_label}'")
        _label, reports = read
        status = replace(status, total=len(reports), updated_at=_now())
        place.write_status(status)

        def progress(done: int, total: int, name: str) -> None:
            nonlocal status
            status = replace(status, done=done, files=(*status.files, name), updated_at=_now())
            place.write_status(status)

        keep_pdfs(reports, place, progress)
        status = replace(status, state="done", updated_at=_now())
    except Exception as error:  # recorded for the page, never a traceback
        log.exception("survey reports of %s/%s round %s failed", slug, survey_id, round_label)
        status = replace(
            status, state="failed", error=f"{type(error).__name__}: {error}"[:500], updated_at=_now()
        )
    place.write_status(status)
    return status


def batch_job(slug: str, survey_id: str, round_label: str, folder: str) -> str:
    """In a `tracker worker`: the app configured as the web's (the same database, and the same store or the
    same instance folder, `folder`)."""
    from tracker import create_app

    app = create_app()
    try:
        with app.app_context():
            place = place_for(app, slug, survey_id, round_label, Path(folder))
            return run_batch(slug, survey_id, round_label, place).state
    finally:
        app.extensions["tracker_db"][0].dispose()


def _in_thread(app: Flask, slug: str, survey_id: str, round_label: str, place: BatchPlace) -> None:
    with app.app_context():
        run_batch(slug, survey_id, round_label, place)


def _thread(app: Flask, slug: str, survey_id: str, round_label: str, place: BatchPlace) -> None:
    """Without a queue: a thread of this process makes the set (it stops if the process does, and the
    stale status then lets an administrator start it again)."""
    name = f"survey-reports-{slug}-{survey_id}"
    args = (app, slug, survey_id, round_label, place)
    threading.Thread(target=_in_thread, args=args, name=name, daemon=True).start()


def start_batch(slug: str, survey_id: str, round_label: str) -> BatchStatus:
    """Queue the round's set unless one is queued or running; the status the page shows next."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    folder = batch_folder(app.instance_path, slug, survey_id, round_label)
    place = place_for(app, slug, survey_id, round_label, folder)
    current = place.read_status()
    if current is not None and current.active:
        return current
    status = BatchStatus("queued", round_label, started_at=_now(), updated_at=_now())
    place.begin(status)
    queue = jobs.queue(app)
    if queue is not None:
        queue.enqueue_call(
            batch_job,
            args=(slug, survey_id, round_label, str(folder)),
            job_id=f"{jobs.JOB_PREFIX}levels-{file_slug(slug)}-{file_slug(survey_id)}-{file_slug(round_label)}",
            timeout=int(STALE_AFTER.total_seconds()) * 8,
            result_ttl=600,
            failure_ttl=3600,
        )
    else:
        runner: Runner = app.extensions.get(RUNNER, _thread)
        runner(app, slug, survey_id, round_label, place)
    return status

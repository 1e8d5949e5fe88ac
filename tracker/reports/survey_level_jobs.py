"""Every report of a survey round as PDFs in one folder: the national report, one per region and one per
organisation (`national.pdf`, `region-<slug>.pdf`, `org-<id>.pdf`). `tracker survey report --all` writes
them in the foreground; on the web an administrator starts them as a background job, an RQ job on the
report queue when Redis is configured (`tracker worker` runs it), else a thread of the web process. Either
way the folder's status.json says how far it has got (reports done of total), which the page reads.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from flask import Flask, current_app

from tracker.extensions import db
from tracker.reports import jobs
from tracker.reports.survey_level_inputs import every_report, target_of
from tracker.reports.survey_level_model import LevelReport
from tracker.reports.survey_level_render import file_slug, level_pdf

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
STALE_AFTER = timedelta(minutes=15)  # a job that has said nothing for this long has died: it may start again
_ORG_ID = re.compile(r"[^A-Za-z0-9._-]+")
State = Literal["queued", "running", "done", "failed"]
Runner = Callable[[Flask, str, str, str, Path], None]
# app.extensions[RUNNER] replaces the thread that runs a set when no queue is configured (tests run it inline)
RUNNER = "tracker_survey_report_runner"


@dataclass(frozen=True)
class BatchStatus:
    """How far a set of reports has got, as its status.json holds it (times in UTC, ISO 8601)."""

    state: State
    round_label: str
    done: int = 0
    total: int = 0
    files: tuple[str, ...] = ()
    error: str = ""
    started_at: str = ""
    updated_at: str = ""

    @property
    def active(self) -> bool:
        """Queued or running, and heard from recently."""
        if self.state not in ("queued", "running") or not self.updated_at:
            return False
        return datetime.now(UTC) - datetime.fromisoformat(self.updated_at) < STALE_AFTER

    @property
    def started(self) -> datetime | None:
        return datetime.fromisoformat(self.started_at) if self.started_at else None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchStatus:
        return cls(**{**data, "files": tuple(data.get("files", ()))})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_name(report: LevelReport) -> str:
    """national.pdf, region-north-east.pdf, org-la-104.pdf."""
    if report.level == "national":
        return "national.pdf"
    if report.level == "region":
        return f"region-{file_slug(report.key)}.pdf"
    return f"org-{_ORG_ID.sub('-', report.key).strip('-.') or 'x'}.pdf"


def batch_folder(instance_path: str, slug: str, survey_id: str, round_label: str) -> Path:
    """Where the web's job keeps a round's set: the instance folder, by framework, survey and round."""
    return (
        Path(instance_path)
        / "survey-reports"
        / file_slug(slug)
        / file_slug(survey_id)
        / file_slug(round_label)
    )


def read_status(folder: Path) -> BatchStatus | None:
    try:
        return BatchStatus.from_json(json.loads((folder / STATUS_FILE).read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def write_status(folder: Path, status: BatchStatus) -> None:
    """Replace the status in one step, so the page never reads half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{STATUS_FILE}.part"
    partial.write_text(json.dumps(asdict(status)), encoding="utf-8")
    partial.replace(folder / STATUS_FILE)


def write_pdfs(
    reports: Sequence[LevelReport], folder: Path, progress: Callable[[int, int, str], None] | None = None
) -> list[str]:
    """Each report's PDF (from the cache when made before) into `folder`; `progress(done, total, name)`
    after each. Raises ReportTimeout or ReportFailed."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for done, report in enumerate(reports, start=1):
        name = file_name(report)
        partial = folder / f"{name}.part"
        partial.write_bytes(level_pdf(report))
        partial.replace(folder / name)
        names.append(name)
        if progress is not None:
            progress(done, len(reports), name)
    return names


def run_batch(slug: str, survey_id: str, round_label: str, folder: Path) -> BatchStatus:
    """In an app context: read the round (committed before the long part), then make every PDF, saying how
    far it has got in `folder`'s status.json; a failure is recorded there in one line."""
    status = BatchStatus("running", round_label, started_at=_now(), updated_at=_now())
    write_status(folder, status)
    try:
        with db.unit_of_work() as session:  # stores the round's results if they were not yet
            read = every_report(session, target_of(session, slug, survey_id, "national"), round_label)
        if read is None:
            raise LookupError(f"survey '{survey_id}' has no round '{round_label}'")
        _label, reports = read
        status = replace(status, total=len(reports), updated_at=_now())
        write_status(folder, status)

        def progress(done: int, total: int, name: str) -> None:
            nonlocal status
            status = replace(status, done=done, files=(*status.files, name), updated_at=_now())
            write_status(folder, status)

        write_pdfs(reports, folder, progress)
        status = replace(status, state="done", updated_at=_now())
    except Exception as error:  # recorded for the page, never a traceback
        log.exception("survey reports of %s/%s round %s failed", slug, survey_id, round_label)
        status = replace(
            status, state="failed", error=f"{type(error).__name__}: {error}"[:500], updated_at=_now()
        )
    write_status(folder, status)
    return status


def batch_job(slug: str, survey_id: str, round_label: str, folder: str) -> str:
    """In a `tracker worker`: the app configured as the web's (same database and instance folder)."""
    from tracker import create_app

    app = create_app()
    try:
        with app.app_context():
            return run_batch(slug, survey_id, round_label, Path(folder)).state
    finally:
        app.extensions["tracker_db"][0].dispose()


def _in_thread(app: Flask, slug: str, survey_id: str, round_label: str, folder: Path) -> None:
    with app.app_context():
        run_batch(slug, survey_id, round_label, folder)


def _thread(app: Flask, slug: str, survey_id: str, round_label: str, folder: Path) -> None:
    """Without a queue: a thread of this process makes the set (it stops if the process does, and the
    stale status then lets an administrator start it again)."""
    name = f"survey-reports-{slug}-{survey_id}"
    args = (app, slug, survey_id, round_label, folder)
    threading.Thread(target=_in_thread, args=args, name=name, daemon=True).start()


def start_batch(slug: str, survey_id: str, round_label: str) -> BatchStatus:
    """Queue the round's set unless one is queued or running; the status the page shows next."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    folder = batch_folder(app.instance_path, slug, survey_id, round_label)
    current = read_status(folder)
    if current is not None and current.active:
        return current
    status = BatchStatus("queued", round_label, started_at=_now(), updated_at=_now())
    write_status(folder, status)
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
        runner(app, slug, survey_id, round_label, folder)
    return status

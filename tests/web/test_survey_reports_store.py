"""With a STORAGE_URL, a round's set of survey level PDFs and its progress live in the database and the shared
store: another app server (its own instance folder) shows the progress and serves the files."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import sign_in
from tests.page import Page
from tracker.db.storage import SurveyReportBatch, SurveyReportFile
from tracker.extensions import db
from tracker.reports import survey_level_jobs

from .test_survey_level_pages import BASE, national_app  # noqa: F401  (the round, loaded)


def test_a_set_made_by_one_server_is_shown_and_served_by_another(
    national_app: Flask,  # noqa: F811
    make_app: Any,
    make_user: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "a"))
    first = make_app(STORAGE_URL="database:")
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "b"))
    second = make_app(STORAGE_URL="database:")
    threads: list[threading.Thread] = []

    def runner(app: Flask, *args: Any) -> None:
        threads.append(threading.Thread(target=survey_level_jobs._in_thread, args=(app, *args)))
        threads[-1].start()

    first.extensions[survey_level_jobs.RUNNER] = runner
    admin = make_user("admin")
    a, b = first.test_client(), second.test_client()
    sign_in(a, admin)
    sign_in(b, admin)
    assert a.post(BASE + "/reports?round=2023/24", data={}).status_code == 302
    for thread in threads:
        thread.join(120)
    done = Page.of(b.get(BASE + "/reports"), 200)
    assert done.text("#progress").startswith("All 6 reports were made")
    names = ["national.pdf", "region-north.pdf", "region-south.pdf", "org-a.pdf", "org-b.pdf", "org-c.pdf"]
    assert [text for text, _href in done.links(".file-list a")] == names
    pdf = b.get(dict(done.links(".file-list a"))["org-b.pdf"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert b.get(BASE + "/reports/2023-24/status.json").status_code == 404
    with second.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyReportBatch)) == 1
        assert db.session.scalar(select(func.count()).select_from(SurveyReportFile)) == 6
    for instance in ("a", "b"):
        assert not (tmp_path / instance / "survey-reports").exists(), instance

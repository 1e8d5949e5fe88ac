"""With a STORAGE_URL, a rendered report PDF is a blob in the shared store: another server serves it as is."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from tracker.db.storage import CachedPdf, StoredBlobChunk
from tracker.extensions import db
from tracker.reports import render

from ..conftest import sign_in
from ..page import Page

REPORT = "/f/tiny-partnership/report"


@pytest.fixture(params=["database:", "folder"], ids=["database", "shared-folder"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "database:" if request.param == "database:" else (tmp_path / "shared").as_uri()


def two_servers(make_app: Any, storage_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Two apps on one database and one store, each with an instance folder of its own."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "a"))
    first = make_app(STORAGE_URL=storage_url)
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "b"))
    second = make_app(STORAGE_URL=storage_url)
    assert first.instance_path != second.instance_path
    return first, second


def cached_rows(app: Flask) -> list[Any]:
    """(framework, as-of date, digest, size) of every cached PDF row."""
    with app.app_context():
        query = select(CachedPdf.framework_id, CachedPdf.as_of, CachedPdf.sha256, CachedPdf.size)
        return list(db.session.execute(query).all())


def test_a_pdf_rendered_by_one_server_is_served_by_the_other(
    make_app: Any,
    storage_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_user: Any,
    load_framework: Any,
    tiny_yaml: str,
) -> None:
    first, second = two_servers(make_app, storage_url, tmp_path, monkeypatch)
    load_framework(tiny_yaml)
    board = make_user("board")
    a, b = first.test_client(), second.test_client()
    sign_in(a, board)
    sign_in(b, board)
    made = a.get(f"{REPORT}.pdf")
    assert made.status_code == 200 and made.data.startswith(b"%PDF")
    [row] = cached_rows(first)
    assert (row.framework_id, row.as_of.isoformat()) == ("tiny-partnership", "2023-04-30")
    assert row.sha256 == hashlib.sha256(made.data).hexdigest() and row.size == len(made.data)
    # Nothing is kept in either instance folder: the renderer's scratch file is gone too.
    assert [p.name for p in (tmp_path / "a" / "report-cache").glob("*.pdf")] == []

    def no_render(*_args: Any) -> Any:
        raise AssertionError("the second server rendered the PDF again")

    monkeypatch.setattr(render, "render_pdf", no_render)
    page = Page.of(b.get(REPORT), 200)
    assert page.text(".report-actions p > span.muted").startswith("A PDF of exactly this report was made ")
    served = b.get(f"{REPORT}.pdf")
    assert served.status_code == 200 and served.data == made.data
    assert not (tmp_path / "b" / "report-cache").exists() or not any(
        (tmp_path / "b" / "report-cache").iterdir()
    )


def test_a_damaged_cached_pdf_is_never_served_but_rendered_again(
    make_app: Any, make_user: Any, load_framework: Any, tiny_yaml: str
) -> None:
    app = make_app(STORAGE_URL="database:")
    load_framework(tiny_yaml)
    client = app.test_client()
    sign_in(client, make_user("board"))
    made = client.get(f"{REPORT}.pdf").data
    [row] = cached_rows(app)
    with app.app_context(), db.unit_of_work() as session:
        chunk = session.scalars(select(StoredBlobChunk).where(StoredBlobChunk.sha256 == row.sha256)).one()
        damaged = bytearray(chunk.data)
        damaged[100] ^= 0xFF
        session.execute(
            update(StoredBlobChunk).where(StoredBlobChunk.sha256 == row.sha256).values(data=bytes(damaged))
        )
    again = client.get(f"{REPORT}.pdf")
    assert again.status_code == 200 and again.data.startswith(b"%PDF") and bytes(damaged) not in again.data
    assert len(again.data) > len(made) // 2
    [fresh] = cached_rows(app)
    assert fresh.sha256 == hashlib.sha256(again.data).hexdigest()


def test_without_a_storage_url_the_pdf_stays_in_the_instance_folder(
    app: Flask, make_user: Any, load_framework: Any, tiny_yaml: str
) -> None:
    load_framework(tiny_yaml)
    client = app.test_client()
    sign_in(client, make_user("board"))
    made = client.get(f"{REPORT}.pdf").data
    assert cached_rows(app) == []
    [kept] = (Path(app.instance_path) / "report-cache").glob("tiny-partnership-2023-04-30-*.pdf")
    assert kept.read_bytes() == made

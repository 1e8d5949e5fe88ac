"""Attachments: size limit, bytes that match the extension, safe names, what is stored and how it is served."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.http import parse_options_header

from tracker.db.models import Attachment, AuditEvent, Evidence
from tracker.extensions import db

from ..conftest import count_rows, sign_in
from ..page import Page

SLUG = "tiny-partnership"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20


def office_zip(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<?xml version='1.0'?><x/>")
    return buffer.getvalue()


DOCX = office_zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = office_zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")


def form(*files: tuple[bytes, str], **overrides: Any) -> dict[str, Any]:
    return {
        "title": "Survey with attachments",
        "source_type": "survey",
        "collected_on": "2023-01-20",
        "links": ["educators-supported"],
        "finding": "supports",
        "action": "submit",
        "attachments": [(io.BytesIO(content), name) for content, name in files],
        **overrides,
    }


def blob_path(app: Flask, sha256: str) -> Path:
    """Where the default store (the folder under the upload folder) keeps a file: named by its SHA-256."""
    return Path(app.config["UPLOAD_FOLDER"]) / "blobs" / sha256[:2] / sha256[2:]


def stored_files(app: Flask) -> list[Path]:
    """Every file under the upload folder, hidden temporary ones included."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@dataclass(frozen=True)
class Stored:
    id: int
    evidence_id: int
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def attachments(app: Flask) -> list[Stored]:
    with app.app_context():
        return [
            Stored(a.id, a.evidence_id, a.original_name, a.stored_name, a.content_type, a.size, a.sha256)
            for a in db.session.scalars(select(Attachment).order_by(Attachment.id))
        ]


def attachment_error(response: Any, status: int) -> str:
    """The refusal of the attachments: beside the file field and linked from the summary, the one error."""
    page = Page.of(response, status)
    message = page.field_error("attachments")
    assert message is not None and page.field_errors() == {"attachments": message}
    assert (
        page.error_summary == [("attachments", message)]
        and page.text("#error-summary h2") == "There is a problem"
    )
    assert page.title_parts[0].startswith("Error: ")
    return message


@pytest.fixture
def lead(app: Flask, framework: str, make_user: Any) -> FlaskClient:
    client = app.test_client()
    sign_in(client, make_user("lead"))
    return client


def test_too_large_answers_413_and_leaves_nothing(make_app: Any, framework: str, make_user: Any) -> None:
    small = make_app(UPLOAD_MAX_BYTES=1024, MAX_CONTENT_LENGTH=1024 * 1024)
    client = small.test_client()
    sign_in(client, make_user("lead"))
    big = PDF + b"0" * 4096
    response = client.post(f"/f/{SLUG}/evidence/new", data=form((PDF, "small.pdf"), (big, "big.pdf")))
    assert attachment_error(response, 413).startswith("big.pdf is larger than the limit")
    assert count_rows(small, Evidence) == 0
    assert count_rows(small, Attachment) == 0
    assert stored_files(small) == [], "a refused upload left a file (or a .part file) behind"
    # What the user typed is kept in the form.
    page = Page(response.get_data(as_text=True))
    assert page.value("title") == "Survey with attachments" and page.value("collected_on") == "2023-01-20"
    assert page.checked("links-educators-supported")


def test_limit_under_a_megabyte_is_not_shown_as_0_mb(make_app: Any, framework: str, make_user: Any) -> None:
    """The form's hint and the refusal name the configured limit; 1024 bytes is not '0 MB'."""
    small = make_app(UPLOAD_MAX_BYTES=1024, MAX_CONTENT_LENGTH=1024 * 1024)
    client = small.test_client()
    sign_in(client, make_user("lead"))
    blank = Page.of(client.get(f"/f/{SLUG}/evidence/new"), 200)
    hint = blank.hint("attachments")
    assert hint.endswith("up to 1 KB each.") and "0 MB" not in hint, hint
    assert "0 MB" not in blank.body
    response = client.post(f"/f/{SLUG}/evidence/new", data=form((PDF + b"0" * 4096, "big.pdf")))
    message = attachment_error(response, 413)
    assert "0 MB" not in message and "1 KB" in message, message
    assert "0 MB" not in Page(response.get_data(as_text=True)).body


def test_request_over_max_content_length_is_413(make_app: Any, framework: str, make_user: Any) -> None:
    small = make_app(UPLOAD_MAX_BYTES=1024, MAX_CONTENT_LENGTH=2048)
    client = small.test_client()
    sign_in(client, make_user("lead"))
    response = client.post(f"/f/{SLUG}/evidence/new", data=form((PDF + b"0" * 8192, "big.pdf")))
    assert response.status_code == 413
    assert count_rows(small, Evidence) == 0
    assert stored_files(small) == []


@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param(PNG, "report.pdf", id="png-named-pdf"),
        pytest.param(PDF, "photo.png", id="pdf-named-png"),
        pytest.param(PDF, "photo.jpg", id="pdf-named-jpg"),
        pytest.param(b"<html><script>alert(1)</script></html>", "table.csv.pdf", id="html-named-pdf"),
        pytest.param(b"a,b\n\x00\x01,2\n", "data.csv", id="binary-named-csv"),
        pytest.param(
            office_zip("[Content_Types].xml", "_rels/.rels"), "letter.docx", id="zip-without-word-part"
        ),
        pytest.param(DOCX, "sheet.xlsx", id="docx-named-xlsx"),
        pytest.param(XLSX, "letter.docx", id="xlsx-named-docx"),
        pytest.param(b"PK\x03\x04 not really a zip file at all", "sheet.xlsx", id="broken-zip"),
    ],
)
def test_bytes_must_match_extension(app: Flask, lead: FlaskClient, content: bytes, name: str) -> None:
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((content, name)))
    message = attachment_error(response, 400)
    assert message.startswith(f"{name}: the file's contents are not a .{name.rsplit('.', 1)[1]} file")
    assert count_rows(app, Evidence) == 0
    assert stored_files(app) == []


@pytest.mark.parametrize(
    "name", ["page.html", "page.htm", "script.js", "image.svg", "run.exe", "noextension"]
)
def test_types_outside_the_list_are_refused(app: Flask, lead: FlaskClient, name: str) -> None:
    response = lead.post(
        f"/f/{SLUG}/evidence/new", data=form((b"<html><script>alert(1)</script></html>", name))
    )
    assert "files of this type are not accepted" in attachment_error(response, 400)
    assert count_rows(app, Evidence) == 0
    assert stored_files(app) == []


def test_one_bad_file_means_none_are_kept(app: Flask, lead: FlaskClient) -> None:
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((PDF, "good.pdf"), (PDF, "bad.png")))
    assert response.status_code == 400
    assert count_rows(app, Evidence) == 0
    assert count_rows(app, Attachment) == 0
    assert stored_files(app) == [], "the good file stored before the bad one was found must be removed"


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        pytest.param(PDF, "report.pdf", "application/pdf", id="pdf"),
        pytest.param(PNG, "chart.png", "image/png", id="png"),
        pytest.param(JPG, "photo.jpg", "image/jpeg", id="jpg"),
        pytest.param(
            DOCX,
            "letter.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            id="docx",
        ),
        pytest.param(
            XLSX,
            "figures.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            id="xlsx",
        ),
        pytest.param("respondent,score\nA,4\nB,5 ✓\n".encode(), "scores.csv", "text/csv", id="csv"),
    ],
)
def test_allowed_types_are_stored_with_hash_and_size(
    app: Flask, lead: FlaskClient, content: bytes, name: str, content_type: str
) -> None:
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((content, name)))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    [attachment] = attachments(app)
    assert attachment.original_name == name
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.content_type == content_type
    assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
    assert stored_files(app) == [blob_path(app, attachment.sha256)]
    assert blob_path(app, attachment.sha256).read_bytes() == content
    with app.app_context():
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attachment.upload")).one()
        assert audit.after == {"name": name, "size": len(content), "sha256": attachment.sha256}


def test_several_attachments_on_one_item(app: Flask, lead: FlaskClient) -> None:
    response = lead.post(
        f"/f/{SLUG}/evidence/new", data=form((PDF, "a.pdf"), (PNG, "b.png"), (XLSX, "c.xlsx"))
    )
    assert response.status_code == 302
    stored = attachments(app)
    assert [a.original_name for a in stored] == ["a.pdf", "b.png", "c.xlsx"]
    assert len({a.evidence_id for a in stored}) == 1
    assert len(stored_files(app)) == 3


def test_path_traversal_name_stays_inside_the_upload_folder(
    app: Flask, lead: FlaskClient, tmp_path: Path
) -> None:
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((PDF, "../../etc/passwd.pdf")))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    [attachment] = attachments(app)
    blob = blob_path(app, attachment.sha256).resolve()
    assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
    assert blob.read_bytes() == PDF
    new_files = {p for p in tmp_path.rglob("*") if p.is_file()} - before
    assert {p.resolve() for p in new_files if "sqlite3" not in p.name} == {blob}
    assert attachment.original_name == "passwd.pdf"
    download = lead.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200
    # Parsed, so the quoted form of attachment_header() reads the same as werkzeug's bare token.
    assert parse_options_header(download.headers["Content-Disposition"]) == (
        "attachment",
        {"filename": "passwd.pdf"},
    )
    assert download.data == PDF
    download.close()


def test_windows_style_path_is_reduced_to_the_file_name(app: Flask, lead: FlaskClient) -> None:
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((PDF, "C:\\Users\\me\\..\\secret report.pdf")))
    assert response.status_code == 302
    [attachment] = attachments(app)
    name = attachment.original_name
    assert "/" not in name and "\\" not in name
    assert name.endswith("secret_report.pdf")


@pytest.fixture
def stored_item(app: Flask, lead: FlaskClient) -> tuple[int, int]:
    """A submitted tiny-council item with a PNG attached: (evidence id, attachment id)."""
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((PNG, "chart.png")))
    assert response.status_code == 302
    [attachment] = attachments(app)
    return attachment.evidence_id, attachment.id


def test_download_is_an_attachment_never_inline(lead: FlaskClient, stored_item: tuple[int, int]) -> None:
    _evidence_id, attachment_id = stored_item
    response = lead.get(f"/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "inline" not in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert "no-store" in response.headers["Cache-Control"]
    response.close()


def test_download_needs_a_signed_in_user_who_can_see_the_item(
    app: Flask, as_role: Any, stored_item: tuple[int, int]
) -> None:
    evidence_id, attachment_id = stored_item
    url = f"/attachments/{attachment_id}"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    for client, expected in (
        (as_role("lead", partner="other-council"), 403),
        (as_role("board"), 403),  # the item is submitted, not accepted
        (as_role("evaluator"), 200),
        (as_role("admin"), 200),
    ):
        response = client.get(url)
        assert response.status_code == expected
        if expected == 200:
            assert response.data == PNG
        else:
            assert PNG not in response.data
        response.close()
    with app.app_context():
        refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "refused")).all()
        assert len(refused) == 2 and all(r.object_id == str(attachment_id) for r in refused)
        item = db.session.get(Evidence, evidence_id)
        assert item is not None
        item.status = "accepted"
        db.session.commit()
    board = as_role("board")
    response = board.get(url)
    assert response.status_code == 200
    response.close()


def test_missing_attachment_is_404(lead: FlaskClient) -> None:
    assert lead.get("/attachments/99999").status_code == 404


def test_edit_can_add_an_attachment_and_a_bad_one_changes_nothing(
    app: Flask, lead: FlaskClient, stored_item: tuple[int, int]
) -> None:
    evidence_id, _ = stored_item
    edit = dict(form(), row_version="1", action="save", title="Survey with attachments, edited")
    response = lead.post(
        f"/evidence/{evidence_id}/edit", data={**edit, "attachments": [(io.BytesIO(PNG), "x.pdf")]}
    )
    assert response.status_code == 400
    with app.app_context():
        item = db.session.get(Evidence, evidence_id)
        assert item is not None and item.title == "Survey with attachments" and item.row_version == 1
    assert len(attachments(app)) == 1 and len(stored_files(app)) == 1
    response = lead.post(
        f"/evidence/{evidence_id}/edit", data={**edit, "attachments": [(io.BytesIO(PDF), "x.pdf")]}
    )
    assert response.status_code == 302
    assert [a.original_name for a in attachments(app)] == ["chart.png", "x.pdf"]
    assert len(stored_files(app)) == 2


def test_sweep_sets_aside_files_without_a_row(app: Flask, framework: str, tmp_path: Path) -> None:
    """A process killed between storing a file and committing its row leaves an orphan; the sweep keeps it aside."""
    import os as _os
    import time as _time

    from tracker.services.attachments import sweep

    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    orphan, part, fresh = folder / "a", folder / ".b.part", folder / "c"
    for path in (orphan, part, fresh):
        path.write_bytes(b"%PDF-1.4 x")
    old = _time.time() - 7200
    _os.utime(orphan, (old, old))
    _os.utime(part, (old, old))
    with app.app_context():
        result = sweep(db.session, folder)
    assert result.moved == ("a",) and result.removed_parts == (".b.part",)
    assert (folder / "orphaned" / "a").read_bytes() == b"%PDF-1.4 x"
    assert fresh.exists() and not part.exists()


def test_a_non_ascii_name_keeps_its_stem_and_extension(app: Flask, lead: FlaskClient) -> None:
    """`файл.pdf` was offered as `pdf`: secure_filename drops every non-ASCII character."""
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((PDF, "файл.pdf")))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    [attachment] = attachments(app)
    assert attachment.original_name == "файл.pdf" and attachment.content_type == "application/pdf"
    download = lead.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.endswith("filename*=UTF-8''%D1%84%D0%B0%D0%B9%D0%BB.pdf")
    download.close()


def test_a_non_ascii_name_still_has_its_extension_checked(app: Flask, lead: FlaskClient) -> None:
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((PNG, "файл.pdf")))
    assert attachment_error(response, 400).startswith("файл.pdf: the file's contents are not a .pdf file")
    assert count_rows(app, Attachment) == 0 and stored_files(app) == []


def test_a_csv_with_binary_content_after_the_first_64_kib_is_refused(app: Flask, lead: FlaskClient) -> None:
    rows = "respondent,comment\n" + "A,café ✓\n" * 20_000
    assert len(rows.encode()) > 64 * 1024
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((rows.encode() + b"\x00\x01\xff", "big.csv")))
    assert attachment_error(response, 400).startswith("big.csv: the file's contents are not a .csv file")
    assert count_rows(app, Attachment) == 0 and stored_files(app) == []
    response = lead.post(f"/f/{SLUG}/evidence/new", data=form((rows.encode(), "big.csv")))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert [a.size for a in attachments(app)] == [len(rows.encode())]
